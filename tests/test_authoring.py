"""`coursepress new post` and `coursepress init`: files created, never overwritten."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import REPO, run_cli, write_files


def test_new_post_is_a_dated_draft_with_a_slug(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"site.toml": 'timezone = "Pacific/Kiritimati"\n'})
    result = run_cli("new", "post", 'Week 3: "Attention"', "--week", "3", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "content/posts/week-3-attention.md\n"
    text = (site / "content/posts/week-3-attention.md").read_text()
    front = tomllib.loads(text.split("+++")[1])
    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert front == {
        "title": 'Week 3: "Attention"',
        "date": today,
        "draft": True,
        "slug": "week-3-attention",
        "week": 3,
        "authors": [],
        "tags": [],
    }
    assert run_cli("build", cwd=site).returncode == 0
    assert not (site / "public/posts/week-3-attention").exists()  # a draft


def test_new_post_never_overwrites(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"content/notes/intro.md": "mine\n"})
    result = run_cli("new", "post", "Intro", "--section", "notes", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "content/notes/intro.md: this file already exists; nothing was written\n"
        "  hint: choose another title, or edit the existing post\n"
        "new post failed with 1 error; nothing was written\n"
    )
    assert (site / "content/notes/intro.md").read_text() == "mine\n"


def test_init_makes_a_site_that_builds_at_once(tmp_path: Path) -> None:
    result = run_cli("init", "ml-course", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "ml-course"
    made = sorted(p.name for p in (site / ".github/workflows").iterdir())
    assert made == ["check.yml", "pages.yml", "preview-publish.yml", "preview.yml"]
    for name in made:
        workflow = site / ".github/workflows" / name
        assert workflow.read_bytes() == (REPO / ".github/workflows" / name).read_bytes()
    assert (site / "requirements.txt").read_text().startswith("coursepress")  # test_requirement.py
    assert tomllib.loads((site / "site.toml").read_text())["title"] == "Ml Course"
    built = run_cli("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert "Welcome" in (site / "public/index.html").read_text()


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    write_files(tmp_path / "existing", {"notes.txt": "keep\n"})
    result = run_cli("init", "existing", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("existing: this folder is not empty; nothing was written\n")
    assert sorted(p.name for p in (tmp_path / "existing").iterdir()) == ["notes.txt"]
