"""How `coursepress check` reports: the report, and its text, JSON and GitHub formats."""

from __future__ import annotations

import json
from dataclasses import dataclass

from coursepress.errors import Diagnostic, Severity, count_of

FORMATS = ("text", "json", "github")


@dataclass(frozen=True, slots=True)
class CheckReport:
    diagnostics: tuple[Diagnostic, ...]
    files_checked: int

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def failed(self, strict: bool) -> bool:
        if self.count(Severity.ERROR):
            return True
        return strict and bool(self.count(Severity.WARNING))


def format_text(report: CheckReport) -> str:
    lines: list[str] = []
    current = None
    for d in report.diagnostics:
        if d.path != current:
            current = d.path
            lines.append(f"{d.path}" if lines == [] else f"\n{d.path}")
        where = f"{d.line}:{d.column}" if d.column else f"{d.line or ''}"
        lines.append(f"  {where:<7} {d.severity.value:<7} {d.code:<20} {d.message}")
        if d.hint:
            lines.append(f"  {'':<7} {'':<7} {'':<20} hint: {d.hint}")
    errors, warnings, infos = (report.count(s) for s in Severity)
    files = len({d.path for d in report.diagnostics})
    summary = (
        f"{count_of(errors, 'error')}, {count_of(warnings, 'warning')}, {count_of(infos, 'note')} "
        f"in {files} of {count_of(report.files_checked, 'file')}"
    )
    if not report.diagnostics:
        return f"No problems in {report.files_checked} files."
    return "\n".join([*lines, "", summary])


def format_json(report: CheckReport) -> str:
    return json.dumps(
        {
            "version": 1,
            "diagnostics": [
                {
                    "code": d.code,
                    "severity": d.severity.value,
                    "path": str(d.path),
                    "line": d.line,
                    "column": d.column,
                    "message": d.message,
                    "hint": d.hint,
                }
                for d in report.diagnostics
            ],
            "summary": {
                "errors": report.count(Severity.ERROR),
                "warnings": report.count(Severity.WARNING),
                "notes": report.count(Severity.INFO),
                "files_checked": report.files_checked,
            },
        },
        indent=2,
    )


def format_github(report: CheckReport) -> str:
    """Workflow commands: each diagnostic shows on the pull request's diff at its line."""
    kinds = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for d in report.diagnostics:
        props = [f"file={_escape(str(d.path), True)}"]
        if d.line:
            props.append(f"line={d.line}")
        if d.column:
            props.append(f"col={d.column}")
        props.append(f"title={_escape(d.code, True)}")
        text = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        lines.append(f"::{kinds[d.severity]} {','.join(props)}::{_escape(text, False)}")
    return "\n".join(lines)


def _escape(text: str, property_value: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text
