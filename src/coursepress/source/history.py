"""The site's git history, when the site is a git checkout: where the site folder sits in the
repository ("Edit this page" links) and when each page was last committed ("Last updated"),
read with one `git log` for the whole site, as Hugo's `enableGitInfo` reads it."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursepress.site.pages import Page


@dataclass(frozen=True, slots=True)
class History:
    folder: str = ""
    """The site folder inside its repository, "" at the top or "site/" below it."""
    committed: Mapping[str, datetime] = field(default_factory=lambda: MappingProxyType({}))
    """A file's path under content/ (`posts/week1.md`) → when it was last committed."""


def read_history(site_dir: Path) -> History:
    """Nothing when git is not installed or the folder is not a checkout. A shallow clone
    (CI's default) knows only its last commit: the Pages workflow fetches the whole history."""
    git = ["git", "-C", str(site_dir), "-c", "core.quotepath=off"]
    try:
        prefix = subprocess.run(
            [*git, "rev-parse", "--show-prefix"], capture_output=True, text=True, check=True
        ).stdout.strip()
        log = subprocess.run(
            [*git, "log", "--no-renames", "--name-only", "-z", "--format=%x01%cI", "--", "content"],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.CalledProcessError):
        return History()
    committed: dict[str, datetime] = {}
    when: datetime | None = None
    content = f"{prefix}content/"
    for item in log.split("\0"):
        item = item.lstrip("\n")
        if item.startswith("\x01"):
            when = datetime.fromisoformat(item[1:])
        elif when is not None and item.startswith(content):
            committed.setdefault(item.removeprefix(content), when)  # the newest comes first
    return History(prefix, MappingProxyType(committed))


def last_committed(page: Page, history: History) -> Page:
    """The page with its last commit as its `lastmod`, as Hugo's `:git` date comes first."""
    when = history.committed.get(page.target.as_posix())
    return page if when is None or when == page.lastmod else replace(page, lastmod=when)
