"""The markdown-it-py factory (plugins, render rules) and Markdown → HTML for one page."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import escape
from mdit_py_plugins.anchors.index import slugify
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from coursepress.errors import Diagnostic
from coursepress.content.callouts import callouts_plugin
from coursepress.content.citations import Citations, citations_plugin
from coursepress.content.highlight import BlockOptions, highlight_block, nearest_language
from coursepress.content.links import rewrite_html, under_base_path
from coursepress.content.math import math_plugin
from coursepress.content.safehtml import removals, sanitize
from coursepress.content.smartquotes import smartquotes
from coursepress.content.typography import replacements
from coursepress.content.shortcodes import PLACEHOLDER, Expanded, SiteCodes, expand, restore

MORE_MARKER = "<!--more-->"
EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    """A page body as HTML, with what templates and the build need from it."""

    html_utf8: bytes
    """The HTML as UTF-8, as it travels from worker processes and to and from the cache, and
    as pages keep it (see pages.Body)."""
    html_digest: str
    """SHA-256 of `html_utf8`, made where the HTML is made and kept with it in the cache."""
    summary_html: str
    """The text before `<!--more-->`, else the first paragraph; footnote references removed."""
    first_heading: str | None
    """The text of the first `# heading`, used when the front matter has no title."""
    headings: tuple[Heading, ...]
    """Every heading, for a table of contents (levels as rendered, after demotion)."""
    words: int
    """Words of text, for the reading time."""
    warnings: tuple[Diagnostic, ...]
    files: tuple[tuple[str, bytes], ...] = ()
    """Files the body shows, written beside the page (a notebook's plots): name → bytes."""

    @property
    def html(self) -> str:
        return self.html_utf8.decode("utf-8")


class Heading(NamedTuple):
    """A named tuple rather than a dataclass: a warm build makes one for every heading of
    every page, from the cache, and tuples are made several times faster."""

    level: int
    id: str
    text: str


def create_parser() -> MarkdownIt:
    """CommonMark plus what course posts use: tables, footnotes, math, anchors, highlighting."""
    md = (
        MarkdownIt(
            "commonmark",
            {"html": True, "xhtmlOut": False, "typographer": True, "linkify": True},
        )
        .enable(["table", "strikethrough", "replacements", "smartquotes", "linkify"])
        .use(footnote_plugin)
        .use(citations_plugin)  # after footnotes: the references go before the notes
        .use(math_plugin)
        .use(callouts_plugin)
        .use(deflist_plugin)
        .use(sub_plugin)  # H~2~O, as Pandoc writes it
        .use(superscript_plugin)  # x^2^
    )
    md.options["tasklists"] = True  # `- [x] done`, as GitHub shows it (markdown-it-py's own)
    md.core.ruler.at("smartquotes", smartquotes)  # the same rule, in linear time
    md.core.ruler.at("replacements", replacements)  # Goldmark's set, not markdown-it's
    md.core.ruler.push("heading_attributes", _heading_attributes)
    # Ids made here, in linear time, rather than by mdit-py-plugins' anchors plugin: its
    # search from `-1` for every heading took minutes on a post of 20,000 equal ones, and it
    # gives a heading with no text an id, where Hugo gives none.
    md.core.ruler.push("heading_ids", _unique_heading_ids)
    _link_bare_urls_like_hugo(md)
    md.core.ruler.push("site_urls", _place_urls_under_base_path)
    md.core.ruler.push("outline", _outline)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_code_block)
    md.add_render_rule("footnote_caption", _footnote_number)
    md.add_render_rule("footnote_block_open", _footnotes_open)
    md.add_render_rule("list_item_open", _render_list_item)
    md.add_render_rule("heading_open", _render_heading_open)
    md.add_render_rule("heading_close", _render_heading_close)
    # A wide table scrolls inside the column, in a region the keyboard can scroll.
    md.add_render_rule(
        "table_open",
        lambda *_: '<div class="table-scroll" tabindex="0" role="group" aria-label="Table">\n'
        "<table>\n",
    )
    md.add_render_rule("table_close", lambda *_: "</table>\n</div>\n")
    return md


def _heading_attributes(state: StateCore) -> None:
    """`## Title {#custom-id .class key=value}`: attributes at the end of a heading, as Hugo
    reads them (Goldmark's heading attributes, on by default), set on the heading and taken
    out of its text."""
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        inline = state.tokens[index + 1]
        last = inline.children[-1] if inline.children else None
        text = inline.content.rstrip()
        start = text.rfind("{")
        if last is None or last.type != "text" or not text.endswith("}") or start < 0:
            continue
        written = text[start:]
        try:
            end, attributes = parse_attributes(written)
        except ParseError:
            continue
        content = last.content.rstrip()
        if end != len(written) - 1 or not content.endswith(written):
            continue  # not attributes, or spread over more than the last piece of text
        last.content = content.removesuffix(written).rstrip()
        inline.content = text[:start].rstrip()
        for name, value in attributes.items():
            if name in _HEADING_ATTRIBUTES or name.startswith(("data-", "aria-")):
                token.attrSet(name, value)


_HEADING_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "role"})
"""What a heading may be given; never an event handler (`onclick`) or `style`, which would
run script or restyle the page from a student's post, safe mode or not."""


def _unique_heading_ids(state: StateCore) -> None:
    """`summary`, `summary-1`, `summary-2`, ... as Hugo names them; an id written on a heading
    (`{#id}`) is kept and never given to another, and a heading with no text (`##` as a
    spacer) gets none."""
    used = {
        str(token.attrGet("id"))
        for token in state.tokens
        if token.type == "heading_open" and token.attrGet("id")
    }
    next_suffix: dict[str, int] = {}
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open" or token.attrGet("id"):
            continue
        children = state.tokens[index + 1].children or []
        title = "".join(c.content for c in children if c.type in ("text", "code_inline"))
        if not title.strip():
            continue
        slug = unique = heading_id(title)
        if unique in used:
            suffix = next_suffix.get(slug, 1)
            while f"{slug}-{suffix}" in used:
                suffix += 1
            next_suffix[slug] = suffix + 1
            unique = f"{slug}-{suffix}"
        used.add(unique)
        token.attrSet("id", unique)


def _render_heading_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    opening = renderer.renderToken(tokens, idx, options, env)
    return f'<div class="heading">{opening}' if tokens[idx].attrGet("id") else opening


def _render_heading_close(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A heading with an id is followed by a link to itself: after the heading, so that
    it is not read as part of the heading's text, and a link, so that the keyboard reaches
    it; its `#` is hidden from screen readers, which read what it does instead."""
    closing = renderer.renderToken(tokens, idx, options, env)
    opening = tokens[idx - 2]  # heading_open, inline, heading_close
    anchor = opening.attrGet("id") if opening.type == "heading_open" else None
    if not anchor:
        return closing
    title = escape(_plain_text(tokens[idx - 1]))
    return (
        f'{closing.rstrip()}<a class="heading-anchor" href="#{escape(str(anchor))}">'
        f'<span aria-hidden="true">#</span><span class="visually-hidden">Link to the section '
        f"“{title}”</span></a></div>\n"
    )


def _render_list_item(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A task list item's checkbox says what it shows (a checkbox with no name is an
    accessibility error); the item's text follows it, as GitHub writes it."""
    token = tokens[idx]
    opening = renderer.renderToken(tokens, idx, options, env)
    if not token.meta or "checked" not in token.meta:
        return opening
    checked, label = (' checked=""', "done") if token.meta["checked"] else ("", "not done")
    return (
        f'{opening}<input class="task-list-item-checkbox" disabled="" type="checkbox"'
        f'{checked} aria-label="{label}"> '
    )


def _footnote_number(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # The note's number, as Hugo shows it, also where a note is referenced again (the
    # plugin's own caption is `[1]`, then `[1:1]`).
    return str(tokens[idx].meta["id"] + 1)


def _footnotes_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # A labelled section, so that it is found in a screen reader's list of landmarks; the
    # id has the page's docId, as the notes' own ids, for pages shown together.
    label = f"cp-notes-{env.get('docId', '')}" if env.get("docId") else "cp-notes"
    return (
        f'<section class="footnotes" aria-labelledby="{label}">\n'
        f'<h2 class="footnotes-title" id="{label}">Notes</h2>\n'
        '<ol class="footnotes-list">\n'
    )


def render_markdown(
    md: MarkdownIt,
    body: str,
    *,
    doc_id: str,
    path: PurePath,
    first_line: int,
    base_path: str = "/",
    summary_length: int = 0,
    safe: bool = False,
    site_codes: SiteCodes | None = None,
    math_macros: Mapping[str, str] = EMPTY,
    blocks: Expanded | None = None,
    citations: Citations | None = None,
) -> RenderedMarkdown:
    """Render one page body; `doc_id` keeps footnote ids unique when pages share an HTML page.
    `blocks`: HTML made before the Markdown (a notebook's code cells), each where its
    placeholder stands in `body`."""
    env = page_env(doc_id, path, first_line, base_path, math_macros, citations)
    shortcodes = _expand_shortcodes(md, body, env, site_codes)
    made = [shortcodes] if blocks is None else [shortcodes, blocks]
    if env["url_transform"]:
        for expanded in made:
            expanded.html = [rewrite_html(html, env["url_transform"]) for html in expanded.html]
    env["warnings"].extend(shortcodes.warnings)
    tokens = md.parse(shortcodes.body, env)
    html = md.renderer.render(tokens, md.options, env)
    summary = _summary(md, tokens, env, summary_length, blocks.nonce if blocks else None)
    for expanded in made:
        html, summary = restore(html, expanded), restore(summary, expanded)
    if safe:  # contributors' raw HTML, limited to what course posts need
        env["warnings"].extend(_unsafe_html(tokens, env))
        html, summary = sanitize(html), sanitize(summary)
    return RenderedMarkdown(
        html_utf8=(encoded := html.encode("utf-8")),
        html_digest=hashlib.sha256(encoded).hexdigest(),
        summary_html=summary,
        first_heading=env["first_heading"],
        headings=tuple(env["headings"]),
        words=env["words"],
        warnings=tuple(env["warnings"]),
    )


def render_html_page(
    md: MarkdownIt,
    body: str,
    *,
    doc_id: str,
    path: PurePath,
    first_line: int,
    base_path: str = "/",
    summary_length: int = 0,
    safe: bool = False,
    site_codes: SiteCodes | None = None,
    math_macros: Mapping[str, str] = EMPTY,
) -> RenderedMarkdown:
    """The body of an HTML page (`.html` with front matter) used as written, as Hugo uses
    it: shortcodes rendered and root-relative URLs put under the base path, but no Markdown,
    no typography, and no heading ids or table of contents. Its summary is what comes before
    `<!--more-->`, else its paragraphs up to `summary_length` words (0: the first one)."""
    env = page_env(doc_id, path, first_line, base_path, math_macros)
    shortcodes = _expand_shortcodes(md, body, env, site_codes)
    html = restore(shortcodes.body, shortcodes)
    if env["url_transform"]:
        html = rewrite_html(html, env["url_transform"])
    lead, more, rest = html.partition(MORE_MARKER)
    html = lead + rest  # the marker goes, as Hugo takes it out
    summary = lead.strip() if more else _leading_paragraphs(html, summary_length)
    warnings = env["warnings"] + shortcodes.warnings
    if safe:
        warnings += _unsafe_html_lines(body, html, path, first_line)
        html, summary = sanitize(html), sanitize(summary)
    return RenderedMarkdown(
        html_utf8=(encoded := html.encode("utf-8")),
        html_digest=hashlib.sha256(encoded).hexdigest(),
        summary_html=summary,
        first_heading=None,
        headings=(),
        words=len(_WORD.findall(_TAG.sub(" ", html))),
        warnings=tuple(warnings),
    )


def _leading_paragraphs(html: str, length: int) -> str:
    """The HTML up to the end of the paragraph in which the text reaches `length` words (0:
    the first paragraph alone)."""
    lower, words, position = html.lower(), 0, 0
    while (start := _PARAGRAPH_START.search(lower, position)) is not None:
        end = lower.find("</p>", start.end())
        if end < 0:
            break  # no paragraph after this one is closed either: searched once
        end += len("</p>")
        if not length:
            return html[start.start() : end]
        words += len(_WORD.findall(_TAG.sub(" ", html[start.start() : end])))
        if words >= length:
            return html[:end].strip()
        position = end
    return html.strip() if length else ""


_PARAGRAPH_START = re.compile(r"<p[\s>]")
# A tag starts as in browsers (`a < b` is text); one left open runs to the end, so that the
# text is read once.
_TAG = re.compile(r"<(?=[a-zA-Z/!?])[^>]*(?:>|\Z)")


def page_env(
    doc_id: str,
    path: PurePath,
    first_line: int,
    base_path: str,
    math_macros: Mapping[str, str],
    citations: Citations | None = None,
) -> dict[str, Any]:
    """What the parser's rules read and write while they render one page."""
    return {
        "citations": citations,
        "math_macros": math_macros,
        "docId": doc_id,
        "warnings": [],
        "path": path,
        "line_offset": first_line - 1,
        "url_transform": under_base_path(base_path) if base_path != "/" else None,
    }


def _expand_shortcodes(
    md: MarkdownIt, body: str, env: dict[str, Any], site_codes: SiteCodes | None
) -> Expanded:
    return expand(
        body,
        env["path"],
        env["line_offset"] + 1,
        # Rendered without the base path: it is put under it with the rest of the shortcode.
        markdown=lambda text: str(
            md.render(text, {**env, "docId": f"{env['docId']}-inner", "url_transform": None})
        ),
        highlight=_highlight_shortcode,
        site=site_codes,
    )


def as_rendered(
    md: MarkdownIt,
    body: str,
    path: PurePath,
    first_line: int,
    site_codes: SiteCodes | None = None,
) -> str:
    """The body as the renderer parses it, for `check`: shortcodes expanded, and each
    `{{< >}}` one's HTML (a figure's `<img>`) written where its placeholder stands, on one
    line, so that every line stays the file's."""
    env: dict[str, Any] = {"docId": "lint", "warnings": [], "path": path, "url_transform": None}
    shortcodes = expand(
        body,
        path,
        first_line,
        markdown=lambda text: str(md.render(text, {**env, "line_offset": first_line - 1})),
        highlight=_highlight_shortcode,
        site=site_codes,
    )
    if not shortcodes.html:
        return shortcodes.body
    mark = re.compile(PLACEHOLDER.format(nonce=shortcodes.nonce, number=r"(\d+)"))
    return mark.sub(lambda m: shortcodes.html[int(m.group(1))].replace("\n", " "), shortcodes.body)


def _place_urls_under_base_path(state: StateCore) -> None:
    """Root-relative URLs in links, images and raw HTML get the base path, in the token stream."""
    transform = state.env.get("url_transform")
    if transform is None:
        return
    for token in state.tokens:
        if token.type == "html_block":
            token.content = rewrite_html(token.content, transform)
        for child in token.children or ():
            if child.type == "html_inline":
                child.content = rewrite_html(child.content, transform)
            elif child.type in ("link_open", "image"):
                name = "href" if child.type == "link_open" else "src"
                value = child.attrGet(name)
                if isinstance(value, str):
                    child.attrSet(name, transform(value))


_WWW_DOMAIN = re.compile(
    r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#][^\s<>()]*[^\s<>().,;:!?])?", re.IGNORECASE
)


def _link_bare_urls_like_hugo(md: MarkdownIt) -> None:
    """Bare `https://...`, `www....` and e-mail addresses become links, as in Hugo; bare names
    such as `train.py` (a real top-level domain) stay text."""

    def with_scheme(_: object, match: Any) -> None:
        match.url = "http://" + match.url

    linkify = md.linkify
    assert linkify is not None  # linkify-it-py is a dependency; MarkdownIt loads it for linkify
    linkify.set({"fuzzy_link": False})
    linkify.add("www.", {"validate": _WWW_DOMAIN, "normalize": with_scheme})
    full_pretest = linkify.pretest

    def pretest(text: str) -> bool:
        # linkify-it's own pretest is one large regex run on every text token: a fifth of all
        # Markdown time. Every link it can find has a scheme's ':', a '//', an '@' or 'www.'.
        has_mark = ":" in text or "@" in text or "//" in text or "www." in text.lower()
        return has_mark and bool(full_pretest(text))

    linkify.pretest = pretest


def heading_id(title: str) -> str:
    """GitHub-style ids, as Hugo makes them, so links into other posts keep working."""
    return slugify(title) or "heading"  # Hugo's for text that makes no id (`!!!`)


def _render_fence(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    info = token.info.strip()
    language = info.split(maxsplit=1)[0] if info and not info.startswith("{") else ""
    language = language.split("{", 1)[0]  # ```python{linenos=true}
    block_options, problems = fence_options(info[len(language) :])
    for problem in problems:
        env.setdefault("warnings", []).append(_fence_warning(problem, token, env))
    highlighted = highlight_block(token.content, language, block_options)
    if highlighted is not None:
        return highlighted
    env.setdefault("warnings", []).append(_unknown_language(language, token, env))
    return f'<pre><code class="language-{escape(language)}">{escape(token.content)}</code></pre>\n'


_FENCE_OPTION = re.compile(r"""([A-Za-z_]+)\s*=\s*("[^"]*"|'[^']*'|\[[^\]]*\]|[^\s,}]+)""")
FENCE_OPTIONS = ("hl_lines", "linenos", "linenostart", "linenums", "title")


def fence_options(text: str) -> tuple[BlockOptions, list[str]]:
    """A fence's options after its language, in Hugo's `{key=value, ...}` form or MkDocs'
    `key="value"` form, and what in them is not understood (each said in a warning)."""
    values: dict[str, str] = {}
    problems: list[str] = []
    def take(match: re.Match[str]) -> str:
        values.setdefault(match.group(1).lower(), match.group(2))
        return ""

    rest = _FENCE_OPTION.sub(take, text)
    rest = rest.strip(" \t{},")
    if rest:
        problems.append(f"'{rest}' after the language is not an option (key=value): it is ignored")
    for name in sorted(set(values) - set(FENCE_OPTIONS)):
        problems.append(f"the code block option '{name}' is not supported: it is ignored")
    unquoted = {name: value.strip("\"'") for name, value in values.items()}
    highlighted = _line_numbers(unquoted.get("hl_lines", ""), problems)
    first: int | None = None
    numbered = unquoted.get("linenos", "").lower()
    if numbered in ("true", "inline", "table"):
        first = 1
    elif numbered not in ("", "false"):
        problems.append(f"linenos={numbered} is not true, false, inline or table: it is ignored")
    for name in ("linenostart", "linenums"):  # Hugo's start; MkDocs' numbers from here
        if name not in unquoted:
            continue
        start = unquoted[name].split()[0] if unquoted[name].split() else ""
        if not start.isdigit():
            problems.append(f"{name}={unquoted[name]} is not a line number: it is ignored")
        elif name == "linenums" or first is not None:
            first = int(start)
    return BlockOptions(highlighted, first, unquoted.get("title", "")), problems


def _line_numbers(written: str, problems: list[str]) -> tuple[int, ...]:
    """`[2,"4-5"]` (Hugo) or `2 4-5` (MkDocs) → (2, 4, 5)."""
    numbers: list[int] = []
    for item in re.split(r"[\s,]+", written.strip("[]")):
        item = item.strip("\"'")
        if not item:
            continue
        low, _, high = item.partition("-")
        if low.isdigit() and (not high or high.isdigit()) and int(high or low) - int(low) < 10_000:
            numbers += range(int(low), int(high or low) + 1)
        else:
            problems.append(f"hl_lines has '{item}', which is not a line or a range of lines")
    return tuple(dict.fromkeys(numbers))


def _fence_warning(problem: str, token: Token, env: EnvType) -> Diagnostic:
    line = token.map[0] + 1 + env.get("line_offset", 0) if token.map else None
    return Diagnostic(
        problem,
        path=env.get("path"),
        line=line,
        hint="code blocks take hl_lines, linenos, linenostart, linenums and title, as in "
        '```python {hl_lines=[2,"4-5"] linenos=true} or ```python hl_lines="2 3" '
        'title="train.py"',
        code="code-option",
    )


def _unsafe_html(tokens: list[Token], env: EnvType) -> list[Diagnostic]:
    """A warning for each piece of raw HTML safe mode changes, at its line."""
    found = []
    for token in tokens:
        pieces = [token] if token.type == "html_block" else []
        pieces += [child for child in token.children or () if child.type == "html_inline"]
        line = token.map[0] + 1 + env.get("line_offset", 0) if token.map else None
        for piece in pieces:
            removed = removals(piece.content)
            if removed:
                found.append(unsafe_html_warning(removed, env.get("path"), line))
    return found


def _unsafe_html_lines(
    body: str, html: str, path: PurePath, first_line: int
) -> list[Diagnostic]:
    """What safe mode removes from an HTML page, at the line of the page where it is written
    (what only the whole page shows, a tag over several lines, at its first line)."""
    removed = removals(html)
    by_line: dict[int, list[str]] = {}
    lower = body.lower()
    for item in removed:
        # The tag or attribute it names, where the page first writes it: one search each.
        needle = _REMOVED_NAME.search(item)
        name = next((group for group in needle.groups() if group), "") if needle else ""
        at = lower.find(name.lower()) if name else -1
        line = first_line + (lower.count("\n", 0, at) if at >= 0 else 0)
        by_line.setdefault(line, []).append(item)
    return [unsafe_html_warning(items, path, line) for line, items in sorted(by_line.items())]


_REMOVED_NAME = re.compile(r"^(?:the (\S+) attribute|(<\w+)>|the (?:link|address) (.+))$")


def unsafe_html_warning(removed: list[str], path: PurePath | None, line: int | None) -> Diagnostic:
    return Diagnostic(
        f"safe mode removes {', '.join(removed)}",
        path=path,
        line=line,
        hint="safe_html keeps images, tables, figures, details, video and YouTube or Vimeo "
        "embeds; write the rest in Markdown",
        code="unsafe-html",
    )


def _highlight_shortcode(code: str, language: str) -> str:
    highlighted = highlight_block(code, language)
    if highlighted is None:
        return f'<pre><code class="language-{escape(language)}">{escape(code)}</code></pre>\n'
    return highlighted


def _render_code_block(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return str(highlight_block(tokens[idx].content, ""))


def _unknown_language(language: str, token: Token, env: EnvType) -> Diagnostic:
    line = token.map[0] + 1 + env.get("line_offset", 0) if token.map else None
    return Diagnostic(
        f"unknown code language '{language}'; the block is shown without highlighting",
        path=env.get("path"),
        line=line,
        hint=_language_hint(language),
        code="unknown-language",
    )


def _language_hint(language: str) -> str:
    nearest = nearest_language(language)
    if nearest:
        return f"did you mean '{nearest}'? (see pygments.org/docs/lexers)"
    return "use a language name Pygments knows (see pygments.org/docs/lexers), or 'text'"


def _summary(
    md: MarkdownIt, tokens: list[Token], env: EnvType, length: int, skipped: str | None = None
) -> str:
    """The text before `<!--more-->`; else whole paragraphs up to `length` words (Hugo's
    `summaryLength`); else (`length` 0) the first paragraph. A summary never ends in a
    colon or a comma: the block it announces (a list, a formula, a quote) comes with it.
    A paragraph holding a placeholder with the nonce `skipped` (a notebook's code cell) is
    not a summary."""
    for index, token in enumerate(tokens):
        if token.type == "html_block" and token.content.strip() == MORE_MARKER:
            lead = [_without_footnote_refs(t) for t in tokens[:index]]
            return str(md.renderer.render(lead, md.options, env)).strip()
    if length:
        return _leading_words(md, tokens, env, length)
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            if skipped and skipped in tokens[index + 1].content:
                continue
            end = _past_colons(tokens, index + 3)
            lead = [token, *tokens[index + 1 : end]]
            return str(md.renderer.render([_without_footnote_refs(t) for t in lead], md.options, env)).strip()
    return ""


def _past_colons(tokens: list[Token], end: int, most: int = 3) -> int:
    """`end` (just past a paragraph), moved past each next top-level block while the text
    before it ends in a colon or a comma; at most `most` blocks."""
    for _ in range(most):
        last_text = next((t for t in reversed(tokens[:end]) if t.type == "inline"), None)
        if last_text is None or not last_text.content.rstrip().endswith((":", ",")):
            return end
        if end >= len(tokens):
            return end
        end = _block_end(tokens, end)
    return end


def _block_end(tokens: list[Token], start: int) -> int:
    """Just past the top-level block that starts at `start`."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth <= 0 and tokens[index].level == 0:
            return index + 1
    return len(tokens)


def _leading_words(md: MarkdownIt, tokens: list[Token], env: EnvType, length: int) -> str:
    """Everything up to the end of the top-level paragraph in which the text reaches `length`
    words, as Hugo's automatic summary."""
    words, end = 0, len(tokens)
    for index, token in enumerate(tokens):
        if token.type == "inline":
            words += len(_WORD.findall(_plain_text(token)))
        if token.type == "paragraph_close" and token.level == 0 and words >= length:
            end = index + 1
            break
    if end == len(tokens) and tokens and tokens[-1].type == "footnote_block_close":
        end = next(i for i, t in enumerate(tokens) if t.type == "footnote_block_open")
    end = _past_colons(tokens, end)
    lead = [_without_footnote_refs(t) for t in tokens[:end]]
    return str(md.renderer.render(lead, md.options, env)).strip()


def _without_footnote_refs(token: Token) -> Token:
    if token.type != "inline" or not token.children:
        return token
    return token.copy(children=[c for c in token.children if c.type != "footnote_ref"])


def _outline(state: StateCore) -> None:
    """Headings, the first `# heading` and the word count, into env. A body with `#` headings
    has them moved one level down: the page title is the page's one <h1>, and heading levels
    stay in order for screen readers."""
    tokens = state.tokens
    demote = any(t.type == "heading_open" and t.tag == "h1" for t in tokens)
    headings, first, words = [], None, 0
    for index, token in enumerate(tokens):
        if token.type in ("fence", "code_block"):
            words += len(_WORD.findall(token.content))
        if token.type == "inline":
            words += len(_WORD.findall(_plain_text(token)))
        if token.type not in ("heading_open", "heading_close"):
            continue
        level = int(token.tag[1])
        if token.type == "heading_open":
            text = _plain_text(tokens[index + 1])
            first = first if first is not None or level != 1 else text
            headings.append(Heading(min(level + demote, 6), str(token.attrGet("id") or ""), text))
        if demote:
            token.tag = f"h{min(level + 1, 6)}"
    state.env.update(first_heading=first or None, headings=headings, words=words)


_WORD = re.compile(r"\w+")


def _plain_text(inline: Token) -> str:
    """An inline token's text without its Markdown (`*a* `b`` → `a b`)."""
    children = inline.children or []
    return "".join(c.content for c in children if c.type in ("text", "code_inline")).strip()
