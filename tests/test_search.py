"""Search: Pagefind's index of post and page bodies, used in real Chromium under a sub-path,
with every request kept on the site's own origin; and the build without the program."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.browser import chromium_page, static_server
from tests.conftest import run_cli, write_files
from tests.test_golden_sites import copy_demo

WORD = "quokkafication"
"""In one post's body (and in a tag and the site's description, which are not indexed)."""

POST = f"""+++
title = "Week 9: Distillation"
date = 2023-10-23
tags = ["{WORD}"]
+++

Distillation trains a small student model on a large teacher's outputs.

## Why it works

The teacher's soft labels carry more than the hard ones: we called this {WORD} in class.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("search") / "demo")
    write_files(root, {"content/posts/week9-distillation.md": POST})
    settings = root / "site.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace('description = "', f'description = "{WORD}. ', 1), encoding="utf-8"
    )
    result = run_cli("build", "--base-url", "https://example.github.io/course/", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def search_from_header(origin: str, word: str) -> list[tuple[str, str]]:
    """Type `word` into the header's search box on the home page and press Enter: the
    results' (title, address), in order."""
    with chromium_page() as page:
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(f"{origin}/course/")
        page.keyboard.press("/")  # the shortcut puts the cursor in the search box
        page.keyboard.type(word)
        page.keyboard.press("Enter")
        page.wait_for_url("**/course/search/?q=*")
        links = page.locator(".pagefind-ui__result-inner > .pagefind-ui__result-title > a")
        links.first.wait_for()
        found = links.evaluate_all("els => els.map((e) => [e.textContent, e.pathname])")
        outside = [url for url in requests if not url.startswith(origin)]
        assert outside == [], "search made requests off the site's origin"
    return [(str(title), str(path)) for title, path in found]


def test_a_word_from_a_post_body_finds_that_post_first(site: Path) -> None:
    with static_server(site / "public", mount="/course/") as origin:
        results = search_from_header(origin, WORD)
    assert results[0] == ("Week 9: Distillation", "/course/posts/week9-distillation/")
    # The home page (the description) and the tag's page hold the word too: not indexed.
    assert [path for _, path in results] == ["/course/posts/week9-distillation/"]


def test_an_edited_post_is_found_by_its_new_words(site: Path, tmp_path: Path) -> None:
    """The index comes from the cache only while the pages are as they were."""
    post = site / "content/posts/week9-distillation.md"
    post.write_text(POST.replace(WORD, "wombatization"), encoding="utf-8")
    try:
        output = tmp_path / "public"
        result = run_cli("build", "--base-url", "https://example.github.io/course/",
                         "--output", str(output), cwd=site)  # fmt: skip
        assert result.returncode == 0, result.stderr
        with static_server(output, mount="/course/") as origin:
            assert search_from_header(origin, "wombatization")[0][0] == "Week 9: Distillation"
    finally:
        post.write_text(POST, encoding="utf-8")


def build_without_pagefind(site: Path, path: str) -> tuple[int, str]:
    """Build with the pagefind-bin package out of reach and PATH set to `path`."""
    code = (
        "import sys; sys.modules['pagefind_bin'] = None; sys.argv[1:] = ['build'];"
        "from coursepress.__main__ import run; run()"
    )
    result = __import__("subprocess").run(
        [sys.executable, "-c", code],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": path},
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("program", ["absent", "cannot run"])
def test_the_site_builds_with_a_note_where_pagefind_cannot_run(
    tmp_path: Path, program: str
) -> None:
    site = copy_demo(tmp_path / "demo")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if program == "cannot run":  # a program for another system: exec fails
        fake = bin_dir / "pagefind"
        fake.write_bytes(b"\x7fELF\x02\x01\x01garbage")
        fake.chmod(0o755)
    code, said = build_without_pagefind(site, str(bin_dir))
    assert code == 0, said
    why = {
        "absent": "the Pagefind program is not installed (pip package pagefind-bin)",
        "cannot run": "the Pagefind program cannot run here (Exec format error)",
    }[program]
    assert (
        f"info: the site is built without its search index: {why}\n"
        "  hint: install coursepress with pip on a system Pagefind supports (Linux, macOS or "
        "Windows, x86-64 or ARM), or set search = false in site.toml"
    ) in said
    assert not (site / "public/pagefind").exists()
    with static_server(site / "public", mount="/course/") as origin, chromium_page() as page:
        page.goto(f"{origin}/course/search/")
        assert page.locator(".search-unavailable").is_visible()


def test_a_file_in_the_index_folder_is_an_error(tmp_path: Path) -> None:
    site = copy_demo(tmp_path / "demo")
    write_files(site, {"static/pagefind/pagefind.js": "// mine"})
    (site / "public").mkdir()
    (site / "public/.coursepress").write_text("")
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "static/pagefind/pagefind.js: pagefind/pagefind.js is not published: the search index is "
        "written to pagefind/\n"
        "  hint: move the file to another folder, or set search = false in site.toml\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    off = site / "site.toml"
    off.write_text("search = false\n" + off.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "public/pagefind/pagefind.js").read_text() == "// mine"
    assert not (site / "public/search").exists()


def test_serve_publishes_pages_first_and_the_new_index_when_pagefind_is_done(
    tmp_path: Path,
) -> None:
    """A rebuild does not wait for Pagefind (seconds on a large site): the edited page is
    served at once, with the last index; the new index follows in a rebuild of its own, which
    does not reload open pages."""
    from tests.serving import serving
    from tests.test_serve import POST as SERVED_POST
    from tests.test_serve import course

    site = course(tmp_path)
    post = site / "content/posts/a.md"
    with serving(site) as served:
        served.has_printed("first build")
        post.write_text(SERVED_POST.format(title="A", extra="", body=f"Now with {WORD}."))
        served.wait_for_line("content/posts/a.md changed")
        # The index's own rebuild: Pagefind runs at the lowest priority, which on a loaded
        # machine may wait long for a core; the timeout is only a guard.
        # Waiting for that very line: a save the watcher sees as two bursts rebuilds twice.
        served.wait_for_line("the search index, made meanwhile", timeout=180)
        with chromium_page() as page:
            page.goto(f"{served.url}search/?q={WORD}")
            first = page.locator(".pagefind-ui__result-inner > .pagefind-ui__result-title > a")
            first.first.wait_for()
            assert first.first.inner_text() == "A"


def test_a_large_site_is_indexed_in_shards_that_search_as_one(tmp_path: Path) -> None:
    """Pagefind has no incremental mode: a site of more than SHARD_PAGES pages is indexed in
    shards, which the search page merges, and an edit indexes its page's shard alone."""
    from benchmarks.corpus import write_corpus

    from coursepress.output.search import SHARD_PAGES

    site = write_corpus(tmp_path / "corpus", posts=SHARD_PAGES + 30, seed=4)
    posts = sorted((site / "content/posts").glob("post-*.md"))
    for post in posts:
        post.write_text(post.read_text(encoding="utf-8") + f"\n\nAbout {WORD}.\n")
    result = run_cli("build", "--profile", "--base-url", "https://example.github.io/course/",
                     cwd=site)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "search " in result.stdout and " 2 of 2 shards indexed" in result.stdout
    assert (site / "public/pagefind/shards.json").read_text() != "[]"
    published = len([p for p in posts if "draft = true" not in p.read_text(encoding="utf-8")])
    with static_server(site / "public", mount="/course/") as origin, chromium_page() as page:
        page.goto(f"{origin}/course/search/?q={WORD}")
        message = page.locator(".pagefind-ui__message")
        message.filter(has_text="result").wait_for()
        assert message.inner_text() == f"{published} results for {WORD}"
    edited = posts[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nAlso wombatization.\n")
    result = run_cli("build", "--profile", "--base-url", "https://example.github.io/course/",
                     cwd=site)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert " 1 of 2 shards indexed" in result.stdout
    with static_server(site / "public", mount="/course/") as origin, chromium_page() as page:
        page.goto(f"{origin}/course/search/?q=wombatization")
        page.locator(".pagefind-ui__message").filter(has_text="result").wait_for()
        links = page.locator(".pagefind-ui__result-inner > .pagefind-ui__result-title > a")
        # First: Pagefind also shows pages holding the longest prefix of a word that a
        # shard lacks ("w", from code), ranked below it (see Search in the README).
        assert links.first.evaluate("e => e.pathname") == f"/course/posts/{edited.stem}/"
