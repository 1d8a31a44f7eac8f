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


MATH_POST = r"""+++
title = "Aligned"
date = 2024-01-01
+++

\begin{align}
f(x) &= (x + 1)^2 \label{eq:square} \\
     &= x^2 + 2x + 1
\end{align}

$$
\begin{aligned}
\mathcal{L}(\theta) &= \sum_{i=1}^{n} \log p_\theta(x_i) \\
\nabla \mathcal{L} &= 0
\end{aligned}
$$

$$\lim_{x \to 0} \frac{\sin x}{x} = 1 \qquad \boldsymbol{v} \ne v$$

$$\sin x \quad f(x) = \begin{cases} 1 & x > 0 \\ 100 & \text{otherwise} \end{cases}$$

By \eqref{eq:square}.
"""


def test_aligned_equations_line_up_and_numbers_link(tmp_path: Path) -> None:
    """Chromium does not read MathML's columnalign: the theme's stylesheet must line up the
    `=` signs of align and aligned rows, and put a limit under `\\lim`."""
    site = tmp_path / "site"
    (site / "content/posts").mkdir(parents=True)
    (site / "content/posts/aligned.md").write_text(MATH_POST)
    (site / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/course/"\n')
    assert run_cli("build", cwd=site).returncode == 0
    with static_server(site / "public", mount="/course/") as origin, chromium_page() as page:
        page.goto(f"{origin}/course/posts/aligned/")
        # The first = of each row (a sum's `i=1` comes after it).
        lefts_of = """(block) => Array.from(block.querySelectorAll("mtr")).map((row) =>
            Array.from(row.querySelectorAll("mo")).find((mo) => mo.textContent.trim() === "=")
            .getBoundingClientRect().left)"""
        for table in range(2):
            lefts = page.locator(".math.block").nth(table).evaluate(lefts_of)
            assert len(lefts) == 2, lefts
            assert abs(lefts[0] - lefts[1]) < 1, f"the = signs of block {table}: {lefts}"
        number = page.locator(".mml-eqn-num").first
        assert (number.text_content() or "").strip() == "(1)"
        formula = page.locator(".math.block").first.locator("mtr").first.bounding_box()
        box = number.bounding_box()
        assert box and formula and box["x"] + box["width"] > formula["x"] + formula["width"] * 0.9
        link = page.locator("a.eqref")
        assert link.inner_text() == "(1)"
        assert link.get_attribute("href") == "#eq-eq:square"
        # \lim's limit is drawn under it, not as a subscript beside it.
        limit = page.locator(".math.block").nth(2).locator("munder").first
        base, under = (limit.locator("> *").nth(i).bounding_box() for i in (0, 1))
        assert base and under and under["y"] >= base["y"] + base["height"] - 1
        # \boldsymbol{v} is drawn bold (Chromium ignores mathvariant; its letter is U+1D497).
        bold, plain = (
            page.locator(".math.block").nth(2).locator("mi").filter(has_text=text).first
            for text in ("\N{MATHEMATICAL BOLD ITALIC SMALL V}", "v")
        )
        bold_box, plain_box = bold.bounding_box(), plain.bounding_box()
        assert bold_box and plain_box and bold_box["width"] != plain_box["width"]
        # `\sin x` has TeX's thin space; cases' columns are flush left.
        block = page.locator(".math.block").nth(3)
        gap = block.evaluate(
            """(b) => { const [sin, x] = [...b.querySelectorAll("mi")].slice(0, 2);
            return x.getBoundingClientRect().left - sin.getBoundingClientRect().right }"""
        )
        assert gap > 2, f"sin and x touch ({gap}px)"
        lefts = block.evaluate(
            """(b) => [...b.querySelectorAll("mtr")].map((row) =>
            row.querySelector("mtd mn").getBoundingClientRect().left)"""
        )
        assert abs(lefts[0] - lefts[1]) < 1, f"cases' first column is not flush left: {lefts}"
        # The shipped math font is used, not whatever the reader has.
        family = page.evaluate("getComputedStyle(document.querySelector('math')).fontFamily")
        assert "STIX Two Math" in family


BLOCKS_POST = """+++
title = "Blocks"
date = 2024-01-01
+++

```python {hl_lines=[2] linenos=true}
import torch
loss = model(x)
loss.backward()
```

> [!WARNING] Deadline moved
> The report is due on Friday.
"""


def _luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_copy_button_copies_the_code_and_blocks_show_in_both_schemes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content/posts").mkdir(parents=True)
    (site / "content/posts/blocks.md").write_text(BLOCKS_POST)
    (site / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/course/"\n')
    assert run_cli("build", cwd=site).returncode == 0
    with static_server(site / "public", mount="/course/") as origin, chromium_page() as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page.goto(f"{origin}/course/posts/blocks/")
        button = page.get_by_role("button", name="Copy")
        button.focus()  # reached and pressed from the keyboard
        page.keyboard.press("Enter")
        page.get_by_role("status").filter(has_text="copied").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == "import torch\nloss = model(x)\nloss.backward()\n"  # no line numbers
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            marked = page.locator(".highlight .hll").first
            plain = page.locator("div.highlight").first
            assert marked.is_visible() and page.locator(".callout-title").is_visible()
            line, block = (
                e.evaluate("e => getComputedStyle(e).backgroundColor") for e in (marked, plain)
            )
            assert line != block, f"the highlighted line does not show ({scheme})"
            title = page.locator(".callout-title")
            color = title.evaluate("e => getComputedStyle(e).color")
            behind = page.locator(".callout").evaluate("e => getComputedStyle(e).backgroundColor")
            assert _contrast(color, behind) >= 4.5, f"callout title contrast ({scheme})"
