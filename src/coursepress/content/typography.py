"""Typographic replacements as Hugo's Markdown (Goldmark's typographer) makes them: `...`,
`--`, `---`, `<<` and `>>`, and nothing else. markdown-it's own `replacements` rule also
turns `(c)`, `(tm)`, `(r)`, `+-` and `,,` into symbols, and real posts came out with `™`
for "(TM)" and `(a)-©` for "(a)-(c)". Quotes are smartquotes.py's."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from markdown_it.rules_core import StateCore

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_REPLACED = re.compile(r"\.\.\.|---|--|<<|>>")
"""Leftmost first, longest of each: `----` is an em dash and a hyphen, `....` an ellipsis and
a full stop, as Goldmark reads them."""
_SYMBOLS = {"...": "\u2026", "---": "\u2014", "--": "\u2013", "<<": "\u00ab", ">>": "\u00bb"}


def replacements(state: StateCore) -> None:
    if not state.md.options.typographer:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children or not _REPLACED.search(block.content):
            continue
        inside_autolink = False
        for token in block.children:
            if token.type == "text" and not inside_autolink:
                token.content = _REPLACED.sub(lambda m: _SYMBOLS[m.group()], token.content)
            elif token.type in ("link_open", "link_close") and token.info == "auto":
                inside_autolink = token.type == "link_open"


def typeset(text: str) -> str:
    """Plain text (a title) with the typography of the body: curly quotes, dashes and
    ellipses, by the same two rules, so that a title and its body never disagree."""
    from markdown_it.token import Token

    from coursepress.content.smartquotes import smartquotes

    if not _TYPESET.search(text):
        return text
    state = StateCore(text, _typographer(), {})
    line = Token("inline", "", 0, content=text, children=[Token("text", "", 0, content=text)])
    state.tokens = [line]
    replacements(state)
    smartquotes(state)
    return line.children[0].content if line.children else text


@cache
def _typographer() -> MarkdownIt:
    """Options only (typographer on, the quote characters): made once, it costs 0.7 ms."""
    from markdown_it import MarkdownIt

    return MarkdownIt("zero", {"typographer": True})


_TYPESET = re.compile(r"['\"]|\.\.\.|--|<<|>>")
