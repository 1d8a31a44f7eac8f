"""The collected site: pages in order, sections with their lists, one owner per output file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from coursepress.config import Config
from coursepress.discover import SourceKind
from coursepress.errors import ContentError
from coursepress.pages import Page
from coursepress.urls import clean_url_path, output_path


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
        """Pages that belong to a section, newest first: what the home page lists."""
        return tuple(page for page in self.pages if page.section)

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
    return page.kind is SourceKind.SECTION_INDEX and len(page.source.parts) <= 3


def newest_first(page: Page) -> tuple[float, str, str]:
    """Dated pages newest first, undated pages after them; ties by title, then path."""
    stamp = page.date.timestamp() if isinstance(page.date, datetime) else float("-inf")
    return (-stamp, page.title.lower(), str(page.source))


def _section(name: str, regular: list[Page], index: Page | None) -> Section:
    url = clean_url_path(f"/{name}/")
    return Section(
        name=name,
        title=index.title if index else name.replace("-", " ").replace("_", " ").capitalize(),
        url=index.url if index else url,
        output=index.output if index else output_path(url),
        intro=index.content if index else Markup(""),
        pages=tuple(page for page in regular if page.section == name),
        index=index,
    )


def check_unique_outputs(site: Site) -> None:
    """Two pages that would write the same file are an error naming both."""
    owners: dict[str, Page] = {}
    for page in (*site.pages, *(s.index for s in site.sections if s.index)):
        first = owners.setdefault(page.output, page)
        if first is not page:
            raise ContentError(
                f"this page and {first.source} have the same URL {page.url}",
                path=page.source,
                line=page.url_line,
                hint="give one of them a different `slug` or `url` in its front matter",
            )
    for section in site.sections:
        if section.index is None and section.output in owners:
            page = owners[section.output]
            raise ContentError(
                f"this page would overwrite the list page of section '{section.name}' "
                f"({section.url})",
                path=page.source,
                line=page.url_line,
                hint="give the page a different `slug` or `url` in its front matter",
            )
