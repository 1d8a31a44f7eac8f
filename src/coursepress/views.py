"""Every file rendered from a template: which template, with what, written where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from coursepress.listings import SCHEDULE_URL
from coursepress.pages import alias_output
from coursepress.site import Site
from coursepress.urls import output_path


@dataclass(frozen=True, slots=True)
class View:
    output: str
    """The file written, relative to the output folder."""
    templates: tuple[str, ...]
    """Template names, most specific first; the first that exists is used."""
    rendering: str
    """What is being rendered, for error messages."""
    page_url: str | None
    """The URL of the page shown (canonical link); None for files that are not pages."""
    context: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


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
            output_path(f"{url}page/1/"),
            ("alias.html",),
            f"the redirect from {url}page/1/",
            url,
            {"page": Redirect(title, url)},
        )
        for title, url in lists
    ]


def plan_views(site: Site) -> list[View]:
    home = str(site.home.source) if site.home else "the home page"
    views = [View("index.html", ("home.html",), home, "/", {"page": site.home})]
    for section in site.sections:
        source = str(section.index.source) if section.index else f"section '{section.name}'"
        listing = (f"{section.name}/section.html", "section.html")
        views += [
            View(
                pager.output,
                listing,
                source,
                pager.url,
                {"page": section.index, "section": section, "pager": pager},
            )
            for pager in section.pagers
        ]
    for page in site.pages:
        names: tuple[str, ...] = (f"{page.section}/single.html", "single.html")
        names = names if page.section else ("single.html",)
        views.append(View(page.output, names, str(page.source), page.url, {"page": page}))
        views += [
            View(
                alias_output(alias, page),
                ("alias.html",),
                f"the alias {alias} of {page.source}",
                page.url,
                {"page": page},
            )
            for alias in page.aliases
        ]
    for kind in site.taxonomies:
        views.append(
            View(
                kind.output,
                ("taxonomy.html",),
                f"the {kind.kind} list",
                kind.url,
                {"taxonomy": kind},
            )
        )
        views += [
            View(
                term.output,
                ("term.html",),
                f"the {kind.kind} page '{term.name}'",
                term.url,
                {"taxonomy": kind, "term": term},
            )
            for term in kind.terms
        ]
    if site.schedule:
        views.append(
            View(
                output_path(SCHEDULE_URL),
                ("schedule.html",),
                "the schedule",
                SCHEDULE_URL,
                {"weeks": site.schedule},
            )
        )
    views += [
        View(item.output, ("atom.xml",), f"the feed {item.url}", None, {"feed": item})
        for item in site.feeds
    ]
    views += first_page_redirects(site)
    views.append(View("404.html", ("404.html",), "the 404 page", None))
    views.append(View("robots.txt", ("robots.txt",), "robots.txt", None))
    if site.config.has_host:  # a sitemap must list absolute URLs
        views.append(View("sitemap.xml", ("sitemap.xml",), "the sitemap", None))
    return views
