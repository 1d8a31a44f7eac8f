"""The Markdown cache in `.coursepress-cache/`: a page's rendered Markdown, keyed by everything
that can change it. A warm build renders only the pages whose input changed; deleting the
folder is always safe."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import Any

from coursepress import __version__
from coursepress.errors import Diagnostic, Severity
from coursepress.markdown import Heading, RenderedMarkdown

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
        """The cached result; None when missing, truncated, corrupt or from another version.

        Entries are plain JSON, never pickle: a cache folder someone else wrote cannot run code.
        """
        try:
            return _from_json(json.loads(self._path(key).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, rendered: RenderedMarkdown) -> None:
        """Written to a temporary file and renamed, so a reader never sees half an entry."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(_to_json(rendered), stream)
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"


def _to_json(rendered: RenderedMarkdown) -> dict[str, Any]:
    return {
        "html": rendered.html,
        "summary_html": rendered.summary_html,
        "first_heading": rendered.first_heading,
        "headings": [[h.level, h.id, h.text] for h in rendered.headings],
        "words": rendered.words,
        "warnings": [
            [str(w.path), w.line, w.message, w.hint, w.code, w.severity.value, w.column]
            for w in rendered.warnings
        ],
    }


def _from_json(data: dict[str, Any]) -> RenderedMarkdown:
    return RenderedMarkdown(
        html=str(data["html"]),
        summary_html=str(data["summary_html"]),
        first_heading=data["first_heading"],
        headings=tuple(
            Heading(int(level), str(id_), str(text)) for level, id_, text in data["headings"]
        ),
        words=int(data["words"]),
        warnings=tuple(
            Diagnostic(message, PurePosixPath(path), line, hint, code, Severity(severity), column)
            for path, line, message, hint, code, severity, column in data["warnings"]
        ),
    )
