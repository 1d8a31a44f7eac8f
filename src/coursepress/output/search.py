"""The search index: Pagefind (a compiled program shipped in the `pagefind-bin` wheel) indexes
the body of every post and page; the search page loads its script and index from the site
itself, so search works under any base path, offline, with no request to anyone else.

Pagefind reads one small HTML file per page, made here from the page's title and rendered
body, not the page as the theme lays it out: lists, tag pages and the theme's navigation are
never indexed, and a page whose template came from the cache is indexed without reading it
back. The program runs while the templates render (it is another process), and the files it
makes go through the build's spool as every other output does.

Pagefind has no incremental mode, and its time and memory grow with the pages it reads (1,000
pages: 3.4 s and 300 MB). A site is indexed in shards of about SHARD_PAGES pages, each page's
shard fixed by its address; the search page merges them (Pagefind's `mergeIndex`). An edit
indexes its page's shard again, the others come from the cache."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from types import MappingProxyType

from coursepress.errors import Diagnostic, Severity
from coursepress.output.spool import remove_abandoned
from coursepress.site.assemble import Site
from coursepress.site.pages import Page

_WORKDIR_PREFIX = "coursepress-search-"
SEARCH_FOLDER = "pagefind"
"""Where the index and Pagefind's scripts go in the output (Pagefind's own default)."""

# What the search page loads, and what those load; Pagefind also writes its other
# interfaces (component, modular), which the theme does not use.
_BUNDLE_FILES = (
    "pagefind-entry.json",
    "pagefind.js",
    "pagefind-worker.js",
    "pagefind-ui.js",
    "pagefind-ui.css",
)
_BUNDLE_SUFFIXES = (".pagefind", ".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter")


SHARD_PAGES = 100
"""Pages per shard, about: Pagefind takes 0.4 s and 40 MB for 100 of them."""
SHARDS_FILE = f"{SEARCH_FOLDER}/shards.json"
"""The shards beside the first (whose bundle holds the scripts), for the search page."""


@dataclass(frozen=True, slots=True)
class Shard:
    folder: str
    """Where its bundle goes in the output: `pagefind` for the first, else
    `pagefind/shard-N`."""
    pages: tuple[Page, ...]


def shards(pages: Sequence[Page]) -> tuple[Shard, ...]:
    """`pages` in shards: a page's shard is fixed by its output path and the number of
    shards, so an edit changes one shard, and a page added changes one (or, where the site
    outgrows its number of shards, all)."""
    count = max(1, -(-len(pages) // SHARD_PAGES))
    groups: list[list[Page]] = [[] for _ in range(count)]
    for page in pages:
        number = int.from_bytes(hashlib.sha256(page.output.encode()).digest()[:8]) % count
        groups[number].append(page)
    filled = [(number, tuple(group)) for number, group in enumerate(groups) if group]
    return tuple(
        Shard(f"{SEARCH_FOLDER}/shard-{number}" if index else SEARCH_FOLDER, group)
        for index, (number, group) in enumerate(filled)
    )


def merged(
    parts: Sequence[Shard], bundles: Mapping[str, Mapping[str, bytes]], indexed: int
) -> SearchIndex:
    """The index of the whole site: every shard's bundle (by folder), and the list of those
    that the search page merges into the first; `indexed` of them were indexed just now."""
    files: dict[str, bytes] = {}
    for shard in parts:
        files.update(bundles[shard.folder])
    others = [shard.folder.removeprefix(f"{SEARCH_FOLDER}/") + "/" for shard in parts[1:]]
    files[SHARDS_FILE] = json.dumps(others).encode()
    return SearchIndex(MappingProxyType(files), note=f"{indexed} of {len(parts)} shards indexed")


@dataclass(frozen=True, slots=True)
class SearchIndex:
    files: Mapping[str, bytes]
    """Output path (`pagefind/pagefind.js`) → bytes."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Why there is no index, when there is none."""
    note: str = ""
    """How many shards were indexed, for `build --profile`."""


def searched_pages(site: Site) -> tuple[Page, ...]:
    """The pages search finds: every regular page (posts and pages) written as HTML, unless
    its front matter says `search = false`; never the home page, lists or tag pages."""
    if not site.search_url:  # the one decision: no search page, no index
        return ()
    return tuple(
        page
        for page in site.pages
        if page.output.endswith(".html") and page.params.get("search") is not False
    )


def _document(page: Page, language: str) -> bytes:
    """The small HTML file Pagefind reads for a page: its title and body, nothing else. Made
    one at a time as it is written: the whole site's are never in memory together."""
    head = (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(page.title)}</title></head><body><main data-pagefind-body>"
        f"<h1>{escape(page.title)}</h1>"
    )
    return head.encode() + page.body.content_utf8 + b"</main></body></html>"


def pagefind_program() -> Path | None:
    """The Pagefind program of the installed `pagefind-bin` wheel, or one on PATH."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]

        return Path(get_executable())
    except (ImportError, FileNotFoundError):
        found = shutil.which("pagefind")
        return Path(found) if found else None


def index_key(pages: Sequence[Page], language: str) -> str:
    """What decides the index: each page's address, title and body (by the digest the
    template cache keeps of it), the language and the program that indexes them."""
    program = pagefind_program()
    stat = program.stat() if program else None
    hashed = hashlib.sha256(repr((str(program), stat and stat.st_size, language)).encode())
    for page in sorted(pages, key=lambda page: page.output):
        hashed.update(f"\0{page.output}\0{page.title}\0".encode())
        hashed.update(page.body.digest_of("content").encode())
    return hashed.hexdigest()


class IndexRun:
    """Pagefind started on the pages' files: `finish()` waits for it and gathers the index.
    Started before the templates render, so that the two share the machine's cores."""

    def __init__(
        self,
        pages: Sequence[Page],
        language: str,
        gently: bool = False,
        folder: str = SEARCH_FOLDER,
    ) -> None:
        """`gently`: at the lowest priority, on one thread (serve's index, made beside the
        rebuilds, which must not wait for it). `folder`: where the bundle goes."""
        self.folder = folder
        # The process id in the name lets a later build remove what a killed one left.
        temporary = Path(tempfile.gettempdir())
        remove_abandoned(temporary, _WORKDIR_PREFIX)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{_WORKDIR_PREFIX}{os.getpid()}-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.failure: str | None = None
        program = pagefind_program()
        if program is None:
            self.failure = "the Pagefind program is not installed (pip package pagefind-bin)"
            return
        try:
            for page in pages:
                path = self.workdir / "site" / page.output
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(_document(page, language))
        except OSError as error:  # a full disk: the build's own writes will say so
            self.failure = f"its files cannot be written ({error.strerror or error})"
            return
        command = [
            str(program),
            "--site", str(self.workdir / "site"),
            "--output-path", str(self.workdir / "index"),
            "--force-language", language.split("-")[0].lower() or "en",
            # The "§" links beside headings and the "↩" back from notes are not words.
            "--exclude-selectors", ".heading-anchor",
            "--exclude-selectors", ".footnote-backref",
            "--silent",
        ]  # fmt: skip
        environment = {**os.environ, "RAYON_NUM_THREADS": "1"} if gently else None
        try:
            # Its output goes to a file, not a pipe: processes forked for the templates while
            # it runs would hold a pipe open, and waiting for it would wait for them.
            with open(self.workdir / "pagefind.log", "wb") as log:
                self.process = subprocess.Popen(
                    command,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=environment,
                    preexec_fn=_lowest_priority if gently and os.name == "posix" else None,
                )
        except OSError as error:  # not executable on this system (another CPU, noexec mount)
            self.failure = f"the Pagefind program cannot run here ({error.strerror or error})"

    def done(self) -> bool:
        """Whether `finish()` would return at once."""
        return self.process is None or self.process.poll() is not None

    def finish(self) -> SearchIndex:
        try:
            if self.process is not None and self.process.wait() != 0:
                output = (self.workdir / "pagefind.log").read_bytes()
                said = output.decode("utf-8", "replace").strip().splitlines()
                self.failure = f"Pagefind failed: {said[-1] if said else 'no message'}"
            if self.failure:
                return SearchIndex({}, (_no_search(self.failure),))
            return SearchIndex(MappingProxyType(dict(_bundle(self.workdir / "index", self.folder))))
        finally:
            self.cancel()

    def cancel(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _lowest_priority() -> None:
    os.nice(19)


def _bundle(folder: Path, output: str) -> Iterable[tuple[str, bytes]]:
    for root, _, names in os.walk(folder):
        for name in names:
            if name in _BUNDLE_FILES or name.endswith(_BUNDLE_SUFFIXES):
                path = Path(root, name)
                relative = path.relative_to(folder).as_posix()
                yield f"{output}/{relative}", path.read_bytes()


class ShardRuns:
    """The shards given, indexed one after another on a thread of their own, while the
    templates render: one Pagefind at a time, so that memory is one shard's. `finish()`
    gives each shard's index by folder."""

    def __init__(self, parts: Sequence[Shard], language: str, gently: bool = False) -> None:
        self._parts, self._language, self._gently = parts, language, gently
        self._indexes: dict[str, SearchIndex] = {}
        self._current: IndexRun | None = None
        self._cancelled = threading.Event()
        pagefind_program()  # its module is imported here, not on the thread
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for shard in self._parts:
            try:
                run = IndexRun(shard.pages, self._language, self._gently, shard.folder)
                self._current = run
                if self._cancelled.is_set():  # cancelled as the run started: not waited on
                    run.cancel()
                    return
                index = run.finish()
            except OSError as error:  # the temporary folder cannot be made, or read back
                index = SearchIndex({}, (_no_search(f"{error.strerror or error}"),))
            self._indexes[shard.folder] = index
            if index.diagnostics:  # Pagefind cannot run: neither can it for the next shard
                return

    def done(self) -> bool:
        return not self._thread.is_alive()

    def finish(self) -> dict[str, SearchIndex]:
        self._thread.join()
        return dict(self._indexes)

    def cancel(self) -> None:
        self._cancelled.set()
        if self._current is not None:
            self._current.cancel()
        self._thread.join()


def unfinished_search() -> Diagnostic:
    return _no_search("Pagefind was stopped before it was done")


def _no_search(why: str) -> Diagnostic:
    return Diagnostic(
        f"the site is built without its search index: {why}",
        hint="install coursepress with pip on a system Pagefind supports (Linux, macOS or "
        "Windows, x86-64 or ARM), or set search = false in site.toml",
        code="search",
        severity=Severity.INFO,
    )
