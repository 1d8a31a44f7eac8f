"""Markdown fixture cases: `title / . / input / . / expected HTML / .`, as markdown-it-py does;
the warnings a case gives follow its HTML, each as an HTML comment.

Refresh after a deliberate change with `pytest tests/test_markdown_fixtures.py --update-goldens`
and review the diff of tests/fixtures/markdown/ like code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

from coursepress.content.markdown import create_parser, render_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"


@dataclass
class Case:
    file: Path
    title: str
    source: str
    expected: str


def read_cases(path: Path) -> list[Case]:
    """Split a fixture file into cases; a case is a title line and two `.`-terminated blocks."""
    cases: list[Case] = []
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = 0
    while index < len(lines):
        if lines[index].strip() and index + 1 < len(lines) and lines[index + 1].rstrip() == ".":
            title = lines[index].strip()
            source, index = _block(lines, index + 2)
            expected, index = _block(lines, index)
            cases.append(Case(path, title, source, expected))
        else:
            index += 1
    return cases


def _block(lines: list[str], start: int) -> tuple[str, int]:
    end = start
    while lines[end].rstrip() != ".":
        end += 1
    return "".join(lines[start:end]), end + 1


def render(source: str) -> str:
    """The HTML, then each warning, word for word, as an HTML comment."""
    result = render_markdown(
        create_parser(), source, doc_id="doc", path=PurePosixPath("case.md"), first_line=1
    )
    return result.html + "".join(f"<!-- {w.format()} -->\n" for w in result.warnings)


def write_cases(path: Path, cases: list[Case]) -> None:
    path.write_text(
        "\n".join(f"{c.title}\n.\n{c.source}.\n{c.expected}.\n" for c in cases),
        encoding="utf-8",
    )


ALL_CASES = [case for path in sorted(FIXTURES.glob("*.md")) for case in read_cases(path)]


@pytest.mark.parametrize("case", ALL_CASES, ids=[f"{c.file.stem}: {c.title}" for c in ALL_CASES])
def test_markdown_case(case: Case, update_goldens: bool) -> None:
    actual = render(case.source)
    if update_goldens and actual != case.expected:
        cases = read_cases(case.file)
        for other in cases:
            if other.title == case.title:
                other.expected = actual
        write_cases(case.file, cases)
        pytest.skip("golden updated")
    assert actual == case.expected


def test_fixture_titles_are_unique() -> None:
    titles = [(c.file.name, c.title) for c in ALL_CASES]
    assert len(titles) == len(set(titles))
    assert len(ALL_CASES) >= 20
