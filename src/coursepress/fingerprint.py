"""What, besides a site, decides what coursepress makes of it: coursepress's version and code,
and the versions of the libraries that shape its output. Every cache keys its entries with it:
the build cache's entries and the theme's compiled templates."""

from __future__ import annotations

import hashlib
import os
import sys
from contextlib import suppress
from pathlib import Path

from coursepress import __version__

# Everything besides the site itself that decides its output: a new release of any of these
# gives every entry a new key.
_TOOLS = (
    "markdown-it-py",
    "mdit-py-plugins",
    "pygments",
    "quickjs-ng",
    "linkify-it-py",
    "jinja2",
    "nh3",
)


def _code_digest() -> str:
    """coursepress's own code: a changed checkout (same version number) renders anew."""
    package = Path(__file__).parent
    hashed = hashlib.sha256()
    for path in sorted([*package.rglob("*.py"), *package.glob("vendor/*")]):
        hashed.update(path.read_bytes())
    return hashed.hexdigest()[:16]


def _versions(tools: tuple[str, ...]) -> list[str]:
    """`name=version` of each tool, read from the names of the `name-version.dist-info`
    folders installers make; importlib.metadata, which reads them too, costs 20 ms of every
    build's start-up to import, so it is asked only about a tool not found that way."""
    wanted = {_normalized(tool): tool for tool in tools}
    found: dict[str, str] = {}
    for folder in sys.path:
        with suppress(OSError):
            for entry in os.listdir(folder or "."):
                name, _, rest = entry.partition("-")
                if entry.endswith(".dist-info") and _normalized(name) in wanted:
                    found.setdefault(wanted[_normalized(name)], rest.removesuffix(".dist-info"))
    if len(found) < len(tools):
        from importlib.metadata import version

        found |= {tool: version(tool) for tool in tools if tool not in found}
    return [f"{tool}={found[tool]}" for tool in tools]


def _normalized(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


FINGERPRINT = "|".join([__version__, _code_digest(), *_versions(_TOOLS)])
