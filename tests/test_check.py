"""`coursepress check`: a fixture case per diagnostic, the whole output word for word, the exit
status on the last line (tests/fixtures/check/<case>/{input/, expected.txt}). Refresh with
`pytest tests/test_check.py --update-goldens` and review."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO, run_cli, snapshot, write_files
from tests.test_golden_sites import copy_demo

CASES = Path(__file__).parent / "fixtures" / "check"
SCHEMA = REPO / "docs" / "check-output.schema.json"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_check_case(case: str, tmp_path: Path, update_goldens: bool) -> None:
    site = tmp_path / "site"
    shutil.copytree(CASES / case / "input", site)
    before = snapshot(site)
    result = run_cli("check", cwd=site)
    assert "Traceback" not in result.stderr, result.stderr
    actual = f"{result.stdout}{result.stderr}exit status: {result.returncode}\n"
    expected = CASES / case / "expected.txt"
    if update_goldens:
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")
    assert snapshot(site) == before  # check writes nothing


def test_the_demo_checks_clean_but_for_what_the_seed_post_contains(tmp_path: Path) -> None:
    site = copy_demo(tmp_path / "demo")
    result = run_cli("check", "--format", "json", cwd=site)
    assert result.returncode == 0, result.stdout
    found = json.loads(result.stdout)["diagnostics"]
    # check lists what will be released, and when: the demo's unreleased solution.
    (withheld,) = [d for d in found if d["code"] == "release"]
    assert (withheld["path"], withheld["line"], withheld["severity"]) == (
        "content/posts/homework-1.md",
        40,
        "info",
    )
    assert withheld["message"].startswith("a solution is withheld until 2099-01-01 00:00")
    found = [d for d in found if d is not withheld]
    assert {d["path"] for d in found} == {"content/posts/class1.md"}
    assert sorted({d["code"] for d in found}) == [
        "draft",
        "image-no-alt",
        "mojibake",
        "unknown-language",
    ]
    mojibake = next(d for d in found if d["code"] == "mojibake")
    assert mojibake["line"] == 56
    assert mojibake["hint"] == "did you mean: Let\u2019s do some activity now!"


def test_json_output_follows_its_schema(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for case in ("broken-link", "will-not-publish", "clean"):
        site = tmp_path / case
        shutil.copytree(CASES / case / "input", site)
        result = run_cli("check", "--format", "json", cwd=site)
        jsonschema.validate(json.loads(result.stdout), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 1, "diagnostics": [{"code": 3}]}, schema)


def test_github_format_annotates_lines(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(CASES / "broken-link" / "input", site)
    result = run_cli("check", "--format", "github", cwd=site)
    assert result.returncode == 1
    assert result.stdout == (
        "::error file=content/posts/a.md,line=5,col=14,title=broken-link::the link /posts/week9/ "
        "leads nowhere in the site%0Ahint: check the path; links are written from the site root "
        "(/posts/week1/) or relative\n"
    )


def test_strict_fails_on_warnings(make_site) -> None:
    site = make_site(
        {"content/posts/a.md": '+++\ntitle = "A"\ndate = 2023-09-05\n+++\n[here](/)\n'}
    )
    assert run_cli("check", cwd=site).returncode == 0
    assert run_cli("check", "--strict", cwd=site).returncode == 1


def test_an_unknown_code_in_settings_is_a_config_error(make_site) -> None:
    site = make_site({"site.toml": '[check.severity]\nbroken-lnk = "off"\n', "content/a.md": "x"})
    result = run_cli("check", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "site.toml:1: Config value 'check.severity': unknown diagnostic 'broken-lnk'\n"
        "  hint: did you mean 'broken-link'?"
    )


def test_build_follows_the_check_settings(make_site) -> None:
    site = make_site(
        {
            "site.toml": '[check.severity]\nunknown-language = "off"\n',
            "content/a.md": '+++\ntitle = "A"\n+++\n```pythn\nx\n```\n',
        }
    )
    assert run_cli("build", "--strict", cwd=site).returncode == 0


def test_build_strict_fails_on_what_build_sees(make_site) -> None:
    site = make_site(
        {"content/a.md": '+++\ntitle = "A"\n+++\n```pythn\nx\n```\n', "static/.keep": ""}
    )
    write_files(site, {})
    assert run_cli("build", cwd=site).returncode == 0
    assert run_cli("build", "--strict", cwd=site).returncode == 1
