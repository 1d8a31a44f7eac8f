"""Every kind of page the default theme renders, in headless Chromium at a phone's width and a
desktop's, light and dark: axe-core, the screen's width, and every request kept on the site's
origin. (A file of its own, so that the test runner gives it a worker of its own.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import axe_serious, chromium_page, static_server
from tests.test_theme_browser import SCREENSHOTS, built_demo


@pytest.fixture(scope="module")
def demo_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_demo(tmp_path_factory)


EVERY_KIND = {
    "home": "",
    "post": "posts/week3-attention/",
    "page": "syllabus/",
    "section": "posts/",
    "second page of a section": "posts/page/2/",
    "announcement": "announcements/welcome/",
    "tags": "tags/",
    "tag": "tags/attention/",
    "author": "authors/ana/",
    "schedule": "schedule/",
    "staff": "staff/",
    "search": "search/?q=attention",
    "not found": "404.html",
}
"""One page of every kind the theme renders."""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_every_kind_of_page_passes_axe_and_asks_nothing_of_other_hosts(
    demo_public: Path, width: int, scheme: str
) -> None:
    """Every axe-core rule (no violation of serious or critical impact), at a phone's width
    and a desktop's, light and dark; and every request the page makes stays on its origin."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        for name, path in EVERY_KIND.items():
            page.goto(f"{origin}/course/{path}")
            page.wait_for_load_state("networkidle")
            if name == "search":
                page.locator(".pagefind-ui__result").first.wait_for()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} is {overflow}px wider than {width}px"
            assert page.evaluate("document.documentElement.lang") == "en"
            shot = SCREENSHOTS / f"{name.replace(' ', '-')}-{width}-{scheme}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert axe_serious(page) == [], f"{name} at {width}px, {scheme}"
    assert [url for url in requests if not url.startswith(origin)] == []
