"""Real parts for page-behaviour tests: a static HTTP server on 127.0.0.1 and headless Chromium."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
# Flags from this machine's notes: without the background-networking ones Chromium keeps
# trying to reach Google's hosts, which a closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip on a laptop without Chromium; fail in CI, which installs it."""
    if Path(CHROMIUM).exists() and shutil.which("chromium"):
        return
    message = f"{CHROMIUM} is not installed (Debian package 'chromium')"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class _MountedHandler(SimpleHTTPRequestHandler):
    """Serves the folder under a path prefix, as GitHub Pages serves a project site."""

    mount = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.mount):
            return str(Path(self.directory) / "(outside the mount)" / "none")
        return super().translate_path("/" + path[len(self.mount) :])

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server(root: Path, mount: str = "/") -> Iterator[str]:
    """Serve `root` at `mount` on 127.0.0.1, on a free port; yields the origin
    (`http://127.0.0.1:8123`). Paths outside the mount are 404, as on the real host."""
    handler_class = type("Handler", (_MountedHandler,), {"mount": mount})
    handler = functools.partial(handler_class, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


AXE = Path(__file__).resolve().parent.parent / "tools" / "axe" / "node_modules" / "axe-core"


def _load_axe(page: Any) -> None:
    script = AXE / "axe.min.js"
    if not script.exists():
        message = f"{script} is missing: run `npm ci --prefix tools/axe`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    page.add_script_tag(content=script.read_text(encoding="utf-8"))


def axe_serious(page: Any) -> list[str]:
    """Every axe-core rule's violations of serious or critical impact, one line each."""
    _load_axe(page)
    found = page.evaluate(
        "() => axe.run(document).then((r) => r.violations"
        ".filter((v) => v.impact === 'serious' || v.impact === 'critical')"
        ".map((v) => v.id + ': ' + v.nodes.map((n) => n.target).join(' ')))"
    )
    return list(found)


def axe_violations(page: Any, rules: list[str]) -> list[str]:
    """axe-core's violations of `rules` on the page as it is now, one line each."""
    _load_axe(page)
    found = page.evaluate(
        "(rules) => axe.run(document, {runOnly: {type: 'rule', values: rules}}).then((r) =>"
        " r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target).join(' ')))",
        rules,
    )
    return list(found)


@contextmanager
def chromium_page() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()
