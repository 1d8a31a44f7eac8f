"""The site's own templates/: which files there are, and their text. Templates are code that
runs on every page, so a symbolic link is followed only to a file inside templates/ (a link
could otherwise put any file on the disk, `/etc/passwd`, into every page), and a folder or
file that cannot be read is an error, never a silent fall back to the theme's templates."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from coursepress.errors import SiteError, TemplateError, shown_path, unreadable
from coursepress.source.discover import TEMPLATES_DIR, is_junk

THEME_DIR = Path(__file__).resolve().parent.parent / "theme"
"""The default theme: its templates/ and static/."""


@dataclass(frozen=True, slots=True)
class SiteTemplate:
    path: Path
    text: str | None
    """None for a file that is not UTF-8 text: an error where it is used as a template (a
    picture kept beside the templates is no template, and no error while unused)."""


def site_templates(site_dir: Path) -> dict[str, SiteTemplate]:
    """Template name (`partials/nav.html`) → file and text, for every file under templates/
    but editor and OS leftovers (`.single.html.swp`, `.DS_Store`, a `.git` folder). Each is
    read, so that one that cannot be read fails every build and check alike, used or not."""
    top = site_dir / TEMPLATES_DIR
    if not os.path.lexists(top):
        return {}
    site = site_dir.resolve()
    if top.is_symlink() and not top.resolve().is_relative_to(site):
        raise _link_error(PurePosixPath(TEMPLATES_DIR), site_dir, "top")
    found: dict[str, SiteTemplate] = {}

    def cannot_list(error: OSError) -> None:
        if not isinstance(error, FileNotFoundError):  # gone while listed: not there
            raise unreadable_error(site_dir, Path(error.filename), error, folder=True)

    for folder, dirnames, filenames in os.walk(top, onerror=cannot_list):
        base = PurePosixPath(Path(folder).relative_to(top).as_posix())
        dirnames[:] = [name for name in dirnames if not is_junk(name)]
        for name in dirnames:
            if os.path.islink(os.path.join(folder, name)):
                raise _link_error(PurePosixPath(TEMPLATES_DIR) / base / name, site_dir, "folder")
        for name in filenames:
            path = Path(folder, name)
            if is_junk(name):
                continue
            if path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(site):
                raise _link_error(PurePosixPath(TEMPLATES_DIR) / base / name, site_dir, "file")
            found[(base / name).as_posix()] = SiteTemplate(path, _read(site_dir, path))
    return found


def _read(site_dir: Path, path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise unreadable_error(site_dir, path, error, folder=False) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def not_text(site_dir: Path, path: Path) -> TemplateError:
    return TemplateError(
        "this template is not UTF-8 text",
        path=_shown(site_dir, path),
        hint="save it as UTF-8 (most editors offer it under Save As or Encoding)",
    )


def unreadable_error(site_dir: Path, path: Path, error: OSError, *, folder: bool) -> SiteError:
    shown = _shown(site_dir, path)
    where = f"{shown}/" if folder else shown
    return unreadable(where, error, folder=folder, error_type=TemplateError, leave="templates/")


def _shown(site_dir: Path, path: Path) -> PurePosixPath:
    return shown_path(site_dir, path.relative_to(site_dir).as_posix())


_LINKS = {
    "top": (
        "templates/ is a symbolic link out of the site folder; templates are code, so "
        "coursepress reads them only from the site's own folder",
        "make templates/ a folder and copy the templates into it",
    ),
    "folder": (
        "this folder is a symbolic link, and links to folders are not followed",
        "move or copy the folder into templates/",
    ),
    "file": (
        "this is a symbolic link to a file outside the site folder; templates are code, so "
        "coursepress does not follow it",
        "copy the file into the site folder",
    ),
}


def _link_error(rel: PurePosixPath, site_dir: Path, kind: str) -> TemplateError:
    message, hint = _LINKS[kind]
    return TemplateError(message, path=shown_path(site_dir, rel), hint=hint)
