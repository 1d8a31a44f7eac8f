"""site.toml → Config: a typed, validated schema with its defaults in one place."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli

from coursepress.errors import ConfigError, shown_path
from coursepress.hugo.config import HugoSettings, read_hugo_settings
from coursepress.site.course import (
    Author,
    Break,
    CheckSettings,
    MenuEntry,
    read_authors,
    read_breaks,
    read_check,
    read_menus,
    read_positive,
    read_term_start,
)
from coursepress.site.urls import PERMALINK_TOKENS, is_url_path, unknown_permalink_tokens
from coursepress.source.dates import MAX_WEEKS
from coursepress.source.locate import (
    line_of_key,
    nested_too_deep,
    read_config_text,
    toml_error,
    unusable_values,
)

CONFIG_FILE = "site.toml"


@dataclass(frozen=True, slots=True)
class Where:
    """Where a setting is written, for its messages: its line, and the file's text (to find
    the lines of keys in its tables); both unknown for values from a Hugo config."""

    line: int | None = None
    text: str = ""

    def line_of(self, key: str) -> int | None:
        """A key of this setting's table, else the setting's own line (an inline table)."""
        found = line_of_key(self.text, key) if self.text else None
        return found or self.line

    def author_line(self, author: str) -> int | None:
        """The line of the author's own table, `[authors.ana]`."""
        if not self.text:
            return None
        return line_of_key(self.text, f"authors.{author}", table=True, exact=True)


Reader = Callable[[str, Any, Where], Any]
"""A setting's reader: (key, value as written, where) → the typed value, or a ConfigError
whose message starts with `Config value '<key>'`."""


def setting(default: Any, reader: Reader) -> Any:
    """A field of Config: its default, and the reader that checks and types what is written."""
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: _frozen(default), metadata={"read": reader})
    return field(default=default, metadata={"read": reader})


def _frozen(value: Any) -> Any:
    return MappingProxyType(dict(value)) if isinstance(value, dict) else tuple(value)


FEED_FORMATS = ("atom", "rss")


def feed_formats(key: str, value: Any, where: Where) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or any(item not in FEED_FORMATS for item in value):
        raise ConfigError(
            f'Config value \'{key}\': expected a list of feed formats, "atom" or "rss"',
            line=where.line,
            hint='for example feeds = ["atom", "rss"]',
        )
    return tuple(dict.fromkeys(value))


def text(key: str, value: Any, where: Where) -> str:
    if not isinstance(value, str):
        raise ConfigError(
            f"Config value '{key}': expected text, got {_type_name(value)}",
            line=where.line,
            hint=f'put it in double quotes: {key} = "..."',
        )
    return value


def table(key: str, value: Any, where: Where) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(
            f"Config value '{key}': expected a table, got {_type_name(value)}",
            line=where.line,
            hint=f"write it as a table: [{key}]",
        )
    return MappingProxyType(dict(value))


def boolean(key: str, value: Any, where: Where) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(
            f"Config value '{key}': expected true or false, got {_type_name(value)}",
            line=where.line,
            hint=f"write {key} = true",
        )
    return value


def whole_number(minimum: int, maximum: int | None = None) -> Reader:
    return lambda key, value, where: read_positive(key, value, where.line, minimum, maximum)


def web_address(key: str, value: Any, where: Where) -> str:
    _check_base_url(text(key, value, where), where.line)
    return str(value)


def time_zone(key: str, value: Any, where: Where) -> str:
    _check_timezone(text(key, value, where), where.line)
    return str(value)


def domain(key: str, value: Any, where: Where) -> str:
    name = text(key, value, where)
    if "/" in name or ":" in name:
        raise ConfigError(
            f"Config value 'cname': '{name}' is not a domain name",
            line=where.line,
            hint='write the domain only, such as cname = "course.example.edu"',
        )
    return name


def permalinks(key: str, value: Any, where: Where) -> Mapping[str, str]:
    patterns = table(key, value, where)
    _check_permalinks(patterns, where)
    return patterns


def taxonomies(key: str, value: Any, where: Where) -> Mapping[str, str]:
    names = table(key, value, where)
    _check_taxonomies(names, where)
    return names


SOURCE_ONLY = ("content", "templates", "data")
"""Folders whose files are sources, never published as they are (a draft's Markdown)."""


def folder_in_site(key: str, value: Any, where: Where) -> str:
    """A folder of the site, relative to it, that may be published as it is."""
    name = text(key, value, where).strip().rstrip("/")
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts or "\\" in name:
        problem = "a folder inside the site folder, written relative to it"
    elif any(part.startswith(".") for part in parts):
        problem = "a folder that is not hidden (its name does not start with '.')"
    # In any letter case, and with Windows' trailing dots and spaces: `Content` is content/
    # on macOS and Windows.
    elif parts[0].lower().rstrip(". ") in SOURCE_ONLY:
        problem = f"a folder outside {parts[0]}/, whose files are sources and not published"
    else:
        return name
    raise ConfigError(
        f"Config value '{key}': '{value}' is not {problem}",
        line=where.line,
        hint='name a folder such as "static" or "docs"',
    )


def folder_list(key: str, value: Any, where: Where) -> tuple[str, ...]:
    folders = [value] if isinstance(value, str) else value
    if not isinstance(folders, list):
        raise ConfigError(
            f"Config value '{key}': expected a list of folders, got {_type_name(value)}",
            line=where.line,
            hint=f'for example {key} = ["static", "images"]',
        )
    return tuple(dict.fromkeys(folder_in_site(key, folder, where) for folder in folders))


def published_folders(key: str, value: Any, where: Where) -> Mapping[str, str]:
    """Folder → the URL path its files are published under."""
    found = {}
    for folder, url in table(key, value, where).items():
        at = Where(where.line_of(folder), where.text)
        if not isinstance(url, str) or not is_url_path(url):
            raise ConfigError(
                f"Config value '{key}.{folder}': expected a URL path starting with /, got {url!r}",
                line=at.line,
                hint=f'for example {folder} = "/{folder}/" (no "." or ".." parts)',
            )
        found[folder_in_site(f"{key}.{folder}", folder, at)] = "/" + url.strip("/")
    return MappingProxyType(found)


def file_list(key: str, value: Any, where: Where) -> tuple[str, ...]:
    files = [value] if isinstance(value, str) else value
    if not isinstance(files, list) or not all(isinstance(f, str) and f.strip() for f in files):
        raise ConfigError(
            f"Config value '{key}': expected a file name or a list of them, got "
            f"{_type_name(value)}",
            line=where.line,
            hint=f'for example {key} = "references.bib"',
        )
    return tuple(dict.fromkeys(files))


def citation_style(key: str, value: Any, where: Where) -> str:
    """A style of the CSL styles repository by name (`apa`), or a `.csl` file of the site
    (read with the bibliography)."""
    name = text(key, value, where).strip()
    if not name or name.lower().endswith(".csl"):
        return name
    from coursepress.source.bibliography import style_names

    known = style_names()
    if name in known:
        return name
    nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    raise ConfigError(
        f"Config value '{key}': there is no citation style named '{name}'",
        line=where.line,
        hint=(f"did you mean '{nearest[0]}'? " if nearest else "")
        + "Names are those of the CSL styles repository (apa, ieee, chicago-author-date, "
        "nature, ...), or give a .csl file of the site",
    )


def math_settings(key: str, value: Any, where: Where) -> Mapping[str, str]:
    """`[math.macros]`: name → TeX, as KaTeX's `macros` (`R = "\\mathbb{R}"` makes `\\R`)."""
    settings = table(key, value, where)
    if set(settings) - {"macros"}:
        raise ConfigError(
            f"Config value '{key}': expected only a [math.macros] table",
            line=where.line,
            hint='[math.macros]\nR = "\\\\mathbb{R}"',
        )
    macros = {}
    for name, tex in table(f"{key}.macros", settings.get("macros", {}), where).items():
        at = where.line_of(name)
        if not isinstance(tex, str) or not re.fullmatch(r"\\?[A-Za-z]+", name):
            raise ConfigError(
                f"Config value '{key}.macros.{name}': expected a command name of letters and "
                "its TeX as text",
                line=at,
                hint='for example R = "\\\\mathbb{R}" (TOML doubles each backslash)',
            )
        macros["\\" + name.removeprefix("\\")] = tex
    return MappingProxyType(macros)


@dataclass(frozen=True, slots=True)
class Config:
    """The site's settings, validated: each field has the default a new site gets and the
    reader that checks what site.toml (or a Hugo config) says."""

    title: str = setting("My Course", text)
    """Site title, shown in the header and the browser tab."""
    base_url: str = setting("/", web_address)
    """Where the site is published, e.g. `https://org.github.io/course/`; always ends with `/`."""
    description: str = setting("", text)
    """One-line description of the course, for the home page and search engines."""
    language: str = setting("en", text)
    """BCP 47 language tag for `<html lang>`."""
    timezone: str = setting("UTC", time_zone)
    """IANA zone name; dates without a zone are read in it, and 'future' is judged in it."""
    author: str = setting("", text)
    """Default author for pages that name none."""
    cname: str = setting("", domain)
    """A custom domain for GitHub Pages (`course.example.edu`), written to `CNAME`."""
    permalinks: Mapping[str, str] = setting({}, permalinks)
    """Per-section URL patterns, e.g. `posts = "/:year/:month/:slug/"`."""
    params: Mapping[str, Any] = setting({}, table)
    """Free values for templates, reachable as `config.params`."""
    taxonomies: Mapping[str, str] = setting({"tag": "tags", "category": "categories"}, taxonomies)
    """Singular → plural: the front matter key of each taxonomy (as Hugo's `[taxonomies]`)."""
    paginate: int = setting(10, whole_number(1))
    """Posts per list page; further pages are at `/<section>/page/N/`."""
    feed_limit: int = setting(20, whole_number(0))
    """Newest posts in each feed (0: all of them)."""
    feeds: tuple[str, ...] = setting(("atom",), feed_formats)
    """Feed formats for the site, each section and each tag: Atom at `feed.xml`, RSS at
    `index.xml` (Hugo's; a site read from a Hugo config has both, so subscribers keep it)."""
    safe_html: bool = setting(False, boolean)
    """Sanitise raw HTML in posts (sites that take posts from students through pull requests)."""
    summary_length: int = setting(0, whole_number(0))
    """0: a page's summary is its first paragraph; N: whole paragraphs up to N words (Hugo's
    `summaryLength`, 70 for a site built from Hugo's config)."""
    term_start: date | None = setting(None, lambda _, value, at: read_term_start(value, at.line))
    """The first day of week 1, for the schedule."""
    term_weeks: int = setting(0, whole_number(0, MAX_WEEKS))
    """Weeks in the term; 0 means up to the last week that has a post."""
    skip_weeks: tuple[Break, ...] = setting((), lambda _, value, at: read_breaks(value, at.line))
    """Calendar weeks with no class (reading week): not counted as course weeks."""
    announcements: str = setting("announcements", text)
    """The section whose posts are announcements: on the home page from their date until
    `expires` (14 days after it when not given), in the feeds as every post is."""
    authors: Mapping[str, Author] = setting(
        {}, lambda _, value, at: read_authors(value, at.line, at.author_line)
    )
    """`[authors.<id>]`: names, links and pictures for the ids posts use in `authors`."""
    check: CheckSettings = setting(CheckSettings(), lambda _, value, at: read_check(value, at.line))
    """`[check]`: severities of `coursepress check` diagnostics, required front matter keys."""
    menus: Mapping[str, tuple[MenuEntry, ...]] = setting(
        {}, lambda _, value, at: read_menus(value, at.line)
    )
    """`[[menus.main]]` entries (`name`, `url` or `pageRef`, `weight`), as Hugo's menus; the
    `main` menu is the header's navigation."""
    term: str = setting("", text)
    """The term the course runs in ("Fall 2023"), shown in the header with the instructors
    and the regular meeting times."""
    repository: str = setting("", text)
    """The site's repository on GitHub, GitLab, Codeberg or Gitea
    (`https://github.com/org/course`): each page links to its source, "Edit this page"."""
    branch: str = setting("main", text)
    """The repository's branch that is published, for "Edit this page"."""
    search: bool = setting(True, boolean)
    """A search box and page: Pagefind's index of every post and page, made by each build."""
    cache_dir: str = setting("", text)
    """The build cache's folder, relative to the site folder; "": the user's cache folder."""
    math: Mapping[str, str] = setting({}, math_settings)
    """`[math.macros]`: TeX commands of the site's own, for every formula (`\\R`)."""
    static_dirs: tuple[str, ...] = setting(["static"], folder_list)
    """Folders whose files are published as they are at the site's root (Hugo's
    `staticDir`)."""
    bibliography: tuple[str, ...] = setting([], file_list)
    """Bibliography files (BibTeX `.bib`, CSL JSON `.json`), relative to the site folder:
    every page's citations (`[@key]`) are looked up in them."""
    csl: str = setting("", citation_style)
    """The citation style: a name of the CSL styles repository (`apa`, `ieee`) or a `.csl`
    file of the site; "" is Chicago author-date, Pandoc's default."""
    publish: Mapping[str, str] = setting({}, published_folders)
    """More folders published as they are, each under a URL path: `docs = "/docs/"` (what a
    Hugo site's Makefile copies into its output, or Hugo's `module.mounts`)."""

    @property
    def published_roots(self) -> tuple[tuple[str, str], ...]:
        """(folder, URL path under which its files go, "" for the root) of every folder
        published as it is, in order: a file at the same URL in two comes from the later, as
        in Hugo (with a warning)."""
        roots = [(folder, "") for folder in self.static_dirs]
        return tuple(roots + [(folder, url.strip("/")) for folder, url in self.publish.items()])

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_host(self) -> bool:
        """Whether base_url names a host, so that absolute URLs (sitemap, canonical) exist."""
        return bool(urlsplit(self.base_url).netloc)

    @property
    def base_path(self) -> str:
        """The path part of base_url: `/course/` for `https://org.github.io/course/`."""
        return urlsplit(self.base_url).path or "/"


KNOWN_KEYS = tuple(f.name for f in fields(Config))
_READERS: dict[str, Reader] = {f.name: f.metadata["read"] for f in fields(Config)}


def _loaded(text: str, shown: PurePosixPath) -> dict[str, Any]:
    values = tomli.loads(text)
    if (broken := unusable_values(values, text, shown, ConfigError)) is not None:
        raise broken
    return values


def load_config(site_dir: Path, base_url: str | None = None) -> Config:
    """Read site.toml, else a Hugo site's config, else use the defaults; then apply a
    --base-url override."""
    shown = shown_path(site_dir, CONFIG_FILE)
    path = site_dir / CONFIG_FILE
    hugo = None if path.is_file() else read_hugo_settings(site_dir)
    text = read_config_text(path, shown) if path.is_file() else ""
    try:
        config = _from_hugo(hugo) if hugo else _validate(_loaded(text, shown), text)
    except tomli.TOMLDecodeError as error:
        raise toml_error(error, text, shown, error_type=ConfigError) from None
    except RecursionError:
        raise nested_too_deep(text, shown, ConfigError) from None
    except ConfigError as error:
        raise (error if error.path else error.located(shown)) from None
    if base_url is None:
        return config
    try:
        _check_base_url(base_url, None)
    except ConfigError as error:
        raise error.located("--base-url") from None
    return replace(config, base_url=_normalized(base_url, config.cname))


def _validate(values: dict[str, Any], text: str) -> Config:
    typed = {}
    for key, value in values.items():
        where = Where(line_of_key(text, key, table=isinstance(value, dict)), text)
        typed[key] = _read(key, value, where)
    return _finished(Config(**typed))


def _read(key: str, value: Any, where: Where) -> Any:
    reader = _READERS.get(key)
    if reader is None:
        nearest = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
        hint = f"did you mean '{nearest[0]}'? " if nearest else ""
        raise ConfigError(
            f"unknown key '{key}'",
            line=where.line,
            hint=f"{hint}Valid keys: {', '.join(KNOWN_KEYS)}",
        )
    return reader(key, value, where)


def _finished(config: Config) -> Config:
    """What depends on two settings: a `cname` is the host of a base_url without one; a
    folder published as it is may not hold the build cache (it holds drafts' text)."""
    cache = PurePosixPath(config.cache_dir.strip("/")) if config.cache_dir.strip("/.") else None
    for folder, _ in config.published_roots:
        published = PurePosixPath(folder)
        if cache and (cache.is_relative_to(published) or published.is_relative_to(cache)):
            raise ConfigError(
                f"Config value 'cache_dir': '{config.cache_dir}' is inside '{folder}', which "
                "is published as it is; the cache holds the text of drafts",
                hint="keep the cache out of the published folders (or leave cache_dir unset)",
            )
    return replace(config, base_url=_normalized(config.base_url, config.cname))


def _from_hugo(hugo: HugoSettings) -> Config:
    """The Hugo config's values, checked as site.toml's are; a mistake is reported at the
    Hugo file and line it came from."""
    values = {}
    for key, value in hugo.values.items():
        where, line = hugo.lines.get(key, (hugo.files[0], None))
        try:
            values[key] = _read(key, value, Where())
        except ConfigError as error:
            hint = f"{error.hint}; in Hugo's config the key may be spelled differently"
            raise ConfigError(error.message, path=where, line=line, hint=hint) from None
    values.setdefault("feeds", ("atom", "rss"))  # Hugo's RSS, at its URLs, and Atom
    return _finished(Config(**values))


def _normalized(url: str, cname: str) -> str:
    """One slash between path segments and one at the end; with no host but a `cname`,
    the custom domain is the host."""
    parts = urlsplit(url)
    path = "/" + "/".join(segment for segment in parts.path.split("/") if segment)
    path = path if path.endswith("/") else path + "/"
    if parts.netloc:
        return f"{parts.scheme}://{parts.netloc}{path}"
    return f"https://{cname}{path}" if cname else path


def _check_timezone(name: str, line: int | None) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"Config value 'timezone': unknown time zone '{name}'",
            line=line,
            hint="use an IANA name such as 'America/New_York', 'Europe/Berlin' or 'UTC'",
        ) from None


def _check_base_url(url: str, line: int | None) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (read for its check: a port that is not a number)
    except ValueError:  # `https://[::1/`: a bracket left open
        parts = None
    if (
        parts is None
        or (parts.scheme not in ("http", "https") and not url.startswith("/"))
        or (parts.scheme and not parts.netloc)
        or url.startswith("//")
    ):
        raise ConfigError(
            f"Config value 'base_url': '{url}' is not a web address",
            line=line,
            hint="write it as 'https://example.github.io/course/', or '/' for a local site",
        )


def _check_permalinks(patterns: Mapping[str, Any], where: Where) -> None:
    for section, pattern in patterns.items():
        line = where.line_of(section)
        if not isinstance(pattern, str):
            raise ConfigError(
                f"Config value 'permalinks.{section}': expected text, got {_type_name(pattern)}",
                line=line,
                hint=f'for example {section} = "/:section/:slug/"',
            )
        unknown = unknown_permalink_tokens(pattern)
        if ".." in pattern.split("/"):
            raise ConfigError(
                f"Config value 'permalinks.{section}': '..' would lead outside the site",
                line=line,
                hint=f'for example {section} = "/:section/:slug/"',
            )
        if unknown:
            raise ConfigError(
                f"Config value 'permalinks.{section}': unknown token '{unknown[0]}'",
                line=line,
                hint=f"known tokens: {' '.join(PERMALINK_TOKENS)}",
            )


def _check_taxonomies(taxonomies: Mapping[str, Any], where: Where) -> None:
    for singular, plural in taxonomies.items():
        # It names a folder of the site (urlized: `Lecture Series` → `lecture-series`), so
        # it may not be a path (`..`, `a/b`).
        if (
            not isinstance(plural, str)
            or not plural.strip(". ")
            or any(mark in plural for mark in "/\\")
        ):
            raise ConfigError(
                f"Config value 'taxonomies.{singular}': expected a plural name, got {plural!r}",
                line=where.line_of(singular),
                hint='for example: [taxonomies] tag = "tags" (a name, not a path)',
            )


def _type_name(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)
