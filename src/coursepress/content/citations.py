"""Pandoc's citations in Markdown: `[@key]`, `[@key, p. 5]`, `[see @a; @b]`, `[-@key]` and
`@key` in the text, formatted by a CSL style (citeproc-py), with the list of references at
the end of the page or where `<!-- bibliography -->` stands. Active only on pages that have
a bibliography: elsewhere `@` is text. An `@` after a letter or digit (an e-mail address)
never cites, nor does one in code or raw HTML, which markdown-it never hands to inline
rules as text."""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from coursepress.errors import Diagnostic, Severity
from coursepress.source.bibliography import Reference

BIBLIOGRAPHY_MARK = "<!-- bibliography -->"
# Braces hold no brace, so that a run of `@{` is read once.
_KEY = re.compile(r"@(?:\{([^{}\n]+)\}|([\w][\w:.#$%&+?<>~/-]*))")
_PUNCTUATION = ":.#$%&+?<>~/-"
"""What a key may hold inside but not end with: `@doe99.` cites doe99 (Pandoc's rule)."""
_NOT_BEFORE = "_/.:@=&?%+~-\\"
"""After these (or a letter or digit) an `@` never cites: `ta@example.com`, `x.com/@name`."""
MAX_CITATIONS = 1_000
"""Citations a page may hold: citeproc-py's time per citation grows with the citations
before it, and a post from a student must not stall the build."""


@dataclass(frozen=True, slots=True)
class Citations:
    """What a page needs to format its citations, in the form that keys the cache: the
    style's file and digest, and the references its text may cite."""

    style: str
    """The CSL file."""
    style_digest: str
    references: tuple[Reference, ...]
    """The references whose key follows an `@` in the page."""
    nearest: tuple[tuple[str, str], ...] = ()
    """For each `@word` that is no key, the nearest key (for the message)."""


def cited_keys(text: str) -> set[str]:
    """Every word after an `@` that may be a citation key: the references a page may need."""
    found = set()
    for match in _KEY.finditer(text):
        before = text[match.start() - 1 : match.start()]
        if may_cite(before) or before == "-":  # `[-@key]`
            found.add(_key(match))
    return found


def may_cite(before: str) -> bool:
    """Whether an `@` after `before` (one character, "" at the start) may cite."""
    return not before or not (before.isalnum() or before in _NOT_BEFORE)


def page_citations(
    body: str, library: Mapping[str, Reference], style: str, style_digest: str
) -> Citations | None:
    words = cited_keys(body)
    if not words:
        return None
    keys, lowered = _index_of(library)
    found = sorted(
        (lowered[word.lower()] for word in words if word.lower() in lowered),
        key=lambda r: r.key,
    )
    unknown = sorted(word for word in words if word.lower() not in lowered)
    nearest = tuple((word, _nearest_key(word, keys)) for word in unknown)
    return Citations(style, style_digest, tuple(found), nearest)


Index = tuple[tuple[str, ...], dict[str, Reference]]
_INDEXES: dict[int, tuple[Mapping[str, Reference], Index]] = {}


def _index_of(library: Mapping[str, Reference]) -> Index:
    """A library's keys, and its references by key in lower case (as citeproc-py reads keys),
    made once per library rather than once per page; the keys, one tuple, are what the
    nearest-key lookups of every page are remembered by. Only the last libraries are kept
    (serve makes new ones on every rebuild)."""
    held = _INDEXES.get(id(library))
    if held is None or held[0] is not library:
        if len(_INDEXES) >= 64:
            _INDEXES.clear()
        lowered = {key.lower(): reference for key, reference in library.items()}
        held = _INDEXES[id(library)] = (library, (tuple(library), lowered))
    return held[1]


@lru_cache(maxsize=4096)  # the same `@property` in many posts' code is looked up once
def _nearest_key(word: str, keys: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, keys, n=1, cutoff=0.5)
    return close[0] if close else ""


def _key(match: re.Match[str]) -> str:
    return match.group(1) or match.group(2).rstrip(_PUNCTUATION)


def citations_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "citation_group", _citation_group)
    md.inline.ruler.before("emphasis", "citation_in_text", _citation_in_text)
    md.core.ruler.push("citations", _format_citations)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("references", _render_citation)


@dataclass(frozen=True, slots=True)
class Cited:
    key: str
    prefix: str = ""
    suffix: str = ""
    locator: tuple[str, str] | None = None
    """(CSL locator type, value): `p. 5` → ("page", "5")."""
    suppress_author: bool = False


def _citation_group(state: StateInline, silent: bool) -> bool:
    """`[see @a, p. 5; @b]`: a bracketed group of citations, each with its own prefix,
    locator and suffix. A bracket followed by `(` or `[` is a link."""
    if not state.env.get("citations") or state.src[state.pos] != "[" or state.linkLevel:
        return False
    end = state.md.helpers.parseLinkLabel(state, state.pos, True)
    if end < 0 or state.src[end + 1 : end + 2] in ("(", "["):
        return False
    parts = [_cited(part) for part in state.src[state.pos + 1 : end].split(";")]
    if not parts or any(part is None for part in parts):
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": parts, "in_text": False, "written": state.src[state.pos : end + 1]}
    state.pos = end + 1
    return True


_ITEM = re.compile(
    r"^(?P<prefix>.*?)(?P<dash>-?)@(?:\{(?P<braced>[^{}\n]+)\}|(?P<key>\w[\w:.#$%&+?<>~/-]*))"
    r"(?P<rest>.*)$",
    re.DOTALL,
)


def _cited(part: str) -> Cited | None:
    match = _ITEM.match(part.strip())
    if match is None or not may_cite(match.group("prefix")[-1:]):
        return None
    key = match.group("braced") or match.group("key")
    rest = match.group("rest")
    if not match.group("braced"):
        cut = key.rstrip(_PUNCTUATION)  # `@doe99.` cites doe99
        rest, key = key[len(cut) :] + rest, cut
    locator, suffix = _locator(rest)
    return Cited(
        key,
        prefix=" ".join(match.group("prefix").split()),
        suffix=suffix,
        locator=locator,
        suppress_author=bool(match.group("dash")),
    )


_LOCATOR_TERMS = {
    "book": "book", "bk.": "book", "bks.": "book", "chapter": "chapter", "chap.": "chapter",
    "chaps.": "chapter", "ch.": "chapter", "column": "column", "col.": "column",
    "figure": "figure", "fig.": "figure", "figs.": "figure", "folio": "folio", "fol.": "folio",
    "number": "number", "no.": "number", "nos.": "number", "line": "line", "l.": "line",
    "ll.": "line", "note": "note", "n.": "note", "nn.": "note", "opus": "opus", "op.": "opus",
    "page": "page", "pages": "page", "p.": "page", "pp.": "page", "paragraph": "paragraph",
    "para.": "paragraph", "¶": "paragraph", "¶¶": "paragraph", "part": "part", "pt.": "part",
    "section": "section", "sec.": "section", "§": "section", "§§": "section",
    "verse": "verse", "v.": "verse", "vv.": "verse", "volume": "volume", "vol.": "volume",
    "vols.": "volume",
}  # fmt: skip
"""Pandoc's locator terms (English) → CSL's locator types."""
_LOCATOR = re.compile(
    r"^\s*,?\s*(?:(?P<term>[^\s\d,;]+)\s*)?"
    r"(?P<value>\d(?:[\w:.]*\w)?(?:\s*[-\u2013,&]\s*\d(?:[\w:.]*\w)?)*)(?P<rest>.*)$",
    re.DOTALL,
)


def _locator(rest: str) -> tuple[tuple[str, str] | None, str]:
    """`, p. 33-35, emphasis added` → (("page", "33-35"), ", emphasis added"); a bare number
    is a page, as in Pandoc."""
    match = _LOCATOR.match(rest)
    if match is not None:
        term = (match.group("term") or "").lower()
        kind = _LOCATOR_TERMS.get(term) if term else "page"
        if kind is not None:
            return (kind, match.group("value").strip()), " ".join(match.group("rest").split())
    return None, " ".join(rest.split()).removeprefix(", ")


def _citation_in_text(state: StateInline, silent: bool) -> bool:
    """`@key says` and `@key [p. 5] says`: a citation in the text, as Pandoc writes it. An
    `@` after a letter, digit or URL character (`a@b.org`, `x.com/@name`) is text."""
    if not state.env.get("citations") or state.src[state.pos] != "@" or state.linkLevel:
        return False  # in a link's text, a citation would be a link inside a link
    if not may_cite(state.src[state.pos - 1 : state.pos]):
        return False
    match = _KEY.match(state.src, state.pos)
    if match is None:
        return False
    key = _key(match)
    end = state.pos + 1 + (len(key) + 2 if match.group(1) else len(key))
    locator, suffix = None, ""
    bracket = re.match(r" ?\[([^\]@\n]*)\]", state.src[end:])
    if bracket and state.src[end + bracket.end() : end + bracket.end() + 1] not in ("(", "["):
        locator, suffix = _locator(bracket.group(1))
        end += bracket.end()
    if not silent:
        token = state.push("citation", "", 0)
        cited = Cited(key, suffix=suffix, locator=locator)
        token.meta = {"items": [cited], "in_text": True, "written": state.src[state.pos : end]}
    state.pos = end
    return True


def _render_citation(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return tokens[idx].content


def _citation_tokens(state: StateCore) -> list[tuple[Token, int]]:
    """Every citation of the page in order, with its line in the file."""
    offset = state.env.get("line_offset", 0)
    found = []
    for block in state.tokens:
        line = block.map[0] + 1 + offset if block.map else None
        for child in block.children or ():
            if child.type == "citation":
                found.append((child, line or 1))
            elif line is not None and child.type in ("softbreak", "hardbreak"):
                line += 1
    return found


def _format_citations(state: StateCore) -> None:
    citations: Citations | None = state.env.get("citations")
    if citations is None:
        return
    tokens = _citation_tokens(state)
    marked = [
        t for t in state.tokens if t.type == "html_block" and t.content.strip() == BIBLIOGRAPHY_MARK
    ]
    if not tokens and not marked:
        return
    references = {r.key.lower(): r for r in citations.references}
    nearest = dict(citations.nearest)
    warnings = state.env.setdefault("warnings", [])
    known = []
    if len(tokens) > MAX_CITATIONS:
        warnings.append(_too_many(state.env, tokens[MAX_CITATIONS][1]))
        for token, _ in tokens[MAX_CITATIONS:]:
            token.content = html.escape(token.meta["written"])
        tokens = tokens[:MAX_CITATIONS]
    for token, line in tokens:
        items: list[Cited] = token.meta["items"]
        missing = [item for item in items if item.key.lower() not in references]
        for item in missing:
            warnings.append(_unknown_key(item.key, nearest.get(item.key, ""), state.env, line))
        if missing:  # shown as written (the build stops; `check` goes on)
            written = html.escape(token.meta["written"])
            token.content = f'<span class="citation unknown">{written}</span>'
            continue
        known.append(token)
    cited = {item.key.lower() for token in known for item in token.meta["items"]}
    for key in sorted(cited):
        reference = references[key]
        if reference.missing:
            warnings.append(_incomplete(reference))
    cited_references = [references[key] for key in sorted(cited)]
    doc_id = state.env.get("docId", "")
    groups = [t.meta["items"] for t in known]
    try:
        processor = _Processor(citations.style, citations.style_digest, cited_references)
        shown = processor.cite(groups, [t.meta["in_text"] for t in known], doc_id)
        listing = _bibliography(processor, doc_id)
    except Exception as error:  # citeproc-py on an entry or style it cannot handle
        first = tokens[0][1] if tokens else None
        warnings.append(_not_formatted(error, cited_references, state.env, first))
        for token in known:
            token.content = html.escape(token.meta["written"])
        return
    for token, html_text in zip(known, shown, strict=True):
        token.content = html_text
    # A token of its own, not raw HTML: safe mode's report is about what the post wrote.
    block = Token("references", "", 0, content=listing)
    if marked:
        for token in marked:
            token.type, token.content = "references", listing
    elif listing:
        at = next(
            (i for i, t in enumerate(state.tokens) if t.type == "footnote_block_open"),
            len(state.tokens),
        )
        state.tokens.insert(at, block)


def _not_formatted(
    error: Exception, references: list[Reference], env: EnvType, line: int | None
) -> Diagnostic:
    keys = ", ".join(r.key for r in references)
    return Diagnostic(
        f"the citations cannot be formatted ({type(error).__name__}: {error}); they are shown "
        "as written",
        path=env.get("path"),
        line=line,
        hint=f"check the entries this page cites ({keys}) and the style",
        code="citation",
        severity=Severity.ERROR,
    )


def _too_many(env: EnvType, line: int) -> Diagnostic:
    return Diagnostic(
        f"this page cites more than {MAX_CITATIONS:,} times: the citations after this line "
        "are shown as written",
        path=env.get("path"),
        line=line,
        hint="split the page; a long reading list is better as a bibliography page",
        code="citation",
        severity=Severity.ERROR,
    )


def _unknown_key(key: str, nearest: str, env: EnvType, line: int) -> Diagnostic:
    hint = f"did you mean @{nearest}? " if nearest else ""
    return Diagnostic(
        f"no entry in the bibliography has the key {key}",
        path=env.get("path"),
        line=line,
        hint=f"{hint}Keys are the names after @ in the .bib file; write \\@ for an @ that "
        "cites nothing",
        code="citation",
        severity=Severity.ERROR,
    )


def _incomplete(reference: Reference) -> Diagnostic:
    fields = " or ".join(reference.missing)
    return Diagnostic(
        f"the entry {reference.key} has no {fields}: the reference shows a gap where it goes",
        path=reference.path,
        line=reference.line,
        hint=f"add {reference.missing[0]} = {{...}} to the entry",
        code="bibliography",
    )


class _Processor:
    """citeproc-py, for one page: every citation registered in order (numbered styles
    number by first citation), then each formatted."""

    def __init__(self, style_path: str, style_digest: str, references: list[Reference]) -> None:
        from citeproc import CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        self.csl = {r.key.lower(): json.loads(r.csl) for r in references}
        # citeproc-py writes field values as they are: a title's `<` would be markup.
        self.source = CiteProcJSON([_escaped(entry) for entry in self.csl.values()])
        self.keys = {r.key.lower(): r.key for r in references}
        self.style = _style(style_path, style_digest)
        self.bibliography = CitationStylesBibliography(self.style, self.source, formatter.html)

    def cite(self, groups: list[list[Cited]], in_text: list[bool], doc_id: str) -> list[str]:
        from citeproc import Citation, CitationItem, Locator

        made = []
        for items in groups:
            cites = []
            for item in items:
                extra: dict[str, Any] = {}
                if item.locator:
                    extra["locator"] = Locator(*item.locator)
                # citeproc-py writes text as it is given: what a post wrote is escaped.
                if item.prefix:
                    extra["prefix"] = html.escape(item.prefix) + " "
                if item.suffix:
                    suffix = item.suffix if item.suffix.startswith(",") else ", " + item.suffix
                    extra["suffix"] = html.escape(suffix)
                cites.append(CitationItem(item.key, **extra))
            made.append(Citation(cites))
        for citation in made:
            self.bibliography.register(citation)
        self.bibliography.sort()
        shown = []
        for citation, items, narrative in zip(made, groups, in_text, strict=True):
            text = str(self.bibliography.cite(citation, lambda _: None))
            if narrative or (len(items) == 1 and items[0].suppress_author):
                text = self._author_apart(text, items[0].key, narrative)
            if len(items) == 1:
                text = f'<a href="#{_ref_id(doc_id, items[0].key)}">{text}</a>'
            keys = " ".join(item.key for item in items)
            shown.append(f'<span class="citation" data-cites="{html.escape(keys)}">{text}</span>')
        return shown

    def _author_apart(self, text: str, key: str, narrative: bool) -> str:
        """`Doe (2020, p. 5)` for `@doe`, `(2020)` for `[-@doe]`, made from the style's
        parenthetical form: the names are what comes before the year. A numbered style
        (`[1]`) puts the names before the number."""
        entry = self.csl[key.lower()]
        year = _year(entry)
        at = text.find(year) if year and text[:1] in "([" else -1
        if at > 1:
            names = text[1:at].rstrip(" ,")
            rest = text[0] + text[at:]
            return f"{names} {rest}" if narrative else rest
        return f"{_names(entry)} {text}" if narrative else text

    def entries(self) -> list[tuple[str, str]]:
        """(key, HTML) of each reference, in the style's order."""
        return [
            (self.keys.get(item.key, item.key), str(self.style.render_bibliography([item])[0]))
            for item in self.bibliography.items
        ]


def _year(entry: dict[str, Any]) -> str:
    issued = entry.get("issued") or {}
    parts = issued.get("date-parts") or [[]]
    if parts and parts[0]:
        return str(parts[0][0])
    return html.escape(str(issued.get("literal") or issued.get("raw") or "n.d."))


def _escaped(value: Any) -> Any:
    """A CSL JSON value with its texts escaped for HTML (keys and numbers as they are)."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: item if key == "id" else _escaped(item) for key, item in value.items()}
    return value


def _names(entry: dict[str, Any]) -> str:
    people = entry.get("author") or entry.get("editor") or []
    family = [p.get("family") or p.get("literal", "") for p in people]
    if not family:
        return html.escape(str(entry.get("title", "")))
    shown = (
        family[0]
        if len(family) == 1
        else f"{family[0]} and {family[1]}"
        if len(family) == 2
        else f"{family[0]} et al."
    )
    return html.escape(shown)


@lru_cache(maxsize=8)  # reading a style takes tens of milliseconds: once per process
def _style(path: str, digest: str) -> Any:
    """The style in `path`, as it was when its text had `digest` (serve keeps the process
    while the file is edited)."""
    from citeproc import CitationStylesStyle

    _remember_style_lookups()
    return CitationStylesStyle(path, validate=False)


@lru_cache(maxsize=1)
def _remember_style_lookups() -> None:
    """citeproc-py finds a style's macros by an XPath search, and works out whether each
    part of the style prints a variable, anew for every citation: 20 ms a citation, most of
    a page's time. Both depend on the style alone, so they are remembered per element (each
    kept alive by the cache, so lxml keeps its one Python object for it)."""
    from citeproc import model

    macros: dict[Any, dict[str, Any]] = {}

    def get_macro(element: Any, name: str) -> Any:
        root = element.get_root()
        if root not in macros:
            found: dict[str, Any] = {}
            for macro in root.xpath_search("cs:macro"):
                found.setdefault(macro.get("name"), macro)  # the first, as XPath's [1]
            macros[root] = found
        return macros[root][name]

    model.CitationStylesElement.get_macro = get_macro
    for kind in list(vars(model).values()):
        if isinstance(kind, type) and "calls_variable" in vars(kind):
            setattr(kind, "calls_variable", _per_element(vars(kind)["calls_variable"]))  # noqa: B010


def _per_element(method: Any) -> Any:
    answers: dict[Any, Any] = {}

    def remembered(element: Any) -> Any:
        if element not in answers:
            answers[element] = method(element)
        return answers[element]

    return remembered


def _ref_id(doc_id: str, key: str) -> str:
    """A reference's id: its key, in lower case as citeproc-py keeps keys, with the page's
    docId, as footnotes have, for pages shown together."""
    name = re.sub(r"\s", "-", key.lower())
    return f"ref-{doc_id}-{name}" if doc_id else f"ref-{name}"


_DOI = re.compile(r"\b(?:doi|DOI):\s*(10\.\d{4,9}/[^\s<]*[^\s<.,;:)])")


def _bibliography(processor: _Processor, doc_id: str) -> str:
    entries = processor.entries()
    if not entries:
        return ""
    label = f"cp-references-{doc_id}" if doc_id else "cp-references"
    items = "".join(
        f'<div class="csl-entry" id="{html.escape(_ref_id(doc_id, key))}">{_linked(text)}</div>\n'
        for key, text in entries
    )
    return (
        f'<section class="references" aria-labelledby="{label}">\n'
        f'<h2 class="references-title" id="{label}">References</h2>\n'
        f'<div class="csl-bib-body">\n{items}</div>\n</section>\n'
    )


def _linked(entry: str) -> str:
    """A reference's web addresses and DOIs as links (`doi: 10.1/x` leads to doi.org), and
    a space after a number that starts it (`[1]`: citeproc-py does not set it apart)."""
    matches = _linkify().match(entry) or []
    for found in reversed(matches):
        url = entry[found.index : found.last_index]
        entry = f'{entry[: found.index]}<a href="{url}">{url}</a>{entry[found.last_index :]}'
    entry = _DOI.sub(lambda m: m.group(0).replace(m.group(1), _doi_link(m.group(1))), entry)
    return _NUMBER_FIRST.sub(r"\1 ", entry)


def _doi_link(doi: str) -> str:
    return f'<a href="https://doi.org/{doi}">{doi}</a>'


_NUMBER_FIRST = re.compile(r"^(\[\d+\]|\d+\.)(?=\S)")


@lru_cache(maxsize=1)
def _linkify() -> Any:
    from linkify_it import LinkifyIt

    return LinkifyIt(options={"fuzzy_link": False, "fuzzy_email": False})
