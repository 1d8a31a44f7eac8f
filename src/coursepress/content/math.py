"""Math at build time: TeX → MathML (KaTeX, see katex.py), which browsers typeset natively.

Every delimiter course sites use is read: `$...$` and `$$...$$` (dollarmath, with Pandoc's
rule that `$5 and $10` is text), `\\(...\\)` and `\\[...\\]`, the doubled `\\\\(...\\\\)` and
`\\\\[...\\\\]` that Hugo sites write so that MathJax sees `\\(` once Markdown has taken its
escapes out (their TeX is read as that Markdown text, `\\_` as `_`), and a display
environment standing alone (`\\begin{align}...\\end{align}`). `\\label` numbers an equation,
and `\\eqref` and `\\ref` link to it. A core rule converts every formula, where each one's
line is known for warnings; the render rules only emit the result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from html import unescape as html_unescape

from markupsafe import escape
from mdit_py_plugins.dollarmath import dollarmath_plugin

from coursepress.content.katex import Typeset, typeset
from coursepress.content.shortcodes import Lines
from coursepress.errors import Diagnostic

# Token types, and whether each is display math.
_DISPLAY = {
    "math_inline": False,
    "math_inline_double": True,
    "math_block": True,
    "math_block_label": True,
}
REFERENCE = "math_reference"

DISPLAY_ENVIRONMENTS = frozenset(
    name + star
    for name in ("equation", "align", "gather", "multline", "eqnarray", "flalign", "alignat",
                 "aligned", "gathered", "split", "displaymath")  # fmt: skip
    for star in ("", "*")
)
"""Environments read as display math where they stand alone, as MathJax reads them."""
NUMBERED = frozenset(
    ("equation", "align", "gather", "multline", "eqnarray", "flalign", "alignat")
)
"""Environments whose rows are numbered (their starred forms are not)."""
ALIASES = {"multline": "gather", "eqnarray": "align", "displaymath": "equation*"}
"""Environments KaTeX lacks, written as the nearest one it has."""
BUILT_IN_MACROS = {"\\mathds": "\\mathbb", "\\mbox": "\\text"}
"""Commands course notes use that KaTeX lacks: dsfont's `\\mathds`, LaTeX's `\\mbox`."""


def math_plugin(md: MarkdownIt) -> None:
    # No space inside the dollars and no digit after the closing one, as in Pandoc:
    # "$5 and $10" stays text.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.inline.ruler.before("escape", "backslash_math", _backslash_math)
    md.block.ruler.before(
        "paragraph",
        "display_math",
        _display_block,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.core.ruler.push("typeset_math", _typeset_math)
    for kind in _DISPLAY:
        md.add_render_rule(kind, _render_math)
    md.add_render_rule(REFERENCE, _render_math)


# -- finding the math -------------------------------------------------------------------------

_INLINE_FORMS = (
    # opening, closing, display, written with Markdown's escapes (Hugo's doubled form)
    ("\\\\(", "\\\\)", False, True),
    ("\\\\[", "\\\\]", True, True),
    ("\\(", "\\)", False, False),
    ("\\[", "\\]", True, False),
)
_REFERENCE = re.compile(r"\\(eqref|ref)\{([^{}\n]{1,200})\}")
_TEX_MARK = re.compile(r"[\\^_={}]")
"""A sign that `\\[...\\]` inside a paragraph is a formula, not Markdown's escaped brackets
(`\\[1\\]`, `\\[sic\\]`)."""


def _backslash_math(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] != "\\":
        return False
    reference = _REFERENCE.match(src, start)
    if reference:
        if not silent:
            token = state.push(REFERENCE, "a", 0)
            token.content, token.info = reference.group(2).strip(), reference.group(1)
        state.pos = reference.end()
        return True
    for opening, closing, display, escaped in _INLINE_FORMS:
        if src.startswith(opening, start):
            break
    else:
        return False
    begin = start + len(opening)
    end = _find(state.env, src, closing, begin)
    tex = src[begin:end] if end >= 0 else ""
    if not tex.strip() or (opening == "\\[" and not _TEX_MARK.search(tex)):
        return False
    if not silent:
        token = state.push("math_inline_double" if display else "math_inline", "math", 0)
        token.content, token.markup = tex, opening
        token.meta["escaped"] = escaped
    state.pos = end + len(closing)
    return True


def _find(env: EnvType, src: str, closing: str, start: int) -> int:
    """`src.find(closing, start)`, remembering where it was not found: a paragraph of a
    thousand unclosed `\\(` is searched once, not a thousand times."""
    missing = env.setdefault("math_missing", {})
    key = (closing, id(src))
    if key in missing and missing[key][0] is src and missing[key][1] <= start:
        return -1
    found = src.find(closing, start)
    if found < 0:
        missing[key] = (src, start)
    return found


_BLOCK_OPENING = re.compile(r"(\\\\\[|\\\[)|\\begin\{([A-Za-z]+\*?)\}")


def _display_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`\\[` (or `\\\\[`) on a line of its own up to the line that ends with `\\]`, or a
    display environment from its `\\begin` to the line that ends with its `\\end`. A blank
    line ends the search, as it would end the formula in TeX."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    first = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    opening = _BLOCK_OPENING.match(first)
    if opening is None or (opening.group(2) and opening.group(2) not in DISPLAY_ENVIRONMENTS):
        return False
    bracket = opening.group(1)
    closing = ("\\\\]" if bracket == "\\\\[" else "\\]") if bracket else f"\\end{{{opening.group(2)}}}"
    last = _closing_line(state, start, end, closing, len(opening.group(0)))
    if last is None:
        return False
    if silent:
        return True
    text = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[last]].rstrip()
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = text[len(bracket) : -len(closing)] if bracket else text
    token.markup = bracket or "\\begin"
    token.meta["escaped"] = bracket == "\\\\["
    token.map = [start, last + 1]
    state.line = last + 1
    return True


def _closing_line(state: StateBlock, start: int, end: int, closing: str, skip: int) -> int | None:
    missing = state.env.setdefault("math_missing", {})
    if missing.get((closing, "block"), -1) >= start:
        return None
    for line in range(start, end):
        begin = state.bMarks[line] + state.tShift[line]
        text = state.src[begin : state.eMarks[line]].rstrip()
        if line > start and not text:
            break
        if text.endswith(closing) and (line > start or len(text) >= skip + len(closing)):
            return line
    missing[(closing, "block")] = line
    return None


# -- numbering --------------------------------------------------------------------------------


@dataclass
class Equations:
    """A page's equation numbers and labels, counted in the order the formulas stand."""

    count: int = 0
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    """`\\label` key → (number as shown, the anchor's id)."""


@dataclass(frozen=True, slots=True)
class Row:
    number: str
    """As shown: `(3)`, or a `\\tag*{A}`'s `A`."""
    key: str | None


_LABEL = re.compile(r"\\label\{([^{}]*)\}")
_TAG = re.compile(r"\\tag(\*?)\{([^{}]*)\}")
_NO_NUMBER = re.compile(r"\\(?:nonumber|notag)(?![A-Za-z])")
_ENVIRONMENT = re.compile(r"\s*\\begin\{([A-Za-z]+)(\*?)\}(.*)\\end\{\1\2\}\s*", re.DOTALL)


def number_rows(tex: str, equations: Equations) -> tuple[str, list[Row]]:
    """The TeX to typeset (labels taken out, environments KaTeX lacks renamed), and the
    numbered rows in the order KaTeX gives them a number cell."""
    environment = _ENVIRONMENT.fullmatch(tex)
    name, star, body = environment.groups() if environment else ("", "", tex)
    numbered = name in NUMBERED and not star
    rows = []
    for text in _rows(body) if name not in ("equation", "") else [body]:
        label, tag = _LABEL.search(text), _TAG.search(text)
        if tag:
            number = tag.group(2) if tag.group(1) else f"({tag.group(2)})"
        elif (numbered or label) and not _NO_NUMBER.search(text):
            equations.count += 1
            number = f"({equations.count})"
        else:
            continue
        rows.append(Row(number, label.group(1).strip() if label else None))
    tex = _LABEL.sub("", tex)
    if name in ALIASES:
        alias = ALIASES[name] + ("" if ALIASES[name].endswith("*") else star)
        tex = tex.replace(f"\\begin{{{name}{star}}}", f"\\begin{{{alias}}}", 1)
        tex = _replace_last(tex, f"\\end{{{name}{star}}}", f"\\end{{{alias}}}")
    elif not name and rows and not _TAG.search(tex):
        tex = f"\\begin{{equation}}{tex}\\end{{equation}}"  # a label numbers it
    return tex, rows


def _replace_last(text: str, old: str, new: str) -> str:
    before, found, after = text.rpartition(old)
    return before + new + after if found else text


def _rows(body: str) -> list[str]:
    """The rows of an environment: split at `\\\\` outside braces and inner environments."""
    rows, depth, start, index = [], 0, 0, 0
    while index < len(body):
        char = body[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "\\":
            if body.startswith("\\\\", index) and depth == 0:
                rows.append(body[start:index])
                start = index + 2
                index += 2
                continue
            if body.startswith("\\begin{", index):
                depth += 1
            elif body.startswith("\\end{", index):
                depth -= 1
            index += 2  # an escaped character (`\\{`) is not a brace
            continue
        index += 1
    rows.append(body[start:])
    return [row for row in rows if row.strip()] or [body]


_NUMBER_CELL = re.compile(r'<mtd class ?="mml-eqn-num"></mtd>')


def _fill_numbers(mathml: str, rows: Sequence[Row]) -> str:
    """KaTeX leaves each numbered row's number cell empty (a stylesheet counter fills it in
    its own CSS); ours are written in, with the label's anchor."""
    numbers = iter(rows)

    def fill(match: re.Match[str]) -> str:
        row = next(numbers, None)
        if row is None:
            return match.group(0)
        anchor = f' id="{escape(anchor_id(row.key))}"' if row.key else ""
        return f'<mtd class="mml-eqn-num"{anchor}><mtext>{escape(row.number)}</mtext></mtd>'

    return _NUMBER_CELL.sub(fill, mathml)


def anchor_id(key: str) -> str:
    return "eq-" + re.sub(r"\s+", "-", key.strip())


# -- typesetting -------------------------------------------------------------------------------


def _typeset_math(state: StateCore) -> None:
    env = state.env
    equations: Equations = env.setdefault("equations", Equations())
    found = [
        (token, block)
        for block in state.tokens
        for token in [block, *(block.children or ())]
        if token.type in _DISPLAY or token.type == REFERENCE
    ]
    # Numbers first, so that a reference may come before its equation.
    prepared = {}
    for token, block in found:
        if token.type == REFERENCE:
            continue
        tex = _tex_of(token)
        if _DISPLAY[token.type]:
            tex, rows = number_rows(tex, equations)
            for row in rows:
                if row.key is not None:
                    _add_label(row, equations, token, block, env)
        else:
            tex, rows = _LABEL.sub("", tex), []
        prepared[id(token)] = (tex, rows)
    macros = {**BUILT_IN_MACROS, **env.get("math_macros", {})}
    for token, block in found:
        if token.type == REFERENCE:
            token.meta["html"] = _reference(token.info, token.content, equations, block, env)
            continue
        tex, rows = prepared[id(token)]
        whole = _REFERENCE.fullmatch(tex.strip())
        if whole:  # `$\eqref{x}$`: a link, as MathJax makes it
            token.meta["html"] = _reference(whole.group(1), whole.group(2), equations, block, env)
            continue
        tex = _REFERENCE.sub(lambda m: _reference_text(m, equations), tex)
        display, written = _DISPLAY[token.type], token.content.strip()
        token.meta["html"] = _convert(tex, display, written, block, rows, macros, env)
    for block in state.tokens:
        if block.type == "html_block" and ("$" in block.content or "\\" in block.content):
            block.content = _math_in_html(block.content, block, macros, env)


def _tex_of(token: Token) -> str:
    tex = token.content.strip()
    if token.meta.get("escaped"):
        tex = _MARKDOWN_ESCAPE.sub(r"\1", tex)  # as the Markdown text MathJax was given
    return tex


_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _add_label(row: Row, equations: Equations, token: Token, block: Token, env: EnvType) -> None:
    assert row.key is not None
    if row.key in equations.labels:
        env.setdefault("warnings", []).append(
            _warning(
                f"the label '{row.key}' is used twice in this page; links go to the first",
                "give each equation a label of its own",
                block,
                env,
            )
        )
        return
    equations.labels[row.key] = (row.number, anchor_id(row.key))


def _reference(kind: str, key: str, equations: Equations, block: Token, env: EnvType) -> str:
    found = equations.labels.get(key)
    if found is None:
        env.setdefault("warnings", []).append(
            _warning(
                f"\\{kind}{{{key}}} names no \\label in this page; it is shown as (??)",
                "label the equation with \\label{" + key + "}, or fix the name",
                block,
                env,
            )
        )
        return '<span class="eqref">(??)</span>'
    number, anchor = found
    shown = number if kind == "eqref" else number.strip("()")
    return f'<a class="eqref" href="#{escape(anchor)}">{escape(shown)}</a>'


def _reference_text(match: re.Match[str], equations: Equations) -> str:
    number = equations.labels.get(match.group(2).strip(), ("(??)", ""))[0]
    shown = number if match.group(1) == "eqref" else number.strip("()")
    return f"\\text{{{shown}}}"


def _convert(
    tex: str,
    display: bool,
    written: str,
    block: Token,
    rows: Sequence[Row],
    macros: Mapping[str, str],
    env: EnvType,
    lines_in: int = 0,
) -> str:
    """The formula's MathML; else its TeX as written, shown, with a warning at its line
    (`lines_in`: lines of the block before the formula, where the block's map cannot say)."""
    try:
        result = typeset(tex, display, macros)
    except Exception as error:  # QuickJS's time or memory limit: the TeX is the fallback
        result = Typeset(None, f"KaTeX stopped ({type(error).__name__}: {error})")
    if result.mathml is not None:
        return _fill_numbers(result.mathml, rows) if rows else result.mathml
    line = _line(block, env)
    if line is not None:
        line += lines_in + (tex[: result.offset].count("\n") if result.offset > 0 else 0)
    if result.command:
        message = f"unknown TeX command {result.command}: the formula is shown as TeX"
        hint = (
            "define it under [math.macros] in site.toml (for example "
            'R = "\\\\mathbb{R}"), or use a command KaTeX knows (katex.org/docs/supported)'
        )
        if "not allowed" in result.problem:
            message = f"{result.problem}: the formula is shown as TeX"
            hint = "write the link outside the formula"
    else:
        message = f"this formula cannot be typeset ({result.problem}): it is shown as TeX"
        hint = "check the braces and the environment's name"
    env.setdefault("warnings", []).append(
        Diagnostic(message, path=env.get("path"), line=line, hint=hint, code="math")
    )
    return f'<code class="math-source">{escape(written)}</code>'


# A tag starts as in browsers (`$a < b$` is text); one left open runs to the end, read once.
_HTML_TAG = re.compile(r"(<(?=[a-zA-Z/!?])[^>]*(?:>|\Z))")
_HTML_MATH_OPENING = re.compile(r"\$\$|\\\\\(|\\\(|\$")
_NOT_TEXT = frozenset(("pre", "code", "script", "style", "textarea", "math", "kbd", "samp"))
"""Elements whose text is never math: code, and what is not shown as text."""


def _math_in_html(
    html: str, block: Token, macros: Mapping[str, str], env: EnvType
) -> str:
    """Formulas in the text of raw HTML (`<td>$x$</td>`, a table of results), typeset as in
    Markdown: `$...$` (Pandoc's rule), `$$...$$`, `\\(...\\)` and `\\\\(...\\\\)`. Tags, and
    the text of code and scripts, are left as they are."""
    pieces, inside, lines = [], 0, 0
    for part in _HTML_TAG.split(html):
        lines += part.count("\n") if part.startswith("<") else 0
        if part.startswith("<"):
            name = re.match(r"</?([A-Za-z][\w-]*)", part)
            if name and name.group(1).lower() in _NOT_TEXT and not part.endswith("/>"):
                inside += -1 if part.startswith("</") else 1
                inside = max(inside, 0)
            pieces.append(part)
        else:
            typeset = part if inside else _typeset_text(part, block, macros, env, lines)
            pieces.append(typeset)
            lines += part.count("\n")
    return "".join(pieces)


_CLOSERS = {"$$": "$$", "\\\\(": "\\\\)", "\\(": "\\)", "$": "$"}


def _typeset_text(
    text: str, block: Token, macros: Mapping[str, str], env: EnvType, lines: int
) -> str:
    pieces, position, missing = [], 0, set()
    counted = Lines(text, lines)
    while (opening := _HTML_MATH_OPENING.search(text, position)) is not None:
        mark = opening.group(0)
        closing = _CLOSERS[mark]
        end = -1 if closing in missing else text.find(closing, opening.end())
        tex = text[opening.end() : end] if end >= 0 else ""
        if end < 0:
            missing.add(closing)  # not after this one: not after any later one either
        if mark == "$" and (
            not tex or tex[0].isspace() or tex[-1].isspace()
            or text[end + 1 : end + 2].isdigit()
        ):  # fmt: skip
            pieces.append(text[position : opening.end()])
            position = opening.end()
            continue
        if not tex.strip():
            pieces.append(text[position : opening.end()])
            position = opening.end()
            continue
        source = html_unescape(tex)
        if mark == "\\\\(":
            source = _MARKDOWN_ESCAPE.sub(r"\1", source)
        display = mark == "$$"
        written = html_unescape(tex)  # shown escaped again, as it was written
        at = counted.at(opening.start())
        html = _convert(_LABEL.sub("", source), display, written, block, (), macros, env, at)
        kind = "display" if display else "inline"
        pieces += [text[position : opening.start()], f'<span class="math {kind}">{html}</span>']
        position = end + len(closing)
    pieces.append(text[position:])
    return "".join(pieces)


def _line(block: Token, env: EnvType) -> int | None:
    return block.map[0] + 1 + env.get("line_offset", 0) if block.map else None


def _warning(message: str, hint: str, block: Token, env: EnvType) -> Diagnostic:
    return Diagnostic(message, path=env.get("path"), line=_line(block, env), hint=hint, code="math")


def _render_math(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    html = token.meta.get("html") or str(escape(token.content))
    if token.type == REFERENCE:
        return html
    if token.type == "math_inline":
        return f'<span class="math inline">{html}</span>'
    if token.type == "math_inline_double":
        # Display math inside a paragraph: a <div> would be invalid there.
        return f'<span class="math display">{html}</span>'
    anchor = f' id="{escape(token.info)}"' if token.type == "math_block_label" else ""
    # A formula wider than the column scrolls inside it, so the keyboard must reach it.
    return (
        f'<div class="math block"{anchor} tabindex="0" role="group" aria-label="Formula">\n'
        f"{html}\n</div>\n"
    )
