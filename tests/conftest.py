"""Shared test helpers: a real site in a temp folder, the real CLI in a subprocess."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# A run started in the background by a shell that is not interactive ignores Ctrl-C, and so
# would every coursepress it starts, as a background job should: the tests that stop a build
# or a server with SIGINT need it back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite golden files (Markdown fixtures, site trees, error messages) from output",
    )


@pytest.fixture(autouse=True, scope="session")
def caches_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every build the tests run keeps its cache here, not in the user's cache folder (the
    CLI subprocesses inherit the variable)."""
    os.environ["COURSEPRESS_CACHE_DIR"] = str(tmp_path_factory.mktemp("caches"))


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, permissions: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run `python -m coursepress ARGS` in `cwd`, as a user would, and capture its output.
    `permissions`: file permissions hold even for root (as they do for every other user)."""
    return subprocess.run(
        [sys.executable, "-m", "coursepress", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        preexec_fn=_obey_permissions if permissions else None,
    )


def _obey_permissions() -> None:
    """Run by the child before it starts coursepress: root drops the capabilities that let it
    read and write any file (CI runs as root, where `chmod 000` would otherwise prove
    nothing). Dropped from the bounding set, they are gone once the child execs."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    capabilities = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
    for capability in capabilities:
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop the capability to ignore permissions")


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create `files` (path → text or bytes) under root and return root."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    def make(files: dict[str, str | bytes]) -> Path:
        return write_files(tmp_path / "site", files)

    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative path → bytes), to prove a folder did not change."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
