"""What contributors' files cannot do: leak a file from outside the site, collide on a checkout,
break the build with their size or names; and what interruptions and a second build cannot do:
leave a half-written site, temporary folders, or a damaged cache."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from benchmarks.corpus import write_corpus

from tests.conftest import run_cli, snapshot

Maker = Callable[[dict[str, str | bytes]], Path]
POST = '+++\ntitle = "{title}"\ndate = 2023-09-01\n+++\n\n{body}\n'


def test_links_that_lead_outside_the_site_are_not_followed(
    make_site: Maker, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the exam answers")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "key.pem").write_text("BEGIN PRIVATE KEY")
    site = make_site({"content/posts/a.md": POST.format(title="A", body="Text.")})
    (site / "static").mkdir()
    (site / "static/answers.txt").symlink_to(secret)
    (site / "content/notes").symlink_to(outside, target_is_directory=True)
    (site / "static/ok.txt").write_text("fine")
    (site / "static/alias.txt").symlink_to(site / "static/ok.txt")  # inside: followed

    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "content/notes: warning: not published: this folder is a symbolic link, and links to "
        "folders are not followed\n"
        "  hint: move or copy the folder into the site folder\n"
        "static/answers.txt: warning: not published: this is a symbolic link to a file outside "
        "the site folder\n"
        "  hint: copy the file into the site folder if it belongs on the site\n"
    )
    published = snapshot(site / "public")
    assert not any(b"exam answers" in data or b"PRIVATE KEY" in data for data in published.values())
    assert published["alias.txt"] == b"fine"


def test_outputs_that_differ_only_in_case_are_reported(make_site: Maker) -> None:
    site = make_site(
        {
            "content/posts/a.md": POST.format(title="A", body="Text."),
            "static/Slides.pdf": b"%PDF-1.4\n",
            "static/slides.pdf": b"%PDF-1.4\n",
            "content/Files/w1.pdf": b"%PDF-1.4\n",
            "static/files/w2.pdf": b"%PDF-1.4\n",
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "static/files/w2.pdf: warning: the output files differs from Files only in letter "
        "case; on macOS and Windows they are the same path, and one overwrites the other\n"
        "  hint: rename one of them (or give it another slug) so that the names differ in more "
        "than case\n"
        "static/slides.pdf: warning: the output slides.pdf differs from Slides.pdf only in "
        "letter case; on macOS and Windows they are the same path, and one overwrites the other\n"
        "  hint: rename one of them (or give it another slug) so that the names differ in more "
        "than case\n"
    )


def test_file_names_with_spaces_accents_and_capitals(make_site: Maker) -> None:
    site = make_site(
        {
            "content/Lecture Notes/Week 1 Überblick.md": POST.format(title="Ü", body="Hallo."),
            "content/Lecture Notes/Figures/Plot A.PNG": b"\x89PNG\r\n\x1a\n" + bytes(16),
            "static/Hand Outs/Übung 1.pdf": b"%PDF-1.4\n",
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    public = site / "public"
    assert (public / "lecture-notes/week-1-überblick/index.html").is_file()
    assert (public / "Lecture Notes/Figures/Plot A.PNG").is_file()
    assert (public / "Hand Outs/Übung 1.pdf").is_file()


def peak_memory_of_build(site: Path) -> float:
    """The build's peak resident memory, in MB."""
    process = subprocess.Popen(
        [sys.executable, "-m", "coursepress", "build", "--quiet", "--no-cache"],
        cwd=site,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    assert status == 0, process.stderr.read() if process.stderr else ""
    return usage.ru_maxrss / 1024


def test_a_50_mb_static_file_is_copied_without_being_read_into_memory(make_site: Maker) -> None:
    site = make_site({"content/posts/a.md": POST.format(title="A", body="Text.")})
    baseline = peak_memory_of_build(site)
    (site / "static").mkdir()
    with (site / "static/lecture.mp4").open("wb") as video:
        for _ in range(50):
            video.write(os.urandom(1 << 20))
    peak = peak_memory_of_build(site)
    assert (site / "public/lecture.mp4").read_bytes() == (site / "static/lecture.mp4").read_bytes()
    assert peak - baseline < 20, f"{baseline:.0f} MB without the file, {peak:.0f} MB with it"


def test_a_5_mb_post_builds(make_site: Maker) -> None:
    paragraph = "A long lecture transcript line with *emphasis* and a [link](/x/).\n\n"
    site = make_site(
        {"content/posts/transcript.md": POST.format(title="T", body=paragraph * 80_000)}
    )
    assert (site / "content/posts/transcript.md").stat().st_size > 5_000_000
    result = run_cli("build", "--quiet", cwd=site)
    assert result.returncode == 0, result.stderr
    page = (site / "public/posts/transcript/index.html").read_text()
    assert page.count("<em>emphasis</em>") == 80_000


def _leftovers(folder: Path) -> list[str]:
    names = [p.name for p in folder.iterdir() if ".building-" in p.name or ".old-" in p.name]
    names += [p.name for p in folder.rglob("*.coursepress-new")]
    return names


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_build_leaves_the_previous_site_and_no_temporary_folders(
    tmp_path: Path, stop_signal: int
) -> None:
    site = write_corpus(tmp_path / "corpus", posts=300, seed=2)
    assert run_cli("build", "--quiet", cwd=site).returncode == 0
    before = snapshot(site / "public")
    for post in (site / "content/posts").glob("post-000*.md"):
        post.write_text(post.read_text() + "\nEdited.\n")  # the next build changes every page
    for delay in (0.3, 0.8, 1.5):
        process = subprocess.Popen(
            [sys.executable, "-m", "coursepress", "build", "--quiet", "--no-cache"],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        process.send_signal(stop_signal)
        _, stderr = process.communicate(timeout=60)
        after = snapshot(site / "public")
        if process.returncode == 0:  # it finished first: the new site, whole
            assert after != before and b"Edited." in after["posts/post-00001/index.html"]
            return
        assert process.returncode == 130, stderr
        assert _leftovers(site) == []
        if stderr == "interrupted; the new site was already in place, whole\n":  # a late one
            assert b"Edited." in after["posts/post-00001/index.html"]
            return
        assert stderr == "interrupted; the previous site is unchanged\n"
        assert after == before


def test_two_builds_at_once_take_turns(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=150, seed=6)
    command = [sys.executable, "-m", "coursepress", "build", "--quiet"]
    first = subprocess.Popen(command, cwd=site, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    second = subprocess.Popen(command, cwd=site, stderr=subprocess.PIPE, text=True)
    _, first_err = first.communicate(timeout=120)
    _, second_err = second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), first_err + second_err
    assert "another build of this site is running; waiting for it to finish\n" in (
        first_err + second_err
    )
    built = snapshot(site / "public")
    alone = run_cli("build", "--no-cache", "-o", str(tmp_path / "alone"), cwd=site)
    assert alone.returncode == 0
    assert built == snapshot(tmp_path / "alone")
    assert _leftovers(site) == []


UNSAFE_POST = """+++
title = "X"
date = 2023-09-01
+++

Hello <span onclick="steal()">there</span>.

<script>alert(1)</script>

<a href="javascript:alert(1)">click</a> <img src="data:image/png;base64,AAAA" alt="d">

<img src="ok.png" alt="ok" style="position:fixed;top:0">

<iframe src="https://evil.example/x"></iframe>

<iframe src="https://www.youtube.com/embed/abc"></iframe>

<figure><img src="plot.png" alt="A plot"><figcaption>Loss</figcaption></figure>

<details><summary>More</summary>Text.</details>

| a | b |
|--:|:--|
| 1 | 2 |

<style>body { display: none }</style>
"""
HINT = (
    "  hint: safe_html keeps images, tables, figures, details, video and YouTube or Vimeo "
    "embeds; write the rest in Markdown\n"
)


def test_safe_mode_removes_what_could_hurt_a_reader_and_says_where(make_site: Maker) -> None:
    site = make_site({"site.toml": "safe_html = true\n", "content/posts/x.md": UNSAFE_POST})
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "content/posts/x.md:6: warning: safe mode removes the onclick attribute of <span>\n"
        + HINT
        + "content/posts/x.md:8: warning: safe mode removes <script>\n"
        + HINT
        + "content/posts/x.md:10: warning: safe mode removes the link javascript:alert(1)\n"
        + HINT
        + "content/posts/x.md:10: warning: safe mode removes the address "
        "data:image/png;base64,AAAA\n"
        + HINT
        + "content/posts/x.md:12: warning: safe mode removes the style attribute of <img>\n"
        + HINT
        + "content/posts/x.md:14: warning: safe mode removes the address https://evil.example/x\n"
        + HINT
        + "content/posts/x.md:26: warning: safe mode removes <style>\n"
        + HINT
    )
    page = (site / "public/posts/x/index.html").read_text()
    body = page.split('<div class="content">', 1)[1].split("</article>", 1)[0]
    for gone in ("onclick", "<script", "alert(", "data:image", "position:fixed", "evil.example"):
        assert gone not in body, gone
    assert "display: none" not in body
    for kept in (
        '<iframe src="https://www.youtube.com/embed/abc">',
        '<figure><img src="plot.png" alt="A plot"><figcaption>Loss</figcaption></figure>',
        "<details><summary>More</summary>Text.</details>",
        '<th style="text-align:right">a</th>',
    ):
        assert kept in body, kept


def test_safe_mode_is_off_by_default_and_check_reports_with_safe(make_site: Maker) -> None:
    site = make_site({"content/posts/x.md": UNSAFE_POST})
    result = run_cli("build", cwd=site)
    assert result.returncode == 0 and result.stderr == ""
    assert "<script>alert(1)</script>" in (site / "public/posts/x/index.html").read_text()
    checked = run_cli("check", "--safe", "--format", "json", cwd=site)
    codes = [d["code"] for d in json.loads(checked.stdout)["diagnostics"]]
    assert codes.count("unsafe-html") == 7
    built = run_cli("build", "--safe", cwd=site)
    assert "<script>" not in (site / "public/posts/x/index.html").read_text(), built.stderr


def test_safe_mode_covers_the_front_matter_summary_and_tricky_video_addresses(
    make_site: Maker,
) -> None:
    site = make_site(
        {
            "site.toml": "safe_html = true\n",
            "content/posts/x.md": (
                '+++\ntitle = "X"\ndate = 2023-09-01\n'
                "summary = \"<script>alert(1)</script><img src=x onerror='alert(2)'>\"\n+++\n\n"
                '<iframe src="https://evil.example\\@www.youtube.com/embed/x"></iframe>\n'
            ),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "content/posts/x.md:4: warning: safe mode removes <script>, the onerror attribute of "
        "<img>\n" + HINT + "content/posts/x.md:7: warning: safe mode removes the address "
        "https://evil.example\\@www.youtube.com...\n" + HINT  # long addresses are shortened
    )
    for page in ("index.html", "posts/index.html", "posts/x/index.html"):
        text = (site / "public" / page).read_text()
        assert "alert(" not in text and "evil.example" not in text, page


def test_a_linked_static_or_content_folder_is_not_followed(
    make_site: Maker, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("private")
    site = make_site({"content/a.md": POST.format(title="A", body="Text.")})
    (site / "static").symlink_to(outside, target_is_directory=True)
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "static: warning: not published: this folder is a symbolic link, and links to folders "
        "are not followed\n"
        "  hint: move or copy the folder into the site folder\n"
    )
    assert not (site / "public/secret.txt").exists()


def test_a_file_that_becomes_a_folder_and_back(make_site: Maker) -> None:
    site = make_site({"content/a.md": POST.format(title="A", body="Text."), "static/d": "file"})
    assert run_cli("build", cwd=site).returncode == 0
    (site / "static/d").unlink()
    (site / "static/d").mkdir()
    (site / "static/d/inner.txt").write_text("inside")
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "public/d/inner.txt").read_text() == "inside"
    (site / "static/d/inner.txt").unlink()
    (site / "static/d").rmdir()
    (site / "static/d").write_text("a file again")
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "public/d").read_text() == "a file again"
    assert _leftovers(site) == []
    assert not list((site / "public").rglob("*.coursepress-new"))


def test_text_that_looks_like_a_placeholder_stays_text(make_site: Maker) -> None:
    site = make_site(
        {
            "content/a.md": POST.format(
                title="A", body='CPSHORTCODE0X and CPSHORTCODE7X.\n\n{{< figure src="a.png" >}}'
            )
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    page = (site / "public/a/index.html").read_text()
    assert "<p>CPSHORTCODE0X and CPSHORTCODE7X.</p>" in page
    assert '<figure><img src="a.png" alt=""></figure>' in page


def test_settings_files_that_are_not_utf8(make_site: Maker) -> None:
    for name in ("site.toml", "hugo.toml"):
        site = make_site({"content/a.md": "", name: b'title = "Caf\xe9"\n'})
        result = run_cli("build", cwd=site)
        assert result.returncode == 1
        assert result.stderr == (
            f"{name}:1: this file is not UTF-8 text\n"
            "  hint: save it as UTF-8 (most editors offer it under Save As or Encoding)\n"
            "build failed with 1 error; the previous site is unchanged\n"
        )
        (site / name).unlink()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_starting_stops_with_the_usual_message(
    tmp_path: Path, stop_signal: int
) -> None:
    # While modules load and click reads the arguments, a signal used to end in click's
    # `Aborted!` (exit 1), or in the message followed by death by SIGINT (exit -2).
    site = write_corpus(tmp_path / "corpus", posts=20, seed=2)
    outcomes = []
    for delay in (0.08, 0.12, 0.16, 0.2, 0.24, 0.28):
        process = subprocess.Popen(
            [sys.executable, "-m", "coursepress", "build", "--quiet"],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        process.send_signal(stop_signal)
        _, stderr = process.communicate(timeout=60)
        outcomes.append((process.returncode, stderr))
    stopped = [outcome for outcome in outcomes if outcome[0] != 0]  # 0: it finished first
    assert stopped
    assert all(
        outcome == (130, "interrupted; the previous site is unchanged\n") for outcome in stopped
    )


def test_what_a_killed_build_left_beside_the_site_is_removed_by_the_next(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=5, seed=2)
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # its process id now belongs to no running process
    abandoned = site / f".public.building-{finished.pid}-x1y2"
    retired = site / f".public.old-{finished.pid}-k5l6"  # the old site it was removing
    running = site / f".public.building-{os.getpid()}-z3w4"  # this test's: still running
    for folder in (abandoned, retired, running):
        (folder / "posts").mkdir(parents=True)
        (folder / "posts/index.html").write_text("left by a build killed with SIGKILL")
    assert run_cli("build", "--quiet", cwd=site).returncode == 0
    assert not abandoned.exists() and not retired.exists()
    assert (running / "posts/index.html").is_file()


def test_an_output_folder_that_cannot_be_made_is_explained(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=2, seed=2)
    (site / "afile").write_text("x")
    result = run_cli("build", "--output", "afile/public", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "afile/public/: cannot write the site: afile is a file where a folder is needed\n"
        "  hint: move the file away, or pass --output with another folder\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_a_site_left_retired_by_a_killed_build_is_put_back(tmp_path: Path) -> None:
    # Where two folders cannot be exchanged in one step, a build killed between its two
    # renames leaves no public/ and the previous site under its retired name.
    site = write_corpus(tmp_path / "corpus", posts=5, seed=2)
    assert run_cli("build", "--quiet", cwd=site).returncode == 0
    before = snapshot(site / "public")
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # its process id now belongs to no running process
    (site / "public").rename(site / f".public.old-{finished.pid}-ab12")
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/single.html").write_text("{% if %}\n")  # this build fails
    assert run_cli("build", "--quiet", cwd=site).returncode == 1
    assert snapshot(site / "public") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".public.")] == []
