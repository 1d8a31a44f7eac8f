"""The course from data: `data/schedule.toml` (or YAML) into the schedule page and a
calendar students subscribe to, with every mistake reported at the file's line."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.conftest import run_cli, snapshot

SITE = 'title = "CS 1"\nbase_url = "https://example.github.io/course/"\ntimezone = "America/Vancouver"\nterm_start = 2024-09-02\n'  # noqa: E501
POST = '+++\ntitle = "{title}"\ndate = {date}\n{extra}+++\n\nNotes.\n'

SCHEDULE = """\
[defaults.lecture]
time = "10:00"
length = "1h20m"
where = "DMP 110"

[weeks]
1 = "Language models"
2 = "Attention"

[[meeting]]
date = 2024-09-03
topic = "Welcome"
readings = [{ title = "J&M ch. 3", url = "https://example.edu/jm3.pdf" }, "Chapter 1 of the notes"]
slides = "/files/l1.pdf"

[[meeting]]
date = 2024-09-05
topic = "n-grams"
notes = "posts/ngrams.md"

[[meeting]]
kind = "Lab"
date = 2024-09-06T14:00:00
end = "15:30"
where = "ICICS 008"
topic = "Python refresher"

[[meeting]]
date = 2024-09-10
topic = "Attention"

[[break]]
date = 2024-09-16
label = "Reading week"

[[meeting]]
kind = "Exam"
date = 2024-09-26T18:00:00
length = "2h"
where = "Hebb 100"
topic = "Midterm"

[[assignment]]
title = "Homework 1"
url = "/homework/1/"
released = 2024-09-03
due = 2024-09-12

[[assignment]]
title = "Project proposal"
due = 2024-11-03T23:59:00
"""


def build(make_site, schedule: str = SCHEDULE, name: str = "data/schedule.toml") -> Path:
    site = make_site(
        {
            "site.toml": SITE,
            name: schedule,
            "content/posts/welcome.md": POST.format(
                title="Welcome post", date="2024-09-03", extra=""
            ),
            "content/posts/ngrams.md": POST.format(title="N-grams", date="2024-09-04", extra=""),
            "content/posts/later.md": POST.format(title="Later", date="2024-09-11", extra=""),
            "content/posts/pinned.md": POST.format(
                title="Pinned", date="2024-09-04", extra="week = 3\n"
            ),
            "static/files/l1.pdf": b"%PDF-1.4\n",
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    return site


def rows(site: Path) -> list[str]:
    page = (site / "public/schedule/index.html").read_text()
    return page.split('<tbody role="rowgroup">')[1].split("</tbody>")[0].split("<tr ")[1:]


def test_meetings_posts_and_deadlines_land_in_their_weeks(make_site) -> None:
    site = build(make_site)
    week1, week2, reading, week3, week4, *later = rows(site)
    assert '<p class="week-topic">Language models</p>' in week1
    # A post dated a meeting's day holds its notes; `notes` names one by its path.
    assert (
        '<span class="kind">Lecture</span> <time datetime="2024-09-03T10:00:00-07:00">'
        "Tue&nbsp;Sep&nbsp;3, 10:00\u201311:20</time> · DMP 110 · "
        '<a href="/course/posts/welcome/">Welcome</a> · <a href="/course/files/l1.pdf">Slides</a>'
    ) in week1
    assert (
        'Reading: <a href="https://example.edu/jm3.pdf">J&amp;M ch. 3</a>; Chapter 1 of the notes'
    ) in week1
    assert '· <a href="/course/posts/ngrams/">n-grams</a>' in week1
    assert (
        '<span class="kind">Lab</span> <time datetime="2024-09-06T14:00:00-07:00">'
        "Fri&nbsp;Sep&nbsp;6, 14:00\u201315:30</time> · ICICS 008 · "
        '<span class="topic">Python refresher</span>'
    ) in week1
    assert 'Out: <a href="/course/homework/1/">Homework 1</a>' in week1
    # A meeting with no post shows its topic; a post dated in the week, not on a meeting's
    # day, is listed under the week; `week = 3` wins over the date.
    assert '· <span class="topic">Attention</span>' in week2
    assert '<a href="/course/posts/later/">Later</a>' in week2
    assert (
        '<strong>Due</strong> <time datetime="2024-09-12T23:59:00-07:00">Thu Sep 12, 23:59</time>:'
        ' <a href="/course/homework/1/">Homework 1</a>'
    ) in week2
    assert reading.startswith('class="break"') and "Reading week" in reading
    assert '<a href="/course/posts/pinned/">Pinned</a>' in week3
    assert '<li class="session exam"><span class="kind">Exam</span>' in week3
    # The weeks run on to the last deadline: week 8 holds the proposal.
    assert (
        "Project proposal" in later[-1]
        and '<span class="week-word">Week </span>8</th>' in later[-1]
    )
    assert "No post" not in "".join([week1, week2, week3])
    assert "No post" in week4  # a week with nothing in it yet, in a term that is over


def test_the_yaml_schedule_builds_the_same_page(make_site, tmp_path: Path) -> None:
    toml_site = build(make_site)
    yaml_text = """\
defaults:
  lecture: {time: "10:00", length: 1h20m, where: DMP 110}
weeks: {1: Language models, 2: Attention}
meeting:
  - date: 2024-09-03
    topic: Welcome
    readings: [{title: J&M ch. 3, url: "https://example.edu/jm3.pdf"}, Chapter 1 of the notes]
    slides: /files/l1.pdf
  - {date: 2024-09-05, topic: n-grams, notes: posts/ngrams.md}
  - {kind: Lab, date: "2024-09-06 14:00", end: "15:30", where: ICICS 008, topic: Python refresher}
  - {date: 2024-09-10, topic: Attention}
  - {kind: Exam, date: "2024-09-26 18:00", length: 2h, where: Hebb 100, topic: Midterm}
break:
  - {date: 2024-09-16, label: Reading week}
assignment:
  - {title: Homework 1, url: /homework/1/, released: 2024-09-03, due: 2024-09-12}
  - {title: Project proposal, due: "2024-11-03 23:59"}
"""
    yaml_site = build(
        lambda files: make_site_in(tmp_path / "yaml", files), yaml_text, "data/schedule.yaml"
    )
    for name in ("schedule/index.html", "calendar.ics"):
        assert (yaml_site / "public" / name).read_bytes() == (
            toml_site / "public" / name
        ).read_bytes(), name


def make_site_in(root: Path, files: dict[str, str | bytes]) -> Path:
    from tests.conftest import write_files

    return write_files(root, files)


def test_the_calendar_holds_every_meeting_and_deadline_of_the_data(make_site) -> None:
    """calendar.ics parsed back: one event per meeting and per due date, each at the time the
    data gives in the site's zone, with the zone's definition for calendar apps."""
    site = build(make_site)
    calendar = Calendar.from_ical((site / "public/calendar.ics").read_bytes())
    assert str(calendar["X-WR-TIMEZONE"]) == "America/Vancouver"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Vancouver"]
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert len({str(event["UID"]) for event in events.values()}) == len(events)

    zone = ZoneInfo("America/Vancouver")
    data = tomllib.loads(SCHEDULE)
    defaults = data["defaults"]["lecture"]
    expected = {}
    for meeting in data["meeting"]:
        kind = meeting.get("kind", "Lecture")
        when = meeting["date"]
        if not isinstance(when, datetime):
            hour, minute = map(int, defaults["time"].split(":"))
            when = datetime.combine(when, datetime.min.time()).replace(hour=hour, minute=minute)
        start = when.replace(tzinfo=zone)
        if "end" in meeting:
            end = datetime.combine(
                start.date(), datetime.strptime(meeting["end"], "%H:%M").time(), zone
            )
        else:
            length = {"1h20m": 80, "2h": 120}[meeting.get("length", defaults["length"])]
            end = start + timedelta(minutes=length)
        where = meeting.get("where", defaults["where"] if kind == "Lecture" else "")
        expected[f"{kind}: {meeting['topic']}"] = (start, end, where)
    for task in data["assignment"]:
        due = task["due"]
        due = (
            due
            if isinstance(due, datetime)
            else datetime.combine(due, datetime.min.time()).replace(hour=23, minute=59)
        )
        expected[f"Due: {task['title']}"] = (due.replace(tzinfo=zone), due.replace(tzinfo=zone), "")
    assert set(events) == set(expected)
    for summary, (start, end, where) in expected.items():
        event = events[summary]
        assert event.decoded("DTSTART") == start, summary
        assert str(event.decoded("DTSTART").tzinfo) == "America/Vancouver", summary
        assert event.decoded("DTEND") == end, summary
        assert str(event.get("LOCATION", "")) == where, summary
    assert (
        str(events["Lecture: n-grams"]["URL"]) == "https://example.github.io/course/posts/ngrams/"
    )
    assert "J&M ch. 3: https://example.edu/jm3.pdf" in str(
        events["Lecture: Welcome"]["DESCRIPTION"]
    )
    assert "https://example.github.io/course/files/l1.pdf" in str(
        events["Lecture: Welcome"]["DESCRIPTION"]
    )


def test_the_schedule_links_the_calendar_with_a_subscribe_hint(make_site) -> None:
    site = build(make_site)
    page = (site / "public/schedule/index.html").read_text()
    assert '<a href="/course/calendar.ics">Calendar of meetings and deadlines (.ics)</a>' in page
    words = " ".join(page.split())
    assert "From URL" in words and "New Calendar Subscription" in words


MISTAKES = [
    (
        SCHEDULE.replace('topic = "Welcome"', 'topc = "Welcome"'),
        "data/schedule.toml:12: unknown key 'topc'\n"
        "  hint: did you mean 'topic'? a meeting has kind, date, time, end, length, where, topic, "
        "readings, slides, links, notes\n",
    ),
    (
        SCHEDULE.replace('date = 2024-09-10\ntopic = "Attention"', 'topic = "Attention"'),
        "data/schedule.toml:28: this meeting has no date\n"
        '  hint: add one: date = 2024-09-03, kind = "Lecture", topic = "...", time = "10:00"\n',
    ),
    (
        SCHEDULE.replace('end = "15:30"', 'end = "13:30"'),
        "data/schedule.toml:24: this meeting ends (13:30) before it starts (14:00)\n"
        "  hint: end is a time of the same day, such as 11:15\n",
    ),
    (
        SCHEDULE.replace("date = 2024-09-05", "date = 2023-09-05"),
        "data/schedule.toml:17: 2023-09-05 is before the term starts (2024-09-02, term_start in "
        "site.toml)\n  hint: check the year and the month, or move term_start\n",
    ),
    (
        SCHEDULE.replace('length = "1h20m"', 'length = "ninety"'),
        "data/schedule.toml:3: not a length of time: 'ninety'\n"
        '  hint: such as "50m", "1h15m" or "2h"\n',
    ),
    (
        SCHEDULE.replace("due = 2024-09-12\n", "due = 2024-09-02\n"),
        "data/schedule.toml:47: 'Homework 1' is due (2024-09-02 23:59) before it is released "
        "(2024-09-03 00:00)\n  hint: check the two dates\n",
    ),
    (
        SCHEDULE.replace("[[meeting]]\ndate = 2024-09-05", "[[meting]]\ndate = 2024-09-05"),
        "data/schedule.toml:16: unknown key 'meting'\n  hint: did you mean 'meeting'? the schedule "
        "has defaults, meeting, assignment, break, weeks\n",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MISTAKES, ids=[
    "unknown-key", "no-date", "ends-before-start", "before-term", "bad-length",
    "due-before-release", "misspelled-table",
])  # fmt: skip
def test_mistakes_are_reported_at_their_line_and_the_site_is_kept(
    make_site, text: str, expected: str
) -> None:
    site = build(make_site)
    before = snapshot(site / "public")
    (site / "data/schedule.toml").write_text(text)
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == expected + "build failed with 1 error; the previous site is unchanged\n"
    assert snapshot(site / "public") == before
    checked = run_cli("check", "--format", "github", cwd=site)
    assert checked.returncode == 1
    where, message = expected.split("\n")[0].split(": ", 1)
    path, line = where.split(":")
    assert f"::error file={path},line={line},title=schedule::{message}" in checked.stdout


def test_a_yaml_time_without_quotes_gets_a_hint(make_site) -> None:
    site = make_site(
        {
            "site.toml": SITE,
            "data/schedule.yaml": "meeting:\n  - date: 2024-09-03\n    time: 10:00\n",
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "data/schedule.yaml:3: not a time of day: 600\n"
        "  hint: in YAML, put a time in quotes: '10:00' (10:00 without them is a number)\n"
    )


def test_two_schedule_files_are_one_too_many(make_site) -> None:
    site = make_site({"site.toml": SITE, "data/schedule.toml": "", "data/schedule.yaml": ""})
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "data/schedule.yaml: the schedule is in 2 files: data/schedule.toml, data/schedule.yaml\n"
        "  hint: keep one; data/schedule.toml is the one that would be read\n"
    )


def test_without_term_start_the_term_begins_the_monday_of_the_first_meeting(make_site) -> None:
    site = make_site(
        {
            "site.toml": 'title = "CS 1"\n',
            "data/schedule.toml": '[[meeting]]\ndate = 2024-09-04\ntopic = "First"\n',
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    (week,) = rows(site)
    assert '<time datetime="2024-09-02">Sep&nbsp;2</time>' in week and "First" in week
    assert date(2024, 9, 2).weekday() == 0
