"""`python -m coursepress` and the `coursepress` command."""

from __future__ import annotations

import os
import signal
from typing import Any

STOPPED = "interrupted; the previous site is unchanged"
STOPPED_AFTER_PUBLISHING = "interrupted; the new site was already in place, whole"


def stop_as_on_ctrl_c(signum: int, frame: object) -> None:
    """A signal handler (SIGTERM): stop the way Ctrl-C does, cleaning up on the way out."""
    raise KeyboardInterrupt


def _stop_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM before a command has begun (while modules load, while click reads
    the arguments): nothing has been written, so stop at once, with the usual message and
    not click's `Aborted!`."""
    os.write(2, f"{STOPPED}\n".encode())
    os._exit(130)


def stop_cleanly_from_now() -> None:
    """Called as a command begins: from now on it may write, so Ctrl-C and SIGTERM raise
    KeyboardInterrupt and the command cleans up on the way out."""
    # Not compared with _stop_while_starting: under `python -m` this module is loaded twice.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop_as_on_ctrl_c)


def run() -> None:
    # From the first moment, even while the modules load. Ctrl-C stays ignored where the
    # shell started coursepress with it ignored (a background job).
    handlers: dict[int, Any] = {signal.SIGTERM: _stop_while_starting}
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        handlers[signal.SIGINT] = _stop_while_starting
    for signum, handler in handlers.items():
        signal.signal(signum, handler)
    from coursepress.cli import main

    main()


if __name__ == "__main__":
    run()
