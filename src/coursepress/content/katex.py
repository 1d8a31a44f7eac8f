"""TeX → MathML at build time with KaTeX (vendor/katex.min.js), run in QuickJS: the TeX that
course notes use (aligned, cases, \\boldsymbol, \\operatorname*, ...) typesets as it does in
the browser scripts those notes were written for, and no script runs when a page is read.

QuickJS keeps no threads, so a context made before the build's worker processes are forked
serves them too; one context is made per process, on first use.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

KATEX_JS = Path(__file__).resolve().parent.parent / "vendor" / "katex.min.js"

# One function the Python side calls: the result crosses as JSON text (QuickJS's wrapper
# cannot pass its long concatenated strings, and an error needs its fields).
_TYPESET = """
function coursepressTypeset(tex, display, macros) {
  var refused = [];
  try {
    var html = katex.renderToString(tex, {
      output: "mathml", displayMode: display === 1, throwOnError: true,
      macros: JSON.parse(macros), strict: "ignore", maxExpand: 1000, maxSize: 100,
      trust: function (context) { refused.push(context.command); return false; }
    });
    return JSON.stringify({html: html, refused: refused});
  } catch (error) {
    return JSON.stringify({error: String(error.message),
                           position: typeof error.position === "number" ? error.position : -1});
  }
}
"""


@dataclass(frozen=True, slots=True)
class Typeset:
    """One formula: its MathML, or why KaTeX could not typeset it."""

    mathml: str | None
    problem: str = ""
    """KaTeX's message, without its copy of the formula."""
    command: str = ""
    """The command the problem is about (`\\foo`), when KaTeX names one."""
    offset: int = -1
    """Where in the TeX the problem is, when KaTeX knows."""


def typeset(tex: str, display: bool, macros: Mapping[str, str]) -> Typeset:
    return _typeset(tex, display, json.dumps(dict(macros), sort_keys=True))


@lru_cache(maxsize=4096)
def _typeset(tex: str, display: bool, macros: str) -> Typeset:
    """Kept in memory: a post edited under `serve` typesets only its new formulas (each
    takes KaTeX about 0.7 ms)."""
    result = json.loads(_function()(tex, 1 if display else 0, macros))
    if "error" in result:
        return _problem(result["error"], result["position"])
    if result["refused"]:
        command = result["refused"][0]
        return Typeset(None, f"{command} is not allowed in a formula", command)
    return Typeset(_math_element(result["html"]))


_KATEX_PREFIX = "KaTeX parse error: "
_COMMAND = re.compile(r"(?:Undefined control sequence|Unknown function|Unknown environment)"
                      r":? ['\"]?(\\?[A-Za-z@*]+)")  # fmt: skip


def _problem(message: str, position: int) -> Typeset:
    text = message.removeprefix(_KATEX_PREFIX)
    # KaTeX appends the formula with the problem underlined ("at position 3: \̲f̲o̲o̲"):
    # the warning names the place by its line instead.
    text = re.split(r" at position \d+:| at end of input:", text, maxsplit=1)[0].strip()
    found = _COMMAND.search(text)
    command = found.group(1) if found else ""
    if command and not command.startswith("\\") and "environment" not in text:
        command = "\\" + command
    return Typeset(None, text, command, position)


def _math_element(html: str) -> str:
    """KaTeX's `<span class="katex"><math>...</math></span>` → the `<math>` alone, with
    styled letters written as the Unicode letters they stand for."""
    start, end = html.find("<math"), html.rfind("</math>")
    math = html[start : end + len("</math>")] if start >= 0 and end >= 0 else html
    math = _STYLED.sub(_styled_letters, math) if "mathvariant" in math else math
    return _APPLIED.sub(_FUNCTION_SPACE, math) if _FUNCTION in math else math


# `\sin x`: TeX puts a thin space between an operator's name and its argument (none before
# a bracket, `\sin(x)`). MathML Core gives the invisible function application no space, so
# Chromium draws "sinx": the space is written on it.
_FUNCTION = "<mo>\u2061</mo>"
_APPLIED = re.compile(_FUNCTION + r"(?=<(?!/|mo[^>]*>[(\[{|‖⟨]))")
_FUNCTION_SPACE = '<mo rspace="0.1667em">\u2061</mo>'


# Chromium draws MathML Core, which ignores `mathvariant` but "normal": `\mathbb{R}` would
# show a plain R and `\boldsymbol{x}` a plain x. MathML Core's answer is to write the
# letters from Unicode's Mathematical Alphanumeric Symbols (𝐱, ℝ), which every browser draws.
_STYLED = re.compile(r'<(mi|mn|mo|mtext)([^>]*?) mathvariant="([a-z-]+)"([^>]*)>([^<]*)</\1>')
_VARIANTS = {
    "bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC",
    "double-struck": "DOUBLE-STRUCK", "script": "SCRIPT", "bold-script": "BOLD SCRIPT",
    "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR", "sans-serif": "SANS-SERIF",
    "bold-sans-serif": "SANS-SERIF BOLD", "sans-serif-italic": "SANS-SERIF ITALIC",
    "sans-serif-bold-italic": "SANS-SERIF BOLD ITALIC", "monospace": "MONOSPACE",
}  # fmt: skip


def _styled_letters(match: re.Match[str]) -> str:
    tag, before, variant, after, text = match.groups()
    style = _VARIANTS.get(variant)
    if style is None:
        return match.group(0)
    letters = [_styled(char, style) for char in text]
    if any(letter is None for letter in letters):
        return match.group(0)  # a character with no styled form: left to the browser
    return f"<{tag}{before}{after}>{''.join(letter or '' for letter in letters)}</{tag}>"


@lru_cache(maxsize=2048)
def _styled(char: str, style: str) -> str | None:
    """`R` in DOUBLE-STRUCK → `ℝ`; None when Unicode has no such letter."""
    if char.isspace():
        return char
    try:
        name = unicodedata.name(char)
    except ValueError:
        return None
    # `GREEK SMALL LETTER THETA` → `SMALL THETA`; `GREEK THETA SYMBOL` → `THETA SYMBOL`.
    part = re.sub(r"^(LATIN |GREEK )?(CAPITAL|SMALL) LETTER ", r"\2 ", name).removeprefix("GREEK ")
    candidates = [f"MATHEMATICAL {style} {part}", f"{style} {part}"]
    candidates += [f"BLACK-LETTER {part}"] if style == "FRAKTUR" else []
    candidates += ["PLANCK CONSTANT"] if (style, part) == ("ITALIC", "SMALL H") else []
    for candidate in candidates:
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return None


_loaded: list[Callable[[str, int, str], str]] = []


def _function() -> Callable[[str, int, str], str]:
    if not _loaded:
        import quickjs  # a C extension: imported only by a build that has math

        context = quickjs.Context()
        context.set_memory_limit(256 * 1024 * 1024)
        context.set_time_limit(10)  # seconds per call: a formula that makes KaTeX loop
        context.eval(KATEX_JS.read_text(encoding="utf-8"))
        context.eval(_TYPESET)
        _loaded.append(context.get("coursepressTypeset"))
    return _loaded[0]
