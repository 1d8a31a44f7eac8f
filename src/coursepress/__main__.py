"""`python -m coursepress` and the `coursepress` command."""

from __future__ import annotations

import signal
import sys


def stop_as_on_ctrl_c(signum: int, frame: object) -> None:
    """A signal handler (SIGTERM): stop the way Ctrl-C does, cleaning up on the way out."""
    raise KeyboardInterrupt


def run() -> None:
    # SIGTERM stops as Ctrl-C does, from the first moment: even while the modules load.
    signal.signal(signal.SIGTERM, stop_as_on_ctrl_c)
    try:
        from coursepress.cli import main
    except KeyboardInterrupt:  # stopped while starting: nothing has been written
        sys.stderr.write("interrupted; the previous site is unchanged\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
