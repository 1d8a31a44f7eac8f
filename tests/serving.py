"""`coursepress serve` as a real subprocess on a free port, for the serve tests."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Served:
    url: str
    """The printed address, e.g. http://127.0.0.1:41234/course/."""
    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return self.url.split("/", 3)[0] + "//" + self.url.split("/", 3)[2]

    def wait_for_line(self, text: str, timeout: float = 20) -> str:
        """The next output line (stdout or stderr) containing `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout} s; saw {self.seen}")

    def has_printed(self, text: str, timeout: float = 20) -> str:
        """A line with `text`, printed before now or within `timeout` (stdout and stderr are
        read separately, so their order is not kept)."""
        earlier = next((line for line in self.seen if text in line), None)
        return earlier if earlier is not None else self.wait_for_line(text, timeout)

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return fetch(self.origin + path)


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    """GET without following redirects: (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _pump(stream: object, lines: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line.rstrip("\n"))


@contextmanager
def serving(site: Path, *args: str, tmpdir: Path | None = None) -> Iterator[Served]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    process = subprocess.Popen(
        [sys.executable, "-m", "coursepress", "serve", "--port", "0", *args],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    for stream in (process.stdout, process.stderr):
        threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()
    served = Served(url="", process=process, lines=lines)
    try:
        line = served.wait_for_line("Serving ")
        served.url = line.split(" at ", 1)[1].split(" ", 1)[0]
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
