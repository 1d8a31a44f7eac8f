"""The demo site in a real headless Chromium: math is typeset, nothing is fetched elsewhere."""

from __future__ import annotations

from pathlib import Path

from tests.browser import chromium_page, static_server
from tests.conftest import run_cli
from tests.test_golden_sites import copy_demo


def test_math_is_typeset_and_no_other_host_is_contacted(tmp_path: Path) -> None:
    site = copy_demo(tmp_path / "demo")
    assert run_cli("build", cwd=site).returncode == 0
    with static_server(site / "public", mount="/course/") as origin, chromium_page() as page:
        requests: list[str] = []
        failed: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("response", lambda r: r.status < 400 or failed.append(r.url))
        page.goto(f"{origin}/course/posts/week3-attention/")

        # The display formula: a fraction whose numerator sits above its denominator.
        numerator, denominator = (
            page.locator(".math.block mfrac > *").nth(i).bounding_box() for i in (0, 1)
        )
        assert numerator and denominator
        assert numerator["y"] + numerator["height"] <= denominator["y"] + 1
        block = page.locator(".math.block math").bounding_box()
        assert block and block["height"] > 30

        # Inline math $d_k$: the subscript is drawn lower than its base letter.
        base, subscript = (
            page.locator(".math.inline msub").first.locator("> *").nth(i).bounding_box()
            for i in (0, 1)
        )
        assert base and subscript
        assert subscript["y"] > base["y"]

        page.goto(f"{origin}/course/posts/week1/")
        assert page.locator("pre code.language-python .kn").first.is_visible()

    assert requests, "the browser made no requests at all"
    assert all(url.startswith(origin) for url in requests), requests
    assert failed == []
