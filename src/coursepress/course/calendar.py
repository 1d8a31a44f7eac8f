"""`calendar.ics`: the schedule's meetings (exams among them) and due dates, for students to
subscribe to. Written with `icalendar`, times in the site's time zone with its VTIMEZONE, so
that a calendar shows 10:00 in Vancouver as 10:00 in Vancouver wherever the student is.

Every event's UID is made from what it is (kind, day and time, or the assignment's title),
not from its place in the file, so that a calendar app updates an event that moved instead
of showing it twice; DTSTAMP is the site's last change, so unchanged input gives the same
file."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from coursepress.config import Config
from coursepress.course.plan import Assignment, CoursePlan
from coursepress.site.schedule import Session, Week
from coursepress.site.urls import SCHEDULE_URL, absolute_url, urlize

if TYPE_CHECKING:
    from icalendar import Event

PRODUCT = "-//coursepress//course calendar//EN"


def calendar_text(
    plan: CoursePlan, weeks: tuple[Week, ...], config: Config, updated: datetime
) -> str:
    # Imported here: a site without a schedule file does not pay for it on every build.
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", config.title)
    calendar.add("x-wr-timezone", config.timezone)
    host = urlsplit(config.base_url).netloc or "coursepress.invalid"
    used: set[str] = set()
    sessions = [session for week in weeks for session in week.sessions]
    for session in sessions:
        calendar.add_component(_meeting(session, config, host, updated, used))
    for task in plan.assignments:
        if task.due:
            calendar.add_component(_due(task, task.due, config, host, updated, used))
    days = [s.meeting.day for s in sessions] + [t.due.date() for t in plan.assignments if t.due]
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=1), last_date=max(days) + timedelta(days=1)
        )
    written: bytes = calendar.to_ical()
    return written.decode("utf-8")


def _meeting(session: Session, config: Config, host: str, stamp: datetime, used: set[str]) -> Event:
    from icalendar import Event

    meeting = session.meeting
    event = Event()
    when = (
        meeting.start.strftime("%Y%m%dT%H%M") if meeting.start else meeting.day.strftime("%Y%m%d")
    )
    event.add("uid", _unique(f"{urlize(meeting.kind)}-{when}", host, used))
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.start or meeting.day)
    if meeting.end:
        event.add("dtend", meeting.end)
    elif meeting.start is None:
        event.add("dtend", meeting.day + timedelta(days=1))  # all day: DTEND is exclusive
    event.add("summary", f"{meeting.kind}: {meeting.topic}" if meeting.topic else meeting.kind)
    if meeting.where:
        event.add("location", meeting.where)
    lines = [f"{item.title}: {_absolute(item.url, config)}" if item.url else item.title
             for item in (*meeting.links, *meeting.readings)]  # fmt: skip
    if lines:
        event.add("description", "\n".join(lines))
    page = session.notes.url if session.notes else SCHEDULE_URL
    if config.has_host:
        event.add("url", absolute_url(page, config.base_url))
    if meeting.is_exam:
        event.add("categories", ["Exam"])
    return event


def _due(
    task: Assignment, due: datetime, config: Config, host: str, stamp: datetime, used: set[str]
) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", _unique(f"due-{urlize(task.title)}", host, used))
    event.add("dtstamp", stamp)
    event.add("dtstart", due)
    event.add("dtend", due)
    event.add("summary", f"Due: {task.title}")
    event.add("categories", ["Deadline"])
    if task.url:
        event.add("description", _absolute(task.url, config))
        if config.has_host or urlsplit(task.url).scheme:
            event.add("url", _absolute(task.url, config))
    return event


def _absolute(url: str, config: Config) -> str:
    return absolute_url(url, config.base_url) if url.startswith("/") else url


def _unique(name: str, host: str, used: set[str]) -> str:
    """`name@host`, numbered when two events would have the same one."""
    uid, number = f"{name}@{host}", 1
    while uid in used:
        number += 1
        uid = f"{name}-{number}@{host}"
    used.add(uid)
    return uid
