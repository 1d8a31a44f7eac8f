"""A site's own shortcodes: `templates/shortcodes/NAME.html`, the Jinja twin of a Hugo site's
`layouts/shortcodes/NAME.html`. Built through the CLI; messages checked word for word.
(tests/test_hugo_differential.py compares a site that has both with Hugo's own build.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_cli

Maker = Callable[[dict[str, str | bytes]], Path]

SITE_TOML = (
    'title = "Course"\nbase_url = "https://example.github.io/course/"\n[params]\nterm = "Fall"\n'
)
NOTE = """\
<aside class="note note-{{ get("kind", "info") }}" data-n="{{ ordinal }}">
<p>{{ get(0, "Note") }}</p>
{{ inner | markdownify }}
</aside>
"""


def post(body: str, front: str = 'title = "Week 1"\ndate = 2024-01-01') -> str:
    return f"+++\n{front}\n+++\n\n{body}\n"


def body_of(site: Path, url: str = "posts/a") -> str:
    html = (site / "public" / url / "index.html").read_text(encoding="utf-8")
    return html.split('<div class="content">', 1)[1].split("</div>\n</article>", 1)[0]


def test_arguments_inner_text_and_what_templates_see(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": SITE_TOML,
            "data/staff.toml": 'head = "Ana"\n',
            "templates/shortcodes/note.html": NOTE,
            "templates/shortcodes/who.html": (
                '<a href="/staff/">{{ site.data.staff.head }}</a> ({{ site.params.term }}, '
                "{{ page.title }}, {{ page.url }}, {{ args | join('+') }}, "
                "{{ params.role | default('-') }})\n"
            ),
            "content/posts/a.md": post(
                'Ask {{< who one "two words" role=ta >}}.\n\n'
                '{{< note "Careful" kind="warn" >}}\nSome **bold** text.\n{{< /note >}}\n\n'
                "{{% note %}}\n- a\n- b\n{{% /note %}}\n\n"
                "{{< note />}}\n\n"
                "{{< note >}}\nAsk {{< who >}} first.\n{{< /note >}}"
            ),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    who = '<a href="/course/staff/">Ana</a> (Fall, Week 1, /posts/a/, {}, {})'
    assert body_of(site) == (
        f"\n<p>Ask {who.format('one+two words', 'ta')}\n.</p>\n"
        '<aside class="note note-warn" data-n="1">\n<p>Careful</p>\n'
        "Some <strong>bold</strong> text.\n</aside>\n"
        '<aside class="note note-info" data-n="2">\n<p>Note</p>\n'
        "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n</aside>\n"
        '<aside class="note note-info" data-n="3">\n<p>Note</p>\n\n</aside>\n'
        '<aside class="note note-info" data-n="4">\n<p>Note</p>\n'
        f"Ask {who.format('', '-')}\nfirst.\n</aside>\n\n  "
    )


def test_a_template_that_fails_is_an_error_at_the_pages_line(make_site: Maker) -> None:
    site = make_site(
        {
            "templates/shortcodes/bad.html": "<p>\n{{ params.missing.deeper }}\n</p>\n",
            "content/posts/a.md": post("Text.\n\n{{< bad >}}"),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "content/posts/a.md:8: shortcode 'bad' failed: 'dict object' has no attribute "
        "'missing'\n"
        "  hint: the error is in its template, templates/shortcodes/bad.html:2\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )
    checked = run_cli("check", cwd=site)
    assert checked.returncode == 1
    assert "8       error   shortcode-error      shortcode 'bad' failed" in checked.stdout


def test_template_syntax_and_encoding_errors_name_the_template(make_site: Maker) -> None:
    site = make_site(
        {
            "templates/shortcodes/broken.html": "<p>\n{% if %}\n",
            "templates/shortcodes/latin1.html": "caf\xe9".encode("latin-1"),
            "content/posts/a.md": post("No shortcode here."),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "templates/shortcodes/broken.html:2: template syntax: Expected an expression, got "
        "'end of statement block'\n"
        "  hint: a shortcode template is Jinja, as the other templates are (see Shortcodes in "
        "the README)\n"
        "templates/shortcodes/latin1.html: this template is not UTF-8 text\n"
        "  hint: save it as UTF-8 (most editors offer it under Save As or Encoding)\n"
        "build failed with 2 errors; the previous site is unchanged\n"
    )


def test_pairs_that_do_not_match_are_shown_as_written(make_site: Maker) -> None:
    site = make_site(
        {
            "templates/shortcodes/note.html": NOTE,
            "templates/shortcodes/single.html": "<b>{{ get(0) }}</b>\n",
            "content/posts/a.md": post(
                "{{< single x >}} and {{< /single >}}\n\n{{< note >}}\nNever closed."
            ),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "content/posts/a.md:6: warning: '{{< /single >}}' closes no 'single' shortcode\n"
        "  hint: remove it, or open the shortcode before it "
        "(templates/shortcodes/single.html does not read inner)\n"
        "content/posts/a.md:8: warning: shortcode 'note' is never closed: it is shown in the "
        "page as written\n"
        "  hint: close it with '{{< /note >}}', or write '{{< note />}}' when there is nothing "
        "inside\n"
    )
    assert "<code>{{&lt; note &gt;}}</code>" in body_of(site)


def test_a_site_shortcode_comes_before_the_built_in_one(make_site: Maker) -> None:
    site = make_site(
        {
            "templates/shortcodes/figure.html": '<img class="own" src="{{ get("src") }}" alt="">\n',
            "content/posts/a.md": post('{{< figure src="/a.png" >}}'),
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    assert '<img class="own" src="/a.png" alt="">' in body_of(site)


def test_editing_a_shortcode_template_rebuilds_the_pages_that_use_it(make_site: Maker) -> None:
    site = make_site(
        {
            "templates/shortcodes/tag.html": "<b>one</b>\n",
            "content/posts/a.md": post("Uses {{< tag >}}."),
            "content/posts/b.md": post("Does not.", 'title = "B"\ndate = 2024-01-02'),
        }
    )
    assert run_cli("build", cwd=site).returncode == 0
    assert "<b>one</b>" in body_of(site)
    (site / "templates/shortcodes/tag.html").write_text("<b>two</b>\n")
    again = run_cli("build", cwd=site)
    assert again.returncode == 0, again.stderr
    assert "<b>two</b>" in body_of(site)


def test_check_lints_what_a_site_shortcode_makes(make_site: Maker) -> None:
    site = make_site(
        {
            "templates/shortcodes/link.html": '<a href="/nowhere/">{{ get(0) }}</a>\n',
            "content/posts/a.md": post('Text.\n\n{{< link "go" >}}'),
        }
    )
    result = run_cli("check", cwd=site)
    assert "unknown-shortcode" not in result.stdout
    assert "8       error   broken-link          the link /nowhere/ leads nowhere" in result.stdout


def test_safe_mode_runs_shortcode_templates_in_the_sandbox(make_site: Maker) -> None:
    site = make_site(
        {
            "templates/shortcodes/peek.html": "{{ get.__globals__ }}\n",
            "content/posts/a.md": post("{{< peek >}}"),
        }
    )
    assert run_cli("build", cwd=site).returncode == 0  # out of safe mode, templates are trusted
    result = run_cli("build", "--safe", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "content/posts/a.md:6: shortcode 'peek' failed: SecurityError: access to attribute "
        "'__globals__' of 'function' object is unsafe.\n"
        "  hint: the error is in its template, templates/shortcodes/peek.html:1\n"
        "build failed with 1 error; the previous site is unchanged\n"
    )


def test_init_from_hugo_lists_the_go_shortcodes_that_need_a_twin(make_site: Maker) -> None:
    site = make_site(
        {
            "hugo.toml": 'title = "T"\ntheme = "ananke"\n',
            "layouts/shortcodes/callout.html": "{{ .Inner }}",
            "layouts/shortcodes/figure.html": "{{ .Get 0 }}",
            "layouts/shortcodes/ported.html": "{{ .Get 0 }}",
            "templates/shortcodes/ported.html": "{{ get(0) }}",
            "themes/ananke/layouts/_shortcodes/aside.html": "{{ .Inner }}",
            "themes/ananke/layouts/shortcodes/callout.html": "theme's, hidden by the site's",
            "content/a.md": post("{{< callout >}}x{{< /callout >}} {{< figure src=x >}}"),
            "content/b.md": post("{{% callout %}}y{{% /callout %}}"),
        }
    )
    result = run_cli("init", "--from-hugo", ".", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("(Go templates are not run)\n", 1)[1] == (
        "\nGo shortcodes that need a Jinja twin in templates/shortcodes/ (see Shortcodes in the "
        "README):\n"
        "  callout  layouts/shortcodes/callout.html, used by 2 pages\n"
        "  figure   layouts/shortcodes/figure.html, used by 1 page; until then coursepress's "
        "own figure is used\n"
        "  aside    themes/ananke/layouts/_shortcodes/aside.html, used by 0 pages\n"
        "\nNext: coursepress build --source .\n"
    )


def test_inner_is_html_as_written_and_pairs_are_matched(make_site: Maker) -> None:
    site = make_site(
        {
            "templates/shortcodes/box.html": '<div class="box">{{ inner }}</div>\n',
            "templates/shortcodes/who.html": "<b>{{ get(0) }}</b>\n",
            "templates/shortcodes/link.html": '<a href="{{ get(0) }}">x</a>\n',
            "content/posts/a.md": post(
                '{{< box >}}Hello {{< who "Ana" >}} and <i>it</i>{{< /box >}}\n\n'
                "{{< link docs/ >}} {{< link https://example.org/ >}}\n\n"
                "{{< box >}}one{{< /box >}}{{< /box >}}\n\n"
                + "{{< box >}}" * 22
                + "deep"
                + "{{< /box >}}" * 22
            ),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    body = body_of(site)
    assert '<div class="box">Hello <b>Ana</b>\n and <i>it</i></div>' in body  # as Hugo's .Inner
    assert '<a href="docs/">x</a>' in body and '<a href="https://example.org/">x</a>' in body
    assert result.stderr == (
        "content/posts/a.md:10: warning: '{{< /box >}}' closes no 'box' shortcode\n"
        "  hint: remove it, or open the shortcode before it\n"
        "content/posts/a.md:12: warning: shortcodes nested more than 20 deep: the inner ones "
        "are shown as written\n"
        "  hint: nest shortcodes less deeply\n"
    )
