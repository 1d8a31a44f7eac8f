"""The site's own templates/: which files there are, and their text. Templates are code that
runs on every page, so a symbolic link is followed only to a file inside templates/ (a link
could otherwise put any file on the disk, `/etc/passwd`, into every page), and a folder or
file that cannot be read is an error, never a silent fall back to the theme's templates."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from coursepress.errors import TemplateError, shown_path

TEMPLATES_DIR = "templates"


@dataclass(frozen=True, slots=True)
class SiteTemplate:
    path: Path
    text: str


def site_templates(site_dir: Path) -> dict[str, SiteTemplate]:
    """Template name (`partials/nav.html`) → file and text, for every template under
    templates/: all are read, so that one that cannot be read fails every build and check
    alike, used or not."""
    top = site_dir / TEMPLATES_DIR
    if not os.path.lexists(top):
        return {}
    if top.is_symlink():
        raise _link_error(PurePosixPath(TEMPLATES_DIR), site_dir, "top")
    inside = top.resolve()
    found: dict[str, SiteTemplate] = {}

    def unreadable(error: OSError) -> None:
        if not isinstance(error, FileNotFoundError):  # gone while listed: not there
            raise unreadable_error(site_dir, Path(error.filename), error, "folder")

    for folder, dirnames, filenames in os.walk(top, onerror=unreadable):
        base = PurePosixPath(Path(folder).relative_to(top).as_posix())
        for name in dirnames:
            if os.path.islink(os.path.join(folder, name)):
                raise _link_error(PurePosixPath(TEMPLATES_DIR) / base / name, site_dir, "folder")
        for name in filenames:
            path = Path(folder, name)
            if path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(inside):
                raise _link_error(PurePosixPath(TEMPLATES_DIR) / base / name, site_dir, "file")
            found[(base / name).as_posix()] = SiteTemplate(path, _read(site_dir, path))
    return found


def _read(site_dir: Path, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise unreadable_error(site_dir, path, error, "file") from None
    except UnicodeDecodeError:
        raise TemplateError(
            "this template is not UTF-8 text",
            path=_shown(site_dir, path),
            hint="save it as UTF-8 (most editors offer it under Save As or Encoding)",
        ) from None


def unreadable_error(site_dir: Path, path: Path, error: OSError, what: str) -> TemplateError:
    shown = _shown(site_dir, path)
    return TemplateError(
        f"cannot read this {what}: {error.strerror or error}",
        path=f"{shown}/" if what == "folder" else shown,
        hint="make it readable (chmod -R u+rX templates), or move it out of templates/",
        code="unreadable",
    )


def _shown(site_dir: Path, path: Path) -> PurePosixPath:
    return shown_path(site_dir, path.relative_to(site_dir).as_posix())


_LINKS = {
    "top": (
        "templates/ is a symbolic link; templates are code, so coursepress reads them only "
        "from the site's own folder",
        "make templates/ a folder and copy the templates into it",
    ),
    "folder": (
        "this folder is a symbolic link, and links to folders are not followed",
        "move or copy the folder into templates/",
    ),
    "file": (
        "this is a symbolic link to a file outside templates/; templates are code, so "
        "coursepress does not follow it",
        "copy the file into templates/",
    ),
}


def _link_error(rel: PurePosixPath, site_dir: Path, kind: str) -> TemplateError:
    message, hint = _LINKS[kind]
    return TemplateError(message, path=shown_path(site_dir, rel), hint=hint)
