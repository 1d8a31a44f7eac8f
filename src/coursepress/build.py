"""build(): the stages of a build, one per line, top to bottom. What the cache remembers
and what runs on every core are layers around the stages (cache/layer.py, parallel.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TypeVar

from coursepress.cache.layer import Forgetful, Memory, Remembering, Rendered
from coursepress.config import CONFIG_FILE, Config, load_config
from coursepress.content.site_shortcodes import read_shortcodes
from coursepress.course.plan import read_course_plan
from coursepress.diagnostics import apply_settings
from coursepress.errors import (
    BuildFailed,
    Diagnostic,
    InterruptedAfterPublishing,
    Severity,
    SiteError,
    SourceChanged,
    shown_path,
)
from coursepress.hugo.config import hugo_site_notes
from coursepress.output.lock import site_lock
from coursepress.output.search import searched_pages
from coursepress.output.spool import Sink, Spool, put_changed
from coursepress.output.write import Written, WrittenFile, check_output_folder, write_site
from coursepress.site.assemble import Site, assemble
from coursepress.site.assets import skipped_warnings, stylesheets_under_base_path
from coursepress.site.pages import PageInputs
from coursepress.site.plan import Plan, plan_outputs
from coursepress.source.bibliography import read_references
from coursepress.source.data import read_data
from coursepress.source.discover import Sources, check_site_folder
from coursepress.source.frontmatter import Document
from coursepress.source.history import last_committed, read_history
from coursepress.source.release import release
from coursepress.source.select import Selection, Verdict, select

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
    inputs: PageInputs
    """What pages draw on besides their files: the site's shortcodes (which `check` renders
    as the build does), data/ and bibliographies."""
    diagnostics: tuple[Diagnostic, ...]
    """Everything found so far, settled by [check.severity] and `coursepress: ignore`."""


def build(
    options: BuildOptions,
    memory: Memory | None = None,
    on_wait: Callable[[], None] | None = None,
) -> BuildReport:
    """Build the site; `memory` is one kept across builds (serve), else the cache is opened
    (or, with `cache=False`, nothing is remembered). Another build of the same site runs
    first: `on_wait` is told, and this one waits."""
    with site_lock(options.site_dir, on_wait), _memory(options, memory) as remembered:
        return _build(options, remembered)


def _build(options: BuildOptions, memory: Memory) -> BuildReport:
    clock = Stopwatch()
    check_output_folder(options.output_dir, options.site_dir)
    planned = plan_site(options, memory, clock)
    check_output_folder(options.output_dir, options.site_dir, planned.config.published_roots)
    fail_on(planned.diagnostics, options.strict)
    on_disk = memory.on_disk(options.output_dir, verify=not options.private_output)
    spool = Spool(options.output_dir)
    # Pagefind runs in a process of its own while the templates render.
    indexing = memory.search(searched_pages(planned.site), planned.config.language)
    try:
        with spool:
            generated = render_outputs(planned, options, spool, on_disk, memory)
            generated = clock.lap("templates", generated, memory.tally("views"))
            search = indexing.finish()
            generated |= put_changed(search.files, spool, on_disk)
            generated = clock.lap("search", generated, search.note)
            # A stylesheet put under the base path is generated now, not copied.
            copies = {k: v for k, v in planned.plan.copies().items() if k not in generated}
            _stop_if_unsettled(memory)
            written = write_site(
                generated, copies, spool, options.output_dir, options.site_dir, on_disk
            )
            written = clock.lap("write", written)
        memory.wrote(options.output_dir, written.on_disk)
        memory.finish()
    except KeyboardInterrupt:
        if spool.published:
            raise InterruptedAfterPublishing from None
        raise
    finally:
        indexing.cancel()
    return BuildReport(
        output_dir=options.output_dir,
        written=written,
        warnings=planned.diagnostics + search.diagnostics,
        left_out=left_out(planned.selection),
        seconds=clock.total(),
        config=planned.config,
        rendered=memory.rendered(),
        stages=tuple(clock.laps),
    )


def plan_site(
    options: BuildOptions,
    memory: Memory | None = None,
    clock: Stopwatch | None = None,
    checking: bool = False,
) -> Planned:
    """The stages up to and including the output plan. `checking` (`coursepress check`)
    collects a broken file's error with everything else instead of stopping at it."""
    memory, clock = memory or Forgetful(), clock or Stopwatch()
    site_dir = options.site_dir
    found = check_site_folder(site_dir, CONFIG_FILE)
    config = load_config(site_dir, options.base_url)
    config = replace(config, safe_html=True) if options.safe else config
    found += hugo_site_notes(site_dir, CONFIG_FILE)
    memory.begin(config)
    sources = clock.lap("discover", memory.sources(site_dir, config.published_roots))
    documents, errors = memory.documents(sources.pages, config.zone)
    _stop_or_note(errors, found, checking)
    documents = clock.lap("front matter", documents)
    data, errors = read_data(site_dir)
    _stop_or_note(errors, found, checking)
    course, errors = read_course_plan(site_dir, config.zone, config.term_start)
    _stop_or_note(errors, found, checking)
    shortcodes, errors = read_shortcodes(site_dir, config.safe_html)
    _stop_or_note(errors, found, checking)
    references, errors = read_references(site_dir, config, documents)
    _stop_or_note(errors, found, checking)
    inputs = PageInputs(shortcodes, data, references)
    now = datetime.now(config.zone)  # the build's one reading of the clock
    selection = select(documents, now, drafts=options.drafts, future=options.future)
    selection, withheld, errors = release(selection, now, future=options.future)
    found += withheld
    _stop_or_note(errors, found, checking)
    found += skipped_warnings(sources.skipped)
    made = memory.pages(selection, config, options.jobs, inputs)
    made = clock.lap("markdown", made, memory.tally("markdown"))
    # A warning about a shared file (a bibliography's entry) comes from each page: said once.
    found += dict.fromkeys(warning for _, warnings in made for warning in warnings)
    history = read_history(site_dir)
    pages = [last_committed(page, history) for page, _ in made]
    site = assemble(pages, config, now.date(), data, course, history.folder)
    site = clock.lap("collect", site)
    plan = plan_outputs(site, sources, str(shown_path(site_dir, CONFIG_FILE)))
    found += clock.lap("plan", plan.diagnostics)
    return Planned(
        config,
        sources,
        tuple(documents),
        selection,
        site,
        plan,
        inputs,
        tuple(apply_settings(found, config)),  # [check.severity] and `coursepress: ignore`
    )


def render_outputs(
    planned: Planned,
    options: BuildOptions,
    spool: Sink,
    on_disk: dict[str, WrittenFile],
    memory: Memory | None = None,
) -> dict[str, str]:
    """Every file the plan makes (templates, generated texts, stylesheets put under the base
    path) into `spool`: output path → digest. `on_disk`: what the output holds already."""
    memory = memory or Forgetful()
    site_dir, config, plan = options.site_dir, planned.config, planned.plan
    views = plan.views()
    generated = memory.views(
        planned.site,
        views,
        lambda: memory.environment(site_dir, config),
        site_dir,
        spool,
        on_disk,
        options.jobs,
    )
    generated |= spool.put_texts(plan.texts())
    generated |= put_changed(plan.files(), spool, on_disk)
    return generated | spool.put_texts(stylesheets_under_base_path(plan.copies(), config))


@contextmanager
def _memory(options: BuildOptions, memory: Memory | None) -> Iterator[Memory]:
    if memory is not None:
        yield memory
    elif not options.cache:
        yield Forgetful()
    else:
        opened = Remembering(options.site_dir)
        try:
            yield opened
        finally:
            opened.close()


def _stop_if_unsettled(memory: Memory) -> None:
    """Nothing is published from a page that changed while it was read and built: it may have
    been read half-saved."""
    changed = memory.unsettled()
    if changed:
        raise BuildFailed(
            [
                SourceChanged(
                    "this file changed while the site was being built from it",
                    path=source.rel,
                    hint="build again once it is saved (serve does so by itself)",
                )
                for source in changed
            ]
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
