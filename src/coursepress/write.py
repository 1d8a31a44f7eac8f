"""Atomic output: write the whole site into a new folder, then swap it in for the old one."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from coursepress import __version__
from coursepress.cache import BuildCache, WrittenFile
from coursepress.discover import SourceFile, shown_folder
from coursepress.errors import OutputError

SOURCE_FOLDERS = ("content", "static", "templates")
MARKER = ".coursepress"
"""A file in every output folder coursepress writes: only such folders are ever replaced."""


@dataclass(frozen=True, slots=True)
class Written:
    pages: int
    """HTML pages written."""
    files: int
    """Other files: static files, page resources, generated stylesheets."""


def check_output_folder(output_dir: Path, site_dir: Path) -> None:
    """Refuse a folder we did not create, or one that holds the site's sources."""
    shown = shown_folder(output_dir)
    output, site = output_dir.resolve(), site_dir.resolve()
    sources = [site / name for name in SOURCE_FOLDERS]
    if (
        output == site
        or site.is_relative_to(output)
        or any(output.is_relative_to(folder) for folder in sources)
    ):
        raise OutputError(
            "this output folder holds the site's own sources",
            path=shown,
            hint="choose a separate output folder, such as public/",
        )
    if output_dir.is_symlink() or (output_dir.exists() and not output_dir.is_dir()):
        raise OutputError(
            "this is not a folder coursepress can replace",
            path=shown,
            hint="move it away or pass --output with another folder",
        )
    if output_dir.is_dir() and any(output_dir.iterdir()) and not (output_dir / MARKER).is_file():
        raise OutputError(
            "this folder was not created by coursepress, so it will not be emptied",
            path=shown,
            hint="move its files elsewhere, or pass --output with another folder",
        )


def write_site(
    texts: Mapping[str, str],
    copies: Mapping[str, SourceFile],
    output_dir: Path,
    site_dir: Path,
    cache: BuildCache | None = None,
    verify: bool = True,
) -> Written:
    """Write the site so that a failure leaves the previous one as it was.

    When the output folder holds exactly what the last build wrote (known from the cache), only
    the files that changed are replaced, each by a rename; else the whole site is written into
    a sibling folder that is then swapped in.
    """
    check_output_folder(output_dir, site_dir)  # again, right before anything is replaced
    known = cache.text_digests if cache else {}
    wanted = {name: _text_digest(name, text, known) for name, text in texts.items()}
    wanted |= {name: _copy_digest(source) for name, source in copies.items()}
    previous = cache.written(output_dir) if cache else {}
    try:
        in_place = previous and not _kind_changes(wanted, previous)
        if in_place and (_holds_exactly(output_dir, previous) if verify else output_dir.is_dir()):
            files = _update_in_place(output_dir, texts, copies, wanted, previous)
        else:
            files = _write_staged(output_dir, texts, copies, wanted)
    except OSError as error:
        raise _write_error(error, output_dir) from None
    if cache:
        cache.put_written(output_dir, files)
    pages = sum(1 for name in texts if name.endswith(".html"))
    return Written(pages=pages, files=len(copies) + len(texts) - pages)


def _text_digest(name: str, text: str, known: dict[str, tuple[str, str]]) -> str:
    """The digest of a file's text; serve's rebuilds reuse it while the text is the very
    object the last build had (taken from the cache, not rendered again)."""
    entry = known.get(name)
    if entry is None or entry[0] is not text:
        entry = known[name] = (text, hashlib.sha256(text.encode("utf-8")).hexdigest())
    return entry[1]


def _copy_digest(source: SourceFile) -> str:
    # A copied file is known by its source's path, size and modification time: reading every
    # static file to hash it would cost more than copying it.
    status = source.path.stat()
    return f"copy:{source.path.resolve()}:{status.st_size}:{status.st_mtime_ns}"


def _holds_exactly(output_dir: Path, previous: Mapping[str, WrittenFile]) -> bool:
    """The folder has the files the last build wrote, unchanged since, and nothing else."""
    if not (output_dir / MARKER).is_file():
        return False
    found = 0
    for folder, _, names in os.walk(output_dir):
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, output_dir).replace(os.sep, "/")
            if relative == MARKER:
                continue
            record = previous.get(relative)
            status = os.lstat(path)
            if record is None or (status.st_size, status.st_mtime_ns) != (
                record.size,
                record.mtime_ns,
            ):
                return False
            found += 1
    return found == len(previous)


def _kind_changes(wanted: Mapping[str, str], previous: Mapping[str, WrittenFile]) -> bool:
    """A file that becomes a folder, or a folder that becomes a file: renames cannot do that
    one file at a time, so the whole site is written anew."""
    return bool(_folders(wanted) & previous.keys()) or bool(_folders(previous) & wanted.keys())


def _folders(names: Iterable[str]) -> set[str]:
    """Every folder on the way to each name (`a/b/c.html` → `a/b`, `a`); string work, since
    serve runs this for every file on every rebuild."""
    found: set[str] = set()
    for name in names:
        cut = name.rfind("/")
        while cut > 0 and name[:cut] not in found:
            found.add(name[:cut])
            cut = name.rfind("/", 0, cut)
    return found


def _update_in_place(
    output_dir: Path,
    texts: Mapping[str, str],
    copies: Mapping[str, SourceFile],
    wanted: Mapping[str, str],
    previous: Mapping[str, WrittenFile],
) -> dict[str, WrittenFile]:
    changed = [
        name for name, hashed in wanted.items() if previous.get(name, _NONE).digest != hashed
    ]
    gone = [name for name in previous if name not in wanted]
    # New versions go beside their targets first; only when all are written are they renamed
    # into place, with Ctrl-C held back for those few renames.
    fresh: dict[str, Path] = {}
    try:
        for name in changed:
            target = output_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            fresh[name] = target.with_name(f".{target.name}.coursepress-new")
            _put(fresh[name], texts.get(name), copies.get(name))
    except BaseException:
        for path in fresh.values():
            path.unlink(missing_ok=True)
        raise
    with _signals_held():
        for name, path in fresh.items():
            os.replace(path, output_dir / name)
        for name in gone:
            (output_dir / name).unlink(missing_ok=True)
    _remove_empty_folders(output_dir, gone)
    files = {name: previous[name] for name in wanted if name not in fresh}
    files |= {name: _record(output_dir / name, wanted[name]) for name in fresh}
    return files


def _write_staged(
    output_dir: Path,
    texts: Mapping[str, str],
    copies: Mapping[str, SourceFile],
    wanted: Mapping[str, str],
) -> dict[str, WrittenFile]:
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.building-", dir=output_dir.parent))
    try:
        for name in wanted:
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            _put(target, texts.get(name), copies.get(name))
        (staging / MARKER).write_text(
            f"Built by coursepress {__version__}. This folder is replaced on every build.\n",
            encoding="utf-8",
        )
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must read it
        files = {name: _record(staging / name, hashed) for name, hashed in wanted.items()}
        _swap(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files


def _put(target: Path, text: str | None, source: SourceFile | None) -> None:
    if text is not None:
        target.write_bytes(text.encode("utf-8"))
    elif source is not None:
        shutil.copyfile(source.path, target)  # streams the bytes; large files are not read whole


def _record(path: Path, hashed: str) -> WrittenFile:
    status = path.stat()
    return WrittenFile(hashed, status.st_size, status.st_mtime_ns)


def _remove_empty_folders(output_dir: Path, gone: list[str]) -> None:
    for name in gone:
        folder = (output_dir / name).parent
        while folder != output_dir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends (only the main thread receives them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


_NONE = WrittenFile("", -1, -1)


def _swap(staging: Path, output_dir: Path) -> None:
    if not output_dir.exists():
        staging.rename(output_dir)
        return
    retired = output_dir.with_name(f".{output_dir.name}.old-{os.getpid()}")
    output_dir.rename(retired)
    try:
        staging.rename(output_dir)
    except OSError:
        retired.rename(output_dir)
        raise
    shutil.rmtree(retired)


def _write_error(error: OSError, output_dir: Path) -> OutputError:
    name = f" {Path(error.filename).name}" if error.filename else ""
    return OutputError(
        f"cannot write the site:{name} {error.strerror or error}",
        path=shown_folder(output_dir),
        hint="check the output folder's permissions, free space and the lengths of slugs",
    )
