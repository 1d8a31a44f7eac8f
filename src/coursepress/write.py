"""Atomic output: write the whole site into a new folder, then swap it in for the old one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from coursepress import __version__
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
) -> Written:
    """Write into a sibling folder, then swap: a failure leaves the previous site as it was."""
    check_output_folder(output_dir, site_dir)  # again, right before anything is replaced
    try:
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{output_dir.name}.building-", dir=output_dir.parent)
        )
    except OSError as error:
        raise _write_error(error, output_dir) from None
    try:
        _write_texts(staging, texts)
        _copy_files(staging, copies)
        (staging / MARKER).write_text(
            f"Built by coursepress {__version__}. This folder is replaced on every build.\n",
            encoding="utf-8",
        )
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must read it
        _swap(staging, output_dir)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise _write_error(error, output_dir) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pages = sum(1 for name in texts if name.endswith(".html"))
    return Written(pages=pages, files=len(copies) + len(texts) - pages)


def _write_texts(staging: Path, texts: Mapping[str, str]) -> None:
    for name, text in texts.items():
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _copy_files(staging: Path, copies: Mapping[str, SourceFile]) -> None:
    for name, source in copies.items():
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.path, target)  # streams the bytes; large files are not read whole


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
