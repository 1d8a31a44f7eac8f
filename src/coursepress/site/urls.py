"""URLs built in one place: every page's URL (its `url`, else its permalink), the URLs of
lists, terms, pagers, feeds and aliases, output paths, and base-path-aware links."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from coursepress.errors import ContentError
from coursepress.source.discover import SourceKind

if TYPE_CHECKING:  # records only read here; their modules import this one
    from coursepress.config import Config
    from coursepress.site.pages import Page
    from coursepress.source.frontmatter import Document

PERMALINK_TOKENS = (
    ":section", ":sections", ":slug", ":title", ":filename", ":contentbasename",
    ":slugorfilename", ":slugorcontentbasename", ":year", ":month", ":day",
)  # fmt: skip
DEFAULT_PATTERN = "/:sections/:slugorcontentbasename/"
"""Hugo's: the page's folders under content/, then its slug, else its file (or bundle) name."""
_TOKEN = re.compile(r":[a-z]+")


def unknown_permalink_tokens(pattern: str) -> list[str]:
    return [token for token in _TOKEN.findall(pattern) if token not in PERMALINK_TOKENS]


@lru_cache(maxsize=8192)  # tags and authors are urlized on every page that lists them
def urlize(text: str) -> str:
    """A URL path segment made the way Hugo 0.168 makes one (checked against Hugo itself in
    tests/test_hugo_differential.py): `%XX` escapes decoded; letters of any script, digits
    and `. _ ~ @ -` kept; a run of spaces, `+`, `/` or `\\` made one hyphen; everything else
    dropped; lower case. Unlike Hugo, `#` is dropped too: in a URL it starts a fragment."""
    if _ALREADY_SAFE.fullmatch(text) and text.strip("."):  # file names, mostly: nothing to do
        return text.lower()
    source = unicodedata.normalize("NFC", unquote(text))
    target: list[str] = []
    space_before = was_hyphen = False
    for char in source:
        if _url_safe(char):
            was_hyphen = char == "-"
            if space_before and not was_hyphen:
                target.append("-")
            space_before = False
            target.append(char)
        elif target and not was_hyphen and (char.isspace() or char in "+/\\"):
            space_before = True
    segment = "".join(target).lower()
    return segment if segment.strip(".") else "page"  # `..` must never leave its folder


_ALREADY_SAFE = re.compile(r"[A-Za-z0-9._~@-]+")


def _url_safe(char: str) -> bool:
    return char in "._~-@" or char.isalnum() or unicodedata.category(char).startswith("M")


_NO_FOLDERS = PurePosixPath(".")


def expand_permalink(
    pattern: str,
    *,
    section: str,
    folders: PurePosixPath = _NO_FOLDERS,
    slug: str | None,
    title: str,
    filename: str,
    date: datetime | None,
) -> str:
    """Fill a permalink pattern such as `/:section/:year/:slug/`, with Hugo's tokens; the
    result is a URL path. `:slug` is the front matter slug, else the title (as in Hugo)."""
    # Each token is made only if the pattern has it: urlize is per character, for every page.
    values: dict[str, Callable[[], str]] = {
        ":section": lambda: urlize(section) if section else "",
        ":sections": lambda: "/".join(urlize(part) for part in folders.parts if part != "."),
        ":slug": lambda: urlize(slug or title),
        ":title": lambda: urlize(title),
        ":filename": lambda: urlize(filename),
        ":contentbasename": lambda: urlize(filename),
        ":slugorfilename": lambda: urlize(slug or filename),
        ":slugorcontentbasename": lambda: urlize(slug or filename),
        ":year": lambda: f"{date.year:04d}" if date else "",
        ":month": lambda: f"{date.month:02d}" if date else "",
        ":day": lambda: f"{date.day:02d}" if date else "",
    }

    def expand(token: re.Match[str]) -> str:
        value = values.get(token.group(0))
        return value() if value else token.group(0)

    return clean_url_path(_TOKEN.sub(expand, pattern))


def folder_url(folder: PurePosixPath) -> str:
    """The URL of a content folder (a section): each segment made URL-safe."""
    return clean_url_path("/".join(urlize(part) for part in folder.parts if part != "."))


def clean_url_path(path: str) -> str:
    """`/a//b` → `/a/b/`: one leading slash, no empty segments, a trailing slash for folders.

    A `..` segment is a ValueError: no URL may lead outside the site.
    """
    parts = [part for part in path.split("/") if part and part != "."]
    if ".." in parts:
        raise ValueError(f"URL '{path}' leads outside the site")
    keeps_file = bool(parts) and parts[-1].endswith((".html", ".xml", ".htm"))
    collapsed = "/" + "/".join(parts)
    if keeps_file or collapsed == "/":
        return collapsed
    return collapsed + "/"


def output_path(url_path: str) -> str:
    """The file a URL path is written to, relative to the output folder."""
    relative = clean_url_path(url_path).strip("/")
    if relative.endswith((".html", ".xml", ".htm")):
        return relative
    return f"{relative}/index.html" if relative else "index.html"


def output_url(output: str) -> str:
    """The URL path of an output file: `posts/a/index.html` → `/posts/a/` (output_path's
    inverse)."""
    return "/" + output.removesuffix("index.html")


SCHEDULE_URL = "/schedule/"
CALENDAR_URL = "/calendar.ics"
STAFF_URL = "/staff/"
SEARCH_URL = "/search/"
SITEMAP_URL = "/sitemap.xml"


def taxonomy_url(kind: str) -> str:
    """The list of a taxonomy's terms: `/tags/`, `/authors/`."""
    return f"/{urlize(kind)}/"


def term_url(kind: str, term: str) -> str:
    """A term's page: `/tags/machine-learning/`; spellings that urlize alike share it."""
    return f"/{urlize(kind)}/{urlize(term)}/"


def pager_url(first_url: str, number: int) -> str:
    """Page `number` of a list; page 1 is the list itself (Hugo's `page/1/` redirects to it)."""
    return first_url if number == 1 else f"{first_url}page/{number}/"


def first_pager_url(first_url: str) -> str:
    """Where Hugo writes a redirect from page 1 of a list to the list itself."""
    return f"{first_url}page/1/"


def feed_url(page_url: str, kind: str = "atom") -> str:
    """A list page's feed: Atom at `feed.xml`, RSS at `index.xml` (where Hugo writes it)."""
    return page_url + ("index.xml" if kind == "rss" else "feed.xml")


def alias_url(alias: str, page_url: str) -> str:
    """An alias's URL; a relative alias is read from the page's URL. ValueError if it leaves
    the site."""
    return clean_url_path(urljoin(page_url, alias))


def is_url_path(url: str) -> bool:
    """`/docs/` or `/`: a path under the site's root that cannot climb out of it (no `.`,
    `..` or empty parts, no backslash, which climbs on Windows)."""
    parts = url.strip("/").split("/")
    return (
        url.startswith("/")
        and "\\" not in url
        and (parts == [""] or all(part not in ("", ".", "..") for part in parts))
    )


def relative_to_site(url: str, base_path: str) -> str:
    """A root-relative URL (`/images/x.png`) placed under the base path (`/course/images/x.png`).

    Absolute URLs, protocol-relative URLs, fragments and relative paths are returned as they
    are. Each URL goes through this exactly once: a section may share the base path's name.
    """
    if not url.startswith("/") or url.startswith("//"):
        return url
    return base_path.rstrip("/") + url


def absolute_url(url: str, base_url: str) -> str:
    """A full URL for feeds, sitemaps and canonical links."""
    if urlsplit(url).scheme:
        return url
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""
    return origin + relative_to_site(url if url.startswith("/") else "/" + url, parts.path or "/")


# -- pages: the one place a page's URL is decided ------------------------------------------


def page_url(document: Document, config: Config) -> str:
    """The one place a page's URL is decided: `url`, then the section's permalink pattern."""
    source, meta = document.source, document.meta
    if source.kind is SourceKind.SECTION_INDEX:
        return folder_url(source.target.parent)
    if meta.url:
        return clean_url_path(meta.url)  # checked when the front matter was read
    name = page_name(document)
    page_folder = source.bundle if source.bundle else source.target
    return expand_permalink(
        config.permalinks.get(source.section, DEFAULT_PATTERN),
        section=source.section,
        folders=page_folder.parent,
        slug=meta.slug,
        title=meta.title or name,
        filename=name,
        date=meta.date,
    )


def content_urls(documents: Iterable[Document], config: Config) -> dict[str, str]:
    """Content path (`posts/week1.md`) → URL of every page that publishes, for `ref`."""
    return {str(d.source.target): page_url(d, config) for d in documents}


def alias_output(alias: str, page: Page) -> str:
    """The file an alias redirect is written to; a relative alias is read from the page's URL."""
    try:
        return output_path(alias_url(alias, page.url))
    except ValueError:
        raise ContentError(
            f"the alias '{alias}' leads outside the site",
            path=page.source,
            line=page.line_of("aliases"),
            hint="write aliases as paths from the site root, such as /old/week1/",
        ) from None


def page_name(document: Document) -> str:
    """The name a page is known by on disk: its file, its bundle folder, or its section folder."""
    source = document.source
    if source.kind is SourceKind.SECTION_INDEX:
        return source.target.parent.name or "home"
    return source.bundle.name if source.bundle else source.target.stem
