"""`coursepress check`: every problem in the site, with its code, severity and place, without
writing anything. Drafts and future posts are checked too: they will publish one day."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from markdown_it import MarkdownIt

from coursepress.build import BuildOptions, Planned, plan_site, render_outputs
from coursepress.config import Config
from coursepress.diagnostics import apply_settings
from coursepress.discover import SourceFile, SourceKind
from coursepress.errors import Diagnostic, Severity, TemplateError, count_of
from coursepress.frontmatter import Document
from coursepress.lint import THEME_IDS, SiteIndex, lint_page, page_ids
from coursepress.markdown import create_parser
from coursepress.pages import Page, content_urls, make_page, markdown_job
from coursepress.select import Selection, Verdict
from coursepress.site import Site
from coursepress.spool import Discard

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


def check_site(site_dir: Path, safe: bool = False) -> CheckReport:
    """Every diagnostic of the site; `safe` checks as `--safe` builds (raw HTML sanitised).
    The build's own stages make the site and its plan (nothing is written); links are
    checked against the site as it publishes, in the body as the build renders it."""
    options = BuildOptions(site_dir, site_dir / "public", cache=False, safe=safe)
    planned = plan_site(options, checking=True)
    config, site = planned.config, planned.site
    found = list(planned.diagnostics) + _byte_order_marks(planned.sources.pages)
    md = create_parser()
    urls = content_urls(planned.selection.published, config)  # for Hugo's `ref` shortcodes
    unpublished = _unpublished_pages(planned.selection, md, config, urls, found)
    published = {page.source: page for page in site.pages}
    published |= {page.source: page for page in _indexes(site)}
    ids = {page.url: page_ids(str(page.content)) | THEME_IDS for page in site.pages}
    outputs = {page.output: str(page.source) for page in unpublished.values()}
    index = SiteIndex(planned.plan.paths, ids, config.base_path, outputs)
    for document in planned.documents:
        page = published.get(document.source.rel) or unpublished.get(document.source.rel)
        body = markdown_job(document, config, urls).body  # as the build renders it
        found += lint_page(document, body, md, page.url if page else None, index)
    found += _templates(planned, options)
    found += _publishing(planned.selection, config)
    found += _required_keys(planned.documents, config)
    settled = apply_settings(found, config)
    return CheckReport(tuple(settled), len(planned.sources.pages))


def _templates(planned: Planned, options: BuildOptions) -> list[Diagnostic]:
    """Every file rendered as the build renders it, and kept nowhere: a template that fails
    on a page fails here too."""
    try:
        render_outputs(planned, options, Discard(), {})
    except TemplateError as error:
        return [error.as_diagnostic()]
    return []


def _byte_order_marks(sources: tuple[SourceFile, ...]) -> list[Diagnostic]:
    found = []
    for source in sources:
        with source.path.open("rb") as handle:
            if handle.read(3) == b"\xef\xbb\xbf":  # decoding drops it silently; say so here
                message = "the file starts with a byte-order mark (BOM)"
                hint = "save it as UTF-8 without BOM"
                found.append(Diagnostic(message, source.rel, 1, hint, "byte-order-mark"))
    return found


def _unpublished_pages(
    selection: Selection,
    md: MarkdownIt,
    config: Config,
    urls: Mapping[str, str],
    found: list[Diagnostic],
) -> dict[PurePosixPath, Page]:
    """Drafts, future and expired pages, rendered as they will be once they publish."""
    pages: dict[PurePosixPath, Page] = {}
    for document, _ in selection.left_out:
        rendered = markdown_job(document, config, urls).run(md)
        pages[document.source.rel] = make_page(document, md, config, found, rendered)
    return pages


def _indexes(site: Site) -> list[Page]:
    indexes = [section.index for section in site.sections if section.index]
    return [page for page in (site.home, *indexes) if page is not None]


def _publishing(selection: Selection, config: Config) -> list[Diagnostic]:
    found = []
    for document, why in selection.left_out:
        meta, rel = document.meta, document.source.rel
        if why is Verdict.DRAFT:
            found.append(
                Diagnostic(
                    "will not publish: it is a draft",
                    rel,
                    document.line_of("draft"),
                    "set draft = false when it is ready",
                    "draft",
                    Severity.INFO,
                )
            )
        elif why is Verdict.FUTURE and meta.publishdate is not None:
            day = meta.publishdate.strftime("%Y-%m-%d %H:%M")
            message = f"will not publish until {day} {config.timezone}"
            written = "publishdate" if "publishdate" in document.key_lines else "date"
            line = document.line_of(written)
            found.append(Diagnostic(message, rel, line, None, "future", Severity.INFO))
        elif why is Verdict.EXPIRED:
            message, line = (
                "will not publish: its expirydate has passed",
                document.line_of("expirydate"),
            )
            found.append(Diagnostic(message, rel, line, None, "expired", Severity.INFO))
    return found


def _required_keys(documents: tuple[Document, ...], config: Config) -> list[Diagnostic]:
    found = []
    for document in documents:
        if document.source.kind is not SourceKind.PAGE:
            continue  # a section's _index.md is not a post
        required = config.check.required.get(document.source.section, ())
        present = {key.lower() for key in document.key_lines} | set(document.meta.params)
        for key in required:
            if key not in present and not getattr(document.meta, key, None):
                message = f"'{key}' is required in section '{document.source.section}'"
                hint = f"add {key} = ... to the front matter ([check.required] in site.toml)"
                found.append(
                    Diagnostic(
                        message, document.source.rel, 1, hint, "required-key", Severity.ERROR
                    )
                )
    return found


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
