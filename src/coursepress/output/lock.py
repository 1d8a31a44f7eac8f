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


@contextmanager
def site_lock(site_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the site's build lock for the block; if another build holds it, call `on_wait`
    once and wait for it. The lock is taken on the site folder itself, so no lock file is
    left anywhere, and the operating system drops it when a process ends: a crashed build
    never leaves the site locked."""
    try:
        handle = os.open(site_dir, os.O_RDONLY)
    except OSError:
        yield  # the build reports a missing or unreadable folder itself
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
