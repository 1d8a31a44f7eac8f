"""A notebook's code cells → HTML: the code highlighted in the kernel's language, and the
outputs saved with it. Pictures become files beside the page; tracebacks keep their colours
as HTML; HTML outputs (a pandas table) go through safe mode as any raw HTML does; LaTeX and
Markdown outputs go through the page's own Markdown, math included."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from types import MappingProxyType

from markdown_it import MarkdownIt
from markupsafe import escape

from coursepress.content.citations import Citations
from coursepress.content.highlight import highlight_block
from coursepress.content.markdown import (
    RenderedMarkdown,
    page_env,
    render_markdown,
    unsafe_html_warning,
)
from coursepress.content.safehtml import removals
from coursepress.content.shortcodes import Expanded, SiteCodes
from coursepress.errors import Diagnostic, Severity
from coursepress.source.notebook import PICTURES, CellOutput, CodeCell, Notebook, Shown

Markdown = Callable[[str, int], str]
"""Renders Markdown written at a line of the file, as the page's body is rendered."""

_SHOWN_FIRST = (
    "text/html", "text/latex", "image/svg+xml", "image/png", "image/jpeg", "image/gif",
    "text/markdown", "text/plain",
)  # fmt: skip
"""Of an output's forms, the one shown: nbconvert's order for HTML."""
_DROPPED = {
    "application/vnd.jupyter.widget-view+json": "an interactive widget",
    "application/javascript": "a JavaScript output",
}
"""Forms that need the notebook's kernel or its scripts: left out, with a note."""


@dataclass(slots=True)
class RenderedCells:
    html: list[str] = field(default_factory=list)
    """Each code cell's HTML, by its index in `Notebook.cells`."""
    files: list[tuple[str, bytes]] = field(default_factory=list)
    """Pictures, each with its file name beside the page."""
    warnings: list[Diagnostic] = field(default_factory=list)
    words: int = 0
    """Words of the code shown, for the reading time."""


def render_notebook(
    md: MarkdownIt,
    body: str,
    notebook: Notebook,
    *,
    doc_id: str,
    path: PurePath,
    base_path: str = "/",
    summary_length: int = 0,
    safe: bool = False,
    site_codes: SiteCodes | None = None,
    math_macros: Mapping[str, str] = MappingProxyType({}),
    citations: Citations | None = None,
) -> RenderedMarkdown:
    """A notebook page: its Markdown cells (`body`, on the file's lines) rendered as any
    page's body, with each code cell's HTML where its placeholder stands."""
    warnings: list[Diagnostic] = []

    def markdown(text: str, line: int) -> str:
        env = page_env(f"{doc_id}-output-{line}", path, line, "/", math_macros)
        html = str(md.render(text, env))
        warnings.extend(env["warnings"])
        return html

    cells = render_cells(notebook, path, markdown, safe)
    rendered = render_markdown(
        md,
        body,
        doc_id=doc_id,
        path=path,
        first_line=1,
        base_path=base_path,
        summary_length=summary_length,
        safe=safe,
        site_codes=site_codes,
        math_macros=math_macros,
        blocks=Expanded(body, cells.html, [], notebook.nonce),
        citations=citations,
    )
    return replace(
        rendered,
        words=rendered.words + cells.words,
        warnings=rendered.warnings + tuple(warnings + cells.warnings),
        files=tuple(cells.files),
    )


def render_cells(
    notebook: Notebook, path: PurePath, markdown: Markdown, safe: bool
) -> RenderedCells:
    rendered = RenderedCells()
    for name, mime, data in notebook.attachments:
        picture = _decoded(mime, data)
        if picture is not None:
            rendered.files.append((name, picture))
    for cell in notebook.cells:
        rendered.html.append(_cell(cell, path, markdown, safe, rendered))
    return rendered


def _cell(
    cell: CodeCell, path: PurePath, markdown: Markdown, safe: bool, into: RenderedCells
) -> str:
    parts = ['<div class="cell">\n']
    if cell.show_input is not Shown.REMOVED and cell.source.strip():
        # A kernel language Pygments does not know is shown as plain text.
        code = highlight_block(cell.source, cell.language) or str(highlight_block(cell.source, ""))
        into.words += len(_WORD.findall(cell.source))
        parts.append(_folded(code, "Show code") if cell.show_input is Shown.FOLDED else code)
    if cell.show_outputs is not Shown.REMOVED and cell.outputs:
        outputs = "".join(_outputs(cell, path, markdown, safe, into))
        if outputs:
            shown = f'<div class="cell-outputs">\n{outputs}</div>\n'
            folded = cell.show_outputs is Shown.FOLDED
            parts.append(_folded(shown, "Show output") if folded else shown)
    parts.append("</div>\n")
    return "".join(parts) if len(parts) > 2 else ""


def _folded(html: str, label: str) -> str:
    return f'<details class="cell-folded">\n<summary>{label}</summary>\n{html}</details>\n'


def _outputs(
    cell: CodeCell, path: PurePath, markdown: Markdown, safe: bool, into: RenderedCells
) -> list[str]:
    shown: list[str] = []
    streams: list[tuple[str, str]] = []  # consecutive output to one stream is shown as one
    for number, output in enumerate(cell.outputs, 1):
        if output.kind == "stream":
            text = dict(output.data).get("text/plain", "")
            if streams and streams[-1][0] == output.stream:
                streams[-1] = (output.stream, streams[-1][1] + text)
            else:
                streams.append((output.stream, text))
            continue
        shown += [_stream(name, text) for name, text in streams]
        streams = []
        if output.kind == "error":
            shown.append(_preformatted(dict(output.data).get("text/plain", ""), "cell-error"))
            continue
        shown.append(_display(cell, number, output, path, markdown, safe, into))
    shown += [_stream(name, text) for name, text in streams]
    return [html for html in shown if html]


def _stream(name: str, text: str) -> str:
    # A progress bar rewrites its line after each `\r`: a terminal shows the last text.
    if "\r" in text:
        text = "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n"))
    return _preformatted(text, "cell-stderr" if name == "stderr" else "cell-stdout")


def _preformatted(text: str, kind: str) -> str:
    """Text as the notebook showed it, ANSI colours (IPython's tracebacks) as HTML classes."""
    if not text.strip():
        return ""
    if "\x1b[" in text:
        from ansi2html import Ansi2HTMLConverter  # loaded only for output with colours

        html = Ansi2HTMLConverter(inline=False, line_wrap=False).convert(text, full=False)
    else:
        html = str(escape(text))
    label = "Error" if kind == "cell-error" else "Output"
    return (
        f'<pre class="cell-output {kind}" tabindex="0" role="group" aria-label="{label}">'
        f"<samp>{html.rstrip()}</samp></pre>\n"
    )


def _display(
    cell: CodeCell,
    number: int,
    output: CellOutput,
    path: PurePath,
    markdown: Markdown,
    safe: bool,
    into: RenderedCells,
) -> str:
    forms = dict(output.data)
    mime = shown_form(output, safe)
    if mime is None or (safe and "image/svg+xml" in forms):
        dropped = next((what for mime, what in _DROPPED.items() if mime in forms), None)
        into.warnings.append(_left_out(dropped, forms, safe, path, output.line, mime))
    if mime is None:
        return ""
    content = forms[mime]
    if mime in PICTURES:
        return _picture(cell, number, output, mime, content, path, into)
    if mime == "text/html":
        removed = removals(content) if safe else []
        if removed:  # what safe mode takes out of the notebook's HTML, at the output's line
            into.warnings.append(unsafe_html_warning(removed, path, output.line))
        return (
            '<div class="cell-output cell-html" tabindex="0" role="group" '
            f'aria-label="Output">\n{_without_table_defaults(content).strip()}\n</div>\n'
        )
    if mime == "text/latex" and "$" not in content and "\\(" not in content:
        content = f"$$\n{content.strip()}\n$$"  # a bare environment (`\begin{align}`)
    if mime in ("text/latex", "text/markdown"):
        return f'<div class="cell-output cell-markdown">\n{markdown(content, output.line)}</div>\n'
    return _preformatted(content, "cell-result")


def _without_table_defaults(html: str) -> str:
    """A pandas table without the style pandas repeats in every one: a `<style scoped>` of
    rules for `.dataframe` only (the theme has them once) and `border="1"`. Both are invalid
    in HTML (a style in the body, a presentational attribute); a table's own style (pandas'
    Styler, with its colours) is kept."""
    if "dataframe" not in html:
        return html
    html = html.replace('<table border="1" class="dataframe"', '<table class="dataframe"')
    return _SCOPED_STYLE.sub(lambda m: "" if _only_dataframe_rules(m.group(1)) else m.group(0), html)


def _only_dataframe_rules(css: str) -> bool:
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return bool(rules) and all(
        rule.type == "qualified-rule"
        and tinycss2.serialize(rule.prelude).strip().startswith(".dataframe")
        for rule in rules
    )


_SCOPED_STYLE = re.compile(r"<style scoped>(.*?)</style>\s*", re.DOTALL)


def shown_form(output: CellOutput, safe: bool) -> str | None:
    """The MIME type of the form of a display output the page shows; None for none."""
    forms = dict(output.data)
    if any(mime in forms for mime in _DROPPED):
        return None
    usable = (m for m in _SHOWN_FIRST if m in forms and not (safe and m == "image/svg+xml"))
    return next(usable, None)


def is_picture(mime: str) -> bool:
    return mime in PICTURES


def _picture(
    cell: CodeCell,
    number: int,
    output: CellOutput,
    mime: str,
    content: str,
    path: PurePath,
    into: RenderedCells,
) -> str:
    data = _decoded(mime, content)
    if data is None:
        into.warnings.append(
            Diagnostic(
                f"the picture in cell {cell.number}'s output is not valid base64: it is left out",
                path=path,
                line=output.line,
                hint="run the cell again in Jupyter and save the notebook",
                code="notebook-output",
            )
        )
        return ""
    name = f"cell-{cell.number}-output-{number}.{PICTURES[mime]}"
    into.files.append((name, data))
    alt = cell.alt or cell.caption
    size = next(((w, h) for m, w, h in output.sizes if m == mime), None)
    attributes = f' alt="{escape(alt)}"' if alt else ""
    attributes += f' width="{size[0]}" height="{size[1]}"' if size else ""
    image = f'<img src="{name}"{attributes} loading="lazy">'
    if cell.caption:
        caption = escape(cell.caption)
        return (
            f'<figure class="cell-output cell-figure">\n{image}\n'
            f"<figcaption>{caption}</figcaption>\n</figure>\n"
        )
    return f'<p class="cell-output cell-figure">{image}</p>\n'


def _decoded(mime: str, content: str) -> bytes | None:
    if mime == "image/svg+xml":
        return content.encode("utf-8")
    try:
        return base64.b64decode(content, validate=False)
    except (binascii.Error, ValueError):
        return None


def _left_out(
    dropped: str | None,
    forms: dict[str, str],
    safe: bool,
    path: PurePath,
    line: int,
    instead: str | None,
) -> Diagnostic:
    if dropped is not None:
        what = f"an output is left out: {dropped} needs the notebook's kernel or scripts to show"
    elif safe and "image/svg+xml" in forms:
        shown = f"its {instead} form is shown" if instead else "it is left out"
        what = f"an SVG picture can run script, and safe mode does not publish one: {shown}"
    else:
        what = f"an output is left out: no form coursepress shows ({', '.join(sorted(forms))})"
    return Diagnostic(
        what,
        path=path,
        line=line,
        hint="save a static form of it in the notebook (a picture, a table, text)",
        code="notebook-output",
        severity=Severity.INFO,
    )


_WORD = re.compile(r"\w+")
