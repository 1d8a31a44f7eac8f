"""The HTTP side of `serve`: files of the current good build, under the base path, and nothing
outside it; the live-reload script and event stream."""

from __future__ import annotations

import errno
import mimetypes
import shutil
import socket
import threading
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from coursepress.errors import SiteError
from coursepress.serve.livereload import (
    EVENTS_PATH,
    LIVE_JS,
    SCRIPT_PATH,
    Broadcaster,
    BuildState,
    inject,
)

KEEPALIVE_SECONDS = 15.0
ALL_INTERFACES = ("0.0.0.0", "::", "")


class ServeError(SiteError):
    """The server cannot start (port in use, address not available)."""


@dataclass(frozen=True, slots=True)
class Refused:
    """A request path that tries to leave the site."""

    reason: str


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # a burst of page loads and reload connections is not dropped

    def __init__(self, address: tuple[str, int], broadcaster: Broadcaster) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, SiteHandler)
        self.broadcaster = broadcaster
        self.base_path = "/"
        self._root: Path | None = None
        self._root_lock = threading.Lock()

    def answers_host(self, host: str | None) -> bool:
        """On a loopback address, only requests for a loopback name or the address itself:
        a web page that points its own host name at 127.0.0.1 (DNS rebinding) cannot read
        the drafts. Bound elsewhere (`--bind`), the server is meant to be reached by name."""
        bound = str(self.server_address[0])
        if bound not in LOOPBACK_NAMES and not bound.startswith("127."):
            return True
        if host is None:  # HTTP/1.0 without a Host header: no name to have been rebound
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in LOOPBACK_NAMES or name == bound

    def switch_root(self, root: Path, base_path: str) -> None:
        """Serve a new build from now on; the previous one is deleted once no request reads it."""
        with self._root_lock:
            previous, self._root, self.base_path = self._root, root, base_path
        if previous is not None and previous != root:
            with self._root_lock:
                shutil.rmtree(previous, ignore_errors=True)

    def open_file(self, request_path: str) -> tuple[Path, Any] | Refused | None:
        """The file for a request path, opened, or Refused, or None when there is none."""
        with self._root_lock:
            if self._root is None:
                return None
            found = resolve_request(self._root, request_path, self.base_path)
            if found is None or isinstance(found, Refused):
                return found
            return found, found.open("rb")

    def not_found_page(self) -> bytes | None:
        with self._root_lock:
            page = self._root / "404.html" if self._root else None
            return page.read_bytes() if page and page.is_file() else None


def resolve_request(root: Path, request_path: str, base_path: str) -> Path | Refused | None:
    """Map a URL path to a file under root. Anything that could lead outside is Refused:
    `..` segments (also %-encoded), encoded slashes, backslashes, NUL bytes, and symlinks
    whose target is outside the site."""
    lowered = request_path.lower()
    if not request_path.startswith("/") or "%2f" in lowered or "%5c" in lowered:
        return Refused("not a plain path")
    decoded = unquote(request_path)
    if "\0" in decoded or "\\" in decoded:
        return Refused("forbidden character")
    parts = decoded.split("/")
    if ".." in parts:
        return Refused("'..' in the path")
    if not decoded.startswith(base_path):
        return None
    inside = [part for part in decoded[len(base_path) :].split("/") if part and part != "."]
    candidate = root.joinpath(*inside)
    real_root = root.resolve()
    real = candidate.resolve()
    if not real.is_relative_to(real_root):
        return Refused("leads outside the site")
    if real.is_dir():
        real = real / "index.html"
    return real if real.is_file() else None


class SiteHandler(BaseHTTPRequestHandler):
    server: SiteServer
    server_version = "coursepress"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per rebuild is what the terminal shows, not one per request

    def _respond(self, send_body: bool) -> None:
        if not self.server.answers_host(self.headers.get("Host")):
            self._send(
                HTTPStatus.MISDIRECTED_REQUEST, "text/plain", b"Refused: unknown host\n", send_body
            )
            return
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == EVENTS_PATH:
            self._stream_events()
            return
        if path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, "text/javascript", LIVE_JS.encode(), send_body)
            return
        base = self.server.base_path
        if path in ("/", base.rstrip("/")) and base != "/":
            self._redirect(base)
            return
        found = self.server.open_file(path)
        if isinstance(found, Refused):
            self._send(
                HTTPStatus.FORBIDDEN, "text/plain", b"Refused: outside the site\n", send_body
            )
            return
        if found is None:
            self._not_found(send_body)
            return
        file_path, handle = found
        with handle:
            if file_path.name == "index.html" and not path.endswith(("/", ".html")):
                self._redirect(path + "/")
                return
            self._send_file(file_path, handle.read(), send_body)

    def _send_file(self, path: Path, body: bytes, send_body: bool) -> None:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html":
            body = inject(body, self.server.broadcaster.state.number)
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(HTTPStatus.OK, kind, body, send_body)

    def _not_found(self, send_body: bool) -> None:
        page = self.server.not_found_page()
        state = self.server.broadcaster.state
        if page is None:
            page = _waiting_page(state)
        self._send(
            HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", inject(page, state.number), send_body
        )

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _stream_events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        broadcaster = self.server.broadcaster
        state = broadcaster.state
        try:
            self._write_event(state.as_event())
            while not broadcaster.closed:
                new = broadcaster.wait_for_change(state, KEEPALIVE_SECONDS)
                if new is not None:
                    state = new
                    self._write_event(state.as_event())
                elif not broadcaster.closed:
                    self._write_event(b": keep-alive\n\n")
        except OSError:
            pass  # the page was closed or reloaded

    def _write_event(self, event: bytes) -> None:
        self.wfile.write(event)
        self.wfile.flush()


def _waiting_page(state: BuildState) -> bytes:
    text = escape(state.error or "The site is being built.")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>coursepress</title></head>"
        f"<body><h1>No page here yet</h1><pre>{text}</pre></body></html>"
    ).encode()


def start_server(bind: str, port: int, broadcaster: Broadcaster) -> SiteServer:
    """Listen on bind:port (port 0: any free port); a port in use is a clear error."""
    try:
        return SiteServer((bind, port), broadcaster)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            free = next_free_port(bind, port + 1)
            raise ServeError(
                f"port {port} on {bind} is already in use",
                hint=f"stop the other server, or use --port {free} (free now)",
            ) from None
        raise ServeError(
            f"cannot listen on {bind}:{port}: {error.strerror}",
            hint="check --bind; the default 127.0.0.1 always works",
        ) from None


def next_free_port(bind: str, start: int) -> int:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    for candidate in range(start, min(start + 100, 65536)):
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((bind, candidate))
            except OSError:
                continue
            return candidate
    return 0
