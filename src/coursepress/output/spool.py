"""The spool: generated files go to disk as they are made, into a folder beside the output,
so that no build holds the whole site's text in memory. When the build succeeds, the spooled
files are renamed into the output folder, or the spool becomes the new output folder; when it
fails, the spool is removed and the output is as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from coursepress.errors import OutputError, shown_folder

if TYPE_CHECKING:
    from coursepress.output.write import WrittenFile


class Sink(Protocol):
    """Where rendered files go: the spool of a build, or nowhere for `check`."""

    def put(self, name: str, data: bytes) -> str: ...

    def put_texts(self, texts: Mapping[str, str]) -> dict[str, str]: ...

    def path(self, name: str) -> Path: ...


class Discard:
    """A sink that keeps nothing: `check` renders every file as the build does, to find
    what fails, and writes none."""

    def put(self, name: str, data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def put_texts(self, texts: Mapping[str, str]) -> dict[str, str]:
        return {name: self.put(name, text.encode("utf-8")) for name, text in texts.items()}

    def path(self, name: str) -> Path:
        raise NotImplementedError("nothing is kept")


BUILT_MARKER = ".coursepress"
"""The file in every folder coursepress built: only such a folder is ever emptied or replaced."""


class Spool:
    """`with Spool(output_dir) as spool:` a fresh folder beside `output_dir`, removed on exit
    unless it has become the output folder."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.folder = output_dir.parent / f".{output_dir.name}.spool"
        self.published = False
        """The new site is in the output folder: from here on, nothing may say "unchanged"."""
        self.moved_aside: tuple[Path, str] | None = None
        """Another generator's folder found in the output's place, and where it went."""

    def __enter__(self) -> Spool:
        parent, prefix = self.output_dir.parent, f".{self.output_dir.name}.building-"
        try:
            parent.mkdir(parents=True, exist_ok=True)
            _put_back_retired(self.output_dir)
            remove_abandoned(parent, prefix)
            remove_abandoned(parent, retired_prefix(self.output_dir))
            # The process id in the name tells a later build whether this one is still running.
            self.folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
        except OSError as error:
            raise write_error(error, self.output_dir) from None
        return self

    def __exit__(self, *_: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def put(self, name: str, data: bytes) -> str:
        """Spool one file; its digest."""
        path = self.folder / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as error:
            error.filename = error.filename or str(path)  # a refused write names no file
            raise write_error(error, self.output_dir) from None
        return hashlib.sha256(data).hexdigest()

    def put_texts(self, texts: Mapping[str, str]) -> dict[str, str]:
        """Spool texts as UTF-8; output name → digest."""
        return {name: self.put(name, text.encode("utf-8")) for name, text in texts.items()}

    def holds(self, name: str) -> bool:
        return (self.folder / name).is_file()

    def path(self, name: str) -> Path:
        return self.folder / name


def put_changed(
    files: Mapping[str, bytes], spool: Sink, on_disk: Mapping[str, WrittenFile]
) -> dict[str, str]:
    """Spool the files the output folder does not already hold as they are: name → digest."""
    digests = {}
    for name, data in files.items():
        digests[name] = hashlib.sha256(data).hexdigest()
        held = on_disk.get(name)
        if held is None or held.digest != digests[name]:
            spool.put(name, data)
    return digests


def retired_prefix(output_dir: Path) -> str:
    """The name, up to the process id, of a previous site on its way out (`.public.old-`)."""
    return f".{output_dir.name}.old-"


def _put_back_retired(output_dir: Path) -> None:
    """A build killed between its two renames (where folders cannot be exchanged in one
    step) left no output folder and the previous site under its retired name: put it back."""
    if os.path.lexists(output_dir):
        return
    prefix = retired_prefix(output_dir)
    newest_first = sorted(output_dir.parent.glob(f"{prefix}*-*"), key=os.path.getmtime)
    for folder in reversed(newest_first):
        pid = folder.name.removeprefix(prefix).split("-", 1)[0]
        built = (folder / BUILT_MARKER).is_file()  # a site coursepress wrote, nothing else
        if built and pid.isdigit() and not _running(int(pid)):
            folder.rename(output_dir)
            return


def remove_abandoned(parent: Path, prefix: str) -> None:
    """Folders named `<prefix><pid>-...` whose process no longer runs: spools and retired
    sites of builds, and serve's temporary sites, left by a process killed outright
    (SIGKILL, out of memory, power loss) or stopped while removing them."""
    for folder in parent.glob(f"{prefix}*-*"):
        pid = folder.name.removeprefix(prefix).split("-", 1)[0]
        if folder.is_dir() and not folder.is_symlink() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: running
        return True
    return True


def write_error(error: OSError, output_dir: Path) -> OutputError:
    name = f" {Path(error.filename).name}" if error.filename else ""
    if isinstance(error, (FileExistsError, NotADirectoryError)) and error.filename:
        return OutputError(
            f"cannot write the site: {error.filename} is a file where a folder is needed",
            path=shown_folder(output_dir),
            hint="move the file away, or pass --output with another folder",
        )
    return OutputError(
        f"cannot write the site:{name} {error.strerror or error}",
        path=shown_folder(output_dir),
        hint="check the output folder's permissions, free space and the lengths of slugs",
    )
