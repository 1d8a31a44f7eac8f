"""`coursepress serve`: build into a temporary folder, serve it, rebuild on every change.

A rebuild keeps everything the last one made in memory (documents, pages, rendered Markdown
and templates) and redoes only what an edit affects: the page itself, and the lists, feeds,
tag and schedule pages that show it. Only files whose bytes changed are written, each by a
rename, and only once the whole rebuild has succeeded: a failed rebuild keeps the last good
site up and shows its error in every open page.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import watchfiles

from coursepress.build import BuildOptions, build
from coursepress.cache.layer import Remembering
from coursepress.config import CONFIG_FILE, Config
from coursepress.errors import BuildFailed, SiteError, SourceChanged
from coursepress.hugo.config import CONFIG_FOLDER, CONFIG_NAMES
from coursepress.output.spool import remove_abandoned
from coursepress.serve.livereload import Broadcaster, BuildState
from coursepress.serve.server import ALL_INTERFACES, SiteServer, start_server
from coursepress.source.data import DATA_DIR
from coursepress.source.discover import CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR, is_junk

WATCHED_FOLDERS = (CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR, DATA_DIR)
SERVE_PREFIX = "coursepress-serve-"
SETTLE_MS = 20
"""How long a burst of saves must be quiet before a rebuild starts."""


@dataclass(frozen=True, slots=True)
class ServeOptions:
    site_dir: Path
    bind: str = "127.0.0.1"
    port: int = 1313
    drafts: bool = True
    future: bool = False
    open_browser: bool = False


Printer = Callable[[str], None]


def serve(options: ServeOptions, say: Printer, warn: Printer) -> None:
    """Run until interrupted (Ctrl-C); the temporary build folder is removed on the way out."""
    temporary = Path(tempfile.gettempdir())
    remove_abandoned(temporary, SERVE_PREFIX)  # a serve killed outright could not
    # The process id in the name tells a later serve whether this one still runs.
    workdir = Path(tempfile.mkdtemp(prefix=f"{SERVE_PREFIX}{os.getpid()}-", dir=temporary))
    broadcaster = Broadcaster()
    stop = threading.Event()
    server: SiteServer | None = None
    # What each rebuild keeps for the next; the search index is made beside the rebuilds.
    memory = Remembering(options.site_dir, search_in_background=True)
    try:
        server = start_server(options.bind, options.port, broadcaster)
        rebuilder = Rebuilder(options, workdir / "site", memory, server, broadcaster, say, warn)
        rebuilder.rebuild(changed=None)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        announced = False
        for changes in _watch(options.site_dir, stop, lambda: rebuilder.published):
            if not announced:  # the watcher is running: from now on no save is missed
                _announce(options, server, say, warn)
                announced = True
            if changes:
                rebuilder.rebuild(changed=changes)
            elif memory.search_ready():
                rebuilder.rebuild(changed=[], reload=False)  # publishes the new index
    finally:
        stop.set()
        broadcaster.close()
        if server is not None:
            server.shutdown()
            server.server_close()
        memory.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _announce(options: ServeOptions, server: SiteServer, say: Printer, warn: Printer) -> None:
    url = _address(options.bind, server.server_address[1], server.base_path)
    drafts = "drafts shown" if options.drafts else "drafts hidden"
    say(f"Serving {options.site_dir} at {url} ({drafts}; Ctrl-C to stop)")
    if options.bind in ALL_INTERFACES:
        warn(
            "warning: serving on all network interfaces: anyone on your network can see "
            "this site, drafts included; use --bind 127.0.0.1 to keep it on this computer"
        )
    if options.open_browser:
        webbrowser.open(url)


class Rebuilder:
    """Rebuilds into serve's own folder and tells open pages about each good build."""

    def __init__(
        self,
        options: ServeOptions,
        output: Path,
        memory: Remembering,
        server: SiteServer,
        broadcaster: Broadcaster,
        say: Printer,
        warn: Printer,
    ) -> None:
        self.options, self.output, self.memory, self.server = options, output, memory, server
        self.broadcaster, self.say, self.warn = broadcaster, say, warn
        self.attempts = 0
        self.reported: set[str] = set()
        """Warnings already printed: a rebuild prints only new ones."""
        self.published: frozenset[str] = frozenset({STATIC_DIR})
        """What the last good build's settings name besides the usual sources, watched with
        them: the folders published as they are, the bibliographies and the citation style."""

    def rebuild(self, changed: list[PurePosixPath] | None, reload: bool = True) -> None:
        """Build again for `changed` (None: the first build); `reload`: tell open pages (not
        for the search index alone, which no open page shows)."""
        self.attempts += 1
        started = time.perf_counter()
        try:
            report = build(
                BuildOptions(
                    site_dir=self.options.site_dir,
                    output_dir=self.output,
                    drafts=self.options.drafts,
                    future=self.options.future,
                    jobs=1,  # no worker processes forked from a server with threads
                    private_output=True,
                ),
                self.memory,
            )
        except BuildFailed as failure:
            if all(isinstance(error, SourceChanged) for error in failure.errors):
                # Saved again while it was read: the watcher has that save, and the rebuild
                # it starts reads the file whole. Nothing half-saved is shown meanwhile.
                self.say(f"{time.strftime('%H:%M:%S')} a file changed during the rebuild; again")
                return
            self._failed(failure, changed)
            return
        except SiteError as failure:
            self._failed(failure, changed)
            return
        self.server.switch_root(self.output, report.config.base_path)
        self.published = _named_by_settings(report.config)
        number = self.broadcaster.state.number + 1
        css_only = bool(changed) and all(_is_stylesheet(path) for path in changed or ())
        if reload or self.broadcaster.state.error is not None:
            self.broadcaster.publish(BuildState(number, error=None, css_only=css_only))
        for text in (warning.format() for warning in report.warnings):
            if text not in self.reported:
                self.warn(text)
        self.reported = {warning.format() for warning in report.warnings}
        seconds = time.perf_counter() - started
        what = _describe(changed) if changed is not None else "first build"
        what = what if reload else "the search index, made meanwhile"
        done = report.rendered
        work = (
            f"; rendered again: {done.pages} of {done.pages_total} posts and pages, "
            f"{done.files} of {done.files_total} files from templates"
            if done and changed is not None
            else ""
        )
        self.say(
            f"{time.strftime('%H:%M:%S')} built in {seconds:.2f} s "
            f"({report.written.pages} pages{work}): {what}"
        )

    def _failed(
        self, failure: SiteError | BuildFailed, changed: list[PurePosixPath] | None
    ) -> None:
        errors = failure.errors if isinstance(failure, BuildFailed) else [failure]
        text = "\n".join(error.format() for error in errors)
        state = self.broadcaster.state
        self.broadcaster.publish(BuildState(state.number, error=text))
        what = _describe(changed) if changed is not None else "first build"
        self.warn(f"{time.strftime('%H:%M:%S')} rebuild failed ({what}):\n{text}")
        self.warn("  still serving the last good build; fix the file and save to rebuild")


def _watch(
    site_dir: Path, stop: threading.Event, published: Callable[[], frozenset[str]]
) -> Iterable[list[PurePosixPath]]:
    """Lists of changed site files, one list per settled burst of saves; an empty list at
    once when the watcher has started, and then whenever a second passes without a change."""
    site = site_dir.resolve()

    def relative(path: str) -> PurePosixPath | None:
        try:
            return PurePosixPath(Path(path).relative_to(site).as_posix())
        except ValueError:
            return None

    def relevant(_: watchfiles.Change, path: str) -> bool:
        inside = relative(path)
        return inside is not None and _is_watched(inside, published())

    for batch in watchfiles.watch(
        site,
        watch_filter=relevant,
        step=SETTLE_MS,
        stop_event=stop,
        raise_interrupt=True,
        rust_timeout=500,
        yield_on_timeout=True,
    ):
        yield sorted({inside for _, path in batch if (inside := relative(path)) is not None})


def _named_by_settings(config: Config) -> frozenset[str]:
    files = [*config.bibliography, *([config.csl] if config.csl.lower().endswith(".csl") else [])]
    named = [folder for folder, _ in config.published_roots]
    return frozenset(named + [PurePosixPath(name).as_posix() for name in files])


def _is_watched(relative: PurePosixPath, published: frozenset[str]) -> bool:
    if any(is_junk(part) for part in relative.parts):
        return False
    settings = str(relative) in (CONFIG_FILE, *CONFIG_NAMES) or (
        relative.parent == PurePosixPath(CONFIG_FOLDER)  # Hugo's config/_default/
    )
    # content/ itself too: a folder swapped for another (`mv new content`) changes no file in it.
    inside = any(relative.is_relative_to(folder) for folder in published)
    return settings or inside or (bool(relative.parts) and relative.parts[0] in WATCHED_FOLDERS)


def _is_stylesheet(path: PurePosixPath) -> bool:
    return path.parts[0] not in (CONTENT_DIR, TEMPLATES_DIR) and path.suffix == ".css"


def _describe(changed: list[PurePosixPath] | None) -> str:
    names = [str(path) for path in changed or ()]
    if len(names) > 3:
        return f"{', '.join(names[:3])} and {len(names) - 3} more changed"
    return f"{', '.join(names)} changed" if names else "no change"


def _address(bind: str, port: int, base_path: str) -> str:
    host = "127.0.0.1" if bind in ALL_INTERFACES else bind
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}{base_path}"
