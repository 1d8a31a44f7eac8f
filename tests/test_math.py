"""Math through the CLI: site macros, warnings word for word, and `--strict`. (The forms
themselves are Markdown fixture cases in tests/fixtures/markdown/math.md; the browser's
drawing of them is in tests/test_browser_pages.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_cli, snapshot

Maker = Callable[[dict[str, str | bytes]], Path]


def post(body: str) -> str:
    return f'+++\ntitle = "Week 1"\ndate = 2024-01-01\n+++\n\n{body}\n'


def test_site_macros_typeset_and_unknown_commands_warn(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": '[math.macros]\nR = "\\\\mathbb{R}"\n'
            'norm = "\\\\left\\\\lVert #1 \\\\right\\\\rVert"\n',
            "content/posts/a.md": post("Let $x \\in \\R^n$ and $\\norm{x} \\le 1$.\n\nBut $\\bx$."),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    page = (site / "public/posts/a/index.html").read_text()
    assert "<mi>\N{DOUBLE-STRUCK CAPITAL R}</mi>" in page and "\N{PARALLEL TO}" in page
    assert result.stderr == (
        "content/posts/a.md:8: warning: unknown TeX command \\bx: the formula is shown as TeX\n"
        '  hint: define it under [math.macros] in site.toml (for example R = "\\\\mathbb{R}"), '
        "or use a command KaTeX knows (katex.org/docs/supported)\n"
    )
    before = snapshot(site / "public")
    strict = run_cli("build", "--strict", cwd=site)
    assert strict.returncode == 1
    assert strict.stderr == (
        "content/posts/a.md:8: unknown TeX command \\bx: the formula is shown as TeX\n"
        '  hint: define it under [math.macros] in site.toml (for example R = "\\\\mathbb{R}"), '
        "or use a command KaTeX knows (katex.org/docs/supported)\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    assert snapshot(site / "public") == before


def test_a_macro_that_is_not_a_command_name_is_an_error_at_its_line(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'title = "T"\n[math.macros]\n"2x" = "x"\n',
            "content/posts/a.md": post("$x$"),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "site.toml:3: Config value 'math.macros.2x': expected a command name of letters and its "
        "TeX as text\n"
        '  hint: for example R = "\\\\mathbb{R}" (TOML doubles each backslash)\n'
        "build failed with 1 error; the previous site is unchanged\n"
    )
