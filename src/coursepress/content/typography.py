"""Typographic replacements as Hugo's Markdown (Goldmark's typographer) makes them: `...`,
`--`, `---`, `<<` and `>>`, and nothing else. markdown-it's own `replacements` rule also
turns `(c)`, `(tm)`, `(r)`, `+-` and `,,` into symbols, and real posts came out with `™`
for "(TM)" and `(a)-©` for "(a)-(c)". Quotes are smartquotes.py's."""

from __future__ import annotations

import re

from markdown_it.rules_core import StateCore

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
