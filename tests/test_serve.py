"""`coursepress serve` as users run it: a real server on 127.0.0.1, real files edited on disk."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from benchmarks.corpus import write_corpus

from coursepress.serve.livereload import script_tag
from coursepress.serve.server import Refused, resolve_request
from tests.conftest import run_cli, snapshot, write_files
from tests.serving import serving

POST = '+++\ntitle = "{title}"\ndate = 2024-01-10\n{extra}+++\n\n{body}\n'


def course(root: Path, base_url: str = "https://example.github.io/course/") -> Path:
    return write_files(
        root / "site",
        {
            "site.toml": f'title = "Course"\nbase_url = "{base_url}"\n',
            "content/posts/a.md": POST.format(title="A", extra="", body="First text."),
            "content/posts/draft.md": POST.format(title="D", extra="draft = true\n", body="Wip."),
            "static/css/extra.css": "body { color: black; }\n",
        },
    )


def events_state(origin: str) -> dict[str, object]:
    """The first state event the live-reload stream sends."""
    with socket.create_connection(tuple(origin.split("//")[1].split(":")), timeout=10) as conn:  # type: ignore[arg-type]
        conn.sendall(b"GET /__coursepress/events HTTP/1.0\r\n\r\n")
        data = b""
        while b"\n\n" not in data.split(b"\r\n\r\n", 1)[-1]:
            data += conn.recv(4096)
    body = data.split(b"\r\n\r\n", 1)[1].decode()
    return json.loads(body.split("data: ", 1)[1].split("\n", 1)[0])  # type: ignore[no-any-return]


def test_serves_under_the_base_path_with_a_reload_script(tmp_path: Path) -> None:
    site = course(tmp_path)
    with serving(site) as served:
        assert served.url.endswith("/course/")
        status, headers, _ = served.get("/")
        assert (status, headers["Location"]) == (302, "/course/")
        status, headers, page = served.get("/course/posts/a/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert "First text." in page
        assert '<script src="/__coursepress/live.js" data-build="1"></script></body>' in page
        assert served.get("/course/posts/a")[1]["Location"] == "/course/posts/a/"
        assert served.get("/course/css/extra.css")[2] == "body { color: black; }\n"
        status, _, page = served.get("/posts/a/")  # outside the base path
        assert status == 404 and "Page not found" in page


def test_missing_pages_get_the_site_404_page(tmp_path: Path) -> None:
    with serving(course(tmp_path)) as served:
        status, _, page = served.get("/course/no/such/page/")
        assert status == 404
        assert "<title>Page not found · Course</title>" in page
        assert "/__coursepress/live.js" in page


def test_drafts_are_shown_with_a_badge_unless_no_drafts(tmp_path: Path) -> None:
    site = course(tmp_path)
    with serving(site) as served:
        status, _, page = served.get("/course/posts/draft/")
        assert status == 200 and '<span class="badge">Draft</span>' in page
    with serving(site, "--no-drafts") as served:
        assert served.get("/course/posts/draft/")[0] == 404
        assert "drafts hidden" in served.seen[-1]


@pytest.mark.parametrize(
    "path",
    [
        "/course/../site.toml",
        "/course/%2e%2e/site.toml",
        "/course/%2E%2E/%2E%2E/etc/passwd",
        "/course/posts%2f..%2f..%2fsite.toml",
        "/course/..%5csite.toml",
        "/course/%00/index.html",
    ],
)
def test_requests_outside_the_site_are_refused(tmp_path: Path, path: str) -> None:
    with serving(course(tmp_path)) as served:
        host, port = served.origin.split("//")[1].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
            reply = b""
            while chunk := conn.recv(4096):
                reply += chunk
        assert reply.startswith(b"HTTP/1.0 403"), reply[:200]
        assert b"base_url" not in reply


def test_absolute_form_requests_are_refused(tmp_path: Path) -> None:
    with serving(course(tmp_path)) as served:
        host, port = served.origin.split("//")[1].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(b"GET http://example.org/etc/passwd HTTP/1.0\r\n\r\n")
            reply = conn.recv(4096)
        assert reply.startswith(b"HTTP/1.0 403")


def test_symlinks_that_lead_out_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "served"
    (root / "inside").mkdir(parents=True)
    (root / "inside" / "index.html").write_text("ok")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (root / "dir-leak").symlink_to(tmp_path)
    assert resolve_request(root, "/inside/", "/") == (root / "inside" / "index.html").resolve()
    assert isinstance(resolve_request(root, "/leak.txt", "/"), Refused)
    assert isinstance(resolve_request(root, "/dir-leak/secret.txt", "/"), Refused)
    assert resolve_request(root, "/missing.txt", "/") is None


def test_the_reload_script_never_reaches_build_output(tmp_path: Path) -> None:
    site = course(tmp_path)
    assert run_cli("build", "--drafts", cwd=site).returncode == 0
    built = snapshot(site / "public")
    assert not [name for name, data in built.items() if b"__coursepress" in data]


def test_edits_rebuild_and_failures_keep_the_last_good_site(tmp_path: Path) -> None:
    site = course(tmp_path)
    post = site / "content/posts/a.md"
    with serving(site) as served:
        post.write_text(POST.format(title="A", extra="", body="Second text."))
        line = served.wait_for_line("content/posts/a.md changed")
        assert " built in " in line
        assert "Second text." in served.get("/course/posts/a/")[2]
        assert events_state(served.origin) == {"build": 2, "error": None, "cssOnly": False}

        post.write_text('+++\ntitle = "A\n+++\nBroken.\n')
        served.wait_for_line("rebuild failed (content/posts/a.md changed)")
        assert served.wait_for_line("content/posts/a.md:2: invalid TOML")
        status, _, page = served.get("/course/posts/a/")
        assert status == 200 and "Second text." in page  # the last good build
        state = events_state(served.origin)
        assert state["build"] == 2
        assert str(state["error"]).startswith(
            "content/posts/a.md:2: invalid TOML: the line ends inside quoted text"
        )

        post.write_text(POST.format(title="A", extra="", body="Third text."))
        served.wait_for_line("content/posts/a.md changed")
        assert events_state(served.origin) == {"build": 3, "error": None, "cssOnly": False}
        assert "Third text." in served.get("/course/posts/a/")[2]

        (site / "static/css/extra.css").write_text("body { color: navy; }\n")
        served.wait_for_line("static/css/extra.css changed")
        assert events_state(served.origin)["cssOnly"] is True


def test_a_port_in_use_gets_a_clear_message(tmp_path: Path) -> None:
    site = course(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "coursepress", "serve", "--port", str(port)],
            cwd=site,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.startswith(f"coursepress: port {port} on 127.0.0.1 is already in use\n")
    assert "  hint: stop the other server, or use --port " in result.stderr
    assert "Traceback" not in result.stderr


def test_binding_all_interfaces_warns(tmp_path: Path) -> None:
    with serving(course(tmp_path), "--bind", "0.0.0.0") as served:
        served.has_printed("warning: serving on all network interfaces")
        assert served.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_stopping_is_clean_and_removes_the_build_folder(tmp_path: Path, stop_signal: int) -> None:
    site = course(tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with serving(site, tmpdir=scratch) as served:
        assert next(p.name for p in scratch.iterdir()).startswith("coursepress-serve-")
        served.process.send_signal(stop_signal)
        served.process.wait(timeout=10)
        time.sleep(0.2)
        rest = "".join(served.process.stderr.read() if served.process.stderr else "")
        assert "Traceback" not in rest + "\n".join(served.seen)
        assert served.process.returncode == 0
    assert list(scratch.iterdir()) == []
    assert not (site / "public").exists()  # serve never writes public/


def test_first_build_failure_still_serves_and_recovers(tmp_path: Path) -> None:
    site = course(tmp_path)
    post = site / "content/posts/a.md"
    post.write_text("+++\ndraft = True\n+++\n")
    with serving(site) as served:
        status, _, page = served.get("/course/")
        assert status == 404 and "content/posts/a.md:2: invalid TOML" in page
        post.write_text(POST.format(title="A", extra="", body="Fixed."))
        served.wait_for_line("content/posts/a.md changed")
        assert "Fixed." in served.get("/course/posts/a/")[2]


def test_an_edit_rerenders_only_what_shows_it_and_serves_what_build_writes(
    tmp_path: Path,
) -> None:
    site = write_corpus(tmp_path / "corpus", posts=12, seed=4)
    post = site / "content/posts/post-00003.md"
    with serving(site) as served:
        post.write_text(post.read_text() + "\nA sentence added while serving.\n")
        line = served.wait_for_line("content/posts/post-00003.md changed")
        work = line.split("rendered again: ", 1)[1].split(")", 1)[0]
        pages, files = (part.split(" of ") for part in work.split(", "))
        assert pages[0] == "1"  # only the edited post's Markdown
        rendered, total = int(files[0]), int(files[1].split()[0])
        assert 0 < rendered < total / 2  # the post, and the lists and feeds that show it

        # The search index follows in a rebuild of its own (Pagefind runs beside serve's
        # rebuilds); once it is there, every file serve has is the one a full build of the
        # same site writes.
        served.wait_for_line("the search index, made meanwhile", timeout=180)
        full = run_cli("build", "--drafts", "--no-cache", "-o", str(tmp_path / "full"), cwd=site)
        assert full.returncode == 0, full.stderr
        built = snapshot(tmp_path / "full")
        assert b"sentence added while serving" in built["posts/post-00003/index.html"]
        for name, data in built.items():
            if name == ".coursepress":
                continue
            with urllib.request.urlopen(f"{served.origin}/bench/{name}", timeout=10) as response:
                body = response.read()
            if name.endswith(".html"):
                number = body.rsplit(b'data-build="', 1)[1].split(b'"', 1)[0]
                body = body.replace(script_tag(int(number)), b"")
            assert body == data, name


def test_a_killed_serve_leaves_a_folder_the_next_one_removes(tmp_path: Path) -> None:
    site = course(tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with serving(site, tmpdir=scratch) as served:
        served.process.kill()  # SIGKILL: no clean-up
        served.process.wait(timeout=10)
    (left,) = list(scratch.iterdir())
    assert left.name.startswith(f"coursepress-serve-{served.process.pid}-")
    with serving(site, tmpdir=scratch):
        assert not left.exists()
        assert len(list(scratch.iterdir())) == 1  # its own


def test_a_swapped_content_folder_is_rebuilt(tmp_path: Path) -> None:
    site = course(tmp_path)
    replacement = tmp_path / "content.new"
    write_files(replacement, {"posts/a.md": POST.format(title="A", extra="", body="Swapped in.")})
    with serving(site) as served:
        (site / "content").rename(tmp_path / "content.old")
        replacement.rename(site / "content")  # `mv` keeps each folder's time
        deadline = time.monotonic() + 30
        while "Swapped in." not in served.get("/course/posts/a/")[2]:
            served.wait_for_line(" built in ", timeout=max(0.1, deadline - time.monotonic()))


def test_an_edited_bibliography_rebuilds_the_pages_that_cite_it(tmp_path: Path) -> None:
    bib = "@book{doe2020, title={First Title}, author={Doe, Jane}, publisher={P}, year={2020}}\n"
    site = write_files(
        tmp_path / "site",
        {
            "site.toml": 'title = "Course"\nbibliography = "refs/course.bib"\n',
            "refs/course.bib": bib,
            "content/posts/a.md": POST.format(title="A", extra="", body="As [@doe2020] says."),
        },
    )
    with serving(site) as served:
        assert "First Title" in served.get("/posts/a/")[2]
        (site / "refs/course.bib").write_text(bib.replace("First Title", "Second Title"))
        served.wait_for_line("refs/course.bib changed")
        assert "Second Title" in served.get("/posts/a/")[2]
