"""How much real-world TeX typesets: the formulas of tests/fixtures/math/corpus.tsv (collected
from public course notes, see SOURCES.md), each written back into Markdown with the delimiter
it was found with and rendered by coursepress's own pipeline.

A formula counts as clean when it becomes MathML with no warning and no command left as
literal text. `--latex2mathml` measures the converter coursepress used before KaTeX (if it
is installed), on the same TeX, for the before/after comparison.

    python benchmarks/math_coverage.py [--latex2mathml] [--show N]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path, PurePosixPath

from coursepress.content.markdown import create_parser, render_markdown

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "math" / "corpus.tsv"
_LITERAL_COMMAND = re.compile(r"<(mi|mo|mtext|mn)[^>]*>(\\[A-Za-z]+|&amp;<|&<)")
"""A command, or an alignment `&`, left in the formula as text."""


def rows() -> list[tuple[str, str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(r["repository"], r["delimiter"], json.loads(r["tex"])) for r in reader]


def as_markdown(delimiter: str, tex: str) -> str:
    tex = tex.replace("\r\n", "\n")
    return {
        "dollar": f"Text ${tex}$ text.",
        "dollars": f"$$\n{tex}\n$$",
        "environment": tex,
        "paren": f"Text \\({tex}\\) text.",
        "double-paren": f"Text \\\\({tex}\\\\) text.",
        "bracket": f"\\[\n{tex}\n\\]",
        "double-bracket": f"\\\\[\n{tex}\n\\\\]",
    }[delimiter]


def coursepress_problems(md: object, delimiter: str, tex: str) -> list[str]:
    result = render_markdown(
        md,  # type: ignore[arg-type]
        as_markdown(delimiter, tex),
        doc_id="c",
        path=PurePosixPath("corpus.md"),
        first_line=1,
    )
    problems = [w.message for w in result.warnings if w.code == "math"]
    if "<math" not in result.html:
        problems.append("no MathML")
    literal = _LITERAL_COMMAND.search(result.html.split("<annotation")[0])
    if literal:
        problems.append(f"literal {literal.group(0)}")
    return problems


def latex2mathml_problems(delimiter: str, tex: str) -> list[str]:
    from latex2mathml.converter import convert

    if delimiter.startswith("double"):
        tex = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", tex)
    try:
        inline = delimiter in ("dollar", "paren", "double-paren")
        html = convert(tex.strip(), display="inline" if inline else "block")
    except Exception as error:  # latex2mathml raises many types
        return [f"{type(error).__name__}: {error}"[:80]]
    literal = _LITERAL_COMMAND.search(html)
    return [f"literal {literal.group(0)}"] if literal else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latex2mathml", action="store_true")
    parser.add_argument("--show", type=int, default=0, help="print this many failures")
    options = parser.parse_args()
    md = create_parser()
    corpus = rows()
    engines = {"coursepress (KaTeX)": lambda d, t: coursepress_problems(md, d, t)}
    if options.latex2mathml:
        engines["latex2mathml"] = latex2mathml_problems
    print(f"{len(corpus)} formulas from {len({r for r, _, _ in corpus})} repositories")
    for name, problems_of in engines.items():
        failed = [(repo, d, t, p) for repo, d, t in corpus if (p := problems_of(d, t))]
        clean = len(corpus) - len(failed)
        print(f"{name}: {clean} of {len(corpus)} clean ({100 * clean / len(corpus):.1f} %)")
        kinds = Counter(p[0].split(":")[0][:60] for *_, p in failed)
        for kind, count in kinds.most_common(8):
            print(f"    {count:4}  {kind}")
        for repo, delimiter, tex, problems in failed[: options.show]:
            print(f"  {repo} [{delimiter}] {tex[:70]!r}\n      {problems[0][:120]}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
