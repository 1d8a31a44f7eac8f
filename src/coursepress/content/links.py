"""URLs inside HTML and CSS, rewritten with real parsers: the base path, summaries, feeds.

Markdown links and images are placed under the base path in the token stream (markdown.py);
this module does the same for raw HTML inside posts (attributes, `srcset`, `style`), for
summaries and feeds shown away from their page, and for `url()` in stylesheets.

Only the URL itself is replaced, in place: every other byte (attribute order and quotes,
entities such as `&amp;`, CSS formatting) stays as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import urljoin, urlsplit

import tinycss2

from coursepress.site.urls import relative_to_site

UrlTransform = Callable[[str], str]
Edit = tuple[int, int, str]
"""Replace text[start:end] with the string."""

# Attributes that hold one URL, on any element (`data` is <object>'s, `xlink:href` SVG's,
# `data-src` the usual lazy-loading one).
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "poster",
        "data",
        "action",
        "formaction",
        "cite",
        "background",
        "xlink:href",
        "data-src",
    }
)
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset", "data-srcset"})

# How html.parser (Python 3.11) splits a start tag into its name and attributes; kept here
# because the module does not export them, and the tag is re-read to find each value's span.
_TAG_NAME = re.compile(r"([a-zA-Z][^\t\n\r\f />\x00]*)(?:\s|/(?!>))*")
_ATTRIBUTE = re.compile(
    r"((?<=[\'\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*(\'[^\']*\'|\"[^\"]*\"|(?![\'\"])[^>\s]*))?(?:\s|/(?!>))*"
)


def under_base_path(base_path: str) -> UrlTransform:
    """`/images/x.png` → `/course/images/x.png`; every other kind of URL is left alone."""
    return lambda url: relative_to_site(url, base_path)


def resolved_from(page_url: str, base_path: str) -> UrlTransform:
    """For HTML already placed under the base path but shown away from its page (summaries):
    relative URLs, fragments included, are resolved against the page they came from."""

    def transform(url: str) -> str:
        if _is_relative(url):
            return relative_to_site(urljoin(page_url, url), base_path)
        return url

    return transform


def absolute_from(page_url: str, base_url: str) -> UrlTransform:
    """For HTML already placed under the base path, shown in a feed: every URL made absolute."""
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    site_relative = resolved_from(page_url, parts.path or "/")

    def transform(url: str) -> str:
        url = site_relative(url)
        return origin + url if url.startswith("/") and not url.startswith("//") else url

    return transform


def _is_relative(url: str) -> bool:
    return bool(url) and not urlsplit(url).scheme and not url.startswith("/")


# Code blocks as highlight.py writes them: escaped code in thousands of <span>s and no URL.
# Skipping them keeps rewriting a long post fast; nothing else is skipped.
_CODE_START = '<div class="highlight"><pre'
_CODE_END = "</pre></div>"


def rewrite_html(html: str, transform: UrlTransform) -> str:
    """`html` with the URLs in its tags (attributes, `srcset`, `style`) and `<style>` blocks
    passed through `transform`."""
    pieces, cursor = [], 0
    while (start := html.find(_CODE_START, cursor)) >= 0:
        end = html.find(_CODE_END, start)
        if end < 0:  # a block left open: no later one is closed either, so none is looked for
            break
        end += len(_CODE_END)
        pieces += [_rewrite_markup(html[cursor:start], transform), html[start:end]]
        cursor = end
    return "".join([*pieces, _rewrite_markup(html[cursor:], transform)])


def _rewrite_markup(html: str, transform: UrlTransform) -> str:
    edits = list(_url_edits(html, transform))
    return _apply(html, edits) if edits else html


# Markup is found as a browser's tokenizer finds it, in one pass: start tags (whose attributes
# may hold URLs), and what holds no tag although it may look like one (comments, declarations,
# end tags, the text of raw-text elements). The scan moves forward only, so it takes time in
# proportion to the HTML, whatever the input.
_START_TAG = re.compile(
    r"""
  <[a-zA-Z][^\t\n\r\f />\x00]*       # tag name
  (?:[\s/]*                          # optional whitespace before attribute name
    (?:(?<=['"\s/])[^\s/>][^\s/=>]*  # attribute name
      (?:\s*=+\s*                    # value indicator
        (?:'[^']*'                   # LITA-enclosed value
          |"[^"]*"                   # LIT-enclosed value
          |(?!['"])[^>\s]*           # bare value
         )
        \s*                          # possibly followed by a space
       )?(?:\s|/(?!>))*
     )*
   )?
  \s*                                # trailing whitespace
""",
    re.VERBOSE,
)
# A tag without any attribute that may hold a URL is passed over without reading them.
_MAY_HOLD_URL = re.compile(
    "(?:%s)\\s*=" % "|".join(map(re.escape, sorted(URL_ATTRIBUTES | SRCSET_ATTRIBUTES | {"style"}))),
    re.I,
)
# Elements whose content is text up to their end tag, never markup (HTML's raw text and
# escapable raw text elements; a `/>` does not close them, in HTML).
_RAW_TEXT = frozenset(
    {"script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title"}
)


def _markup(start_tag: str) -> re.Pattern[str]:
    """What stops the scan: a comment, CDATA (which only SVG and MathML have, written in
    capitals), a declaration, a processing instruction, an end tag with more than its name,
    and the start tags `start_tag` matches after the `<` (its name in group 4). A name never
    runs past a `<`, so no `<` is read twice."""
    return re.compile(
        r"<(?:(!--)|(?-i:(!\[CDATA\[))|([!?]|/[a-zA-Z][^\s/<>]*[\s/])|(%s))" % start_tag, re.I
    )


_NAME = r"[a-zA-Z][^\t\n\r\f />\x00<]*"
# Only start tags that may hold a URL: with attributes (or `/>`), or raw text elements. `<p>`,
# `</p>` and the like are passed over inside the expression, without a step in Python.
_MARKUP = _markup(r"%s(?=[\s/])|(?:%s)>" % (_NAME, "|".join(sorted(_RAW_TEXT))))
# Every start tag, for `check` (an <img> without attributes lacks its alt text).
_EVERY_TAG = _markup(r"%s(?=[\s/>])" % _NAME)
_COMMENT_END = re.compile(r"--!?>")
_RAW_TEXT_END = {name: re.compile(rf"</{name}[\s/>]", re.I) for name in _RAW_TEXT}
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=/"


@dataclass(frozen=True, slots=True)
class StartTag:
    start: int
    end: int
    name: str
    """In lower case."""
    text_end: int
    """Where a raw text element's text ends (its end tag, or the end); else `end`."""


def start_tags(html: str, every: bool = True) -> Iterator[StartTag]:
    """The start tags of `html` as a browser's tokenizer finds them, in one forward pass (so
    in time proportional to the HTML, whatever it holds): never inside comments, declarations,
    end tags or the text of raw text elements. `every=False`: only those that may hold a URL
    (with attributes, or raw text elements)."""
    pattern = _EVERY_TAG if every else _MARKUP
    position, size = 0, len(html)
    while True:
        found = pattern.search(html, position)
        if found is None:
            return
        start = found.start()
        if found.group(1):  # a comment: `<!-->`, `<!--->`, to `-->` or `--!>`, or to the end
            position = _comment_end(html, start + 4, size)
        elif found.group(2):  # CDATA (inside SVG or MathML), to `]]>`
            position = _after(html, "]]>", start + 9, size)
        elif found.group(3):  # a declaration, processing instruction or end tag, to `>`
            position = _after(html, ">", start + 2, size)
        else:
            end, whole = _start_tag_end(html, start)
            position = end
            if not whole:  # as in browsers, a tag left open takes what it ran over
                continue
            name = found.group(4).rstrip(">").lower()
            if name in _RAW_TEXT:
                close = _RAW_TEXT_END[name].search(html, end)
                position = close.start() if close else size
            yield StartTag(start, end, name, position)


def tag_attributes(tag: str) -> dict[str, str]:
    """A start tag's attributes as html.parser gives them: names in lower case, values
    without their quotes and with character references resolved; the first of a name wins."""
    name = _TAG_NAME.match(tag, 1)
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(tag, name.end() if name else len(tag)):
        value = match.group(3) or ""
        if value[:1] in "'\"" and value[:1] == value[-1:] and len(value) > 1:
            value = value[1:-1]
        found.setdefault(match.group(1).lower(), unescape(value) if "&" in value else value)
    return found


def _url_edits(html: str, transform: UrlTransform) -> Iterator[Edit]:
    for tag in start_tags(html, every=False):
        if _MAY_HOLD_URL.search(html, tag.start, tag.end):
            text = html[tag.start : tag.end]
            rewritten = _rewrite_tag_text(text, transform)
            if rewritten != text:
                yield tag.start, tag.end, rewritten
        if tag.name == "style" and tag.text_end > tag.end:
            css = html[tag.end : tag.text_end]
            rewritten = rewrite_css(css, transform)
            if rewritten != css:
                yield tag.end, tag.text_end, rewritten


def _comment_end(html: str, inside: int, size: int) -> int:
    """Where a comment whose text starts at `inside` ends, as HTML's tokenizer ends it."""
    for empty in (">", "->"):
        if html.startswith(empty, inside):
            return inside + len(empty)
    found = _COMMENT_END.search(html, inside)
    return found.end() if found else size


def _after(html: str, marker: str, start: int, size: int) -> int:
    found = html.find(marker, start)
    return size if found < 0 else found + len(marker)


def _start_tag_end(html: str, start: int) -> tuple[int, bool]:
    """Where the start tag at `start` ends, and whether it is whole as html.parser judges it
    (not where it runs out, or stops where an attribute would go on). A tag that is not whole
    still ends where it was read to, so that nothing is read twice."""
    match = _START_TAG.match(html, start)
    end = match.end() if match else start + 1
    following = html[end : end + 1]
    if following == ">":
        return end + 1, True
    if html.startswith("/>", end):
        return end + 2, True
    whole = following not in _LETTERS and following != "" and end > start + 1
    return max(end, start + 1), whole


def _rewrite_tag_text(tag: str, transform: UrlTransform) -> str:
    """A start tag with its URL-holding attribute values transformed, found with the same
    attribute pattern html.parser uses."""
    name = _TAG_NAME.match(tag, 1)
    if name is None:
        return tag
    edits: list[Edit] = []
    for match in _ATTRIBUTE.finditer(tag, name.end()):
        attribute, raw = match.group(1).lower(), match.group(3)
        if not raw:
            continue
        start, end = match.span(3)
        if raw[0] in "'\"":
            start, end, raw = start + 1, end - 1, raw[1:-1]
        rewritten = _rewrite_value(attribute, raw, transform)
        if rewritten != raw:  # what was put in cannot end the attribute or the tag
            edits.append((start, end, _ATTRIBUTE_UNSAFE.sub(_escaped, rewritten)))
    return _apply(tag, edits)


_ATTRIBUTE_UNSAFE = re.compile("[\"'<>]")


def _escaped(match: re.Match[str]) -> str:
    return f"&#{ord(match.group(0))};"


def _rewrite_value(attribute: str, value: str, transform: UrlTransform) -> str:
    if attribute in URL_ATTRIBUTES:
        stripped = value.strip()
        return value.replace(stripped, transform(stripped), 1) if stripped else value
    if attribute in SRCSET_ATTRIBUTES:
        return rewrite_srcset(value, transform)
    if attribute == "style":
        return rewrite_css(value, transform)
    return value


def srcset_urls(srcset: str) -> list[str]:
    """The URL of each candidate of a `srcset`."""
    found: list[str] = []

    def collect(url: str) -> str:
        found.append(url)
        return url

    rewrite_srcset(srcset, collect)
    return found


def rewrite_srcset(srcset: str, transform: UrlTransform) -> str:
    """Each candidate's URL transformed in place, split the way browsers split `srcset`:
    a URL runs to the next whitespace (so it may contain commas, as data: URLs do)."""
    edits: list[Edit] = []
    position, size = 0, len(srcset)
    while position < size:
        while position < size and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < size and not srcset[position].isspace():
            position += 1
        url = srcset[start:position].rstrip(",")
        if url and transform(url) != url:
            edits.append((start, start + len(url), transform(url)))
        if srcset[start:position].endswith(","):
            continue  # a candidate without descriptors
        depth = 0  # descriptors run to the next comma outside parentheses
        while position < size:
            char = srcset[position]
            if char == "," and depth == 0:
                break
            if char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
            position += 1
    return _apply(srcset, edits)


def rewrite_css(css: str, transform: UrlTransform) -> str:
    """The URLs of a stylesheet (`url(...)`, `@import "..."`, `image-set("..." 1x)`) passed
    through `transform`, found with tinycss2; everything else keeps its bytes."""
    if "url(" not in css.lower() and "@import" not in css and "image-set" not in css:
        return css
    tokens = tinycss2.parse_component_value_list(css, skip_comments=True)
    starts = _line_starts(css)
    edits: list[Edit] = []
    _css_edits(tokens, css, starts, transform, edits, in_url_list=False)
    return _apply(css, edits)


def _css_edits(
    tokens: list[object],
    css: str,
    starts: list[int],
    transform: UrlTransform,
    edits: list[Edit],
    in_url_list: bool,
) -> None:
    after_import = False
    for token in tokens:
        kind = getattr(token, "type", "")
        offset = starts[token.source_line - 1] + token.source_column - 1  # type: ignore[attr-defined]
        if kind == "url":
            inner_start = offset + 4  # after `url(`
            inner_end = css.find(")", inner_start)
            if inner_end < 0:  # `url(` left open: CSS reads it to the end
                inner_end = len(css)
            _replace_raw(css, inner_start, inner_end, token.value, transform, edits)  # type: ignore[attr-defined]
        elif kind == "string" and (in_url_list or after_import):
            end = _string_end(css, offset)
            _replace_raw(css, offset + 1, end - 1, token.value, transform, edits)  # type: ignore[attr-defined]
        if kind == "function":
            name = token.lower_name  # type: ignore[attr-defined]
            urls_inside = name == "url" or name.endswith("image-set")
            _css_edits(token.arguments, css, starts, transform, edits, urls_inside)  # type: ignore[attr-defined]
        elif isinstance(getattr(token, "content", None), list):
            _css_edits(token.content, css, starts, transform, edits, False)  # type: ignore[attr-defined]
        if kind != "whitespace":
            after_import = kind == "at-keyword" and token.lower_value == "import"  # type: ignore[attr-defined]


def _replace_raw(
    css: str, start: int, end: int, value: str, transform: UrlTransform, edits: list[Edit]
) -> None:
    raw = css[start:end]
    stripped = raw.strip()
    new = transform(value)
    # Only a URL written without CSS escapes is replaced in place; escaped ones stay as written.
    if new != value and stripped == value:
        lead = len(raw) - len(raw.lstrip())
        edits.append((start + lead, start + lead + len(stripped), new))


def _string_end(css: str, start: int) -> int:
    quote, position = css[start], start + 1
    while position < len(css) and css[position] != quote:
        position += 2 if css[position] == "\\" else 1
    return position + 1


def _apply(text: str, edits: list[Edit]) -> str:
    pieces, cursor = [], 0
    for start, end, replacement in sorted(edits):
        pieces += [text[cursor:start], replacement]
        cursor = end
    return "".join([*pieces, text[cursor:]])


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position != -1:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts
