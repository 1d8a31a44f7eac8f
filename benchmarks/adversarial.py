"""Posts a student could write to stall a build: each is built (and checked) alone, and the
time is printed per input size, to show that it grows in proportion (issue 15, item 15).

    .venv/bin/python benchmarks/adversarial.py [--scale 1]

`--scale 0.1` gives inputs a tenth the size: compare the two runs' times to see the growth.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = {
    "headings": lambda n: "".join("## H\n\n" for _ in range(n)),
    "quote pairs": lambda n: '"a" ' * (n * 5) + "\n",
    "links": lambda n: "".join(f"[l{i}](/posts/x{i}/) " for i in range(n)) + "\n",
    "footnotes": lambda n: (
        "".join(f"x[^{i}] " for i in range(n))
        + "\n\n"
        + "".join(f"[^{i}]: note {i}\n" for i in range(n))
    ),
    "broken links": lambda n: "".join(f"[l{i}](/nowhere/x{i}/) " for i in range(n)) + "\n",
    "transcript paragraphs": lambda n: (
        "A long lecture transcript line with *emphasis* and a [link](/x/).\n\n" * n
    ),
}
SIZES = {
    "headings": 20_000,
    "quote pairs": 20_000,
    "links": 10_000,
    "footnotes": 5_000,
    "broken links": 40_000,
    "transcript paragraphs": 80_000,  # 5 MB
}


def timed(command: list[str], site: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=site, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    scale = parser.parse_args().scale
    cli = [sys.executable, "-m", "coursepress"]
    print(f"{'input':24} {'size':>8} {'KB':>8} {'build s':>8} {'check s':>8}")
    for name, make in CASES.items():
        count = max(1, int(SIZES[name] * scale))
        body = make(count)
        with tempfile.TemporaryDirectory() as folder:
            site = Path(folder)
            post = site / "content" / "posts" / "a.md"
            post.parent.mkdir(parents=True)
            post.write_text(f'+++\ntitle = "A"\ndate = 2023-09-05\n+++\n{body}', encoding="utf-8")
            build = timed([*cli, "build", "--no-cache", "--quiet"], site)
            check = timed([*cli, "check"], site)
        print(f"{name:24} {count:>8} {len(body) / 1000:>8.0f} {build:>8.2f} {check:>8.2f}")


if __name__ == "__main__":
    main()
