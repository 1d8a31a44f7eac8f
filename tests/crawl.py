"""A link checker for built sites: fetch every page from a real server, follow every internal
link, image, stylesheet, script and `url()`, and check every `#fragment` against the ids
of its page."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import tinycss2

URL_ATTRIBUTES = {"href", "src", "poster", "data", "data-src", "action"}


@dataclass
class Crawl:
    fetched: dict[str, int] = field(default_factory=dict)
    """URL → HTTP status."""
    broken: list[str] = field(default_factory=list)
    """`url (status) ← referrer` for every reference that did not load."""
    ids: dict[str, set[str]] = field(default_factory=dict)
    fragments: list[tuple[str, str, str]] = field(default_factory=list)

    def missing_fragments(self) -> list[str]:
        return [
            f"{page}#{fragment} ← {referrer}"
            for page, fragment, referrer in self.fragments
            if page in self.ids and fragment not in self.ids[page]
        ]


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.inline_css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif name in URL_ATTRIBUTES:
                self.urls.append(value)
            elif name == "srcset":
                self.urls += srcset_urls(value)
            elif name == "style":
                self.inline_css.append(value)
            elif name == "content" and ("url=" in value):
                self.urls.append(value.split("url=", 1)[1])

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.inline_css.append(data)


def srcset_urls(srcset: str) -> list[str]:
    """URLs of a srcset: the first word of each comma-separated candidate (a URL may itself
    hold commas, as data: URLs do, so words are split on whitespace first)."""
    urls: list[str] = []
    expect_url = True
    for word in srcset.split():
        if expect_url:
            urls.append(word.rstrip(","))
            expect_url = word.endswith(",")
        elif "," in word:  # a descriptor glued to the next URL: `1x,b.png`
            rest = word.split(",", 1)[1]
            if rest:
                urls.append(rest.rstrip(","))
            expect_url = not rest or word.endswith(",")
    return urls


def css_urls(css: str) -> list[str]:
    found: list[str] = []

    def walk(tokens: list[object]) -> None:
        after_import = False
        for token in tokens:
            kind = getattr(token, "type", "")
            if kind == "string" and after_import:
                found.append(token.value)  # type: ignore[attr-defined]
            if kind != "whitespace":
                after_import = kind == "at-keyword" and token.lower_value == "import"  # type: ignore[attr-defined]
            if kind == "url":
                found.append(token.value)  # type: ignore[attr-defined]
            elif kind == "function" and token.lower_name.endswith(("url", "image-set")):  # type: ignore[attr-defined]
                found.extend(a.value for a in token.arguments if a.type == "string")  # type: ignore[attr-defined]
            for child in ("content", "arguments"):
                if isinstance(getattr(token, child, None), list):
                    walk(getattr(token, child))

    walk(tinycss2.parse_component_value_list(css))
    return found


def crawl(origin: str, starts: list[str], public_base_url: str) -> Crawl:
    """Crawl from each of `starts` (paths on `origin`). Absolute links to `public_base_url`
    (canonical links, feeds, the sitemap) are checked on the local server too."""
    result = Crawl()
    queue: deque[tuple[str, str]] = deque((origin + start, "(start)") for start in starts)
    seen = {origin + start for start in starts}
    while queue:
        url, referrer = queue.popleft()
        status, kind, body = _fetch(url)
        result.fetched[url] = status
        if status != 200:
            result.broken.append(f"{url} ({status}) ← {referrer}")
            continue
        for reference in _references(kind, body):
            target, fragment = _internal(url, reference, origin, public_base_url)
            if target is None:
                continue
            if fragment:
                result.fragments.append((target, fragment, url))
            if target not in seen:
                seen.add(target)
                queue.append((target, url))
        if kind == "text/html":
            parser = _References()
            parser.feed(body.decode("utf-8"))
            result.ids[url] = parser.ids
    return result


def _references(kind: str, body: bytes) -> list[str]:
    if kind == "text/html":
        parser = _References()
        parser.feed(body.decode("utf-8"))
        return parser.urls + [u for css in parser.inline_css for u in css_urls(css)]
    if kind == "text/css":
        return css_urls(body.decode("utf-8"))
    if kind in ("application/xml", "text/xml", "application/atom+xml"):
        text = body.decode("utf-8")
        locations = [part.split("</loc>")[0] for part in text.split("<loc>")[1:]]
        links = [part.split('"')[0] for part in text.split(' href="')[1:]]
        return locations + links
    if kind == "text/plain":  # robots.txt: its Sitemap line
        return [
            line.split(":", 1)[1].strip()
            for line in body.decode().splitlines()
            if line.lower().startswith("sitemap:")
        ]
    return []


def _internal(
    page: str, reference: str, origin: str, public_base_url: str
) -> tuple[str | None, str]:
    absolute = urljoin(page, reference.strip())
    if absolute.startswith(public_base_url):
        public_path = urlsplit(public_base_url).path
        absolute = origin + public_path + absolute[len(public_base_url) :]
    if not absolute.startswith(origin + "/"):
        return None, ""
    target, fragment = urldefrag(absolute)
    return target, fragment


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            kind = response.headers.get_content_type()
            return response.status, kind, response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""
