"""Diagnostics as the site wants them: severities from site.toml's [check.severity], and
lines silenced with `coursepress: ignore`. Used by `check` and by `build`."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from coursepress.codes import CODES
from coursepress.config import Config
from coursepress.errors import Diagnostic, Severity

__all__ = ["CODES", "apply_settings"]


_IGNORE = re.compile(r"coursepress:\s*ignore(?:\[([\w, -]+)\])?")


ALWAYS_ERRORS = frozenset({"duplicate-url", "alias-collision"})
"""Two outputs at one URL: one of them is not published, so neither [check.severity] nor
`coursepress: ignore` makes it less than an error (a page never vanishes quietly)."""


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


def _silenced(diagnostic: Diagnostic, cache: dict[str, list[str]]) -> bool:
    """`<!-- coursepress: ignore[code] -->` (or `# coursepress: ignore` in front matter) on the
    line, or alone on the line above it."""
    if diagnostic.path is None or not diagnostic.line:
        return False
    key = str(diagnostic.path)
    if key not in cache:
        try:
            cache[key] = Path(key).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            cache[key] = []
    lines, number = cache[key], diagnostic.line
    candidates = [lines[number - 1]] if number <= len(lines) else []
    above = lines[number - 2] if 1 < number <= len(lines) + 1 else ""
    if above.strip().startswith(("<!--", "#")):
        candidates.append(above)
    for line in candidates:
        match = _IGNORE.search(line)
        codes = re.split(r"[, ]+", match.group(1)) if match and match.group(1) else None
        if match and (codes is None or diagnostic.code in codes):
            return True
    return False
