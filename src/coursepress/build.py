"""build(): the stages of a build, one per line, top to bottom."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TypeVar

import jinja2
from markdown_it import MarkdownIt

from coursepress.assets import skipped_warnings, stylesheets_under_base_path
from coursepress.cache import BuildCache, KnownPage, WrittenFile, digest
from coursepress.config import CONFIG_FILE, Config, load_config
from coursepress.diagnostics import apply_settings
from coursepress.discover import SourceFile, Sources, check_site_folder, discover, shown_path
from coursepress.errors import BuildFailed, Diagnostic, Severity, SiteError
from coursepress.frontmatter import Document, read_documents
from coursepress.hugo import hugo_site_notes
from coursepress.lock import site_lock
from coursepress.markdown import RenderedMarkdown, create_parser
from coursepress.pages import (
    MarkdownJob,
    Page,
    content_urls,
    make_page,
    markdown_job,
    page_url,
)
from coursepress.parallel import map_over_cores
from coursepress.plan import Plan, plan_outputs
from coursepress.render import create_environment, render_site, templates_digest
from coursepress.select import Selection, Verdict, select
from coursepress.site import Site, assemble
from coursepress.spool import Sink, Spool
from coursepress.write import Written, check_output_folder, output_on_disk, write_site

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
    safe: bool = False
    """Sanitise raw HTML in posts, whatever site.toml says (`--safe`)."""
    private_output: bool = False
    """Nobody else writes to the output folder (serve's own), so it is not checked for
    changes before only the changed files are replaced."""


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A page that exists but does not publish, and why: nothing vanishes unannounced."""

    source: PurePosixPath
    verdict: Verdict
    date: datetime | None


@dataclass(frozen=True, slots=True)
class Rendered:
    pages: int
    """Pages whose Markdown was rendered."""
    pages_total: int
    files: int
    """Files rendered from templates."""
    files_total: int


@dataclass(frozen=True, slots=True)
class BuildReport:
    output_dir: Path
    written: Written
    warnings: tuple[Diagnostic, ...]
    left_out: tuple[LeftOut, ...]
    seconds: float
    config: Config
    rendered: Rendered | None = None
    """How much was rendered rather than taken from the cache; None without a cache."""
    stages: tuple[tuple[str, float, str], ...] = ()
    """Seconds per stage, in order, with a note (what the cache saved)."""


@dataclass(frozen=True, slots=True)
class Planned:
    """The site as it would publish, up to and including its output plan: what `build`
    renders and writes, and what `check` lints."""

    config: Config
    sources: Sources
    documents: tuple[Document, ...]
    selection: Selection
    site: Site
    plan: Plan
    diagnostics: tuple[Diagnostic, ...]
    """Everything found so far, settled by [check.severity] and `coursepress: ignore`."""


def build(
    options: BuildOptions,
    cache: BuildCache | None = None,
    on_wait: Callable[[], None] | None = None,
) -> BuildReport:
    """Build the site; `cache` is one kept open across builds (serve), else one is opened.
    Another build of the same site runs first: `on_wait` is told, and this one waits."""
    with site_lock(options.site_dir, on_wait):
        if cache is None and options.cache:
            with closing(BuildCache(options.site_dir)) as opened:
                return _build(options, opened)
        return _build(options, cache)


def _build(options: BuildOptions, cache: BuildCache | None) -> BuildReport:
    clock = Stopwatch()
    check_output_folder(options.output_dir, options.site_dir)
    planned = plan_site(options, cache, clock)
    fail_on(planned.diagnostics, options.strict)
    on_disk = output_on_disk(options.output_dir, cache, verify=not options.private_output)
    with Spool(options.output_dir) as spool:
        generated = render_outputs(planned, options, spool, _digests(on_disk), cache)
        generated = clock.lap("templates", generated, cache.tally("views") if cache else "")
        # A stylesheet put under the base path is generated now, not copied.
        copies = {k: v for k, v in planned.plan.copies().items() if k not in generated}
        written = write_site(
            generated, copies, spool, options.output_dir, options.site_dir, on_disk, cache
        )
        written = clock.lap("write", written)
    if cache:
        cache.finish()
    return BuildReport(
        output_dir=options.output_dir,
        written=written,
        warnings=planned.diagnostics,
        left_out=left_out(planned.selection),
        seconds=clock.total(),
        config=planned.config,
        rendered=_rendered(cache) if cache else None,
        stages=tuple(clock.laps),
    )


def render_outputs(
    planned: Planned,
    options: BuildOptions,
    spool: Sink,
    on_disk: Mapping[str, str],
    cache: BuildCache | None = None,
) -> dict[str, str]:
    """Every file the plan makes (templates, generated texts, stylesheets put under the base
    path) into `spool`: output path → digest. `on_disk`: what the output holds already."""
    site_dir, config, plan = options.site_dir, planned.config, planned.plan
    templates = templates_digest(site_dir)  # read once: keys the environment and the files
    environment = _environment(site_dir, config, cache, templates)
    views = plan.views()
    generated = render_site(
        planned.site, views, environment, site_dir, spool, on_disk, cache, options.jobs, templates
    )
    generated |= spool.put_texts(plan.texts())
    return generated | spool.put_texts(stylesheets_under_base_path(plan.copies(), config))


def plan_site(
    options: BuildOptions,
    cache: BuildCache | None = None,
    clock: Stopwatch | None = None,
    checking: bool = False,
) -> Planned:
    """The stages up to and including the output plan. `checking` (`coursepress check`)
    collects a broken file's error with everything else instead of stopping at it."""
    clock = clock or Stopwatch()
    site_dir = options.site_dir
    found = check_site_folder(site_dir, CONFIG_FILE)
    config = load_config(site_dir, options.base_url)
    config = replace(config, safe_html=True) if options.safe else config
    found += hugo_site_notes(site_dir, CONFIG_FILE)
    sources = clock.lap("discover", discover(site_dir, cache.walked if cache else None))
    if cache:
        cache.begin()
    known = cache.documents if cache else None
    documents, errors = read_documents(sources.pages, config.zone, known)
    _stop_or_note(errors, found, checking)
    documents = clock.lap("front matter", documents)
    now = datetime.now(config.zone)  # the build's one reading of the clock
    selection = select(documents, now, drafts=options.drafts, future=options.future)
    found += skipped_warnings(sources.skipped)
    pages = render_pages(selection, config, found, options.jobs, cache)
    pages = clock.lap("markdown", pages, cache.tally("markdown") if cache else "")
    site = clock.lap("collect", assemble(pages, config, now.date()))
    plan = plan_outputs(site, sources, str(shown_path(site_dir, CONFIG_FILE)))
    found += clock.lap("plan", plan.diagnostics)
    return Planned(
        config,
        sources,
        tuple(documents),
        selection,
        site,
        plan,
        tuple(apply_settings(found, config)),  # [check.severity] and `coursepress: ignore`
    )


def _stop_or_note(errors: list[SiteError], found: list[Diagnostic], checking: bool) -> None:
    if errors and not checking:
        raise BuildFailed(errors)
    found += [error.as_diagnostic() for error in errors]


class Stopwatch:
    """Time per stage, for `build --profile`: `lap(name, value)` passes the value through."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: list[tuple[str, float, str]] = []

    def lap(self, name: str, value: T, note: str = "") -> T:
        now = time.perf_counter()
        self.laps.append((name, now - self.last, note))
        self.last = now
        return value

    def total(self) -> float:
        return time.perf_counter() - self.started


def render_pages(
    selection: Selection,
    config: Config,
    warnings: list[Diagnostic],
    jobs: int | None = None,
    cache: BuildCache | None = None,
) -> list[Page]:
    # Only published documents are rendered: a draft costs nothing and cannot leak.
    md = create_parser()
    known = cache.pages if cache else {}
    same_config = _equal_to(config)
    documents = [d for d in selection.published if not _still_known(known, d, config, same_config)]
    if cache:
        cache.remembered("markdown", len(selection.published) - len(documents))
    urls = content_urls(selection.published, config) if _has_shortcodes(documents) else {}
    own_urls = [page_url(document, config) for document in documents]
    tasks = [
        markdown_job(document, config, urls, url)
        for document, url in zip(documents, own_urls, strict=True)
    ]
    # Every field of the job is in its key: one added later cannot be left out by mistake.
    keys = [digest(*(getattr(task, field.name) for field in fields(task))) for task in tasks]
    found = cache.markdown(keys) if cache else {}
    missing = [index for index, key in enumerate(keys) if key not in found]
    _JOBS[:] = [tasks[index] for index in missing]
    try:
        rendered = map_over_cores(_run_job, len(missing), jobs)
    finally:
        _JOBS.clear()
    fresh = {keys[index]: result for index, result in zip(missing, rendered, strict=True)}
    if cache:
        cache.put_markdown(fresh)
    found |= fresh
    for document, key, url in zip(documents, keys, own_urls, strict=True):
        noted: list[Diagnostic] = []
        page = make_page(document, md, config, noted, found[key], url)
        known[document.source] = KnownPage(document, config, page, tuple(noted))
    pages = []
    for document in selection.published:
        warnings.extend(known[document.source].warnings)
        pages.append(known[document.source].page)
    return pages


def _still_known(
    known: Mapping[SourceFile, KnownPage],
    document: Document,
    config: Config,
    same_config: Callable[[Config], bool],
) -> bool:
    """The page of this very document object (unchanged file) was made with this config; a
    page with shortcodes is made again, since the pages its `ref`s name may have moved."""
    entry = known.get(document.source)
    return (
        entry is not None
        and entry.document is document
        and same_config(entry.config)
        and "{{" not in document.body
    )


def _equal_to(config: Config) -> Callable[[Config], bool]:
    """`== config`, compared once per Config object: every page of the last build shares one,
    and comparing every field for each of a thousand pages costs a rebuild milliseconds."""
    seen: dict[int, bool] = {}

    def equal(other: Config) -> bool:
        if id(other) not in seen:
            seen[id(other)] = other is config or other == config
        return seen[id(other)]

    return equal


def _has_shortcodes(documents: list[Document]) -> bool:
    return any("{{" in document.body for document in documents)


# Set for the length of one map_over_cores call; workers inherit them by fork.
_JOBS: list[MarkdownJob] = []
_PARSER: list[MarkdownIt] = []


def _run_job(index: int) -> RenderedMarkdown:
    if not _PARSER:
        _PARSER.append(create_parser())
    return _JOBS[index].run(_PARSER[0])


def _digests(files: Mapping[str, WrittenFile]) -> dict[str, str]:
    return {name: file.digest for name, file in files.items()}


def _environment(
    site_dir: Path, config: Config, cache: BuildCache | None, templates: str
) -> jinja2.Environment:
    """The Jinja environment; serve's rebuilds keep it, compiled templates and all, while the
    templates (their digest) and the config are as they were."""
    if cache is None:
        return create_environment(site_dir, config)
    key = digest(templates, config)
    if key not in cache.environments:
        cache.environments.clear()
        cache.environments[key] = create_environment(site_dir, config)
    return cache.environments[key]


def _rendered(cache: BuildCache) -> Rendered:
    (pages_reused, pages), (files_reused, files) = cache.use("markdown"), cache.use("views")
    return Rendered(pages, pages + pages_reused, files, files + files_reused)


def fail_on(diagnostics: tuple[Diagnostic, ...], strict: bool) -> None:
    """Errors stop the build before anything is written; with `--strict`, warnings too."""
    fatal = (Severity.ERROR, Severity.WARNING) if strict else (Severity.ERROR,)
    serious = [d for d in diagnostics if d.severity in fatal]
    if serious:
        raise BuildFailed(
            [SiteError(w.message, path=w.path, line=w.line, hint=w.hint) for w in serious]
        )


def left_out(selection: Selection) -> tuple[LeftOut, ...]:
    return tuple(
        LeftOut(
            document.source.rel,
            verdict,
            document.meta.expirydate if verdict is Verdict.EXPIRED else document.meta.publishdate,
        )
        for document, verdict in selection.left_out
    )
