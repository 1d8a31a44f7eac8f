"""Walking content/ and static/, and turning pages into URLs."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path, PurePosixPath

import pytest

from coursepress.cache.layer import Remembering
from coursepress.site.urls import (
    DEFAULT_PATTERN,
    absolute_url,
    clean_url_path,
    expand_permalink,
    output_path,
    relative_to_site,
    urlize,
)
from coursepress.source.discover import SourceKind, discover, is_junk, walk
from tests.conftest import write_files


@pytest.mark.parametrize(
    "name",
    [".DS_Store", "~$lecture.docx", "post.md.swp", ".post.md.swo", "post.md~", ".git", "#x#"],
)
def test_junk_is_skipped(name: str) -> None:
    assert is_junk(name)


@pytest.mark.parametrize("name", ["post.md", "slides.pdf", "image.PNG", "_index.md", "a~b.md"])
def test_real_files_are_kept(name: str) -> None:
    assert not is_junk(name)


def test_discover_classifies_files(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "content/_index.md": "",
            "content/syllabus.md": "",
            "content/posts/_index.md": "",
            "content/posts/a.md": "",
            "content/posts/b/index.md": "",
            "content/posts/b/img/x.png": b"png",
            "content/about/index.md": "",
            "content/files/handout.pdf": b"pdf",
            "content/posts/.DS_Store": b"junk",
            "static/images/y.png": b"png",
        },
    )
    sources = discover(tmp_path)
    pages = {str(s.target): (s.kind, s.section) for s in sources.pages}
    assert pages == {
        "_index.md": (SourceKind.SECTION_INDEX, ""),
        "about/index.md": (SourceKind.PAGE, ""),
        "posts/_index.md": (SourceKind.SECTION_INDEX, "posts"),
        "posts/a.md": (SourceKind.PAGE, "posts"),
        "posts/b/index.md": (SourceKind.PAGE, "posts"),
        "syllabus.md": (SourceKind.PAGE, ""),
    }
    files = {str(s.rel.relative_to(tmp_path.as_posix())): (s.kind, s.bundle) for s in sources.files}
    assert files == {
        "static/images/y.png": (SourceKind.ASSET, None),
        "content/files/handout.pdf": (SourceKind.ASSET, None),
        "content/posts/b/img/x.png": (SourceKind.RESOURCE, PurePosixPath("posts/b")),
    }


@pytest.mark.parametrize(
    "text,slug",
    [
        ("Week 2 Notes", "week-2-notes"),
        ("Gradient Descent, Explained!", "gradient-descent-explained"),
        ("  Überblick  ", "überblick"),
        ("a -- b", "a--b"),  # Hugo keeps hyphens that were typed
        ("Post 1: Layer", "post-1-layer"),
        ("e-mail @ home", "e-mail-@-home"),
        ("C++ & Rust", "c-rust"),
        ("a.b_c~d+e@f#g%20h/i\\j", "a.b_c~d-e@fg-h-i-j"),  # Hugo keeps the `#`
        ("100% sure", "100-sure"),
        ("dots... end.", "dots...-end."),
        ("it's ok", "its-ok"),
        ("Ünï cödé", "ünï-cödé"),
        ("???", "page"),
    ],
)
def test_urlize(text: str, slug: str) -> None:
    assert urlize(text) == slug


def test_expand_permalink() -> None:
    when = datetime(2023, 9, 3)
    url = expand_permalink(
        "/:section/:year/:month/:day/:slug/",
        section="posts",
        slug="intro",
        title="Intro",
        filename="intro",
        date=when,
    )
    assert url == "/posts/2023/09/03/intro/"
    assert (
        expand_permalink(
            "/:title", section="", slug="s", title="Hello World", filename="f", date=None
        )
        == "/hello-world/"
    )
    # As in Hugo: `:slug` without a slug is the title; `:slugorcontentbasename` the file name;
    # the default pattern follows the folders.
    assert (
        expand_permalink(
            "/:slug/", section="posts", slug=None, title="Week 1: Intro", filename="w1", date=None
        )
        == "/week-1-intro/"
    )
    assert (
        expand_permalink(
            DEFAULT_PATTERN,
            section="posts",
            folders=PurePosixPath("posts/2023"),
            slug=None,
            title="T",
            filename="Week 1",
            date=None,
        )
        == "/posts/2023/week-1/"
    )


@pytest.mark.parametrize(
    "url,path",
    [
        ("/", "index.html"),
        ("/a/b/", "a/b/index.html"),
        ("/feed.xml", "feed.xml"),
        ("/x", "x/index.html"),
    ],
)
def test_output_path(url: str, path: str) -> None:
    assert output_path(clean_url_path(url)) == path


def test_output_path_refuses_to_leave_the_site() -> None:
    with pytest.raises(ValueError):
        output_path("/../../etc/")


def test_base_path_helpers() -> None:
    assert relative_to_site("/images/x.png", "/course/") == "/course/images/x.png"
    assert relative_to_site("/images/x.png", "/") == "/images/x.png"
    for untouched in ("../x.png", "x.png", "#top", "https://a.org/x", "//cdn.org/x", "mailto:a@b"):
        assert relative_to_site(untouched, "/course/") == untouched
    assert absolute_url("/posts/a/", "https://org.github.io/course/") == (
        "https://org.github.io/course/posts/a/"
    )
    assert absolute_url("posts/a/", "https://org.github.io/") == "https://org.github.io/posts/a/"


def _age_folders(site: Path, seconds: int) -> None:
    """Date every folder of the site `seconds` back, as if nothing had changed for that long."""
    then = time.time() - seconds
    for folder in [site, *(p for p in site.rglob("*") if p.is_dir())]:
        os.utime(folder, (then, then))


def test_a_kept_walk_is_reused_until_a_file_is_added_or_removed(tmp_path: Path) -> None:
    write_files(tmp_path, {"content/posts/a.md": "A", "static/s.css": "x"})
    _age_folders(tmp_path, 60)
    memory = Remembering(tmp_path)  # serve's: it keeps the last walk
    first = memory.sources(tmp_path)
    assert memory.sources(tmp_path) is first  # nothing changed: not walked again
    (tmp_path / "content/posts/b.md").write_text("B")
    added = memory.sources(tmp_path)
    assert [str(s.target) for s in added.pages] == ["posts/a.md", "posts/b.md"]
    _age_folders(tmp_path, 60)
    memory.sources(tmp_path)
    (tmp_path / "static/s.css").unlink()
    assert memory.sources(tmp_path).files == ()


def test_a_walk_of_folders_changed_a_moment_ago_is_not_kept(tmp_path: Path) -> None:
    # A folder changed within the file system clock's tick of the walk may change again
    # unseen, with the same time: that walk is not trusted later.
    write_files(tmp_path, {"content/posts/a.md": "A"})
    assert not walk(tmp_path).reusable


def test_a_site_without_static_reuses_its_walk_until_static_appears(tmp_path: Path) -> None:
    write_files(tmp_path, {"content/a.md": "A"})
    _age_folders(tmp_path, 60)
    memory = Remembering(tmp_path)  # serve's: it keeps the last walk
    first = memory.sources(tmp_path)
    assert memory.sources(tmp_path) is first
    write_files(tmp_path, {"static/s.css": "x"})
    assert [str(s.target) for s in memory.sources(tmp_path).files] == ["s.css"]


def test_a_walk_with_a_link_is_walked_again(tmp_path: Path) -> None:
    # Where a link leads can change without any walked folder changing.
    site = tmp_path / "site"
    write_files(site, {"content/a.md": "A"})
    (tmp_path / "outside").mkdir()
    (site / "content/notes.md").symlink_to(tmp_path / "outside/notes.md")
    _age_folders(site, 60)
    memory = Remembering(site)  # serve's: it keeps the last walk
    assert [s.code for s in memory.sources(site).skipped] == ["broken-symlink"]
    (tmp_path / "outside/notes.md").write_text("private")
    assert [s.code for s in memory.sources(site).skipped] == ["link-outside-site"]


def test_an_html_file_is_a_page_while_it_starts_with_front_matter(tmp_path: Path) -> None:
    page = '+++\ntitle = "Lab"\n+++\n<p>x</p>\n'
    write_files(
        tmp_path,
        {
            "content/lab.html": page,
            "content/notes.htm": '---\ntitle: "N"\n---\n<p>n</p>\n',
            "content/data.HTML": '{"title": "J"}\n<p>j</p>\n',
            "content/handout.html": "<!DOCTYPE html><p>whole document</p>\n",
            "content/deck/index.html": "<!DOCTYPE html><p>a slide deck: copied</p>\n",
            "content/lab/index.html": page,  # would be copied with its front matter: left out
            "static/s.html": page,
        },
    )
    html = tmp_path / "content/lab.html"
    _age_folders(tmp_path, 60)
    for path in (tmp_path / "content").rglob("*.*"):  # an .html file's kind hangs on its time
        os.utime(path, (time.time() - 60, time.time() - 60))
    memory = Remembering(tmp_path)  # serve's: it keeps the last walk while it holds
    first = memory.sources(tmp_path)
    assert [str(s.target) for s in first.pages] == ["data.HTML", "lab.html", "notes.htm"]
    assert {str(s.target) for s in first.files} == {"s.html", "deck/index.html", "handout.html"}
    assert [(str(s.rel), s.code) for s in first.skipped] == [
        (f"{tmp_path.as_posix()}/content/lab/index.html", "hidden-file")
    ]
    assert memory.sources(tmp_path) is first
    html.write_text("<p>front matter removed</p>\n")  # no folder changes: the file's time does
    assert [str(s.target) for s in memory.sources(tmp_path).pages] == ["data.HTML", "notes.htm"]
    handout = tmp_path / "content/handout.html"
    handout.write_text(page)  # and the other way: a copied file becomes a page
    assert "handout.html" in [str(s.target) for s in memory.sources(tmp_path).pages]
