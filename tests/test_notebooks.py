"""Jupyter notebooks as posts, through the CLI: front matter from a raw cell or the metadata,
cells and their saved outputs (pictures as files beside the page, tables, coloured
tracebacks, LaTeX), Jupyter Book's tags and Quarto's cell options, safe mode, the base
path, the cache, and messages at the notebook's own lines. The notebooks are written by
nbformat, as Jupyter writes them. (Broken notebooks: tests/fixtures/errors/notebook-*.)"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from tests.conftest import run_cli

Maker = Callable[[dict[str, str | bytes]], Path]

# A real 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[4], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m \x1b[38;5;241;43m1\x1b[39;49m"
    "\x1b[38;5;241;43m/\x1b[39;49m\x1b[38;5;241;43m0\x1b[39;49m",
    "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
]
PANDAS_STYLE = """<div>
<style scoped>
    .dataframe tbody tr th:only-of-type {
        vertical-align: middle;
    }

    .dataframe thead th {
        text-align: right;
    }
</style>
"""
FRONT_MATTER = '---\ntitle: "Gradient descent"\ndate: 2024-09-10\ntags: [optimisation]\n---'


def notebook(*cells: Any, metadata: dict[str, Any] | None = None) -> str:
    """A notebook as Jupyter saves it (nbformat's own writer: one line per source line); a
    post, with a date as its front matter, unless `metadata` is given."""
    book = new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    book.metadata.update({"coursepress": {"date": "2024-01-10"}} if metadata is None else metadata)
    book.cells = list(cells)
    for number, cell in enumerate(book.cells):
        cell["id"] = f"cell-{number}"  # stable: the file's lines do not move between runs
    return str(nbformat.writes(book)) + "\n"


def line_of(text: str, needle: str) -> int:
    """The file's line holding `needle` (a test names lines by what is on them)."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def picture(alt: str = "", caption: str = "") -> Any:
    options = f"#| fig-alt: {alt}\n" if alt else ""
    options += f"#| fig-cap: {caption}\n" if caption else ""
    return new_code_cell(
        f"{options}plt.plot(xs, losses)",
        outputs=[
            new_output(
                "display_data",
                data={"image/png": base64.b64encode(PNG).decode(), "text/plain": "<Figure>"},
                metadata={"image/png": {"width": 640, "height": 480}},
            )
        ],
    )


def lecture() -> str:
    return notebook(
        new_raw_cell(FRONT_MATTER),
        new_markdown_cell(
            "# Setting up\n\nWe minimise $f(x) = x^2$ by steps.[^steps]\n\n"
            "![The update rule](attachment:rule.png)\n\n[^steps]: Of size $\\eta$.",
            attachments={"rule.png": {"image/png": base64.b64encode(PNG).decode()}},
        ),
        new_code_cell(
            "import numpy as np\nprint(np.arange(3))",
            outputs=[
                new_output("stream", name="stdout", text="[0 1 2]\n"),
                new_output("stream", name="stdout", text="done\n"),
                new_output("stream", name="stderr", text="a warning\n"),
            ],
        ),
        picture(alt="The loss falls with each step", caption="Training loss"),
        new_code_cell(
            "df.head(2)",
            outputs=[
                new_output(
                    "execute_result",
                    data={
                        "text/html": PANDAS_STYLE + '<table border="1" class="dataframe">'
                        "<thead><tr><th>step</th><th>loss</th></tr></thead><tbody><tr><td>0"
                        "</td><td>1.0</td></tr></tbody></table>\n</div>",
                        "text/plain": "   step  loss\n0     0   1.0",
                    },
                    execution_count=3,
                )
            ],
        ),
        new_code_cell(
            "1/0",
            outputs=[
                new_output(
                    "error",
                    ename="ZeroDivisionError",
                    evalue="division by zero",
                    traceback=TRACEBACK,
                )
            ],
        ),
        new_code_cell(
            "sympy.diff(x**2)",
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/latex": "$\\displaystyle 2 x$", "text/plain": "2*x"},
                    execution_count=5,
                )
            ],
        ),
        new_markdown_cell("## Next week\n\nMomentum."),
    )


def build(site: Path, *options: str) -> str:
    result = run_cli("build", *options, cwd=site)
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_a_notebook_is_a_post_with_its_outputs(make_site: Maker) -> None:
    site = make_site({"content/posts/descent.ipynb": lecture()})
    assert build(site) == ""
    folder = site / "public/posts/descent"
    page = (folder / "index.html").read_text()
    # Front matter from the raw cell; the title is the page's only <h1>.
    assert "<h1>Gradient descent</h1>" in page and 'datetime="2024-09-10' in page
    assert '<a href="/tags/optimisation/">optimisation</a>' in page
    assert '<h2 id="setting-up">Setting up</h2>' in page  # `#` headings moved a level down
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML">' in page and "$" not in page
    assert 'class="footnotes"' in page and "Of size" in page
    # Code highlighted in the kernel's language; outputs to one stream shown as one.
    assert '<code class="language-python"><span class="kn">import</span>' in page
    assert '<pre class="cell-output cell-stdout"' in page and "[0 1 2]\ndone</samp>" in page
    assert '<pre class="cell-output cell-stderr"' in page and "a warning</samp>" in page
    # Pictures are files beside the page, never base64 in it.
    assert (folder / "cell-4-output-1.png").read_bytes() == PNG
    assert (folder / "cell-2-rule.png").read_bytes() == PNG
    assert "base64" not in page and "iVBOR" not in page
    assert (
        '<figure class="cell-output cell-figure">\n<img src="cell-4-output-1.png" '
        'alt="The loss falls with each step" width="640" height="480" loading="lazy">\n'
        "<figcaption>Training loss</figcaption>\n</figure>"
    ) in page
    assert '<img src="cell-2-rule.png" alt="The update rule">' in page
    assert "#| fig-alt" not in page  # Quarto's options are not code
    # An HTML table (without the style pandas repeats in each), a traceback's colours as
    # HTML, LaTeX typeset.
    assert '<div>\n<table class="dataframe"><thead><tr><th>step</th>' in page
    assert "<style" not in page and "border=" not in page
    assert "\x1b" not in page and '<span class="ansi31">ZeroDivisionError</span>' in page
    assert '<span class="ansi38-241 ansi43">1</span>' in page
    assert page.count("<math") == 3  # two in the Markdown, one output
    assert '<h3 id="next-week">Next week</h3>' in page  # as the rest: one level down
    # The summary is the first paragraph of text, not a cell.
    home = (site / "public/posts/index.html").read_text()
    assert "We minimise" in home and "import numpy" not in home


def test_jupyter_book_tags_and_quarto_options(make_site: Maker) -> None:
    def cell(source: str, *tags: str) -> Any:
        printed = source.rsplit("(", 1)[-1].strip("')")
        return new_code_cell(
            source,
            metadata={"tags": list(tags)},
            outputs=[new_output("stream", name="stdout", text=f"printed {printed}\n")],
        )

    text = notebook(
        new_markdown_cell("Tags and options."),
        cell("print('removed input')", "remove-input"),
        cell("print('removed output')", "remove-output"),
        cell("print('removed cell')", "remove-cell"),
        cell("print('hidden input')", "hide-input"),
        cell("print('hidden output')", "hide-output"),
        cell("#| echo: false\nprint('echo false')"),
        cell("#| output: false\nprint('output false')"),
        cell("#| include: false\nprint('include false')"),
        cell("#| code-fold: true\nprint('folded')"),
    )
    site = make_site({"content/posts/tags.ipynb": text})
    build(site)
    page = (site / "public/posts/tags/index.html").read_text()

    def code(name: str) -> bool:
        return f"<span class=\"s1\">'{name}'</span>" in page

    def printed(name: str) -> bool:
        return f"printed {name}</samp>" in page

    assert not code("removed input") and printed("removed input")
    assert code("removed output") and not printed("removed output")
    assert "removed cell" not in page
    assert not code("echo false") and printed("echo false")
    assert code("output false") and not printed("output false")
    assert "include false" not in page
    folded = page.split('<details class="cell-folded">')
    assert len(folded) == 4  # hide-input, hide-output, code-fold
    assert "<summary>Show code</summary>" in folded[1] and code("hidden input")
    assert "<summary>Show output</summary>" in folded[2] and printed("hidden output")
    assert "<summary>Show code</summary>" in folded[3] and code("folded")
    assert "#|" not in page


def test_front_matter_from_the_metadata_and_drafts(make_site: Maker) -> None:
    own = {"coursepress": {"title": "Kernels", "date": "2024-10-01", "draft": True}}
    site = make_site(
        {
            "content/posts/kernels.ipynb": notebook(new_markdown_cell("Text."), metadata=own),
            "content/posts/nbconvert.ipynb": notebook(
                new_markdown_cell("Text."),
                metadata={"title": "From nbconvert", "authors": [{"name": "Ada Lovelace"}]},
            ),
        }
    )
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert not (site / "public/posts/kernels").exists()  # a draft never publishes
    assert "content/posts/kernels.ipynb" in result.stdout  # ... and is named
    page = (site / "public/posts/nbconvert/index.html").read_text()
    assert "<h1>From nbconvert</h1>" in page and "Ada Lovelace" in page
    build(site, "--drafts")
    assert "<h1>Kernels</h1>" in (site / "public/posts/kernels/index.html").read_text()


def test_messages_name_the_notebook_lines(make_site: Maker) -> None:
    text = notebook(
        new_markdown_cell("Intro.\n\n```pyhton\nx = 1\n```"),
        new_code_cell(
            "w",
            outputs=[
                new_output(
                    "display_data",
                    data={
                        "application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                        "text/plain": "IntSlider(value=3)",
                    },
                )
            ],
        ),
    )
    site = make_site({"content/posts/a.ipynb": text})
    stderr = build(site)
    fence = line_of(text, '"```pyhton')
    output = line_of(text, '"data": {') - 1  # the output's opening brace
    assert stderr == (
        f'content/posts/a.ipynb:1: warning: no title in the front matter; using "A"\n'
        '  hint: add a line such as title = "Week 1: Introduction" to the front matter\n'
        f"content/posts/a.ipynb:{fence}: warning: unknown code language 'pyhton'; the block is "
        "shown without highlighting\n"
        "  hint: did you mean 'python'? (see pygments.org/docs/lexers)\n"
        f"content/posts/a.ipynb:{output}: info: an output is left out: an interactive widget "
        "needs the notebook's kernel or scripts to show\n"
        "  hint: save a static form of it in the notebook (a picture, a table, text)\n"
    )
    assert "IntSlider" not in (site / "public/posts/a/index.html").read_text()
    check = run_cli("check", "--format", "json", cwd=site)
    found = [d for d in json.loads(check.stdout)["diagnostics"] if d["code"] == "notebook-output"]
    assert [(d["line"], d["severity"], d["message"]) for d in found] == [
        (
            output,
            "info",
            "an output is left out: an interactive widget needs the notebook's kernel or "
            "scripts to show",
        )
    ]


def svg_and_html() -> str:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
    return notebook(
        new_markdown_cell("See [the syllabus](/syllabus/)."),
        new_code_cell(
            "plot()",
            metadata={"caption": "A square"},
            outputs=[new_output("display_data", data={"image/svg+xml": svg, "text/plain": "."})],
        ),
        new_code_cell(
            "styled",
            outputs=[
                new_output(
                    "display_data",
                    data={"text/html": '<p onclick="steal()">Hi</p><script>steal()</script>'},
                )
            ],
        ),
    )


def test_safe_mode_sanitises_html_outputs_and_publishes_no_svg(make_site: Maker) -> None:
    text = svg_and_html()
    site = make_site({"content/posts/a.ipynb": text, "content/syllabus.md": "# Syllabus\n"})
    plain = run_cli("build", cwd=site)
    assert (site / "public/posts/a/cell-2-output-1.svg").is_file(), plain.stderr
    result = run_cli("build", "--safe", cwd=site)
    assert result.returncode == 0, result.stderr
    page = (site / "public/posts/a/index.html").read_text()
    body = page.split('<div class="content">', 1)[1]
    assert not (site / "public/posts/a/cell-2-output-1.svg").exists()
    assert "<script" not in body and "onclick" not in body and "<p>Hi</p>" in body
    # An output opens two lines above its first form: `{`, then `"data": {`.
    svg, html = line_of(text, '"image/svg+xml"') - 2, line_of(text, '"text/html"') - 2
    assert (
        f"content/posts/a.ipynb:{svg}: info: an SVG picture can run script, and safe mode does "
        "not publish one: its text/plain form is shown\n"
    ) in result.stderr
    assert (
        f"content/posts/a.ipynb:{html}: warning: safe mode removes <script>, the onclick "
        "attribute of <p>\n"
    ) in result.stderr


def test_under_a_base_path_and_from_the_cache(make_site: Maker) -> None:
    site = make_site(
        {
            "site.toml": 'base_url = "https://example.github.io/course/"\n',
            "content/posts/descent.ipynb": lecture(),
            "content/posts/shapes.ipynb": svg_and_html(),
            "content/syllabus.md": "# Syllabus\n",
        }
    )
    build(site)
    shapes = (site / "public/posts/shapes/index.html").read_text()
    assert '<a href="/course/syllabus/">the syllabus</a>' in shapes
    assert '<img src="cell-2-output-1.svg" alt="A square" loading="lazy">' in shapes
    listing = (site / "public/posts/index.html").read_text()
    assert "/course/posts/descent/" in listing
    before = (site / "public/posts/descent/cell-4-output-1.png").read_bytes()
    (site / "public").rename(site / "old")
    result = run_cli("build", "--profile", cwd=site)  # every page from the cache
    assert result.returncode == 0 and "markdown" in result.stderr + result.stdout
    assert (site / "public/posts/descent/cell-4-output-1.png").read_bytes() == before == PNG
    assert (site / "public/posts/descent/index.html").read_bytes() == (
        site / "old/posts/descent/index.html"
    ).read_bytes()


def test_a_bundle_of_a_notebook_and_its_files(make_site: Maker) -> None:
    site = make_site(
        {
            "content/posts/week3/index.ipynb": notebook(
                new_markdown_cell("# Week 3\n\nThe [data](data.csv), the [notebook](copy.ipynb).")
            ),
            "content/posts/week3/data.csv": "x,y\n1,2\n",
            "content/posts/week3/copy.ipynb": notebook(
                new_markdown_cell("A copy to download."), metadata={}
            ),
        }
    )
    build(site)
    folder = site / "public/posts/week3"
    assert "<h1>Week 3</h1>" in (folder / "index.html").read_text()  # titled by its heading
    assert (folder / "data.csv").is_file() and (folder / "copy.ipynb").is_file()
    assert not (site / "public/posts/week3/copy").exists()  # a resource, not a page


def test_each_cell_stands_alone_and_progress_bars_show_their_end(make_site: Maker) -> None:
    text = notebook(
        new_markdown_cell("Before:\n\n```python\nx = 1"),  # a fence the cell leaves open
        new_code_cell(
            "train()",
            outputs=[new_output("stream", name="stderr", text="10%\r50%\r100%\ndone\r\n")],
        ),
        new_markdown_cell(
            "![a](<attachment:a b.png>) ![b](attachment:a-b.png)",
            attachments={
                "a b.png": {"image/png": base64.b64encode(PNG).decode()},
                "a-b.png": {"image/png": base64.b64encode(PNG).decode()},
            },
        ),
        metadata={"coursepress": {"title": "Cells"}},
    )
    site = make_site({"content/posts/a.ipynb": text})
    build(site)
    page = (site / "public/posts/a/index.html").read_text()
    assert '<div class="cell">' in page and "train" in page.split('<div class="cell">')[1]
    assert "<samp>100%\ndone</samp>" in page and "10%" not in page
    assert '<img src="cell-3-a-b.png" alt="a"> <img src="cell-3-a-b-2.png" alt="b">' in page
    assert (site / "public/posts/a/cell-3-a-b-2.png").read_bytes() == PNG


def test_a_notebook_without_front_matter_is_a_file_to_download(make_site: Maker) -> None:
    lab = notebook(new_markdown_cell("# Lab 2\n\nRun every cell."), metadata={})
    site = make_site(
        {
            "content/posts/lab.ipynb": lab,
            "content/posts/week2.md": '+++\ntitle = "Week 2"\n+++\n\n[The lab](../lab.ipynb).\n',
        }
    )
    assert build(site) == ""
    assert (site / "public/posts/lab.ipynb").read_text() == lab  # as it was, for Jupyter
    assert not (site / "public/posts/lab").exists()
    assert run_cli("check", cwd=site).returncode == 0  # the link leads to it
