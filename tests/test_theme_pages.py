"""What the default theme puts on each page, read from real builds: the course's identity in
the header, link previews, "Edit this page" and "Last updated" (from git), curly quotes in
titles, and a labelled footnotes section."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import run_cli, write_files

SETTINGS = """title = "Stats 101"
base_url = "https://example.org/stats/"
term = "Spring 2026"
repository = "https://github.com/example/stats"
branch = "trunk"

[authors.kim]
name = "Dr. Kim Lee"
role = "Instructor"

[authors.raj]
name = "Raj Patel"
role = "Teaching assistant"
"""

SCHEDULE = """[defaults.lecture]
time = "09:30"
length = "1h15m"
where = "Hall 2"

[[meeting]]
date = 2026-01-12
[[meeting]]
date = 2026-01-14
[[meeting]]
date = 2026-01-19
[[meeting]]
date = 2026-01-21
[[meeting]]
date = 2026-01-23
kind = "Exam"
time = "18:00"
"""

POST = """+++
title = "Week 1: \\"Why\\" statistics -- and what it isn't"
date = 2026-01-12
+++

Sampling is how we learn about a population from a part of it.[^1]

[^1]: Cochran, *Sampling Techniques*.
"""


def build(site: Path) -> Path:
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    return site / "public"


def test_the_header_names_the_term_the_instructors_and_the_meeting_times(tmp_path: Path) -> None:
    site = write_files(
        tmp_path / "site",
        {"site.toml": SETTINGS, "data/schedule.toml": SCHEDULE, "content/posts/week1.md": POST},
    )
    html = (build(site) / "index.html").read_text()
    facts = html[html.index('<ul class="course-facts"') : html.index("</ul>", html.index("facts"))]
    assert facts.split(">", 1)[1].replace("\n", "").replace("        ", "").strip() == (
        "<li>Spring 2026</li><li>Dr. Kim Lee</li>"
        "<li>Lectures Mon &amp; Wed 09:30\u201310:45, Hall 2</li>"
    )  # the exam meets once: not a regular meeting; the TA is not an instructor


def test_titles_have_the_typography_of_the_body(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"site.toml": SETTINGS, "content/posts/week1.md": POST})
    html = (build(site) / "posts/week1/index.html").read_text()
    title = "Week 1: \u201cWhy\u201d statistics \u2013 and what it isn\u2019t"
    assert f"<h1>{title}</h1>" in html
    assert f"<title>{title} · Stats 101</title>" in html


def test_a_link_preview_has_the_page_s_title_description_and_address(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"site.toml": SETTINGS, "content/posts/week1.md": POST})
    html = (build(site) / "posts/week1/index.html").read_text()
    description = "Sampling is how we learn about a population from a part of it."
    for tag in (
        f'<meta name="description" content="{description}">',
        f'<meta property="og:description" content="{description}">',
        '<meta property="og:type" content="article">',
        '<meta property="og:url" content="https://example.org/stats/posts/week1/">',
        '<meta property="og:site_name" content="Stats 101">',
        '<meta name="twitter:card" content="summary">',
        '<link rel="icon" href="/stats/favicon.svg" type="image/svg+xml">',
    ):
        assert tag in html, tag
    assert '<meta property="og:title" content="Week 1: \u201cWhy\u201d statistics' in html


def test_footnotes_are_a_labelled_section(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"site.toml": SETTINGS, "content/posts/week1.md": POST})
    html = (build(site) / "posts/week1/index.html").read_text()
    opening = html[html.index('<section class="footnotes"') :]
    label = opening.split('aria-labelledby="', 1)[1].split('"', 1)[0]
    assert f'<h2 class="footnotes-title" id="{label}">Notes</h2>' in opening
    assert html.count(f'id="{label}"') == 1


def git(site: Path, *args: str, when: str = "2026-02-03T10:00:00+00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    identity = ["-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(["git", *identity, *args], cwd=site, env=env, check=True, capture_output=True)


def test_edit_this_page_and_last_updated_come_from_the_repository(tmp_path: Path) -> None:
    """The site in a folder of its repository: the edit link has the folder in its path; the
    last commit of the post is its "Last updated", which an uncommitted page lacks."""
    repository = tmp_path / "repo"
    site = write_files(
        repository / "course",
        {"site.toml": SETTINGS, "content/posts/week1.md": POST, "content/about.md": "# About\n"},
    )
    git(repository, "init", "-q")
    git(repository, "add", "course/site.toml", "course/content/posts/week1.md")
    git(repository, "commit", "-qm", "week 1")
    public = build(site)
    post = (public / "posts/week1/index.html").read_text()
    assert (
        '<a href="https://github.com/example/stats/edit/trunk/course/content/posts/week1.md">'
        "Edit this page</a>"
    ) in post
    assert '<time datetime="2026-02-03T10:00:00+00:00">3 February 2026</time>' in post
    about = (public / "about/index.html").read_text()
    assert "Last updated" not in about  # not committed yet, and no lastmod of its own
    assert "/edit/trunk/course/content/about.md" in about


def test_outside_a_repository_last_updated_is_the_front_matter_s_lastmod(
    tmp_path: Path,
) -> None:
    post = POST.replace("date = 2026-01-12", "date = 2026-01-12\nlastmod = 2026-03-01")
    site = write_files(
        tmp_path / "site",
        {"site.toml": SETTINGS.replace("repository =", "# repository ="), "content/w.md": post},
    )
    html = (build(site) / "w/index.html").read_text()
    assert "Last updated <time" in html and "1 March 2026" in html
    assert "Edit this page" not in html
