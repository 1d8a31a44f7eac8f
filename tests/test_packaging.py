"""coursepress as users install it: the sdist and the wheel are built, pass `twine check`,
and the wheel, installed into a fresh virtual environment, makes and builds a site with its
theme, scripts, math font and KaTeX (none of which is Python, so each could be left out)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import github_standin
from tests.browser import static_server
from tests.conftest import REPO
from tests.crawl import crawl
from tests.workflow_steps import JobRun, run_job


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", folder, REPO)
    return folder


def test_the_sdist_and_wheel_pass_twine_check(dist: Path) -> None:
    files = sorted(dist.iterdir())
    assert sorted(f.suffix for f in files) == [".gz", ".whl"]
    run(sys.executable, "-m", "twine", "check", "--strict", *files)
    names = zipfile.ZipFile(next(dist.glob("*.whl"))).namelist()
    for shipped in (
        "coursepress/theme/templates/base.html",
        "coursepress/theme/static/css/style.css",
        "coursepress/theme/static/js/copy-code.js",
        "coursepress/theme/static/fonts/STIXTwoMath.woff2",
        "coursepress/vendor/katex.min.js",
        "coursepress/newsite/pages.yml",
        "coursepress/newsite/preview.yml",
        "coursepress/newsite/preview-publish.yml",
        "coursepress/serve/livereload.js",
    ):
        assert shipped in names, shipped


def test_the_wheel_installs_into_a_fresh_environment_and_builds_a_site(
    dist: Path, tmp_path: Path
) -> None:
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    wheel = next(dist.glob("*.whl"))
    run(python, "-m", "pip", "install", "-q", "-c", REPO / "constraints.txt", wheel)
    coursepress = environment / "bin" / "coursepress"
    run(coursepress, "init", "course", cwd=tmp_path)
    site = tmp_path / "course"
    (site / "content/posts/math.md").write_text(
        '+++\ntitle = "Math"\ndate = 2024-01-01\n+++\n\n$$\\sum_i x_i^2$$\n\n```python\npass\n```\n'
    )
    run(coursepress, "build", cwd=site)
    public = site / "public"
    for made in ("css/style.css", "js/copy-code.js", "fonts/STIXTwoMath.woff2", "index.html"):
        assert (public / made).is_file(), made
    assert "<munder><mo>∑</mo>" in (public / "posts/math/index.html").read_text()


REPOSITORY = "example/course"
BASE_URL = "https://example.github.io/course"
"""Where Pages publishes a project site of that repository."""


@dataclass
class NewSite:
    folder: Path
    environment: Path
    env: dict[str, str]
    scratch: Path

    def run(self, workflow: str, job: str, context: dict[str, str]) -> JobRun:
        return run_job(
            self.folder / ".github/workflows" / workflow, job, cwd=self.folder, env=self.env,
            context={"github.token": "", **context}, scratch=self.scratch,
        )  # fmt: skip


@pytest.fixture(scope="module")
def new_site(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> NewSite:
    """A site made by `init`, and a fresh environment on the PATH whose pip finds coursepress
    only as the built wheel; GitHub's `gh` is the stand-in (Pages not set up yet)."""
    from coursepress import __version__

    root = tmp_path_factory.mktemp("workflows")
    environment = root / "venv"
    venv.create(environment, with_pip=True)
    site = root / "course"
    made = subprocess.run(
        [sys.executable, "-m", "coursepress", "init", str(site), "--requirement",
         f"coursepress=={__version__}"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    standin = github_standin.install(root / "bin", {f"repos/{REPOSITORY}/pages": {"status": 404}})
    env = {
        **os.environ,
        **standin,
        "PATH": f"{environment / 'bin'}{os.pathsep}{standin['PATH']}",
        "PIP_FIND_LINKS": str(dist),  # coursepress from the wheel; no index has it
        "PIP_CONSTRAINT": str(REPO / "constraints.txt"),
        "COURSEPRESS_CACHE_DIR": str(root / "cache"),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_REPOSITORY_OWNER": REPOSITORY.split("/")[0],
    }
    return NewSite(site, environment, env, root)


def artifact(run: JobRun, site: Path) -> Path:
    (upload,) = [a for a in run.actions if a["uses"].startswith("actions/upload-artifact@")]
    return site / upload["with"]["path"]


def test_a_new_sites_workflow_steps_run_from_the_wheel(new_site: NewSite) -> None:
    """Every `run:` step of the `check.yml` and `pages.yml` that `init` writes, in order; the
    artifact holds the whole site under the repository's sub-path."""
    from coursepress import __version__

    check = new_site.run("check.yml", "check", {})
    assert check.ran == ["Install coursepress", "Check the site"]
    pages = new_site.run("pages.yml", "build", {})
    assert pages.ran == [
        "Install coursepress",
        "Check the site",
        "Ask GitHub Pages for the site's address",
        "Build the site",
    ]
    installed = subprocess.run(
        [new_site.environment / "bin" / "coursepress", "--version"], capture_output=True, text=True
    )
    assert __version__ in installed.stdout, "the steps did not install the wheel"
    public = artifact(pages, new_site.folder)
    assert (public / "index.html").is_file() and (public / ".nojekyll").is_file()
    with static_server(public, mount="/course/") as origin:
        report = crawl(origin, ["/course/"], BASE_URL + "/")
    assert report.broken == [] and report.missing_fragments() == []
    assert len(report.fetched) > 5


def test_a_pull_requests_preview_builds_from_the_wheel_under_its_own_path(
    new_site: NewSite,
) -> None:
    """preview.yml's steps, as for a push to pull request 7 that adds a post with a script
    in it and a draft: the preview is a whole site that works under
    /course/pr-preview/pr-7/ alone (a link out of it would be broken here), in safe mode."""
    site = new_site.folder
    (site / "content/posts/student.md").write_text(
        '+++\ntitle = "Student post"\ndate = 2024-02-01\n+++\n\n'
        "A [link to the welcome post](/posts/welcome/) and ![a chart](/images/chart.png).\n\n"
        '<script>alert("hi")</script>\n'
    )
    (site / "static/images").mkdir(parents=True, exist_ok=True)
    (site / "static/images/chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (site / "content/posts/unfinished.md").write_text(
        '+++\ntitle = "Unfinished"\ndate = 2024-02-02\ndraft = true\n+++\n\nNot yet.\n'
    )
    try:
        run = new_site.run(
            "preview.yml",
            "build",
            {"github.event.action": "synchronize", "github.event.number": "7"},
        )
    finally:
        for made in ("content/posts/student.md", "content/posts/unfinished.md"):
            (site / made).unlink()
        shutil.rmtree(site / "static")
    assert run.ran == [
        "Install coursepress",
        "Ask GitHub Pages for the site's address",
        "Build the preview",
    ]
    preview = artifact(run, site)
    page = (preview / "posts/student/index.html").read_text()
    assert "<script>alert" not in page  # safe mode
    assert f'<link rel="canonical" href="{BASE_URL}/pr-preview/pr-7/posts/student/">' in page
    assert not (preview / "posts/unfinished").exists()
    with static_server(preview, mount="/course/pr-preview/pr-7/") as origin:
        report = crawl(origin, ["/course/pr-preview/pr-7/"], BASE_URL + "/pr-preview/pr-7/")
    assert report.broken == [] and report.missing_fragments() == []
    assert f"{origin}/course/pr-preview/pr-7/images/chart.png" in report.fetched
