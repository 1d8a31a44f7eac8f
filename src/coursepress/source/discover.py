"""Walk content/ and static/ → the site's source files, sorted, junk left out."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import stat
import time
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path, PurePosixPath

from coursepress.errors import ContentError, Diagnostic, shown_folder, shown_path, unreadable
from coursepress.source.locate import is_utf8

CONTENT_DIR = "content"
STATIC_DIR = "static"
TEMPLATES_DIR = "templates"

# Editor and OS leftovers that must never be published.
_JUNK_PATTERNS = (".*", "~$*", "*.swp", "*.swo", "*~", "#*#", "Thumbs.db", "desktop.ini")


class SourceKind(Enum):
    PAGE = "page"
    """A Markdown page: a post, a top-level page, or a bundle's index.md; a Jupyter notebook
    (`.ipynb`, the same); or an HTML page (`.html` with front matter, see
    `HTML_PAGE_SUFFIXES`)."""
    SECTION_INDEX = "section index"
    """`_index.md`: a section's title and intro."""
    RESOURCE = "resource"
    """A file inside a page bundle, copied beside the page."""
    ASSET = "asset"
    """Any other file under content/ or static/, copied to the same relative path."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file of the site."""

    path: Path
    """Where it is on disk."""
    rel: PurePosixPath
    """The path as messages show it: from the current folder (`content/posts/x.md`)."""
    target: PurePosixPath
    """Path relative to its root folder (content/ or static/)."""
    kind: SourceKind
    """What the build does with it."""
    bundle: PurePosixPath | None = None
    """For a page bundle's index.md and its resources: the bundle folder under content/."""
    needs_bundle: PurePosixPath | None = None
    """A link to a bundle's resource: published only while that bundle's page is."""

    @property
    def is_html(self) -> bool:
        """An HTML page: its body is HTML as written, not Markdown."""
        return self.target.suffix.lower() in HTML_PAGE_SUFFIXES

    @property
    def is_notebook(self) -> bool:
        """A Jupyter notebook: its body is read from its cells."""
        return self.target.suffix.lower() == NOTEBOOK_SUFFIX

    @property
    def section(self) -> str:
        """The first folder under content/; '' for top-level pages and top-level bundles."""
        parts = self.target.parts
        if len(parts) < 2 or (self.bundle is not None and len(self.bundle.parts) == 1):
            return ""
        return parts[0]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that exists but is not used, and why: reported as a warning."""

    rel: PurePosixPath
    reason: str
    hint: str
    code: str


@dataclass(frozen=True, slots=True)
class Sources:
    pages: tuple[SourceFile, ...]
    """Markdown pages and section indexes, in path order."""
    files: tuple[SourceFile, ...]
    """Files copied as they are: static/ first, then content/ assets and bundle resources."""
    skipped: tuple[Skipped, ...] = ()


@lru_cache(maxsize=4096)  # asked for every file of the site on every build
def is_junk(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _JUNK_PATTERNS)


def check_site_folder(site_dir: Path, config_file: str) -> list[Diagnostic]:
    """A folder with neither content/ nor site.toml is not a site: most likely the wrong one.
    A site file of the wrong kind (a file named `static`, a folder named `site.toml`) is an
    error, never a silent fall back to the defaults."""
    kinds = ((CONTENT_DIR, True), (STATIC_DIR, True), (TEMPLATES_DIR, True), (config_file, False))
    for name, folder in kinds:
        path = site_dir / name
        if os.path.lexists(path) and not path.is_symlink() and path.is_dir() != folder:
            raise ContentError(
                f"{name} is a {'file' if folder else 'folder'}, but coursepress reads a "
                f"{'folder' if folder else 'file'} of that name",
                path=shown_path(site_dir, name),
                hint=f"move it away, or make {name} the {'folder' if folder else 'file'} "
                "coursepress expects",
            )
    if (site_dir / CONTENT_DIR).is_dir():
        return []
    if not (site_dir / config_file).is_file():
        raise ContentError(
            "this folder has no content/ folder and no site.toml: it is not a coursepress site",
            path=shown_folder(site_dir),
            hint="run coursepress in your site's folder, or pass it with --source",
        )
    return [
        Diagnostic(
            "there is no content/ folder, so the site has no pages",
            path=shown_path(site_dir, CONTENT_DIR),
            hint="write pages as Markdown files under content/",
            code="no-content",
        )
    ]


@dataclass(frozen=True, slots=True)
class Walked:
    """What a walk of the site found, with the modification time of every folder it listed
    (and of every `.html` page, whose kind its text decides): while none has changed, no file
    was added, removed or renamed under them, nor became a page or stopped being one."""

    sources: Sources
    folders: tuple[tuple[str, tuple[int, int]], ...]
    reusable: bool
    """No folder changed too close to the walk, and no symbolic link was met (where a link
    leads can change elsewhere): while its folders stand, the walk may stand for a new one."""
    roots: Roots

    def still_holds(self, roots: Roots) -> bool:
        return (
            self.reusable
            and roots == self.roots
            and all(_stamp(folder)[1] == stamp for folder, stamp in self.folders)
        )


RACY_NS = 2_000_000_000
"""A folder changed this close to the walk that listed it may have changed again within the
same tick of the file system's clock (two seconds on FAT): such a walk is not reused."""
ABSENT = (-1, -1)
"""The stamp of a folder that does not exist."""


def discover(site_dir: Path) -> Sources:
    """The site's files."""
    return walk(site_dir).sources


Roots = tuple[tuple[str, str], ...]
"""(folder, URL path its files go under, "" for the site root) of each folder published as
it is: `Config.published_roots`."""
DEFAULT_ROOTS: Roots = ((STATIC_DIR, ""),)


def walk(site_dir: Path, roots: Roots = DEFAULT_ROOTS) -> Walked:
    """The site's files, and the folders they were found in (serve reuses a walk that
    still holds, so an edit to a post does not list the site again)."""
    started = time.time_ns()
    folders: list[tuple[str, tuple[int, int]]] = []
    links: list[PurePosixPath] = []
    sources = _discover(site_dir, roots, folders, links)
    reusable = not links and all(mtime < started - RACY_NS for _, (_, mtime) in folders)
    return Walked(sources, tuple(folders), reusable, roots)


def _discover(
    site_dir: Path,
    roots: Roots,
    folders: list[tuple[str, tuple[int, int]]],
    links: list[PurePosixPath],
) -> Sources:
    folders.append(_stamp(str(site_dir)))
    skipped: list[Skipped] = []
    content = _walk(site_dir, CONTENT_DIR, skipped, folders, links)
    published = []
    for folder, prefix in roots:
        problem = _not_publishable(site_dir, folder)
        if problem is not None:
            if problem.code != "missing-folder" or folder != STATIC_DIR:
                skipped.append(problem)
            continue
        published.append((folder, prefix, _walk(site_dir, folder, skipped, folders, links)))
    notebooks = {
        target
        for target in content
        if target.suffix.lower() == NOTEBOOK_SUFFIX and _notebook_page(site_dir, target)
    }
    bundles = {
        target.parent
        for target in content
        if target.parent != PurePosixPath(".")
        and (target.name == "index.md" or (target.name in BUNDLE_INDEXES and target in notebooks))
    }
    listed = {CONTENT_DIR: set(content)} | {folder: set(found) for folder, _, found in published}
    linked = set(links)
    pages: list[SourceFile] = []
    files: list[SourceFile] = []
    for root, prefix, targets in [*published, (CONTENT_DIR, "", content)]:
        for target in targets:
            bundle = _enclosing_bundle(target, bundles) if root == CONTENT_DIR else None
            kind = _kind(target, bundle) if root == CONTENT_DIR else SourceKind.ASSET
            if root == CONTENT_DIR and target.suffix.lower() in HTML_PAGE_SUFFIXES:
                # Its kind hangs on its first bytes: an edit to them makes a new walk.
                folders.append(_stamp(str(site_dir / root / target)))
                if _index_with_front_matter(site_dir, target):
                    skipped.append(_index_page(site_dir, target))
                    continue
                if kind is SourceKind.ASSET and _html_page(site_dir, target):
                    kind = SourceKind.PAGE
            if root == CONTENT_DIR and target.suffix.lower() == NOTEBOOK_SUFFIX:
                folders.append(_stamp(str(site_dir / root / target)))  # as an .html page's
                if kind is SourceKind.PAGE and target not in notebooks:
                    kind = SourceKind.ASSET if bundle is None else SourceKind.RESOURCE
            record = _record(site_dir, root, target, kind, bundle, prefix)
            if PurePosixPath(root) / target in linked:
                followed = _follow(record, site_dir, listed, bundles)
                if isinstance(followed, Skipped):
                    skipped.append(followed)
                    continue
                record = followed
            if record.kind in (SourceKind.PAGE, SourceKind.SECTION_INDEX):
                pages.append(record)
            elif record.kind is SourceKind.RESOURCE and target.suffix.lower() == ".md":
                skipped.append(_markdown_in_bundle(record, site_dir))
            else:
                files.append(record)
    return Sources(tuple(pages), tuple(files), tuple(skipped))


def _follow(
    link: SourceFile,
    site_dir: Path,
    listed: dict[str, set[PurePosixPath]],
    bundles: set[PurePosixPath],
) -> SourceFile | Skipped:
    """A symbolic link is followed only to a file the site publishes itself: one under
    content/ or static/ that the walk lists (not a dot-file, not behind a linked folder). A
    link is a copy of its target, so it must not publish what the target does not: a draft's
    Markdown source, `site.toml`, `.git/config`, a resource of a bundle that does not publish
    (`needs_bundle`, settled once pages are known)."""
    if not link.path.exists():
        return Skipped(link.rel, "this is a broken link", "remove it or fix its target",
                       "broken-symlink")  # fmt: skip
    target = Path(os.path.realpath(link.path))
    if not target.is_relative_to(site_dir.resolve()):
        return _outside_link(link.rel)
    for root in listed:
        top = (site_dir / root).resolve()
        if not target.is_relative_to(top):
            continue
        inside = PurePosixPath(target.relative_to(top).as_posix())
        if inside not in listed[root]:
            continue  # a folder published as it is may hold another (`static/docs`)
        if root != CONTENT_DIR:
            return link
        bundle = _enclosing_bundle(inside, bundles)
        kind = _kind(inside, bundle)  # as the walk judges the target itself
        if kind is SourceKind.ASSET and _html_page(site_dir, inside):
            kind = SourceKind.PAGE
        if inside.suffix.lower() == ".md" and kind is SourceKind.RESOURCE:
            break  # Markdown inside a bundle: published neither as a page nor as a file
        if _is_page(kind) != _is_page(link.kind):
            break  # a page's source is published as a page, never as a file
        if _is_page(kind) or bundle is None or link.bundle == bundle:
            return link  # a page linked to a page: the target's draft and dates apply
        return replace(link, needs_bundle=bundle)
    return Skipped(
        link.rel,
        f"not published: this is a symbolic link to {_shown_target(target, site_dir)}, which "
        "the site does not publish as a file",
        "link only to files under content/ or static/ that are published themselves, or copy "
        "the file",
        "link-to-private-file",
    )


def _is_page(kind: SourceKind) -> bool:
    return kind in (SourceKind.PAGE, SourceKind.SECTION_INDEX)


def _shown_target(target: Path, site_dir: Path) -> str:
    return target.relative_to(site_dir.resolve()).as_posix()


def _record(
    site_dir: Path,
    root: str,
    target: PurePosixPath,
    kind: SourceKind,
    bundle: PurePosixPath | None = None,
    prefix: str = "",
) -> SourceFile:
    rel = PurePosixPath(root) / target
    published_as = PurePosixPath(prefix) / target if prefix else target
    return SourceFile(site_dir / rel, shown_path(site_dir, rel), published_as, kind, bundle)


def _not_publishable(site_dir: Path, folder: str) -> Skipped | None:
    """Why a folder the settings name to publish as it is is not read: it does not exist, it
    is a file, or a symbolic link is on its way (which could lead to content/, .git or out
    of the site, where the settings' own checks cannot see)."""
    path = site_dir / folder
    shown = shown_path(site_dir, folder)
    named = "this folder, which the site's settings name to publish (static_dirs or publish),"
    if not os.path.lexists(path):
        return Skipped(shown, f"not published: {named} does not exist",
                       "create it, or take it out of the settings", "missing-folder")  # fmt: skip
    parents = PurePosixPath(folder).parents
    if any(os.path.islink(site_dir / parents[i]) for i in range(len(parents) - 1)):
        return Skipped(shown, f"not published: {named} lies behind a symbolic link",
                       "make it a plain folder of the site", "linked-folder")  # fmt: skip
    if path.is_symlink():
        return None  # the walk says so, as it does of content/ as a link (`_linked_folder`)
    if not path.is_dir():
        return Skipped(shown, f"not published: {named} is a file, not a folder",
                       "name a folder, or take it out of the settings",
                       "missing-folder")  # fmt: skip
    return None


def _index_with_front_matter(site_dir: Path, target: PurePosixPath) -> bool:
    return target.stem.lower() in _INDEXES and _starts_with_front_matter(site_dir, target)


def _index_page(site_dir: Path, target: PurePosixPath) -> Skipped:
    return Skipped(
        shown_path(site_dir, PurePosixPath(CONTENT_DIR) / target),
        "not published: an index.html with front matter would be copied with its front matter "
        "(a draft among them), and coursepress makes pages only of other .html files",
        f"rename it to {target.parent.name or 'page'}.html to make it a page, or take the front "
        "matter out to publish the file as it is",
        "hidden-file",
    )


def _markdown_in_bundle(record: SourceFile, site_dir: Path) -> Skipped:
    # A folder with index.md is one page (a leaf bundle, as in Hugo); other Markdown in it
    # is neither a page nor published. Often index.md was meant to be _index.md.
    assert record.bundle is not None
    folder = PurePosixPath(CONTENT_DIR) / record.bundle
    name = next((n for n in BUNDLE_INDEXES if (site_dir / folder / n).exists()), "index.md")
    index = shown_path(site_dir, folder / name)
    return Skipped(
        record.rel,
        f"not published: {index} makes its folder a single page (a page bundle)",
        f"to make the folder a section with a list of pages, rename {index.name} to _index.md",
        "markdown-in-bundle",
    )


def _kind(target: PurePosixPath, bundle: PurePosixPath | None) -> SourceKind:
    if bundle is not None:
        index = target.parent == bundle and target.name in BUNDLE_INDEXES
        return SourceKind.PAGE if index else SourceKind.RESOURCE
    if target.name == "_index.md":
        return SourceKind.SECTION_INDEX
    if target.suffix.lower() in PAGE_SUFFIXES:
        return SourceKind.PAGE
    return SourceKind.ASSET


HTML_PAGE_SUFFIXES = (".html", ".htm")
NOTEBOOK_SUFFIX = ".ipynb"
PAGE_SUFFIXES = (".md", NOTEBOOK_SUFFIX)
"""Files under content/ that are always pages (outside a page bundle)."""
BUNDLE_INDEXES = ("index.md", "index" + NOTEBOOK_SUFFIX)
"""A folder holding one is a page bundle: one page, with the folder's other files beside it
(a Quarto blog's `posts/name/index.ipynb` as Hugo's `index.md`)."""
_FRONT_MATTER = re.compile(rb'(?:\xef\xbb\xbf)?(?:(?:\+{3,}|-{3,})[ \t]*\r?\n|\{\s*["}])')
"""The start of front matter as source/frontmatter.py's handlers detect it (TOML, YAML,
JSON), in bytes, after a byte-order mark."""


def _html_page(site_dir: Path, target: PurePosixPath) -> bool:
    """An `.html` file under content/ that starts with front matter is a page, as in Hugo;
    one without is a hand-written file (a handout, a slide deck) and is copied as it is.
    `index.html` is always copied: it is the page of its folder (a reveal.js deck)."""
    if target.suffix.lower() not in HTML_PAGE_SUFFIXES or target.stem.lower() in _INDEXES:
        return False
    return _starts_with_front_matter(site_dir, target)


def _notebook_page(site_dir: Path, target: PurePosixPath) -> bool:
    """A notebook is a page when it has front matter (a first raw cell of it, or a
    `coursepress` table or a `title` in its metadata), as an `.html` file is; one without is
    a file to download, copied as it is (as before notebooks were read). One that is not a
    notebook at all is read as a page, so that the reading says what is wrong with it."""
    try:
        data = json.loads((site_dir / CONTENT_DIR / target).read_bytes())
    except OSError:
        return False  # copied, and the copy reports why it cannot be read
    except (ValueError, RecursionError):
        return True
    from coursepress.source.notebook import has_front_matter  # it reads SourceFile from here

    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return True
    return has_front_matter(data)


def _starts_with_front_matter(site_dir: Path, target: PurePosixPath) -> bool:
    try:
        with open(site_dir / CONTENT_DIR / target, "rb") as file:
            head = file.read(64)
    except OSError:
        return False  # copied, and the copy reports why it cannot be read
    return _FRONT_MATTER.match(head) is not None


_INDEXES = ("index", "_index")


def _enclosing_bundle(target: PurePosixPath, bundles: set[PurePosixPath]) -> PurePosixPath | None:
    if not bundles:
        return None
    for folder in target.parents:
        if folder in bundles:
            return folder
    return None


def _stamp(folder: str) -> tuple[str, tuple[int, int]]:
    """A folder's identity and modification time: a folder swapped for another (`mv content
    content.old; mv new content`) keeps neither, though `mv` keeps its time."""
    try:
        status = os.stat(folder)
    except OSError:
        return folder, ABSENT
    return folder, (status.st_ino, status.st_mtime_ns)


def _walk(
    site_dir: Path,
    root: str,
    skipped: list[Skipped],
    folders: list[tuple[str, tuple[int, int]]],
    links: list[PurePosixPath],
) -> list[PurePosixPath]:
    """Files under `site_dir/root`, relative to it, sorted; junk and dot-folders skipped.
    Each folder is added to `folders` with its modification time taken before it is listed
    (a change after that changes the time), and each link to a file to `links`.

    Links to folders are never followed; where a link to a file leads is judged later."""
    top = site_dir / root
    found: list[PurePosixPath] = []
    if top.is_symlink():  # os.walk would follow the folder it starts from
        skipped.append(_linked_folder(PurePosixPath(root), site_dir))
        return found
    folders.append(_stamp(str(top)))

    def cannot_list(error: OSError) -> None:
        if not isinstance(error, FileNotFoundError):  # gone while listed: not there
            raise unreadable(shown_folder(Path(error.filename)), error, folder=True)

    for folder, dirnames, filenames in os.walk(top, onerror=cannot_list):
        base = PurePosixPath(Path(folder).relative_to(top).as_posix())
        for name in [d for d in dirnames if os.path.islink(os.path.join(folder, d))]:
            skipped.append(_linked_folder(PurePosixPath(root) / base / name, site_dir))
        dirnames[:] = sorted(
            d for d in dirnames if not is_junk(d) and not os.path.islink(os.path.join(folder, d))
        )
        for name in dirnames:
            if not name.isascii() and not is_utf8(name):
                raise _name_not_utf8(os.path.join(folder, name) + "/")
        folders.extend(_stamp(os.path.join(folder, d)) for d in dirnames)  # os.walk lists next
        for name in sorted(filenames):
            path = os.path.join(folder, name)
            if is_junk(name):
                continue
            if not name.isascii() and not is_utf8(name):
                raise _name_not_utf8(path)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                links.append(PurePosixPath(root) / base / name)  # followed or not: later
            elif not stat.S_ISREG(mode):  # reading a named pipe would wait for a writer
                skipped.append(_special_file(PurePosixPath(root) / base / name, site_dir))
                continue
            found.append(base / name)
    return sorted(found)


def _name_not_utf8(path: str) -> ContentError:
    return ContentError(
        "this name is not UTF-8 text, so it cannot be part of a web address",
        path=os.fsencode(path).decode("utf-8", "replace"),
        hint="rename it; what is not UTF-8 is shown as \N{REPLACEMENT CHARACTER}",
    )


def _special_file(rel: PurePosixPath, site_dir: Path) -> Skipped:
    return Skipped(
        shown_path(site_dir, rel),
        "not published: this is not a file but a named pipe, socket or device",
        "remove it from the site folder",
        "hidden-file",
    )


def _outside_link(rel: PurePosixPath) -> Skipped:
    return Skipped(
        rel,
        "not published: this is a symbolic link to a file outside the site folder",
        "copy the file into the site folder if it belongs on the site",
        "link-outside-site",
    )


def _linked_folder(rel: PurePosixPath, site_dir: Path) -> Skipped:
    return Skipped(
        shown_path(site_dir, rel),
        "not published: this folder is a symbolic link, and links to folders are not followed",
        "move or copy the folder into the site folder",
        "linked-folder",
    )
