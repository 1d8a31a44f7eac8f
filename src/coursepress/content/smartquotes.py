"""Typographic quotes in linear time: markdown-it-py's `smartquotes` rule, ported with one
change. The original copies the whole text for every quote it finds (a slice to search
from, a new string for each replacement), so a paragraph of 100,000 quotes took a minute;
here each text is searched in place and rewritten once. The decisions are the original's,
and a test compares the two on generated text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_QUOTE = re.compile(r"['\"]")
APOSTROPHE = "\u2019"


@dataclass(slots=True)
class _Opener:
    token: int
    position: int
    single: bool
    level: int


def smartquotes(state: StateCore) -> None:
    if not state.md.options.typographer:
        return
    quotes = state.md.options.quotes
    for token in state.tokens:
        if token.type == "inline" and token.children and _QUOTE.search(token.content):
            _process(token.children, quotes)


def _process(tokens: list[Token], quotes: str | list[str]) -> None:
    edits: dict[int, dict[int, str]] = {}
    """Token index → {position: the character that replaces the quote there}."""
    stack: list[_Opener] = []
    for index, token in enumerate(tokens):
        level = token.level
        while stack and stack[-1].level > level:
            stack.pop()
        if token.type != "text":
            continue
        text = token.content
        for match in _QUOTE.finditer(text):
            _one_quote(tokens, index, text, match.start(), stack, edits, quotes)
    for index, replaced in edits.items():
        chars = list(tokens[index].content)
        for position, char in replaced.items():
            chars[position] = char
        tokens[index].content = "".join(chars)


def _one_quote(
    tokens: list[Token],
    index: int,
    text: str,
    at: int,
    stack: list[_Opener],
    edits: dict[int, dict[int, str]],
    quotes: str | list[str],
) -> None:
    level = tokens[index].level
    single = text[at] == "'"
    last = _char_before(tokens, index, text, at)
    following = _char_after(tokens, index, text, at)
    last_punct = last is not None and (isMdAsciiPunct(last) or isPunctChar(chr(last)))
    next_punct = following is not None and (
        isMdAsciiPunct(following) or isPunctChar(chr(following))
    )
    last_space = last is not None and isWhiteSpace(last)
    next_space = following is not None and isWhiteSpace(following)
    can_open = not (next_space or (next_punct and not (last_space or last_punct)))
    can_close = not (last_space or (last_punct and not (next_space or next_punct)))
    if following == 0x22 and not single and last is not None and 0x30 <= last <= 0x39:
        can_open = can_close = False  # 1"" : the first quote is an inch
    if can_open and can_close:
        # Between punctuation, not in the middle of a word: foo-"-bar-"-baz.
        can_open, can_close = last_punct, next_punct
    if not can_open and not can_close:
        if single:  # in the middle of a word
            edits.setdefault(index, {})[at] = APOSTROPHE
        return
    if can_close:
        for depth in range(len(stack) - 1, -1, -1):
            opener = stack[depth]
            if opener.level < level:
                break
            if opener.single == single and opener.level == level:
                open_quote, close_quote = (quotes[2], quotes[3]) if single else (quotes[0], quotes[1])
                edits.setdefault(index, {})[at] = close_quote
                edits.setdefault(opener.token, {})[opener.position] = open_quote
                del stack[depth:]
                return
    if can_open:
        stack.append(_Opener(index, at, single, level))
    elif can_close and single:
        edits.setdefault(index, {})[at] = APOSTROPHE


def _char_before(tokens: list[Token], index: int, text: str, at: int) -> int | None:
    if at > 0:
        return ord(text[at - 1])
    for before in range(index - 1, -1, -1):
        token = tokens[before]
        if token.type in ("softbreak", "hardbreak"):
            break
        if token.content:  # text, html_inline and code_inline
            return ord(token.content[-1])
    return 0x20  # the start of the line


def _char_after(tokens: list[Token], index: int, text: str, at: int) -> int | None:
    if at + 1 < len(text):
        return ord(text[at + 1])
    for after in range(index + 1, len(tokens)):
        token = tokens[after]
        if token.type in ("softbreak", "hardbreak"):
            break
        if token.content:
            return ord(token.content[0])
    return 0x20  # the end of the line
