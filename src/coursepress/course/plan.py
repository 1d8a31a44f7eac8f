"""`data/schedule.toml` (or `.yaml`, `.yml`, `.json`): what happens in the course and when.
Meetings (lectures, labs, exams: any kind), assignments released and due, weeks off and
each week's topic, with dates and times in the site's time zone. Read once into records;
a mistake is an error at the file's line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from coursepress.errors import ContentError, SiteError, shown_path
from coursepress.site.course import Break
from coursepress.source.data import DATA_DIR
from coursepress.source.locate import Path_, line_at, load_values, read_config_text, value_lines

SCHEDULE_FILES = tuple(
    f"{DATA_DIR}/schedule{suffix}" for suffix in (".toml", ".yaml", ".yml", ".json")
)

CODE = "schedule"
"""The diagnostic code of every mistake in the schedule file."""


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str
    """As written: a root-relative one gets the base path where it is shown."""


@dataclass(frozen=True, slots=True)
class Meeting:
    """A lecture, lab, section, exam, ...: one entry of `[[meeting]]`."""

    kind: str
    """As written ("Lecture", "Exam"); shown as the meeting's label."""
    day: date
    start: datetime | None
    """In the site's time zone; None for a meeting without a time (all day)."""
    end: datetime | None
    topic: str
    where: str
    readings: tuple[Link, ...]
    links: tuple[Link, ...]
    """Slides first (`slides`), then `links`."""
    notes: str
    """The lecture-notes post, as a path under content/ or a URL; "" to attach a post dated
    the meeting's day, if there is one."""
    line: int | None

    @property
    def is_exam(self) -> bool:
        return self.kind.lower() in ("exam", "midterm", "final", "quiz", "test")


@dataclass(frozen=True, slots=True)
class Assignment:
    """`[[assignment]]`: released on a day, due at a time."""

    title: str
    url: str
    released: datetime | None
    due: datetime | None
    line: int | None


@dataclass(frozen=True, slots=True)
class CoursePlan:
    source: PurePosixPath
    """The schedule file, as messages show it."""
    meetings: tuple[Meeting, ...]
    """In order of time."""
    assignments: tuple[Assignment, ...]
    breaks: tuple[Break, ...]
    topics: Mapping[int, str]
    """Week number → the week's topic."""

    def first_day(self) -> date | None:
        days = [m.day for m in self.meetings] + [
            moment.date() for a in self.assignments for moment in (a.released, a.due) if moment
        ]
        return min(days, default=None)


KEYS = {
    "": ("defaults", "meeting", "assignment", "break", "weeks"),
    "defaults": ("time", "end", "length", "where"),
    "meeting": ("kind", "date", "time", "end", "length", "where", "topic", "readings",
                "slides", "links", "notes"),
    "assignment": ("title", "url", "released", "due"),
    "break": ("date", "label"),
}  # fmt: skip
EXAMPLES = {
    "": "[[meeting]], [[assignment]], [[break]], [defaults.lecture] and [weeks]",
    "defaults": 'time = "10:00", length = "1h15m", where = "Room 101"',
    "meeting": 'date = 2024-09-03, kind = "Lecture", topic = "...", time = "10:00"',
    "assignment": 'title = "Homework 1", released = 2024-09-03, due = 2024-09-17T23:59:00',
    "break": 'date = 2024-10-14, label = "Reading week"',
}


def read_course_plan(
    site_dir: Path, zone: ZoneInfo, term_start: date | None
) -> tuple[CoursePlan | None, list[SiteError]]:
    """The schedule file's plan (None when the site has none), or its first mistake."""
    try:
        return _read_plan(site_dir, zone, term_start), []
    except SiteError as error:
        return None, [error]


def _read_plan(site_dir: Path, zone: ZoneInfo, term_start: date | None) -> CoursePlan | None:
    found = [name for name in SCHEDULE_FILES if (site_dir / name).is_file()]
    if not found:
        return None
    shown = shown_path(site_dir, found[0])
    if len(found) > 1:
        raise ContentError(
            f"the schedule is in {len(found)} files: {', '.join(found)}",
            path=shown_path(site_dir, found[1]),
            hint=f"keep one; {found[0]} is the one that would be read",
            code=CODE,
        )
    path = site_dir / found[0]
    text = read_config_text(path, shown)
    values = load_values(path, text, shown, ContentError) or {}
    lines = value_lines(text, path.suffix.lower())
    return _Reader(shown, lines, zone, term_start).plan(values)


class _Reader:
    def __init__(
        self, shown: PurePosixPath, lines: dict[Path_, int], zone: ZoneInfo, start: date | None
    ) -> None:
        self.shown, self.lines, self.zone, self.term_start = shown, lines, zone, start

    def error(self, where: Path_, message: str, hint: str) -> ContentError:
        return ContentError(
            message, path=self.shown, line=line_at(self.lines, where), hint=hint, code=CODE
        )

    def plan(self, values: Any) -> CoursePlan:
        top = self.table(values, (), "")
        defaults = {
            str(kind).lower(): (kind, self.table(given, ("defaults", kind), "defaults"))
            for kind, given in self.table(top.get("defaults", {}), ("defaults",), None).items()
        }
        meetings = [
            self.meeting(entry, ("meeting", index), defaults)
            for index, entry in enumerate(self.entries(top, "meeting"))
        ]
        meetings.sort(key=lambda m: (m.day, m.start.timetz() if m.start else time(0), m.line or 0))
        assignments = tuple(
            self.assignment(entry, ("assignment", index))
            for index, entry in enumerate(self.entries(top, "assignment"))
        )
        breaks = tuple(
            self.week_off(entry, ("break", index))
            for index, entry in enumerate(self.entries(top, "break"))
        )
        return CoursePlan(
            self.shown,
            tuple(meetings),
            assignments,
            breaks,
            MappingProxyType(self.topics(top.get("weeks", {}))),
        )

    def table(self, value: Any, where: Path_, kind: str | None) -> dict[str, Any]:
        if not isinstance(value, dict):
            name = ".".join(str(part) for part in where) or "the file"
            raise self.error(
                where,
                f"{name}: expected a table of values",
                EXAMPLES.get(kind or "", EXAMPLES[""]),
            )
        if kind is not None:
            known = KEYS[kind]
            for key in value:
                if key not in known:
                    close = difflib.get_close_matches(str(key), known, n=1)
                    said = f"did you mean '{close[0]}'? " if close else ""
                    raise self.error(
                        (*where, key),
                        f"unknown key '{key}'",
                        f"{said}{_a(kind)} has {', '.join(known)}",
                    )
        return value

    def entries(self, top: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = top.get(key, [])
        items = value if isinstance(value, list) else [value]
        return [self.table(item, (key, index), key) for index, item in enumerate(items)]

    def text(self, entry: dict[str, Any], where: Path_, key: str, default: str = "") -> str:
        value = entry.get(key, default)
        if not isinstance(value, str):
            raise self.error(
                (*where, key), f"'{key}' must be text", f'put it in quotes: {key} = "..."'
            )
        return value.strip()

    def meeting(
        self, entry: dict[str, Any], where: Path_, defaults: dict[str, tuple[str, dict[str, Any]]]
    ) -> Meeting:
        kind = self.text(entry, where, "kind", "Lecture") or "Lecture"
        written, inherited = defaults.get(kind.lower(), ("", {}))
        merged = {**inherited, **entry}

        def at(key: str) -> Path_:
            """Where the value is written: a mistake in one the meeting takes from
            [defaults.KIND] is shown there."""
            return (
                (*where, key)
                if key in entry or key not in inherited
                else ("defaults", written, key)
            )

        if "date" not in entry:
            raise self.error(where, "this meeting has no date", f"add one: {EXAMPLES['meeting']}")
        day, start = self.moment(entry["date"], at("date"), "date")
        if start is None and "time" in merged:
            start = datetime.combine(day, self.clock(merged["time"], at("time")), self.zone)
        end = self.end(merged, where, start, at)
        slides = self.links(merged["slides"], at("slides"), "Slides") if "slides" in merged else ()
        return Meeting(
            kind=kind,
            day=day,
            start=start,
            end=end,
            topic=self.text(merged, where, "topic"),
            where=self.text(merged, where, "where"),
            readings=self.links(merged.get("readings", []), at("readings")),
            links=slides + self.links(merged.get("links", []), at("links")),
            notes=self.text(merged, where, "notes"),
            line=line_at(self.lines, where),
        )

    def end(
        self,
        merged: dict[str, Any],
        where: Path_,
        start: datetime | None,
        at: Callable[[str], Path_],
    ) -> datetime | None:
        if "end" in merged and "length" in merged:
            raise self.error(at("end"), "a meeting has an end or a length, not both", "keep one")
        if start is None:
            if "end" in merged or "length" in merged:
                raise self.error(
                    at("end" if "end" in merged else "length"),
                    "a meeting with an end or a length needs a start time",
                    'add time = "10:00", or give the date with its time: 2024-09-03T10:00:00',
                )
            return None
        if "length" in merged:
            return start + self.length(merged["length"], at("length"))
        if "end" in merged:
            finish = datetime.combine(start.date(), self.clock(merged["end"], at("end")), self.zone)
            if finish <= start:
                raise self.error(
                    at("end"),
                    f"this meeting ends ({finish:%H:%M}) before it starts ({start:%H:%M})",
                    "end is a time of the same day, such as 11:15",
                )
            return finish
        return None

    def assignment(self, entry: dict[str, Any], where: Path_) -> Assignment:
        title = self.text(entry, where, "title")
        if not title:
            raise self.error(where, "this assignment has no title", EXAMPLES["assignment"])
        if "released" not in entry and "due" not in entry:
            raise self.error(
                where,
                f"the assignment '{title}' has neither a release date nor a due date",
                "add released = 2024-09-03, due = 2024-09-17T23:59:00, or both",
            )
        released = due = None
        if "released" in entry:
            day, moment = self.moment(entry["released"], (*where, "released"), "released")
            released = moment or datetime.combine(day, time(0), self.zone)
        if "due" in entry:
            day, moment = self.moment(entry["due"], (*where, "due"), "due")
            due = moment or datetime.combine(day, time(23, 59), self.zone)  # the day's end
        if released and due and due < released:
            raise self.error(
                (*where, "due"),
                f"'{title}' is due ({due:%Y-%m-%d %H:%M}) before it is released "
                f"({released:%Y-%m-%d %H:%M})",
                "check the two dates",
            )
        return Assignment(
            title, self.text(entry, where, "url"), released, due, line_at(self.lines, where)
        )

    def week_off(self, entry: dict[str, Any], where: Path_) -> Break:
        if "date" not in entry:
            raise self.error(where, "this break has no date", EXAMPLES["break"])
        day, _ = self.moment(entry["date"], (*where, "date"), "date")
        return Break(day, self.text(entry, where, "label", "No class") or "No class")

    def topics(self, value: Any) -> dict[int, str]:
        found = {}
        for key, topic in self.table(value, ("weeks",), None).items():
            number = key if isinstance(key, int) else int(key) if str(key).isdigit() else 0
            if number < 1 or not isinstance(topic, str):
                raise self.error(
                    ("weeks", key),
                    f"weeks: expected week numbers and topics, not {key!r} = {topic!r}",
                    '[weeks]\n1 = "Language models"\n2 = "Attention"',
                )
            found[number] = topic.strip()
        return found

    def links(self, value: Any, where: Path_, title: str = "") -> tuple[Link, ...]:
        items = value if isinstance(value, list) else [value]
        found = []
        for index, item in enumerate(items):
            if isinstance(item, str):
                # An address alone is a link (titled `title`, else by itself); other text is
                # a reading without a link.
                written = item.strip()
                is_url = bool(re.fullmatch(r"(\.{0,2}/|https?://)\S*", written))
                found.append(Link(title or written, written) if is_url else Link(written, ""))
            elif isinstance(item, dict) and set(item) <= {"title", "url"} and "title" in item:
                found.append(Link(str(item["title"]).strip(), str(item.get("url", "")).strip()))
            else:
                raise self.error(
                    (*where, index),
                    "expected a link: a title, an address, or a table with both",
                    '{ title = "Attention", url = "https://arxiv.org/abs/1706.03762" }',
                )
        return tuple(found)

    def moment(self, value: Any, where: Path_, key: str) -> tuple[date, datetime | None]:
        """A day, and its time when one is given, in the site's time zone."""
        if isinstance(value, str):
            value = self.parse_text_date(value.strip(), where, key)
        if isinstance(value, datetime):
            local = value.astimezone(self.zone) if value.tzinfo else value.replace(tzinfo=self.zone)
            return self.in_term(local.date(), where), local
        if isinstance(value, date):
            return self.in_term(value, where), None
        raise self.error(
            where,
            f"'{key}' must be a date, such as 2024-09-03, or a date and time, such as "
            "2024-09-03T10:00:00",
            "TOML dates are written without quotes; in YAML, 2024-09-03 or '2024-09-03 10:00'",
        )

    def in_term(self, day: date, where: Path_) -> date:
        if self.term_start and day < self.term_start:
            raise self.error(
                where,
                f"{day.isoformat()} is before the term starts ({self.term_start.isoformat()}, "
                "term_start in site.toml)",
                "check the year and the month, or move term_start",
            )
        return day

    def parse_text_date(self, text: str, where: Path_, key: str) -> date | datetime:
        try:
            if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
                return date.fromisoformat(text)
            return datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise self.error(
                where,
                f"'{key}' is not a date: {text!r}",
                "write 2024-09-03, or 2024-09-03 10:00 for a time",
            ) from None

    def clock(self, value: Any, where: Path_) -> time:
        if isinstance(value, time):
            return value
        text = value.strip().lower() if isinstance(value, str) else ""
        match = re.fullmatch(r"(\d{1,2})(?::(\d\d))?\s*(am|pm)?", text)
        if match and (match.group(2) or match.group(3)):
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            if match.group(3):
                hour = hour % 12 + (12 if match.group(3) == "pm" else 0)
            if hour < 24 and minute < 60:
                return time(hour, minute)
        hint = 'write it in quotes, such as "10:00" or "2:30 pm"'
        if isinstance(value, int):  # YAML 1.1 reads 10:00 as a number of minutes
            hint = "in YAML, put a time in quotes: '10:00' (10:00 without them is a number)"
        raise self.error(where, f"not a time of day: {value!r}", hint)

    def length(self, value: Any, where: Path_) -> timedelta:
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 24 * 60:
            return timedelta(minutes=value)
        text = value.strip().lower() if isinstance(value, str) else ""
        match = re.fullmatch(r"(?:(\d+)\s*h(?:ours?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?", text)
        if text and match and (match.group(1) or match.group(2)):
            minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
            if 0 < minutes <= 24 * 60:
                return timedelta(minutes=minutes)
        raise self.error(
            where, f"not a length of time: {value!r}", 'such as "50m", "1h15m" or "2h"'
        )


def _a(kind: str) -> str:
    return {"": "the schedule", "defaults": "a default"}.get(kind, f"a {kind}")
