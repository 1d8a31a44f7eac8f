"""How long from saving a post to `coursepress serve` serving the rebuilt page.

Copies the demo course site to a temporary folder, starts `coursepress serve` on a free port,
then N times: appends a unique line to one post, and polls the page until the line is there.
Prints each latency and the median. Run from the repository root:

    .venv/bin/python benchmarks/serve_latency.py [--runs 20]
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POST = "content/posts/week1-introduction.md"
PAGE = "posts/week1/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "demo"
        site.mkdir()
        for part in ("content", "static", "templates", "site.toml"):
            source = REPO / part
            copy = shutil.copytree if source.is_dir() else shutil.copy2
            copy(source, site / part)
        latencies = measure(site, runs)
    print(f"serve rebuild latency, one-post edit on the demo site, {runs} runs:")
    print(
        f"  median {statistics.median(latencies) * 1000:.0f} ms, "
        f"min {min(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )


def measure(site: Path, runs: int) -> list[float]:
    process = subprocess.Popen(
        [sys.executable, "-m", "coursepress", "serve", "--port", "0"],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = ""
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("Serving "):
                url = line.split(" at ", 1)[1].split(" ", 1)[0]
                break
        post = site / POST
        original = post.read_text(encoding="utf-8")
        latencies = []
        for run in range(runs):
            marker = f"latency-marker-{run}-{time.time_ns()}"
            started = time.perf_counter()
            post.write_text(original + f"\n{marker}\n", encoding="utf-8")
            while marker not in fetch(url + PAGE):
                time.sleep(0.005)
            latencies.append(time.perf_counter() - started)
            print(f"  run {run + 1}: {latencies[-1] * 1000:.0f} ms", flush=True)
            time.sleep(0.3)  # let the watcher settle before the next save
        return latencies
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


if __name__ == "__main__":
    main()
