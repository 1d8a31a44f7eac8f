"""Hugo shortcodes in posts: the ones course sites use render to the HTML Hugo's give; any
other stays in the page as written, with a warning that names its file and line.

Two passes. `resolve_references` runs where every page's URL is known and replaces `ref`,
`relref` and `param` with text. `expand` runs with the Markdown: `{{% %}}` shortcodes become
Markdown, `{{< >}}` ones become placeholders that `restore` swaps for their HTML once the
Markdown is rendered, so that Markdown never reads the HTML.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import PurePath, PurePosixPath
from typing import Any

from coursepress.content.site_shortcodes import (
    ShortcodeFailed,
    ShortcodeSite,
    ShortcodeTemplate,
    render_site_shortcode,
)
from coursepress.errors import Diagnostic, Severity
from coursepress.site.urls import absolute_url

# `{{< name args >}}` or `{{% name args %}}`; `{{</* ... */>}}` is an escaped one, shown as text.
_ARGUMENT = re.compile(
    r"""\s*(?:(?P<key>[\w-]+)\s*=\s*)?"""  # a name, for named arguments
    r"""(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|`(?P<raw>[^`]*)`|(?P<bare>[^\s"`]+))""",
    re.DOTALL,
)
PAIRED = frozenset(("highlight", "details", "solution"))
SINGLE = frozenset(("figure", "youtube", "vimeo"))
REFERENCES = frozenset(("ref", "relref", "param"))
KNOWN = PAIRED | SINGLE | REFERENCES
PLACEHOLDER = "CPSHORTCODE{nonce}N{number}X"
"""Stands in for a shortcode's HTML while Markdown renders; the nonce comes from the page's
text, so that no text can contain a placeholder of its own page."""


@dataclass(frozen=True, slots=True)
class Shortcode:
    start: int
    end: int
    name: str
    positional: tuple[str, ...]
    named: Mapping[str, str]
    markdown: bool
    """`{{% %}}`: its output is Markdown."""
    closing: bool
    escaped: bool
    text: str
    """As written."""
    unescaped: str
    """For an escaped one, `{{</* x */>}}`: the shortcode it shows, `{{< x >}}`."""
    self_closing: bool = False
    """`{{< note />}}`: a paired shortcode with nothing inside."""

    def get(self, key: str, position: int | None = None, default: str = "") -> str:
        if key in self.named:
            return self.named[key]
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return default


def find(body: str) -> list[Shortcode]:
    """Every shortcode, in order: from each `{{<` or `{{%` to the first `>}}` or `%}}` after
    it (the two must match), in one pass over the text."""
    found = []
    position, closing_at = 0, None
    while (opening := _OPENING.search(body, position)) is not None:
        if closing_at is None or closing_at.start() < opening.end():
            # The first closing after an earlier opening, if it lies past this one, is also
            # the first after this one: each is searched for once.
            closing_at = _CLOSING.search(body, opening.end())
            if closing_at is None:
                break
        delim, end = opening.group(1), closing_at.group(1)
        position = closing_at.end()
        text = body[opening.start() : position]
        if (delim == "<") != (end == ">"):
            continue
        code = _shortcode(text, opening.start(), position, delim, end)
        if code is not None:
            found.append(code)
    return found


_OPENING = re.compile(r"\{\{([<%])")
_CLOSING = re.compile(r"([>%])\}\}")


def _shortcode(text: str, start: int, end: int, delim: str, closer: str) -> Shortcode | None:
    words = text[3:-3].strip()
    escaped = len(words) >= 4 and words.startswith("/*") and words.endswith("*/")
    unescaped = f"{{{{{delim}{words[2:-2]}{closer}}}}}" if escaped else text
    words = words[2:-2].strip() if escaped else words
    closing = words.startswith("/")
    words = words.lstrip("/").strip()
    # `{{< note />}}`: the `/` closes it when it stands apart, or right after the name;
    # `{{< link docs/ >}}` is an argument that ends in a slash.
    before = words[:-1]
    self_closing = (
        not closing
        and words.endswith("/")
        and (before[-1:].isspace() or _NAME.fullmatch(before) is not None)
    )
    words = before.rstrip() if self_closing else words
    name = _NAME.match(words)
    if name is None:
        return None
    positional, named = _arguments(words[name.end() :])
    return Shortcode(
        start,
        end,
        name.group(0),
        positional,
        named,
        delim == "%",
        closing,
        escaped,
        text,
        unescaped,
        self_closing,
    )


_NAME = re.compile(r"[\w\-.]+(?:/[\w\-.]+)*")


def _arguments(text: str) -> tuple[tuple[str, ...], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for match in _ARGUMENT.finditer(text):
        value = match.group("quoted")
        if value is not None:
            value = re.sub(r"\\(.)", r"\1", value)
        else:
            value = match.group("raw") if match.group("raw") is not None else match.group("bare")
        if match.group("key"):
            named[match.group("key").lower()] = value
        else:
            positional.append(value)
    return tuple(positional), named


class Lines:
    """The line of each offset asked for, in increasing order, counted on from the last one:
    a page of ten thousand shortcodes is not counted from its top ten thousand times."""

    def __init__(self, body: str, first_line: int) -> None:
        self.body, self.offset, self.line = body, 0, first_line

    def at(self, offset: int) -> int:
        self.line += self.body.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


# -- the pass where every page's URL is known ----------------------------------------------


@dataclass(frozen=True, slots=True)
class References:
    """What `ref`, `relref` and `param` need: page URLs by content path, and params."""

    urls: Mapping[str, str]
    """`posts/week1.md` → `/posts/week1/`, for every page that publishes."""
    base_url: str
    page_params: Mapping[str, Any]
    site_params: Mapping[str, Any]
    folder: PurePosixPath
    """The referring page's folder under content/, for relative references."""


def resolve_references(
    body: str, refs: References, path: PurePath, first_line: int
) -> tuple[str, list[Diagnostic]]:
    """`ref`, `relref` and `param` replaced by their text; escaped shortcodes kept for
    `expand`."""
    if "{{" not in body:
        return body, []
    warnings: list[Diagnostic] = []
    pieces: list[str] = []
    position = 0
    lines = Lines(body, first_line)
    for code in find(body):
        if code.escaped or code.name not in REFERENCES or code.closing:
            continue
        line = lines.at(code.start)
        text = _reference(code, refs, path, line, warnings)
        pieces += [body[position : code.start], text]
        position = code.end
    return "".join(pieces) + body[position:], warnings


def _reference(
    code: Shortcode, refs: References, path: PurePath, line: int, warnings: list[Diagnostic]
) -> str:
    if code.name == "param":
        key = code.get("name", 0)
        value = _lookup(refs.page_params, key)
        value = _lookup(refs.site_params, key) if value is None else value
        if value is None:
            warnings.append(_warning(f"param '{key}' is not set", path, line, code))
            return ""
        return str(value)
    target = code.get("path", 0)
    link, _, fragment = target.partition("#")
    url = _page_url(link, refs) if link else ""
    if url is None:
        warnings.append(
            Diagnostic(
                f"{code.name} '{target}' names no page that publishes",
                path=path,
                line=line,
                hint="give the path of a page under content/, such as posts/week1.md",
                code="unknown-reference",
            )
        )
        return "#" + fragment if fragment else "#"
    if code.name == "ref" and refs.base_url.startswith("http") and url:
        url = absolute_url(url, refs.base_url)
    return url + (f"#{fragment}" if fragment else "")


def _page_url(link: str, refs: References) -> str | None:
    """Hugo's lookup: a path from content/, else from the page's folder, else a unique file
    or bundle name; with or without `.md`."""
    wanted = link.strip().lstrip("/")
    candidates = [wanted, f"{wanted}.md", f"{wanted}/index.md", f"{wanted}/_index.md"]
    for base in ("", str(refs.folder)):
        for candidate in candidates:
            key = str(PurePosixPath(base) / candidate) if base and base != "." else candidate
            if key in refs.urls:
                return refs.urls[key]
    name = PurePosixPath(wanted).name
    matches = [
        url
        for key, url in refs.urls.items()
        if PurePosixPath(key).stem == name.removesuffix(".md")
        or (
            PurePosixPath(key).name in ("index.md", "index.ipynb", "_index.md")
            and PurePosixPath(key).parent.name == name
        )
    ]
    return matches[0] if len(matches) == 1 else None


def _lookup(params: Mapping[str, Any], key: str) -> Any:
    value: Any = params
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = next((v for k, v in value.items() if str(k).lower() == part.lower()), None)
    return value


# -- the pass with the Markdown ------------------------------------------------------------


@dataclass
class Expanded:
    body: str
    html: list[str]
    """The HTML of each placeholder, by number."""
    warnings: list[Diagnostic]
    nonce: str = ""
    inline: set[int] = field(default_factory=set)
    """Placeholders whose HTML is text, not a block."""


@dataclass(frozen=True, slots=True)
class SiteCodes:
    """The site's own shortcodes, and what their templates see of the site and the page."""

    templates: Mapping[str, ShortcodeTemplate]
    context: ShortcodeSite


def expand(
    body: str,
    path: PurePath,
    first_line: int,
    markdown: Callable[[str], str],
    highlight: Callable[[str, str], str],
    site: SiteCodes | None = None,
    depth: int = 0,
) -> Expanded:
    """Every shortcode replaced: by Markdown (`{{% %}}`), by a placeholder for its HTML, by
    its own text when escaped, and unknown ones by a placeholder that shows them as written.
    A site's own shortcode (`templates/shortcodes/NAME.html`) comes before a built-in one of
    the same name, as in Hugo."""
    result = Expanded(body, [], [], hashlib.sha256(body.encode()).hexdigest()[:16])
    if "{{" not in body:
        return result
    own = site.templates if site else {}
    codes = find(body)
    lines = Lines(body, first_line)
    partners = _partners(codes, own)
    pieces: list[str] = []
    position = 0
    index = 0
    ordinal = 0
    while index < len(codes):
        code = codes[index]
        pieces.append(body[position : code.start])
        line = lines.at(code.start)
        paired = _paired(code.name, own)
        inner, index, position = _inner(body, codes, index, paired, partners)
        if code.escaped:
            pieces.append(code.unescaped)
            continue
        complete = inner is not None or not paired
        if (code.name not in KNOWN and code.name not in own) or code.closing or not complete:
            result.warnings.append(_not_rendered(code, path, line, own))
            result.inline.add(len(result.html))
            pieces.append(_stash(result, f"<code>{escape(code.text)}</code>", code.text))
            continue
        if inner and "{{" in inner and code.name != "highlight":
            inner = _nested(inner, path, line, markdown, highlight, site, depth, result)
        if code.name in own and site is not None:
            output = _render_own(code, inner, own[code.name], site, ordinal, markdown)
            ordinal += 1
            if isinstance(output, ShortcodeFailed):
                result.warnings.append(_failed(code, output, path, line))
                result.inline.add(len(result.html))
                pieces.append(_stash(result, f"<code>{escape(code.text)}</code>", code.text))
                continue
        else:
            output = _render(code, inner or "", markdown, highlight)
            ordinal += 1
        if code.markdown and code.name != "highlight":
            pieces.append(output)
        else:
            written = code.text if inner is None else body[code.start : position]
            pieces.append(_stash(result, output, written))
    pieces.append(body[position:])
    result.body = "".join(pieces)
    return result


MAX_NESTING = 20
"""Shortcodes inside shortcodes, at most this deep: each level reads its inner text again."""


def _nested(
    inner: str,
    path: PurePath,
    line: int,
    markdown: Callable[[str], str],
    highlight: Callable[[str, str], str],
    site: SiteCodes | None,
    depth: int,
    outer: Expanded,
) -> str:
    """The text inside a paired shortcode with the shortcodes in it rendered first, as Hugo
    renders `.Inner`: their HTML written where they stood."""
    if depth >= MAX_NESTING:
        outer.warnings.append(
            Diagnostic(
                f"shortcodes nested more than {MAX_NESTING} deep: the inner ones are shown as "
                "written",
                path=path,
                line=line,
                hint="nest shortcodes less deeply",
                code="unknown-shortcode",
            )
        )
        return inner
    expanded = expand(inner, path, line, markdown, highlight, site, depth + 1)
    outer.warnings.extend(expanded.warnings)
    if not expanded.html:
        return expanded.body
    mark = re.compile(PLACEHOLDER.format(nonce=expanded.nonce, number=r"(\d+)"))
    return mark.sub(lambda m: expanded.html[int(m.group(1))], expanded.body)


def _render_own(
    code: Shortcode,
    inner: str | None,
    template: ShortcodeTemplate,
    site: SiteCodes,
    ordinal: int,
    markdown: Callable[[str], str],
) -> str | ShortcodeFailed:
    """A site shortcode's HTML, or the error its template gave, at the page's line."""
    try:
        return render_site_shortcode(
            template,
            site.context,
            positional=code.positional,
            named=code.named,
            inner="" if code.self_closing else inner,
            ordinal=ordinal,
            markdown=markdown,
        )
    except ShortcodeFailed as failed:
        return failed


def restore(html: str, expanded: Expanded) -> str:
    """The rendered page with each placeholder's HTML in its place."""
    if not expanded.html:
        return html
    mark = PLACEHOLDER.format(nonce=expanded.nonce, number=r"(\d+)")
    pattern = re.compile(f"<p>{mark}</p>\n?|{mark}")

    def swap(match: re.Match[str]) -> str:
        alone = match.group(1) is not None  # a paragraph of its own
        number = int(match.group(1) or match.group(2))
        if number >= len(expanded.html):
            return match.group(0)
        output = expanded.html[number]
        if alone and number in expanded.inline:
            return f"<p>{output}</p>\n"  # text shown as written stays a paragraph
        return output

    return pattern.sub(swap, html)


def _paired(name: str, own: Mapping[str, ShortcodeTemplate]) -> bool:
    return own[name].paired if name in own else name in PAIRED


def _partners(codes: list[Shortcode], own: Mapping[str, ShortcodeTemplate]) -> dict[int, int]:
    """Index of each paired shortcode → index of the one that closes it, nested ones
    matched inside out (one pass, a stack per name)."""
    partners: dict[int, int] = {}
    open_ones: dict[str, list[int]] = {}
    for index, code in enumerate(codes):
        if code.escaped or code.self_closing or not _paired(code.name, own):
            continue
        if not code.closing:
            open_ones.setdefault(code.name, []).append(index)
        elif open_ones.get(code.name):
            partners[open_ones[code.name].pop()] = index
    return partners


def _inner(
    body: str, codes: list[Shortcode], index: int, paired: bool, partners: Mapping[int, int]
) -> tuple[str | None, int, int]:
    """(the text between a paired shortcode and its closing one, next index, end offset)."""
    code = codes[index]
    if not paired or code.closing or code.escaped:
        return None, index + 1, code.end
    if code.self_closing:
        return "", index + 1, code.end
    if index not in partners:
        return None, index + 1, code.end
    closer = codes[partners[index]]
    return body[code.end : closer.start], partners[index] + 1, closer.end


def _stash(result: Expanded, html: str, source: str) -> str:
    result.html.append(html)
    # Keep the line count, so that what follows is still reported at its own line.
    placeholder = PLACEHOLDER.format(nonce=result.nonce, number=len(result.html) - 1)
    return placeholder + "\n" * source.count("\n")


def _render(
    code: Shortcode,
    inner: str,
    markdown: Callable[[str], str],
    highlight: Callable[[str, str], str],
) -> str:
    if code.name == "figure":
        return _figure(code, markdown)
    if code.name in ("youtube", "vimeo"):
        return _video(code)
    if code.name == "highlight":
        return highlight(inner.strip("\n"), code.get("lang", 0))
    if code.name == "solution" and code.get("withheld") == "true":
        return _withheld_notice(code.get("release"))
    summary = code.get("summary", None, "Solution" if code.name == "solution" else "Details")
    opened = " open" if code.get("open").lower() in ("true", "open") else ""
    kind = ' class="solution"' if code.name == "solution" else ""
    head = f"<details{kind}{opened}>\n<summary>{escape(summary)}</summary>\n"
    if code.markdown:
        return f"{head}\n{inner.strip()}\n\n</details>\n"
    return f"{head}{markdown(inner.strip())}</details>\n"


def _withheld_notice(release: str) -> str:
    """What stands where a solution not yet released will be (source/release.py)."""
    try:
        moment = datetime.fromisoformat(release.strip().replace(" ", "T", 1))
        shown = f"{moment.day} {moment:%B %Y}" + (f", {moment:%H:%M}" if moment.hour or moment.minute else "")
        attribute = moment.isoformat() if moment.hour or moment.minute else moment.date().isoformat()
    except ValueError:
        shown, attribute = release, ""
    when = f'<time datetime="{escape(attribute)}">{escape(shown)}</time>' if attribute else escape(shown)
    return f'<p class="solution-withheld"><strong>Solution</strong>: published on {when}.</p>\n'


def _figure(code: Shortcode, markdown: Callable[[str], str]) -> str:
    attrs = f' alt="{escape(code.get("alt"))}"' + "".join(
        f' {name}="{escape(code.get(name))}"'
        for name in ("width", "height", "loading")
        if code.get(name)
    )
    image = f'<img src="{escape(code.get("src"))}"{attrs}>'
    link = code.get("link")
    if link:
        extra = "".join(
            f' {name}="{escape(code.get(name))}"' for name in ("target", "rel") if code.get(name)
        )
        image = f'<a href="{escape(link)}"{extra}>{image}</a>'
    caption = ""
    title, text, attr = code.get("title"), code.get("caption"), code.get("attr")
    if title or text or attr:
        caption = "<figcaption>"
        caption += f"<h4>{escape(title)}</h4>" if title else ""
        if text or attr:
            credit = _inline(markdown, attr)
            if code.get("attrlink"):
                credit = f'<a href="{escape(code.get("attrlink"))}">{credit}</a>'
            caption += f"<p>{_inline(markdown, text)}{credit}</p>"
        caption += "</figcaption>"
    css = f' class="{escape(code.get("class"))}"' if code.get("class") else ""
    return f"<figure{css}>{image}{caption}</figure>\n"


def _inline(markdown: Callable[[str], str], text: str) -> str:
    html = markdown(text).strip() if text else ""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def _video(code: Shortcode) -> str:
    video = code.get("id", 0)
    if code.name == "youtube":
        source = f"https://www.youtube.com/embed/{escape(video)}"
        title = code.get("title", None, "YouTube video")
    else:
        source = f"https://player.vimeo.com/video/{escape(video)}?dnt=0"
        title = code.get("title", None, "vimeo video")
    # Sized by the theme's `.video-embed` rule rather than inline styles, which safe mode
    # would remove.
    return (
        f'<div class="video-embed"><iframe src="{source}" title="{escape(title)}" '
        'allowfullscreen loading="lazy"></iframe></div>\n'
    )


def _failed(code: Shortcode, failed: ShortcodeFailed, path: PurePath, line: int) -> Diagnostic:
    where = f"{failed.template}:{failed.line}" if failed.line else failed.template
    return Diagnostic(
        f"shortcode '{code.name}' failed: {failed.message}",
        path=path,
        line=line,
        hint=f"the error is in its template, {where}",
        code="shortcode-error",
        severity=Severity.ERROR,
    )


def _not_rendered(
    code: Shortcode, path: PurePath, line: int, own: Mapping[str, ShortcodeTemplate]
) -> Diagnostic:
    """Why a shortcode is shown as written: unknown, or a paired one not closed."""
    opening = "{{%" if code.markdown else "{{<"
    closing = "%}}" if code.markdown else ">}}"
    if code.closing and (code.name in own or code.name in PAIRED):
        message = f"'{opening} /{code.name} {closing}' closes no '{code.name}' shortcode"
        reads = code.name in PAIRED or own[code.name].paired
        takes = "" if reads else f" ({own[code.name].shown} does not read inner)"
        hint = f"remove it, or open the shortcode before it{takes}"
    elif code.closing or (code.name not in own and code.name not in KNOWN):
        name = f"/{code.name}" if code.closing else code.name
        message = f"unknown Hugo shortcode '{name}': it is shown in the page as written"
        hint = (
            "coursepress renders figure, youtube, vimeo, highlight, details, ref, relref and "
            f"param; write the rest as Markdown or HTML, or as a Jinja template at "
            f"templates/shortcodes/{code.name}.html"
        )
    else:
        message = f"shortcode '{code.name}' is never closed: it is shown in the page as written"
        hint = (
            f"close it with '{opening} /{code.name} {closing}', or write '{opening} "
            f"{code.name} /{closing}' when there is nothing inside"
        )
    return Diagnostic(message, path=path, line=line, hint=hint, code="unknown-shortcode")


def _warning(message: str, path: PurePath, line: int, code: Shortcode) -> Diagnostic:
    return Diagnostic(
        message,
        path=path,
        line=line,
        hint=f"set it in the page's front matter or in [params] of site.toml ({code.text})",
        code="unknown-param",
    )
