"""The course's people and dates: the staff page, the home page's week and announcements,
and solutions that stay out of the site until their release date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import run_cli, snapshot

TODAY = datetime.now(UTC).date()
"""The build reads the clock; these tests place their dates around it (the site is in UTC)."""

STAFF = """
[authors.whit]
name = "Dana Whitfield"
url = "https://example.edu/~whit"
avatar = "/images/dw.png"
role = "Instructor"
email = "whit@example.edu"
office_hours = "Wednesdays 13:00-14:30"
office = "Rice 412"

[authors.sam]
name = "Sam Rivera"
role = "Teaching assistant"
office = "Lab 3"

[authors.ana]
name = "Ana Lima"
"""


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def post(title: str, date: str, extra: str = "", body: str = "Text.") -> str:
    return f'+++\ntitle = "{title}"\ndate = {date}\n{extra}+++\n\n{body}\n'


def test_the_staff_page_lists_everyone_with_a_role(make_site) -> None:
    site = make_site(
        {
            "site.toml": 'title = "CS 1"\nbase_url = "/course/"\n' + STAFF,
            "static/images/dw.png": b"\x89PNG\r\n\x1a\n",
            "content/posts/a.md": post("A", "2024-01-01", 'authors = ["whit"]\n'),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    page = (site / "public/staff/index.html").read_text()
    people = page.split('<li class="staffer">')[1:]
    assert len(people) == 2  # Ana has no role: a student
    whit, sam = people
    assert '<img class="staff-photo" src="/course/images/dw.png" alt=""' in whit
    assert '<h2><a href="https://example.edu/~whit">Dana Whitfield</a></h2>' in whit
    assert '<p class="role">Instructor</p>' in whit
    assert '<dd><a href="mailto:whit@example.edu">whit@example.edu</a></dd>' in whit
    assert "<dt>Office hours</dt><dd>Wednesdays 13:00-14:30 · Rice 412</dd>" in whit
    assert '<a href="/course/authors/whit/">Posts by Dana Whitfield</a>' in whit
    assert "<h2>Sam Rivera</h2>" in sam and "<dt>Office</dt><dd>Lab 3</dd>" in sam
    assert "Posts by" not in sam  # no posts, so no page of them to link to
    home = (site / "public/index.html").read_text()
    assert '<a href="/course/staff/">Staff</a>' in home


def test_an_authors_value_that_is_not_text_is_an_error_at_its_line(make_site) -> None:
    site = make_site({"site.toml": '[authors.sam]\nname = "Sam"\nrole = 3\n'})
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "site.toml:1: Config value 'authors.sam.role': expected text\n"
        '  hint: put it in quotes: role = "..."\n'
    )


def test_the_home_page_shows_this_week_what_is_due_next_and_the_announcements(make_site) -> None:
    monday = TODAY - timedelta(days=TODAY.weekday())
    schedule = f"""
[weeks]
2 = "Attention"

[[meeting]]
date = {(monday - timedelta(days=6)).isoformat()}
topic = "The lecture of last week"

[[meeting]]
date = {TODAY.isoformat()}T10:00:00
topic = "The lecture of today"

[[assignment]]
title = "Homework 1"
due = {day(-1)}

[[assignment]]
title = "Homework 2"
url = "/homework/2/"
due = {day(2)}T17:00:00

[[assignment]]
title = "Homework 3"
due = {day(9)}
"""
    site = make_site(
        {
            "site.toml": f'title = "CS 1"\nbase_url = "https://example.org/"\n'
            f"term_start = {monday - timedelta(days=7)}\n",
            "data/schedule.toml": schedule,
            "content/announcements/room.md": post(
                "Room change", day(-1), f"expires = {day(3)}\n", "We move to **Hall B**."
            ),
            "content/announcements/old.md": post("Old news", day(-20)),
            "content/announcements/expired.md": post("Gone", day(-2), f"expires = {day(0)}\n"),
            "content/announcements/recent.md": post("Recent", day(-3)),
            "content/posts/notes.md": post("Lecture notes", day(-30)),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    home = (site / "public/index.html").read_text()
    box = home.split('<section class="announcements"')[1].split("</section>")[0]
    assert [part.split("</a>")[0].split(">")[-1] for part in box.split("<h3>")[1:]] == [
        "Room change",
        "Recent",
    ]
    assert "We move to <strong>Hall B</strong>." in box
    week = home.split('<section class="this-week-box"')[1].split("</section>")[0]
    assert '<h2 id="cp-this-week" class="list-heading">This week: Attention</h2>' in week
    assert "The lecture of today" in week and "The lecture of last week" not in week
    due = week.split('<ul class="deadlines">')[1]
    assert [item.split("</time>: ")[1].split("</li>")[0] for item in due.split("<li")[1:]] == [
        '<a href="/homework/2/">Homework 2</a>',
        "Homework 3",
    ]  # Homework 1 was due yesterday
    latest = home.split('id="cp-latest"')[1]
    assert "Lecture notes" in latest and "Room change" not in latest
    archive = (site / "public/announcements/index.html").read_text()
    feed = (site / "public/feed.xml").read_text()
    for title in ("Room change", "Old news", "Gone", "Recent"):
        assert title in archive and f"<title>{title}</title>" in feed, title
    schedule_page = (site / "public/schedule/index.html").read_text()
    assert "Room change" not in schedule_page  # announcements are not posts of a week


SOLUTION = """Exercise one.

{{{{< solution release="{when}" >}}}}
The answer is THE-SECRET-ANSWER, because
it is.
{{{{< /solution >}}}}

After the solution.
"""


def solution_site(make_site, when: str, base_url: str = "https://example.github.io/course/"):
    return make_site(
        {
            "site.toml": f'title = "CS 1"\nbase_url = "{base_url}"\n'
            'timezone = "Pacific/Kiritimati"\n',
            "content/posts/hw.md": post("Homework", "2024-01-01", "", SOLUTION.format(when=when)),
        }
    )


def everything(public: Path) -> bytes:
    return b"".join(snapshot(public).values())


def test_an_unreleased_solution_is_nowhere_in_the_site_until_its_day(make_site) -> None:
    """Not in the page, its summary, the home page, the feeds or the sitemap; in its place a
    notice of the date. Judged in the site's time zone (UTC+14 here): released on its day
    there, even while it is still the day before in UTC."""
    tomorrow = day(1)
    site = solution_site(make_site, tomorrow)
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    kiritimati_today = datetime.now(UTC) + timedelta(hours=14)
    if kiritimati_today.date().isoformat() >= tomorrow:
        (site / "content/posts/hw.md").write_text(
            post("Homework", "2024-01-01", "", SOLUTION.format(when=day(2)))
        )
        result = run_cli("build", cwd=site)
    public = site / "public"
    assert b"THE-SECRET-ANSWER" not in everything(public)
    page = (public / "posts/hw/index.html").read_text()
    assert '<p class="solution-withheld"><strong>Solution</strong>: published on <time' in page
    assert "After the solution." in page
    assert "info: a solution is withheld until" in result.stderr

    # The day comes (here: the date is moved back), and the next build, cache and all, has it.
    (site / "content/posts/hw.md").write_text(
        post("Homework", "2024-01-01", "", SOLUTION.format(when=day(-1)))
    )
    assert run_cli("build", cwd=site).returncode == 0
    page = (public / "posts/hw/index.html").read_text()
    assert '<details class="solution">\n<summary>Solution</summary>' in page
    assert "THE-SECRET-ANSWER" in page and "solution-withheld" not in page

    # And back: a date moved later takes it out again, whatever the cache holds.
    (site / "content/posts/hw.md").write_text(
        post("Homework", "2024-01-01", "", SOLUTION.format(when="2999-01-01T09:00"))
    )
    assert run_cli("build", cwd=site).returncode == 0
    assert b"THE-SECRET-ANSWER" not in everything(public)
    assert b"1 January 2999, 09:00" in (public / "posts/hw/index.html").read_bytes()


def test_future_shows_solutions_as_it_shows_future_pages(make_site) -> None:
    site = solution_site(make_site, "2999-01-01")
    assert run_cli("build", "--future", cwd=site).returncode == 0
    assert b"THE-SECRET-ANSWER" in (site / "public/posts/hw/index.html").read_bytes()


def test_check_lists_what_will_be_released_and_when(make_site) -> None:
    site = solution_site(make_site, "2999-01-01T09:00")
    result = run_cli("check", "--format", "github", cwd=site)
    assert result.returncode == 0, result.stdout
    assert (
        "::notice file=content/posts/hw.md,line=8,title=release::a solution is withheld until "
        "2999-01-01 09:00 (Pacific/Kiritimati); the first build after that publishes it"
    ) in result.stdout


def test_a_release_that_cannot_be_judged_fails_the_build_and_publishes_nothing(
    make_site,
) -> None:
    site = solution_site(make_site, "2024-01-01")
    assert run_cli("build", cwd=site).returncode == 0
    before = snapshot(site / "public")
    for written, expected in (
        (
            SOLUTION.format(when="next tuesday"),
            "content/posts/hw.md:8: the solution's release date is not a date: 'next tuesday'; "
            "it is withheld\n"
            '  hint: write release="2023-10-01", or "2023-10-01T09:00" for a time (in the '
            "site's time zone)\n",
        ),
        (
            SOLUTION.format(when="2999-01-01").replace("{{< /solution >}}", ""),
            "content/posts/hw.md:8: this solution has no closing {{< /solution >}}; the rest of "
            "the page is withheld\n  hint: end the solution with {{< /solution >}}\n",
        ),
    ):
        (site / "content/posts/hw.md").write_text(post("Homework", "2024-01-01", "", written))
        result = run_cli("build", cwd=site)
        assert result.returncode == 1
        assert (
            result.stderr
            == expected + "build failed with 1 error; the previous site is unchanged\n"
        )
        assert snapshot(site / "public") == before
