"""Every file rendered from a template: which template, with what, written where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from coursepress.errors import Diagnostic, SiteError
from coursepress.site.assemble import Section, Site
from coursepress.site.lists import Taxonomy, Term
from coursepress.site.pages import Page
from coursepress.site.urls import alias_output, first_pager_url, output_path


@dataclass(frozen=True, slots=True)
class Owner:
    """Who makes an output: a source file (at the line that sets its URL), or coursepress."""

    what: str
    """How messages name it: `content/posts/a.md`, `the tags list`."""
    path: PurePosixPath | str | None = None
    """The file to fix when its output clashes with another's."""
    first_line: int | None = None
    """Its line, for owners that are not set by a front matter key."""
    keys: tuple[str, ...] = ()
    """The front matter keys that set its URL: the first one written is named (`url`, else
    `slug`)."""
    key_lines: Mapping[str, int] | None = None
    """The front matter's lines, looked up only for a message: finding them costs."""
    claim: str = "this page and {other} have the same URL {url}"
    """The message when another output already has its URL."""
    code: str = "reserved-url"
    """The code of a clash it loses: a URL coursepress makes, or one an alias takes."""
    hint: str | None = None
    """What to do when its URL is taken, if not to change `key`."""
    page: bool = False
    """A page of the site's own: two at one URL are a warning, and one of them is kept."""
    follows_list: str | None = None
    """For a list's `page/1/` redirect, the list's URL: when the list loses a clash, the
    redirect goes with it, and when two lists clash, the clash of their redirects follows
    from it and is not reported again."""

    @property
    def key(self) -> str | None:
        if not self.keys or self.key_lines is None:
            return self.keys[0] if self.keys else None
        return next((key for key in self.keys if key in self.key_lines), self.keys[-1])

    @property
    def line(self) -> int | None:
        key = self.key
        if key is None or self.key_lines is None:
            return self.first_line
        return self.key_lines.get(key, 1)


def page_owner(page: Page) -> Owner:
    """A page's output is set by its `url`, else by its `slug` (or file name)."""
    return Owner(
        str(page.source), page.source, keys=("url", "slug"), key_lines=page.key_lines, page=True
    )


@dataclass(frozen=True, slots=True)
class View:
    output: str
    """The file written, relative to the output folder."""
    templates: tuple[str, ...]
    """Template names, most specific first; the first that exists is used."""
    owner: Owner
    """What is being rendered, for error messages and clashes."""
    page_url: str | None
    """The URL of the page shown (canonical link); None for files that are not pages."""
    context: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def rendering(self) -> str:
        return self.owner.what


@dataclass(frozen=True, slots=True)
class Redirect:
    """What alias.html needs of the page a redirect leads to."""

    title: str
    url: str


def first_page_redirects(site: Site) -> list[View]:
    """`<list>/page/1/` leads to the list itself, as Hugo makes it for every list page."""
    lists = [(site.config.title, "/")]
    lists += [(section.title, section.url) for section in site.sections]
    for kind in site.taxonomies:
        lists += [(kind.title, kind.url)] + [(term.name, term.url) for term in kind.terms]
    return [
        View(
            output_path(first_pager_url(url)),
            ("alias.html",),
            Owner(f"the redirect from {first_pager_url(url)}", follows_list=url),
            url,
            {"page": Redirect(title, url)},
        )
        for title, url in lists
    ]


def plan_views(site: Site, settings_file: str, found: list[Diagnostic]) -> list[View]:
    """Every file rendered from a template: what coursepress makes first, then pages, then
    their aliases, so that of two claims on one URL the later is a page's (and reported at
    its front matter). `settings_file` owns the authors it defines; a bad alias goes to
    `found`."""
    views = [View("index.html", ("home.html",), _home_owner(site), "/", {"page": site.home})]
    views += [view for section in site.sections for view in _section_views(section)]
    views += [view for kind in site.taxonomies for view in _taxonomy_views(kind, settings_file)]
    if site.schedule_url:
        schedule = Owner("the schedule")
        context = {"weeks": site.schedule}
        views.append(
            View(
                output_path(site.schedule_url),
                ("schedule.html",),
                schedule,
                site.schedule_url,
                context,
            )
        )
    if site.staff_url:
        views.append(
            View(
                output_path(site.staff_url),
                ("staff.html",),
                Owner("the staff page"),
                site.staff_url,
            )
        )
    if site.search_url:
        search = Owner("the search page")
        views.append(View(output_path(site.search_url), ("search.html",), search, site.search_url))
    views += [
        View(
            item.output, (f"{item.kind}.xml",), Owner(f"the feed {item.url}"), None, {"feed": item}
        )
        for item in site.feeds
    ]
    views += first_page_redirects(site)
    views.append(View("404.html", ("404.html",), Owner("the 404 page"), None))
    views.append(View("robots.txt", ("robots.txt",), Owner("robots.txt"), None))
    if site.sitemap_url:
        sitemap = output_path(site.sitemap_url)
        views.append(View(sitemap, ("sitemap.xml",), Owner("the sitemap"), None))
    for page in site.pages:
        names = (f"{page.section}/single.html", "single.html") if page.section else ("single.html",)
        views.append(View(page.output, names, page_owner(page), page.url, {"page": page}))
    views += [view for page in site.pages for view in _alias_views(page, found)]
    return views


def _home_owner(site: Site) -> Owner:
    return (
        Owner(str(site.home.source), site.home.source, 1) if site.home else Owner("the home page")
    )


def _section_views(section: Section) -> list[View]:
    hint = f"rename the folder of section '{section.name}'"
    if section.index:
        owner = Owner(str(section.index.source), section.index.source, first_line=1, hint=hint)
    else:  # a section without `_index.md`: its first page stands for it in messages
        first = section.pages[0].source if section.pages else None
        owner = Owner(f"section '{section.name}'", first, hint=hint)
    names = (f"{section.name}/section.html", "section.html")
    context = {"page": section.index, "section": section}
    return [
        View(pager.output, names, owner, pager.url, {**context, "pager": pager})
        for pager in section.pagers
    ]


def _taxonomy_views(kind: Taxonomy, settings_file: str) -> list[View]:
    listing = View(
        kind.output,
        ("taxonomy.html",),
        Owner(f"the {kind.kind} list"),
        kind.url,
        {"taxonomy": kind},
    )
    return [listing] + [
        View(
            term.output,
            ("term.html",),
            _term_owner(kind.kind, term, settings_file),
            term.url,
            {"taxonomy": kind, "term": term},
        )
        for term in kind.terms
    ]


def _alias_views(page: Page, found: list[Diagnostic]) -> list[View]:
    views = []
    for alias in page.aliases:
        owner = Owner(
            f"the alias {alias} of {page.source}",
            page.source,
            keys=("aliases",),
            key_lines=page.key_lines,
            claim=f"the alias {alias} is the URL of {{other}}",
            code="alias-collision",
        )
        try:
            output = alias_output(alias, page)
        except SiteError as error:
            found.append(error.as_diagnostic())
            continue
        views.append(View(output, ("alias.html",), owner, page.url, {"page": page}))
    return views


def _term_owner(kind: str, term: Term, settings_file: str) -> Owner:
    """An author of site.toml's [authors] is defined there; other terms by the pages, and the
    first of those (in file order) is the one to fix: `tags = ["index.html"]`."""
    what = f"the {kind} page '{term.name}'"
    claim = f"{what} and {{other}} have the same URL {{url}}"
    if term.author is None or term.author.defined_at is None:
        if not term.pages:
            return Owner(what)
        first = min(term.pages, key=lambda page: str(page.source))
        return Owner(
            what,
            first.source,
            keys=(kind,),
            key_lines=first.key_lines,
            claim=f"{claim}; this page names it in `{kind}`",
            hint=f"change the name in `{kind}` in the front matter",
        )
    hint = "give the authors in [authors] ids that differ in more than letter case"
    return Owner(what, settings_file, term.author.defined_at, claim=claim, hint=hint)
