"""URLs inside HTML and CSS, rewritten with real parsers: the base path, summaries, feeds.

Markdown links and images are placed under the base path in the token stream (markdown.py);
this module does the same for raw HTML inside posts, for summaries shown on other pages,
for feed content, and for `url()` in stylesheets.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import tinycss2
from tinycss2.ast import FunctionBlock, Node, StringToken, URLToken

from coursepress.urls import absolute_url, relative_to_site

UrlTransform = Callable[[str], str]

# Attributes that hold a URL, on any element (`data` is <object>'s; `xlink:href` is SVG's).
URL_ATTRIBUTES = frozenset(
    {"href", "src", "poster", "data", "action", "formaction", "cite", "background", "xlink:href"}
)


def under_base_path(base_path: str) -> UrlTransform:
    """`/images/x.png` → `/course/images/x.png`; every other kind of URL is left alone."""
    return lambda url: relative_to_site(url, base_path)


def resolved_from(page_url: str, base_path: str) -> UrlTransform:
    """For HTML shown away from its page (summaries): relative URLs resolved against it first."""
    return lambda url: relative_to_site(_resolve(page_url, url), base_path)


def absolute_from(page_url: str, base_url: str) -> UrlTransform:
    """For feeds: every URL made absolute, as feed readers need."""
    return lambda url: absolute_url(_resolve(page_url, url), base_url)


def _resolve(page_url: str, url: str) -> str:
    if not url or urlsplit(url).scheme or url.startswith("//"):
        return url
    return urljoin(page_url, url)


def rewrite_html(html: str, transform: UrlTransform) -> str:
    """`html` with the URL attributes of every tag passed through `transform`.

    Only tags whose URLs change are re-serialised; everything else keeps its bytes.
    """
    rewriter = _TagRewriter(transform)
    rewriter.feed(html)
    rewriter.close()
    if not rewriter.edits:
        return html
    line_starts = _line_starts(html)
    pieces: list[str] = []
    cursor = 0
    for (line, column), original, replacement in rewriter.edits:
        start = line_starts[line - 1] + column
        pieces += [html[cursor:start], replacement]
        cursor = start + len(original)
    pieces.append(html[cursor:])
    return "".join(pieces)


class _TagRewriter(HTMLParser):
    def __init__(self, transform: UrlTransform) -> None:
        super().__init__(convert_charrefs=False)
        self.transform = transform
        self.edits: list[tuple[tuple[int, int], str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._rewrite(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._rewrite(tag, attrs)

    def _rewrite(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        new_attrs = [(name, self._value(name, value)) for name, value in attrs]
        original = self.get_starttag_text()
        if new_attrs == attrs or original is None:
            return
        closing = "/>" if original.endswith("/>") else ">"
        rebuilt = "".join(
            f" {name}" if value is None else f' {name}="{escape(value)}"'
            for name, value in new_attrs
        )
        self.edits.append((self.getpos(), original, f"<{tag}{rebuilt}{closing}"))

    def _value(self, name: str, value: str | None) -> str | None:
        if value is None:
            return None
        if name in URL_ATTRIBUTES:
            return self.transform(value.strip())
        if name in ("srcset", "imagesrcset"):
            return rewrite_srcset(value, self.transform)
        return value


def rewrite_srcset(srcset: str, transform: UrlTransform) -> str:
    """`a.png 1x, b.png 2x`: each candidate's URL transformed, its descriptor kept."""
    candidates = []
    for candidate in srcset.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        candidates.append(f"{transform(url)} {descriptor.strip()}".strip())
    return ", ".join(candidates)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position != -1:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


def rewrite_css(css: str, transform: UrlTransform) -> str:
    """`url(...)` values in a stylesheet passed through `transform` (CSS parsed by tinycss2).

    A stylesheet with nothing to change is returned exactly as it was.
    """
    tokens = tinycss2.parse_component_value_list(css, skip_comments=False)
    if not _rewrite_tokens(tokens, transform):
        return css
    return str(tinycss2.serialize(tokens))


def _rewrite_tokens(tokens: list[Node], transform: UrlTransform) -> bool:
    changed = False
    for token in tokens:
        if isinstance(token, URLToken):
            new = transform(token.value)
            changed |= new != token.value
            token.value, token.representation = new, f"url({_css_string(new)})"
        elif isinstance(token, FunctionBlock) and token.lower_name == "url":
            for argument in token.arguments:
                if isinstance(argument, StringToken):
                    new = transform(argument.value)
                    changed |= new != argument.value
                    argument.value, argument.representation = new, _css_string(new)
        elif hasattr(token, "content") and isinstance(token.content, list):
            changed |= _rewrite_tokens(token.content, transform)
        elif isinstance(token, FunctionBlock):
            changed |= _rewrite_tokens(token.arguments, transform)
    return changed


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
