"""`python -m coursepress` and the `coursepress` command."""

from __future__ import annotations

import signal
import sys


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run() -> None:
    # SIGTERM stops as Ctrl-C does, from the first moment: even while the modules load.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        from coursepress.cli import main
    except KeyboardInterrupt:  # stopped while starting: nothing has been written
        sys.stderr.write("interrupted; the previous site is unchanged\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
