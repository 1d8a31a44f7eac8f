"""Atomic output: rename changed files into place, or swap a whole new folder in for the old."""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from coursepress import __version__
from coursepress.errors import OutputError, PartlyPublished, SiteError, shown_folder, unreadable
from coursepress.output.spool import BUILT_MARKER, Spool, retired_prefix, write_error
from coursepress.source.discover import SourceFile

SOURCE_FOLDERS = ("content", "static", "templates")
MARKER = BUILT_MARKER
"""A file in every output folder coursepress writes: only such folders are ever replaced."""


@dataclass(frozen=True, slots=True)
class WrittenFile:
    digest: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Written:
    pages: int
    """HTML pages written."""
    files: int
    """Other files: static files, page resources, generated stylesheets."""
    on_disk: Mapping[str, WrittenFile]
    """Every file the output folder now holds, as written: what a next build may keep."""
    moved_aside: tuple[Path, str] | None = None
    """Another generator's output folder found in its place, moved here (and by what it was
    built), so that nothing in it is lost."""


_GENERATOR_STAMPS = (
    ("index.html", re.compile(r'<meta\s+name="generator"\s+content="([^"]+)"', re.IGNORECASE)),
    ("index.xml", re.compile(r"<generator>([^<]+)</generator>", re.IGNORECASE)),
)
_SOURCE_SUFFIXES = (".md", ".markdown", ".toml", ".py", ".go", ".ipynb")


def built_by_another_generator(output_dir: Path) -> str | None:
    """What built this folder, when another generator did and it holds only what one writes:
    Hugo stamps its pages (`<meta name="generator" content="Hugo 0.125.0">`) and its feeds
    (`<generator>Hugo</generator>`). Course repositories often commit Hugo's `public/`. A
    folder with Markdown, settings, code or a repository in it is not a generator's."""
    stamp = None
    for name, pattern in _GENERATOR_STAMPS:
        try:
            with open(output_dir / name, encoding="utf-8", errors="replace") as handle:
                head = handle.read(65_536)
        except OSError:
            continue
        found = pattern.search(head)
        if found and not found.group(1).lower().startswith("coursepress"):
            stamp = found.group(1).strip()
            break
    if stamp is None:
        return None
    for _, folders, files in os.walk(output_dir):
        if ".git" in folders or any(f.lower().endswith(_SOURCE_SUFFIXES) for f in files):
            return None
    return stamp


def move_aside(output_dir: Path, generator: str) -> Path:
    """Another generator's folder, renamed beside it: `public.hugo/` (`-2`, ... if taken)."""
    label = re.sub(r"[^a-z0-9]+", "-", generator.split()[0].lower()).strip("-") or "other"
    target = output_dir.with_name(f"{output_dir.name}.{label}")
    number = 2
    while os.path.lexists(target):
        target = output_dir.with_name(f"{output_dir.name}.{label}-{number}")
        number += 1
    output_dir.rename(target)
    return target


def check_output_folder(
    output_dir: Path, site_dir: Path, published: Iterable[tuple[str, str]] = ()
) -> None:
    """Refuse a folder we did not create, or one that holds the site's sources or is held by
    them (`published`: the folders published as they are, once the settings are read)."""
    shown = shown_folder(output_dir)
    output, site = output_dir.resolve(), site_dir.resolve()
    sources = [site / name for name in (*SOURCE_FOLDERS, *(folder for folder, _ in published))]
    if (
        output == site
        or site.is_relative_to(output)
        or any(output.is_relative_to(folder) or folder.is_relative_to(output) for folder in sources)
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
    if (
        output_dir.is_dir()
        and any(output_dir.iterdir())
        and not (output_dir / MARKER).is_file()
        and built_by_another_generator(output_dir) is None
    ):
        raise OutputError(
            "this folder was not created by coursepress, so it will not be emptied",
            path=shown,
            hint="move its files elsewhere, or pass --output with another folder",
        )


def write_site(
    generated: Mapping[str, str],
    copies: Mapping[str, SourceFile],
    spool: Spool,
    output_dir: Path,
    site_dir: Path,
    on_disk: Mapping[str, WrittenFile],
) -> Written:
    """Put the site in place so that a failure leaves the previous one as it was.

    `generated` maps each made file to its digest; the spool holds every one the output folder
    lacks. When the folder holds exactly what the last build wrote (`on_disk`), only the files
    that changed are renamed into it; else the spool, completed, is swapped in for it.
    """
    check_output_folder(output_dir, site_dir)  # again, right before anything is replaced
    if on_disk and not (output_dir / MARKER).is_file():
        # Emptied or removed while the site was built: the files taken from the cache, not
        # spooled because it held them, are not there to keep.
        raise OutputError(
            "this folder changed while the site was being built",
            path=shown_folder(output_dir),
            hint="build again",
        )
    wanted = dict(generated) | {name: _copy_digest(source) for name, source in copies.items()}
    try:
        if on_disk and not _kind_changes(wanted, on_disk):
            files = _update_in_place(output_dir, copies, spool, wanted, on_disk)
        else:
            files = _write_staged(output_dir, copies, spool, wanted)
    except OSError as error:
        raise write_error(error, output_dir) from None
    pages = sum(1 for name in generated if name.endswith(".html"))
    others = len(copies) + len(generated) - pages
    return Written(pages=pages, files=others, on_disk=files, moved_aside=spool.moved_aside)


def _copy_digest(source: SourceFile) -> str:
    # A copied file is known by its source's path and status: reading every static file to
    # hash it would cost more than copying it. Size and modification time alone miss a file
    # replaced by one of the same size with its time kept (`cp -p`, `rsync -t`, an unpacked
    # archive); its inode or change time, which no tool sets, tell.
    status = source.path.stat()
    return (
        f"copy:{source.path}:{status.st_size}:{status.st_mtime_ns}:"
        f"{status.st_ino}:{status.st_ctime_ns}"
    )


def holds_exactly(output_dir: Path, previous: Mapping[str, WrittenFile]) -> bool:
    """The folder has the files the last build wrote, unchanged since, and nothing else."""
    if not (output_dir / MARKER).is_file():
        return False
    found = 0
    folders = [(str(output_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = os.scandir(folder)
        except OSError:  # unreadable, or gone: written anew
            return False
        with entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, name + "/"))
                    continue
                if name == MARKER:
                    continue
                record = previous.get(name)
                status = entry.stat(follow_symlinks=False)
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
    copies: Mapping[str, SourceFile],
    spool: Spool,
    wanted: Mapping[str, str],
    on_disk: Mapping[str, WrittenFile],
) -> dict[str, WrittenFile]:
    changed = [name for name, hashed in wanted.items() if on_disk.get(name, _NONE).digest != hashed]
    gone = [name for name in on_disk if name not in wanted]
    # Every new version is complete in the spool, on the same file system, before any is
    # renamed into place, with Ctrl-C held back for those few renames.
    for name in changed:
        if name in copies:
            _copy_source(copies[name], spool.path(name))
        (output_dir / name).parent.mkdir(parents=True, exist_ok=True)
    with _signals_held():
        done = 0
        try:
            for name in changed:
                os.replace(spool.path(name), output_dir / name)
                done += 1
            for name in gone:
                (output_dir / name).unlink(missing_ok=True)
        except OSError as error:
            if done == 0:
                raise
            raise _partly_published(error, output_dir, done, len(changed)) from None
        spool.published = True
    _remove_empty_folders(output_dir, gone)
    files = {name: on_disk[name] for name in wanted if name not in changed}
    files |= {name: _record(output_dir / name, wanted[name]) for name in changed}
    return files


def _write_staged(
    output_dir: Path,
    copies: Mapping[str, SourceFile],
    spool: Spool,
    wanted: Mapping[str, str],
) -> dict[str, WrittenFile]:
    """Complete the spool into the whole site and swap it in for the output folder. (It holds
    nothing unwanted: a file given up for a static file at its path is overwritten by it.)"""
    for name in wanted:
        if name in copies:
            _copy_source(copies[name], spool.path(name))
        elif not spool.holds(name):  # unchanged: the output folder holds it as it is
            _copy_file(output_dir / name, spool.path(name))
    (spool.folder / MARKER).write_text(
        f"Built by coursepress {__version__}. This folder is replaced on every build.\n",
        encoding="utf-8",
    )
    os.chmod(spool.folder, 0o755)  # mkdtemp makes it private; a web server must read it
    files = {name: _record(spool.path(name), hashed) for name, hashed in wanted.items()}
    _swap(spool, output_dir)
    return files


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)  # streams the bytes; large files are not read whole


def _copy_source(source: SourceFile, target: Path) -> None:
    """A site file copied; one that cannot be read is the site's error, not the output's."""
    try:
        _copy_file(source.path, target)
    except OSError as error:
        if error.filename != str(source.path):
            raise
        raise unreadable_copy(source, error) from None


def unreadable_copy(source: SourceFile, error: OSError) -> SiteError:
    return unreadable(source.rel, error)


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


def _swap(spool: Spool, output_dir: Path) -> None:
    """The spool, complete, becomes the output folder. On Linux one system call exchanges
    the two folders, so no moment, even for SIGKILL, is without a whole site; the old one is
    then in the spool's place and goes with it. Elsewhere, two renames with Ctrl-C held."""
    with _signals_held():
        if output_dir.is_dir() and not (output_dir / MARKER).is_file():
            # Another generator's (check_output_folder let only such a folder through): kept
            # whole beside the new site, under a name the summary gives.
            generator = built_by_another_generator(output_dir) or "another tool"
            spool.moved_aside = (move_aside(output_dir, generator), generator)
        if not output_dir.exists():
            spool.folder.rename(output_dir)
            spool.published = True
            return
        if _exchange(spool.folder, output_dir):
            spool.published = True
            return
        # The process id in the name lets a later build put it back, or remove it.
        retired = output_dir.with_name(
            f"{retired_prefix(output_dir)}{os.getpid()}-{secrets.token_hex(4)}"
        )
        output_dir.rename(retired)
        try:
            spool.folder.rename(output_dir)
        except OSError:
            retired.rename(output_dir)
            raise
        spool.published = True
    shutil.rmtree(retired, ignore_errors=True)  # what is left, the next build removes


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2 RENAME_EXCHANGE); False where the
    system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # a C library older than glibc 2.28
        return False
    at_cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(number, os.strerror(number), str(second))


def _partly_published(error: OSError, output_dir: Path, done: int, total: int) -> PartlyPublished:
    cause = write_error(error, output_dir)
    return PartlyPublished(
        f"{cause.message}, after {done} of the {total} changed files were in place",
        path=cause.path,
        hint=f"{cause.hint}; the next build that succeeds writes the whole site anew",
    )
