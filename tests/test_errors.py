"""Every user error, word for word: `path:line: message`, a hint, exit 1, no traceback,
and the previous public/ left exactly as it was.

Each case is tests/fixtures/errors/<case>/{input/, expected.txt}; expected.txt is the
whole of stderr. Refresh with `pytest tests/test_errors.py --update-goldens` and review.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot, write_files

CASES = Path(__file__).parent / "fixtures" / "errors"
PREVIOUS_SITE: dict[str, str | bytes] = {
    "public/.coursepress": "Built by coursepress.\n",
    "public/index.html": "<p>the site as it was before this build</p>\n",
    "public/posts/old/index.html": "<p>an old post</p>\n",
}


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_error_message(case: str, tmp_path: Path, update_goldens: bool) -> None:
    site = tmp_path / "site"
    shutil.copytree(CASES / case / "input", site)
    write_files(site, PREVIOUS_SITE)
    before = snapshot(site / "public")

    result = run_cli("build", cwd=site)

    expected_file = CASES / case / "expected.txt"
    if update_goldens:
        expected_file.write_text(result.stderr, encoding="utf-8")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr == expected_file.read_text(encoding="utf-8")
    assert result.stdout == ""
    assert snapshot(site / "public") == before
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".public")) == []
