"""build(): the stages of a build, one per line, top to bottom."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TypeVar

from markdown_it import MarkdownIt

from coursepress.assets import (
    github_pages_files,
    plan_copies,
    settle_overlaps,
    skipped_warnings,
    stylesheets_under_base_path,
)
from coursepress.cache import MarkdownCache
from coursepress.config import CONFIG_FILE, Config, load_config
from coursepress.diagnostics import apply_settings
from coursepress.discover import SourceFile, check_site_folder, discover
from coursepress.errors import BuildFailed, Diagnostic, Severity, SiteError
from coursepress.frontmatter import Document, read_documents
from coursepress.highlight import stylesheet
from coursepress.markdown import RenderedMarkdown, create_parser
from coursepress.pages import MarkdownJob, Page, make_page, markdown_job
from coursepress.render import create_environment, render_site
from coursepress.select import Selection, Verdict, select
from coursepress.site import assemble
from coursepress.write import Written, check_output_folder, write_site

SYNTAX_CSS = "css/syntax.css"
T = TypeVar("T")


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
    jobs: int | None = None
    """Processes rendering Markdown; None: one per core."""
    cache: bool = True
    """Reuse rendered Markdown from `.coursepress-cache/` for pages that did not change."""


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
    stages: tuple[tuple[str, float], ...] = ()
    """Seconds per stage, in order."""


def build(options: BuildOptions) -> BuildReport:
    clock = Stopwatch()
    site_dir = options.site_dir
    warnings = check_site_folder(site_dir, CONFIG_FILE)
    config = load_config(site_dir, options.base_url)
    check_output_folder(options.output_dir, site_dir)
    sources = clock.lap("discover", discover(site_dir))
    documents = clock.lap("front matter", read_all(sources.pages, config))
    selection = select(
        documents, datetime.now(config.zone), drafts=options.drafts, future=options.future
    )
    warnings += skipped_warnings(sources.skipped)
    cache = MarkdownCache(site_dir) if options.cache else None
    pages = clock.lap("markdown", render_pages(selection, config, warnings, options.jobs, cache))
    site = clock.lap("collect", assemble(pages, config))
    texts = render_site(site, create_environment(site_dir, config), site_dir)
    texts = clock.lap("templates", texts | {SYNTAX_CSS: stylesheet(), **github_pages_files(config)})
    copies = plan_copies(sources, site, warnings)
    settle_overlaps(texts, copies, warnings)
    stylesheets_under_base_path(texts, copies, config)
    clock.lap("plan copies", copies)
    warnings = apply_settings(warnings, config)  # [check.severity] and `coursepress: ignore`
    fail_on_warnings(warnings, options.strict)
    written = clock.lap("write", write_site(texts, copies, options.output_dir, site_dir))
    return BuildReport(
        output_dir=options.output_dir,
        written=written,
        warnings=tuple(warnings),
        left_out=left_out(selection),
        seconds=clock.total(),
        config=config,
        stages=tuple(clock.laps),
    )


class Stopwatch:
    """Time per stage, for `build --profile`: `lap(name, value)` passes the value through."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str, value: T) -> T:
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.last = now
        return value

    def total(self) -> float:
        return time.perf_counter() - self.started


def read_all(sources: tuple[SourceFile, ...], config: Config) -> list[Document]:
    documents, errors = read_documents(sources, config.zone)
    if errors:
        raise BuildFailed(errors)
    return documents


PARALLEL_FROM = 64
"""Pages below which one process renders faster than starting a pool."""


def render_pages(
    selection: Selection,
    config: Config,
    warnings: list[Diagnostic],
    jobs: int | None = None,
    cache: MarkdownCache | None = None,
) -> list[Page]:
    # Only published documents are rendered: a draft costs nothing and cannot leak.
    md = create_parser()
    documents = selection.published
    tasks = [markdown_job(document, config) for document in documents]
    keys = [MarkdownCache.key(task) for task in tasks]
    found = [cache.get(key) if cache else None for key in keys]
    missing = [index for index, result in enumerate(found) if result is None]
    for index, result in zip(missing, _render([tasks[i] for i in missing], md, jobs), strict=True):
        found[index] = result
        if cache:
            cache.put(keys[index], result)
    return [
        make_page(document, md, config, warnings, result)
        for document, result in zip(documents, found, strict=True)
    ]


def _render(tasks: list[MarkdownJob], md: MarkdownIt, jobs: int | None) -> list[RenderedMarkdown]:
    workers = jobs or os.cpu_count() or 1
    if workers < 2 or len(tasks) < PARALLEL_FROM:
        return [task.run(md) for task in tasks]
    # Markdown and Pygments dominate a build: spread them over the cores. Results come back
    # in order, so the output is the same as from one process.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        return list(pool.map(_run_job, tasks, chunksize=max(1, len(tasks) // (workers * 8))))


_WORKER_PARSER: list[MarkdownIt] = []


def _start_worker() -> None:
    _WORKER_PARSER.append(create_parser())


def _run_job(job: MarkdownJob) -> RenderedMarkdown:
    return job.run(_WORKER_PARSER[0])


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
