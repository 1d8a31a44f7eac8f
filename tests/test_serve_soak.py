"""`serve` under load, on 127.0.0.1: 50 clients, half of them fetching pages without pause and
half holding live-reload connections, while a post is saved and the site rebuilt again and
again. No request may fail; the server's threads and open files return to where they were,
and its memory stays flat across the rebuilds.

Bounded in the suite (SOAK_REBUILDS, default 120); a longer soak is one command:

    SOAK_REBUILDS=1000 .venv/bin/python -m pytest -s tests/test_serve_soak.py
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.corpus import write_corpus

from tests.serving import Served, serving

CLIENTS = 50
REBUILDS = int(os.environ.get("SOAK_REBUILDS", "120"))


def process_figures(pid: int) -> tuple[int, int, float]:
    """(threads, open file descriptors, resident MB) of a running process (Linux /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    threads = int(fields["Threads"])
    rss = int(fields["VmRSS"].split()[0]) / 1024
    return threads, len(os.listdir(f"/proc/{pid}/fd")), rss


def rebuild(served: Served, post: Path, number: int) -> None:
    post.write_text(post.read_text() + f"\nSoak edit {number}.\n")
    served.wait_for_line("post-00002.md changed", timeout=30)


class Clients:
    def __init__(self, origin: str, paths: list[str]) -> None:
        self.origin, self.paths = origin, paths
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.fetched = 0
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self.fetch if n % 2 else self.listen, daemon=True)
            for n in range(CLIENTS)
        ]

    def fetch(self) -> None:
        while not self.stop.is_set():
            path = random.choice(self.paths)
            try:
                with urllib.request.urlopen(self.origin + path, timeout=20) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, OSError) as error:
                ok, path = False, f"{path}: {error}"
            with self.lock:
                self.fetched += 1
                if not ok:
                    self.failures.append(path)

    def listen(self) -> None:
        host, port = self.origin.split("//")[1].split(":")
        try:
            with socket.create_connection((host, int(port)), timeout=30) as connection:
                request = f"GET /__coursepress/events HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
                connection.sendall(request.encode())
                connection.settimeout(0.5)
                head = b""
                while not self.stop.is_set():
                    try:
                        data = connection.recv(4096)
                    except TimeoutError:
                        continue
                    if not data:
                        raise ConnectionError("the server closed a live-reload connection")
                    head += data if len(head) < 64 else b""
                if not head.startswith(b"HTTP/1.") or b" 200 " not in head[:20]:
                    raise ConnectionError(f"live reload answered {head[:40]!r}")
        except OSError as error:
            with self.lock:
                self.failures.append(f"events: {error}")

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_serve_under_load_stays_correct_and_flat(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=12, seed=8)
    post = site / "content/posts/post-00002.md"
    with serving(site, "--no-drafts") as served:
        pid = served.process.pid
        paths = ["/bench/", "/bench/posts/", "/bench/posts/post-00001/", "/bench/tags/"]
        paths += ["/bench/posts/post-00002/", "/bench/css/style.css", "/bench/feed.xml"]
        for number in range(10):  # warm up: caches filled, first-use allocations made
            rebuild(served, post, number)
        time.sleep(0.5)
        threads_before, fds_before, rss_before = process_figures(pid)
        with Clients(served.origin, paths) as clients:
            time.sleep(1)
            rss_loaded = process_figures(pid)[2]
            started = time.perf_counter()
            samples = []
            for number in range(10, 10 + REBUILDS):
                rebuild(served, post, number)
                if (number - 9) % (REBUILDS // 4) == 0:
                    samples.append(process_figures(pid)[2])
            seconds = time.perf_counter() - started
            rss_after = process_figures(pid)[2]
        rebuild(served, post, 10 + REBUILDS)  # wakes the live-reload threads whose client left
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            threads_after, fds_after, _ = process_figures(pid)
            if threads_after <= threads_before and fds_after <= fds_before:
                break
            time.sleep(0.2)
        figures = (
            f"{REBUILDS} rebuilds in {seconds:.1f} s with {CLIENTS} clients; "
            f"{clients.fetched} pages fetched, {len(clients.failures)} failed; "
            f"threads {threads_before} → {threads_after}, open files {fds_before} → "
            f"{fds_after}; memory {rss_before:.0f} MB idle, {rss_loaded:.0f} MB loaded, "
            f"{rss_after:.0f} MB after (by quarters: "
            f"{', '.join(f'{mb:.0f}' for mb in samples)} MB)"
        )
        print(f"\n{figures}")
        assert clients.failures == [], figures
        assert clients.fetched > REBUILDS, figures
        assert threads_after <= threads_before and fds_after <= fds_before, figures
        # Flat: the second half of the rebuilds adds (next to) nothing to what the first took.
        assert samples[-1] - samples[len(samples) // 2 - 1] < 6, figures
        assert rss_after - rss_loaded < 25, figures
        status, _, page = served.get("/bench/posts/post-00002/")
        assert status == 200 and f"Soak edit {9 + REBUILDS}." in page
