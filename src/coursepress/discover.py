"""Walk content/ and static/ → the site's source files, sorted, junk left out."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath

CONTENT_DIR = "content"
STATIC_DIR = "static"

# Editor and OS leftovers that must never be published.
_JUNK_PATTERNS = (".*", "~$*", "*.swp", "*.swo", "*~", "#*#", "Thumbs.db", "desktop.ini")


class SourceKind(Enum):
    PAGE = "page"
    """A Markdown page: a post, a top-level page, or a bundle's index.md."""
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
    """Path relative to the site folder, as shown in messages (`content/posts/x.md`)."""
    target: PurePosixPath
    """Path relative to its root folder (content/ or static/)."""
    kind: SourceKind
    """What the build does with it."""
    bundle: PurePosixPath | None = None
    """For a page bundle's index.md and its resources: the bundle folder under content/."""

    @property
    def section(self) -> str:
        """The first folder under content/; '' for top-level pages and top-level bundles."""
        parts = self.target.parts
        if len(parts) < 2 or (self.bundle is not None and len(self.bundle.parts) == 1):
            return ""
        return parts[0]


@dataclass(frozen=True, slots=True)
class Sources:
    pages: tuple[SourceFile, ...]
    """Markdown pages and section indexes, in path order."""
    files: tuple[SourceFile, ...]
    """Files copied as they are: static/ first, then content/ assets and bundle resources."""


def is_junk(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _JUNK_PATTERNS)


def discover(site_dir: Path) -> Sources:
    content = list(_walk(site_dir, CONTENT_DIR))
    bundles = {
        _under(rel, CONTENT_DIR).parent
        for rel in content
        if rel.name == "index.md" and rel.parent != PurePosixPath(CONTENT_DIR)
    }
    pages: list[SourceFile] = []
    files = [
        SourceFile(site_dir / rel, rel, _under(rel, STATIC_DIR), SourceKind.ASSET)
        for rel in _walk(site_dir, STATIC_DIR)
    ]
    for rel in content:
        target = _under(rel, CONTENT_DIR)
        bundle = _enclosing_bundle(target, bundles)
        kind = _kind(target, bundle)
        record = SourceFile(site_dir / rel, rel, target, kind, bundle)
        (pages if kind in (SourceKind.PAGE, SourceKind.SECTION_INDEX) else files).append(record)
    return Sources(tuple(pages), tuple(files))


def _kind(target: PurePosixPath, bundle: PurePosixPath | None) -> SourceKind:
    if bundle is not None:
        return SourceKind.PAGE if target == bundle / "index.md" else SourceKind.RESOURCE
    if target.name == "_index.md":
        return SourceKind.SECTION_INDEX
    if target.suffix.lower() == ".md":
        return SourceKind.PAGE
    return SourceKind.ASSET


def _enclosing_bundle(target: PurePosixPath, bundles: set[PurePosixPath]) -> PurePosixPath | None:
    for folder in target.parents:
        if folder in bundles:
            return folder
    return None


def _under(rel: PurePosixPath, root: str) -> PurePosixPath:
    return rel.relative_to(root)


def _walk(site_dir: Path, root: str) -> list[PurePosixPath]:
    """Files under `site_dir/root`, relative to site_dir, sorted; junk and dot-folders skipped."""
    top = site_dir / root
    found: list[PurePosixPath] = []
    for folder, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not is_junk(d))
        base = PurePosixPath(Path(folder).relative_to(site_dir).as_posix())
        found.extend(base / name for name in sorted(filenames) if not is_junk(name))
    return sorted(found)
