"""Work spread over the cores: forked processes, results in order, so the output is the same
as from one process."""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any, TypeVar

from coursepress.errors import SiteError

T = TypeVar("T")
R = TypeVar("R")

WORTH_A_POOL = 0.1
"""Seconds of work left below which one process finishes before a pool would pay for itself
(starting workers, sending results back)."""
PROBE = 0.02
"""Seconds of work done in this process before the rest is judged."""


def map_over_cores(function: Callable[[T], R], items: Sequence[T], jobs: int | None) -> list[R]:
    """`[function(item) for item in items]`, on `jobs` processes, or with None on as many as
    pay: items are done here until their measured cost shows whether the rest is worth a
    pool of one process per core (a course's 30 long posts are; an edit's three pages are not).

    `function` may be any callable, a closure over the whole site included: workers are
    forked while it and `items` are held here, so they inherit both, and only indexes and
    results cross between processes (results must pickle).
    """
    if jobs is not None:
        return _on_processes(function, items, min(jobs, len(items)))
    cores, done = os.cpu_count() or 1, list[R]()
    started = time.perf_counter()
    for item in items:
        spent = time.perf_counter() - started
        left = len(items) - len(done)
        if cores > 1 and done and spent >= PROBE and spent / len(done) * left >= WORTH_A_POOL:
            return done + _on_processes(function, items[len(done) :], min(cores, left))
        done.append(function(item))
    return done


def _on_processes(function: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    if workers < 2:
        return [function(item) for item in items]
    # Imported here: a build that renders a few files (an edit) never starts a pool, and
    # multiprocessing costs 10 ms of its start-up.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork")
    # Objects that exist now are left out of the workers' garbage collections: a collection
    # writes to every object it visits, and each page written to is copied into the worker.
    gc.freeze()
    _WORK.append((function, items))
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_quiet_worker, initargs=(os.getpid(),)
    )
    try:
        chunk = max(1, len(items) // (workers * 8))
        return list(pool.map(_call, range(len(items)), chunksize=chunk))
    except BrokenProcessPool:  # a worker killed (out of memory, `kill -9`): not the site's fault
        raise SiteError(
            "a process rendering the site ended before its work was done (killed, or out of "
            "memory)",
            hint="build again; if it happens again, try --jobs 1, which renders in one process",
        ) from None
    finally:
        # On Ctrl-C, work not yet started is dropped rather than finished.
        with suppress(RuntimeError):  # Ctrl-C while the pool's own thread was starting
            pool.shutdown(wait=True, cancel_futures=True)
        _WORK.pop()
        gc.unfreeze()


_WORK: list[tuple[Callable[[Any], Any], Sequence[Any]]] = []
"""The one call under way, for the forked workers: the only state they inherit."""


def _call(index: int) -> Any:
    function, items = _WORK[-1]
    return function(items[index])


def _quiet_worker(parent: int) -> None:
    # Ctrl-C reaches every process of the terminal; the parent alone decides what happens,
    # so workers print no traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """A worker ends when its build does, even one killed outright (SIGKILL, out of memory):
    left running, it would keep the site's build lock it inherited, and every later build
    would wait for it."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1
