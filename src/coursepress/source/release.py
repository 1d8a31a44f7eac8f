"""Solutions released on a date: the text of a `{{< solution release="2023-10-01" >}}`
block is taken out of the page's Markdown until that moment passes in the site's time zone,
before anything renders it, so it is in no page, summary, feed or search index until then.
The daily Pages run publishes it on its day. `--future` shows them all, as it shows pages
dated in the future.

What is left is `{{< solution release="..." withheld="true" />}}`, which renders as a notice
of the date: the page's text differs before and after, so the build cache keeps the two
apart with nothing more."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from coursepress.content.shortcodes import Lines, find
from coursepress.errors import ContentError, Diagnostic, Severity, SiteError
from coursepress.source.frontmatter import Document
from coursepress.source.select import Selection

NAME = "solution"
CODE = "release"
"""The note for each solution withheld (what `check` lists)."""
BROKEN = "release-date"
"""A release that cannot be judged: always an error, and the solution is withheld."""


def release(
    selection: Selection, now: datetime, *, future: bool
) -> tuple[Selection, list[Diagnostic], list[SiteError]]:
    """The selection with unreleased solutions withheld; a note for each one (what `check`
    lists), and an error for each that cannot be judged (it is then withheld too)."""
    notes: list[Diagnostic] = []
    errors: list[SiteError] = []
    published = []
    for document in selection.published:
        if NAME in document.body:
            document = _withheld(document, now, future, notes, errors)
        published.append(document)
    return replace(selection, published=tuple(published)), notes, errors


def _withheld(
    document: Document,
    now: datetime,
    future: bool,
    notes: list[Diagnostic],
    errors: list[SiteError],
) -> Document:
    body = document.body
    codes = find(body)
    lines = Lines(body, document.body_line)
    pieces: list[str] = []
    position = 0
    depth = 0
    opened = None
    for code in codes:
        if code.name != NAME or code.escaped or code.self_closing:
            continue
        if not code.closing:
            depth += 1
            if depth == 1:
                opened = code
            continue
        depth = max(0, depth - 1)
        if depth or opened is None:
            continue
        start, opening, opened = opened, opened, None
        written = opening.get("release")
        if not written:
            continue
        line = lines.at(start.start)
        moment = _moment(written, now)
        if moment is None:
            errors.append(
                ContentError(
                    f"the solution's release date is not a date: {written!r}; it is withheld",
                    path=document.source.rel,
                    line=line,
                    hint='write release="2023-10-01", or "2023-10-01T09:00" for a time '
                    "(in the site's time zone)",
                    code=BROKEN,
                )
            )
        elif moment <= now or future:
            continue
        else:
            notes.append(
                Diagnostic(
                    f"a solution is withheld until {moment:%Y-%m-%d %H:%M} ({now.tzinfo}); the "
                    "first build after that publishes it",
                    path=document.source.rel,
                    line=line,
                    hint="the Pages workflow builds the site daily, so it goes live that day",
                    code=CODE,
                    severity=Severity.INFO,
                )
            )
        whole = body[start.start : code.end]
        notice = f'{{{{< {NAME} release="{_quoted(written)}" withheld="true" />}}}}'
        pieces += [body[position : start.start], notice + "\n" * whole.count("\n")]
        position = code.end
    if depth and opened is not None:
        # No closing tag: everything after the opening one would be the solution.
        errors.append(
            ContentError(
                "this solution has no closing {{< /solution >}}; the rest of the page is withheld",
                path=document.source.rel,
                line=lines.at(opened.start),
                hint="end the solution with {{< /solution >}}",
                code=BROKEN,
            )
        )
        pieces += [body[position : opened.start], "\n" * body.count("\n", opened.start)]
        position = len(body)
    if not pieces:
        return document
    pieces.append(body[position:])
    return replace(document, body="".join(pieces))


def _moment(written: str, now: datetime) -> datetime | None:
    text = written.strip().replace(" ", "T", 1)
    if not re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?)?", text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=now.tzinfo)


def _quoted(text: str) -> str:
    return text.replace("\\", "").replace('"', "")
