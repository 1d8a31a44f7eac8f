"""The course calendar: weeks counted from `term_start` (weeks off skipped), each with its
topic, its meetings (each with the post that holds its notes), the assignments released and
due in it, and the posts that belong to it, by their `week` or their date."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from coursepress.config import Config
from coursepress.course.plan import Assignment, CoursePlan, Meeting
from coursepress.site.course import Break
from coursepress.site.pages import Page


@dataclass(frozen=True, slots=True)
class Session:
    """A meeting of the plan, with the post that holds its notes, once that is published."""

    meeting: Meeting
    notes: Page | None


@dataclass(frozen=True, slots=True)
class Week:
    """A week of the course calendar."""

    number: int | None
    """The course week; None for a break (a reading week)."""
    start: date | None
    """Its first day, when the term has a start."""
    posts: tuple[Page, ...]
    """Its posts that are no meeting's notes, by `lecture`, then date."""
    label: str = ""
    """A break's label ("Reading week")."""
    future: bool = True
    """The week has not started yet (always true without a start)."""
    topic: str = ""
    sessions: tuple[Session, ...] = ()
    released: tuple[Assignment, ...] = ()
    due: tuple[Assignment, ...] = ()
    current: bool = False
    """The build's day falls in it (the page's script moves this to the reader's day)."""

    @property
    def end(self) -> date | None:
        return self.start + timedelta(days=6) if self.start else None

    @property
    def upcoming(self) -> bool:
        """A course week still to come, with nothing in it yet."""
        return self.number is not None and self.future and not (self.posts or self.sessions)


def term_start(config: Config, plan: CoursePlan | None) -> date | None:
    """`term_start`, else the Monday of the plan's first day."""
    if config.term_start is not None or plan is None:
        return config.term_start
    first = plan.first_day()
    return first - timedelta(days=first.weekday()) if first else None


def schedule(
    posts: tuple[Page, ...], config: Config, today: date, plan: CoursePlan | None = None
) -> tuple[Week, ...]:
    """Weeks 1..N (N: `term_weeks`, else the last week with anything in it), breaks between."""
    start = term_start(config, plan)
    claimed, sessions = _sessions(plan, posts)
    by_number: dict[int, list[Page]] = {}
    by_row: dict[int, list[Page]] = {}
    for page in posts:
        if page.url in claimed:
            continue
        if page.week is not None:
            by_number.setdefault(page.week, []).append(page)
        elif plan and start and page.date and page.date.date() >= start:
            by_row.setdefault(_row(page.date.date(), start), []).append(page)
    if not (by_number or plan) and start is None:
        return ()
    at: dict[int, list[Session]] = {}
    released: dict[int, list[Assignment]] = {}
    due: dict[int, list[Assignment]] = {}
    if start is not None:
        for session in sessions:
            at.setdefault(_row(session.meeting.day, start), []).append(session)
        for task in plan.assignments if plan else ():
            if task.released:
                released.setdefault(_row(task.released.date(), start), []).append(task)
            if task.due:
                due.setdefault(_row(task.due.date(), start), []).append(task)
    last_week = max([config.term_weeks, *by_number, *(plan.topics if plan else ())])
    last_row = max([-1, *by_row, *at, *released, *due])
    weeks = []
    breaks = config.skip_weeks + (plan.breaks if plan else ())
    for row, (number, first, label) in enumerate(_calendar(start, breaks, last_week, last_row + 1)):
        found = by_row.get(row, []) + (by_number.get(number, []) if number else [])
        found.sort(key=lambda page: (page.lecture or 0, page.date.timestamp() if page.date else 0))
        weeks.append(
            Week(
                number=number,
                start=first,
                posts=tuple(found),
                label=label,
                future=first is None or first >= today,
                topic=plan.topics.get(number, "") if plan and number else "",
                sessions=tuple(at.get(row, [])),
                released=tuple(released.get(row, [])),
                due=tuple(due.get(row, [])),
                current=first is not None and first <= today <= first + timedelta(days=6),
            )
        )
    return tuple(weeks)


def _sessions(plan: CoursePlan | None, posts: tuple[Page, ...]) -> tuple[set[str], list[Session]]:
    """Each meeting's notes: the post its `notes` names (by its path under content/ or its
    URL), else the earliest post of that day not taken by an earlier meeting."""
    if plan is None:
        return set(), []
    by_name = {str(p.target): p for p in posts} | {p.url: p for p in posts}
    oldest_first = sorted((p for p in posts if p.date), key=lambda p: (p.date, str(p.source)))
    claimed: set[str] = set()
    found = []
    for meeting in plan.meetings:
        named = meeting.notes.removeprefix("content/")
        notes = by_name.get(named) if named else None
        if notes is None and not named:
            notes = next(
                (
                    p
                    for p in oldest_first
                    if p.url not in claimed and p.date and p.date.date() == meeting.day
                ),
                None,
            )
        if notes is not None:
            claimed.add(notes.url)
        found.append(Session(meeting, notes))
    return claimed, found


def _days(plan: CoursePlan | None) -> list[date]:
    if plan is None:
        return []
    days = [meeting.day for meeting in plan.meetings]
    return days + [m.date() for a in plan.assignments for m in (a.released, a.due) if m]


def _row(day: date, start: date) -> int:
    """The calendar week (0 for the term's first) a day falls in."""
    return max(0, (day - start).days // 7)


def _calendar(
    start: date | None, breaks: tuple[Break, ...], last_week: int, rows_needed: int
) -> list[tuple[int | None, date | None, str]]:
    """(course week or None for a break, first day, break label) per calendar week, until
    course week `last_week` and at least `rows_needed` calendar weeks."""
    if start is None:
        return [(number, None, "") for number in range(1, last_week + 1)]
    skipped = {(item.day - start).days // 7: item.label for item in breaks}
    rows: list[tuple[int | None, date | None, str]] = []
    number = 0
    while number < last_week or len(rows) < rows_needed:
        first = start + timedelta(weeks=len(rows))
        if len(rows) in skipped:
            rows.append((None, first, skipped[len(rows)]))
        else:
            number += 1
            rows.append((number, first, ""))
    return rows


def regular_meetings(plan: CoursePlan | None) -> tuple[str, ...]:
    """The meetings that repeat, one line per kind, for the header: "Lectures Tue & Thu
    14:00-15:15, Rice Hall 130" (with an en dash). A kind's usual time and place is its most
    common one; its days are the weekdays it meets on at that time at least twice (an exam
    meets once)."""
    if plan is None:
        return ()
    by_kind: dict[str, list[Meeting]] = {}
    for meeting in plan.meetings:
        if meeting.start is not None:
            by_kind.setdefault(meeting.kind, []).append(meeting)
    lines = []
    for kind, meetings in by_kind.items():
        slots = Counter(_slot(meeting) for meeting in meetings)
        (start, end, where), _ = slots.most_common(1)[0]
        days = Counter(m.day.weekday() for m in meetings if _slot(m) == (start, end, where))
        weekdays = sorted(day for day, count in days.items() if count >= 2)
        if not weekdays:
            continue
        names = " & ".join(_WEEKDAYS[day] for day in weekdays)
        hours = f"{start}\N{EN DASH}{end}" if end else start
        plural = kind if kind.endswith("s") else f"{kind}s"
        place = f", {where}" if where else ""
        lines.append(f"{plural[0].upper()}{plural[1:]} {names} {hours}{place}")
    return tuple(lines)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _slot(meeting: Meeting) -> tuple[str, str, str]:
    start = meeting.start.strftime("%H:%M") if meeting.start else ""
    end = meeting.end.strftime("%H:%M") if meeting.end else ""
    return start, end, meeting.where
