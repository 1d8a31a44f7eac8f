"""A Jupyter notebook (`.ipynb`) → its front matter, its Markdown cells on the lines of the
file, and its code cells as records to render (content/notebook.py). Read with nbformat and
never executed: the outputs shown are those saved in the file."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import unquote

import yaml

from coursepress.content.shortcodes import PLACEHOLDER
from coursepress.errors import ContentError, SiteError
from coursepress.source.discover import SourceFile
from coursepress.source.locate import load_yaml

JsonPath = tuple[str | int, ...]


class Shown(Enum):
    """How much of a cell's input or outputs the page shows (Jupyter Book's cell tags)."""

    SHOWN = "shown"
    FOLDED = "folded"
    """Behind a "Show code" toggle (`hide-input`, `hide-output`; Quarto's `code-fold`)."""
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class CellOutput:
    """One output of a code cell, as saved."""

    kind: str
    """`stream`, `display_data`, `execute_result` or `error`."""
    line: int
    """The file's line where the output starts."""
    data: tuple[tuple[str, str], ...] = ()
    """MIME type → content, texts joined (a picture in base64): for a stream, its text as
    `text/plain`; for an error, its traceback (ANSI colours and all) as `text/plain`."""
    stream: str = ""
    """`stdout` or `stderr`, for a stream."""
    sizes: tuple[tuple[str, int, int], ...] = ()
    """MIME type → the width and height the output's metadata asks for, in pixels."""


@dataclass(frozen=True, slots=True)
class CodeCell:
    number: int
    """The cell's place in the notebook, from 1, as every cell is counted."""
    line: int
    """The file's line where its source starts."""
    source: str
    """The code, without Quarto's `#|` option lines."""
    language: str
    outputs: tuple[CellOutput, ...]
    show_input: Shown
    show_outputs: Shown
    caption: str = ""
    """A figure's caption, from the cell's metadata or Quarto's `#| fig-cap:`."""
    alt: str = ""
    """The text for screen readers of the cell's pictures (`#| fig-alt:`, metadata)."""


@dataclass(frozen=True, slots=True)
class Notebook:
    """What a notebook page has besides its Markdown."""

    cells: tuple[CodeCell, ...]
    """The code cells the page shows, each where a placeholder with the notebook's nonce
    (content/shortcodes.py `PLACEHOLDER`, the form a shortcode's HTML waits in) stands in the
    body."""
    attachments: tuple[tuple[str, str, str], ...]
    """Pictures attached to Markdown cells: (file name beside the page, MIME type, base64)."""
    nonce: str


@dataclass(frozen=True, slots=True)
class ReadNotebook:
    front_matter: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    """The Markdown cells, each on the file's lines, and a placeholder for each code cell."""
    notebook: Notebook


def read_notebook(source: SourceFile, text: str) -> ReadNotebook:
    """The notebook in `text`; an error at its line when it is not a notebook."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if _CONFLICT.match(text.split("\n")[error.lineno - 1]):
            raise ContentError(
                "this notebook holds a merge conflict that was never resolved",
                path=source.rel,
                line=error.lineno,
                hint="keep one side of each conflict and delete the <<<<<<<, ======= and "
                ">>>>>>> lines, or resolve it with nbdime (`nbdime mergetool`)",
                code="notebook",
            ) from None
        raise ContentError(
            f"this notebook is not valid JSON: {error.msg}",
            path=source.rel,
            line=error.lineno,
            hint="open it in Jupyter and save it again, or undo the last hand edit",
            code="notebook",
        ) from None
    except RecursionError:
        raise _not_a_notebook(source, 1, "its values are nested too deeply") from None
    lines = _json_lines(text, _wanted)
    _validate(data, source, lines)
    metadata = data.get("metadata", {})
    raw_front_matter = _raw_front_matter_cell(data["cells"])
    if raw_front_matter is not None:
        start = _source_line(lines, 0)
        front_matter, key_lines = _raw_front_matter(raw_front_matter, start, source)
    else:
        front_matter, key_lines = _metadata_front_matter(metadata, lines)
    nonce = hashlib.sha256(b"cells\0" + text.encode()).hexdigest()[:16]
    language = _language(metadata)
    layout = _Layout()
    cells: list[CodeCell] = []
    attachments: list[tuple[str, str, str]] = []
    for index, cell in enumerate(data["cells"]):
        number, kind = index + 1, cell["cell_type"]
        start = _source_line(lines, index)
        source_text = _joined(cell.get("source", ""))
        if kind == "markdown":
            named = _attachments(cell, number)
            attachments += [(name, mime, data) for _, name, mime, data in named]
            layout.add(_with_attachments(source_text, named), start)
        elif kind == "raw" and not (index == 0 and raw_front_matter):
            # Raw cells are left out unless they say they are Markdown or HTML, as nbconvert.
            if _raw_format(cell) in ("text/markdown", "text/html", "markdown", "html"):
                layout.add(source_text, start)
        elif kind == "code":
            code = _code_cell(cell, number, start, language, lines, index, source)
            if code is not None:
                layout.add(PLACEHOLDER.format(nonce=nonce, number=len(cells)), start)
                cells.append(code)
    return ReadNotebook(
        front_matter,
        key_lines,
        layout.text(),
        Notebook(tuple(cells), tuple(attachments), nonce),
    )


class _Layout:
    """The body, cell by cell: each cell starts on its own line of the file where it can (a
    blank line always separates two cells), so that Markdown's line numbers are the file's."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.next_line = 1

    def add(self, text: str, line: int) -> None:
        if not text.strip():
            return
        text = text if text.endswith("\n") else text + "\n"
        text += _closing_fence(text)  # a cell is a document of its own, as Jupyter shows it
        start = max(line, self.next_line + 1 if self.parts else 1)
        self.parts.append("\n" * (start - self.next_line) + text)
        self.next_line = start + text.count("\n")

    def text(self) -> str:
        return "".join(self.parts)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def _closing_fence(text: str) -> str:
    """The line that closes a code fence a cell leaves open, else "": what follows the cell
    is not code."""
    opened: str | None = None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if match is None:
            continue
        marker = match.group(1)
        if opened is None and not (marker[0] == "`" and "`" in match.group(2)):
            opened = marker
        elif (
            opened
            and marker[0] == opened[0]
            and len(marker) >= len(opened)
            and not match.group(2).strip()
        ):
            opened = None
    return f"{opened}\n" if opened else ""


def _wanted(path: JsonPath) -> bool:
    """The parts of a notebook whose lines are looked up: cells, their sources and outputs,
    and the front matter in the notebook's metadata."""
    if len(path) <= 1:
        return not path or path[0] in ("cells", "metadata")
    if path[0] == "metadata":
        return path[1] == "coursepress" and len(path) == 2
    return len(path) == 2 or (len(path) == 3 and path[2] in ("source", "outputs"))


def _joined(value: object) -> str:
    if isinstance(value, list):
        return "".join(str(item) for item in value)
    return str(value) if value is not None else ""


def _not_a_notebook(source: SourceFile, line: int, why: str) -> ContentError:
    return ContentError(
        f"this is not a Jupyter notebook: {why}",
        path=source.rel,
        line=line,
        hint="open it in Jupyter and save it again (coursepress reads notebooks of format 4, "
        "as Jupyter saves them)",
        code="notebook",
    )


def _validate(data: object, source: SourceFile, lines: Mapping[JsonPath, int]) -> None:
    version = data.get("nbformat") if isinstance(data, dict) else None
    if isinstance(version, int) and version < 4:
        raise _not_a_notebook(
            source, lines.get(("nbformat",), 1), f"it is in the old format {version}"
        )
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise _not_a_notebook(source, 1, 'it has no list of "cells"')
    import nbformat  # a fifth of a second: loaded only for sites with notebooks

    try:
        nbformat.validate(data, version=4)
    except nbformat.ValidationError as error:
        where = tuple(getattr(error, "absolute_path", ()))
        line = next((lines[where[:n]] for n in range(len(where), 0, -1) if where[:n] in lines), 1)
        shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where).lstrip(".")
        # The schema's message may quote the whole value, a picture in base64 and all.
        if error.message.startswith(("{", "[")) or len(error.message) > 120:
            what = f"{shown or 'the notebook'} is not what the notebook format allows"
        else:
            what = f"{error.message} (at {shown})" if shown else error.message
        raise _not_a_notebook(source, line, what) from None


def _source_line(lines: Mapping[JsonPath, int], index: int) -> int:
    """The file's line of a cell's first line of source."""
    return lines.get(("cells", index, "source", 0)) or lines[("cells", index, "source")]


def has_front_matter(data: dict[str, Any]) -> bool:
    """Whether a notebook (its JSON, with a list of cells) has front matter: what makes it a
    page rather than a file to download (source/discover.py)."""
    metadata = data.get("metadata")
    titled = isinstance(metadata, dict) and (
        isinstance(metadata.get("coursepress"), dict) or isinstance(metadata.get("title"), str)
    )
    return titled or _raw_front_matter_cell(data["cells"]) is not None


def _raw_front_matter_cell(cells: list[Any]) -> str | None:
    """The text of a first raw cell that is front matter (`---` YAML, as Quarto reads it, or
    `+++` TOML)."""
    if not cells or not isinstance(cells[0], dict) or cells[0].get("cell_type") != "raw":
        return None
    text = _joined(cells[0].get("source", ""))
    return text if re.match(r"(?:-{3,}|\+{3,})[ \t]*\n", text) else None


def _metadata_front_matter(
    metadata: Mapping[str, Any], lines: Mapping[JsonPath, int]
) -> tuple[dict[str, Any], dict[str, int]]:
    """The notebook metadata's `coursepress` table, else its `title` and `authors` (as
    nbconvert reads them)."""
    own = metadata.get("coursepress")
    if isinstance(own, dict):
        here = lines.get(("metadata", "coursepress"), 1)
        return dict(own), {
            str(key).lower(): lines.get(("metadata", "coursepress", str(key)), here) for key in own
        }
    found: dict[str, Any] = {}
    if isinstance(metadata.get("title"), str):
        found["title"] = metadata["title"]
    authors = metadata.get("authors")
    if isinstance(authors, list):
        names = [a.get("name") if isinstance(a, dict) else a for a in authors]
        found["authors"] = [str(name) for name in names if name]
    return found, {key: lines.get(("metadata", key), 1) for key in found}


def _raw_front_matter(
    text: str, start: int, source: SourceFile
) -> tuple[dict[str, Any], dict[str, int]]:
    from coursepress.source.frontmatter import KeyLines, split_front_matter

    try:
        raw, _, _, fm_text = split_front_matter(text, source)
    except SiteError as error:
        raise error.on_line((error.line or 1) + start - 1) from None
    # Lines found in the cell's text, moved to the file's.
    return raw, {key: line + start - 1 for key, line in KeyLines(raw, fm_text).items()}


def _language(metadata: Mapping[str, Any]) -> str:
    """The kernel's language, for highlighting: Python unless the notebook says otherwise."""
    for table, key in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(table, {}).get(key) if isinstance(metadata.get(table), dict) else None
        if isinstance(value, str) and value:
            return value.lower()
    return "python"


_CELL_MAGICS = {
    "%%bash": "bash", "%%sh": "bash", "%%html": "html", "%%javascript": "javascript",
    "%%js": "javascript", "%%latex": "latex", "%%sql": "sql", "%%markdown": "markdown",
    "%%writefile": "text", "%%R": "r", "%%ruby": "ruby", "%%perl": "perl",
}  # fmt: skip
"""IPython cell magics that make a cell another language's."""


def _code_cell(
    cell: Mapping[str, Any],
    number: int,
    start: int,
    language: str,
    lines: Mapping[JsonPath, int],
    index: int,
    source: SourceFile,
) -> CodeCell | None:
    metadata = cell.get("metadata", {})
    tags = {str(tag) for tag in metadata.get("tags", ()) if isinstance(tag, str)}
    code, options = _cell_options(_joined(cell.get("source", "")), source, start)
    if "remove-cell" in tags or options.get("include") is False:
        return None
    magic = code.lstrip().split(maxsplit=1)[0] if code.strip() else ""
    outputs = tuple(
        _output(output, lines.get(("cells", index, "outputs", n), start))
        for n, output in enumerate(cell.get("outputs", ()))
    )
    show_input = _shown(tags, "input", options.get("echo") is False, options.get("code-fold"))
    show_outputs = _shown(tags, "output", options.get("output") is False, None)
    mystnb = metadata.get("mystnb") if isinstance(metadata.get("mystnb"), dict) else {}
    caption = _first_text(
        options.get("fig-cap"), _nested(mystnb, "figure", "caption"), metadata.get("caption")
    )
    alt = _first_text(options.get("fig-alt"), _nested(mystnb, "image", "alt"), metadata.get("alt"))
    if show_input is Shown.REMOVED and (show_outputs is Shown.REMOVED or not outputs):
        return None
    return CodeCell(
        number=number,
        line=start,
        source=code.rstrip("\n"),
        language=_CELL_MAGICS.get(magic, language),
        outputs=outputs,
        show_input=show_input,
        show_outputs=show_outputs,
        caption=caption,
        alt=alt,
    )


def _shown(tags: set[str], part: str, removed: bool, folded: object) -> Shown:
    if removed or f"remove-{part}" in tags:
        return Shown.REMOVED
    if folded is True or f"hide-{part}" in tags or "hide-cell" in tags:
        return Shown.FOLDED
    return Shown.SHOWN


def _nested(table: Mapping[str, Any], *keys: str) -> object:
    value: object = table
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _first_text(*values: object) -> str:
    return next((value.strip() for value in values if isinstance(value, str) and value.strip()), "")


_OPTION_LINE = re.compile(r"#\|[ \t]?(.*)")


def _cell_options(code: str, source: SourceFile, start: int) -> tuple[str, dict[str, Any]]:
    """Quarto's cell options: the `#| key: value` lines that open a cell, read as YAML and
    taken out of the code shown. Options that are not YAML are an error, as in Quarto: a
    `fig-alt` lost that way would leave a picture without its text."""
    lines = code.split("\n")
    count = 0
    while count < len(lines) and _OPTION_LINE.match(lines[count]):
        count += 1
    if not count:
        return code, {}
    written = "\n".join(_OPTION_LINE.sub(r"\1", line, count=1) for line in lines[:count])
    try:
        options = load_yaml(written)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or "they cannot be read"
        raise ContentError(
            f"the cell's #| options are not YAML: {problem}",
            path=source.rel,
            line=start + (mark.line if mark is not None else 0),
            hint='put quotes around a value with ": " in it: #| fig-alt: "Loss: falling"',
            code="notebook",
        ) from None
    if not isinstance(options, dict):
        raise ContentError(
            "the cell's #| options are not `key: value` lines",
            path=source.rel,
            line=start,
            hint="write each option as #| key: value (for example #| echo: false)",
            code="notebook",
        )
    return "\n".join(lines[count:]), options


def _output(output: Mapping[str, Any], line: int) -> CellOutput:
    kind = str(output.get("output_type", ""))
    if kind == "stream":
        text = (("text/plain", _joined(output.get("text", ""))),)
        return CellOutput(kind, line, text, stream=str(output.get("name", "stdout")))
    if kind == "error":
        traceback = "\n".join(str(item) for item in output.get("traceback", ()))
        if not traceback:
            traceback = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
        return CellOutput(kind, line, (("text/plain", traceback),))
    data = output.get("data", {})
    contents = tuple(
        (str(mime), value if isinstance(value, str) else _json_or_text(mime, value))
        for mime, value in data.items()
    )
    metadata = output.get("metadata", {})
    sizes = tuple(
        (str(mime), int(size["width"]), int(size["height"]))
        for mime, size in metadata.items()
        if isinstance(size, dict)
        and isinstance(size.get("width"), int)
        and isinstance(size.get("height"), int)
    )
    return CellOutput(kind, line, contents, sizes=sizes)


def _json_or_text(mime: str, value: object) -> str:
    if isinstance(value, list) and not mime.endswith("json"):
        return _joined(value)
    return json.dumps(value)


def _raw_format(cell: Mapping[str, Any]) -> str:
    metadata = cell.get("metadata", {})
    written = metadata.get("raw_mimetype") or metadata.get("format") or ""
    return str(written).lower()


_ATTACHMENT = re.compile(r"<attachment:([^>\n]+)>|attachment:([^\s)\"'>]+)")
"""A reference to a pasted picture: `attachment:a%20b.png`, or `<attachment:a b.png>`."""


def _attachments(cell: Mapping[str, Any], number: int) -> list[tuple[str, str, str, str]]:
    """(name in the cell, file name beside the page, MIME type, base64) of each picture
    attached to a Markdown cell (pasted into it in Jupyter)."""
    found = []
    used: set[str] = set()
    attached = cell.get("attachments") or {}
    for name, bundle in attached.items():
        for mime, data in bundle.items():
            extension = PICTURES.get(mime)
            if extension and isinstance(data, str | list):
                stem = re.sub(r"[^\w.-]+", "-", str(name).rsplit(".", 1)[0]).strip("-") or "image"
                file, again = f"cell-{number}-{stem}.{extension}", 1
                while file in used:  # `a b.png` and `a-b.png` both make `a-b`
                    again += 1
                    file = f"cell-{number}-{stem}-{again}.{extension}"
                used.add(file)
                found.append((str(name), file, mime, _joined(data)))
                break
    return found


PICTURES = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}
"""The pictures a notebook holds, each with its file's extension (the page's files; an SVG is
left out in safe mode, as every file a browser may run script from is: site/plan.py)."""


def _with_attachments(text: str, named: list[tuple[str, str, str, str]]) -> str:
    if not named:
        return text
    files = {name: file for name, file, _, _ in named}

    def swap(match: re.Match[str]) -> str:
        name = unquote(match.group(1) or match.group(2))
        return files[name] if name in files else match.group(0)

    return _ATTACHMENT.sub(swap, text)


def _json_lines(text: str, wanted: Callable[[JsonPath], bool]) -> dict[JsonPath, int]:
    """The line where each value of `text` (valid JSON) starts, by its path, for the
    containers `wanted` says to look into: the C decoder skips every other value."""
    return _LineWalk(text, wanted).lines


class _LineWalk:
    def __init__(self, text: str, wanted: Callable[[JsonPath], bool]) -> None:
        self.text, self.wanted = text, wanted
        self.decoder = json.JSONDecoder()
        self.lines: dict[JsonPath, int] = {}
        self.counted, self.line = 0, 1
        self._value(self._skip(0), ())

    def _skip(self, position: int) -> int:
        return _SPACE.match(self.text, position).end()  # type: ignore[union-attr]

    def _line_at(self, position: int) -> int:
        self.line += self.text.count("\n", self.counted, position)
        self.counted = position
        return self.line

    def _value(self, position: int, path: JsonPath) -> int:
        self.lines[path] = self._line_at(position)
        opening = self.text[position]
        if opening not in "{[" or not self.wanted(path):
            return self.decoder.raw_decode(self.text, position)[1]
        closing = "}" if opening == "{" else "]"
        position = self._skip(position + 1)
        index = 0
        while self.text[position] != closing:
            if opening == "{":
                key, position = self.decoder.raw_decode(self.text, position)
                position = self._skip(self._skip(position) + 1)  # past the colon
                position = self._value(position, (*path, str(key)))
            else:
                position = self._value(position, (*path, index))
            index += 1
            position = self._skip(position)
            if self.text[position] == ",":
                position = self._skip(position + 1)
        return position + 1


_SPACE = re.compile(r"[ \t\n\r]*")
_CONFLICT = re.compile(r"(?:<{7}|={7}|>{7})(?: |$)")
