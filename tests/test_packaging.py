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
