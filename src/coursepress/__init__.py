"""coursepress: a static site generator for course blogs."""

import time

__version__ = "0.1.0"

LOADED_AT = time.perf_counter()
"""When coursepress's first module loaded: `build --profile` shows the time from here to the
build's start as its own line (the modules a command imports before it begins)."""
