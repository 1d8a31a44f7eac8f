"""Inputs that once broke the build or leaked a file: each stays fixed."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import run_cli, snapshot


def build(site: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("build", *args, cwd=site)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


def test_markdown_inside_a_page_bundle_is_never_copied(make_site) -> None:
    site = make_site(
        {
            "content/posts/index.md": '+++\ntitle = "Posts"\n+++\n',
            "content/posts/w1.md": '+++\ntitle = "W1"\ndraft = true\n+++\nSecret draft.\n',
        }
    )
    code, _, stderr = build(site)
    assert code == 0
    assert stderr == (
        "content/posts/w1.md: warning: not published: content/posts/index.md makes its folder "
        "a single page (a page bundle)\n"
        "  hint: to make the folder a section with a list of pages, rename index.md to _index.md\n"
    )
    published = snapshot(site / "public")
    assert not [name for name in published if name.endswith(".md")]
    assert not any(b"Secret draft" in data for data in published.values())


def test_pages_cannot_take_the_home_page_404_or_sitemap(make_site) -> None:
    for url, owner in (
        ("/", "the home page"),
        ("/404.html", "the 404 page"),
        ("/sitemap.xml", "the sitemap"),
    ):
        site = make_site(
            {
                # A sitemap lists absolute URLs: there is one only with a host in base_url.
                "site.toml": 'base_url = "https://example.org/"\n',
                "content/r.md": f'+++\ntitle = "R"\nurl = "{url}"\n+++\n',
            }
        )
        code, _, stderr = build(site)
        assert code == 1
        assert stderr.startswith(f"content/r.md:3: this page and {owner} have the same URL {url}\n")


def test_a_page_may_take_a_url_nothing_else_writes(make_site) -> None:
    """Without a host in base_url there is no sitemap, so /sitemap.xml is free."""
    site = make_site({"content/r.md": '+++\ntitle = "R"\nurl = "/sitemap.xml"\n+++\n'})
    code, _, stderr = build(site)
    assert (code, stderr) == (0, "")
    assert "<h1>R</h1>" in (site / "public" / "sitemap.xml").read_text(encoding="utf-8")


def test_a_url_that_leads_outside_is_refused_as_written(make_site) -> None:
    site = make_site({"content/r.md": '+++\ntitle = "R"\nurl = "/a/../../etc/"\n+++\n'})
    code, _, stderr = build(site)
    assert code == 1
    assert stderr.startswith("content/r.md:3: the url '/a/../../etc/' leads outside the site\n")


def test_a_slug_of_dots_stays_inside(make_site) -> None:
    site = make_site({"content/posts/p.md": '+++\ntitle = "P"\nslug = ".."\n+++\n'})
    code, _, _ = build(site)
    assert code == 0
    assert (site / "public/posts/page/index.html").is_file()


def test_aliases_write_redirect_pages(make_site) -> None:
    site = make_site(
        {"content/posts/new.md": '+++\ntitle = "New"\naliases = ["/old/week1/", "older"]\n+++\n'}
    )
    code, _, stderr = build(site, "--base-url", "https://example.github.io/course/")
    assert code == 0, stderr
    for alias in ("old/week1/index.html", "posts/new/older/index.html"):
        page = (site / "public" / alias).read_text()
        assert '<meta http-equiv="refresh" content="0; url=/course/posts/new/">' in page
        assert '<link rel="canonical" href="https://example.github.io/course/posts/new/">' in page


def test_an_alias_cannot_replace_a_page(make_site) -> None:
    site = make_site(
        {
            "content/posts/a.md": '+++\ntitle = "A"\n+++\n',
            "content/posts/b.md": '+++\ntitle = "B"\n\naliases = ["/posts/a/"]\n+++\n',
        }
    )
    code, _, stderr = build(site)
    assert code == 1
    assert stderr.startswith(
        "content/posts/b.md:4: the alias /posts/a/ is the URL of content/posts/a.md\n"
        "  hint: change `aliases` in the front matter of one of them\n"
    )


def test_weight_orders_lists_before_dates(make_site) -> None:
    site = make_site(
        {
            "content/posts/new.md": '+++\ntitle = "Newest"\ndate = 2024-03-01\n+++\n',
            "content/posts/first.md": '+++\ntitle = "Pinned"\ndate = 2020-01-01\nweight = 1\n+++\n',
            "content/posts/old.md": '+++\ntitle = "Oldest"\ndate = 2021-01-01\n+++\n',
        }
    )
    assert build(site)[0] == 0
    listing = (site / "public/posts/index.html").read_text()
    assert listing.index("Pinned") < listing.index("Newest") < listing.index("Oldest")


def test_template_runtime_errors_name_the_template(make_site) -> None:
    cases = {
        "{{ [].pop() }}": "IndexError: pop from empty list",
        "{{ 10.0 ** 1000 }}": "OverflowError:",
        '{% include "single.html" %}': "templates include or extend each other without end",
    }
    for expression, message in cases.items():
        site = make_site(
            {
                "content/a.md": '+++\ntitle = "A"\n+++\n',
                "templates/single.html": f"\n{expression}\n",
            }
        )
        code, _, stderr = build(site)
        assert code == 1
        assert message in stderr
        if "without end" not in message:
            assert stderr.startswith("templates/single.html:2: ")


def test_yaml_dates_out_of_range_and_empty_yaml(make_site) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\ndate: 2023-02-30\n---\n"})
    code, _, stderr = build(site)
    assert code == 1
    assert stderr.startswith("content/a.md:2: invalid YAML: day is out of range for month\n")
    site = make_site({"content/a.md": "---\n# nothing yet\n---\n# Heading\n"})
    code, _, stderr = build(site)
    assert code == 0
    assert 'using "Heading"' in stderr


def test_line_numbers_survive_blank_lines_in_front_matter(make_site) -> None:
    site = make_site({"content/a.md": "+++\n\n\ndraft = True\n+++\n"})
    code, _, stderr = build(site)
    assert code == 1
    assert stderr.startswith("content/a.md:4: invalid TOML: invalid value\n")


def test_front_matter_is_toml_1_0_as_hugo_reads_it(make_site) -> None:
    # TOML 1.1 allows a time without seconds; Hugo does not, so a post that builds here
    # must not fail there.
    site = make_site({"content/a.md": '+++\ntitle = "A"\nstarts = 10:30\n+++\n'})
    code, _, stderr = build(site)
    assert code == 1
    assert stderr.startswith("content/a.md:3: invalid TOML: ")


def test_display_math_inside_a_paragraph(make_site) -> None:
    site = make_site({"content/a.md": '+++\ntitle = "A"\n+++\nSee $$a_i + b_i$$ here.\n'})
    assert build(site)[0] == 0
    page = (site / "public/a/index.html").read_text()
    assert '<p>See <span class="math display"><math' in page
    assert "$" not in page.split("<main")[1]


def test_heading_ids_for_punctuation_and_theme_ids(make_site) -> None:
    body = "# !!!\n\n## ...\n\n## Main\n"
    site = make_site({"content/a.md": f'+++\ntitle = "A"\n+++\n{body}'})
    assert build(site)[0] == 0
    page = (site / "public/a/index.html").read_text()
    assert '<h2 id="heading">!!!</h2>' in page  # as Hugo names them
    assert '<h3 id="heading-1">…</h3>' in page
    assert page.count('id="main"') == 1 and page.count('id="cp-main"') == 1


def test_fallback_title_is_plain_text(make_site) -> None:
    site = make_site({"content/a.md": "# Hello *world* `code`\n"})
    assert build(site)[0] == 0
    assert (
        "<title>Hello world code · My Course</title>" in (site / "public/a/index.html").read_text()
    )


def test_broken_links_are_skipped_with_a_warning(make_site) -> None:
    site = make_site({"content/a.md": '+++\ntitle = "A"\n+++\n'})
    os.symlink(site / "missing.png", site / "content" / "broken.png")
    code, _, stderr = build(site)
    assert code == 0
    assert stderr.startswith("content/broken.png: warning: this is a broken link\n")


def test_names_no_file_system_stores_are_errors_at_the_page(make_site) -> None:
    site = make_site(
        {
            "content/a.md": f'+++\ntitle = "A"\nslug = "{"x" * 300}"\n+++\n',
            "content/b.md": f'+++\ntitle = "B"\ntags = ["{"é" * 128}"]\n+++\n',
        }
    )
    code, _, stderr = build(site)
    assert code == 1
    assert stderr == (
        f"content/a.md:3: the URL /{'x' * 50}…{'x' * 8}/ has a part of 300 bytes; no file "
        "system stores a name over 255\n"
        "  hint: shorten `slug` (a page with none is named after its file)\n"
        f"content/b.md:3: the URL /tags/{'é' * 45}…{'é' * 8}/ has a part of 256 bytes; no file "
        "system stores a name over 255\n"
        "  hint: shorten the name in `tags` in the front matter\n"
        "build failed with 2 errors; the previous site is unchanged\n"
    )
    assert "name-too-long" in run_cli("check", cwd=site).stdout


def test_os_errors_while_writing_are_explained(make_site) -> None:
    site = make_site({"content/a.md": '+++\ntitle = "A"\n+++\n', "afile": "x"})
    code, _, stderr = build(site, "--output", "afile/out")
    assert code == 1
    assert stderr == (
        "afile/out/: cannot write the site: afile is a file where a folder is needed\n"
        "  hint: move the file away, or pass --output with another folder\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_paths_are_shown_from_the_current_folder(tmp_path: Path) -> None:
    course = tmp_path / "courses" / "ml"
    (course / "content").mkdir(parents=True)
    (course / "content" / "bad.md").write_text('+++\ndate = "soon"\n+++\n')
    result = run_cli("build", "--source", "courses/ml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith('courses/ml/content/bad.md:2: cannot read the date "soon"\n')


def test_section_folders_with_spaces_get_url_safe_addresses(make_site) -> None:
    site = make_site({"content/My Notes/a.md": '+++\ntitle = "A"\n+++\n'})
    assert build(site)[0] == 0
    assert (site / "public/my-notes/index.html").is_file()
    assert (site / "public/my-notes/a/index.html").is_file()


def test_a_folder_that_is_not_a_site_is_refused(tmp_path: Path) -> None:
    code, _, stderr = build(tmp_path)
    assert code == 1
    assert stderr.startswith(
        "./: this folder has no content/ folder and no site.toml: it is not a coursepress site\n"
    )


def test_a_file_under_content_hiding_a_static_file_is_reported(make_site) -> None:
    site = make_site(
        {"content/a.md": '+++\ntitle = "A"\n+++\n', "static/a.txt": "s", "content/a.txt": "c"}
    )
    code, _, stderr = build(site)
    assert code == 0
    assert stderr.startswith(
        "content/a.txt: warning: static/a.txt is not published: "
        "this file has the same path /a.txt\n"
    )


def test_without_a_host_there_is_no_sitemap_and_no_canonical_link(make_site) -> None:
    site = make_site({"content/a.md": '+++\ntitle = "A"\n+++\n'})
    assert build(site)[0] == 0
    assert not (site / "public/sitemap.xml").exists()
    assert "canonical" not in (site / "public/a/index.html").read_text()
    assert build(site, "--base-url", "https://example.org/")[0] == 0
    assert "<loc>https://example.org/a/</loc>" in (site / "public/sitemap.xml").read_text()


def test_a_base_path_named_like_a_section_is_still_added(make_site) -> None:
    site = make_site({"content/posts/a.md": '+++\ntitle = "A"\n+++\n[B](/posts/b/)\n'})
    assert build(site, "--base-url", "https://example.github.io/posts/")[0] == 0
    page = (site / "public/posts/a/index.html").read_text()
    assert '<a href="/posts/posts/b/">B</a>' in page
    assert '<a href="/posts/posts/" aria-current="true">' in page


def test_odd_raw_html_does_not_crash_and_keeps_its_bytes(make_site) -> None:
    body = (
        "<div>\nArrays: a<![0] is odd\n</div>\n\n"
        "<a HREF=/x.png TITLE='t'>x</a> <a href=\"/s/?q=1&section=2&amp;p=3\">s</a>\n\n"
        "<!--more-->\n\nRest\n"
    )
    site = make_site({"content/a.md": f'+++\ntitle = "A"\n+++\n{body}'})
    assert build(site, "--base-url", "https://example.github.io/c/")[0] == 0
    page = (site / "public/a/index.html").read_text()
    assert "Arrays: a<![0] is odd" in page
    assert "<a HREF=/c/x.png TITLE='t'>x</a>" in page
    assert '<a href="/c/s/?q=1&section=2&amp;p=3">s</a>' in page


def test_a_url_too_long_for_a_path_on_disk_is_an_error_at_the_page(make_site) -> None:
    url = "/" + "/".join(["b" * 240] * 14) + "/"
    site = make_site({"content/a.md": f'+++\ntitle = "A"\nurl = "{url}"\n+++\n'})
    code, _, stderr = build(site)
    assert code == 1
    assert stderr == (
        f"content/a.md:3: the URL /{'b' * 50}…{'b' * 8}/ makes a path of 3384 bytes; a "
        "file's path may not be longer than 3072 here (4,096 with the output folder's)\n"
        "  hint: shorten `url` (a page with none is named after its file)\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    assert "name-too-long" in run_cli("check", cwd=site).stdout
