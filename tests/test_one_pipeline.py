"""One pipeline: every output has one owner in one plan, every template link leads to a page
the plan writes, and `check` (the build in a mode that writes nothing) reports everything
`build` reports."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.browser import static_server
from tests.conftest import run_cli, write_files
from tests.crawl import crawl
from tests.test_golden_sites import copy_demo

FIXTURES = Path(__file__).parent / "fixtures"
# `path:line: message` or `path:line: warning: message`, as build prints them.
_PRINTED = re.compile(
    r"^(?P<path>[^\s:][^:]*?)(?::(?P<line>\d+))?: (?:(?:warning|info): )?(?P<text>.+)$"
)


def _post(title: str, extra: str = "", body: str = "") -> str:
    return f'+++\ntitle = "{title}"\ndate = 2023-09-05\n{extra}+++\nText of {title}.\n{body}'


def _build_diagnostics(stderr: str) -> set[tuple[str, int | None, str]]:
    found = set()
    for line in stderr.splitlines():
        match = _PRINTED.match(line)
        if match and not line.startswith(("  ", "build failed", "Built ", "Left out")):
            number = int(match["line"]) if match["line"] else None
            found.add((match["path"], number, match["text"]))
    return found


def _check_diagnostics(site: Path) -> set[tuple[str, int | None, str]]:
    result = run_cli("check", "--format", "json", cwd=site)
    if result.returncode and not result.stdout.strip():  # the config itself is wrong
        return _build_diagnostics(result.stderr)
    return {(d["path"], d["line"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]}


def _fixture_sites() -> list[Path]:
    inputs = [
        path / "input"
        for kind in ("sites", "errors", "check")
        for path in (FIXTURES / kind).iterdir()
    ]
    inputs += [path for path in (FIXTURES / "hugo").iterdir() if path.is_dir()]
    return sorted(path for path in inputs if path.is_dir())


@pytest.mark.parametrize(
    "case", _fixture_sites(), ids=lambda path: "/".join(path.relative_to(FIXTURES).parts[:2])
)
def test_check_reports_everything_build_reports(case: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(case, site)
    built = run_cli("build", "--output", str(tmp_path / "public"), cwd=site)
    assert "Traceback" not in built.stderr, built.stderr
    reported = _build_diagnostics(built.stderr)
    assert reported or built.returncode == 0  # a failed build names what failed
    assert reported <= _check_diagnostics(site)


def test_check_reports_everything_build_reports_on_the_demo(tmp_path: Path) -> None:
    site = copy_demo(tmp_path / "demo")
    built = run_cli("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert _build_diagnostics(built.stderr) <= _check_diagnostics(site)


def test_the_property_can_fail() -> None:
    """The parser above sees build's lines: an empty set would make the property hold always."""
    printed = "content/a.md:3: warning: no title\n  hint: add one\nBuilt public/ in 0.1 s\n"
    assert _build_diagnostics(printed) == {("content/a.md", 3, "no title")}


def test_build_and_check_fail_alike_when_outputs_collide(make_site) -> None:
    """A static file where a page writes and two outputs that differ only in letter case."""
    site = make_site(
        {
            "content/posts/a.md": _post("A"),
            "content/posts/Notes.md": _post("Upper", 'url = "/posts/Notes/"\n'),
            "content/posts/notes.md": _post("Lower"),
            "static/posts/a/index.html": "<p>static</p>\n",
        }
    )
    build = run_cli("build", "--strict", cwd=site)
    check = run_cli("check", "--strict", cwd=site)
    assert build.returncode == check.returncode == 1
    assert "No problems" not in check.stdout
    for code in ("hidden-file", "case-collision"):
        assert code in check.stdout


def _crawl_site(site: Path, tmp_path: Path) -> list[str]:
    base_url = "https://example.github.io/course/"
    public = tmp_path / "public"
    result = run_cli("build", "--base-url", base_url, "--output", str(public), cwd=site)
    assert result.returncode == 0, result.stderr
    with static_server(public, mount="/course/") as origin:
        report = crawl(origin, ["/course/", "/course/404.html"], base_url)
    return report.broken + report.missing_fragments()


def test_template_links_lead_to_pages_the_plan_writes(make_site, tmp_path: Path) -> None:
    """A capitalised author id, an author who writes no post (only a top-level page), the
    site's default author on a page with none, tags on a top-level page, and a section named
    like a taxonomy the site does not use."""
    site = make_site(
        {
            "site.toml": (
                'title = "Course"\nbase_url = "https://example.github.io/course/"\n'
                'author = "Course staff"\n[authors.Ana]\nname = "Ana Lima"\n'
                '[authors.Bo]\nname = "Bo Chen"\n'
            ),
            "content/posts/a.md": _post("A", 'authors = ["Ana"]\ntags = ["ML"]\n'),
            "content/posts/b.md": _post("B"),
            "content/about.md": _post("About", 'authors = ["Bo"]\ntags = ["Admin"]\n'),
            "content/syllabus.md": _post("Syllabus"),
            "content/categories/_index.md": '+++\ntitle = "Categories"\n+++\nA section.\n',
            "content/categories/one.md": _post("One"),
        }
    )
    assert _crawl_site(site, tmp_path) == []
    public = tmp_path / "public"
    assert (public / "authors" / "ana" / "index.html").is_file()
    assert not (public / "authors" / "Ana").exists()
    about = (public / "about" / "index.html").read_text(encoding="utf-8")
    assert 'href="/course/authors/bo/"' in about
    assert 'href="/course/tags/admin/"' in about
    syllabus = (public / "syllabus" / "index.html").read_text(encoding="utf-8")
    assert 'href="/course/authors/course-staff/"' in syllabus


def test_the_demo_links_only_to_pages_it_writes(tmp_path: Path) -> None:
    site = copy_demo(tmp_path / "demo")
    assert _crawl_site(site, tmp_path) == []


def test_two_authors_at_one_url_are_reported(make_site) -> None:
    site = make_site(
        {
            "site.toml": '[authors.Ana]\nname = "Ana Lima"\n[authors.ana]\nname = "Ana Other"\n',
            "content/posts/a.md": _post("A", 'authors = ["Ana", "ana"]\n'),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "site.toml:3: the authors page 'Ana Other' and the authors page 'Ana Lima' have the "
        "same URL /authors/ana/\n"
        "  hint: give the authors in [authors] ids that differ in more than letter case\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_templates_see_params_as_written(make_site) -> None:
    """The proxies that record body reads wrap only records: lists stay lists, tables print
    and serialise as they did."""
    site = make_site(
        {
            "content/a.md": _post("A", 'colors = ["red", "blue"]\n[extra]\nk = 1\n'),
            "templates/single.html": (
                "{{ page.params.colors }}|{{ page.params.colors == ['red', 'blue'] }}|"
                "{{ page.params.extra | tojson }}|{{ page.terms }}\n"
            ),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "public/a/index.html").read_text(encoding="utf-8") == (
        '[&#39;red&#39;, &#39;blue&#39;]|True|{"k": 1}|'
        "{&#39;tags&#39;: (), &#39;categories&#39;: ()}\n"
    )


def test_a_clash_with_what_coursepress_makes_cannot_be_silenced(make_site) -> None:
    site = make_site(
        {
            "site.toml": '[check.severity]\nreserved-url = "off"\n',
            "content/posts/a.md": _post("A"),
            "content/posts/d.md": _post("D", 'url = "/posts/page/1/"\n'),
        }
    )
    assert run_cli("build", cwd=site).returncode == 1
    assert "reserved-url" in run_cli("check", cwd=site).stdout


def test_a_file_where_a_page_needs_a_folder(make_site) -> None:
    site = make_site({"content/posts/a.md": _post("A"), "static/posts/a": "a file, not a folder\n"})
    build = run_cli("build", cwd=site)
    assert build.returncode == 0, build.stderr
    assert build.stderr == (
        "static/posts/a: warning: this file is not published: content/posts/a.md needs a "
        "folder at its path\n  hint: rename or remove the file\n"
    )
    assert (site / "public/posts/a/index.html").is_file()
    assert "hidden-file" in run_cli("check", cwd=site).stdout
    write_files(site, {"content/r.md": _post("R", 'url = "/robots.txt"\n')})
    build = run_cli("build", cwd=site)
    assert build.returncode == 1
    assert build.stderr.startswith(
        "content/r.md:4: this page and robots.txt have the same URL /robots.txt\n"
    )


def test_check_lints_what_shortcodes_render(make_site) -> None:
    site = make_site(
        {"content/posts/a.md": _post("A", body='\n{{< figure src="/images/nope.png" >}}\n')}
    )
    result = run_cli("check", cwd=site)
    assert "  7:17    error   missing-image        the image /images/nope.png" in result.stdout


def test_templates_from_the_old_theme_still_build(make_site) -> None:
    site = make_site(
        {
            "content/a.md": _post("A", 'tags = ["Deep Learning"]\n'),
            "templates/single.html": "{% for t in page.tags %}/{{ t | urlize_term }}/{% endfor %}",
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    assert (site / "public/a/index.html").read_text() == "/deep-learning/"


def test_an_author_id_in_another_letter_case_is_the_same_author(make_site) -> None:
    site = make_site(
        {
            "site.toml": '[authors.Ana]\nname = "Ana Lima"\n',
            "content/posts/a.md": _post("A", 'authors = ["ana"]\n'),
            "content/posts/b.md": _post("B", 'authors = ["Ana"]\n'),
        }
    )
    result = run_cli("build", cwd=site)
    assert (result.returncode, result.stderr) == (0, "")
    assert "Ana Lima" in (site / "public/posts/a/index.html").read_text(encoding="utf-8")
    assert "(2)" in (site / "public/authors/index.html").read_text(encoding="utf-8")


def test_a_clash_with_braces_in_its_message_is_reported(make_site) -> None:
    site = make_site(
        {
            "content/a.md": _post("A", 'url = "/a{x}/"\n'),
            "content/b.md": _post("B", 'aliases = ["/a{x}/"]\n'),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the alias /a{x}/ is the URL of content/a.md" in result.stderr


def test_two_pages_with_one_alias_publish_one_redirect_with_a_warning(make_site) -> None:
    site = make_site(
        {
            "content/posts/a.md": _post("A", 'aliases = ["/old/"]\n'),
            "content/posts/b.md": _post("B", 'aliases = ["/old/"]\n'),
        }
    )
    build = run_cli("build", cwd=site)
    assert build.returncode == 0
    assert build.stderr == (
        "content/posts/b.md:4: warning: this redirect is not published: the alias /old/ of "
        "content/posts/a.md has the same URL /old/\n"
        "  hint: change `aliases` in the front matter of one of them\n"
    )
    assert "/posts/a/" in (site / "public/old/index.html").read_text()
