"""A published Document → Page: its URL, output path, and body rendered to HTML."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markupsafe import Markup

from coursepress.config import Config
from coursepress.content.citations import Citations, page_citations
from coursepress.content.links import resolved_from, rewrite_html
from coursepress.content.markdown import (
    Heading,
    RenderedMarkdown,
    render_html_page,
    render_markdown,
)
from coursepress.content.shortcodes import References, SiteCodes, find, resolve_references
from coursepress.content.site_shortcodes import ShortcodeSite, ShortcodeTemplate
from coursepress.content.typography import typeset
from coursepress.errors import Diagnostic
from coursepress.site.course import Author
from coursepress.site.urls import output_path, page_name, page_url, term_url, urlize
from coursepress.source.bibliography import NO_REFERENCES, SiteReferences
from coursepress.source.discover import SourceKind
from coursepress.source.frontmatter import Document
from coursepress.source.notebook import Notebook


@dataclass(frozen=True, slots=True)
class Page:
    """A page ready for templates. `url` is site-relative; templates pass it to `relative_url`."""

    source: PurePosixPath
    """The Markdown file as messages show it (`content/posts/week1.md`)."""
    target: PurePosixPath
    """The Markdown file's path under content/ (`posts/week1.md`)."""
    kind: SourceKind
    """PAGE, or SECTION_INDEX for an `_index.md`."""
    section: str
    """First folder under content/; '' for top-level pages."""
    url: str
    """URL path without the base path, e.g. `/posts/week1/`."""
    output: str
    """File written, relative to the output folder, e.g. `posts/week1/index.html`."""
    title: str
    link_title: str
    """For menus and navigation: `linkTitle`, else the title."""
    date: datetime | None
    lastmod: datetime | None
    draft: bool
    description: str
    body: Body
    """What the Markdown body gives: read through `content`, `summary`, `headings`..."""
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    terms: Mapping[str, tuple[str, ...]]
    """Taxonomy (plural name, such as `tags`) → the page's terms in it."""
    term_links: Mapping[str, tuple[Link, ...]]
    """Taxonomy → each of the page's terms with the URL of its page, for templates."""
    authors: tuple[Author, ...]
    """Named in `authors` (ids from site.toml's [authors] or plain names), else the site's."""
    week: int | None
    """`week` in the front matter: where the page sits in the schedule."""
    lecture: int | None
    weight: int
    aliases: tuple[str, ...]
    bundle: PurePosixPath | None
    """The page bundle folder under content/, whose files are copied beside the page."""
    params: Mapping[str, Any]
    key_lines: Mapping[str, int]
    """The front matter line of each key, for messages about the page."""
    files: tuple[tuple[str, bytes], ...] = ()
    """Files its body shows, written beside it (a notebook's plots): name → bytes."""
    meta_digest: str = ""
    """A digest of `metadata()`, made once: builds compare it to see what lists may show."""

    def __post_init__(self) -> None:
        metadata = repr(self.metadata()).encode()
        object.__setattr__(self, "meta_digest", hashlib.sha256(metadata).hexdigest())

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    # The parts of the body (BODY_PARTS): what templates read of it, as the render layer
    # records (output/reads.py).
    @property
    def content(self) -> Markup:
        # Decoded on each read, since bodies are kept as UTF-8 (see Body.content_utf8).
        return Markup(self.body.content)

    @property
    def summary(self) -> Markup:
        return Markup(self.body.summary)

    @property
    def headings(self) -> tuple[Heading, ...]:
        """The page's headings, for its table of contents."""
        return self.body.headings

    @property
    def toc(self) -> tuple[TocEntry, ...]:
        """The table of contents: headings of levels 2 to 4, nested by level."""
        return table_of_contents(self.body.headings)

    @property
    def show_toc(self) -> bool:
        """At least three headings, and `toc = false` not set."""
        return self.body.show_toc

    @property
    def reading_minutes(self) -> int:
        return self.body.reading_minutes

    @property
    def short_description(self) -> str:
        """For search engines and link previews: `description`, else the summary's text, cut
        at a word before 160 characters."""
        if self.description:
            return self.description
        text = " ".join(Markup(self.body.summary).striptags().split())
        return (
            text if len(text) <= 160 else text[:160].rsplit(" ", 1)[0] + "\N{HORIZONTAL ELLIPSIS}"
        )

    @property
    def image(self) -> str | None:
        """The picture a link preview shows: `images` (Hugo's key, the first) or `image`, as a
        URL path; a relative one is the page's own file (in its bundle)."""
        images = self.params.get("images")
        image = images[0] if isinstance(images, list) and images else self.params.get("image")
        if not isinstance(image, str) or not image:
            return None
        return image if image.startswith("/") or "://" in image else self.url + image

    def metadata(self) -> tuple[object, ...]:
        """Everything about the page besides its body: what lists, menus and feeds may show."""
        return tuple(getattr(self, name) for name in _METADATA_FIELDS)


class TocEntry(NamedTuple):
    id: str
    text: str
    children: tuple[TocEntry, ...]


def table_of_contents(
    headings: tuple[Heading, ...], top: int = 2, bottom: int = 4
) -> tuple[TocEntry, ...]:
    """Headings from level `top` to `bottom`, each under the nearest heading above it of a
    higher level; a heading with no text or no id (`##` used as a spacer) is left out."""
    root: list[tuple[Heading, list[Any]]] = []
    open_levels: list[tuple[int, list[tuple[Heading, list[Any]]]]] = [(top - 1, root)]
    for heading in headings:
        if not top <= heading.level <= bottom or not heading.id or not heading.text:
            continue
        while open_levels[-1][0] >= heading.level:
            open_levels.pop()
        children: list[tuple[Heading, list[Any]]] = []
        open_levels[-1][1].append((heading, children))
        open_levels.append((heading.level, children))

    def entries(level: list[tuple[Heading, list[Any]]]) -> tuple[TocEntry, ...]:
        return tuple(TocEntry(h.id, h.text, entries(below)) for h, below in level)

    return entries(root)


class Link(NamedTuple):
    """A name and the URL of the page it leads to, for templates."""

    name: str
    url: str


@dataclass(frozen=True)
class Body:
    summary: str
    content_utf8: bytes
    """The page's HTML as UTF-8: a post's footnote arrow makes Python hold its text at two
    bytes a character, and every page's body stays in memory for the whole build."""
    headings: tuple[Heading, ...]
    show_toc: bool
    reading_minutes: int
    _digests: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Computed once, on first use."""

    @property
    def content(self) -> str:
        return self.content_utf8.decode("utf-8")

    def digest_of(self, part: str) -> str:
        """A digest of one part (`content`, `summary`, ...) as UTF-8 text."""
        if part not in self._digests:
            value = self.content_utf8 if part == "content" else getattr(self, part)
            data = value if isinstance(value, bytes) else str(value).encode()
            self._digests[part] = hashlib.sha256(data).hexdigest()
        return self._digests[part]

    @property
    def digest(self) -> str:
        """A digest of the whole body."""
        whole = "".join(self.digest_of(part) for part in BODY_PARTS)
        return hashlib.sha256(whole.encode()).hexdigest()


BODY_PARTS = ("content", "summary", "headings", "show_toc", "reading_minutes")


_METADATA_FIELDS = tuple(
    f.name for f in fields(Page) if f.name not in ("body", "key_lines", "files", "meta_digest")
)


@dataclass(frozen=True, slots=True)
class MarkdownJob:
    """Everything needed to render one page's Markdown, in this process or another."""

    body: str
    url: str
    doc_id: str
    path: PurePosixPath
    first_line: int
    base_path: str
    summary_length: int = 0
    safe: bool = False
    notes: tuple[Diagnostic, ...] = ()
    """Warnings found before rendering (a `ref` to no page)."""
    site_codes: SiteCodes | None = None
    """The site's own shortcodes that the page uses, and what they see."""
    html: bool = False
    """An HTML page: the body is HTML as written."""
    math_macros: tuple[tuple[str, str], ...] = ()
    """`[math.macros]` of site.toml."""
    notebook: Notebook | None = None
    """A notebook page's code cells: the body is its Markdown cells."""
    citations: Citations | None = None
    """The references the page may cite, and the style: None for a page with no
    bibliography, where `@` is text."""

    def run(self, md: MarkdownIt) -> RenderedMarkdown:
        common: dict[str, Any] = {
            "doc_id": self.doc_id,
            "path": self.path,
            "base_path": self.base_path,
            "summary_length": self.summary_length,
            "safe": self.safe,
            "site_codes": self.site_codes,
            "math_macros": dict(self.math_macros),
        }
        if not self.html:
            common["citations"] = self.citations
        if self.notebook is not None:
            from coursepress.content.notebook import render_notebook

            rendered = render_notebook(md, self.body, self.notebook, **common)
        else:
            render = render_html_page if self.html else render_markdown
            rendered = render(md, self.body, first_line=self.first_line, **common)
        # A summary is shown on other pages, so its relative links are resolved from this one.
        summary = rewrite_html(rendered.summary_html, resolved_from(self.url, self.base_path))
        return replace(rendered, summary_html=summary, warnings=self.notes + rendered.warnings)


@dataclass(frozen=True, slots=True)
class PageInputs:
    """What the site gives a page's body besides its own file."""

    shortcodes: Mapping[str, ShortcodeTemplate] = field(default_factory=dict)
    """The site's own shortcodes (`templates/shortcodes/`)."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """`data/`, for shortcodes that show it (`site.data`)."""
    references: SiteReferences = NO_REFERENCES
    """What pages with a bibliography may cite, and the style."""


@dataclass(frozen=True, slots=True)
class Lookups:
    """What a page's body may need of the rest of the site."""

    urls: Mapping[str, str]
    """Content path → URL of every page that publishes, for Hugo's `ref`."""
    inputs: PageInputs


NO_LOOKUPS = Lookups({}, PageInputs())


def markdown_job(
    document: Document,
    config: Config,
    lookups: Lookups = NO_LOOKUPS,
    url: str | None = None,
) -> MarkdownJob:
    """What to render for a page; `url` is the page's own, when the caller has it already."""
    url = url or page_url(document, config)
    body, notes = document.body, list[Diagnostic]()
    site_codes, citations = None, None
    if "{{" in body:
        source = document.source
        folder = (source.bundle or source.target).parent
        meta = document.meta
        # Hugo's `param` reads the page's own keys too (`{{< param "title" >}}`).
        own = {"title": meta.title, "description": meta.description, "slug": meta.slug}
        params = {**{k: v for k, v in own.items() if v}, **meta.params}
        refs = References(lookups.urls, config.base_url, params, config.params, folder)
        body, notes = resolve_references(body, refs, source.rel, document.body_line)
        site_codes = _site_codes(document, body, url, config, lookups)
    references = lookups.inputs.references
    library = references.libraries.get(document.source.rel)
    if library and "@" in body and not document.source.is_html:
        citations = page_citations(body, library, references.style, references.style_digest)
    return MarkdownJob(
        body,
        url,
        _doc_id(url),
        document.source.rel,
        document.body_line,
        config.base_path,
        config.summary_length,
        config.safe_html,
        tuple(notes),
        site_codes,
        document.source.is_html,
        tuple(config.math.items()),
        document.notebook,
        citations,
    )


def _site_codes(
    document: Document, body: str, url: str, config: Config, lookups: Lookups
) -> SiteCodes | None:
    """The site shortcodes the page uses (only those: each is part of the page's cache key),
    and what their templates see."""
    shortcodes = lookups.inputs.shortcodes
    if not shortcodes:
        return None
    used = {code.name for code in find(body)} & shortcodes.keys()
    if not used:
        return None
    meta = document.meta
    context = ShortcodeSite(
        safe=config.safe_html,
        base_url=config.base_url,
        site={"title": config.title, "params": config.params, "data": lookups.inputs.data},
        page={
            "title": meta.title or "",
            "url": url,
            "params": meta.params,
            "date": meta.date,
            "section": document.source.section,
        },
    )
    return SiteCodes({name: shortcodes[name] for name in sorted(used)}, context)


def make_page(
    document: Document,
    md: MarkdownIt,
    config: Config,
    warnings: list[Diagnostic],
    rendered: RenderedMarkdown | None = None,
    url: str | None = None,
) -> Page:
    """The page of a document; `rendered` is its Markdown when that was rendered elsewhere."""
    source, meta = document.source, document.meta
    url = url or page_url(document, config)
    rendered = rendered or markdown_job(document, config).run(md)
    warnings.extend(rendered.warnings)
    # Titles get the body's typography (curly quotes, dashes), as the heading they stand for.
    title = typeset(meta.title or "") or _fallback_title(document, rendered.first_heading, warnings)
    names = meta.authors or ((config.author,) if config.author else ())
    terms = {plural: _terms(document, plural) for plural in config.taxonomies.values()}
    return Page(
        source=source.rel,
        target=source.target,
        kind=source.kind,
        section=source.section,
        url=url,
        output=output_path(url),
        title=title,
        link_title=typeset(meta.linktitle or "") or title,
        date=meta.date,
        lastmod=meta.lastmod or meta.date,
        draft=meta.draft,
        description=meta.description or "",
        body=Body(
            summary=_summary(md, document, rendered.summary_html, url, config, warnings),
            content_utf8=rendered.html_utf8,
            _digests={"content": rendered.html_digest},
            headings=rendered.headings,
            show_toc=len(rendered.headings) >= TOC_MIN_HEADINGS
            and meta.params.get("toc") is not False,
            reading_minutes=max(1, round(rendered.words / WORDS_PER_MINUTE)),
        ),
        tags=meta.tags,
        categories=meta.categories,
        terms=MappingProxyType(terms),
        term_links=MappingProxyType(
            {
                plural: tuple(Link(term, term_url(plural, term)) for term in names)
                for plural, names in terms.items()
            }
        ),
        authors=tuple(author_of(name, config) for name in names),
        week=_whole_number(document, "week"),
        lecture=_whole_number(document, "lecture"),
        weight=meta.weight,
        aliases=meta.aliases,
        bundle=source.bundle,
        params=meta.params,
        key_lines=document.key_lines,
        files=rendered.files,
    )


TOC_MIN_HEADINGS = 3
WORDS_PER_MINUTE = 220


def author_of(name: str, config: Config) -> Author:
    """An author from site.toml's [authors], by id (in any letter case, as a tag is: `ana`
    names `[authors.Ana]`) or by name; else a plain name (its own id, made URL-safe)."""
    if name in config.authors:
        return config.authors[name]
    slug = urlize(name)
    by_id = (author for key, author in config.authors.items() if urlize(key) == slug)
    by_name = (author for author in config.authors.values() if author.name == name)
    return next(by_id, None) or next(by_name, Author(slug, name))


def _terms(document: Document, plural: str) -> tuple[str, ...]:
    """A page's terms in one taxonomy: `tags` and `categories` are read with the front
    matter; any other taxonomy's list is among the params."""
    meta = document.meta
    if plural in ("tags", "categories"):
        return meta.tags if plural == "tags" else meta.categories
    value = next((v for k, v in meta.params.items() if k.lower() == plural.lower()), ())
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(str(item) for item in values if str(item).strip())


def _whole_number(document: Document, key: str) -> int | None:
    value = document.meta.params.get(key)  # checked when the front matter was read
    return value if isinstance(value, int) else None


def _doc_id(url: str) -> str:
    return urlize(url.strip("/").replace("/", "-")) if url.strip("/") else "home"


def _fallback_title(document: Document, heading: str | None, warnings: list[Diagnostic]) -> str:
    title = heading or title_from_name(page_name(document))
    warnings.append(
        Diagnostic(
            f'no title in the front matter; using "{title}"',
            path=document.source.rel,
            line=1,
            hint='add a line such as title = "Week 1: Introduction" to the front matter',
            code="missing-title",
        )
    )
    return title


def title_from_name(name: str) -> str:
    return name.replace("-", " ").replace("_", " ").strip().capitalize()


def _summary(
    md: MarkdownIt,
    document: Document,
    derived: str,
    url: str,
    config: Config,
    warnings: list[Diagnostic],
) -> str:
    """`summary` from the front matter is Markdown, as in Hugo, and in safe mode sanitised as
    the body is; else the one derived from the body (its links resolved already). A summary
    is shown on other pages, so its relative links are resolved from this page."""
    written = document.meta.summary
    if written is None:
        return derived
    rendered = render_markdown(
        md,
        written,
        doc_id=_doc_id(url) + "-summary",
        path=document.source.rel,
        first_line=document.line_of("summary"),
        base_path=config.base_path,
        safe=config.safe_html,
    )
    warnings.extend(rendered.warnings)
    return rewrite_html(rendered.html.strip(), resolved_from(url, config.base_path))
