"""What `init` writes in requirements.txt, for each way pip installs coursepress: real
installs (`pip install --target`, no dependencies), read back through PEP 610's
direct_url.json as pip wrote it."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import Distribution, distributions
from pathlib import Path

import pytest

from coursepress import __version__
from coursepress.requirement import Requirement, requirement_for, this_requirement
from tests.conftest import REPO, run_cli


def pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", *args],
        check=True,
        capture_output=True,
        timeout=600,
    )


def installed(target: Path) -> Distribution:
    return next(iter(distributions(name="coursepress", path=[str(target)])))


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A clone of this repository whose `origin` is a GitHub address, and its commit."""
    clone = tmp_path_factory.mktemp("checkout") / "coursepress"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    git = ["git", "-C", str(clone)]
    subprocess.run([*git, "remote", "set-url", "origin", "https://github.com/example/cp.git"])
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
    return clone, commit.stdout.strip()


def test_each_way_of_installing_gives_a_requirement_that_says_so(
    tmp_path: Path, checkout: tuple[Path, str]
) -> None:
    clone, commit = checkout
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(clone)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    wheel = next(wheels.glob("coursepress-*.whl"))

    pip(
        "--no-index",
        "--find-links",
        str(wheels),
        "--target",
        str(tmp_path / "index"),
        "coursepress",
    )
    assert this_requirement(installed(tmp_path / "index")) == Requirement(
        f"coursepress=={__version__}"
    )

    pip("--target", str(tmp_path / "file"), str(wheel))
    from_file = this_requirement(installed(tmp_path / "file"))
    assert from_file.line == f"coursepress=={__version__}"
    assert from_file.advice.startswith(f"coursepress was installed from the file {wheel} which ")

    pip("--target", str(tmp_path / "folder"), str(clone))
    assert this_requirement(installed(tmp_path / "folder")) == Requirement(
        f"coursepress @ git+https://github.com/example/cp.git@{commit}",
        f"coursepress runs from a folder, {clone}: requirements.txt installs it from that "
        f"checkout's remote, https://github.com/example/cp.git, at the commit checked out, "
        f"{commit[:12]}. Push that commit, or pass --requirement with what the workflow "
        "should install.",
    )

    pip("--target", str(tmp_path / "vcs"), f"git+file://{clone}@{commit}")
    from_vcs = this_requirement(installed(tmp_path / "vcs"))
    assert from_vcs.line == f"coursepress @ git+file://{clone}@{commit}"
    assert from_vcs.advice.startswith(f"coursepress was installed from the repository {clone} ")


def test_a_remote_url_is_kept_with_its_digest() -> None:
    # As pip writes it for `pip install https://.../coursepress-0.1.0.tar.gz` (PEP 610).
    direct = (
        '{"url": "https://example.org/coursepress-0.1.0.tar.gz", '
        '"archive_info": {"hashes": {"sha256": "ab12"}}}'
    )
    assert requirement_for("0.1.0", direct) == Requirement(
        "coursepress @ https://example.org/coursepress-0.1.0.tar.gz#sha256=ab12"
    )


def test_init_writes_the_requirement_and_says_when_it_may_not_install(tmp_path: Path) -> None:
    chosen = run_cli(
        "init", "a", "--requirement", "coursepress @ git+https://github.com/me/cp@abc", cwd=tmp_path
    )
    assert chosen.returncode == 0, chosen.stderr
    assert (tmp_path / "a/requirements.txt").read_text() == (
        "coursepress @ git+https://github.com/me/cp@abc\n"
    )
    assert chosen.stderr == ""
    default = run_cli("init", "b", cwd=tmp_path)
    expected = this_requirement()  # the coursepress running these tests, as it was installed
    assert (tmp_path / "b/requirements.txt").read_text() == expected.line + "\n"
    assert default.stderr == (f"note: {expected.advice}\n" if expected.advice else "")
