"""Callouts: a quote that starts with GitHub's alert marker, `> [!NOTE]`, `[!TIP]`,
`[!IMPORTANT]`, `[!WARNING]` or `[!CAUTION]` (and Obsidian's names for them), with an
optional title after the marker, and Obsidian's collapsible form: `> [!TIP]- Title` starts
closed, `> [!TIP]+ Title` open. An unknown marker leaves the quote a quote, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import escape

from coursepress.errors import Diagnostic

KINDS = ("note", "tip", "important", "warning", "caution")
ALIASES = {
    "info": "note", "abstract": "note", "summary": "note", "todo": "note", "quote": "note",
    "example": "note", "hint": "tip", "success": "tip", "check": "tip", "done": "tip",
    "question": "important", "help": "important", "faq": "important", "attention": "warning",
    "danger": "caution", "error": "caution", "failure": "caution", "bug": "caution",
}  # fmt: skip
"""Obsidian's and MkDocs' callout names, as the GitHub kind whose look they take."""
_MARKER = re.compile(r"\[!([A-Za-z]+)\]([+-]?)[ \t]*(.*)")


def callouts_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("callouts", _callouts)
    md.add_render_rule("callout_open", _render_open)
    md.add_render_rule("callout_close", _render_close)


def _callouts(state: StateCore) -> None:
    tokens = state.tokens
    drop: set[int] = set()
    for index, token in enumerate(tokens):
        if token.type != "blockquote_open" or index + 2 >= len(tokens):
            continue
        inline = tokens[index + 2]
        if tokens[index + 1].type != "paragraph_open" or inline.type != "inline":
            continue
        first, _, rest = inline.content.partition("\n")
        marker = _MARKER.fullmatch(first.strip())
        if marker is None:
            continue
        written, fold, title = marker.groups()
        kind = written.lower()
        kind = ALIASES.get(kind, kind)
        if kind not in KINDS:
            state.env.setdefault("warnings", []).append(_unknown(written, token, state.env))
            continue
        close = _closing(tokens, index)
        token.type, tokens[close].type = "callout_open", "callout_close"
        token.meta = {"kind": kind, "title": title or kind.capitalize(), "fold": fold}
        tokens[close].meta = token.meta
        _drop_first_line(inline, rest)
        if not inline.children:  # the marker was the whole paragraph
            drop.update((index + 1, index + 2, index + 3))
    if drop:
        state.tokens = [token for i, token in enumerate(tokens) if i not in drop]


def _closing(tokens: list[Token], opening: int) -> int:
    level = tokens[opening].level
    return next(
        i
        for i in range(opening + 1, len(tokens))
        if tokens[i].type == "blockquote_close" and tokens[i].level == level
    )


def _drop_first_line(inline: Token, rest: str) -> None:
    children = inline.children or []
    breaks = [i for i, child in enumerate(children) if child.type in ("softbreak", "hardbreak")]
    inline.children = children[breaks[0] + 1 :] if breaks else []
    inline.content = rest


def _unknown(written: str, token: Token, env: EnvType) -> Diagnostic:
    line = token.map[0] + 1 + env.get("line_offset", 0) if token.map else None
    return Diagnostic(
        f"unknown callout [!{written}]: it is shown as a quote",
        path=env.get("path"),
        line=line,
        hint=f"use one of {', '.join(f'[!{k.upper()}]' for k in KINDS)}",
        code="unknown-callout",
    )


def _render_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    kind, title = meta["kind"], escape(meta["title"])
    if meta["fold"]:
        opened = " open" if meta["fold"] == "+" else ""
        return (
            f'<details class="callout callout-{kind}"{opened}>\n'
            f'<summary class="callout-title">{title}</summary>\n'
        )
    return f'<div class="callout callout-{kind}">\n<p class="callout-title">{title}</p>\n'


def _render_close(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</details>\n" if tokens[idx].meta["fold"] else "</div>\n"
