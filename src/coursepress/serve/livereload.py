"""Live reload for `serve`: build state broadcast to open pages over Server-Sent Events.

Every page served by `serve` (never a built file) gets one script tag. The script listens to
/__coursepress/events: after a good rebuild the page reloads (or, for a stylesheet change,
swaps its stylesheets); after a failed one it shows the error over the page until the next
good rebuild. On every (re)connection the server says which build is current, so a page that
missed an event while its connection was down still catches up.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

EVENTS_PATH = "/__coursepress/events"
SCRIPT_PATH = "/__coursepress/live.js"


@dataclass(frozen=True, slots=True)
class BuildState:
    """What every open page should be showing."""

    number: int
    """Counts good builds; a page served with an older number reloads."""
    error: str | None = None
    """`path:line: message` and hint of the last failed rebuild, until the next good one."""
    css_only: bool = False
    """The last good rebuild changed stylesheets only: swap them instead of reloading."""

    def as_event(self) -> bytes:
        data = json.dumps({"build": self.number, "error": self.error, "cssOnly": self.css_only})
        return f"event: state\ndata: {data}\n\n".encode()


class Broadcaster:
    """The current BuildState, and a way for event streams to wait for the next one."""

    def __init__(self) -> None:
        self._state = BuildState(number=0)
        self._changed = threading.Condition()
        self._closed = False

    @property
    def state(self) -> BuildState:
        with self._changed:
            return self._state

    def publish(self, state: BuildState) -> None:
        with self._changed:
            self._state = state
            self._changed.notify_all()

    def wait_for_change(self, seen: BuildState, timeout: float) -> BuildState | None:
        """The new state once it differs from `seen`; None on timeout or when closing."""
        with self._changed:
            self._changed.wait_for(lambda: self._state != seen or self._closed, timeout)
            if self._closed or self._state == seen:
                return None
            return self._state

    def close(self) -> None:
        """Wake every waiting stream so that the server can stop."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


def script_tag(build_number: int) -> bytes:
    return f'<script src="{SCRIPT_PATH}" data-build="{build_number}"></script>'.encode()


def inject(html: bytes, build_number: int) -> bytes:
    """The page with the live-reload script before `</body>` (or at the end)."""
    tag = script_tag(build_number)
    position = html.lower().rfind(b"</body>")
    if position == -1:
        return html + tag
    return html[:position] + tag + html[position:]


LIVE_JS = (Path(__file__).parent / "livereload.js").read_text(encoding="utf-8")
