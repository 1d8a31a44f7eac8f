"""Posts a student could write to stall a build: each is built (and checked) alone, and the
time is printed per input size, to show that it grows in proportion (issue 15, item 15).

    .venv/bin/python benchmarks/adversarial.py [--scale 1] [--only NAME ...]

`--scale 0.1` gives inputs a tenth the size: compare the two runs' times to see the growth.
"""

from __future__ import annotations

import argparse
import json
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
    "unclosed <p> (HTML page)": lambda n: "<p>a\n" * n,
    "start tags left open (HTML page)": lambda n: '<a href="/x" ' * n + "\n",
    "comments left open": lambda n: "<!-- <img src=/x>\n\n" * n,
    "code blocks left open": lambda n: '<div class="highlight"><pre> x ' * n + "\n",
    "math in raw HTML, '<' left open": lambda n: "<div>$x$ " + "a < " * n + "\n",
    "unclosed paired shortcodes": lambda n: "{{< note >}}\n" * n,
    "shortcode openings, no close": lambda n: "{{< x " * n + "\n",
    "safe mode, HTML page": lambda n: "<u1>y</u1>\n" * n + "<script>x</script>\n",
    "unclosed \\( and \\[": lambda n: "\\(a \\[b " * n + "\n",
    "formulas": lambda n: "".join(f"$x_{{{i}}}^2$ " for i in range(n)) + "\n",
    "citations": lambda n: "".join(f"[see @doe2020, p. {i}] " for i in range(n)) + "\n",
    "citation brackets left open": lambda n: "[@doe2020; " * n + "\n",
    "notebook cells": lambda n: _notebook(n),
}


def _notebook(cells: int) -> str:
    """A notebook of Markdown and code cells, each code cell with a stream and an error."""
    error = {"output_type": "error", "ename": "E", "evalue": "x",
             "traceback": ["\x1b[0;31mE\x1b[0m: x"]}  # fmt: skip
    stream = {"output_type": "stream", "name": "stdout", "text": ["out\n"]}
    made = []
    for number in range(cells):
        made.append({"cell_type": "markdown", "metadata": {}, "source": [f"## Step {number}\n"]})
        made.append(
            {"cell_type": "code", "execution_count": number, "metadata": {},
             "outputs": [stream, error], "source": [f"x = {number}\n", "print(x)"]}
        )  # fmt: skip
    book = {"cells": made, "metadata": {"coursepress": {"title": "A"}}, "nbformat": 4,
            "nbformat_minor": 5}  # fmt: skip
    return json.dumps(book, indent=1)


_BIBLIOGRAPHY = {
    "site.toml": 'bibliography = "refs.bib"\n',
    "refs.bib": "@book{doe2020, title={A Book}, author={Doe, Jane}, publisher={P}, year={2020}}\n",
}
SETUP: dict[str, tuple[str, dict[str, str], list[str]]] = {
    # input → (the post's file name, other files of the site, build options)
    "unclosed <p> (HTML page)": ("a.html", {}, []),
    "start tags left open (HTML page)": ("a.html", {}, []),
    "unclosed paired shortcodes": (
        "a.md",
        {"templates/shortcodes/note.html": "<div>{{ inner }}</div>\n"},
        [],
    ),
    "safe mode, HTML page": ("a.html", {}, ["--safe"]),
    "citations": ("a.md", _BIBLIOGRAPHY, []),
    "citation brackets left open": ("a.md", _BIBLIOGRAPHY, []),
    "notebook cells": ("a.ipynb", {}, []),
}
SIZES = {
    "headings": 20_000,
    "quote pairs": 20_000,
    "links": 10_000,
    "footnotes": 5_000,
    "broken links": 40_000,
    "transcript paragraphs": 80_000,  # 5 MB
    "unclosed <p> (HTML page)": 40_000,
    "start tags left open (HTML page)": 20_000,
    "comments left open": 20_000,
    "code blocks left open": 20_000,
    "math in raw HTML, '<' left open": 40_000,
    "unclosed paired shortcodes": 40_000,
    "shortcode openings, no close": 20_000,
    "safe mode, HTML page": 80_000,
    "unclosed \\( and \\[": 20_000,
    "formulas": 5_000,
    "citations": 5_000,
    "citation brackets left open": 20_000,
    "notebook cells": 10_000,
}


def timed(command: list[str], site: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=site, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", nargs="*", help="these inputs alone (names as printed)")
    arguments = parser.parse_args()
    scale = arguments.scale
    cli = [sys.executable, "-m", "coursepress"]
    print(f"{'input':24} {'size':>8} {'KB':>8} {'build s':>8} {'check s':>8}")
    for name, make in CASES.items():
        if arguments.only and name not in arguments.only:
            continue
        count = max(1, int(SIZES[name] * scale))
        body = make(count)
        with tempfile.TemporaryDirectory() as folder:
            site = Path(folder)
            name_of_post, files, flags = SETUP.get(name, ("a.md", {}, []))
            post = site / "content" / "posts" / name_of_post
            post.parent.mkdir(parents=True)
            if name_of_post.endswith(".ipynb"):  # its front matter is in its metadata
                post.write_text(body, encoding="utf-8")
            else:
                front_matter = '+++\ntitle = "A"\ndate = 2023-09-05\n+++\n'
                post.write_text(front_matter + body, encoding="utf-8")
            for relative, text in files.items():
                (site / relative).parent.mkdir(parents=True, exist_ok=True)
                (site / relative).write_text(text, encoding="utf-8")
            # Under a sub-path, as on GitHub Pages: every URL in the HTML is rewritten.
            base = ["--base-url", "https://example.github.io/course/"]
            build = timed([*cli, "build", "--no-cache", "--quiet", *base, *flags], site)
            check = timed([*cli, "check"], site)
        print(f"{name:24} {count:>8} {len(body) / 1000:>8.0f} {build:>8.2f} {check:>8.2f}")


if __name__ == "__main__":
    main()
