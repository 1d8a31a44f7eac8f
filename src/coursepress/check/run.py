"""`coursepress check`: every problem in the site, with its code, severity and place, without
writing anything. Drafts and future posts are checked too: they will publish one day."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from markdown_it import MarkdownIt

from coursepress.build import BuildOptions, Planned, plan_site, render_outputs
from coursepress.check.lint import THEME_IDS, SiteIndex, lint_page, page_ids
from coursepress.check.report import CheckReport
from coursepress.config import Config
from coursepress.content.markdown import as_rendered, create_parser
from coursepress.diagnostics import apply_settings
from coursepress.errors import Diagnostic, Severity, TemplateError
from coursepress.output.spool import Discard
from coursepress.output.write import unreadable_copy
from coursepress.site.pages import Lookups, Page, make_page, markdown_job
from coursepress.site.rendering import page_lookups
from coursepress.source.discover import SourceFile, SourceKind
from coursepress.source.frontmatter import Document
from coursepress.source.select import Selection, Verdict


def check_site(site_dir: Path, safe: bool = False) -> CheckReport:
    """Every diagnostic of the site; `safe` checks as `--safe` builds (raw HTML sanitised).
    The build's own stages make the site and its plan (nothing is written); links are
    checked against the site as it publishes, in the body as the build renders it."""
    options = BuildOptions(site_dir, site_dir / "public", cache=False, safe=safe)
    planned = plan_site(options, checking=True)
    config, site = planned.config, planned.site
    found = list(planned.diagnostics) + _byte_order_marks(planned.sources.pages)
    found += _unreadable_copies(planned.plan.copies().values())
    md = create_parser()
    lookups = page_lookups(planned.selection.published, config, planned.inputs)
    unpublished = _unpublished_pages(planned.selection, md, config, lookups, found)
    published = {page.source: page for page in site.every_page()}
    ids = {page.url: page_ids(str(page.content)) | THEME_IDS for page in site.pages}
    outputs = {page.output: str(page.source) for page in unpublished.values()}
    index = SiteIndex(planned.plan.paths, ids, config.base_path, outputs)
    for document in planned.documents:
        page = published.get(document.source.rel) or unpublished.get(document.source.rel)
        job = markdown_job(document, config, lookups)
        body = as_rendered(md, job.body, document.source.rel, document.body_line, job.site_codes)
        url = page.url if page else None
        found += lint_page(document, body, md, url, index, config.safe_html)
    found += _templates(planned, options)
    found += _publishing(planned.selection, config)
    found += _required_keys(planned.documents, config)
    settled = apply_settings(found, config)
    # Every file looked at: pages, files published as they are, and those left out (each
    # kind can be reported).
    sources = planned.sources
    checked = len(sources.pages) + len(sources.files) + len(sources.skipped)
    # Bibliographies outside content/ and static/ (the site's own `references.bib`) too.
    listed = {source.path for source in sources.files}
    checked += len([f for f in planned.inputs.references.files if f not in listed])
    return CheckReport(tuple(settled), checked)


def _templates(planned: Planned, options: BuildOptions) -> list[Diagnostic]:
    """Every file rendered as the build renders it, and kept nowhere: a template that fails
    on a page fails here too."""
    try:
        render_outputs(planned, options, Discard(), {})
    except TemplateError as error:
        return [error.as_diagnostic()]
    return []


def _unreadable_copies(copies: Iterable[SourceFile]) -> list[Diagnostic]:
    """The files the build copies and could not read (the build reads them only to copy)."""
    found = []
    for source in copies:
        try:
            with source.path.open("rb"):
                pass
        except OSError as error:
            found.append(unreadable_copy(source, error).as_diagnostic())
    return found


def _byte_order_marks(sources: tuple[SourceFile, ...]) -> list[Diagnostic]:
    found = []
    for source in sources:
        try:
            with source.path.open("rb") as handle:
                start = handle.read(3)
        except OSError:
            continue  # unreadable: reading its front matter said so
        if start == b"\xef\xbb\xbf":  # decoding drops it silently; say so here
            message = "the file starts with a byte-order mark (BOM)"
            hint = "save it as UTF-8 without BOM"
            found.append(Diagnostic(message, source.rel, 1, hint, "byte-order-mark"))
    return found


def _unpublished_pages(
    selection: Selection,
    md: MarkdownIt,
    config: Config,
    lookups: Lookups,
    found: list[Diagnostic],
) -> dict[PurePosixPath, Page]:
    """Drafts, future and expired pages, rendered as they will be once they publish."""
    pages: dict[PurePosixPath, Page] = {}
    for document, _ in selection.left_out:
        rendered = markdown_job(document, config, lookups).run(md)
        pages[document.source.rel] = make_page(document, md, config, found, rendered)
    return pages


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
