"""What a student's pull request, or a web page open in the same browser, can do (issue 15):
no script through a URL, no link off the site, no draft read through DNS rebinding, and no
build left waiting for the workers of one that was killed."""

from __future__ import annotations

import http.client
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from benchmarks.corpus import write_corpus

from coursepress.content import links
from coursepress.content.highlight import BlockOptions, highlight_block
from coursepress.content.links import rewrite_html, under_base_path
from coursepress.content.safehtml import sanitize
from tests.conftest import run_cli, snapshot
from tests.serving import serving

PAYLOAD = '/notes/\\"><img src=x onerror=alert(document.domain)><a x=\\"/'


def _post(extra: str) -> str:
    return f'+++\ntitle = "Notes"\ndate = 2023-09-05\n{extra}+++\nSee [the data](data.csv).\n'


@pytest.mark.parametrize(
    "line,message",
    [
        (
            f'url = "{PAYLOAD}"',
            "the url '/notes/\"><img src=x onerror=alert(document.domain)><a x=\"/' holds a "
            "quote, which a URL path cannot hold",
        ),
        (
            'url = "/\\\\evil.example/"',
            "the url '/\\evil.example/' holds a backslash, which a URL path cannot hold",
        ),
        (
            'url = "/\\tevil.example/"',
            "the url '/\\u0009evil.example/' holds a tab, which a URL path cannot hold",
        ),
        (
            'url = "/a\\u0000b/"',
            "the url '/a\\u0000b/' holds the character U+0000, which a URL path cannot hold",
        ),
        (
            'aliases = ["/\\\\evil.example/"]',
            "the alias '/\\evil.example/' holds a backslash, which a URL path cannot hold",
        ),
    ],
)
def test_a_url_that_could_run_script_or_leave_the_site_is_refused(
    make_site, line: str, message: str
) -> None:
    site = make_site({"content/posts/notes.md": _post(line + "\n")})
    for command in (["build", "--safe"], ["check", "--safe"]):
        result = run_cli(*command, cwd=site)
        assert result.returncode == 1, result.stdout + result.stderr
        assert message in result.stdout + result.stderr
    result = run_cli("build", cwd=site)
    assert result.stderr.startswith(f"content/posts/notes.md:4: {message}\n")
    assert not (site / "public").exists()


def test_what_the_link_rewriter_puts_in_cannot_end_the_attribute() -> None:
    assert rewrite_html('<a href="a">x</a>', lambda url: url + '"><script>') == (
        '<a href="a&#34;&#62;&#60;script&#62;">x</a>'
    )
    # What the author wrote is left as written: only what is put in is escaped.
    assert rewrite_html("<a href='it&amp;s' title=\"x\">x</a>", lambda url: "/c" + url) == (
        "<a href='/cit&amp;s' title=\"x\">x</a>"
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # Attributes of every kind, a `<` inside a quoted value, a bare value, `/>`.
        (
            '<a title="<img src=/t>" href="/a">x</a><img src=/b alt=x/>'
            '<source srcset="/c 1x, /d 2x"><div style="background: url(/e)">',
            '<a title="<img src=/t>" href="/c/a">x</a><img src=/c/b alt=x/>'
            '<source srcset="/c/c 1x, /c/d 2x"><div style="background: url(/c/e)">',
        ),
        # A style element's URLs; no markup inside raw text, comments or end tags.
        (
            "<style>p { background: url(/s.png) }</style>"
            '<script>var a = "<a href=/x>";</script><textarea><a href="/y"></textarea>'
            '<!-- <a href="/z"> --></p title="<a href=/w>"><a href="/v">',
            "<style>p { background: url(/c/s.png) }</style>"
            '<script>var a = "<a href=/x>";</script><textarea><a href="/y"></textarea>'
            '<!-- <a href="/z"> --></p title="<a href=/w>"><a href="/c/v">',
        ),
        # An end tag in another case, or with a space, still ends raw text.
        ('<SCRIPT>x</Script ><a href="/u">', '<SCRIPT>x</Script ><a href="/c/u">'),
        # A `<` that starts no tag is text; a comment left open runs to the end, as in browsers.
        (
            'a < b <a href="/q"> 1<2 <!-- <a href="/r">',
            'a < b <a href="/c/q"> 1<2 <!-- <a href="/r">',
        ),
        # A tag that runs out is no tag.
        ('<a href="/p">x</a><img src="/o', '<a href="/c/p">x</a><img src="/o'),
        # Comments end as HTML ends them: `<!-->`, `<!--->`, `--!>`.
        (
            '<!--><a href="/n"><!---><a href="/m"><!-- x --!><a href="/l">',
            '<!--><a href="/c/n"><!---><a href="/c/m"><!-- x --!><a href="/c/l">',
        ),
        # Any tag name; CDATA only as SVG writes it; `/>` does not end a script.
        (
            '<my_el src="/k"><![cdata[ > <img src="/j"> ]]>'
            '<svg><![CDATA[ <img src="/i"> ]]></svg><script src="/h"/><a href="/g"></script>',
            '<my_el src="/c/k"><![cdata[ > <img src="/c/j"> ]]>'
            '<svg><![CDATA[ <img src="/i"> ]]></svg><script src="/c/h"/><a href="/g"></script>',
        ),
    ],
)
def test_the_link_rewriter_finds_tags_as_a_browser_does(html: str, expected: str) -> None:
    assert rewrite_html(html, under_base_path("/c/")) == expected


@pytest.mark.parametrize(
    "options",
    [BlockOptions(), BlockOptions(highlighted=(1,)), BlockOptions(first_number=3, title="a.py")],
)
def test_the_link_rewriter_skips_code_blocks_in_the_form_highlight_writes(
    options: BlockOptions,
) -> None:
    """The rewriter passes over highlighted code (thousands of spans, no URL) by the form
    highlight.py writes: a change to that form must not leave every block scanned again."""
    block = highlight_block("x = 1\n", "python", options) or ""
    start = block.find(links._CODE_START)
    assert start >= 0 and block.find(links._CODE_END, start) > start


def test_safe_mode_removes_script_addresses_in_srcset_and_empty_frames() -> None:
    assert sanitize('<img src="a.png" srcset="javascript:alert(1) 1x, b.png 2x" alt="x">') == (
        '<img src="a.png" alt="x">'
    )
    assert sanitize('<img src="a.png" srcset="b.png 1x, c.png 2x" alt="x">') == (
        '<img src="a.png" srcset="b.png 1x, c.png 2x" alt="x">'
    )
    frames = (
        '<iframe src="https://evil.example/" width="5"></iframe>'
        '<iframe src="https://www.youtube.com/embed/x" width="3"></iframe>'
    )
    assert sanitize(frames) == '<iframe src="https://www.youtube.com/embed/x" width="3"></iframe>'


def _get(origin: str, path: str, host: str | None) -> int:
    address = urlsplit(origin)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_serve_answers_only_loopback_host_names(make_site) -> None:
    """A page on evil.example whose name is rebound to 127.0.0.1 must not read the drafts."""
    site = make_site({"content/posts/d.md": _post("draft = true\n")})
    with serving(site) as served:
        served.has_printed("built in")
        port = urlsplit(served.origin).port
        path = urlsplit(served.url).path + "posts/d/"
        assert _get(served.origin, path, f"127.0.0.1:{port}") == 200
        assert _get(served.origin, path, f"localhost:{port}") == 200
        assert _get(served.origin, path, f"evil.example:{port}") == 421
        assert _get(served.origin, path, "evil.example") == 421


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_workers_of_a_killed_build_die_with_it(tmp_path: Path) -> None:
    """SIGKILL leaves no worker holding the site's lock: the next build runs at once."""
    site = write_corpus(tmp_path / "corpus", posts=600, seed=5)
    build = subprocess.Popen(
        [sys.executable, "-m", "coursepress", "build", "--jobs", "2", "--no-cache"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while not workers and build.poll() is None and time.monotonic() < deadline:
        workers = _children(build.pid)
        time.sleep(0.01)
    assert workers, "the build ended before its workers were seen"
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)
    again = run_cli("build", "--quiet", cwd=site)
    assert again.returncode == 0, again.stderr
    assert "another build of this site is running" not in again.stderr


def test_a_worker_killed_mid_build_is_a_clean_error(tmp_path: Path) -> None:
    site = write_corpus(tmp_path / "corpus", posts=600, seed=5)
    assert run_cli("build", "--quiet", cwd=site).returncode == 0
    before = snapshot(site / "public")
    for post in (site / "content/posts").glob("post-000*.md"):
        post.write_text(post.read_text() + "\nEdited.\n")
    for _ in range(3):  # a kill that lands after the workers' last task ends a clean build
        build = subprocess.Popen(
            [sys.executable, "-m", "coursepress", "build", "--jobs", "2", "--no-cache"],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        workers: list[int] = []
        deadline = time.monotonic() + 120
        while not workers and build.poll() is None and time.monotonic() < deadline:
            workers = _children(build.pid)
            time.sleep(0.01)
        assert workers, "the build ended before its workers were seen"
        with suppress(ProcessLookupError):  # it may have ended with its last task
            os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer does
        _, stderr = build.communicate(timeout=120)
        if build.returncode != 0:
            break
        before = snapshot(site / "public")
    assert build.returncode == 1
    assert stderr == (
        "coursepress: a process rendering the site ended before its work was done (killed, "
        "or out of memory)\n"
        "  hint: build again; if it happens again, try --jobs 1, which renders in one process\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    assert snapshot(site / "public") == before


def test_heading_ids_are_made_unique_as_the_anchors_plugin_makes_them() -> None:
    """The linear de-duplication gives the ids the plugin's own search gives (it took
    minutes on 20,000 equal headings; the time is measured in benchmarks, not here)."""
    import random

    from mdit_py_plugins.anchors.index import unique_slug

    from coursepress.content.markdown import create_parser, heading_id

    titles = ["A", "A-1", "B", "A", "A-2", "A", "a 1", "B-1", "B"]
    titles += random.Random(7).choices(["A", "A-1", "A-1-1", "B", "b-2"], k=200)
    expected: list[str] = []
    used: set[str] = set()
    for title in titles:
        expected.append(unique_slug(heading_id(title), used))
    md = create_parser()
    env = {"docId": "t", "warnings": [], "path": "t.md", "line_offset": 0}
    tokens = md.parse("".join(f"## {title}\n\n" for title in titles), env)
    assert [t.attrGet("id") for t in tokens if t.type == "heading_open"] == expected


def test_typographic_quotes_are_the_ones_markdown_it_makes() -> None:
    """The linear port of the smartquotes rule decides every quote as the original does."""
    import random

    from markdown_it.rules_core.smartquotes import smartquotes as original

    from coursepress.content.markdown import create_parser

    ours, theirs = create_parser(), create_parser()
    theirs.core.ruler.at("smartquotes", original)
    pieces = ['"', "'", "a", "1", " ", "-", ".", "*", "_", "`", "\n", "(", ")", "<b>", "“", "é"]
    generator = random.Random(11)
    for _ in range(400):
        text = "".join(generator.choices(pieces, k=generator.randint(1, 60)))
        env = {"docId": "q", "warnings": [], "path": "q.md", "line_offset": 0}
        assert ours.render(text, dict(env)) == theirs.render(text, dict(env)), repr(text)


def test_a_lone_surrogate_is_an_error_and_init_writes_nothing(make_site) -> None:
    site = make_site(
        {
            "hugo.json": '{"title": "Bad \\ud800 title", "baseURL": "https://x.org/"}\n',
            "content/a.md": "A",
        }
    )
    said = (
        "hugo.json:1: this holds '\\ud800', which is not a character (half of a surrogate "
        "pair)\n"
        "  hint: write the character itself, or both halves of the pair\n"
    )
    init = run_cli("init", "--from-hugo", ".", cwd=site)
    assert (init.returncode, init.stderr) == (
        1,
        f"{said}init failed with 1 error; nothing was written\n",
    )
    assert not (site / "site.toml").exists()
    assert [p.name for p in site.iterdir() if p.name.startswith(".site.toml")] == []
    build = run_cli("build", cwd=site)
    assert build.stderr == f"{said}build failed with 1 error; the previous site is unchanged\n"
    (site / "hugo.json").unlink()
    (site / "templates").mkdir()
    (site / "templates/single.html").write_text('{{ "\\ud800" }}\n')  # a template's own
    build = run_cli("build", cwd=site)
    assert build.stderr.startswith(
        "content/a.md: the file made holds '\\ud800', which is not a character\n"
    )


def test_safe_mode_publishes_no_file_a_browser_runs_script_from(make_site) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n'
    site = make_site(
        {
            "static/images/logo.svg": svg,
            "static/images/logo.png": b"\x89PNG\r\n",
            "content/posts/b/index.md": _post(""),
            "content/posts/b/evil.html": "<script>alert(document.domain)</script>\n",
        }
    )
    build = run_cli("build", "--safe", cwd=site)
    assert build.returncode == 0, build.stderr
    assert build.stderr == (
        "content/posts/b/evil.html: warning: safe mode does not publish evil.html: a browser "
        "can run script in it, on the site's own address\n"
        "  hint: make it a post (Markdown), or convert an SVG picture to PNG\n"
        "static/images/logo.svg: warning: safe mode does not publish logo.svg: a browser "
        "can run script in it, on the site's own address\n"
        "  hint: make it a post (Markdown), or convert an SVG picture to PNG\n"
    )
    public = site / "public"
    assert (public / "images/logo.png").is_file()
    assert not (public / "images/logo.svg").exists()
    assert not (public / "posts/b/evil.html").exists()
    assert run_cli("check", "--safe", cwd=site).stdout.count("unsafe-html") == 2
    assert run_cli("build", cwd=site).returncode == 0  # without safe mode: staff's own files
    assert (public / "images/logo.svg").is_file()


def test_a_site_file_that_replaces_a_generated_one_is_said(make_site) -> None:
    site = make_site({"content/a.md": _post(""), "static/robots.txt": "User-agent: *\n"})
    build = run_cli("build", cwd=site)
    assert build.stderr == (
        "static/robots.txt: info: this file replaces the generated robots.txt\n"
        "  hint: remove it to publish the one coursepress makes\n"
    )
    assert "hidden-file" in run_cli("check", cwd=site).stdout


def test_a_link_publishes_only_what_its_target_publishes(make_site) -> None:
    site = make_site(
        {
            "content/posts/draft.md": '+++\ntitle = "Exam"\ndraft = true\n+++\nThe answers.\n',
            "content/posts/hidden/index.md": '+++\ntitle = "H"\ndraft = true\n+++\nHidden.\n',
            "content/posts/hidden/key.txt": "the key\n",
            "content/posts/open.md": _post(""),
            ".git/config": "[remote]\n",
            "site.toml": 'title = "Course"\n',
            "static/ok.txt": "fine\n",
        }
    )
    links = {
        "static/answers.md": "../content/posts/draft.md",  # a draft's source, as a file
        "static/git.txt": "../.git/config",
        "static/settings.toml": "../site.toml",
        "static/key.txt": "../content/posts/hidden/key.txt",  # a draft bundle's resource
        "static/again.txt": "ok.txt",  # followed: the target is published itself
        "static/gone.txt": "nowhere.txt",
        "content/posts/copy.md": "open.md",  # a page linked to a page: followed
    }
    for link, target in links.items():
        (site / link).symlink_to(target)
    build = run_cli("build", cwd=site)
    assert build.returncode == 0, build.stderr
    assert build.stderr == (
        "static/answers.md: warning: not published: this is a symbolic link to "
        "content/posts/draft.md, which the site does not publish as a file\n"
        "  hint: link only to files under content/ or static/ that are published themselves, "
        "or copy the file\n"
        "static/git.txt: warning: not published: this is a symbolic link to .git/config, "
        "which the site does not publish as a file\n"
        "  hint: link only to files under content/ or static/ that are published themselves, "
        "or copy the file\n"
        "static/gone.txt: warning: this is a broken link\n"
        "  hint: remove it or fix its target\n"
        "static/key.txt: warning: not published: this is a symbolic link into "
        "content/posts/hidden/, whose page does not publish (a draft, or dated in the future)\n"
        "  hint: link to a file that is published, or copy the file\n"
        "static/settings.toml: warning: not published: this is a symbolic link to site.toml, "
        "which the site does not publish as a file\n"
        "  hint: link only to files under content/ or static/ that are published themselves, "
        "or copy the file\n"
    )
    public = snapshot(site / "public")
    assert not any(b"answers" in data or b"the key" in data for data in public.values())
    assert public["again.txt"] == b"fine\n"
    assert "posts/copy/index.html" in public
    assert "link-to-private-file" in run_cli("check", cwd=site).stdout
    drafts = run_cli("build", "--drafts", cwd=site)  # the bundle publishes: so does the link
    assert (site / "public/key.txt").read_text() == "the key\n", drafts.stderr


def _course(make_site) -> Path:
    return make_site(
        {
            "site.toml": 'title = "Course"\n',
            "content/posts/a.md": '+++\ntitle = "Notes"\ndate = 2023-09-05\n+++\nText.\n',
            "static/x.txt": "x\n",
            "templates/single.html": "{{ page.title }}\n",
        }
    )


UNREADABLE = "make it readable (chmod -R u+rX on it), or move it out of the site folder"


@pytest.mark.parametrize(
    "spoil,message",
    [
        (
            lambda site: (site / "content/posts").chmod(0),
            f"content/posts/: cannot read this folder: Permission denied\n  hint: {UNREADABLE}\n",
        ),
        (
            lambda site: (site / "static").chmod(0),
            f"static/: cannot read this folder: Permission denied\n  hint: {UNREADABLE}\n",
        ),
        (
            lambda site: (site / "content/posts/a.md").chmod(0),
            "content/posts/a.md: cannot read this file: Permission denied\n"
            "  hint: make it readable (chmod u+r on it), or move it out of content/\n",
        ),
        (
            lambda site: (site / "static/x.txt").chmod(0),
            "static/x.txt: cannot read this file: Permission denied\n"
            "  hint: make it readable (chmod u+r on it), or move it out of the site folder\n",
        ),
        (
            lambda site: (site / "templates").chmod(0),
            "templates/: cannot read this folder: Permission denied\n"
            "  hint: make it readable (chmod -R u+rX on it), or move it out of templates/\n",
        ),
        (
            lambda site: (site / "templates/single.html").chmod(0),
            "templates/single.html: cannot read this file: Permission denied\n"
            "  hint: make it readable (chmod u+r on it), or move it out of templates/\n",
        ),
        (
            lambda site: (site / "site.toml").chmod(0),
            "site.toml: cannot read this file: Permission denied\n"
            "  hint: make it readable (chmod u+r on it)\n",
        ),
    ],
    ids=["folder", "static", "post", "static-file", "templates", "template", "settings"],
)
def test_a_source_that_cannot_be_read_is_an_error_naming_it(make_site, spoil, message) -> None:
    site = _course(make_site)
    assert run_cli("build", cwd=site).returncode == 0
    before = snapshot(site / "public")
    spoil(site)
    try:
        build = run_cli("build", cwd=site, permissions=True)
        assert build.returncode == 1
        assert (
            build.stderr == f"{message}build failed with 1 error; the previous site is unchanged\n"
        )
        check = run_cli("check", cwd=site, permissions=True)  # as a report, or as a failure
        assert check.returncode == 1
        where, said = message.split("\n")[0].split(": ", 1)
        assert where in check.stdout + check.stderr and said in check.stdout + check.stderr
    finally:
        for path in [site, *site.rglob("*")]:
            path.chmod(0o755)
    assert snapshot(site / "public") == before


@pytest.mark.parametrize(
    "name,kind",
    [("content", "file"), ("static", "file"), ("templates", "file"), ("site.toml", "folder")],
)
def test_a_site_file_of_the_wrong_kind_is_an_error(make_site, name: str, kind: str) -> None:
    site = _course(make_site)
    path = site / name
    if path.is_dir():
        shutil.rmtree(path)
        path.write_text("x\n")
    else:
        path.unlink()
        path.mkdir()
    result = run_cli("build", cwd=site)
    wanted = "folder" if kind == "file" else "file"
    assert result.stderr == (
        f"{name}: {name} is a {kind}, but coursepress reads a {wanted} of that name\n"
        f"  hint: move it away, or make {name} the {wanted} coursepress expects\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_templates_follow_no_link_that_leads_out_and_run_sandboxed_in_safe_mode(
    make_site, tmp_path: Path
) -> None:
    site = _course(make_site)
    (tmp_path / "secret.txt").write_text("root:x:0:0\n")
    (site / "templates/single.html").unlink()
    (site / "templates/single.html").symlink_to(tmp_path / "secret.txt")
    result = run_cli("build", cwd=site)
    assert result.stderr == (
        "templates/single.html: this is a symbolic link to a file outside the site folder; "
        "templates are code, so coursepress does not follow it\n"
        "  hint: copy the file into the site folder\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    (site / "templates/single.html").unlink()
    (site / "templates/real.html").write_text("{{ page.title }}\n")
    (site / "templates/single.html").symlink_to("real.html")  # inside: followed
    assert run_cli("build", cwd=site).returncode == 0
    assert (site / "public/posts/a/index.html").read_text() == "Notes\n"
    (site / "templates/real.html").write_text("{{ page.__class__.__mro__ }}\n")
    assert run_cli("build", cwd=site).returncode == 0  # staff's own templates: not sandboxed
    safe = run_cli("build", "--safe", cwd=site)
    assert safe.returncode == 1
    assert safe.stderr == (
        "templates/real.html:1: SecurityError: access to attribute '__class__' of 'Page' object "
        "is unsafe.\n"
        "  hint: while rendering content/posts/a.md\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )


@pytest.mark.parametrize("how", ["replaced", "rewritten"])
def test_a_file_that_keeps_its_size_and_time_is_copied_again(make_site, how: str) -> None:
    # `cp -p`, `rsync -t` and unpacked archives keep the modification time.
    site = make_site({"content/a.md": _post(""), "static/data.csv": "a,b\n1,2\n"})
    assert run_cli("build", cwd=site).returncode == 0
    static = site / "static/data.csv"
    before = static.stat()
    if how == "replaced":
        (site / "new.csv").write_text("a,b\n3,4\n")
        os.utime(site / "new.csv", ns=(before.st_atime_ns, before.st_mtime_ns))
        os.replace(site / "new.csv", static)
    else:
        static.write_text("a,b\n3,4\n")
        os.utime(static, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (static.stat().st_size, static.stat().st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )
    assert run_cli("build", cwd=site).returncode == 0
    assert (site / "public/data.csv").read_text() == "a,b\n3,4\n"


INTERRUPT_AFTER_PUBLISHING = """
import os, signal, sys
from coursepress.__main__ import run
from coursepress.cache import layer

recorded = layer.Remembering.wrote


def wrote(self, *args):
    # A real Ctrl-C, at the moment the new site is in place and the cache not yet told.
    os.kill(os.getpid(), signal.SIGINT)
    recorded(self, *args)


layer.Remembering.wrote = wrote
sys.argv = ["coursepress", "build", "--quiet"]
run()
"""


@pytest.mark.parametrize("edit", ["one post", "a new folder"])
def test_a_late_interrupt_says_the_new_site_is_in_place(make_site, edit: str) -> None:
    site = make_site({"content/posts/a.md": _post(""), "content/posts/b.md": _post("")})
    assert run_cli("build", cwd=site).returncode == 0
    if edit == "one post":  # only the changed files are moved in
        (site / "content/posts/a.md").write_text(_post("") + "Edited.\n")
    else:  # a file becomes a folder: the whole site is swapped in
        (site / "content/posts/a.md").unlink()
        (site / "content/posts/a/index.md").parent.mkdir()
        (site / "content/posts/a/index.md").write_text(_post("") + "Edited.\n")
    late = subprocess.run(
        [sys.executable, "-c", INTERRUPT_AFTER_PUBLISHING],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (late.returncode, late.stderr) == (
        130,
        "interrupted; the new site was already in place, whole\n",
    )
    assert "Edited." in (site / "public/posts/a/index.html").read_text()
    assert [p.name for p in site.iterdir() if p.name.startswith(".public.")] == []
    assert run_cli("build", cwd=site).returncode == 0  # and the next build is as a clean one
    assert run_cli("build", "--no-cache", "-o", "clean", cwd=site).returncode == 0
    assert snapshot(site / "public") == snapshot(site / "clean")


def test_a_write_that_fails_halfway_says_so_and_the_next_build_repairs(make_site) -> None:
    # Without search, the four changed files are the two pages and their lists.
    files = {
        "content/a.md": _post(""),
        "content/posts/b.md": _post(""),
        "site.toml": "search = false\n",
    }
    site = make_site(files)
    assert run_cli("build", cwd=site).returncode == 0
    for name in ("content/a.md", "content/posts/b.md"):
        (site / name).write_text(_post("") + "Edited.\n")
    (site / "public/posts/b").chmod(0o555)  # a/ is replaced first; posts/b/ cannot be
    try:
        failed = run_cli("build", cwd=site, permissions=True)
    finally:
        (site / "public/posts/b").chmod(0o755)
    assert failed.returncode == 1
    assert failed.stderr == (
        "public/: cannot write the site: index.html Permission denied, after 3 of the 4 changed "
        "files were in place\n"
        "  hint: check the output folder's permissions, free space and the lengths of slugs; "
        "the next build that succeeds writes the whole site anew\n"
        "build failed with 1 error; the output folder holds part of the new site\n"
    )
    assert run_cli("build", cwd=site).returncode == 0
    assert run_cli("build", "--no-cache", "-o", "clean", cwd=site).returncode == 0
    assert snapshot(site / "public") == snapshot(site / "clean")


def _files_of_at_most_64_kib() -> None:
    """The child may write no file larger than 64 KiB: the kernel refuses the write (EFBIG),
    as it refuses one on a full disk (SIGXFSZ is ignored, so the write fails, not the
    process)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.mark.parametrize("cache", ["--no-cache", "--quiet"])
def test_a_file_the_disk_refuses_leaves_the_previous_site(make_site, cache: str) -> None:
    site = make_site({"content/a.md": _post(""), "content/posts/b.md": _post("")})
    assert run_cli("build", cwd=site).returncode == 0
    before = snapshot(site / "public")
    (site / "content/posts/b.md").write_text(_post("") + "A long line of notes.\n" * 5000)
    refused = subprocess.run(
        [sys.executable, "-m", "coursepress", "build", cache],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_files_of_at_most_64_kib,
    )
    assert refused.returncode == 1
    assert refused.stderr == (
        "public/: cannot write the site: index.html File too large\n"
        "  hint: check the output folder's permissions, free space and the lengths of slugs\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    assert snapshot(site / "public") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".public.")] == []


DEEP_HINT = (
    "  hint: no site setting or front matter needs more than a few levels; look for brackets "
    "that are opened and never closed\n"
)
DEEP = (
    "the values are nested too deeply to read (lists or tables inside each other, more than "
    "100 levels down)\n" + DEEP_HINT
)


@pytest.mark.parametrize(
    "files,message",
    [
        (
            {
                "site.toml": 'title = "T"\nterm_start = 2023-08-28\n',
                "content/posts/a.md": '+++\ntitle = "A"\nweek = 20231001\n+++\n',
            },
            "content/posts/a.md:3: 'week' must be a whole number from 1 to 99, not 20231001\n"
            "  hint: for example: week = 3 (a post's day is its `date`)\n",
        ),
        (
            {"site.toml": 'title = "T"\nterm_start = 2023-08-28\nterm_weeks = 10000000\n'},
            "site.toml:3: Config value 'term_weeks': expected a whole number from 0 to 99\n"
            "  hint: for example term_weeks = 10\n",
        ),
        (
            {"site.toml": 'title = "T"\nterm_start = 9999-12-01\n'},
            "site.toml:2: Config value 'term_start': 9999-12-01 is too far in the future\n"
            "  hint: the first day of week 1, such as 2023-08-28\n",
        ),
        (
            {"content/posts/a.md": '+++\ntitle = "A"\ndate = 9999-12-31T23:00:00-05:00\n+++\n'},
            "content/posts/a.md:3: 9999-12-31T23:00:00-05:00 falls outside the years 1 to 9999 "
            "in the site's time zone\n"
            '  hint: write it like one of: "2023-09-03", "2023-09-03T14:00:00", '
            '"2023-09-03T14:00:00-04:00", "03 Sep 2023", "3 September 2023", "Sep 3, 2023", '
            '"2023/09/03"\n',
        ),
        (
            {"content/posts/a.md": "+++\na = " + "[" * 400 + "]" * 400 + "\n+++\n"},
            "content/posts/a.md:2: " + DEEP,
        ),
        (
            {"site.toml": 'title = "T"\n[params]\na = ' + "{a = " * 990 + "1" + "}" * 990},
            "site.toml:3: " + DEEP,
        ),
        (
            {"content/posts/a.md": "---\na: " + "[" * 100_000 + "]" * 100_000 + "\n---\n"},
            "content/posts/a.md:2: " + DEEP,  # libyaml crashed the process
        ),
        (
            {"config.json": '{"a": ' * 100_000 + "1" + "}" * 100_000},
            "config.json:1: " + DEEP,
        ),
        (
            {"config.json": '{"title": "\\ud800", "baseURL": "https://example.org/"}'},
            "config.json:1: this holds '\\ud800', which is not a character (half of a surrogate "
            "pair)\n"
            "  hint: write the character itself, or both halves of the pair\n",
        ),
        (
            {"site.toml": 'title = "T"\nbase_url = "https://[::1/"\n'},
            "site.toml:2: Config value 'base_url': 'https://[::1/' is not a web address\n"
            "  hint: write it as 'https://example.github.io/course/', or '/' for a local site\n",
        ),
        (
            {"site.toml": 'title = "T"\n[check.required]\nposts = [1]\n'},
            "site.toml:2: Config value 'check.required': expected a list of front matter keys "
            "(text) per section\n"
            '  hint: posts = ["week", "authors"]\n',
        ),
        (
            {"static/b\udcff.txt": "x"},
            "static/b\ufffd.txt: this name is not UTF-8 text, so it cannot be part of a web "
            "address\n"
            "  hint: rename it; what is not UTF-8 is shown as \ufffd\n",
        ),
    ],
    ids=[
        "week-as-date",
        "term-weeks",
        "term-start",
        "year-9999",
        "deep-front-matter",
        "deep-settings",
        "deep-yaml",
        "deep-hugo-json",
        "surrogate-hugo",
        "ipv6-base-url",
        "required-not-text",
        "name-not-utf8",
    ],
)
def test_inputs_that_raised_tracebacks_are_errors_at_their_line(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    site = tmp_path / "site"
    for name, text in {"content/posts/ok.md": _post(""), **files}.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    (site / "public").mkdir()
    (site / "public/.coursepress").write_text("")
    for command, outcome in (("build", "the previous site is unchanged"), ("check", "")):
        result = run_cli(command, cwd=site)
        assert result.returncode == 1, result.stdout
        assert "Traceback" not in result.stderr
        if command == "build":
            assert result.stderr == f"{message}build failed with 1 error; {outcome}\n"


def test_an_unclosed_url_in_an_inline_style_is_read_to_its_end(make_site) -> None:
    site = make_site(
        {
            "site.toml": 'title = "T"\nbase_url = "https://example.org/course/"\n',
            "content/a.md": '+++\ntitle = "A"\n+++\n<div style="background: url(/x.png">A</div>\n',
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    page = (site / "public/a/index.html").read_text()
    assert '<div style="background: url(/course/x.png">' in page


@pytest.mark.parametrize(
    "files,message",
    [
        (
            {"content/posts/a.md": '+++\ntitle = "A"\ntags = ["index.html"]\n+++\n'},
            "content/posts/a.md:3: the tags page 'index.html' and the tags list have the same "
            "URL /tags/; this page names it in `tags`\n"
            "  hint: change the name in `tags` in the front matter\n",
        ),
        (
            {"site.toml": 'title = "T"\n[taxonomies]\ntag = ".."\n'},
            "site.toml:3: Config value 'taxonomies.tag': expected a plural name, got '..'\n"
            '  hint: for example: [taxonomies] tag = "tags" (a name, not a path)\n',
        ),
    ],
    ids=["tag-index-html", "taxonomy-dot-dot"],
)
def test_names_that_collide_with_the_site_are_errors_at_their_line(
    make_site, files: dict[str, str], message: str
) -> None:
    site = make_site({"content/posts/ok.md": _post(""), **files})
    build = run_cli("build", cwd=site)
    assert build.stderr == f"{message}build failed with 1 error; the previous site is unchanged\n"
    check = run_cli("check", cwd=site)
    assert check.returncode == 1
    assert message.split("\n")[0].split(": ", 1)[1] in check.stdout + check.stderr


EDIT_DURING_BUILD = """
import sys
from pathlib import Path
import coursepress.build
from coursepress.__main__ import run

rendered = coursepress.build.render_outputs


def render_outputs(*args, **kwargs):
    result = rendered(*args, **kwargs)
    # An editor's second step, after the file was read: the rest of the text.
    post = Path("content/posts/a.md")
    post.write_text(post.read_text() + "The rest of the post.\\n")
    return result


coursepress.build.render_outputs = render_outputs
sys.argv = ["coursepress", "build", *sys.argv[1:]]
run()
"""


@pytest.mark.parametrize("cache", ["--quiet", "--no-cache"])
def test_a_page_that_changes_while_it_is_built_is_not_published(make_site, cache: str) -> None:
    site = make_site({"content/posts/a.md": _post(""), "content/b.md": _post("")})
    assert run_cli("build", cwd=site).returncode == 0
    before = snapshot(site / "public")
    (site / "content/posts/a.md").write_text(_post("") + "The first half.\n")
    during = subprocess.run(
        [sys.executable, "-c", EDIT_DURING_BUILD, cache],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (during.returncode, during.stderr) == (
        1,
        "content/posts/a.md: this file changed while the site was being built from it\n"
        "  hint: build again once it is saved (serve does so by itself)\n"
        "build failed with 1 error; the previous site is unchanged\n",
    )
    assert snapshot(site / "public") == before
    assert run_cli("build", cwd=site).returncode == 0
    assert "The rest of the post." in (site / "public/posts/a/index.html").read_text()


def test_new_post_writes_only_into_the_site(make_site, tmp_path: Path) -> None:
    site = make_site({"site.toml": 'title = "T"\n', "content/posts/a.md": _post("")})
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (site / "content/notes").symlink_to(outside, target_is_directory=True)
    linked = run_cli("new", "post", "Hello", "--section", "notes", cwd=site)
    assert (linked.returncode, linked.stderr) == (
        1,
        "content/notes: this folder is a symbolic link, which the build does not follow, so a "
        "post in it would never publish; nothing was written\n"
        "  hint: make it a folder of the site, or choose another --section\n"
        "new post failed with 1 error; nothing was written\n",
    )
    assert list(outside.iterdir()) == []
    typo = run_cli("new", "post", "Hello", "--source", "sitee", cwd=tmp_path)
    assert (typo.returncode, typo.stderr) == (
        1,
        "sitee: no such folder\n  hint: pass the site folder with --source\n",
    )
    assert not (tmp_path / "sitee").exists()
    (tmp_path / "empty").mkdir()
    empty = run_cli("new", "post", "Hello", "--source", "empty", cwd=tmp_path)
    assert empty.returncode == 1
    assert list((tmp_path / "empty").iterdir()) == []


def test_editor_leftovers_in_templates_are_no_templates(make_site) -> None:
    site = _course(make_site)
    (site / "templates/.single.html.swp").write_bytes(b"b0VIM\x00\xff")
    (site / "templates/.git").mkdir()
    (site / "templates/.git/index").write_bytes(b"DIRC\x00\xff")
    (site / "templates/logo.png").write_bytes(b"\x89PNG\r\n\xff")  # not a template: unused
    assert run_cli("build", cwd=site).returncode == 0
    (site / "templates/single.html").write_bytes(b"\xff{{ page.title }}\n")
    used = run_cli("build", cwd=site)
    assert used.stderr == (
        "templates/single.html: this template is not UTF-8 text\n"
        "  hint: save it as UTF-8 (most editors offer it under Save As or Encoding)\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_a_link_to_a_bundles_other_markdown_publishes_nothing(make_site) -> None:
    site = make_site(
        {
            "content/posts/hw/index.md": '+++\ntitle = "HW"\ndraft = true\n+++\nDraft.\n',
            "content/posts/hw/solutions.md": '+++\ntitle = "Solutions"\n+++\nThe answers.\n',
        }
    )
    (site / "content/posts/leak.md").symlink_to("hw/solutions.md")
    build = run_cli("build", cwd=site)
    assert build.returncode == 0, build.stderr
    assert (
        "content/posts/leak.md: warning: not published: this is a symbolic link to "
        "content/posts/hw/solutions.md, which the site does not publish as a file\n"
    ) in build.stderr
    assert not any(b"The answers." in data for data in snapshot(site / "public").values())


def test_safe_mode_judges_file_names_in_any_case(make_site) -> None:
    script = "<script>alert(document.domain)</script>\n"
    names = ["static/x.SVG", "static/y.HTML", "static/z.shtml", "static/w.xht"]
    site = make_site({"content/a.md": _post(""), **dict.fromkeys(names, script)})
    build = run_cli("build", "--safe", cwd=site)
    assert build.returncode == 0
    assert build.stderr.count("unsafe-html") == 0 and build.stderr.count("safe mode") == 4
    assert not any(b"alert" in data for data in snapshot(site / "public").values())


def test_yaml_aliases_of_aliases_are_an_error_not_a_hang(make_site) -> None:
    lines = ["---", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    site = make_site({"content/a.md": "\n".join([*lines, "---", "Text.", ""])})
    build = run_cli("build", cwd=site)
    assert build.stderr == (
        "content/a.md:3: the values are too many to read: more than 100,000, counting each use "
        "of a YAML alias (`*name`) as the values it stands for\n"
        "  hint: write the values out, or use fewer aliases of aliases\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_a_named_pipe_or_a_broken_folder_link_is_a_warning(make_site, tmp_path: Path) -> None:
    post = '+++\ntitle = "A"\ndate = 2023-09-05\n+++\nSee [ok](/ok.txt).\n'
    site = make_site({"content/a.md": post, "static/ok.txt": "ok\n"})
    os.mkfifo(site / "static/pipe")  # reading it would wait for a writer, for ever
    for command in ("check", "build"):
        result = run_cli(command, cwd=site)
        assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == (
        "static/pipe: warning: not published: this is not a file but a named pipe, socket or "
        "device\n"
        "  hint: remove it from the site folder\n"
    )
    shutil.rmtree(site / "static")
    (site / "static").symlink_to(tmp_path / "gone", target_is_directory=True)
    linked = run_cli("build", cwd=site)
    assert linked.returncode == 0, linked.stderr
    assert linked.stderr.startswith("static: warning: not published: this folder is a symbolic")


def test_new_post_keeps_to_the_weeks_the_build_accepts(make_site, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": _post("")})
    week = run_cli("new", "post", "Late", "--week", "150", cwd=site)
    assert week.returncode == 2 and "150 is not in the range 1<=x<=99" in week.stderr
    (site / "content/posts/hello.md").symlink_to(tmp_path / "elsewhere.md")  # dangling
    taken = run_cli("new", "post", "Hello", cwd=site)
    assert taken.stderr.startswith("content/posts/hello.md: this file already exists")
    assert not (tmp_path / "elsewhere.md").exists()


def test_an_unreadable_hugo_config_folder_is_an_error_naming_it(make_site) -> None:
    site = make_site(
        {
            "config/_default/hugo.toml": 'title = "ML"\nbaseURL = "https://x.org/ml/"\n',
            "content/a.md": _post(""),
        }
    )
    (site / "config/_default").chmod(0)
    try:
        build = run_cli("build", cwd=site, permissions=True)
    finally:
        (site / "config/_default").chmod(0o755)
    assert build.stderr == (
        "config/_default/: cannot read this folder: Permission denied\n"
        "  hint: make it readable (chmod -R u+rX on it), or move it out of the site folder\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
