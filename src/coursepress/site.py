"""The collected site: pages in order, sections with their lists, one owner per output file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from markupsafe import Markup

from coursepress.config import Config
from coursepress.discover import SourceKind
from coursepress.errors import ContentError
from coursepress.pages import Page, alias_output, title_from_name
from coursepress.urls import folder_url, output_path


@dataclass(frozen=True, slots=True)
class Section:
    """A first-level folder under content/ and the posts in it, newest first."""

    name: str
    title: str
    url: str
    output: str
    intro: Markup
    """The body of the section's `_index.md`, if it has one."""
    pages: tuple[Page, ...]
    index: Page | None
    """The `_index.md` page itself, for its params and description."""


@dataclass(frozen=True, slots=True)
class Site:
    """Everything templates see besides the page being rendered."""

    config: Config
    home: Page | None
    """`content/_index.md`: the home page's intro, if the site has one."""
    pages: tuple[Page, ...]
    """Every regular page (not section indexes), newest first."""
    sections: tuple[Section, ...]

    @property
    def posts(self) -> tuple[Page, ...]:
        """Pages that belong to a section, in list order: what the home page lists."""
        return tuple(page for page in self.pages if page.section and _is_post(page))

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)


def assemble(pages: list[Page], config: Config) -> Site:
    indexes = {p.section: p for p in pages if _is_top_index(p)}
    regular = sorted((p for p in pages if not _is_top_index(p)), key=newest_first)
    names = sorted({p.section for p in regular if p.section} | (indexes.keys() - {""}))
    sections = tuple(_section(name, regular, indexes.get(name)) for name in names)
    site = Site(config, indexes.get(""), tuple(regular), sections)
    check_unique_outputs(site)
    return site


def _is_top_index(page: Page) -> bool:
    """`content/_index.md` and `content/<section>/_index.md`; deeper ones publish as pages."""
    return page.kind is SourceKind.SECTION_INDEX and len(page.target.parts) <= 2


def _is_post(page: Page) -> bool:
    # A deeper _index.md publishes at its folder's URL but is not a post in any list.
    return page.kind is SourceKind.PAGE


def newest_first(page: Page) -> tuple[bool, int, float, str, str]:
    """List order, as in Hugo: pages with a `weight` first (lightest first), then newest first,
    undated pages last; ties by title, then path."""
    stamp = page.date.timestamp() if page.date else float("-inf")
    return (page.weight == 0, page.weight, -stamp, page.title.lower(), str(page.source))


def _section(name: str, regular: list[Page], index: Page | None) -> Section:
    url = folder_url(PurePosixPath(name))
    return Section(
        name=name,
        title=index.title if index else title_from_name(name),
        url=index.url if index else url,
        output=index.output if index else output_path(url),
        intro=index.content if index else Markup(""),
        pages=tuple(page for page in regular if page.section == name and _is_post(page)),
        index=index,
    )


GENERATED_OUTPUTS = {
    "index.html": "the home page",
    "404.html": "the 404 page",
    "sitemap.xml": "the sitemap",
}


def check_unique_outputs(site: Site) -> None:
    """Every output file has one owner: a page, an alias, or a page coursepress makes."""
    owners: dict[str, str] = dict(GENERATED_OUTPUTS)
    for section in site.sections:
        owners[section.output] = (
            str(section.index.source) if section.index else f"the list of section '{section.name}'"
        )
    for page in site.pages:
        message = f"this page and {{owner}} have the same URL {page.url}"
        _claim(owners, page.output, page, message, "url" if "url" in page.key_lines else "slug")
    for page in site.pages:
        for alias in page.aliases:
            message = f"the alias {alias} is the URL of {{owner}}"
            _claim(owners, alias_output(alias, page), page, message, "aliases")


def _claim(owners: dict[str, str], output: str, page: Page, message: str, key: str) -> None:
    if output in owners:
        raise ContentError(
            message.format(owner=owners[output]),
            path=page.source,
            line=page.line_of(key),
            hint=f"change `{key}` in the front matter of one of them",
        )
    owners[output] = str(page.source)
