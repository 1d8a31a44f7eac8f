"""Compare a built site with its expected tree and print a readable diff (staticjinja style).

The theme's stylesheets are stored once, in tests/golden/theme/, not in every site's tree: a
site tree that lacks one expects the stored one, so a change of style touches one file."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

from tests.conftest import snapshot

MAX_DIFF_LINES = 80
THEME = Path(__file__).parent / "golden" / "theme"
SHARED = (
    "css/style.css",
    "css/syntax.css",
    "fonts/STIXTwoMath.woff2",
    "js/copy-code.js",
    "js/schedule.js",
    "js/scheme.js",
    "js/search.js",
    "js/theme.js",
)
PAGEFIND = "pagefind"
"""Pagefind's index and scripts: its output, not coursepress's (tests/test_search.py uses them)."""


def tree_diff(actual: Path, expected: Path) -> str:
    """'' when the trees match; otherwise missing, unexpected and differing files with diffs."""
    got, want = snapshot(actual), snapshot(expected)
    got = {name: data for name, data in got.items() if not name.startswith(PAGEFIND)}
    for name in SHARED:
        if name in got and name not in want and (THEME / name).is_file():
            want[name] = (THEME / name).read_bytes()
    report: list[str] = []
    report += [f"missing from the build: {name}" for name in sorted(want.keys() - got.keys())]
    report += [f"not expected: {name}" for name in sorted(got.keys() - want.keys())]
    for name in sorted(want.keys() & got.keys()):
        if got[name] != want[name]:
            report.append(_file_diff(name, want[name], got[name]))
    return "\n".join(report)


def _file_diff(name: str, want: bytes, got: bytes) -> str:
    try:
        lines = difflib.unified_diff(
            want.decode("utf-8").splitlines(keepends=True),
            got.decode("utf-8").splitlines(keepends=True),
            fromfile=f"expected/{name}",
            tofile=f"built/{name}",
        )
    except UnicodeDecodeError:
        return f"binary file differs: {name} ({len(want)} bytes expected, {len(got)} built)"
    diff = list(lines)
    if len(diff) > MAX_DIFF_LINES:
        diff = [*diff[:MAX_DIFF_LINES], f"... {len(diff) - MAX_DIFF_LINES} more diff lines\n"]
    return "".join(diff)


def replace_tree(expected: Path, actual: Path, *, theme: bool = False) -> None:
    """Refresh a golden: the expected tree becomes exactly the built one, but for the theme's
    stylesheets where they are the stored ones. `theme`: this build's are stored."""
    if expected.exists():
        shutil.rmtree(expected)
    shutil.copytree(
        actual, expected, ignore=lambda folder, _: [PAGEFIND] if Path(folder) == actual else []
    )
    for name in SHARED:
        built = expected / name
        if theme and built.is_file():
            (THEME / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(built, THEME / name)
        if (
            built.is_file()
            and (THEME / name).is_file()
            and built.read_bytes() == (THEME / name).read_bytes()
        ):
            built.unlink()
