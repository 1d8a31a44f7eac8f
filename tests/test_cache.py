"""The Markdown cache: a warm build gives exactly the cold build's site, an edit is seen, and
a damaged cache is ignored."""

from __future__ import annotations

from pathlib import Path

from benchmarks.corpus import write_corpus

from tests.conftest import run_cli, snapshot


def build(site: Path, output: Path, *args: str) -> dict[str, bytes]:
    result = run_cli("build", "--output", str(output), *args, cwd=site)
    assert result.returncode == 0, result.stderr
    return snapshot(output)


def test_warm_build_equals_cold_and_sees_edits(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=12, seed=5)
    cold = build(site, tmp_path / "cold", "--no-cache")
    assert not (site / ".coursepress-cache").exists()
    first = build(site, tmp_path / "first")
    assert (site / ".coursepress-cache").is_dir()
    assert build(site, tmp_path / "warm") == first == cold

    post = site / "content/posts/post-00003.md"
    post.write_text(post.read_text() + "\nA new closing sentence.\n")
    edited = build(site, tmp_path / "edited")
    page = next(
        name
        for name in edited
        if name.endswith("index.html") and b"closing sentence" in edited[name]
    )
    assert page == "posts/post-00003/index.html"
    assert edited == build(site, tmp_path / "edited-cold", "--no-cache")


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=6, seed=9)
    expected = build(site, tmp_path / "first")
    entries = list((site / ".coursepress-cache").rglob("*.json"))
    assert entries
    for number, entry in enumerate(entries):
        entry.write_bytes(entry.read_bytes()[: number % 3 * 10])  # truncated or empty
    assert build(site, tmp_path / "again") == expected
