"""The Markdown cache in `.coursepress-cache/`: a page's rendered Markdown, keyed by everything
that can change it. A warm build renders only the pages whose input changed; deleting the
folder is always safe."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from importlib.metadata import version
from pathlib import Path

from coursepress import __version__
from coursepress.markdown import RenderedMarkdown

CACHE_DIR = ".coursepress-cache"
# Everything besides the page itself that decides its HTML: a new release of any of these
# gives every page a new key.
_TOOLS = ("markdown-it-py", "mdit-py-plugins", "pygments", "latex2mathml", "linkify-it-py")
_FINGERPRINT = "|".join([__version__, *(f"{tool}={version(tool)}" for tool in _TOOLS)])


class MarkdownCache:
    def __init__(self, site_dir: Path) -> None:
        self.root = site_dir / CACHE_DIR / "markdown"

    @staticmethod
    def key(*parts: object) -> str:
        digest = hashlib.sha256(_FINGERPRINT.encode())
        for part in parts:
            digest.update(b"\0" + repr(part).encode())
        return digest.hexdigest()

    def get(self, key: str) -> RenderedMarkdown | None:
        """The cached result; None when missing, truncated, corrupt or from another version."""
        try:
            loaded = pickle.loads(self._path(key).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
            return None
        return loaded if isinstance(loaded, RenderedMarkdown) else None

    def put(self, key: str, rendered: RenderedMarkdown) -> None:
        """Written to a temporary file and renamed, so a reader never sees half an entry."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(rendered, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pickle"
