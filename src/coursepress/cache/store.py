"""The build cache in `.coursepress-cache/`: rendered Markdown by page, rendered templates by
view, and what was last written to each output folder. Everything is keyed by what can change
it, so a warm build renders only what changed; deleting the folder is always safe.

One SQLite file holds it all: SQLite's locking lets two builds share it without corrupting it,
and a damaged file is detected and replaced instead of trusted. Entries are plain JSON and
text, never pickle: a cache folder someone else wrote cannot run code. `serve` keeps one
BuildCache open across rebuilds, so after the first build its lookups never leave memory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from pathlib import Path, PurePosixPath
from typing import Any

import platformdirs

from coursepress.content.markdown import Heading, RenderedMarkdown
from coursepress.errors import Diagnostic, Severity
from coursepress.fingerprint import FINGERPRINT
from coursepress.output.reads import RenderedView
from coursepress.output.write import WrittenFile

CACHE_FILE = "build.sqlite"
_SCHEMA = 9
_SLACK = 2
"""A table is pruned to this build's entries once it holds this many times more."""


def digest(*parts: object) -> str:
    """A key from the reprs of `parts`, together with coursepress's and its tools' versions."""
    hashed = hashlib.sha256(FINGERPRINT.encode())
    for part in parts:
        text = part if isinstance(part, str) else repr(part)  # long texts: no escaping pass
        hashed.update(b"\0%d\0" % isinstance(part, str) + text.encode())
    return hashed.hexdigest()


CACHE_ENV = "COURSEPRESS_CACHE_DIR"
"""A folder for the caches of all sites (each in a folder of its own), as HUGO_CACHEDIR."""


def cache_folder(site_dir: Path, configured: str = "") -> Path:
    """Where a site's cache lives: under $COURSEPRESS_CACHE_DIR; else at `cache_dir` from
    site.toml (relative to the site folder); else in the user's cache folder
    (`~/.cache/coursepress/` on Linux, `~/Library/Caches/coursepress/` on macOS), as Hugo keeps
    its cacheDir: never in the site folder by default, where a `git add -A` would commit it."""
    shared = os.environ.get(CACHE_ENV)
    if shared:
        return Path(shared) / _site_key(site_dir)
    if configured:
        return site_dir / configured
    return Path(platformdirs.user_cache_dir("coursepress", appauthor=False)) / _site_key(site_dir)


def _site_key(site_dir: Path) -> str:
    """A folder name for one site: its folder's name, and a digest of its full path (two
    checkouts of one course do not share a cache)."""
    resolved = site_dir.resolve()
    return f"{resolved.name}-{hashlib.sha256(os.fsencode(resolved)).hexdigest()[:12]}"


class BuildCache:
    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.path = cache_folder(site_dir) / CACHE_FILE
        self._views: dict[str, RenderedView] = {}
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._replaced = False
        self._used: dict[str, set[str]] = {"markdown": set(), "views": set()}
        self._rendered = {"markdown": 0, "views": 0}
        self._remembered = {"markdown": 0, "views": 0}

    # -- reading and writing entries -------------------------------------------------------

    def markdown(self, keys: list[str]) -> dict[str, RenderedMarkdown]:
        found: dict[str, RenderedMarkdown] = {}

        def take(key: str, meta: str, html: bytes) -> None:
            # The HTML has a column of its own: the large part needs no JSON decoding.
            with suppress(ValueError, KeyError, TypeError):  # else it is rendered again
                found[key] = _markdown_from_json(json.loads(meta), html)

        self._select("markdown", keys, take)
        self._used["markdown"].update(keys)
        return found

    def put_markdown(self, entries: Mapping[str, RenderedMarkdown]) -> None:
        self._rendered["markdown"] += len(entries)
        rows = (
            (key, json.dumps(_markdown_to_json(value)), value.html_utf8)
            for key, value in entries.items()
        )
        self._insert("markdown", rows)

    def views(self, keys: list[str]) -> dict[str, RenderedView]:
        """The digest and reads of each stored view; their bytes are read by `view_bytes`."""
        found = {key: self._views[key] for key in keys if key in self._views}

        def take(key: str, meta: str) -> None:
            try:
                stored = json.loads(meta)
                reads = {str(source): str(hashed) for source, hashed in stored["reads"].items()}
                found[key] = self._views[key] = RenderedView(str(stored["digest"]), reads)
            except (ValueError, TypeError, AttributeError, KeyError):
                return

        self._select_meta("views", [k for k in keys if k not in found], take)
        self._used["views"].update(keys)
        return found

    def view_bytes(self, key: str) -> bytes | None:
        """The stored bytes of one view, if they are whole and match its digest."""
        view = self._views.get(key)
        found: list[bytes] = []
        self._select("views", [key], lambda _, meta, body: found.append(body))
        if view is None or not found or hashlib.sha256(found[0]).hexdigest() != view.digest:
            return None
        return found[0]

    def put_views(self, entries: Mapping[str, tuple[RenderedView, Path]]) -> None:
        """Store views with their bytes, read one file at a time from where they were spooled."""
        self._views.update((key, view) for key, (view, _) in entries.items())
        self._rendered["views"] += len(entries)
        rows = (
            (key, json.dumps({"digest": view.digest, "reads": dict(view.reads)}), path.read_bytes())
            for key, (view, path) in entries.items()
        )
        self._insert("views", rows)

    def search(self, key: str) -> dict[str, bytes] | None:
        """The search index stored under `key`: output path → bytes."""
        found: list[dict[str, bytes]] = []

        def take(_: str, meta: str, body: bytes) -> None:
            with suppress(ValueError, TypeError):
                files, start = {}, 0
                for name, size in json.loads(meta):
                    files[str(name)], start = body[start : start + int(size)], start + int(size)
                if start == len(body):
                    found.append(files)

        self._select("search", [key], take)
        return found[0] if found else None

    def put_search(self, key: str, files: Mapping[str, bytes], keep: Iterable[str] = ()) -> None:
        """One shard of the search index; only the shards of the newest index (`keep`) are
        kept: the others are of no use to any later build."""
        meta = json.dumps([[name, len(data)] for name, data in files.items()])
        kept = sorted({key, *keep})
        db = self._connection()
        if db is not None:
            try:
                with db:
                    db.execute("BEGIN IMMEDIATE")
                    marks = ",".join("?" * len(kept))
                    db.execute(f"DELETE FROM search WHERE key NOT IN ({marks})", kept)
            except (sqlite3.Error, UnicodeError) as error:
                self._give_up(error)
        self._insert("search", iter([(key, meta, b"".join(files.values()))]))

    def written(self, output_dir: Path) -> dict[str, WrittenFile]:
        """What the last build wrote to `output_dir`: name → digest, size and mtime."""
        found: dict[str, WrittenFile] = {}

        def take(key: str, meta: str, body: bytes) -> None:
            try:
                for name, (hashed, size, mtime) in json.loads(body).items():
                    found[name] = WrittenFile(str(hashed), int(size), int(mtime))
            except (ValueError, KeyError, TypeError):
                found.clear()

        self._select("written", [str(output_dir.resolve())], take)
        return found

    def put_written(self, output_dir: Path, files: Mapping[str, WrittenFile]) -> None:
        value = json.dumps({name: [f.digest, f.size, f.mtime_ns] for name, f in files.items()})
        self._insert("written", iter([(str(output_dir.resolve()), "", value.encode())]))

    def locate(self, configured: str) -> None:
        """The site's `cache_dir` setting, read with its settings: the cache moves with it."""
        path = cache_folder(self.site_dir, configured) / CACHE_FILE
        if path != self.path:
            self.close()
            self.path, self._broken = path, False

    def begin(self) -> None:
        """A new build: its tallies and the entries it uses start from nothing."""
        for counts in (self._rendered, self._remembered):
            counts.update(dict.fromkeys(counts, 0))
        self._used = {table: set() for table in self._used}

    def remembered(self, table: str, count: int) -> None:
        self._remembered[table] += count

    def use(self, table: str) -> tuple[int, int]:
        """(taken from the cache, rendered) in this build, for `markdown` or `views`."""
        rendered = self._rendered[table]
        return len(self._used[table]) - rendered + self._remembered[table], rendered

    def tally(self, table: str) -> str:
        """What this build took from the cache and what it rendered, for `build --profile`."""
        reused, rendered = self.use(table)
        return f"{reused} from the cache, {rendered} rendered"

    def finish(self) -> None:
        """Keep the file from growing without end: once a table holds far more entries than
        this build used (old versions of pages), only this build's are kept."""
        # In memory, only this build's entries stay: a long serve session does not grow.
        self._views = {k: v for k, v in self._views.items() if k in self._used["views"]}
        db = self._connection()
        if db is None:
            return
        try:
            gone = [
                (folder,)
                for (folder,) in db.execute("SELECT key FROM written").fetchall()
                if not Path(folder).is_dir()  # serve's folders, once it has stopped
            ]
            if gone:
                with db:
                    db.execute("BEGIN IMMEDIATE")
                    db.executemany("DELETE FROM written WHERE key = ?", gone)
            for table, used in self._used.items():
                (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
                if count > _SLACK * len(used) + 100:
                    with db:
                        db.execute("BEGIN IMMEDIATE")
                        db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                        db.execute("DELETE FROM used")
                        db.executemany(
                            "INSERT OR IGNORE INTO used VALUES (?)", [(k,) for k in used]
                        )
                        db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM used)")
        except (sqlite3.Error, UnicodeError) as error:
            self._give_up(error)

    # -- the SQLite file ---------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        for attempt in range(2):
            try:
                self._db = self._open()
                return self._db
            except (sqlite3.DatabaseError, UnicodeError):
                # Truncated, overwritten, or not a database at all (SQLite's message about
                # it may not even be UTF-8): start a new one.
                self._close()
                if attempt == 0:
                    self._remove_file()
            except OSError:  # not a folder, not writable: no cache this time
                break
        self._broken = True  # work without the file: a cache can only make builds faster
        return None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A second build of the same site waits for this one's writes instead of failing.
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._db = db
        # A rollback journal keeps each commit whole; no fsync, because a cache lost to a power
        # cut costs only time: a damaged entry fails its checksum and is rendered again.
        db.execute("PRAGMA journal_mode=TRUNCATE")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            stored = dict(db.execute("SELECT name, value FROM meta").fetchall())
            if stored.get("schema") != str(_SCHEMA) or stored.get("fingerprint") != FINGERPRINT:
                # Another coursepress or tool version wrote it: none of its entries can be used.
                for table in ("markdown", "views", "written", "search"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                db.execute("DELETE FROM meta")
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [("schema", str(_SCHEMA)), ("fingerprint", FINGERPRINT)],
                )
            for table in ("markdown", "views", "written", "search"):
                db.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} "
                    "(key TEXT PRIMARY KEY, meta TEXT NOT NULL, meta_checksum INTEGER NOT NULL, "
                    "body BLOB NOT NULL, checksum INTEGER NOT NULL)"
                )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return db

    def _select(self, table: str, keys: list[str], take: Callable[[str, str, bytes], None]) -> None:
        """`take(key, meta, body)` for each stored entry of `keys` that is as it was written;
        rows are read one at a time, so a large cache is never in memory twice."""
        query = (
            "SELECT key, meta, meta_checksum, body, checksum FROM {table} WHERE key IN ({marks})"
        )
        for key, meta, meta_checksum, body, checksum in self._rows(table, keys, query):
            typed = isinstance(meta, str) and isinstance(body, bytes)
            if typed and _checksum(meta.encode()) == meta_checksum and _checksum(body) == checksum:
                take(key, meta, body)

    def _select_meta(self, table: str, keys: list[str], take: Callable[[str, str], None]) -> None:
        """`take(key, meta)` for each entry of `keys` whose metadata is as it was written; the
        bodies are not read."""
        query = "SELECT key, meta, meta_checksum FROM {table} WHERE key IN ({marks})"
        for key, meta, meta_checksum in self._rows(table, keys, query):
            if isinstance(meta, str) and _checksum(meta.encode()) == meta_checksum:
                take(key, meta)

    def _rows(self, table: str, keys: list[str], query: str) -> Iterator[tuple[Any, ...]]:
        db = self._connection() if keys else None
        if db is None:
            return
        try:
            for chunk in _chunks(keys, 500):
                marks = ",".join("?" * len(chunk))
                yield from db.execute(query.format(table=table, marks=marks), chunk)
        except (sqlite3.Error, UnicodeError) as error:
            self._give_up(error)

    def _insert(self, table: str, rows: Iterator[tuple[str, str, bytes]]) -> None:
        db = self._connection()
        if db is None:
            return
        try:
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?, ?)",
                    (
                        (key, meta, _checksum(meta.encode()), body, _checksum(body))
                        for key, meta, body in rows
                    ),
                )
        except (sqlite3.Error, UnicodeError) as error:
            self._give_up(error)

    def _give_up(self, error: sqlite3.Error | UnicodeError) -> None:
        """Stop using the file; a damaged one (SQLite finds out only when it reads the damaged
        part: a check of the whole file at every start costs 30 ms) is replaced by a new one."""
        self._close()
        damaged = isinstance(error, sqlite3.DatabaseError) and not isinstance(
            error,
            sqlite3.OperationalError,  # locked, busy, out of space: not damage
        )
        if damaged and not self._replaced:
            self._replaced = True
            with suppress(OSError):
                self._remove_file()
                return  # the next use opens a new file, which this build fills
        self._broken = True

    def _remove_file(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with suppress(OSError):  # a folder in its place: the cache goes unused
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def close(self) -> None:
        self._close()


def _checksum(data: bytes) -> int:
    """CRC-32 of a column: a damaged or altered row is noticed and rendered again."""
    return zlib.crc32(data)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def _markdown_to_json(rendered: RenderedMarkdown) -> dict[str, Any]:
    return {
        "html_digest": rendered.html_digest,
        "summary_html": rendered.summary_html,
        "first_heading": rendered.first_heading,
        "headings": [[h.level, h.id, h.text] for h in rendered.headings],
        "words": rendered.words,
        "warnings": [
            [str(w.path), w.line, w.message, w.hint, w.code, w.severity.value, w.column]
            for w in rendered.warnings
        ],
        # A notebook's pictures, as the notebook holds them (base64): a few per page.
        "files": [[name, base64.b64encode(data).decode()] for name, data in rendered.files],
    }


def _markdown_from_json(data: dict[str, Any], html: bytes) -> RenderedMarkdown:
    return RenderedMarkdown(
        html_utf8=html,
        html_digest=str(data["html_digest"]),
        summary_html=str(data["summary_html"]),
        first_heading=data["first_heading"],
        headings=tuple(
            Heading(int(level), str(id_), str(text)) for level, id_, text in data["headings"]
        ),
        words=int(data["words"]),
        warnings=tuple(
            Diagnostic(message, PurePosixPath(path), line, hint, code, Severity(severity), column)
            for path, line, message, hint, code, severity, column in data["warnings"]
        ),
        files=tuple((str(name), base64.b64decode(data)) for name, data in data["files"]),
    )
