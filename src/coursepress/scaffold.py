"""Authoring commands: `coursepress new post` and `coursepress init`. They only ever create
files; an existing file is never overwritten."""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from coursepress.config import CONFIG_FILE, load_config
from coursepress.errors import SiteError, shown_folder, shown_path
from coursepress.hugo.config import (
    CONFIG_FOLDER,
    CONFIG_NAMES,
    HugoSettings,
    read_hugo_settings,
    site_toml_text,
)
from coursepress.site.urls import urlize
from coursepress.source.discover import CONTENT_DIR, check_site_folder

NEW_SITE_FILES = Path(__file__).resolve().parent / "newsite"
WORKFLOWS = tuple(
    f".github/workflows/{name}"
    for name in ("pages.yml", "check.yml", "preview.yml", "preview-publish.yml")
)


class ScaffoldError(SiteError):
    """A file or folder the command would create is already there."""


def new_post(site_dir: Path, title: str, section: str = "posts", week: int | None = None) -> Path:
    """A draft post dated today (in the site's time zone); returns its path."""
    check_site_folder(site_dir, CONFIG_FILE)  # a mistyped --source is not made a site
    config = load_config(site_dir)
    if not re.fullmatch(r"[\w][\w .-]*", section) or ".." in section:
        raise ScaffoldError(
            f"'{section}' is not a section name; nothing was written",
            path="--section",
            hint="a section is one folder under content/, such as posts or notes",
        )
    for folder in (PurePosixPath(CONTENT_DIR), PurePosixPath(CONTENT_DIR) / section):
        if (site_dir / folder).is_symlink():  # the build does not follow it: nor does this
            raise ScaffoldError(
                "this folder is a symbolic link, which the build does not follow, so a post "
                "in it would never publish; nothing was written",
                path=shown_path(site_dir, folder),
                hint="make it a folder of the site, or choose another --section",
            )
    slug = urlize(title)
    path = site_dir / CONTENT_DIR / section / f"{slug}.md"
    if os.path.lexists(path) or path.with_suffix("").is_dir():
        raise ScaffoldError(
            "this file already exists; nothing was written",
            path=shown_path(site_dir, path.relative_to(site_dir).as_posix()),
            hint="choose another title, or edit the existing post",
        )
    today = datetime.now(config.zone).date().isoformat()
    front = [f"title = {json.dumps(title)}", f"date = {today}", "draft = true", f'slug = "{slug}"']
    if week is not None:
        front.append(f"week = {week}")
    front += ["authors = []", "tags = []"]
    body = (
        "Write the post here, in Markdown. The first paragraph (or the text before a\n"
        "`<!--more-->` line) is its summary on the home page. Set draft = false to publish.\n"
    )
    _create(path, "+++\n" + "\n".join(front) + "\n+++\n\n" + body)
    return path


def init_site(site_dir: Path, requirement: str) -> list[Path]:
    """A new course site that builds at once, with the GitHub Pages workflows (publishing,
    checks and pull request previews), which install `requirement` (see requirement.py)."""
    if site_dir.exists() and any(site_dir.iterdir()):
        raise ScaffoldError(
            "this folder is not empty; nothing was written",
            path=str(site_dir),
            hint="choose a new folder name: coursepress init my-course",
        )
    title = site_dir.resolve().name.replace("-", " ").replace("_", " ").title()
    today = datetime.now(UTC).date().isoformat()  # the new site's time zone: UTC
    files = {
        CONFIG_FILE: _site_toml(title),
        "content/_index.md": f"+++\ntitle = {json.dumps(title)}\n+++\n\nWelcome to the course.\n",
        "content/posts/_index.md": '+++\ntitle = "Posts"\n+++\n',
        "content/posts/welcome.md": (
            f'+++\ntitle = "Welcome"\ndate = {today}\nweek = 1\n+++\n\n'
            'This is the first post. Add more with `coursepress new post "Title"`.\n'
        ),
        "requirements.txt": f"{requirement}\n",
        ".gitignore": "public/\n.coursepress-cache/\n",
    }
    for workflow in WORKFLOWS:
        files[workflow] = (NEW_SITE_FILES / Path(workflow).name).read_text(encoding="utf-8")
    created = []
    for name, text in files.items():
        _create(site_dir / name, text)
        created.append(site_dir / name)
    return created


def site_toml_from_hugo(site_dir: Path) -> tuple[Path, HugoSettings]:
    """Write `site_dir/site.toml` with what the Hugo config there says."""
    target = site_dir / CONFIG_FILE
    if target.exists():
        raise ScaffoldError(
            "this folder already has a site.toml; nothing was written",
            path=str(target),
            hint="coursepress uses site.toml when there is one; remove it to convert again",
        )
    settings = read_hugo_settings(site_dir)
    if settings is None:
        raise ScaffoldError(
            "no Hugo config here; nothing was written",
            path=shown_folder(site_dir),
            hint=f"looked for {', '.join(CONFIG_NAMES)} and {CONFIG_FOLDER}/",
        )
    load_config(site_dir)  # the same checks a build makes, before anything is written
    _create(target, site_toml_text(settings))
    return target, settings


def _site_toml(title: str) -> str:
    return (
        f"title = {json.dumps(title)}\n"
        'description = ""\n'
        "# Where the site is published; the Pages workflow passes the real one with --base-url.\n"
        'base_url = "/"\n'
        'language = "en"\n'
        '# Dates without a time zone are read in this one, and "future" is judged in it.\n'
        'timezone = "UTC"\n'
        'author = ""\n'
        '# The term, shown in the header with the instructors and meeting times ("Fall 2026").\n'
        'term = ""\n'
        "# The site's repository (https://github.com/org/course): each page links to its\n"
        '# source there, "Edit this page".\n'
        'repository = ""\n'
    )


def _create(path: Path, text: str) -> None:
    """Write a new file whole or not at all, and never over an existing one: it is written
    beside, then linked into place (which fails if the name is taken)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ScaffoldError(
            f"cannot write {path.name}: its text holds {error.object[error.start]!a}, which "
            "is not a character (a lone surrogate, from an escape such as \\ud800)",
            path=str(path),
            hint="fix that value where it came from; nothing was written",
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.link(temporary, path)
    finally:
        os.unlink(temporary)
