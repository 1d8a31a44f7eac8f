"""A Hugo site's folder builds as it is: its config, front matter, shortcodes and layout, with
every message checked word for word. (tests/test_hugo_differential.py compares with Hugo.)"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_cli

Maker = Callable[[dict[str, str | bytes]], Path]

HUGO_TOML = """\
baseURL = "https://example.github.io/ml/"
title = "ML"
languageCode = "en-us"
theme = "ananke"
timeZone = "America/New_York"
summaryLength = 5
[pagination]
  pagerSize = 2
[params]
  Term = "Fall 2023"
[permalinks.page]
  posts = "/:year/:slug/"
[markup.goldmark.renderer]
  unsafe = true
"""


def post(front: str, body: str = "Text.") -> str:
    return f"+++\n{front}\n+++\n\n{body}\n"


def test_a_hugo_site_builds_with_its_config_and_says_what_it_ignored(make_site: Maker) -> None:
    site = make_site(
        {
            "hugo.toml": HUGO_TOML,
            "themes/ananke/theme.toml": "",
            "content/posts/class1.md": post('title = "Class 1: Intro"\ndate = "03 Sep 2023"'),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "hugo.toml: info: read as the site's settings (there is no site.toml): hugo.toml\n"
        "  hint: `coursepress init --from-hugo .` writes the equivalent site.toml\n"
        "hugo.toml: info: not used by coursepress: markup, theme\n"
        "themes/: info: the Hugo theme 'ananke' and themes/: not used, coursepress builds with "
        "its own theme (Go templates are not run)\n"
        "  hint: to change the look, put Jinja templates in templates/ (see Templates in the "
        "README)\n"
    )
    page = (site / "public/2023/class-1-intro/index.html").read_text()
    assert '<link rel="canonical" href="https://example.github.io/ml/2023/class-1-intro/">' in page


def test_config_folder_and_yaml(make_site: Maker) -> None:
    site = make_site(
        {
            "config/_default/hugo.yaml": "baseURL: https://x.org/c/\ntitle: From YAML\n",
            "config/_default/params.yaml": "term: Spring\n",
            "content/about.md": post('title = "About"', 'Term: {{< param "term" >}}.'),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "From YAML" in (site / "public/index.html").read_text()
    assert "<p>Term: Spring.</p>" in (site / "public/about/index.html").read_text()


def test_a_broken_hugo_config_names_its_file_and_line(make_site: Maker) -> None:
    site = make_site({"hugo.toml": 'title = "ML"\nbaseURL = https://x.org/\n', "content/a.md": ""})
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "hugo.toml:2: invalid TOML: invalid value\n"
        '  hint: put text values in double quotes: `baseURL = "https://x.org/"`\n'
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_a_wrong_hugo_value_is_reported_at_its_line(make_site: Maker) -> None:
    site = make_site({"hugo.toml": 'title = "ML"\ntimeZone = "Mars/Base"\n', "content/a.md": ""})
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "hugo.toml:2: Config value 'timezone': unknown time zone 'Mars/Base'\n"
        "  hint: use an IANA name such as 'America/New_York', 'Europe/Berlin' or 'UTC'; in "
        "Hugo's config the key may be spelled differently\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_init_from_hugo_writes_site_toml(make_site: Maker) -> None:
    site = make_site({"hugo.toml": HUGO_TOML, "content/a.md": post('title = "A"')})
    result = run_cli("init", "--from-hugo", str(site), cwd=site.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"created {site.as_posix()}/site.toml from {site.as_posix()}/hugo.toml\n"
        "not carried over (coursepress does not use them): markup, theme\n"
        "the Hugo theme 'ananke': not used, coursepress builds with its own theme (Go templates "
        "are not run)\n"
        f"\nNext: coursepress build --source {site.as_posix()}\n"
    )
    written = tomllib.loads((site / "site.toml").read_text())
    assert written == {
        "base_url": "https://example.github.io/ml/",
        "title": "ML",
        "language": "en-us",
        "timezone": "America/New_York",
        "summary_length": 5,
        "paginate": 2,
        "params": {"term": "Fall 2023"},
        "permalinks": {"posts": "/:year/:slug/"},
    }
    again = run_cli("init", "--from-hugo", str(site), cwd=site.parent)
    assert again.returncode == 1
    assert again.stderr == (
        f"{site.as_posix()}/site.toml: this folder already has a site.toml; nothing was written\n"
        "  hint: coursepress uses site.toml when there is one; remove it to convert again\n"
        "init failed with 1 error; nothing was written\n"
    )
    built = run_cli("build", cwd=site)  # site.toml now decides: no Hugo notes
    assert built.returncode == 0 and "hugo.toml" not in built.stderr, built.stderr


def test_init_from_hugo_without_a_hugo_config(tmp_path: Path) -> None:
    result = run_cli("init", "--from-hugo", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"{tmp_path.as_posix()}/: no Hugo config here; nothing was written\n"
        "  hint: looked for hugo.toml, hugo.yaml, hugo.yml, hugo.json, config.toml, "
        "config.yaml, config.yml, config.json and config/_default/\n"
        "init failed with 1 error; nothing was written\n"
    )


def test_hugo_front_matter(make_site: Maker) -> None:
    site = make_site(
        {
            "hugo.toml": 'baseURL = "/"\ntitle = "ML"\n',
            "content/syllabus.md": post(
                'title = "The course syllabus"\nlinkTitle = "Syllabus"\nmenu = "main"'
            ),
            "content/posts/a.md": post(
                'Title = "A"\nDate = 2023-09-01\nCategories = ["Lectures"]\nDifficulty = "easy"'
            ),
            "content/posts/later.md": post(
                'title = "L"\ndate = 2023-09-01\npublishDate = 2099-01-01'
            ),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "content/posts/later.md (goes live 2099-01-01 00:00 UTC)" in result.stdout
    public = site / "public"
    assert (public / "categories/lectures/index.html").is_file()
    assert not (public / "posts/later").exists()
    assert ">Syllabus</a>" in (public / "index.html").read_text()


def test_shortcode_messages(make_site: Maker) -> None:
    site = make_site(
        {
            "content/posts/a.md": post(
                'title = "A"\ndate = 2023-09-01',
                'See [b]({{< ref "missing.md" >}}).\n\n'
                '{{< tweet user="x" >}}\n\n{{< param "nope" >}}',
            ),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0
    assert result.stderr == (
        "content/posts/a.md:6: warning: ref 'missing.md' names no page that publishes\n"
        "  hint: give the path of a page under content/, such as posts/week1.md\n"
        "content/posts/a.md:8: warning: unknown Hugo shortcode 'tweet': it is shown in the page "
        "as written\n"
        "  hint: coursepress renders figure, youtube, vimeo, highlight, details, ref, relref and "
        "param; write the rest as Markdown or HTML, or as a Jinja template at "
        "templates/shortcodes/tweet.html\n"
        "content/posts/a.md:10: warning: param 'nope' is not set\n"
        "  hint: set it in the page's front matter or in [params] of site.toml "
        '({{< param "nope" >}})\n'
    )


def test_check_resolves_refs_as_the_build_does(make_site: Maker) -> None:
    site = make_site(
        {
            "content/posts/a.md": post('title = "A"\ndate = 2023-09-01'),
            "content/posts/b.md": post(
                'title = "B"\ndate = 2023-09-02', 'See [a]({{< relref "a.md" >}}).'
            ),
        }
    )
    result = run_cli("check", cwd=site)
    assert result.returncode == 0, result.stdout
    assert "unknown-reference" not in result.stdout
    assert run_cli("build", cwd=site).returncode == 0
    assert '<a href="/posts/a/">a</a>' in (site / "public/posts/b/index.html").read_text()


def test_hugo_permalinks_in_both_forms_at_once(make_site: Maker) -> None:
    site = make_site(
        {
            "hugo.toml": 'title = "ML"\n[permalinks]\nposts = "/p/:slug/"\n'
            '[permalinks.section]\nposts = "/all-posts/"\n',
            "content/posts/a.md": post('title = "Alpha"\ndate = 2023-09-01'),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "not used by coursepress: permalinks.section\n" in result.stderr
    assert (site / "public/p/alpha/index.html").is_file()


def test_serve_rebuilds_when_hugo_config_changes() -> None:
    from pathlib import PurePosixPath

    from coursepress.serve.session import _is_watched

    published = frozenset({"static", "docs/slides"})
    for name in ("hugo.toml", "config.yaml", "config/_default/params.toml", "site.toml"):
        assert _is_watched(PurePosixPath(name), published), name
    assert _is_watched(PurePosixPath("docs/slides/week1.pdf"), published)
    assert not _is_watched(PurePosixPath("docs/notes.md"), published)
    assert not _is_watched(PurePosixPath("notes.toml"), published)


def test_two_pages_at_one_url_publish_one_with_a_warning(make_site: Maker) -> None:
    # A copied post whose slug was kept: Hugo writes both and keeps whichever it writes last.
    copy = '+++\ntitle = "{title}"\nslug = "intro"\ndate = 2023-09-0{day}\n+++\n{title} text.\n'
    site = make_site(
        {
            "content/posts/week1.md": copy.format(title="Week 1", day=1),
            "content/posts/week1-copy.md": copy.format(title="Copy", day=2),
        }
    )
    warning = (
        "content/posts/week1.md:3: {level}this page is not published: "
        "content/posts/week1-copy.md has the same URL /posts/intro/\n"
        "  hint: change `slug` in the front matter of one of them\n"
    )
    build = run_cli("build", cwd=site)
    assert build.returncode == 0
    assert build.stderr == warning.format(level="warning: ")
    assert "Copy text." in (site / "public/posts/intro/index.html").read_text()
    strict = run_cli("build", "--strict", cwd=site)
    assert (strict.returncode, strict.stderr) == (
        1,
        warning.format(level="") + "build failed with 1 error; the previous site is unchanged\n",
    )
    for level, status in (("error", 1), ("off", 0)):
        (site / "site.toml").write_text(f'[check.severity]\nduplicate-url = "{level}"\n')
        assert run_cli("build", cwd=site).returncode == status
        assert run_cli("check", cwd=site).returncode == status


def test_a_hugo_site_keeps_its_rss_feeds_at_hugos_urls(make_site: Maker) -> None:
    import xml.etree.ElementTree as ElementTree

    site = make_site(
        {
            "hugo.toml": HUGO_TOML,
            "content/posts/a.md": '+++\ntitle = "A & B"\ndate = 2023-09-05\ntags = ["ml"]\n+++\n'
            "First <em>words</em>.\n",
        }
    )
    assert run_cli("build", cwd=site).returncode == 0, "build"
    public = site / "public"
    for feed in ("index.xml", "posts/index.xml", "tags/ml/index.xml"):
        channel = ElementTree.parse(public / feed).getroot().find("channel")
        assert channel is not None
        item = channel.find("item")
        assert item is not None and item.findtext("title") == "A & B"
        assert item.findtext("link") == "https://example.github.io/ml/2023/a-b/"
        assert item.findtext("pubDate") == "Tue, 05 Sep 2023 00:00:00 -0400"
        assert item.findtext("description") == "<p>First <em>words</em>.</p>"
    assert (public / "feed.xml").is_file()  # and Atom, as before
    home = (public / "index.html").read_text()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="ML" href="/ml/index.xml">' in home
    )


def test_feed_formats_are_a_setting(make_site: Maker) -> None:
    post = '+++\ntitle = "A"\ndate = 2023-09-05\n+++\nA.\n'
    site = make_site({"content/posts/a.md": post})
    settings = 'title = "T"\nbase_url = "https://x.org/"\n'
    (site / "site.toml").write_text(settings + 'feeds = ["rss"]\n')
    assert run_cli("build", cwd=site).returncode == 0
    assert (site / "public/index.xml").is_file() and not (site / "public/feed.xml").exists()
    (site / "site.toml").write_text(settings + 'feeds = ["json"]\n')
    result = run_cli("build", cwd=site)
    assert result.stderr == (
        'site.toml:3: Config value \'feeds\': expected a list of feed formats, "atom" or "rss"\n'
        '  hint: for example feeds = ["atom", "rss"]\n'
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_a_committed_hugo_public_folder_is_kept_and_the_first_build_succeeds(
    tmp_path: Path,
) -> None:
    import shutil
    import subprocess

    from tests.conftest import snapshot
    from tests.test_hugo_differential import FIXTURES, hugo_command

    site = tmp_path / "course"
    shutil.copytree(FIXTURES / "course", site)
    hugo = subprocess.run([*hugo_command(), "--source", str(site)], capture_output=True)
    assert hugo.returncode == 0
    built_by_hugo = snapshot(site / "public")
    original = (site / "content/posts/class2.md").read_text()
    # A copied post, its slug and aliases kept.
    (site / "content/posts/copy.md").write_text(original.replace("---\n", "---\nslug: class2\n", 1))
    first = run_cli("build", "--quiet", cwd=site)
    assert first.returncode == 0, first.stderr
    assert (
        "public/ was built by Hugo 0.168.0; it is kept, whole, as public.hugo/, and coursepress "
        "wrote its own public/\n"
    ) in first.stderr
    assert "content/posts/copy.md:2: warning: this page is not published" in first.stderr
    assert snapshot(site / "public.hugo") == built_by_hugo  # nothing lost
    assert (site / "public/.coursepress").is_file()
    assert run_cli("build", "--quiet", cwd=site).returncode == 0  # and again, as usual
    assert sorted(p.name for p in site.iterdir() if p.name.startswith("public")) == [
        "public",
        "public.hugo",
    ]
    (site / "other").mkdir()
    (site / "other/index.html").write_text('<meta name="generator" content="Hugo 0.1">\n')
    (site / "other/notes.md").write_text("# my notes\n")  # a source file: not a generator's
    refused = run_cli("build", "-o", "other", cwd=site)
    assert refused.returncode == 1
    assert "other/: this folder was not created by coursepress" in refused.stderr


def test_a_declared_main_menu_is_the_header(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'title = "T"\n[[menus.main]]\nname = "Syllabus"\npageRef = "syllabus"\n'
            '[[menus.main]]\nname = "Forum"\nurl = "https://forum.example.edu/"\nweight = 5\n',
            "content/syllabus.md": '+++\ntitle = "Syllabus"\n+++\nRules.\n',
            "content/images/test.md": '+++\ntitle = "Test"\n+++\nA stray folder.\n',
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    header = (
        (site / "public/index.html")
        .read_text()
        .split('<nav class="site-nav" aria-label="Site">')[1]
    )
    links = header.split("</nav>")[0]
    assert ">Syllabus<" in links and ">Forum<" in links and "Images" not in links
    assert links.index("Forum") < links.index("Syllabus")  # weight 5 before none
    (site / "site.toml").write_text('title = "T"\n[[menus.main]]\nurl = "/x/"\n')
    result = run_cli("build", cwd=site)
    assert result.stderr.startswith(
        "site.toml:2: Config value 'menus': an entry of menus.main has no name\n"
    )


def test_an_html_page_with_front_matter_is_a_page_as_in_hugo(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'title = "C"\nbase_url = "https://example.github.io/course/"\n'
            '[params]\ncourse = "CS 1"\n',
            "content/posts/lab.html": (
                '+++\ntitle = "Lab"\ndate = 2023-09-01\n+++\n'
                '<p>Use *stars* -- "as written" in {{< param "course" >}}.</p>\n'
                "<!--more-->\n"
                '<p>See <a href="/syllabus/">the syllabus</a>, <a href="/nowhere/">this</a> '
                'and <img src="/logo.png">.</p>\n<script>alert(1)</script>\n'
            ),
            "content/syllabus.md": post('title = "Syllabus"'),
            "content/posts/handout.html": "<!DOCTYPE html><p>Copied.</p>\n",
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    page = (site / "public/posts/lab/index.html").read_text()
    content = page.split('<div class="content">', 1)[1].split("</div>", 1)[0]
    assert content == (
        '\n\n<p>Use *stars* -- "as written" in CS 1.</p>\n\n'
        '<p>See <a href="/course/syllabus/">the syllabus</a>, <a href="/course/nowhere/">this'
        '</a> and <img src="/course/logo.png">.</p>\n<script>alert(1)</script>\n\n  '
    )
    listing = (site / "public/posts/index.html").read_text()
    assert '<p>Use *stars* -- "as written" in CS 1.</p>' in listing  # the summary
    assert (site / "public/posts/handout.html").read_text() == "<!DOCTYPE html><p>Copied.</p>\n"
    assert not (site / "public/posts/lab.html").exists()

    checked = run_cli("check", cwd=site)
    assert checked.stdout.split("\n\n")[0] == (
        "content/posts/lab.html\n"
        "  7:56    error   broken-link          the link /nowhere/ leads nowhere in the site\n"
        "                                       hint: check the path; links are written from "
        "the site root (/posts/week1/) or relative\n"
        "  7       warning image-no-alt         this <img> has no alt attribute\n"
        '                                       hint: add alt="what it shows" (or alt="" for '
        "decoration)\n"
        "  7:90    error   missing-image        the image /logo.png leads nowhere in the site\n"
        "                                       hint: check the path; links are written from "
        "the site root (/posts/week1/) or relative"
    )
    safe = run_cli("build", "--safe", cwd=site)
    assert safe.returncode == 0, safe.stderr
    assert "content/posts/lab.html:8: warning: safe mode removes <script>\n" in safe.stderr
    assert "<script>" not in (site / "public/posts/lab/index.html").read_text()


def test_folders_a_deploy_step_copied_are_published(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'static_dirs = ["static", "assets"]\n[publish]\ndocs = "/docs/"\n'
            'slides = "/lectures/slides/"\nmissing = "/gone/"\n',
            "static/logo.png": b"first: the later folder's file is published, as in Hugo",
            "assets/logo.png": b"png",
            "assets/fonts/a.woff2": b"font",
            "docs/syllabus.pdf": b"%PDF",
            "docs/notes/README.md": "# Copied as it is, not a page\n",
            "slides/week1/index.html": "<!DOCTYPE html><p>Deck</p>\n",
            "content/posts/a.md": post(
                'title = "A"\ndate = 2023-09-01',
                "[Syllabus](/docs/syllabus.pdf), [deck](/lectures/slides/week1/), "
                "![logo](/logo.png) and [missing](/docs/missing.pdf).",
            ),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    public = site / "public"
    assert (public / "logo.png").read_bytes() == b"png"
    assert (public / "fonts/a.woff2").read_bytes() == b"font"
    assert (public / "docs/syllabus.pdf").read_bytes() == b"%PDF"
    assert (public / "docs/notes/README.md").is_file()
    assert (public / "lectures/slides/week1/index.html").is_file()
    assert result.stderr == (
        "assets/logo.png: warning: static/logo.png is not published: this file has the same "
        "path /logo.png\n"
        "  hint: rename or remove one of them\n"
        "missing: warning: not published: this folder, which the site's settings name to "
        "publish (static_dirs or publish), does not exist\n"
        "  hint: create it, or take it out of the settings\n"
    )
    checked = run_cli("check", cwd=site)
    assert checked.stdout.count("broken-link") == 1, checked.stdout
    assert "the link /docs/missing.pdf leads nowhere" in checked.stdout

    inside = run_cli("build", "-o", "docs/site", cwd=site)
    assert inside.returncode == 1
    assert inside.stderr == (
        "docs/site/: this output folder holds the site's own sources\n"
        "  hint: choose a separate output folder, such as public/\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    assert not (site / "docs/site").exists()


def test_hugo_static_dirs_and_mounts_are_read(make_site: Maker) -> None:
    site = make_site(
        {
            "hugo.toml": 'title = "T"\nstaticDir = "assets"\n',
            "assets/a.txt": "a",
            "static/s.txt": "not published: staticDir replaces static",
            "content/_index.md": post('title = "T"'),
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    assert (site / "public/a.txt").is_file() and not (site / "public/s.txt").exists()
    (site / "hugo.toml").write_text(
        'title = "T"\n[module]\n  [[module.mounts]]\n    source = "assets"\n'
        '    target = "static/files"\n  [[module.mounts]]\n    source = "content"\n'
        '    target = "content"\n  [[module.mounts]]\n    source = "../shared"\n'
        '    target = "static"\n'
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "public/files/a.txt").is_file() and not (site / "public/s.txt").exists()
    assert (
        "hugo.toml: info: not used by coursepress: module.mounts (../shared → static), "
        "module.mounts (content → content)\n" in result.stderr
    )


def test_an_html_pages_summary_without_more(make_site: Maker) -> None:
    paragraphs = "<p>One two.</p>\n<p>Three four five.</p>\n<p>Six.</p>\n"
    site = make_site(
        {
            "content/posts/a.html": f'+++\ntitle = "A"\ndate = 2023-09-01\n+++\n{paragraphs}',
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    listing = (site / "public/posts/index.html").read_text()
    assert "<p>One two.</p>" in listing and "Three" not in listing  # the first paragraph
    (site / "site.toml").write_text("summary_length = 3\n")  # whole paragraphs to 3 words
    assert run_cli("build", cwd=site).returncode == 0
    listing = (site / "public/posts/index.html").read_text()
    assert "<p>One two.</p>\n<p>Three four five.</p>" in listing and "Six" not in listing


def test_published_folders_never_reach_sources_or_leave_the_site(
    make_site: Maker, tmp_path: Path
) -> None:
    site = make_site(
        {
            "site.toml": 'static_dirs = ["static", "a/posts", "g/refs", "plain"]\n',
            "content/posts/draft.md": post('title = "D"\ndraft = true', "SECRET"),
            "plain/ok.txt": "published",
            "content/lab/index.html": '+++\ntitle = "Lab"\ndraft = true\n+++\n<p>SECRET</p>\n',
            ".git/refs/heads/main": "0" * 40,
        }
    )
    (site / "a").symlink_to(site / "content")
    (site / "g").symlink_to(site / ".git")
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    public = site / "public"
    assert (public / "ok.txt").is_file()
    assert not any(
        "SECRET" in p.read_text(errors="ignore") for p in public.rglob("*") if p.is_file()
    )
    assert not (public / "heads").exists() and not (public / "draft.md").exists()
    assert result.stderr == (
        "a/posts: warning: not published: this folder, which the site's settings name to "
        "publish (static_dirs or publish), lies behind a symbolic link\n"
        "  hint: make it a plain folder of the site\n"
        "content/lab/index.html: warning: not published: an index.html with front matter would "
        "be copied with its front matter (a draft among them), and coursepress makes pages only "
        "of other .html files\n"
        "  hint: rename it to lab.html to make it a page, or take the front matter out to publish "
        "the file as it is\n"
        "g/refs: warning: not published: this folder, which the site's settings name to "
        "publish (static_dirs or publish), lies behind a symbolic link\n"
        "  hint: make it a plain folder of the site\n"
    )
    # A Hugo mount whose target climbs out of the output, or whose source is outside the
    # site, is named as not used, and nothing is written outside the output folder. (The
    # same site folder, now read as a Hugo site.)
    hugo = make_site(
        {
            "hugo.yaml": "title: T\nmodule:\n  mounts:\n    - source: docs\n"
            "      target: static/../../escape\n    - source: ../outside\n"
            "      target: static\n    - source: docs\n      target: static/docs\n"
            "staticDir: [docs]\n",
            "docs/f.txt": "f",
            "content/_index.md": post('title = "T"'),
        }
    )
    (hugo / "site.toml").unlink(missing_ok=True)
    built = run_cli("build", cwd=hugo)
    assert built.returncode == 0, built.stderr
    assert (hugo / "public/docs/f.txt").is_file()
    assert not (hugo / "public/f.txt").exists()  # the mounts replace staticDir, in any order
    assert not (tmp_path / "escape").exists() and not (hugo.parent / "escape").exists()
    assert "module.mounts (../outside → static), module.mounts (docs → static/../../escape)" in (
        built.stderr
    )
