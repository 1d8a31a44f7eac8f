"""build(): the stages of a build, one per line, top to bottom."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from coursepress.assets import (
    github_pages_files,
    plan_copies,
    settle_overlaps,
    skipped_warnings,
    stylesheets_under_base_path,
)
from coursepress.config import CONFIG_FILE, Config, load_config
from coursepress.diagnostics import apply_settings
from coursepress.discover import SourceFile, check_site_folder, discover
from coursepress.errors import BuildFailed, Diagnostic, Severity, SiteError
from coursepress.frontmatter import Document, read_documents
from coursepress.highlight import stylesheet
from coursepress.markdown import create_parser
from coursepress.pages import Page, make_page
from coursepress.render import create_environment, render_site
from coursepress.select import Selection, Verdict, select
from coursepress.site import assemble
from coursepress.write import Written, check_output_folder, write_site

SYNTAX_CSS = "css/syntax.css"


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    """Overrides `base_url` from site.toml (the Pages workflow passes the real one)."""
    strict: bool = False
    """Warnings fail the build, before anything is written."""


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A page that exists but does not publish, and why: nothing vanishes unannounced."""

    source: PurePosixPath
    verdict: Verdict
    date: datetime | None


@dataclass(frozen=True, slots=True)
class BuildReport:
    output_dir: Path
    written: Written
    warnings: tuple[Diagnostic, ...]
    left_out: tuple[LeftOut, ...]
    seconds: float
    config: Config


def build(options: BuildOptions) -> BuildReport:
    started = time.perf_counter()
    site_dir = options.site_dir
    warnings = check_site_folder(site_dir, CONFIG_FILE)
    config = load_config(site_dir, options.base_url)
    check_output_folder(options.output_dir, site_dir)
    sources = discover(site_dir)
    documents = read_all(sources.pages, config)
    selection = select(
        documents, datetime.now(config.zone), drafts=options.drafts, future=options.future
    )
    warnings += skipped_warnings(sources.skipped)
    site = assemble(render_pages(selection, config, warnings), config)
    texts = render_site(site, create_environment(site_dir, config), site_dir)
    texts |= {SYNTAX_CSS: stylesheet(), **github_pages_files(config)}
    copies = plan_copies(sources, site, warnings)
    settle_overlaps(texts, copies, warnings)
    stylesheets_under_base_path(texts, copies, config)
    warnings = apply_settings(warnings, config)  # [check.severity] and `coursepress: ignore`
    fail_on_warnings(warnings, options.strict)
    written = write_site(texts, copies, options.output_dir, site_dir)
    return BuildReport(
        output_dir=options.output_dir,
        written=written,
        warnings=tuple(warnings),
        left_out=left_out(selection),
        seconds=time.perf_counter() - started,
        config=config,
    )


def read_all(sources: tuple[SourceFile, ...], config: Config) -> list[Document]:
    documents, errors = read_documents(sources, config.zone)
    if errors:
        raise BuildFailed(errors)
    return documents


def render_pages(selection: Selection, config: Config, warnings: list[Diagnostic]) -> list[Page]:
    # Only published documents are rendered: a draft costs nothing and cannot leak.
    md = create_parser()
    return [make_page(document, md, config, warnings) for document in selection.published]


def fail_on_warnings(warnings: list[Diagnostic], strict: bool) -> None:
    serious = [w for w in warnings if w.severity is not Severity.INFO]
    if strict and serious:
        raise BuildFailed(
            [SiteError(w.message, path=w.path, line=w.line, hint=w.hint) for w in serious]
        )


def left_out(selection: Selection) -> tuple[LeftOut, ...]:
    return tuple(
        LeftOut(
            document.source.rel,
            verdict,
            document.meta.expirydate if verdict is Verdict.EXPIRED else document.meta.date,
        )
        for document, verdict in selection.left_out
    )
