"""Whole sites built by the real CLI and compared file by file with their expected public/.

- The demo course site (this repository's content/, static/, templates/, site.toml), built
  with and without --drafts: tests/golden/demo/{published,drafts}/.
- Small sites for single features: tests/fixtures/sites/<case>/{input,expected}/.

Refresh after a deliberate change with `pytest tests/test_golden_sites.py --update-goldens`,
then review `git diff tests/golden tests/fixtures/sites` like code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.golden_tree import replace_tree, tree_diff

GOLDEN_DEMO = Path(__file__).parent / "golden" / "demo"
SITES = Path(__file__).parent / "fixtures" / "sites"
DEMO_PARTS = ("content", "data", "static", "templates", "site.toml", "references.bib")


def copy_demo(target: Path) -> Path:
    target.mkdir(parents=True)
    for part in DEMO_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def check_golden(built: Path, expected: Path, update: bool, theme: bool = False) -> None:
    """`theme`: this site's build is where the theme's stored stylesheets are refreshed."""
    if update:
        replace_tree(expected, built, theme=theme)
    report = tree_diff(built, expected)
    assert report == "", f"built site differs from {expected}:\n{report}"


@pytest.mark.parametrize("variant,flags", [("published", []), ("drafts", ["--drafts"])])
def test_demo_site(variant: str, flags: list[str], tmp_path: Path, update_goldens: bool) -> None:
    site = copy_demo(tmp_path / "demo")
    result = run_cli("build", *flags, cwd=site)
    assert result.returncode == 0, result.stderr
    check_golden(site / "public", GOLDEN_DEMO / variant, update_goldens, variant == "published")


def test_demo_drafts_differ_only_by_the_draft(tmp_path: Path) -> None:
    """The draft seed post appears with --drafts and nowhere without it."""
    published, drafts = GOLDEN_DEMO / "published", GOLDEN_DEMO / "drafts"
    assert not (published / "posts" / "class1").exists()
    assert (drafts / "posts" / "class1" / "index.html").is_file()
    for page in published.rglob("*.html"):
        assert "class1" not in page.read_text(encoding="utf-8"), page


@pytest.mark.parametrize("case", sorted(p.name for p in SITES.iterdir() if p.is_dir()))
def test_fixture_site(case: str, tmp_path: Path, update_goldens: bool) -> None:
    site = tmp_path / case
    shutil.copytree(SITES / case / "input", site)
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    check_golden(site / "public", SITES / case / "expected", update_goldens)
