"""One build of a site at a time: two terminals, or an editor hook and `serve`, take turns
instead of writing the same output folder and cache together."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; builds there are not serialised
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".coursepress-cache/build.lock"


@contextmanager
def site_lock(site_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the site's build lock for the block; if another build holds it, call `on_wait`
    once and wait for it. The operating system drops the lock when a process ends, so a
    crashed build never leaves the site locked."""
    path = site_dir / LOCK_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield  # a read-only site folder: nothing to protect, nothing written beside it
        return
    try:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait()
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock
