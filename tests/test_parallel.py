"""Rendering Markdown and templates on all cores gives exactly the site one process gives."""

from __future__ import annotations

from pathlib import Path

from benchmarks.corpus import write_corpus

from tests.conftest import run_cli, snapshot


def test_parallel_build_is_byte_identical_to_one_process(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=80, seed=3)
    # Without the cache, so that the second build renders everything again, on two processes.
    one = run_cli("build", "--jobs", "1", "--no-cache", "-o", str(tmp_path / "one"), cwd=site)
    many = run_cli("build", "--jobs", "2", "--no-cache", "-o", str(tmp_path / "many"), cwd=site)
    assert one.returncode == 0 and many.returncode == 0, one.stderr + many.stderr
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "many")
    assert len(snapshot(tmp_path / "one")) >= 80
