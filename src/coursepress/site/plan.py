"""The output plan: every file a build writes, each with the one source that owns it. Every
clash (page and page, page and generated list, copy and generated file, two paths equal but
for letter case) is found here, in one pass, and nothing is overwritten silently. `build`,
`check` and `serve` all read this one table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePosixPath

from coursepress.content.highlight import stylesheet
from coursepress.course.calendar import calendar_text
from coursepress.errors import Diagnostic, Severity
from coursepress.output.search import SEARCH_FOLDER
from coursepress.site.assemble import Site
from coursepress.site.assets import copies_of, github_pages_files
from coursepress.site.urls import output_url
from coursepress.site.views import Owner, View, plan_views
from coursepress.source.discover import SourceFile, Sources


class Made(Enum):
    """How an output is made; a clash is settled by what the two sides are."""

    TEMPLATE = "template"
    TEXT = "text"
    """A file coursepress generates without a template (the syntax stylesheet, `.nojekyll`,
    a notebook's pictures)."""
    THEME_COPY = "theme copy"
    COPY = "copy"
    """A file of the site's, copied (static/, content/, page bundles)."""


@dataclass(frozen=True, slots=True)
class Output:
    """One row of the plan: a file of the built site and who makes it."""

    path: str
    """Relative to the output folder (`posts/week1/index.html`)."""
    made: Made
    owner: Owner
    view: View | None = None
    text: str | None = None
    data: bytes | None = None
    """A file a page makes beside it (a notebook's plot)."""
    copy: SourceFile | None = None
    """The file copied, for copies."""


@dataclass(frozen=True, slots=True)
class Plan:
    outputs: tuple[Output, ...]
    """One row per output file, clashes settled."""
    diagnostics: tuple[Diagnostic, ...]
    """Every clash, at the owner's file and line, naming both sides."""

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(output.path for output in self.outputs)

    def views(self) -> list[View]:
        return [output.view for output in self.outputs if output.view is not None]

    def texts(self) -> dict[str, str]:
        return {o.path: o.text for o in self.outputs if o.text is not None}

    def files(self) -> dict[str, bytes]:
        return {o.path: o.data for o in self.outputs if o.data is not None}

    def copies(self) -> dict[str, SourceFile]:
        return {o.path: o.copy for o in self.outputs if o.copy is not None}


SYNTAX_CSS = "css/syntax.css"


def plan_outputs(site: Site, sources: Sources, settings_file: str) -> Plan:
    """Every output of the site, settled: what templates render (lists before pages, pages
    before their aliases, so that the later claim is the one reported), what coursepress
    generates, then the theme's and the site's files."""
    found: list[Diagnostic] = []
    views = plan_views(site, settings_file, found)
    rows = [Output(view.output, Made.TEMPLATE, view.owner, view=view) for view in views]
    texts = {SYNTAX_CSS: stylesheet(), **github_pages_files(site.config)}
    if site.course and site.calendar_url:
        ics = calendar_text(site.course, site.schedule, site.config, site.updated)
        texts[site.calendar_url.lstrip("/")] = ics
    rows += [Output(name, Made.TEXT, Owner(name), text=text) for name, text in texts.items()]
    for page in site.every_page():
        folder = PurePosixPath(page.output).parent
        owner = Owner(str(page.source), page.source, first_line=1)
        for name, data in page.files:  # a notebook's pictures, beside its page
            if site.config.safe_html and name.lower().endswith(ACTIVE_FILES):
                found.append(_active_file(page.source, name))
                continue
            rows.append(Output(str(folder / name), Made.TEXT, owner, data=data))
    for output, source, made_by_theme in copies_of(sources, site, found):
        if site.config.safe_html and not made_by_theme and output.lower().endswith(ACTIVE_FILES):
            found.append(_active_file(source.rel))
            continue
        if site.search_url and output.startswith(f"{SEARCH_FOLDER}/"):
            found.append(_search_folder(output, source.rel))
            continue
        made = Made.THEME_COPY if made_by_theme else Made.COPY
        rows.append(Output(output, made, Owner(str(source.rel), source.rel), copy=source))
    plan = settle(rows)
    return Plan(plan.outputs, (*found, *plan.diagnostics))


ACTIVE_FILES = (
    ".html", ".htm", ".shtml", ".xhtml", ".xht", ".mht", ".mhtml", ".svg", ".svgz", ".xml",
    ".xsl", ".xslt",
)  # fmt: skip
"""Files a browser may run script from, on the site's own origin (compared in lower case:
`X.SVG` is served as an SVG picture too)."""


def _active_file(source: PurePosixPath, name: str = "") -> Diagnostic:
    return Diagnostic(
        f"safe mode does not publish {name or source.name}: a browser can run script in it, "
        "on the site's own address",
        path=source,
        hint="make it a post (Markdown), or convert an SVG picture to PNG",
        code="unsafe-html",
    )


def _search_folder(output: str, source: PurePosixPath) -> Diagnostic:
    return Diagnostic(
        f"{output} is not published: the search index is written to {SEARCH_FOLDER}/",
        path=source,
        hint="move the file to another folder, or set search = false in site.toml",
        code="reserved-url",
        severity=Severity.ERROR,
    )


def settle(rows: Iterable[Output]) -> Plan:
    """One row per path: the first claim stands, except that a site's file replaces the
    theme's, and a site's file replaces a generated file that is not a page (its own
    `robots.txt`); every other clash is reported. Then a file where another output needs a
    folder, and paths equal but for letter case."""
    kept: dict[str, Output] = {}
    found: list[Diagnostic] = []
    lost: set[str] = set()
    """The URLs of the pages and lists not written for a clash (reported)."""
    for row in rows:
        earlier = kept.get(row.path)
        if earlier is None:
            kept[row.path] = row
            continue
        winner, diagnostic = _clash(earlier, row)
        kept[row.path] = winner
        loser = row if winner is earlier else earlier
        if diagnostic is not None:
            found.append(diagnostic)
            if loser.view is not None and loser.view.page_url is not None:
                lost.add(loser.view.page_url)
    unfollowed = [row for row in kept.values() if row.owner.follows_list not in lost]
    outputs = _files_where_folders_are(tuple(unfollowed), found)
    found += _case_collisions(outputs)
    found += _names_too_long(outputs)
    return Plan(outputs, tuple(found))


def _files_where_folders_are(
    outputs: tuple[Output, ...], found: list[Diagnostic]
) -> tuple[Output, ...]:
    """A file at `posts/a` and a page at `posts/a/index.html` cannot both be written: a file
    of the site gives way (with a warning), else it is an error, as for one URL."""
    inside: dict[str, Output] = {}
    """Each folder the outputs need → the first output in it."""
    for output in outputs:
        folder = output.path
        while "/" in folder:
            folder = folder.rpartition("/")[0]
            if folder in inside:
                break  # its parents were recorded with it
            inside[folder] = output
    dropped: set[str] = set()
    for output in outputs:
        inner = inside.get(output.path)
        if inner is None or output.path in dropped:
            continue
        url = output_url(output.path)
        if output.made is Made.COPY:
            dropped.add(output.path)
            message = f"this file is not published: {inner.owner.what} needs a folder at its path"
            found.append(_hidden(output, message))
        elif inner.made is Made.COPY:
            under = [o for o in outputs if o.path.startswith(output.path + "/")]
            dropped.update(o.path for o in under if o.made is Made.COPY)
            message = f"this file is not published: {output.owner.what} is a file at {url}"
            found += [_hidden(o, message) for o in under if o.made is Made.COPY]
        else:
            found.append(_same_url(output.owner, inner.owner, url))
    return tuple(output for output in outputs if output.path not in dropped)


def _hidden(output: Output, message: str) -> Diagnostic:
    return Diagnostic(
        message, path=output.owner.path, hint="rename or remove the file", code="hidden-file"
    )


def _clash(earlier: Output, later: Output) -> tuple[Output, Diagnostic | None]:
    """Which of two rows for one path is written, and what is said about it."""
    url = output_url(later.path)
    if later.made is Made.THEME_COPY:
        return earlier, None  # the site's own file of that name (none is listed before it)
    if later.made is Made.COPY and earlier.made is Made.THEME_COPY:
        return later, None  # the theme's files are there to be replaced
    if later.made is Made.COPY and earlier.made is Made.COPY:
        return later, Diagnostic(
            f"{earlier.owner.what} is not published: this file has the same path /{later.path}",
            path=later.owner.path,
            hint="rename or remove one of them",
            code="hidden-file",
        )
    if later.made is Made.COPY and not later.path.endswith((".html", ".htm")):
        # The site's own robots.txt or syntax.css, as it replaces a theme file: said, since
        # a generated file does not appear for a reason the author may not know of.
        return later, Diagnostic(
            f"this file replaces the generated {earlier.owner.what}",
            path=later.owner.path,
            hint="remove it to publish the one coursepress makes",
            code="hidden-file",
            severity=Severity.INFO,
        )
    if later.made is Made.COPY:
        return earlier, Diagnostic(
            f"this file is not published: the generated page {later.path} has the same path",
            path=later.owner.path,
            hint="rename or remove the file",
            code="hidden-file",
        )
    if earlier.owner.page and later.owner.page:
        return _one_of_two_pages(earlier, later, url)
    if _both_redirects(earlier, later):  # a copied post's aliases, as a copied post's URL
        if _target(earlier) == _target(later):
            return earlier, None  # to the same page: one redirect serves both
        return _one_of_two_pages(earlier, later, url, "redirect")
    if earlier.owner.follows_list and later.owner.follows_list:
        return earlier, None  # reported where the two lists clash
    return earlier, _same_url(earlier.owner, later.owner, url)


def _both_redirects(earlier: Output, later: Output) -> bool:
    """Two aliases of pages (not a list's `page/1/` redirect, which follows its list)."""
    return all(
        row.view is not None
        and row.view.templates == ("alias.html",)
        and row.owner.code == "alias-collision"
        for row in (earlier, later)
    )


def _target(row: Output) -> str | None:
    return row.view.page_url if row.view is not None else None


def _one_of_two_pages(
    earlier: Output, later: Output, url: str, noun: str = "page"
) -> tuple[Output, Diagnostic]:
    """Two pages at one URL, as when a post is copied and its slug kept: Hugo writes both and
    keeps whichever it happens to write last (it differs from run to run), so the page
    published here is the one whose file comes first by path, and the other is a warning."""
    kept, lost = sorted((earlier, later), key=lambda output: str(output.owner.path))
    key = lost.owner.key
    return kept, Diagnostic(
        f"this {noun} is not published: {kept.owner.what} has the same URL {url}",
        path=lost.owner.path,
        line=lost.owner.line,
        hint=f"change `{key}` in the front matter of one of them" if key else None,
        code="duplicate-url",
    )


def _same_url(earlier: Owner, later: Owner, url: str) -> Diagnostic:
    """Two pages, or a page and a list, at one URL: an error at whichever has a file, the later
    first (the earlier claim stands)."""
    later_has_file = later.path is not None or earlier.path is None
    here, other = (later, earlier) if later_has_file else (earlier, later)
    either = " of one of them" if other.path is not None else ""
    hint = here.hint or (
        f"change `{here.key}` in the front matter{either}"
        if here.key
        else "rename the folder, or change the URL of the other"
    )
    return Diagnostic(
        here.claim.replace("{other}", other.what).replace("{url}", url),
        path=here.path,
        line=here.line,
        hint=hint,
        code=here.code,
        severity=Severity.ERROR,
    )


NAME_MAX = 255
"""Bytes in one file or folder name: the limit of ext4, APFS, NTFS and the rest."""
PATH_MAX = 3072
"""Bytes in an output's path below the output folder: Linux takes paths of 4,096, and the
output folder's own path (and its spool's) must fit in what is left."""


def _names_too_long(outputs: tuple[Output, ...]) -> list[Diagnostic]:
    """Outputs that no file system can store, found here rather than as a failed write: a
    slug or tag made from a long title, an alias pasted with its query string. Each long
    name is reported once, at a file when one of the outputs under it has one."""
    under: dict[str, list[Output]] = {}
    for output in outputs:
        if len(output.path.encode("utf-8")) > PATH_MAX:
            under.setdefault(output.path, []).append(output)
            continue
        parts = output.path.split("/")
        for index, part in enumerate(parts):
            if len(part.encode("utf-8")) > NAME_MAX:
                under.setdefault("/".join(parts[: index + 1]), []).append(output)
                break
    found = []
    for prefix, claimants in under.items():
        owner = min(claimants, key=lambda output: output.owner.path is None).owner
        whole = len(prefix.encode("utf-8"))
        size = len(prefix.rpartition("/")[2].encode("utf-8"))
        named = prefix if size > NAME_MAX else output_url(prefix).strip("/")
        shown = named if len(named) <= 60 else f"{named[:50]}…{named[-8:]}"
        hint = f"shorten the name in `{owner.key}` in the front matter"
        if owner.key in ("url", "slug"):
            hint = f"shorten `{owner.key}` (a page with none is named after its file)"
        found.append(
            Diagnostic(
                f"the URL /{shown}/ has a part of {size} bytes; no file system stores a "
                f"name over {NAME_MAX}"
                if size > NAME_MAX
                else f"the URL /{shown}/ makes a path of {whole} bytes; a file's path may not "
                f"be longer than {PATH_MAX} here (4,096 with the output folder's)",
                path=owner.path,
                line=owner.line,
                hint=hint if owner.key else "shorten the name",
                code="name-too-long",
                severity=Severity.ERROR,
            )
        )
    return found


def _case_collisions(outputs: tuple[Output, ...]) -> list[Diagnostic]:
    """Output paths (files, or the folders on their way) that differ only in letter case:
    on macOS and Windows one overwrites the other, so a checkout there loses a page."""
    spellings: dict[str, set[str]] = {}
    seen: set[str] = set()
    for output in outputs:
        path = output.path
        while path and path not in seen:  # a folder seen once has had its parents seen too
            seen.add(path)
            spellings.setdefault(path.casefold(), set()).add(path)
            path = path.rpartition("/")[0]
    clashes = sorted(sorted(paths) for paths in spellings.values() if len(paths) > 1)
    found: list[Diagnostic] = []
    reported: list[str] = []
    for first, *others in clashes:
        if any(first.startswith(folder + "/") for folder in reported):
            continue  # within a folder already reported: the same clash again
        reported.append(first)
        # The file to rename: one of the site's under the second spelling, not the theme's.
        under = [o for o in outputs if o.path == others[0] or o.path.startswith(others[0] + "/")]
        owner = min(under, key=lambda o: (o.made is Made.THEME_COPY, o.path)).owner
        found.append(
            Diagnostic(
                f"the output {others[0]} differs from {first} only in letter case; on macOS and "
                "Windows they are the same path, and one overwrites the other",
                path=owner.path if owner.path is not None else others[0],
                line=owner.line,
                hint="rename one of them (or give it another slug) so that the names differ "
                "in more than case",
                code="case-collision",
            )
        )
    return found
