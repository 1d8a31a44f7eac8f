"""A content file → front matter and Markdown body: TOML in `+++`, YAML in `---`, or none."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import Any

import frontmatter
import tomli
import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from coursepress.errors import ContentError, SiteError, unreadable
from coursepress.site.urls import clean_url_path
from coursepress.source.dates import ACCEPTED_FORMS, MAX_WEEKS, DateFormatError, parse_date
from coursepress.source.discover import SourceFile
from coursepress.source.locate import (
    line_of_key,
    load_yaml,
    nested_too_deep,
    toml_error,
    unusable_values,
)
from coursepress.source.notebook import Notebook, read_notebook


class TomllibHandler(BaseHandler):
    """TOML front matter through tomli (the standard library's tomllib, compiled).

    python-frontmatter's own TOML handler needs the unmaintained `toml` package and,
    without it, leaves the front matter in the body without a word.
    """

    # `[ \t]*` rather than the library's `\s*`, which runs across blank lines after the
    # delimiter and would shift every line number below it.
    FM_BOUNDARY = re.compile(r"^\+{3,}[ \t]*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomli.loads(fm)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        raise NotImplementedError("coursepress only reads front matter")


class YamlHandler(YAMLHandler):
    """YAML front matter between `---` lines, with line numbers kept (see TomllibHandler)."""

    FM_BOUNDARY = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)

    def load(self, fm: str, **kwargs: object) -> Any:
        return load_yaml(fm)


class JsonHandler(BaseHandler):
    """JSON front matter, as Hugo reads it: a page that starts with `{` opens a JSON object,
    and the body starts after the brace that closes it."""

    # An object's first key is quoted: `{{< figure >}}` opening a body is not front matter.
    FM_BOUNDARY = re.compile(r'\{\s*["}]')
    START_DELIMITER = END_DELIMITER = "{"

    def detect(self, text: str) -> bool:
        return self.FM_BOUNDARY.match(text) is not None

    def split(self, text: str) -> tuple[str, str]:
        _, end = json.JSONDecoder().raw_decode(text)  # a JSONDecodeError says where
        return text[:end], text[end:].removeprefix("\r").removeprefix("\n")

    def load(self, fm: str, **kwargs: object) -> Any:
        return json.loads(fm)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        raise NotImplementedError("coursepress only reads front matter")


HANDLERS: tuple[BaseHandler, ...] = (TomllibHandler(), YamlHandler(), JsonHandler())


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The keys coursepress understands, typed; anything else is kept in `params`."""

    title: str | None = None
    date: datetime | None = None
    """The page's date; as in Hugo, `publishDate` or `lastmod` when it has none."""
    lastmod: datetime | None = None
    publishdate: datetime | None = None
    """Not published before this; `date` when not given (Hugo's `publishDate`)."""
    expirydate: datetime | None = None
    draft: bool = False
    slug: str | None = None
    url: str | None = None
    """A URL path that replaces the permalink pattern, e.g. `/syllabus/`."""
    summary: str | None = None
    description: str | None = None
    linktitle: str | None = None
    """A shorter title for menus and navigation (Hugo's `linkTitle`)."""
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    weight: int = 0
    aliases: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Every other key, for templates (`page.params.week`)."""


@dataclass(frozen=True, slots=True)
class Document:
    """A content file split into typed front matter and its Markdown body."""

    source: SourceFile
    meta: FrontMatter
    body: str
    body_line: int
    """The file's line number of the body's first line, to place Markdown warnings."""
    key_lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """The line of each front matter key (lower case), for messages about its value."""
    notebook: Notebook | None = None
    """A notebook's code cells and attachments; its body is its Markdown cells, each on its
    lines of the file, with a placeholder for each code cell."""

    def line_of(self, key: str) -> int:
        """Where `key` is set, else line 1: a message about a page always has a line."""
        return self.key_lines.get(key, 1)


_TEXT_KEYS = ("title", "slug", "url", "summary", "description", "linktitle")
_LIST_KEYS = ("tags", "categories", "authors", "aliases")
_DATE_KEYS = ("date", "lastmod", "publishdate", "expirydate")
_SCHEDULE_KEYS = ("week", "lecture")
THEME_KEYS = ("toc", "menu")
"""Keys the default theme reads from `page.params`."""
KNOWN_KEYS = (
    *_TEXT_KEYS, *_LIST_KEYS, *_DATE_KEYS, *_SCHEDULE_KEYS, *THEME_KEYS,
    "draft", "weight", "author", "params", "bibliography",
)  # fmt: skip
"""Every front matter key with a meaning; others are kept as params."""


def read_documents(
    sources: Iterable[SourceFile], zone: tzinfo
) -> tuple[list[Document], list[SiteError]]:
    """Every page's front matter, and the errors of those that cannot be read: all broken
    files are reported together, not one per run."""
    documents: list[Document] = []
    errors: list[SiteError] = []
    for source in sources:
        try:
            documents.append(read_document(source, zone))
        except SiteError as error:
            errors.append(error)
    return documents, errors


def file_stamp(source: SourceFile, zone: tzinfo) -> object:
    """What says a file is as it was when read: its size, modification time and inode (and
    the zone its dates were read in)."""
    try:
        status = source.path.stat()
    except OSError:
        return None  # read_document reports it
    return (status.st_size, status.st_mtime_ns, status.st_ino, zone)


class Stamps:
    """The stamp of each page's file as it was before it was read, to tell afterwards which
    changed while the site was built from them."""

    def __init__(self, sources: Iterable[SourceFile], zone: tzinfo) -> None:
        self.zone = zone
        self.stamps = {source: file_stamp(source, zone) for source in sources}

    def changed(self) -> list[SourceFile]:
        return [s for s, stamp in self.stamps.items() if file_stamp(s, self.zone) != stamp]


def read_document(source: SourceFile, zone: tzinfo) -> Document:
    text = decode(source)
    if source.is_notebook:
        read = read_notebook(source, text)
        meta = _typed(read.front_matter, read.key_lines, source, zone)
        return Document(source, meta, read.body, 1, read.key_lines, read.notebook)
    raw, body, body_line, fm_text = split_front_matter(text, source)
    key_lines = KeyLines(raw, fm_text)
    meta = _typed(raw, key_lines, source, zone)
    return Document(source, meta, body, body_line, key_lines)


class KeyLines(Mapping[str, int]):
    """The line of each front matter key (lower case), found when first asked for: only a
    message about a value needs one, and most builds have none."""

    def __init__(self, raw: Mapping[str, Any], fm_text: str) -> None:
        self._keys = [(str(key), isinstance(value, dict)) for key, value in raw.items()]
        self._fm_text = fm_text
        self._lines: dict[str, int] | None = None

    def _found(self) -> dict[str, int]:
        if self._lines is None:
            # fm_text starts with the newline ending the opening delimiter: its lines are the
            # file's lines.
            lines = {
                key.lower(): line_of_key(self._fm_text, key, table=table)
                for key, table in self._keys
            }
            self._lines = {key: line for key, line in lines.items() if line is not None}
        return self._lines

    def __getitem__(self, key: str) -> int:
        return self._found()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


def decode(source: SourceFile) -> str:
    """UTF-8 text with `\\n` line ends; binary or non-UTF-8 bytes are an error at their line."""
    try:
        data = source.path.read_bytes()
    except OSError as error:
        raise unreadable(source.rel, error, leave="content/") from None
    if b"\0" in data:
        raise ContentError(
            "this is a binary file, not Markdown text",
            path=source.rel,
            line=1,
            hint="give it its real extension (.pdf, .png, ...); only .md files are read as pages",
            code="encoding",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        raise ContentError(
            f"not valid UTF-8: byte 0x{data[error.start]:02x} at column "
            f"{error.start - line_start + 1}",
            path=source.rel,
            line=data.count(b"\n", 0, error.start) + 1,
            hint="save the file as UTF-8 in your editor (it looks like Windows-1252 or Latin-1)",
            code="encoding",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def split_front_matter(text: str, source: SourceFile) -> tuple[dict[str, Any], str, int, str]:
    """(raw front matter, body, line where the body starts, front matter text)."""
    handler = frontmatter.detect_format(text, HANDLERS)
    if handler is None:
        return {}, text, 1, ""
    delimiter = handler.START_DELIMITER or ""
    try:
        fm_text, body = handler.split(text)
    except json.JSONDecodeError as error:
        raise ContentError(
            f"invalid JSON front matter: {error.msg}",
            path=source.rel,
            line=error.lineno,
            hint="check the commas and quotes; JSON front matter looks like "
            '{ "title": "Week 1" } before the text',
        ) from None
    except RecursionError:
        raise nested_too_deep(text, source.rel, ContentError) from None
    except ValueError:
        raise ContentError(
            f"the front matter opened with `{delimiter}` is never closed",
            path=source.rel,
            line=1,
            hint=f"add a line with only `{delimiter}` after the last front matter line",
        ) from None
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    raw = _load(handler, fm_text, source)
    if raw is None:  # YAML front matter that is empty or only comments
        raw = {}
    if not isinstance(raw, dict):
        example = {"---": "key: value", "{": '"key": value'}.get(delimiter, "key = value")
        raise ContentError(
            f"front matter must be a set of `{example}` lines",
            path=source.rel,
            line=2,
            hint="see the front matter reference in the README",
        )
    return raw, body, body_line, fm_text


def _load(handler: BaseHandler, fm_text: str, source: SourceFile) -> Any:
    # fm_text starts with the newline ending the `+++` line, so parser lines are file lines.
    try:
        values = handler.load(fm_text)
    except tomli.TOMLDecodeError as error:
        raise toml_error(error, fm_text, source.rel) from None
    except RecursionError:
        raise nested_too_deep(fm_text, source.rel, ContentError) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or "cannot be read"
        raise ContentError(
            f"invalid YAML: {problem}",
            path=source.rel,
            line=mark.line + 1 if mark is not None else 2,
            hint="check the indentation and quotes; YAML looks like `key: value`",
        ) from None
    except ValueError as error:  # PyYAML builds dates itself: `date: 2023-02-30` fails here
        raise ContentError(
            f"invalid YAML: {error}",
            path=source.rel,
            line=2,
            hint="check the dates in the front matter",
        ) from None
    broken = unusable_values(values, fm_text, source.rel, ContentError)
    if broken is not None:
        raise broken
    return values


def _typed(
    raw: dict[str, Any], key_lines: Mapping[str, int], source: SourceFile, zone: tzinfo
) -> FrontMatter:
    values: dict[str, Any] = {}
    params: dict[str, Any] = {}
    for original_key, value in raw.items():
        try:
            _take(str(original_key), value, values, params, source, zone)
        except ContentError as error:
            # The key's line is looked up only for a message: finding lines costs more than
            # reading the values.
            raise error.on_line(key_lines.get(str(original_key).lower())) from None
    # Hugo's fallbacks: a page without `date` is dated by `publishDate`, then `lastmod`; one
    # without `publishDate` publishes from its `date`.
    values.setdefault("date", values.get("publishdate") or values.get("lastmod"))
    values.setdefault("publishdate", values["date"])
    return FrontMatter(**values, params=MappingProxyType(params))


def _take(
    original_key: str,
    value: object,
    values: dict[str, Any],
    params: dict[str, Any],
    source: SourceFile,
    zone: tzinfo,
) -> None:
    """One front matter key into `values` (the keys coursepress knows) or `params`."""
    key = original_key.lower()
    if key == "author":
        key = "authors"
    if key in _DATE_KEYS:
        values[key] = _date(value, zone, source)
    elif key == "url":
        values[key] = _url(_expect(value, str, "text", original_key, source), "url", source)
    elif key == "aliases":
        aliases = _text_list(value, original_key, source)
        values[key] = tuple(_url(alias, "aliases", source) for alias in aliases)
    elif key in _TEXT_KEYS:
        values[key] = _expect(value, str, "text", original_key, source)
    elif key in _LIST_KEYS:
        values[key] = _text_list(value, original_key, source)
    elif key == "draft":
        values[key] = _expect(value, bool, "true or false", original_key, source)
    elif key == "weight":
        values[key] = _expect(value, int, "a whole number", original_key, source)
    elif key in _SCHEDULE_KEYS:  # whole numbers from 1; a week of a term
        most = MAX_WEEKS if key == "week" else None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < 1
            or (most is not None and value > most)
        ):
            limits = f"from 1 to {most}" if most is not None else "from 1"
            raise ContentError(
                f"'{original_key}' must be a whole number {limits}, not {value!r}",
                path=source.rel,
                hint=f"for example: {key} = 3 (a post's day is its `date`)",
            )
        params[key] = value
    elif key == "params" and isinstance(value, dict):
        # A `[params]` table holds page params, as Hugo reads it; top-level keys win.
        params.update({k: v for k, v in value.items() if k not in params})
    else:
        params[original_key] = value


def _url(url: str, key: str, source: SourceFile) -> str:
    """A URL path as written in `url` or `aliases`: it stays inside the site, and holds no
    character that could end an HTML attribute or make a browser read it as another host
    (`/\\evil.example/` is `//evil.example/` to a browser)."""
    bad = next((char for char in url if _unsafe_in_url(char)), None)
    if bad is not None:
        raise ContentError(
            f"the {_singular(key)} '{_shown(url)}' holds {_named(bad)}, "
            "which a URL path cannot hold",
            path=source.rel,
            hint=f"write `{key}` as a path from the site root with letters, digits, `-`, `_` "
            "and `/`, such as /syllabus/",
        )
    try:
        clean_url_path(url)
    except ValueError:
        raise ContentError(
            f"the {_singular(key)} '{url}' leads outside the site",
            path=source.rel,
            hint=f"write `{key}` as a path from the site root, such as /syllabus/",
        ) from None
    return url


def _unsafe_in_url(char: str) -> bool:
    return char in "\"'<>\\`" or char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def _named(char: str) -> str:
    names = {" ": "a space", "\t": "a tab", "\\": "a backslash", '"': "a quote", "'": "a quote"}
    shown = f"the character {char}" if char.isprintable() else f"the character U+{ord(char):04X}"
    return names.get(char, shown)


def _shown(text: str) -> str:
    """Text for a message, its invisible characters spelled out."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _singular(key: str) -> str:
    return "alias" if key == "aliases" else key


def _date(value: object, zone: tzinfo, source: SourceFile) -> datetime:
    try:
        return parse_date(value, zone)
    except DateFormatError as error:
        raise ContentError(
            str(error),
            path=source.rel,
            hint=f"write it like one of: {ACCEPTED_FORMS}",
            code="ambiguous-date" if "ambiguous" in str(error) else "bad-date",
        ) from None


def _expect(value: object, kind: type, described: str, key: str, source: SourceFile) -> Any:
    # bool is a subclass of int in Python; a weight of `true` is still a mistake.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ContentError(
            f"'{key}' must be {described}, not {value!r}",
            path=source.rel,
            hint=_example(key, kind),
        )
    return value


def _text_list(value: object, key: str, source: SourceFile) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ContentError(
        f"'{key}' must be a list of text, not {value!r}",
        path=source.rel,
        hint=f'for example: {key} = ["first", "second"]',
    )


def _example(key: str, kind: type) -> str:
    values = {str: '"..."', bool: "true", int: "3"}
    return f"for example: {key} = {values.get(kind, '...')}"
