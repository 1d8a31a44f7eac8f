"""The build cache: a warm build renders nothing and gives exactly the cold build's site; edits
to a post or a template are seen; a damaged cache, or one from another version, is rebuilt and
never yields a wrong page; the output folder is updated in place only when it is untouched."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from benchmarks.corpus import write_corpus
from jinja2.bccache import bc_magic

from coursepress import build as build_module
from coursepress.build import BuildOptions
from coursepress.cache.layer import Remembering
from coursepress.cache.store import CACHE_FILE, cache_folder
from coursepress.errors import OutputError
from coursepress.output.render import THEME_DIR, _CompiledTheme
from tests.conftest import run_cli, snapshot


def build(site: Path, output: Path, *args: str) -> dict[str, bytes]:
    result = run_cli("build", "--output", str(output), *args, cwd=site)
    assert result.returncode == 0, result.stderr
    return snapshot(output)


def tallies(site: Path, output: Path) -> tuple[str, str]:
    """The cache notes of the markdown and templates stages of `build --profile`."""
    result = run_cli("build", "--profile", "--quiet", "--output", str(output), cwd=site)
    assert result.returncode == 0, result.stderr
    notes = {
        line.split()[0]: line.split("%", 1)[1].strip()
        for line in result.stdout.splitlines()
        if line.startswith("  ")
    }
    return notes["markdown"], notes["templates"]


def test_warm_build_renders_nothing_and_equals_cold(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=12, seed=5)
    cold = build(site, tmp_path / "cold", "--no-cache")
    assert not cache_folder(site).exists()
    first = build(site, tmp_path / "first")
    assert (cache_folder(site) / CACHE_FILE).is_file()
    markdown, templates = tallies(site, tmp_path / "warm")
    assert markdown.endswith(" from the cache, 0 rendered")
    assert templates.endswith(" from the cache, 0 rendered")
    assert snapshot(tmp_path / "warm") == first == cold


def test_an_edited_post_rerenders_only_what_shows_it(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=12, seed=5)
    build(site, tmp_path / "out")
    post = site / "content/posts/post-00003.md"
    post.write_text(post.read_text() + "\nA new closing sentence.\n")
    markdown, templates = tallies(site, tmp_path / "out")
    assert markdown.endswith(", 1 rendered")
    reused, rendered = (int(part.split()[0]) for part in templates.split(", "))
    assert 0 < rendered < reused  # the post and the lists and feeds that show its text
    edited = snapshot(tmp_path / "out")
    assert b"closing sentence" in edited["posts/post-00003/index.html"]
    assert edited == build(site, tmp_path / "edited-cold", "--no-cache")


def test_an_edited_template_rerenders_every_page_that_uses_it(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=12, seed=5)
    build(site, tmp_path / "out")
    single = (THEME_DIR / "templates/single.html").read_text(encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates/single.html").write_text(
        single.replace("{% block main %}", "{% block main %}<p>Edited template</p>", 1),
        encoding="utf-8",
    )
    built = build(site, tmp_path / "out")
    posts = [name for name in built if name.startswith("posts/post-") and name.endswith(".html")]
    assert len(posts) >= 10
    assert all(b"Edited template" in built[name] for name in posts)
    assert built == build(site, tmp_path / "cold", "--no-cache")


WRONG = "body = CAST(replace(CAST(body AS TEXT), '<p>', '<p>WRONG ') AS BLOB)"
"""Every stored page changed behind the cache's back, its bytes still bytes."""


def damage_truncate(database: Path) -> None:
    database.write_bytes(database.read_bytes()[: database.stat().st_size // 2])


def damage_overwrite(database: Path) -> None:
    data = bytearray(database.read_bytes())
    data[4096:12288] = b"\xff" * 8192
    database.write_bytes(bytes(data))


def damage_garbage(database: Path) -> None:
    database.write_bytes(b"not a database at all\n" * 100)


def damage_entries(database: Path) -> None:
    """A stored page changed behind the cache's back: its checksum no longer matches."""
    with sqlite3.connect(database) as db:
        db.execute(f"UPDATE views SET {WRONG}")
        db.execute(f"UPDATE markdown SET {WRONG}")


def damage_version(database: Path) -> None:
    """A cache written by another coursepress: same keys would mean something else."""
    with sqlite3.connect(database) as db:
        db.execute("UPDATE meta SET value = 'coursepress 0.0.1' WHERE name = 'fingerprint'")
        db.execute(f"UPDATE views SET {WRONG}")


@pytest.mark.parametrize(
    "damage",
    [damage_truncate, damage_overwrite, damage_garbage, damage_entries, damage_version],
)
def test_a_damaged_cache_is_rebuilt_never_trusted(
    tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    site = write_corpus(tmp_path / "corpus", posts=6, seed=9)
    expected = build(site, tmp_path / "first")
    damage(cache_folder(site) / CACHE_FILE)
    again = build(site, tmp_path / "again")
    assert again == expected
    assert not any(b"WRONG" in data for data in again.values())
    markdown, _ = tallies(site, tmp_path / "third")  # and the cache works again
    assert markdown.endswith(", 0 rendered")


def test_output_changed_by_hand_is_rewritten_whole(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=6, seed=9)
    output = tmp_path / "public"
    expected = build(site, output)
    page = next(output.rglob("post-00002/index.html"))
    page.write_text("edited by hand")
    (output / "stray.txt").write_text("left here by someone")
    assert build(site, output) == expected
    assert build(site, output) == expected  # and an untouched folder is updated in place


def test_an_edit_undone_gives_the_first_site_back(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=12, seed=5)
    output = tmp_path / "public"
    first = build(site, output)
    post = site / "content/posts/post-00003.md"
    original = post.read_text()
    post.write_text(original + "\nA new closing sentence.\n")
    assert build(site, output) != first
    post.write_text(original)
    markdown, templates = tallies(site, output)
    assert markdown.endswith(" 0 rendered")  # the first version's Markdown is still stored
    reused, rendered = (int(part.split()[0]) for part in templates.split(", "))
    assert 0 < rendered < reused  # a file keeps one version: those that showed the edit
    assert snapshot(output) == first


def test_a_failed_build_leaves_no_folder_beside_the_output(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=6, seed=9)
    output = tmp_path / "out" / "public"
    expected = build(site, output)
    (site / "templates").mkdir()
    (site / "templates/single.html").write_text("{{ page.nothing_here }}", encoding="utf-8")
    result = run_cli("build", "--output", str(output), cwd=site)
    assert result.returncode == 1
    assert snapshot(output) == expected
    assert sorted(path.name for path in output.parent.iterdir()) == ["public"]


def test_an_output_folder_removed_during_a_build_is_an_error_not_a_broken_site(
    tmp_path: Path,
) -> None:
    site = write_corpus(tmp_path / "corpus", posts=6, seed=9)
    output = tmp_path / "public"
    expected = build(site, output)
    (site / "content/posts/post-00002.md").write_text(
        (site / "content/posts/post-00002.md").read_text() + "\nEdited.\n"
    )

    # The user removes the folder while templates are rendered, as `rm -rf public` would.
    class RemovedWhileRendering(Remembering):
        def views(self, *args: Any, **kwargs: Any) -> dict[str, str]:
            done = super().views(*args, **kwargs)
            shutil.rmtree(output)
            return done

    options = BuildOptions(site_dir=site, output_dir=output, jobs=1)
    memory = RemovedWhileRendering(site)
    with pytest.raises(OutputError) as failure:
        build_module.build(options, memory)
    memory.close()
    assert failure.value.format() == (
        f"{output.as_posix()}/: this folder changed while the site was being built\n"
        "  hint: build again"
    )
    assert not output.exists()
    assert [path.name for path in tmp_path.iterdir() if ".building-" in path.name] == []
    rebuilt = build(site, output)
    # The search index's names are digests of the pages' text, which the edit changed.
    assert without_index(rebuilt).keys() == without_index(expected).keys()


def without_index(files: dict[str, Any]) -> dict[str, Any]:
    return {name: data for name, data in files.items() if not name.startswith("pagefind/")}


def test_a_template_that_reads_page_body_is_rendered_again_when_the_body_changes(
    make_site,
) -> None:
    """`page.body` is the whole body: a list that shows it must not keep an old text."""
    site = make_site(
        {
            "content/posts/a.md": '+++\ntitle = "A"\ndate = 2023-09-05\n+++\nFirst text.\n',
            "templates/section.html": (
                "{% for p in section.pages %}{{ p.body.content }}{% endfor %}"
            ),
        }
    )
    output = site / "public"
    assert b"First text." in build(site, output)["posts/index.html"]
    post = site / "content/posts/a.md"
    post.write_text(post.read_text().replace("First", "Second"))
    assert b"Second text." in build(site, output)["posts/index.html"]


@pytest.mark.parametrize("damage", ["folder in place of the file", "file in place of the folder"])
def test_a_cache_that_cannot_be_used_only_costs_time(make_site, damage: str) -> None:
    site = make_site({"content/posts/a.md": '+++\ntitle = "A"\ndate = 2023-09-05\n+++\nA.\n'})
    folder = cache_folder(site)
    if damage.startswith("folder"):
        (folder / CACHE_FILE).mkdir(parents=True)
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.write_text("not a folder")
    for _ in range(2):  # and the next build too
        result = run_cli("build", cwd=site)
        assert (result.returncode, result.stderr) == (0, "")
    assert (site / "public/posts/a/index.html").is_file()


def test_the_cache_lives_outside_the_site_unless_told(make_site, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": '+++\ntitle = "A"\ndate = 2023-09-05\n+++\nA.\n'})
    home = tmp_path / "home"
    default = {"COURSEPRESS_CACHE_DIR": "", "HOME": str(home), "XDG_CACHE_HOME": ""}
    assert run_cli("build", cwd=site, env=default).returncode == 0
    (kept,) = (home / ".cache/coursepress").iterdir()  # the user's cache folder, on Linux
    assert kept.name.startswith("site-") and (kept / CACHE_FILE).is_file()
    assert sorted(p.name for p in site.iterdir()) == ["content", "public"]  # nothing to commit
    (site / "site.toml").write_text('cache_dir = ".build-cache"\n')
    assert run_cli("build", cwd=site, env=default).returncode == 0
    assert (site / ".build-cache" / CACHE_FILE).is_file()
    shared = {**default, "COURSEPRESS_CACHE_DIR": str(tmp_path / "shared")}
    assert run_cli("build", cwd=site, env=shared).returncode == 0  # the variable wins
    (one,) = (tmp_path / "shared").iterdir()
    assert (one / CACHE_FILE).is_file()


def test_the_theme_is_compiled_once_and_kept_beside_it(tmp_path: Path) -> None:
    """Compiled templates are code: they are kept in the installation, as .pyc files are, never
    in a cache folder; one damaged there is compiled again."""
    site = write_corpus(tmp_path / "corpus", posts=3, seed=1)
    kept = {
        name: _CompiledTheme.folder
        / _CompiledTheme("Environment").get_cache_key(name, str(THEME_DIR / "templates" / name))
        for name in ("base.html", "single.html", "home.html")
    }
    for path in kept.values():
        path.unlink(missing_ok=True)
    writes = {"PYTHONDONTWRITEBYTECODE": ""}  # empty: Python writes .pyc files, we the theme's
    first = run_cli("build", "--no-cache", "-o", str(tmp_path / "first"), cwd=site, env=writes)
    assert first.returncode == 0, first.stderr
    assert all(path.read_bytes().startswith(bc_magic) for path in kept.values())
    kept["base.html"].write_bytes(b"not compiled code")
    kept["single.html"].write_bytes(kept["single.html"].read_bytes()[:-40])
    again = run_cli("build", "-o", str(tmp_path / "again"), cwd=site, env=writes)
    assert again.returncode == 0, again.stderr
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "first")
    assert kept["base.html"].read_bytes().startswith(bc_magic)
    # What a template computes from the settings is not kept with it: another base path.
    other = run_cli("build", "--base-url", "https://example.org/other/", "-o",
                    str(tmp_path / "other"), cwd=site, env=writes)  # fmt: skip
    assert other.returncode == 0, other.stderr
    home = (tmp_path / "other/index.html").read_text(encoding="utf-8")
    assert 'href="/other/css/style.css"' in home and "/bench/" not in home
    assert all(path.name.startswith(CACHE_FILE) for path in cache_folder(site).iterdir())
