"""Diagnostics as the site wants them: severities from site.toml's [check.severity], and
lines silenced with `coursepress: ignore`. Used by `check` and by `build`."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from coursepress.codes import CODES
from coursepress.config import Config
from coursepress.errors import Diagnostic, Severity

__all__ = ["CODES", "apply_settings"]


_IGNORE = re.compile(r"coursepress:\s*ignore(?:\[([\w, -]+)\])?")


ALWAYS_ERRORS = frozenset(
    {
        "reserved-url",
        "alias-collision",
        "unreadable",
        "name-too-long",
        "shortcode-error",
        "schedule",
        "release-date",
    }
)
"""A page at a URL coursepress makes (a list, a feed, a redirect) or an alias on a page, a
source that cannot be read, a name no file system stores, a site shortcode whose template
fails: neither [check.severity] nor
`coursepress: ignore` makes them less than an error. Two pages at one URL (`duplicate-url`)
are a warning that the settings may raise or lower: one of the two is published, as in
Hugo."""


def apply_settings(found: list[Diagnostic], config: Config) -> list[Diagnostic]:
    """Severities changed or turned off per site.toml, silenced lines dropped; sorted by place."""
    lines: dict[str, list[str]] = {}
    settled = []
    for diagnostic in found:
        if diagnostic.code in ALWAYS_ERRORS:
            settled.append(diagnostic)
            continue
        level = config.check.severity.get(diagnostic.code)
        if level == "off" or _silenced(diagnostic, lines):
            continue
        if level is not None:
            diagnostic = replace(diagnostic, severity=Severity(level))
        settled.append(diagnostic)
    return sorted(settled, key=lambda d: (str(d.path), d.line or 0, d.code))


def _silenced(diagnostic: Diagnostic, files: dict[str, list[str]]) -> bool:
    """`<!-- coursepress: ignore[code] -->` (or `# coursepress: ignore` in front matter) on the
    line, or alone on the line above it."""
    if diagnostic.path is None or not diagnostic.line:
        return False
    key = str(diagnostic.path)
    if key not in files:
        try:
            files[key] = Path(key).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            files[key] = []
    ignored = _ignored_at(files[key], diagnostic.line)
    return ignored is not None and (not ignored or diagnostic.code in ignored)


@lru_cache(maxsize=4096)  # a line with 10,000 findings is searched once, not 10,000 times
def _ignored_codes(line: str) -> frozenset[str] | None:
    """The codes a line silences (empty: all of them), or None."""
    match = _IGNORE.search(line)
    if match is None:
        return None
    return frozenset(re.split(r"[, ]+", match.group(1))) if match.group(1) else frozenset()


def _ignored_at(lines: list[str], number: int) -> frozenset[str] | None:
    """What is silenced at line `number`: by the line, or by a comment alone above it."""
    candidates = [lines[number - 1]] if number <= len(lines) else []
    above = lines[number - 2] if 1 < number <= len(lines) + 1 else ""
    if above.strip().startswith(("<!--", "#")):
        candidates.append(above)
    found = [codes for codes in map(_ignored_codes, candidates) if codes is not None]
    if not found:
        return None
    return frozenset() if any(not codes for codes in found) else frozenset().union(*found)
