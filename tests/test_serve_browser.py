"""Live reload in a real headless Chromium: the page follows the file on disk by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import axe_violations, chromium_page
from tests.serving import serving
from tests.test_serve import POST, course


def test_edit_break_and_fix_a_post_without_touching_the_browser(tmp_path: Path) -> None:
    site = course(tmp_path)
    post = site / "content/posts/a.md"
    with serving(site) as served, chromium_page() as page:
        page.goto(served.url + "posts/a/")
        page.get_by_text("First text.").wait_for()

        post.write_text(POST.format(title="A", extra="", body="Edited on disk."))
        page.get_by_text("Edited on disk.").wait_for(timeout=15000)

        post.write_text('+++\ntitle = "A"\ndraft = True\n+++\nBroken.\n')
        overlay = page.locator("#coursepress-error")
        message = overlay.locator("pre")  # in the overlay's shadow root
        message.wait_for(timeout=15000)
        assert "content/posts/a.md:3: invalid TOML: invalid value" in message.inner_text()
        assert "TOML booleans are lowercase" in message.inner_text()
        assert page.get_by_text("Edited on disk.").is_visible()  # the last good page stays

        post.write_text(POST.format(title="A", extra="", body="Fixed and back."))
        page.get_by_text("Fixed and back.").wait_for(timeout=15000)
        assert overlay.count() == 0


def test_a_stylesheet_change_is_swapped_in_without_a_reload(tmp_path: Path) -> None:
    site = course(tmp_path)
    (site / "templates").mkdir()
    (site / "templates/partials").mkdir()
    (site / "templates/partials/head.html").write_text(
        '<link rel="stylesheet" href="{{ \'/css/extra.css\' | relative_url }}">\n'
    )
    with serving(site) as served, chromium_page() as page:
        page.goto(served.url + "posts/a/")
        page.evaluate("window.stillTheSamePage = true")
        color = "getComputedStyle(document.body).color"
        assert page.evaluate(color) == "rgb(0, 0, 0)"

        (site / "static/css/extra.css").write_text("body { color: rgb(0, 0, 128); }\n")
        page.wait_for_function(f"{color} === 'rgb(0, 0, 128)'", timeout=15000)
        assert page.evaluate("window.stillTheSamePage") is True


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_error_overlay_is_readable_in_either_scheme(tmp_path: Path, scheme: str) -> None:
    """The theme styles `pre` with a light background in the light scheme: the overlay's
    text must not take it (it once did, at 1.1:1)."""
    site = course(tmp_path)
    post = site / "content/posts/a.md"
    with serving(site) as served, chromium_page() as page:
        page.emulate_media(color_scheme=scheme)
        page.goto(served.url + "posts/a/")
        page.get_by_text("First text.").wait_for()
        post.write_text('+++\ntitle = "A"\ndraft = True\n+++\nBroken.\n')
        page.locator("#coursepress-error pre").wait_for(timeout=15000)
        assert axe_violations(page, ["color-contrast"]) == []
        colours = page.locator("#coursepress-error pre").evaluate(
            "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
        )
        assert colours == ["rgb(255, 215, 215)", "rgba(0, 0, 0, 0)"]
