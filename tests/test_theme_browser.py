"""The default theme in a real headless Chromium, at phone and desktop widths: nothing wider
than the screen, nothing fetched from another host. Screenshots are kept in
test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import axe_violations, chromium_page, static_server
from tests.conftest import REPO, run_cli
from tests.test_golden_sites import copy_demo

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def demo_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_demo(tmp_path_factory)


def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo course, drafts included, built into a temporary folder: its `public/`."""
    site = copy_demo(tmp_path_factory.mktemp("theme") / "demo")
    result = run_cli("build", "--drafts", cwd=site)
    assert result.returncode == 0, result.stderr
    return site / "public"


def test_wide_tables_and_code_scroll_inside_their_box(demo_public: Path) -> None:
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(f"{origin}/course/posts/week4/")
        for selector in (".table-scroll", ".highlight pre"):
            box = page.locator(selector).first
            scroll, client = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
            assert scroll > client, f"{selector} should be wider than its box on a phone"
            assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
            # The keyboard can scroll it: it takes focus (axe's scrollable-region-focusable).
            box.focus()
            assert box.evaluate("e => e === document.activeElement"), selector
    for width in (390, 1280):
        with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
            page.set_viewport_size({"width": width, "height": 900})
            for post in ("posts/week4/", "posts/week5/"):
                page.goto(f"{origin}/course/{post}")
                rules = [
                    "scrollable-region-focusable", "color-contrast", "label", "link-name",
                    "aria-allowed-role", "aria-allowed-attr", "aria-prohibited-attr",
                ]  # fmt: skip
                assert axe_violations(page, rules) == [], f"{post} at {width}px"


def test_keyboard_focus_is_visible_and_the_skip_link_works(demo_public: Path) -> None:
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        page.goto(f"{origin}/course/posts/week1/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == "Skip to content"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#cp-main"


CONTRAST = """
([selector, property]) => {
  const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (value) => {
    const [r, g, b] = rgb(value).map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const element = document.querySelector(selector);
  const fg = luminance(getComputedStyle(element)[property]);
  const bg = luminance(getComputedStyle(document.body).backgroundColor);
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa(demo_public: Path, scheme: str) -> None:
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        page.emulate_media(color_scheme=scheme)
        page.goto(f"{origin}/course/posts/week1/")
        for selector in ("main p", ".post-meta", "main a", ".site-footer", ".tags a"):
            ratio = page.evaluate(CONTRAST, [selector, "color"])
            assert ratio >= 4.5, f"{selector} in {scheme}: contrast {ratio:.2f}"


def test_the_schedule_marks_the_week_of_the_readers_day(demo_public: Path) -> None:
    """Built long after the term, the page marks no week; on a reader's clock in week 3 of
    the term the script marks week 3 (and only it), and a screen reader hears it as the
    current date. Without the script the page is whole, just unmarked."""
    from datetime import datetime

    page_html = (demo_public / "schedule/index.html").read_text()
    assert 'aria-current="date"' not in page_html and "This week" not in page_html
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        page.clock.install(time=datetime(2023, 9, 13, 11, 0))
        page.goto(f"{origin}/course/schedule/")
        current = page.locator("table.schedule tr.current")
        current.wait_for()
        assert current.count() == 1
        assert current.get_attribute("aria-current") == "date"
        assert current.locator("th").inner_text() == "3"
        assert current.locator(".this-week").inner_text() == "This week"
        assert axe_violations(page, ["aria-allowed-attr", "color-contrast"]) == []


def test_the_scheme_toggle_follows_the_system_until_used_then_remembers(
    demo_public: Path,
) -> None:
    background = "getComputedStyle(document.body).backgroundColor"
    white, black = "rgb(255, 255, 255)", "rgb(13, 17, 23)"
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        page.emulate_media(color_scheme="light")
        page.goto(f"{origin}/course/posts/week1/")
        toggle = page.get_by_role("button", name="Dark mode")
        assert toggle.get_attribute("aria-pressed") == "false"
        assert page.evaluate(background) == white
        page.emulate_media(color_scheme="dark")  # the system changes: the page follows
        assert page.evaluate(background) == black
        # The toggle learns of it from a `change` event, which comes after the style does:
        # waited for, not read at once (it raced on a loaded machine).
        expect(toggle).to_have_attribute("aria-pressed", "true")
        toggle.click()  # the reader picks light while the system is dark
        assert page.evaluate(background) == white
        assert toggle.get_attribute("aria-pressed") == "false"
        page.goto(f"{origin}/course/schedule/")  # another page, the choice kept
        assert page.evaluate(background) == white
        assert page.evaluate("document.documentElement.dataset.scheme") == "light"
        page.keyboard.press("Tab")  # the toggle works from the keyboard too
        page.get_by_role("button", name="Dark mode").focus()
        page.keyboard.press("Enter")
        assert page.evaluate(background) == black
        page.reload()
        assert page.evaluate(background) == black
        # Code follows the choice, not only the system's scheme.
        page.emulate_media(color_scheme="light")
        page.goto(f"{origin}/course/posts/week3-attention/")
        code = page.locator(".highlight").first
        assert code.evaluate("e => getComputedStyle(e).backgroundColor") == black


def test_the_navigation_marks_where_the_reader_is(demo_public: Path) -> None:
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        marked = {}
        for path in ("schedule/", "posts/week3-attention/", "tags/attention/", ""):
            page.goto(f"{origin}/course/{path}")
            links = page.locator(".site-nav a[aria-current]")
            marked[path] = links.evaluate_all(
                "els => els.map((e) => [e.textContent, e.getAttribute('aria-current')])"
            )
    assert marked == {
        "schedule/": [["Schedule", "page"]],
        "posts/week3-attention/": [["Lecture notes", "true"]],
        "tags/attention/": [["Tags", "true"]],
        "": [],
    }


def test_on_a_phone_the_menu_folds_away_and_opens_from_its_button_or_the_keyboard(
    demo_public: Path,
) -> None:
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{origin}/course/posts/week1/")
        button = page.get_by_role("button", name="Menu")
        nav = page.get_by_role("navigation", name="Site")
        assert button.get_attribute("aria-expanded") == "false" and not nav.is_visible()
        button.click()
        assert button.get_attribute("aria-expanded") == "true" and nav.is_visible()
        nav.get_by_role("link", name="Schedule").focus()
        page.keyboard.press("Escape")  # closes it, and the focus goes back to the button
        assert not nav.is_visible()
        assert page.evaluate("document.activeElement.textContent") == "Menu"
        page.keyboard.press("/")  # search opens the menu to reach its box
        assert page.evaluate("document.activeElement.id") == "cp-search-input"
        assert button.get_attribute("aria-expanded") == "true"
        # Without scripts there is no button to press: the menu is simply open.
        bare = page.context.browser.new_page(java_script_enabled=False)
        bare.set_viewport_size({"width": 390, "height": 844})
        bare.goto(f"{origin}/course/posts/week1/")
        assert bare.get_by_role("navigation", name="Site").is_visible()
        assert not bare.get_by_role("button", name="Menu").is_visible()
        # On a desktop the menu is the header itself, always shown.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        assert nav.is_visible() and not button.is_visible()


def test_on_a_phone_the_schedule_stacks_its_weeks_and_stays_a_table(demo_public: Path) -> None:
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{origin}/course/schedule/")
        week = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Week 3"))
        assert week.count() == 1
        dates = week.get_by_role("cell").first
        assert dates.inner_text().replace("\xa0", " ") == "Sep 11 \N{EN DASH} Sep 17"
        one_line = (
            "e => e.getBoundingClientRect().height"
            " < 1.5 * parseFloat(getComputedStyle(e).lineHeight)"
        )
        assert dates.evaluate(one_line), "the date range wrapped"
        box = week.bounding_box()
        assert box is not None and box["width"] <= 390
        assert page.get_by_role("columnheader").count() == 4  # there for screen readers


def test_printed_links_show_where_they_lead_and_controls_are_not_printed(
    demo_public: Path,
) -> None:
    after = "e => getComputedStyle(e, '::after').content"
    with static_server(demo_public, mount="/course/") as origin, chromium_page() as page:
        page.goto(f"{origin}/course/posts/week3-attention/")
        link = page.locator(".content a[href^='/course/posts/']").first
        assert link.evaluate(after) == "none"
        page.emulate_media(media="print")
        href = link.get_attribute("href")
        assert link.evaluate(after) == f'" <{href}>"'
        for control in (".site-nav", ".site-search", ".header-buttons", ".copy-code"):
            shown = page.locator(control).first.evaluate("e => getComputedStyle(e).display")
            assert shown == "none", control
