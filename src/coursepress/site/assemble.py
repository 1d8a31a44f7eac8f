"""The collected site: pages in order, sections with their lists, one owner per output file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from coursepress.config import Config
from coursepress.course.plan import Assignment, CoursePlan
from coursepress.site.course import Author
from coursepress.site.lists import (
    Feed,
    Pager,
    Taxonomy,
    feed,
    neighbours,
    paginate,
    taxonomies,
)
from coursepress.site.menus import MenuItem, build_menus, navigation
from coursepress.site.pages import Page, title_from_name
from coursepress.site.schedule import Week, regular_meetings, schedule
from coursepress.site.urls import (
    CALENDAR_URL,
    SCHEDULE_URL,
    SEARCH_URL,
    SITEMAP_URL,
    STAFF_URL,
    folder_url,
    output_path,
)
from coursepress.source.discover import SourceKind


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
    pagers: tuple[Pager, ...]
    """The section's list in pages of `paginate` posts; the first is at the section's URL."""


@dataclass(frozen=True, slots=True)
class Site:
    """Everything templates see besides the page being rendered."""

    config: Config
    home: Page | None
    """`content/_index.md`: the home page's intro, if the site has one."""
    pages: tuple[Page, ...]
    """Every regular page (not section indexes), newest first."""
    sections: tuple[Section, ...]
    posts: tuple[Page, ...]
    """Pages that belong to a section, in list order: what the home page lists."""
    taxonomies: tuple[Taxonomy, ...]
    """Tags and authors, when any post has them."""
    schedule: tuple[Week, ...]
    """The course calendar, when posts have `week` or site.toml has `term_start`."""
    neighbours: Mapping[str, tuple[Page | None, Page | None]]
    """Post URL → (previous, next) post of its section, by date."""
    feeds: tuple[Feed, ...]
    """Atom feeds of the site, each section and each tag (only with a host in base_url)."""
    today: date
    """The day of the build, in the site's time zone (the clock is read once per build)."""
    menus: Mapping[str, tuple[MenuItem, ...]] = field(default_factory=dict)
    """Every menu (`site.menus.main`), from the settings and from front matter."""
    navigation: tuple[MenuItem, ...] = ()
    """The header's links: the main menu when the settings declare one, else the lists."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """The tables of data/ (`site.data.course.staff`), as Hugo's `.Site.Data`."""
    course: CoursePlan | None = None
    """`data/schedule.toml`: meetings, assignments, weeks off and topics."""
    repository_folder: str = ""
    """The site folder inside its git repository ("" at the top, "site/" below it)."""

    @property
    def updated(self) -> datetime:
        """When the site last changed: its newest date (the epoch for a site with none), never
        the build time, so that unchanged input builds the same output."""
        dates = [d for page in self.pages for d in (page.lastmod, page.date) if d is not None]
        return max(dates, default=datetime(1970, 1, 1, tzinfo=UTC))

    @property
    def sitemap_url(self) -> str | None:
        """The sitemap lists absolute URLs: there is one only with a host in base_url."""
        return SITEMAP_URL if self.config.has_host else None

    @property
    def schedule_url(self) -> str | None:
        """The schedule page, when the site has one."""
        return SCHEDULE_URL if self.schedule else None

    @property
    def staff(self) -> tuple[Author, ...]:
        return staff(self.config)

    @property
    def staff_url(self) -> str | None:
        return STAFF_URL if self.staff else None

    @property
    def instructors(self) -> tuple[Author, ...]:
        """The staff whose role is to teach (Instructor, Professor, Lecturer), for the header."""
        teaching = ("instructor", "professor", "lecturer", "teacher")
        return tuple(p for p in self.staff if any(w in p.role.lower() for w in teaching))

    @property
    def course_facts(self) -> tuple[str, ...]:
        """The header's line under the title: the term, the instructors, the regular meetings."""
        people = ", ".join(person.name for person in self.instructors)
        facts = (self.config.term, people, *regular_meetings(self.course))
        return tuple(fact for fact in facts if fact)

    def current(self, url: str, page_url: str | None, page: Page | None = None) -> str | None:
        """`aria-current` for a navigation link on the page at `page_url`: "page" on the page it
        leads to; "true" on a page inside it (a post of its section, a tag of the tag list)."""
        if page_url is None:
            return None
        if url == page_url:
            return "page"
        section = self.section(page.section) if page is not None and page.section else None
        inside = url != "/" and page_url.startswith(url)
        return "true" if inside or (section is not None and section.url == url) else None

    def edit_url(self, page: Page) -> str | None:
        """Where a page's source is edited on the repository's site (`repository`), on the
        published `branch`: GitHub's and GitLab's addresses, Gitea's and Codeberg's."""
        repository = self.config.repository.rstrip("/")
        if not repository:
            return None
        path = f"{self.repository_folder}content/{page.target.as_posix()}"
        host = urlsplit(repository).netloc.lower()
        edit = "-/edit" if "gitlab" in host else ("_edit" if _is_gitea(host) else "edit")
        return f"{repository}/{edit}/{self.config.branch}/{path}"

    @property
    def search_url(self) -> str | None:
        """The search page, unless `search = false`."""
        return SEARCH_URL if self.config.search else None

    @property
    def announcements(self) -> tuple[Page, ...]:
        """The announcements on show on the build's day, newest first."""
        shown = (page for page in self.posts if is_announcement(page, self.config))
        return tuple(page for page in shown if showing(page, self.today))

    @property
    def latest(self) -> tuple[Page, ...]:
        """The posts the home page lists: all but announcements, which it shows apart."""
        return tuple(page for page in self.posts if not is_announcement(page, self.config))

    @property
    def this_week(self) -> Week | None:
        """The week of the build's day, if the term is on."""
        return next((week for week in self.schedule if week.current), None)

    @property
    def due_next(self) -> tuple[Assignment, ...]:
        """Assignments not yet due on the build's day, soonest first (at most three)."""
        tasks = self.course.assignments if self.course else ()
        coming = [(a.due, a.title, a) for a in tasks if a.due and a.due.date() >= self.today]
        return tuple(task for _, _, task in sorted(coming, key=lambda row: row[:2])[:3])

    @property
    def calendar_url(self) -> str | None:
        """`calendar.ics`, when the schedule file has meetings or assignments."""
        has_events = self.course and (self.course.meetings or self.course.assignments)
        return CALENDAR_URL if has_events else None

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def taxonomy(self, kind: str) -> Taxonomy | None:
        return next((t for t in self.taxonomies if t.kind == kind), None)

    def feed_for(self, page_url: str) -> Feed | None:
        """The list page's first feed (in the order of `feeds` in the settings)."""
        return next((f for f in self.feeds if f.page_url == page_url), None)

    def feeds_for(self, page_url: str) -> list[Feed]:
        """Every feed of the list page, for `<link rel="alternate">` in its head."""
        return [f for f in self.feeds if f.page_url == page_url]

    def every_page(self) -> list[Page]:
        """The home page's and the sections' `_index.md` pages, then every regular page."""
        indexes = [section.index for section in self.sections if section.index]
        return [page for page in (self.home, *indexes, *self.pages) if page is not None]


def assemble(
    pages: list[Page],
    config: Config,
    today: date,
    data: Mapping[str, Any] | None = None,
    course: CoursePlan | None = None,
    repository_folder: str = "",
) -> Site:
    indexes = {p.section: p for p in pages if _is_top_index(p)}
    regular = tuple(sorted((p for p in pages if not _is_top_index(p)), key=newest_first))
    posts = tuple(page for page in regular if page.section and _is_post(page))
    names = sorted({p.section for p in regular if p.section} | (indexes.keys() - {""}))
    sections = tuple(_section(name, posts, indexes.get(name), config) for name in names)
    kinds = taxonomies(regular, config)  # every page with terms, as in Hugo
    # Announcements are shown on the home page, not in the week they were made.
    weeks = schedule(
        tuple(p for p in posts if not is_announcement(p, config)), config, today, course
    )
    menus = build_menus(config.menus, pages, {s.name: s.url for s in sections})
    lists = [(s.title, s.url) for s in sections]
    lists += [("Schedule", SCHEDULE_URL)] if weeks else []
    lists += [("Staff", STAFF_URL)] if staff(config) else []
    tags = next((kind for kind in kinds if kind.kind == "tags"), None)
    nav = navigation(menus, "main" in config.menus, lists, [("Tags", tags.url)] if tags else [])
    return Site(
        config=config,
        home=indexes.get(""),
        pages=regular,
        sections=sections,
        posts=posts,
        taxonomies=kinds,
        schedule=weeks,
        neighbours=neighbours({s.name: s.pages for s in sections}),
        feeds=_feeds(config, posts, sections, kinds),
        today=today,
        menus=menus,
        navigation=nav,
        data=data or {},
        course=course,
        repository_folder=repository_folder,
    )


def staff(config: Config) -> tuple[Author, ...]:
    """The authors in site.toml with a `role`, in the order written there."""
    return tuple(author for author in config.authors.values() if author.role)


def is_announcement(page: Page, config: Config) -> bool:
    return page.section == config.announcements


ANNOUNCEMENT_DAYS = 14
"""How long an announcement without `expires` stays on the home page."""


def showing(page: Page, today: date) -> bool:
    """An announcement is shown from its date until `expires` (the day before it ends), or
    for ANNOUNCEMENT_DAYS."""
    if page.date is None or page.date.date() > today:
        return False
    expires = page.params.get("expires")
    if isinstance(expires, datetime):
        expires = expires.date()
    if not isinstance(expires, date):
        expires = page.date.date() + timedelta(days=ANNOUNCEMENT_DAYS)
    return today < expires


def _feeds(
    config: Config,
    posts: tuple[Page, ...],
    sections: tuple[Section, ...],
    kinds: tuple[Taxonomy, ...],
) -> tuple[Feed, ...]:
    if not config.has_host:  # feed readers need absolute URLs
        return ()
    lists = [(config.title, "/", posts)]
    lists += [(f"{s.title} · {config.title}", s.url, s.pages) for s in sections]
    for kind in kinds:
        if kind.kind != "authors":
            lists += [(f"{t.name} · {config.title}", t.url, t.pages) for t in kind.terms]
    limit = config.feed_limit
    return tuple(
        feed(form, title, url, pages, limit) for title, url, pages in lists for form in config.feeds
    )


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


def _section(name: str, posts: tuple[Page, ...], index: Page | None, config: Config) -> Section:
    url = index.url if index else folder_url(PurePosixPath(name))
    mine = tuple(page for page in posts if page.section == name)
    return Section(
        name=name,
        title=index.title if index else title_from_name(name),
        url=url,
        output=index.output if index else output_path(url),
        intro=index.content if index else Markup(""),
        pages=mine,
        index=index,
        pagers=paginate(mine, url, config.paginate),
    )


def _is_gitea(host: str) -> bool:
    """Gitea and Forgejo (Codeberg) edit at `/_edit/`."""
    return host == "codeberg.org" or "gitea" in host or "forgejo" in host
