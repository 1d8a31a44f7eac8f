"""The course's own settings in site.toml: the term calendar and the people who write."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from coursepress.codes import CODES
from coursepress.errors import ConfigError
from coursepress.site.urls import term_url


@dataclass(frozen=True, slots=True)
class Author:
    """`[authors.<id>]` in site.toml: posts name the id (or a plain name) in `authors`."""

    id: str
    name: str
    url: str = ""
    avatar: str = ""
    """An image URL, site-relative (`/images/ana.jpg`) or absolute."""
    role: str = ""
    """"Instructor", "Teaching assistant": someone with a role is on the staff page."""
    email: str = ""
    office_hours: str = ""
    """When ("Tuesdays 15:00-16:00"), as written."""
    office: str = ""
    """Where office hours are held."""
    defined_at: int | None = field(default=None, compare=False)
    """The line of the settings file that defines the author; None for a plain name."""

    @property
    def page_url(self) -> str:
        """The author's page on the site (every author named on a published page has one)."""
        return term_url("authors", self.id)


@dataclass(frozen=True, slots=True)
class Break:
    """A calendar week with no class (a reading week): the course's week numbers skip it."""

    day: date
    """Any day of that calendar week."""
    label: str = "No class"


AUTHOR_KEYS = ("name", "url", "avatar", "role", "email", "office_hours", "office")


def read_authors(
    value: Any, line: int | None, line_of: Callable[[str], int | None] | None = None
) -> Mapping[str, Author]:
    """`[authors.<id>]` tables; `line_of(id)` finds each one's own line, when it can."""
    if not isinstance(value, dict):
        raise ConfigError(
            "Config value 'authors': expected a table of authors",
            line=line,
            hint='write one table per author: [authors.ana] name = "Ana Lima"',
        )
    authors = {}
    for key, info in value.items():
        here = (line_of(key) if line_of else None) or line
        if not isinstance(info, dict) or not isinstance(info.get("name", ""), str):
            raise ConfigError(
                f"Config value 'authors.{key}': expected a table with a name",
                line=here,
                hint=f'[authors.{key}]\nname = "Full Name"',
            )
        unknown = sorted(set(info) - set(AUTHOR_KEYS))
        wrong = next((k for k in AUTHOR_KEYS if not isinstance(info.get(k, ""), str)), None)
        if wrong:
            raise ConfigError(
                f"Config value 'authors.{key}.{wrong}': expected text",
                line=here,
                hint=f'put it in quotes: {wrong} = "..."',
            )
        if unknown:
            raise ConfigError(
                f"Config value 'authors.{key}': unknown key '{unknown[0]}'",
                line=here,
                hint=f"an author has {', '.join(AUTHOR_KEYS)}",
            )
        authors[key] = Author(
            key,
            str(info.get("name") or key),
            defined_at=here,
            **{k: str(info.get(k, "")).strip() for k in AUTHOR_KEYS[1:]},
        )
    return MappingProxyType(authors)


def read_breaks(value: Any, line: int | None) -> tuple[Break, ...]:
    """`skip_weeks = [2023-10-09, { date = 2023-11-20, label = "Thanksgiving" }]`."""
    items = value if isinstance(value, list) else [value]
    breaks = []
    for item in items:
        unknown = sorted(set(item) - {"date", "label"}) if isinstance(item, dict) else []
        if unknown:
            raise ConfigError(
                f"Config value 'skip_weeks': unknown key '{unknown[0]}'",
                line=line,
                hint='a week off has a date and a label: { date = 2023-10-09, label = "..." }',
            )
        day, label = (
            (item.get("date"), item.get("label", "No class"))
            if isinstance(item, dict)
            else (item, "No class")
        )
        if isinstance(day, datetime):
            day = day.date()
        if not isinstance(day, date) or not isinstance(label, str):
            raise ConfigError(
                "Config value 'skip_weeks': expected dates, such as [2023-10-09]",
                line=line,
                hint='or tables: skip_weeks = [{ date = 2023-10-09, label = "Reading week" }]',
            )
        breaks.append(Break(day, label))
    return tuple(sorted(breaks, key=lambda item: item.day))


def read_term_start(value: Any, line: int | None) -> date:
    if isinstance(value, date) and value.year > 9990:  # its weeks would run past year 9999
        raise ConfigError(
            f"Config value 'term_start': {value.isoformat()} is too far in the future",
            line=line,
            hint="the first day of week 1, such as 2023-08-28",
        )
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ConfigError(
        "Config value 'term_start': expected a date, such as 2023-08-28 (no quotes)",
        line=line,
        hint="the first day of week 1; weeks are counted from it",
    )


def read_positive(
    key: str, value: Any, line: int | None, minimum: int, maximum: int | None = None
) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        limits = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise ConfigError(
            f"Config value '{key}': expected a whole number {limits}",
            line=line,
            hint=f"for example {key} = 10",
        )
    return value


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """`[check]` in site.toml: how `coursepress check` reports."""

    severity: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Diagnostic code → "error", "warning", "info" or "off"."""
    required: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Section → front matter keys every page in it must have."""


LEVELS = ("error", "warning", "info", "off")


def read_check(value: Any, line: int | None) -> CheckSettings:
    if not isinstance(value, dict) or set(value) - {"severity", "required"}:
        raise ConfigError(
            "Config value 'check': expected [check.severity] and [check.required] tables",
            line=line,
            hint='[check.severity]\nvague-link-text = "off"\n[check.required]\nposts = ["week"]',
        )
    severity = value.get("severity", {})
    for code, level in severity.items():
        if code not in CODES:
            nearest = difflib.get_close_matches(code, CODES, n=1)
            raise ConfigError(
                f"Config value 'check.severity': unknown diagnostic '{code}'",
                line=line,
                hint=(f"did you mean '{nearest[0]}'? " if nearest else "")
                + "(the codes are listed in the README)",
            )
        if level not in LEVELS:
            raise ConfigError(
                f"Config value 'check.severity.{code}': '{level}' is not a level",
                line=line,
                hint=f"use one of: {', '.join(LEVELS)}",
            )
    required = value.get("required", {})
    if not isinstance(required, dict) or not all(
        isinstance(keys, list) and all(isinstance(key, str) for key in keys)
        for keys in required.values()
    ):
        raise ConfigError(
            "Config value 'check.required': expected a list of front matter keys (text) per "
            "section",
            line=line,
            hint='posts = ["week", "authors"]',
        )
    return CheckSettings(
        MappingProxyType(dict(severity)),
        MappingProxyType({section: tuple(keys) for section, keys in required.items()}),
    )


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """One entry of a menu as the settings give it; `page_ref` is a content path."""

    name: str
    url: str = ""
    page_ref: str = ""
    weight: int = 0
    title: str = ""


def read_menus(value: Any, line: int | None) -> Mapping[str, tuple[MenuEntry, ...]]:
    """`[[menus.main]]` tables: a list of entries per menu name."""
    if not isinstance(value, dict):
        raise _menu_error("expected [[menus.<name>]] tables", line)
    menus: dict[str, tuple[MenuEntry, ...]] = {}
    for name, entries in value.items():
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise _menu_error(f"expected [[menus.{name}]] tables", line)
        menus[str(name)] = tuple(_entry(str(name), entry, line) for entry in entries)
    return menus


def _entry(menu: str, entry: dict[str, Any], line: int | None) -> MenuEntry:
    found = {str(key).lower(): value for key, value in entry.items()}
    name, url, page_ref = found.get("name"), found.get("url", ""), found.get("pageref", "")
    weight, title = found.get("weight", 0), found.get("title", "")
    if not isinstance(name, str) or not name:
        raise _menu_error(f"an entry of menus.{menu} has no name", line)
    if not isinstance(url, str) or not isinstance(page_ref, str) or not (url or page_ref):
        raise _menu_error(f"the entry '{name}' of menus.{menu} needs a url or a pageRef", line)
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise _menu_error(f"the weight of '{name}' in menus.{menu} must be a whole number", line)
    return MenuEntry(name, url, page_ref, weight, title if isinstance(title, str) else "")


def _menu_error(message: str, line: int | None) -> ConfigError:
    return ConfigError(
        f"Config value 'menus': {message}",
        line=line,
        hint='[[menus.main]]\nname = "Syllabus"\nurl = "/syllabus/"\nweight = 1',
    )
