"""Remembering stage results, as a layer around the plain stages: `build()` asks its memory
for what a stage gives, and the memory either runs the stage (`Forgetful`, for `--no-cache`
and `check`) or runs it only on what it does not remember (`Remembering`: the SQLite cache in
user's cache folder, and for `serve` what the last rebuild held in memory). The stages
themselves take no cache and keep no state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, tzinfo
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from coursepress.cache.store import BuildCache, digest
from coursepress.config import Config
from coursepress.errors import SiteError
from coursepress.output.search import (
    SearchIndex,
    Shard,
    ShardRuns,
    index_key,
    merged,
    shards,
    unfinished_search,
)
from coursepress.output.spool import Sink
from coursepress.output.write import WrittenFile, holds_exactly
from coursepress.site.assemble import Site
from coursepress.site.pages import BODY_PARTS, Page, PageInputs
from coursepress.site.rendering import Made, markdown_jobs, pages_from, render_pages, run_markdown
from coursepress.site.views import View
from coursepress.source.discover import (
    DEFAULT_ROOTS,
    TEMPLATES_DIR,
    Roots,
    SourceFile,
    SourceKind,
    Sources,
    Walked,
    walk,
)
from coursepress.source.frontmatter import Document, Stamps, read_documents
from coursepress.source.select import Selection
from coursepress.source.templates import THEME_DIR, site_templates

if TYPE_CHECKING:
    import jinja2

Templates = Callable[[], "jinja2.Environment"]
"""The templates' environment, made when a file must be rendered: a build that takes every
file from the cache loads no Jinja."""


@dataclass(frozen=True, slots=True)
class Rendered:
    pages: int
    """Pages whose Markdown was rendered."""
    pages_total: int
    files: int
    """Files rendered from templates."""
    files_total: int


class Memory(Protocol):
    """What `build()` asks for, stage by stage."""

    def begin(self, config: Config) -> None: ...
    def sources(self, site_dir: Path, roots: Roots) -> Sources: ...
    def documents(
        self, sources: Sequence[SourceFile], zone: tzinfo
    ) -> tuple[list[Document], list[SiteError]]: ...
    def pages(
        self,
        selection: Selection,
        config: Config,
        jobs: int | None,
        inputs: PageInputs,
    ) -> list[Made]: ...
    def environment(self, site_dir: Path, config: Config) -> jinja2.Environment: ...
    def views(
        self,
        site: Site,
        views: Sequence[View],
        environment: Templates,
        site_dir: Path,
        spool: Sink,
        on_disk: Mapping[str, WrittenFile],
        jobs: int | None,
    ) -> dict[str, str]: ...
    def search(self, pages: Sequence[Page], language: str) -> Indexing: ...
    def on_disk(self, output_dir: Path, verify: bool) -> dict[str, WrittenFile]: ...
    def wrote(self, output_dir: Path, files: Mapping[str, WrittenFile]) -> None: ...
    def finish(self) -> None: ...
    def unsettled(self) -> list[SourceFile]: ...
    def tally(self, stage: str) -> str: ...
    def rendered(self) -> Rendered | None: ...


class Indexing(Protocol):
    """The search index on its way: `finish()` gives it, `cancel()` stops the work."""

    def finish(self) -> SearchIndex: ...
    def cancel(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Indexed:
    """An index remembered: nothing to wait for."""

    index: SearchIndex

    def finish(self) -> SearchIndex:
        return self.index

    def cancel(self) -> None:
        pass


class Forgetful:
    """Every stage run on everything: nothing is read from or kept for another build."""

    def __init__(self) -> None:
        self._read = Stamps((), UTC)

    def begin(self, config: Config) -> None:
        pass

    def sources(self, site_dir: Path, roots: Roots) -> Sources:
        return walk(site_dir, roots).sources

    def documents(
        self, sources: Sequence[SourceFile], zone: tzinfo
    ) -> tuple[list[Document], list[SiteError]]:
        self._read = Stamps(sources, zone)
        return read_documents(sources, zone)

    def unsettled(self) -> list[SourceFile]:
        return self._read.changed()

    def pages(
        self,
        selection: Selection,
        config: Config,
        jobs: int | None,
        inputs: PageInputs,
    ) -> list[Made]:
        published = selection.published
        return render_pages(published, published, config, jobs, inputs)

    def environment(self, site_dir: Path, config: Config) -> jinja2.Environment:
        from coursepress.output.render import create_environment

        return create_environment(site_dir, config)

    def views(
        self,
        site: Site,
        views: Sequence[View],
        environment: Templates,
        site_dir: Path,
        spool: Sink,
        on_disk: Mapping[str, WrittenFile],
        jobs: int | None,
    ) -> dict[str, str]:
        from coursepress.output.render import render_views

        rendered = render_views(site, views, environment(), site_dir, spool, jobs)
        return {view.output: result.digest for view, result in zip(views, rendered, strict=True)}

    def search(self, pages: Sequence[Page], language: str) -> Indexing:
        if not pages:
            return Indexed(SearchIndex({}))
        parts = shards(pages)
        return _Merging(ShardRuns(parts, language), _SearchPlan.of(parts, language, lambda _: None))

    def on_disk(self, output_dir: Path, verify: bool) -> dict[str, WrittenFile]:
        return {}

    def wrote(self, output_dir: Path, files: Mapping[str, WrittenFile]) -> None:
        pass

    def finish(self) -> None:
        pass

    def tally(self, stage: str) -> str:
        return ""

    def rendered(self) -> Rendered | None:
        return None


@dataclass(frozen=True, slots=True)
class KnownPage:
    """A page as the last build made it, and from what."""

    document: Document
    config: Config
    made: Made


class Remembering:
    """The SQLite cache, and what the last build in this process held (serve's rebuilds):
    each stage runs only on what changed since."""

    def __init__(self, site_dir: Path, search_in_background: bool = False) -> None:
        self.store = BuildCache(site_dir)
        self.search_in_background = search_in_background
        """serve's: a rebuild publishes its pages with the last search index while the new
        one is made; `search_ready()` says when to rebuild again to publish it."""
        self._pending: tuple[_SearchPlan, ShardRuns] | None = None
        self._wanted: _SearchPlan | None = None
        self._bundles: dict[str, Mapping[str, bytes]] = {}
        """Each shard of the last index by its key: serve's rebuilds ask no cache for them."""
        self._walked: Walked | None = None
        self._documents: dict[SourceFile, tuple[object, Document]] = {}
        self._pages: dict[SourceFile, KnownPage] = {}
        self._environments: dict[str, jinja2.Environment] = {}
        self._templates = ""
        self._read = Stamps((), UTC)
        self._search: tuple[str, SearchIndex] | None = None

    def close(self) -> None:
        if self._pending:
            self._pending[1].cancel()
        self.store.close()

    def begin(self, config: Config) -> None:
        self.store.locate(config.cache_dir)
        self.store.begin()

    def sources(self, site_dir: Path, roots: Roots = DEFAULT_ROOTS) -> Sources:
        if self._walked is None or not self._walked.still_holds(roots):
            self._walked = walk(site_dir, roots)
        return self._walked.sources

    def documents(
        self, sources: Sequence[SourceFile], zone: tzinfo
    ) -> tuple[list[Document], list[SiteError]]:
        """A file whose size and modification time are as they were is not read again."""
        self._read = Stamps(sources, zone)
        stamps = self._read.stamps
        stale = [
            source
            for source, stamp in stamps.items()
            if stamp is None or self._documents.get(source, (None,))[0] != stamp
        ]
        for source in stale:  # a file that now fails is not answered by an older reading
            self._documents.pop(source, None)
        fresh, errors = read_documents(stale, zone)
        for document in fresh:
            self._documents[document.source] = (stamps[document.source], document)
        return [self._documents[s][1] for s in sources if s in self._documents], errors

    def pages(
        self,
        selection: Selection,
        config: Config,
        jobs: int | None,
        inputs: PageInputs,
    ) -> list[Made]:
        """A page of the very same document (an unchanged file), made with this config, is
        kept; the others' Markdown comes from the cache when it rendered the same job."""
        published = selection.published
        same_config = _equal_to(config)
        cites = inputs.references.libraries
        todo = [d for d in published if not self._still_known(d, same_config, cites)]
        self.store.remembered("markdown", len(published) - len(todo))
        tasks = markdown_jobs(todo, published, config, inputs)
        # Every field of the job is in its key: one added later cannot be left out by mistake.
        keys = [digest(*(getattr(task, f.name) for f in fields(task))) for task in tasks]
        found = self.store.markdown(keys)
        missing = [index for index, key in enumerate(keys) if key not in found]
        fresh = run_markdown([tasks[index] for index in missing], jobs)
        self.store.put_markdown(dict(zip([keys[i] for i in missing], fresh, strict=True)))
        found |= zip([keys[i] for i in missing], fresh, strict=True)
        made = pages_from(todo, tasks, [found[key] for key in keys], config)
        for document, item in zip(todo, made, strict=True):
            self._pages[document.source] = KnownPage(document, config, item)
        return [self._pages[document.source].made for document in published]

    def _still_known(
        self, document: Document, same_config: _SameConfig, cites: Mapping[PurePosixPath, object]
    ) -> bool:
        """A page with shortcodes is made again (the pages its `ref`s name may have moved),
        and so is one with a bibliography (which may have changed): their jobs say whether
        the cache holds them."""
        entry = self._pages.get(document.source)
        return (
            entry is not None
            and entry.document is document
            and same_config(entry.config)
            and "{{" not in document.body
            and document.source.rel not in cites
        )

    def environment(self, site_dir: Path, config: Config) -> jinja2.Environment:
        """Serve's rebuilds keep the environment, compiled templates and all, while the
        templates (as `views` read them) and the config are as they were."""
        from coursepress.output.render import create_environment

        key = digest(self._templates, config)
        if key not in self._environments:
            self._environments = {key: create_environment(site_dir, config)}
        return self._environments[key]

    def views(
        self,
        site: Site,
        views: Sequence[View],
        environment: Templates,
        site_dir: Path,
        spool: Sink,
        on_disk: Mapping[str, WrittenFile],
        jobs: int | None,
    ) -> dict[str, str]:
        """A file comes from the cache when the templates, the config, today's date and every
        page's metadata are as they were, and so is the body of each page it read. Files
        from the cache that the output folder does not hold as they are go to the spool."""
        self._templates = templates_digest(site_dir)  # read once: keys the environment too
        shared = _shared_digest(site, self._templates)
        keys = [digest(shared, view.output, view.templates, view.page_url) for view in views]
        pages = {str(page.source): page for page in site.every_page()}
        found = self.store.views(keys)
        found = {key: view for key, view in found.items() if _reads_hold(view.reads, pages)}
        for view, key in zip(views, keys, strict=True):
            entry = found.get(key)
            held = on_disk.get(view.output)
            if entry and (held is None or held.digest != entry.digest):
                data = self.store.view_bytes(key)
                if data is None:  # damaged since it was stored: rendered again
                    del found[key]
                else:
                    spool.put(view.output, data)
        missing = [index for index, key in enumerate(keys) if key not in found]
        rendered = []
        if missing:
            from coursepress.output.render import render_views

            rendered = render_views(
                site, [views[i] for i in missing], environment(), site_dir, spool, jobs
            )
        fresh = dict(zip([keys[i] for i in missing], rendered, strict=True))
        outputs = {key: view.output for view, key in zip(views, keys, strict=True)}
        self.store.put_views({key: (view, spool.path(outputs[key])) for key, view in fresh.items()})
        found |= fresh
        return {view.output: found[key].digest for view, key in zip(views, keys, strict=True)}

    def search(self, pages: Sequence[Page], language: str) -> Indexing:
        """The shards of the very same pages are not indexed again."""
        if not pages:
            return Indexed(SearchIndex({}))
        plan = _SearchPlan.of(shards(pages), language, self._remembered_bundle)
        if not plan.missing:
            return Indexed(self.keep_search(plan, {}))
        if self.search_in_background and self._search is not None:
            # Pagefind takes seconds on a large site: a preview does not wait for it. It starts
            # on the watcher's next quiet tick (`search_ready`), not during a burst of saves.
            self._wanted = plan
            return Indexed(self._search[1])
        return _Merging(ShardRuns(plan.missing, language), plan, self)

    def _remembered_bundle(self, key: str) -> Mapping[str, bytes] | None:
        return self._bundles[key] if key in self._bundles else self.store.search(key)

    def search_ready(self) -> bool:
        """Called when the site has been quiet for a moment: starts the index wanted by the
        last build, if any; True once an index made so is done and kept, for the next build
        to publish."""
        if self._wanted and (self._pending is None or self._pending[0].key != self._wanted.key):
            if self._pending:
                self._pending[1].cancel()
            plan = self._wanted
            self._pending = (plan, ShardRuns(plan.missing, plan.language, gently=True))
            self._wanted = None
            return False
        if self._pending is None or not self._pending[1].done():
            return False
        (plan, runs), self._pending = self._pending, None
        # A failed run keeps the last index; the next change retries.
        return not self.keep_search(plan, runs.finish()).diagnostics

    def keep_search(self, plan: _SearchPlan, fresh: Mapping[str, SearchIndex]) -> SearchIndex:
        """The whole index, from the shards remembered and those just made; kept unless a
        shard failed. Only the shards of this index stay in the cache."""
        index = plan.whole(fresh)
        if index.diagnostics:
            return index
        for shard in plan.missing:
            key = plan.keys[shard.folder]
            self.store.put_search(key, fresh[shard.folder].files, keep=plan.keys.values())
        self._bundles = {plan.keys[folder]: files for folder, files in plan.bundles(fresh).items()}
        self._search = (plan.key, index)
        return index

    def on_disk(self, output_dir: Path, verify: bool) -> dict[str, WrittenFile]:
        """What the output folder holds, when it holds exactly what the last build wrote
        there (`verify=False` trusts a folder nobody else writes to): only then can its files
        be replaced one by one. Else nothing: the whole site is written anew."""
        previous = self.store.written(output_dir)
        if previous and (holds_exactly(output_dir, previous) if verify else output_dir.is_dir()):
            return previous
        return {}

    def wrote(self, output_dir: Path, files: Mapping[str, WrittenFile]) -> None:
        self.store.put_written(output_dir, files)

    def finish(self) -> None:
        self.store.finish()

    def unsettled(self) -> list[SourceFile]:
        return self._read.changed()

    def tally(self, stage: str) -> str:
        return self.store.tally(stage)

    def rendered(self) -> Rendered:
        (pages_reused, pages), (files_reused, files) = (
            self.store.use("markdown"),
            self.store.use("views"),
        )
        return Rendered(pages, pages + pages_reused, files, files + files_reused)


@dataclass(frozen=True, slots=True)
class _SearchPlan:
    """The index a build wants: its shards, each one's key, and those remembered."""

    key: str
    """Of the whole index."""
    parts: tuple[Shard, ...]
    keys: Mapping[str, str]
    """Shard folder → its key."""
    known: Mapping[str, Mapping[str, bytes]]
    """Shard folder → its bundle, for the shards remembered."""
    language: str

    @staticmethod
    def of(
        parts: tuple[Shard, ...],
        language: str,
        remembered: Callable[[str], Mapping[str, bytes] | None],
    ) -> _SearchPlan:
        keys = {
            shard.folder: digest("search", index_key(shard.pages, language), shard.folder)
            for shard in parts
        }
        known = {
            folder: files for folder, key in keys.items() if (files := remembered(key)) is not None
        }
        return _SearchPlan(digest(sorted(keys.values())), parts, keys, known, language)

    @property
    def missing(self) -> tuple[Shard, ...]:
        return tuple(shard for shard in self.parts if shard.folder not in self.known)

    def bundles(self, fresh: Mapping[str, SearchIndex]) -> dict[str, Mapping[str, bytes]]:
        """Shard folder → bundle, of those remembered and `fresh` (folder → index)."""
        return {**self.known, **{folder: index.files for folder, index in fresh.items()}}

    def whole(self, fresh: Mapping[str, SearchIndex]) -> SearchIndex:
        """The index from the shards remembered and `fresh` (folder → index), or the first
        failure among those."""
        for index in fresh.values():
            if index.diagnostics:
                return index
        bundles = self.bundles(fresh)
        if any(shard.folder not in bundles for shard in self.parts):  # stopped part way
            return SearchIndex({}, (unfinished_search(),))
        return merged(self.parts, bundles, indexed=len(fresh))


@dataclass(frozen=True, slots=True)
class _Merging:
    """The shards being indexed; once done, the whole index, kept by `memory` if it is made
    whole (one that failed is not)."""

    runs: ShardRuns
    plan: _SearchPlan
    memory: Remembering | None = None

    def finish(self) -> SearchIndex:
        fresh = self.runs.finish()
        return self.memory.keep_search(self.plan, fresh) if self.memory else self.plan.whole(fresh)

    def cancel(self) -> None:
        self.runs.cancel()


class _SameConfig(Protocol):
    def __call__(self, other: Config) -> bool: ...


def _equal_to(config: Config) -> _SameConfig:
    """`== config`, compared once per Config object: every page of the last build shares one,
    and comparing every field for each of a thousand pages costs a rebuild milliseconds."""
    seen: dict[int, bool] = {}

    def equal(other: Config) -> bool:
        if id(other) not in seen:
            seen[id(other)] = other is config or other == config
        return seen[id(other)]

    return equal


def _reads_hold(reads: Mapping[str, str], pages: Mapping[str, Page]) -> bool:
    """Every body part the file was made from is as it was."""
    for read, hashed in reads.items():
        source, _, part = read.rpartition("|")
        page = pages.get(source)
        if page is None or part not in BODY_PARTS or page.body.digest_of(part) != hashed:
            return False
    return True


def _shared_digest(site: Site, templates: str) -> str:
    """What every template may see besides page bodies: templates, config, today, metadata.

    Section and home intros are bodies shown through `section.intro`, so they count here.
    """
    pages = site.every_page()
    indexes = [page.body.digest for page in pages if page.kind is SourceKind.SECTION_INDEX]
    metadata = [page.meta_digest for page in pages]
    return digest(templates, site.config, site.today, metadata, indexes, site.data)


def templates_digest(site_dir: Path) -> str:
    """A digest of every template the site can use: its own and the default theme's."""
    theme = THEME_DIR / TEMPLATES_DIR
    own = sorted((name, found.text) for name, found in site_templates(site_dir).items())
    themes = sorted(
        (str(path.relative_to(theme)), path.read_text(encoding="utf-8"))
        for path in theme.rglob("*")
        if path.is_file()
    )
    return digest(own, themes)
