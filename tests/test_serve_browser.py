"""Live reload in a real headless Chromium: the page follows the file on disk by itself."""

from __future__ import annotations

from pathlib import Path

from tests.browser import chromium_page
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
        overlay.wait_for(timeout=15000)
        assert "content/posts/a.md:3: invalid TOML: invalid value" in overlay.inner_text()
        assert "TOML booleans are lowercase" in overlay.inner_text()
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
