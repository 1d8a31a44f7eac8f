"""The demo site published at a sub-path and at a domain root, served by a real HTTP server
under that path and crawled: no broken internal link, image, stylesheet or fragment."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import static_server
from tests.conftest import run_cli
from tests.crawl import crawl
from tests.test_golden_sites import copy_demo


@pytest.mark.parametrize(
    "base_url", ["https://example.github.io/course/", "https://example.github.io/"]
)
def test_every_internal_link_works_under_the_base_path(base_url: str, tmp_path: Path) -> None:
    site = copy_demo(tmp_path / "demo")
    result = run_cli("build", "--drafts", "--base-url", base_url, cwd=site)
    assert result.returncode == 0, result.stderr
    public = site / "public"
    mount = urlsplit(base_url).path

    with static_server(public, mount=mount) as origin:
        # Alias pages are only reached from old links elsewhere: start there too.
        aliases = [
            mount + path.parent.relative_to(public).as_posix() + "/"
            for path in public.rglob("index.html")
            if 'http-equiv="refresh"' in path.read_text(encoding="utf-8")
        ]
        starts = [mount, mount + "404.html", mount + "robots.txt", *aliases]
        report = crawl(origin, starts, base_url)

    assert report.broken == []
    assert report.missing_fragments() == []
    fetched_paths = {urlsplit(url).path for url in report.fetched}
    published = {
        mount + path.relative_to(public).as_posix()
        for path in public.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }
    every_page = {path.removesuffix("index.html") for path in published}
    # Pagefind's script fetches its index files itself (test_search.py runs it in Chromium
    # under the sub-path); the script and its stylesheet are linked from the search page.
    fetched_by_pagefind = {path for path in every_page if path.startswith(mount + "pagefind/")}
    unreached = sorted(every_page - fetched_paths - {mount + "CNAME"} - fetched_by_pagefind)
    assert unreached == [], "published but never linked"


def test_the_crawler_finds_a_broken_link(tmp_path: Path) -> None:
    """The checker above can fail: a site with a root-relative link that misses the sub-path."""
    public = tmp_path / "public"
    public.mkdir()
    (public / "index.html").write_text(
        '<a href="/images/x.png">x</a> <a href="#nowhere">y</a> <img src="ok.png">'
    )
    (public / "ok.png").write_bytes(b"png")
    with static_server(public, mount="/course/") as origin:
        report = crawl(origin, ["/course/"], "https://example.github.io/course/")
    assert report.broken == [f"{origin}/images/x.png (404) ← {origin}/course/"]
    assert report.missing_fragments() == [f"{origin}/course/#nowhere ← {origin}/course/"]
