"""Work spread over the cores: forked processes, results in order, so the output is the same
as from one process."""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable
from typing import TypeVar

R = TypeVar("R")

PARALLEL_FROM = 64
"""Items below which one process finishes before a pool would have started."""


def map_over_cores(function: Callable[[int], R], count: int, jobs: int | None) -> list[R]:
    """`[function(i) for i in range(count)]`, on `jobs` processes (None: one per core).

    `function` must be a module-level function; what it reads is set up before the call and
    reaches the workers by fork, so nothing but the results is pickled.
    """
    workers = min(jobs or os.cpu_count() or 1, count)
    if workers < 2 or count < PARALLEL_FROM:
        return [function(index) for index in range(count)]
    # Imported here: a build that renders a few files (an edit) never starts a pool, and
    # multiprocessing costs 10 ms of its start-up.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    # Objects that exist now are left out of the workers' garbage collections: a collection
    # writes to every object it visits, and each page written to is copied into the worker.
    gc.freeze()
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet_worker)
    try:
        chunk = max(1, count // (workers * 8))
        return list(pool.map(function, range(count), chunksize=chunk))
    finally:
        # On Ctrl-C, work not yet started is dropped rather than finished.
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _quiet_worker() -> None:
    # Ctrl-C reaches every process of the terminal; the parent alone decides what happens,
    # so workers print no traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
