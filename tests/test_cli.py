"""The real CLI in a subprocess: options, the summary, what publishes, output-folder safety."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from coursepress import __version__
from tests.conftest import run_cli, snapshot, write_files

POST = """+++
title = "{title}"
date = {date}
{extra}
+++

{body}
"""


def post(title: str, date: str = "2023-09-05", extra: str = "", body: str = "Text.") -> str:
    return POST.format(title=title, date=date, extra=extra, body=body)


def test_version_from_module_and_console_script(tmp_path: Path) -> None:
    assert run_cli("--version", cwd=tmp_path).stdout == f"coursepress, version {__version__}\n"
    script = Path(sysconfig.get_path("scripts")) / "coursepress"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout == f"coursepress, version {__version__}\n"


def test_a_site_without_site_toml_builds_with_defaults(make_site) -> None:
    site = make_site({"content/posts/a.md": post("Hello")})
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    home = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in home
    assert '<a href="/posts/a/">Hello</a>' in home
    assert (site / "public" / "posts" / "a" / "index.html").is_file()


def test_summary_names_every_page_left_out(make_site) -> None:
    site = make_site(
        {
            "content/posts/ready.md": post("Ready"),
            "content/posts/draft.md": post("Draft", extra="draft = true"),
            "content/posts/later.md": post("Later", date="2999-01-01T09:00:00"),
            "content/posts/gone.md": post("Gone", extra="expirydate = 2020-01-01"),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Built public/ in ")
    assert lines[0].endswith(
        " s: 7 pages, 22 other files, 0 warnings."
    )  # page/1/ redirects, the math font, the scripts, the search index
    assert lines[1:] == [
        "Left out 1 draft (use --drafts to include):",
        "  content/posts/draft.md",
        "Left out 1 future-dated page (use --future to include):",
        "  content/posts/later.md (goes live 2999-01-01 09:00 UTC)",
        "Left out 1 expired page:",
        "  content/posts/gone.md (expired 2020-01-01 00:00 UTC)",
    ]
    public = site / "public" / "posts"
    assert sorted(p.name for p in public.iterdir() if p.is_dir() and p.name != "page") == ["ready"]


def test_drafts_and_future_flags_include_them_but_expired_never(make_site) -> None:
    site = make_site(
        {
            "content/posts/draft.md": post("Draft", extra="draft = true"),
            "content/posts/later.md": post("Later", date="2999-01-01"),
            "content/posts/gone.md": post("Gone", extra="expirydate = 2020-01-01"),
        }
    )
    result = run_cli("build", "--drafts", "--future", cwd=site)
    assert result.returncode == 0, result.stderr
    posts = site / "public" / "posts"
    assert sorted(p.name for p in posts.iterdir() if p.is_dir() and p.name != "page") == [
        "draft",
        "later",
    ]
    assert "Left out 1 expired page:" in result.stdout


def test_naive_dates_are_read_in_the_site_time_zone(make_site) -> None:
    """A post dated an hour ago on the site's clock publishes, wherever the machine is."""
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        local_now = datetime.now(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
        site = make_site(
            {
                "site.toml": f'timezone = "{zone}"\n',
                "content/posts/past.md": post(
                    "Past", date=(local_now - timedelta(hours=1)).isoformat()
                ),
                "content/posts/soon.md": post(
                    "Soon", date=(local_now + timedelta(hours=1)).isoformat()
                ),
            }
        )
        result = run_cli("build", "--output", str(site / zone.replace("/", "-")), cwd=site)
        assert result.returncode == 0, result.stderr
        assert "Left out 1 future-dated page" in result.stdout
        assert "content/posts/soon.md" in result.stdout
        assert "content/posts/past.md" not in result.stdout


def test_source_and_output_options(tmp_path: Path) -> None:
    site = write_files(tmp_path / "course", {"content/posts/a.md": post("A")})
    result = run_cli("build", "--source", "course", "--output", "out/site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "site" / "posts" / "a" / "index.html").is_file()
    assert not (site / "public").exists()
    assert result.stdout.startswith("Built out/site/ in ")


def test_quiet_prints_only_warnings(make_site) -> None:
    site = make_site({"content/posts/a.md": "# Heading only\n"})
    result = run_cli("build", "--quiet", cwd=site)
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == (
        'content/posts/a.md:1: warning: no title in the front matter; using "Heading only"\n'
        '  hint: add a line such as title = "Week 1: Introduction" to the front matter\n'
    )


def test_strict_makes_warnings_fatal_and_keeps_the_old_site(make_site) -> None:
    site = make_site({"content/posts/a.md": post("A", body="```angular2html\n<p>x</p>\n```\n")})
    assert run_cli("build", cwd=site).returncode == 0
    before = snapshot(site / "public")
    result = run_cli("build", "--strict", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "content/posts/a.md:7: unknown code language 'angular2html'; "
        "the block is shown without highlighting\n"
        "  hint: did you mean 'ng2'? (see pygments.org/docs/lexers)\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    assert snapshot(site / "public") == before


def test_warning_for_unknown_language_names_file_and_line(make_site) -> None:
    body = "Intro.\n\n```pythn\nprint(1)\n```\n"
    site = make_site({"content/posts/a.md": post("A", body=body)})
    result = run_cli("build", cwd=site)
    assert result.returncode == 0
    assert result.stderr.startswith(
        "content/posts/a.md:9: warning: unknown code language 'pythn'; "
        "the block is shown without highlighting\n  hint: did you mean 'python'?"
    )
    assert "1 warning." in result.stdout
    page = (site / "public" / "posts" / "a" / "index.html").read_text(encoding="utf-8")
    assert '<pre><code class="language-pythn">print(1)\n</code></pre>' in page


def test_refuses_to_empty_a_folder_it_did_not_create(make_site) -> None:
    site = make_site({"content/posts/a.md": post("A"), "public/thesis.tex": "my only copy\n"})
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "public/: this folder was not created by coursepress, so it will not be emptied\n"
        "  hint: move its files elsewhere, or pass --output with another folder\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    assert (site / "public" / "thesis.tex").read_text() == "my only copy\n"


def test_refuses_to_write_over_the_sources(make_site) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    for output in (".", "content", ".."):
        result = run_cli("build", "--output", output, cwd=site)
        assert result.returncode == 1, output
        assert "holds the site's own sources" in result.stderr
    assert (site / "content" / "posts" / "a.md").is_file()


def test_rebuild_replaces_its_own_output(make_site) -> None:
    site = make_site({"content/posts/a.md": post("A"), "content/posts/b.md": post("B")})
    assert run_cli("build", cwd=site).returncode == 0
    (site / "content" / "posts" / "b.md").unlink()
    assert run_cli("build", cwd=site).returncode == 0
    assert not (site / "public" / "posts" / "b").exists()
    assert (site / "public" / "posts" / "a" / "index.html").is_file()
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".public")]
    assert leftovers == []


def test_base_url_option_reaches_template_links(make_site) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    result = run_cli("build", "--base-url", "https://example.github.io/course", cwd=site)
    assert result.returncode == 0, result.stderr
    home = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert 'href="/course/css/style.css"' in home
    assert '<a href="/course/posts/a/">A</a>' in home


def test_front_matter_extras_reach_templates_as_params(make_site) -> None:
    site = make_site(
        {
            "content/posts/a.md": post(
                "A", extra='week = 3\nAuthor = "Ada"\n[params]\nlecture = 5\nweek = 9'
            ),
            "templates/single.html": (
                "{{ page.params.week }}|{{ page.params.lecture }}|"
                "{{ page.authors | map(attribute='name') | join(',') }}\n"
            ),
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    assert (site / "public/posts/a/index.html").read_text() == "3|5|Ada\n"


def test_footnote_ids_are_unique_across_pages(make_site) -> None:
    note = "Claim.[^1]\n\n[^1]: Source.\n"
    site = make_site(
        {"content/posts/a.md": post("A", body=note), "content/posts/b.md": post("B", body=note)}
    )
    assert run_cli("build", cwd=site).returncode == 0
    a = (site / "public/posts/a/index.html").read_text()
    b = (site / "public/posts/b/index.html").read_text()
    assert 'id="fn-posts-a-1"' in a and 'href="#fnref-posts-a-1"' in a
    assert 'id="fn-posts-b-1"' in b


def test_summary_is_the_first_paragraph_without_footnote_refs(make_site) -> None:
    body = "# Title in body\n\nFirst[^1] paragraph.\n\nSecond.\n\n[^1]: Note.\n"
    site = make_site({"content/posts/a.md": post("A", body=body)})
    assert run_cli("build", cwd=site).returncode == 0
    home = (site / "public/index.html").read_text()
    assert '<div class="summary"><p>First paragraph.</p></div>' in home


def test_a_summary_never_ends_in_a_colon(make_site) -> None:
    body = "We cover three things:\n\n- attention\n- transformers\n\nThen the rest.\n"
    site = make_site({"content/posts/a.md": post("A", body=body)})
    assert run_cli("build", cwd=site).returncode == 0
    home = (site / "public/index.html").read_text()
    assert (
        '<div class="summary"><p>We cover three things:</p>\n<ul>\n<li>attention</li>\n'
        "<li>transformers</li>\n</ul></div>"
    ) in home


def test_summary_stops_at_the_more_marker(make_site) -> None:
    body = "One.\n\nTwo.\n\n<!--more-->\n\nThree.\n"
    site = make_site({"content/posts/a.md": post("A", body=body)})
    assert run_cli("build", cwd=site).returncode == 0
    home = (site / "public/index.html").read_text()
    assert '<div class="summary"><p>One.</p>\n<p>Two.</p></div>' in home


def test_no_traceback_for_a_missing_source_folder(tmp_path: Path) -> None:
    result = run_cli("build", "--source", "nowhere", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "nowhere" in result.stderr


def test_module_runs_without_the_console_script(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coursepress", "build", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    for option in (
        "--source",
        "--output",
        "--drafts",
        "--future",
        "--base-url",
        "--strict",
        "--quiet",
    ):
        assert option in result.stdout


def test_a_static_file_at_a_page_path_is_reported_and_stylesheets_can_be_replaced(
    make_site,
) -> None:
    site = make_site(
        {
            "content/posts/a.md": post("A"),
            "static/index.html": "<p>old hand-written home page</p>\n",
            "static/css/syntax.css": "/* my own colours */\n",
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "static/css/syntax.css: info: this file replaces the generated css/syntax.css\n"
        "  hint: remove it to publish the one coursepress makes\n"
        "static/index.html: warning: this file is not published: "
        "the generated page index.html has the same path\n"
        "  hint: rename or remove the file\n"
    )
    assert "old hand-written" not in (site / "public/index.html").read_text()
    assert (site / "public/css/syntax.css").read_text() == "/* my own colours */\n"


def test_refuses_an_output_folder_inside_the_sources(make_site) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    result = run_cli("build", "--output", "static/site", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "static/site/: this output folder holds the site's own sources\n"
    )
    assert not (site / "static" / "site").exists()


def test_profile_prints_time_per_stage(make_site) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    result = run_cli("build", "--profile", "--jobs", "1", cwd=site)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    stages = [line.split()[0] for line in lines]
    assert stages == [
        "imports", "discover", "front", "markdown", "collect", "plan", "templates", "search",
        "write",
    ]  # fmt: skip
    assert "0 from the cache, 1 rendered" in lines[3]
    assert lines[0].endswith("modules loaded before the build began")


def test_the_summary_counts_notes_apart_from_warnings(make_site) -> None:
    site = make_site({"content/posts/a.md": post("A"), "static/robots.txt": "User-agent: *\n"})
    result = run_cli("build", cwd=site)
    assert result.returncode == 0
    assert result.stdout.split("\n")[0].endswith(" s: 7 pages, 22 other files, 0 warnings, 1 note.")
