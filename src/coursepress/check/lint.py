"""What `coursepress check` finds in one page: links and images that lead nowhere, text that
is not what the author meant, and what screen-reader users trip over. Each finding has the
line it is on."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from coursepress.content.links import srcset_urls, start_tags, tag_attributes
from coursepress.errors import Diagnostic, Severity
from coursepress.site.urls import output_url
from coursepress.source.discover import SourceKind
from coursepress.source.frontmatter import KNOWN_KEYS, Document, decode
from coursepress.source.notebook import Notebook, Shown

VAGUE_LINK_TEXTS = frozenset(
    {"click here", "here", "this", "link", "this link", "read more", "more"}
)
IMAGE_ATTRIBUTES = {
    ("img", "src"),
    ("img", "srcset"),
    ("video", "poster"),
    ("source", "src"),
    ("source", "srcset"),
}


@dataclass(frozen=True, slots=True)
class SiteIndex:
    """What exists in the built site, for resolving links."""

    outputs: frozenset[str]
    """Every output file path (`posts/week1/index.html`) of the published site."""
    ids: dict[str, frozenset[str]]
    """Page URL → the ids in it (headings, footnotes, raw HTML), for `#fragment` links."""
    base_path: str
    unpublished: dict[str, str]
    """Output path → source of pages that exist but do not publish (drafts, future, expired)."""
    lowered: dict[str, str] = field(default_factory=dict)
    """Each output by its lower-case path, for links that differ only in case."""
    suggestions: dict[str, str] = field(default_factory=dict)
    """The hint for each broken path already looked up: a post may link to one missing page
    thousands of times."""
    candidates: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lowered.update((output.lower(), output) for output in self.outputs)
        self.candidates.extend(sorted(self.outputs))


_DISPLAYED = ("display_data", "execute_result")
THEME_IDS = frozenset({"cp-main", "cp-toc", "cp-latest"})
"""Ids the default theme puts on every page."""


def page_ids(html: str) -> frozenset[str]:
    """Every target of a `#fragment` in a page: ids, and the names of `<a name="...">`, which
    browsers scroll to as well (older posts and converted slides are full of them)."""
    targets = set()
    for tag, attrs, _ in _tags(html):
        if attrs.get("id"):
            targets.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            targets.add(attrs["name"])
    return frozenset(targets)


def lint_page(
    document: Document,
    body: str,
    md: MarkdownIt,
    page_url: str | None,
    index: SiteIndex,
    safe: bool = False,
) -> list[Diagnostic]:
    """The findings in one page; `body` is its Markdown as the build renders it (Hugo's
    `ref`, `relref` and `param` resolved), on the lines of the file."""
    found = Finder(document)
    found.front_matter()
    found.text_lines()
    if document.source.is_html:  # an HTML page: its body is HTML as written
        found.raw_html(body, document.body_line, page_url, index)
        return found.diagnostics
    if document.notebook is not None:
        found.notebook_outputs(document.notebook, page_url, index, safe)
    tokens = md.parse(body, {"docId": "lint", "path": document.source.rel})
    levels = [1]  # the page title is the page's <h1>; body headings are rendered below it
    for token, line in _with_lines(tokens, document.body_line):
        if token.type == "heading_open":
            found.heading(int(token.tag[1]), levels, line)
        elif token.type in ("html_block", "html_inline"):
            found.raw_html(token.content, line, page_url, index)
        elif token.type == "link_open" and page_url is not None:
            found.link(str(token.attrGet("href") or ""), line, page_url, index, image=False)
        elif token.type == "image":
            if not (token.children and "".join(c.content for c in token.children).strip()):
                found.add(
                    "image-no-alt",
                    line,
                    "this image has no alt text",
                    "describe the image in the brackets: ![what it shows](...)",
                )
            if page_url is not None:
                found.link(str(token.attrGet("src") or ""), line, page_url, index, image=True)
    for text, line in _link_texts(tokens, document.body_line):
        found.link_text(text, line)
    return found.diagnostics


def _with_lines(tokens: list[Token], first_line: int) -> Iterator[tuple[Token, int]]:
    """Every token with the file line it starts on (inline children counted by line breaks)."""
    for token in tokens:
        line = first_line + token.map[0] if token.map else first_line
        yield token, line
        for child in token.children or ():
            yield child, line
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type in ("html_inline", "text"):
                line += child.content.count("\n")


def _link_texts(tokens: list[Token], first_line: int) -> Iterator[tuple[str, int]]:
    text: list[str] | None = None
    start = first_line
    for token, line in _with_lines(tokens, first_line):
        if token.type == "link_open":
            text, start = [], line
        elif token.type == "link_close" and text is not None:
            yield "".join(text).strip(), start
            text = None
        elif text is not None and token.type in ("text", "code_inline"):
            text.append(token.content)
        elif text is not None and token.type in ("softbreak", "hardbreak"):
            text.append(" ")
        elif text is not None and token.type == "image":
            text.append("".join(c.content for c in token.children or ()) or "")


class Finder:
    """Collects the diagnostics of one document."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.diagnostics: list[Diagnostic] = []
        # A notebook's columns are the file's (JSON), where editors and GitHub show them.
        text = decode(document.source) if document.notebook else document.body
        self.lines = text.splitlines()
        """Split once: a post with 40,000 broken links has 40,000 findings."""
        self._searched: dict[int, int] = {}
        """Line → where the last finding on it was: the next one is looked for after it."""

    def add(
        self,
        code: str,
        line: int | None,
        message: str,
        hint: str | None = None,
        severity: Severity = Severity.WARNING,
        needle: str | None = None,
    ) -> None:
        """A finding at `line`; its column is where `needle` is on that line, when it is."""
        column = None
        lines = self.lines
        index = (line or 0) - self.document.body_line
        if needle and 0 <= index < len(lines):
            # Findings come in the order of the line, so each search goes on from the last:
            # one line of 10,000 links is read once, not once per link.
            text, start = lines[index], self._searched.get(index, 0)
            found = text.find(needle, start)
            found = text.find(needle) if found < 0 and start else found
            if found >= 0:
                column = found + 1
                self._searched[index] = found + 1
        self.diagnostics.append(
            Diagnostic(message, self.document.source.rel, line, hint, code, severity, column)
        )

    def front_matter(self) -> None:
        meta, doc = self.document.meta, self.document
        if meta.date is None and doc.source.section and doc.source.kind is SourceKind.PAGE:
            self.add(
                "missing-date",
                1,
                "no date in the front matter",
                "add date = 2023-09-05: posts are listed and published by date",
            )
        for key in meta.params:
            nearest = difflib.get_close_matches(key.lower(), KNOWN_KEYS, n=1, cutoff=0.75)
            if nearest and nearest[0] != key.lower():
                self.add(
                    "unknown-key",
                    doc.line_of(key.lower()),
                    f"unknown key '{key}'",
                    f"did you mean '{nearest[0]}'? Other keys are kept as params",
                )
        if not doc.body.strip() and doc.source.kind is SourceKind.PAGE:
            self.add(
                "empty-file",
                doc.body_line,
                "this page has no content",
                "write the post, or remove the file",
            )

    def text_lines(self) -> None:
        for number, line in enumerate(self.document.body.splitlines(), self.document.body_line):
            if not line.isascii() and _mojibake(line):
                from ftfy import fix_text  # slow to import; only for lines that look garbled

                fixed = fix_text(line, uncurl_quotes=False).strip()
                self.add(
                    "mojibake",
                    number,
                    "this line looks garbled (mojibake): text saved in "
                    "one encoding and read in another",
                    f"did you mean: {fixed}",
                )

    def heading(self, level: int, levels: list[int], line: int) -> None:
        if level > levels[-1] + 1:
            self.add(
                "heading-skip",
                line,
                f"this heading skips from level {levels[-1]} to {level}",
                f"use {'#' * (levels[-1] + 1)} here: screen readers move by level",
            )
        levels.append(level)

    def link_text(self, text: str, line: int) -> None:
        plain = re.sub(r"[^\w ]", "", text.lower()).strip()
        if not text:
            self.add(
                "empty-link",
                line,
                "this link has no text",
                "put words in the brackets: [what the link leads to](...)",
            )
        elif plain in VAGUE_LINK_TEXTS:
            self.add(
                "vague-link-text",
                line,
                f'the link text "{text}" does not say where it leads',
                "name the target instead, such as [the syllabus](...)",
            )

    def notebook_outputs(
        self, notebook: Notebook, page_url: str | None, index: SiteIndex, safe: bool
    ) -> None:
        """A notebook's pictures without a text for screen readers, and the links in its HTML
        outputs; its Markdown cells are checked as any page's body."""
        from coursepress.content.notebook import is_picture, shown_form

        for cell in notebook.cells:
            if cell.show_outputs is Shown.REMOVED:
                continue
            for output in cell.outputs:
                form = shown_form(output, safe) if output.kind in _DISPLAYED else None
                if form is not None and is_picture(form) and not (cell.alt or cell.caption):
                    self.add(
                        "image-no-alt",
                        cell.line,
                        f"the picture cell {cell.number} shows has no alt text",
                        'describe it in the cell: a first line "#| fig-alt: what it shows" (or '
                        '"#| fig-cap: ..." for a caption)',
                    )
                elif form == "text/html":
                    self.raw_html(dict(output.data)[form], output.line, page_url, index)

    def raw_html(self, html: str, line: int, page_url: str | None, index: SiteIndex) -> None:
        for tag, attrs, offset in _tags(html):
            if tag == "img" and "alt" not in attrs:
                self.add(
                    "image-no-alt",
                    line + offset,
                    "this <img> has no alt attribute",
                    'add alt="what it shows" (or alt="" for decoration)',
                )
            if page_url is None:
                continue
            for name, value in attrs.items():
                for url in _urls_in(name, value):
                    image = (tag, name) in IMAGE_ATTRIBUTES
                    self.link(url, line + offset, page_url, index, image=image)

    def link(self, href: str, line: int, page_url: str, index: SiteIndex, image: bool) -> None:
        problem = resolve(href.strip(), page_url, index)
        if problem is None:
            return
        code, message, hint = problem
        if code == "broken-link" and image:
            code, message = "missing-image", message.replace("link", "image", 1)
        severity = Severity.WARNING if code == "base-path-in-link" else Severity.ERROR
        self.add(code, line, message, hint, severity, needle=href)


def resolve(href: str, page_url: str, index: SiteIndex) -> tuple[str, str, str] | None:
    """None when `href` leads to something in the site (or outside it); else what is wrong."""
    parts = urlsplit(href)
    if not href or parts.scheme or href.startswith("//"):
        return None
    problem = _resolve_path(href, page_url, index)
    base = index.base_path
    without_base = href[len(base) - 1 :]
    if (
        problem
        and base != "/"
        and href.startswith(base)
        and _resolve_path(without_base, page_url, index) is None
    ):
        return (
            "base-path-in-link",
            f"the link {href} already contains the base path {base}",
            f"write it from the site root ({without_base}): the base path is added",
        )
    return problem


def _resolve_path(href: str, page_url: str, index: SiteIndex) -> tuple[str, str, str] | None:
    target, fragment = urldefrag(urljoin(page_url, href))
    path = unquote(urlsplit(target).path).lstrip("/")
    candidates = (
        [path + "index.html"] if path.endswith("/") or not path else [path, path + "/index.html"]
    )
    found = next((c for c in candidates if c in index.outputs), None)
    if found is None:
        lowered = index.lowered
        twin = next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)
        if twin is not None:
            return (
                "case-mismatch",
                f"the link {href} differs only in letter case from /{twin}",
                "match the letter case: it works on a laptop, not on the server",
            )
        unpublished = next(
            (index.unpublished[c] for c in candidates if c in index.unpublished), None
        )
        if unpublished is not None:
            return (
                "link-to-unpublished",
                f"the link {href} leads to {unpublished}, which does not publish",
                "publish that page first (draft = false, or wait for its date), or link elsewhere",
            )
        return ("broken-link", f"the link {href} leads nowhere in the site", _suggest(path, index))
    if fragment:
        page = output_url(found)
        ids = index.ids.get(page)
        if ids is not None and fragment not in ids:
            nearest = difflib.get_close_matches(fragment, sorted(ids), n=1)
            hint = f"did you mean #{nearest[0]}?" if nearest else "check the heading's text"
            return (
                "broken-anchor",
                f"the link {href} points to #{fragment}, which is not on {page}",
                hint,
            )
    return None


SUGGESTED_AT_MOST = 500
"""Broken paths given a "did you mean": each search compares the path with every output, so
a post with tens of thousands of distinct broken links must not make `check` quadratic."""


def _suggest(path: str, index: SiteIndex) -> str:
    known = index.suggestions.get(path)
    if known is not None:
        return known
    nearest = []
    if len(index.suggestions) < SUGGESTED_AT_MOST:
        nearest = difflib.get_close_matches(path, index.candidates, n=1, cutoff=0.6)
    hint = (
        f"did you mean /{nearest[0].removesuffix('index.html')}?"
        if nearest
        else "check the path; links are written from the site root (/posts/week1/) or relative"
    )
    index.suggestions[path] = hint
    return hint


def _urls_in(attribute: str, value: str) -> list[str]:
    if attribute in ("href", "src", "poster", "data"):
        return [value]
    if attribute == "srcset":
        return srcset_urls(value)
    return []


def _tags(html: str) -> list[tuple[str, dict[str, str], int]]:
    """Every start tag: its name, attributes and line (from 0), found in one pass."""
    found, line, counted = [], 0, 0
    for tag in start_tags(html):
        line += html.count("\n", counted, tag.start)
        counted = tag.start
        found.append((tag.name, tag_attributes(html[tag.start : tag.end]), line))
    return found


def _mojibake(line: str) -> bool:
    from ftfy.badness import is_bad  # slow to import: only `check` needs it

    return bool(is_bad(line))
