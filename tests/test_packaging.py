"""coursepress as users install it: the sdist and the wheel are built, pass `twine check`,
and the wheel, installed into a fresh virtual environment, makes and builds a site with its
theme, scripts, math font and KaTeX (none of which is Python, so each could be left out)."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


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


BASE_URL = "https://example.github.io/course"
"""What `actions/configure-pages` gives `steps.pages.outputs.base_url` for a project site."""


def test_a_new_sites_workflow_steps_run_from_the_wheel(dist: Path, tmp_path: Path) -> None:
    """Every `run:` step of the `pages.yml` and `check.yml` that `init` writes, in order, in a
    fresh environment whose pip finds coursepress only as the built wheel; the artifact
    folder holds the whole site under the repository's sub-path."""
    import os

    import yaml

    from coursepress import __version__
    from tests.browser import static_server
    from tests.crawl import crawl

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    site = tmp_path / "course"
    made = subprocess.run(
        [sys.executable, "-m", "coursepress", "init", str(site), "--requirement",
         f"coursepress=={__version__}"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    env = {
        **os.environ,
        "PATH": f"{environment / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PIP_FIND_LINKS": str(dist),  # coursepress from the wheel; no index has it
        "PIP_CONSTRAINT": str(REPO / "constraints.txt"),
        "COURSEPRESS_CACHE_DIR": str(tmp_path / "cache"),
    }
    expressions = {"${{ steps.pages.outputs.base_url }}": BASE_URL}
    artifact = None
    for name in ("check.yml", "pages.yml"):
        workflow = yaml.safe_load((site / ".github/workflows" / name).read_text())
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if "upload-pages-artifact" in step.get("uses", ""):
                    artifact = site / step["with"]["path"]
                if "run" not in step:
                    continue
                command = step["run"]
                for expression, value in expressions.items():
                    command = command.replace(expression, value)
                assert "${{" not in command, f"{name}: an expression this test cannot give"
                result = subprocess.run(
                    ["bash", "-e", "-c", command], cwd=site, env=env, capture_output=True,
                    text=True, timeout=900, stdin=subprocess.DEVNULL,
                )  # fmt: skip
                assert result.returncode == 0, f"{name}: {command}\n{result.stderr}"
    installed = subprocess.run(
        [environment / "bin" / "coursepress", "--version"], capture_output=True, text=True
    )
    assert __version__ in installed.stdout, "the steps did not install the wheel"
    assert artifact is not None and (artifact / "index.html").is_file()
    with static_server(artifact, mount="/course/") as origin:
        report = crawl(origin, ["/course/"], BASE_URL + "/")
    assert report.broken == [] and report.missing_fragments() == []
    assert len(report.fetched) > 5
