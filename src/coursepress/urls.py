"""URLs built in one place: permalinks, output paths, and base-path-aware links."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import urlsplit

PERMALINK_TOKENS = (":section", ":slug", ":title", ":filename", ":year", ":month", ":day")
DEFAULT_PATTERN = "/:section/:slug/"
_TOKEN = re.compile(r":[a-z]+")


def unknown_permalink_tokens(pattern: str) -> list[str]:
    return [token for token in _TOKEN.findall(pattern) if token not in PERMALINK_TOKENS]


@lru_cache(maxsize=8192)  # tags and authors are urlized on every page that lists them
def urlize(text: str) -> str:
    """A URL-safe path segment the way Hugo makes one: lower case, spaces to hyphens.

    Letters of any script are kept (browsers show them as typed); punctuation that has
    a meaning in URLs is dropped.
    """
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"[^\w.\-~+]", "", text)
    return re.sub(r"-{2,}", "-", text).strip("-.") or "page"


def expand_permalink(
    pattern: str,
    *,
    section: str,
    slug: str,
    title: str,
    filename: str,
    date: datetime | None,
) -> str:
    """Fill a permalink pattern such as `/:section/:year/:slug/`; the result is a URL path."""
    values = {
        ":section": urlize(section) if section else "",
        ":slug": slug,
        ":title": urlize(title),
        ":filename": urlize(filename),
        ":year": f"{date.year:04d}" if date else "",
        ":month": f"{date.month:02d}" if date else "",
        ":day": f"{date.day:02d}" if date else "",
    }
    return clean_url_path(_TOKEN.sub(lambda m: values.get(m.group(0), m.group(0)), pattern))


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
