"""A seeded course-blog corpus for benchmarks: N posts of about 10 KB each, written the way
course posts are (headings, lists, footnotes, 1-3 highlighted code fences, raw HTML images,
the odd table), about 5% drafts, tags and weeks. The same seed gives the same files.

    python benchmarks/corpus.py OUT_DIR --posts 1000 [--seed 7]

The folder builds with coursepress (site.toml) and with Hugo (hugo.toml and the minimal
layouts written here), from the same content/.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tomllib
from datetime import date, timedelta
from pathlib import Path

WORDS = [
    "attention",
    "transformer",
    "model",
    "token",
    "layer",
    "gradient",
    "loss",
    "training",
    "data",
    "encoder",
    "decoder",
    "sequence",
    "embedding",
    "vector",
    "matrix",
    "softmax",
    "probability",
    "language",
    "network",
    "weight",
    "bias",
    "student",
    "lecture",
    "week",
    "discussion",
    "paper",
    "result",
    "question",
    "answer",
    "example",
    "method",
    "scale",
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "with",
    "as",
    "on",
    "by",
    "this",
    "from",
    "are",
    "be",
    "it",
    "an",
    "at",
    "which",
    "we",
]
TAGS = [f"topic-{n}" for n in range(20)]
AUTHORS = ["Ana Lima", "Ben Okafor", "Chen Wei", "Dara Singh", "Eli Novak", "Fatima Haddad"]
CODE = {
    "python": (
        "def step(weights, grad, lr=0.1):\n    return [w - lr * g for w, g in zip(weights, grad)]\n"
    ),
    "bash": "python train.py --epochs 5 --lr 3e-4 | tee log.txt\n",
    "javascript": (
        "const total = items.reduce((sum, x) => sum + x.value, 0);\nconsole.log(total);\n"
    ),
}
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '</head><body><main>{{ block "main" . }}{{ end }}</main></body></html>\n'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2 January 2006" }}'
        "</time>{{ .Content }}</article>{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
        '<li><a href="{{ .RelPermalink }}">'
        "{{ .Title }}</a>{{ .Summary }}</li>{{ end }}</ul>{{ end }}\n"
    ),
    "index.html": (
        '{{ define "main" }}<ul>{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">'
        "{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n"
    ),
}


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 20))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, notes: list[int]) -> str:
    text = " ".join(sentence(rng) for _ in range(rng.randint(4, 7)))
    if notes and rng.random() < 0.4:
        text += f"[^{rng.choice(notes)}]"
    return text


def post_body(rng: random.Random, number: int) -> str:
    notes = list(range(1, rng.randint(3, 5)))
    parts = [paragraph(rng, notes), "<!--more-->"]
    fences = rng.randint(1, 3)
    for section in range(1, 5):
        parts.append(f"## Part {section}: {sentence(rng)[:-1]}")
        parts += [paragraph(rng, notes) for _ in range(3)]
        parts.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(3, 5))))
        parts.append(f"### Detail {section}")
        parts.append(paragraph(rng, notes))
        if fences > 0:
            language = rng.choice(list(CODE))
            parts.append(f"```{language}\n{CODE[language] * rng.randint(2, 5)}```")
            fences -= 1
        if rng.random() < 0.5:
            parts.append(
                f'<img src="/images/figure.png" alt="Figure {number}.{section}" width="60%">'
            )
        if rng.random() < 0.15:
            rows = "\n".join(
                f"| {w} | {rng.random():.3f} | {rng.randint(1, 99)} |"
                for w in rng.choices(WORDS, k=4)
            )
            parts.append("| term | score | count |\n|---|--:|--:|\n" + rows)
    parts += [f"[^{note}]: {sentence(rng)}" for note in notes]
    return "\n\n".join(parts) + "\n"


def write_corpus(root: Path, posts: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    content = root / "content" / "posts"
    content.mkdir(parents=True)
    start = date(2023, 8, 28)
    for number in range(1, posts + 1):
        day = start + timedelta(days=number % 700)
        tags = ", ".join(f'"{t}"' for t in rng.sample(TAGS, rng.randint(1, 3)))
        authors = ", ".join(f'"{a}"' for a in rng.sample(AUTHORS, rng.randint(1, 2)))
        front = (
            f'+++\ntitle = "Post {number}: {sentence(rng)[:40]}"\ndate = {day.isoformat()}\n'
            f"tags = [{tags}]\nauthors = [{authors}]\nweek = {number % 14 + 1}\n"
            + ("draft = true\n" if rng.random() < 0.05 else "")
            + "+++\n\n"
        )
        (content / f"post-{number:05d}.md").write_text(
            front + post_body(rng, number), encoding="utf-8"
        )
    (root / "content" / "_index.md").write_text('+++\ntitle = "Benchmark course"\n+++\n')
    (root / "content" / "posts" / "_index.md").write_text('+++\ntitle = "Posts"\n+++\n')
    (root / "static" / "images").mkdir(parents=True)
    (root / "static" / "images" / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (root / "site.toml").write_text(
        'title = "Benchmark course"\nbase_url = "https://example.github.io/bench/"\n'
        'timezone = "America/New_York"\n'
    )
    (root / "hugo.toml").write_text(
        'baseURL = "https://example.github.io/bench/"\ntitle = "Benchmark course"\n'
        'timeZone = "America/New_York"\n[taxonomies]\ntag = "tags"\n'
        "[markup.goldmark.renderer]\nunsafe = true\n[markup.highlight]\nnoClasses = false\n"
    )
    for name, text in HUGO_LAYOUTS.items():
        path = root / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def course_post_body(rng: random.Random, number: int, size: int, images: list[str]) -> str:
    """A long lecture write-up of about `size` bytes, as real course posts are: sections of
    prose with footnotes and inline and display math, raw HTML figures with captions and raw
    HTML tables, and a few code fences."""
    notes = list(range(1, rng.randint(4, 9)))
    parts = [paragraph(rng, notes), "<!--more-->"]
    section = 0
    while sum(len(part) for part in parts) < size:
        section += 1
        parts.append(f"## {section}. {sentence(rng)[:-1]}")
        parts += [paragraph(rng, notes) for _ in range(rng.randint(2, 4))]
        parts.append(
            f"The loss is $L(\\theta) = -\\sum_{{i=1}}^{{N}} \\log p_\\theta(x_i)$ and its "
            f"gradient $\\nabla_\\theta L$ for step {section}."
        )
        if rng.random() < 0.4:
            parts.append("$$\n\\mathrm{softmax}(z)_j = \\frac{e^{z_j}}{\\sum_k e^{z_k}}\n$$")
        if rng.random() < 0.6:
            src = rng.choice(images)
            parts.append(
                f'<figure>\n<img src="/{src}" alt="Figure {number}.{section}" width="80%">\n'
                f"<figcaption>Figure {number}.{section}: {sentence(rng)}</figcaption>\n</figure>"
            )
        if rng.random() < 0.35:
            rows = "\n".join(
                f"<tr><td>{w}</td><td>{rng.random():.3f}</td><td>{rng.randint(1, 99)}</td></tr>"
                for w in rng.choices(WORDS, k=rng.randint(8, 30))
            )
            parts.append(
                '<table class="results">\n<thead><tr><th>term</th><th>score</th><th>count</th>'
                f"</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"
            )
        if rng.random() < 0.3:
            language = rng.choice(list(CODE))
            parts.append(f"```{language}\n{CODE[language] * rng.randint(2, 8)}```")
        parts.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 5))))
    parts += [f"[^{note}]: {sentence(rng)}" for note in notes]
    return "\n\n".join(parts) + "\n"


def write_course_corpus(root: Path, posts: int = 30, statics: int = 430, seed: int = 11) -> Path:
    """A site like a real course's: `posts` lecture posts of 5 to 50 KB (most short: about
    570 KB in all for 30), full of raw HTML figures and tables, footnotes and math, and
    `statics` static files (figures, slides and handouts of 2 to 120 KB). The same settings
    and Hugo templates as `write_corpus`, so that the same scenarios run on it."""
    write_corpus(root, 0, seed)
    rng = random.Random(seed)
    images = []
    for index in range(statics):
        week = index % 14 + 1
        kind = rng.choices(["png", "jpg", "svg", "pdf"], weights=[6, 2, 1, 1])[0]
        path = Path("static") / ("images" if kind != "pdf" else "files") / f"week{week}"
        name = f"{path.as_posix()}/item-{index:03d}.{kind}"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(rng.randbytes(rng.randint(2, 120) * 1024))
        if kind != "pdf":
            images.append(name.removeprefix("static/"))
    content = root / "content" / "posts"
    start = date(2023, 8, 28)
    for number in range(1, posts + 1):
        day = start + timedelta(days=(number - 1) * 3)
        authors = ", ".join(f'"{a}"' for a in rng.sample(AUTHORS, rng.randint(1, 3)))
        front = (
            f'+++\ntitle = "Post {number}: {sentence(rng)[:40]}"\ndate = {day.isoformat()}\n'
            f'tags = ["{rng.choice(TAGS)}"]\nauthors = [{authors}]\nweek = {number // 2 + 1}\n'
            "+++\n\n"
        )
        size = int((5 + 45 * rng.random() ** 3) * 1024)  # most short, a few long: ~16 KB
        body = course_post_body(rng, number, size, images)
        (content / f"post-{number:05d}.md").write_text(front + body, encoding="utf-8")
    return root


PELICAN_CONF = """\
SITENAME = "Benchmark course"
SITEURL = ""
PATH = "content"
TIMEZONE = "America/New_York"
DEFAULT_LANG = "en"
"""


def write_pelican_corpus(root: Path) -> Path:
    """The same posts for Pelican, in `root/pelican/`: front matter as Pelican's metadata
    lines, bodies unchanged (Pelican's default Markdown has fenced code, footnotes, tables
    and Pygments). Built with `pelican content -s pelicanconf.py`."""
    pelican = root / "pelican"
    if pelican.exists():
        shutil.rmtree(pelican)
    (pelican / "content" / "images").mkdir(parents=True)
    shutil.copy(root / "static" / "images" / "figure.png", pelican / "content" / "images")
    for post in sorted((root / "content" / "posts").glob("post-*.md")):
        _, front, body = post.read_text(encoding="utf-8").split("+++\n", 2)
        meta = tomllib.loads(front)
        lines = [
            f"Title: {meta['title']}",
            f"Date: {meta['date']}",
            f"Tags: {', '.join(meta['tags'])}",
            f"Authors: {'; '.join(meta['authors'])}",
            "Category: posts",
        ]
        if meta.get("draft"):
            lines.append("Status: draft")
        (pelican / "content" / post.name).write_text(
            "\n".join(lines) + "\n" + body, encoding="utf-8"
        )
    (pelican / "pelicanconf.py").write_text(PELICAN_CONF)
    return pelican


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--course", action="store_true", help="a course-like site (30 posts)")
    args = parser.parse_args()
    if args.course:
        root = write_course_corpus(args.out, args.posts, seed=args.seed)
    else:
        root = write_corpus(args.out, args.posts, args.seed)
    size = sum(p.stat().st_size for p in (root / "content").rglob("*.md")) / args.posts
    print(f"wrote {args.posts} posts to {root} (average {size / 1024:.1f} KB)")


if __name__ == "__main__":
    main()
