"""site.toml → Config: a typed, validated schema with its defaults in one place."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
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
    read_authors,
    read_breaks,
    read_check,
    read_positive,
    read_term_start,
)
from coursepress.site.urls import PERMALINK_TOKENS, unknown_permalink_tokens
from coursepress.source.locate import line_of_key, read_config_text, toml_error

CONFIG_FILE = "site.toml"


@dataclass(frozen=True, slots=True)
class Config:
    """The site's settings, validated; every field has the default a new site gets."""

    title: str = "My Course"
    """Site title, shown in the header and the browser tab."""
    base_url: str = "/"
    """Where the site is published, e.g. `https://org.github.io/course/`; always ends with `/`."""
    description: str = ""
    """One-line description of the course, for the home page and search engines."""
    language: str = "en"
    """BCP 47 language tag for `<html lang>`."""
    timezone: str = "UTC"
    """IANA zone name; dates without a zone are read in it, and 'future' is judged in it."""
    author: str = ""
    """Default author for pages that name none."""
    cname: str = ""
    """A custom domain for GitHub Pages (`course.example.edu`), written to `CNAME`."""
    permalinks: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Per-section URL patterns, e.g. `posts = "/:year/:month/:slug/"`."""
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Free values for templates, reachable as `config.params`."""
    taxonomies: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"tag": "tags", "category": "categories"})
    )
    """Singular → plural: the front matter key of each taxonomy (as Hugo's `[taxonomies]`)."""
    paginate: int = 10
    """Posts per list page; further pages are at `/<section>/page/N/`."""
    feed_limit: int = 20
    """Newest posts in each Atom feed (0: all of them)."""
    safe_html: bool = False
    """Sanitise raw HTML in posts (sites that take posts from students through pull requests)."""
    summary_length: int = 0
    """0: a page's summary is its first paragraph; N: whole paragraphs up to N words (Hugo's
    `summaryLength`, 70 for a site built from Hugo's config)."""
    term_start: date | None = None
    """The first day of week 1, for the schedule."""
    term_weeks: int = 0
    """Weeks in the term; 0 means up to the last week that has a post."""
    skip_weeks: tuple[Break, ...] = ()
    """Calendar weeks with no class (reading week): not counted as course weeks."""
    authors: Mapping[str, Author] = field(default_factory=lambda: MappingProxyType({}))
    """`[authors.<id>]`: names, links and pictures for the ids posts use in `authors`."""
    check: CheckSettings = field(default_factory=CheckSettings)
    """`[check]`: severities of `coursepress check` diagnostics, required front matter keys."""

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


_STRING_KEYS = ("title", "base_url", "description", "language", "timezone", "author", "cname")
KNOWN_KEYS = tuple(f.name for f in fields(Config))


def load_config(site_dir: Path, base_url: str | None = None) -> Config:
    """Read site.toml, else a Hugo site's config, else use the defaults; then apply a
    --base-url override."""
    shown = shown_path(site_dir, CONFIG_FILE)
    path = site_dir / CONFIG_FILE
    hugo = None if path.is_file() else read_hugo_settings(site_dir)
    text = read_config_text(path, shown) if path.is_file() else ""
    try:
        config = _from_hugo(hugo) if hugo else _validate(tomli.loads(text), text)
    except tomli.TOMLDecodeError as error:
        raise toml_error(error, text, shown, error_type=ConfigError) from None
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
    for key, value in values.items():
        _check_key(key, value, text)
    values = {
        key: _typed(key, value, line_of_key(text, key, table=isinstance(value, dict)))
        for key, value in values.items()
    }
    return _finished(Config(**values))


def _finished(config: Config) -> Config:
    return replace(
        config,
        base_url=_normalized(config.base_url, config.cname),
        permalinks=MappingProxyType(dict(config.permalinks)),
        params=MappingProxyType(dict(config.params)),
        taxonomies=MappingProxyType(dict(config.taxonomies)),
    )


def _from_hugo(hugo: HugoSettings) -> Config:
    """The Hugo config's values, checked as site.toml's are; a mistake is reported at the
    Hugo file and line it came from."""
    values = {}
    for key, value in hugo.values.items():
        where, line = hugo.lines.get(key, (hugo.files[0], None))
        try:
            _check_key(key, value, "")
            values[key] = _typed(key, value, None)
        except ConfigError as error:
            hint = f"{error.hint}; in Hugo's config the key may be spelled differently"
            raise ConfigError(error.message, path=where, line=line, hint=hint) from None
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


def _typed(key: str, value: Any, line: int | None) -> Any:
    """Values that are more than text become their records."""
    readers: dict[str, Callable[[], Any]] = {
        "authors": lambda: read_authors(value, line),
        "skip_weeks": lambda: read_breaks(value, line),
        "term_start": lambda: read_term_start(value, line),
        "paginate": lambda: read_positive(key, value, line, minimum=1),
        "term_weeks": lambda: read_positive(key, value, line, minimum=0),
        "feed_limit": lambda: read_positive(key, value, line, minimum=0),
        "summary_length": lambda: read_positive(key, value, line, minimum=0),
        "check": lambda: read_check(value, line),
    }
    return readers[key]() if key in readers else value


def _check_key(key: str, value: Any, text: str) -> None:
    line = line_of_key(text, key, table=isinstance(value, dict))
    if key not in KNOWN_KEYS:
        nearest = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
        hint = f"did you mean '{nearest[0]}'? " if nearest else ""
        raise ConfigError(
            f"unknown key '{key}'",
            line=line,
            hint=f"{hint}Valid keys: {', '.join(KNOWN_KEYS)}",
        )
    if key in _STRING_KEYS and not isinstance(value, str):
        raise ConfigError(
            f"Config value '{key}': expected text, got {_type_name(value)}",
            line=line,
            hint=f'put it in double quotes: {key} = "..."',
        )
    if key in ("permalinks", "params", "taxonomies") and not isinstance(value, dict):
        raise ConfigError(
            f"Config value '{key}': expected a table, got {_type_name(value)}",
            line=line,
            hint=f"write it as a table: [{key}]",
        )
    if key == "safe_html" and not isinstance(value, bool):
        raise ConfigError(
            f"Config value 'safe_html': expected true or false, got {_type_name(value)}",
            line=line,
            hint="write safe_html = true",
        )
    if key == "timezone":
        _check_timezone(value, line)
    if key == "base_url":
        _check_base_url(value, line)
    if key == "cname" and ("/" in value or ":" in value):
        raise ConfigError(
            f"Config value 'cname': '{value}' is not a domain name",
            line=line,
            hint='write the domain only, such as cname = "course.example.edu"',
        )
    if key == "permalinks":
        _check_permalinks(value, text)
    if key == "taxonomies":
        _check_taxonomies(value, text)


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
    parts = urlsplit(url)
    if (
        (parts.scheme not in ("http", "https") and not url.startswith("/"))
        or (parts.scheme and not parts.netloc)
        or url.startswith("//")
    ):
        raise ConfigError(
            f"Config value 'base_url': '{url}' is not a web address",
            line=line,
            hint="write it as 'https://example.github.io/course/', or '/' for a local site",
        )


def _check_permalinks(patterns: dict[str, Any], text: str) -> None:
    for section, pattern in patterns.items():
        line = line_of_key(text, section)
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


def _check_taxonomies(taxonomies: dict[str, Any], text: str) -> None:
    for singular, plural in taxonomies.items():
        if not isinstance(plural, str) or not plural.strip() or "/" in plural:
            raise ConfigError(
                f"Config value 'taxonomies.{singular}': expected a plural name, got {plural!r}",
                line=line_of_key(text, singular),
                hint='for example: [taxonomies] tag = "tags"',
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
