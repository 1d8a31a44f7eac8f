"""coursepress: a static site generator for course blogs."""

__version__ = "0.1.0"
