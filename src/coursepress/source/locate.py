"""Line numbers in TOML and YAML text, which the parsers do not report for values."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePath
from typing import Any

import tomli
import yaml

from coursepress.errors import ConfigError, ContentError, SiteError, unreadable


def line_of_key(text: str, key: str, *, table: bool = False, exact: bool = False) -> int | None:
    """The 1-based line where `key` is set (`key = ...`, `key: ...`), or opened as a `[table]`;
    in any letter case, as front matter keys are read, unless `exact`."""
    name = re.escape(key)
    header = rf"^[ \t]*\[+[ \t]*{name}(?:\.[^\]]*)?[ \t]*\]"
    assignment = rf"^[ \t]*(?:{name}|\"{name}\"|'{name}')[ \t]*[=:]"
    flags = re.MULTILINE if exact else re.MULTILINE | re.IGNORECASE
    pattern = re.compile(f"{header}|{assignment}" if table else assignment, flags)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def read_config_text(path: Path, shown: PurePath | str) -> str:
    """A settings file's text; one that cannot be read or is not UTF-8 is a ConfigError."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise unreadable(shown, error, error_type=ConfigError, leave=None) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(
            "this file is not UTF-8 text",
            path=shown,
            line=data.count(b"\n", 0, error.start) + 1,
            hint="save it as UTF-8 (most editors offer it under Save As or Encoding)",
        ) from None


# tomllib's wording for the slips people make most, said plainly.
_PLAIN_MESSAGES = {
    "Illegal character '\\n'": "the line ends inside quoted text",
    'Expected "\'"': "the line ends inside quoted text",
}
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$|\s*\(at end of document\)$")


def toml_error(
    error: Exception, text: str, path: PurePath | str, error_type: type[SiteError] = ContentError
) -> SiteError:
    """Turn a tomllib error into a ContentError at the right line, with a hint for common slips."""
    raw = str(error)
    match = _TOML_POSITION.search(raw)
    message = raw[: match.start()] if match else raw
    message = _PLAIN_MESSAGES.get(message, message)
    lines = text.splitlines()
    line = int(match.group(1)) if match and match.group(1) else max(len(lines), 1)
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    return error_type(
        f"invalid TOML: {message[0].lower()}{message[1:]}",
        path=path,
        line=line,
        hint=_toml_hint(source_line),
    )


def _toml_hint(source_line: str) -> str:
    key, _, value = source_line.partition("=")
    value = value.strip()
    if value in ("True", "False", "TRUE", "FALSE", "yes", "no"):
        fixed = "true" if value in ("True", "TRUE", "yes") else "false"
        return f"TOML booleans are lowercase: write `{key.strip()} = {fixed}`"
    if value.count('"') % 2 == 1 or value.count("'") % 2 == 1:
        return "a text value needs its closing quote on the same line"
    if value and value[0] not in "\"'[{0123456789-+tfi" and not value.startswith("nan"):
        return f'put text values in double quotes: `{key.strip()} = "{value}"`'
    return 'check the quotes and brackets on this line; TOML looks like `key = "value"`'


def load_yaml(text: str) -> Any:
    """YAML through libyaml, the fast loader, unless the text could nest deeper than libyaml
    survives: it recurses in C without a limit and crashes the process past some tens of
    thousands of levels, where Python's own loader raises RecursionError (`nested_too_deep`).
    Nesting that deep needs as many `[`, `{`, `-` or `?`, so counting them tells."""
    risky = sum(text.count(mark) for mark in "[{-?") > 5_000
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ and not risky else yaml.SafeLoader
    return yaml.load(text, Loader=loader)


def nested_too_deep(text: str, shown: PurePath | str, error_type: type[SiteError]) -> SiteError:
    return error_type(
        "the values are nested too deeply to read (lists or tables inside each other, "
        f"more than {MAX_NESTING} levels down)",
        path=shown,
        line=_deepest_line(text),
        hint="no site setting or front matter needs more than a few levels; look for "
        "brackets that are opened and never closed",
    )


MAX_NESTING = 100
"""Lists and tables inside each other, at most: deeper values are no setting anyone writes, and
would exhaust Python's recursion where they are compared, copied or shown."""


MAX_VALUES = 100_000
"""Values in one file's settings or front matter, counting each alias's values again where it
is used: every later stage walks them as many times."""


def _first_alias_line(text: str) -> int | None:
    alias = re.search(r"\*[\w-]+", text)
    return text.count("\n", 0, alias.start()) + 1 if alias else None


def unusable_values(
    values: Any, text: str, shown: PurePath | str, error_type: type[SiteError]
) -> SiteError | None:
    """Values no page or setting can use: more than MAX_VALUES of them, nested deeper than
    MAX_NESTING, or text holding a
    lone surrogate (`"\\ud800"`, which JSON and YAML escapes can write), which cannot be
    written as UTF-8."""
    pending: list[tuple[Any, int]] = [(values, 0)]
    visited = 0
    while pending:
        value, depth = pending.pop()
        visited += 1
        if visited > MAX_VALUES:  # YAML aliases of aliases: a "billion laughs" in a few lines
            return error_type(
                f"the values are too many to read: more than {MAX_VALUES:,}, counting each "
                "use of a YAML alias (`*name`) as the values it stands for",
                path=shown,
                line=_first_alias_line(text),
                hint="write the values out, or use fewer aliases of aliases",
            )
        if depth > MAX_NESTING:
            return nested_too_deep(text, shown, error_type)
        if isinstance(value, dict):
            pending += [(item, depth + 1) for item in (*value.keys(), *value.values())]
        elif isinstance(value, list):
            pending += [(item, depth + 1) for item in value]
        elif isinstance(value, str) and not is_utf8(value):
            escape = re.search(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", text)
            line = text.count("\n", 0, escape.start()) + 1 if escape else None
            bad = next(char for char in value if not is_utf8(char))
            return error_type(
                f"this holds {bad!a}, which is not a character (half of a surrogate pair)",
                path=shown,
                line=line,
                hint="write the character itself, or both halves of the pair",
            )
    return None


def is_utf8(text: str) -> bool:
    """Text that can be written as UTF-8: no lone surrogate, which is what Python makes of a
    file name's bytes that are not UTF-8, and of a `"\\ud800"` escape."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _deepest_line(text: str) -> int | None:
    """The line where brackets are first open a hundred deep (quotes are not told apart:
    for a message only)."""
    depth = 0
    for match in re.finditer(r"[\[\]{}]", text):
        depth = depth + 1 if match.group() in "[{" else max(0, depth - 1)
        if depth > MAX_NESTING:
            return text.count("\n", 0, match.start()) + 1
    return None


def load_values(path: Path, text: str, shown: PurePath | str, error_type: type[SiteError]) -> Any:
    """A settings or data file's values, read by its suffix (`.toml`, `.json`, else YAML): a
    mistake is an error at its line, and values no page can use (`unusable_values`) too."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            values = tomli.loads(text)
        elif suffix == ".json":
            values = json.loads(text or "{}")
        else:
            values = load_yaml(text)
    except RecursionError:
        raise nested_too_deep(text, shown, error_type) from None
    except tomli.TOMLDecodeError as error:
        raise toml_error(error, text, shown, error_type=error_type) from None
    except json.JSONDecodeError as error:
        raise error_type(
            f"invalid JSON: {error.msg}", path=shown, line=error.lineno, hint="check the commas"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise error_type(
            f"invalid YAML: {getattr(error, 'problem', None) or 'cannot be read'}",
            path=shown,
            line=mark.line + 1 if mark is not None else None,
            hint="check the indentation and quotes",
        ) from None
    broken = unusable_values(values, text, shown, error_type)
    if broken is not None:
        raise broken
    return values


Path_ = tuple[str | int, ...]
"""Where a value sits in a file's values: `("meeting", 2, "date")`."""


def value_lines(text: str, suffix: str) -> dict[Path_, int]:
    """The line of each table, list item and key in a TOML or YAML file, by its path; JSON
    (whose parser keeps no lines) gives none. For messages: a value not found here is shown
    at its nearest enclosing table's line (`line_at`)."""
    if suffix == ".toml":
        return _toml_lines(text)
    if suffix in (".yaml", ".yml"):
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except (yaml.YAMLError, RecursionError):
            return {}
        found: dict[Path_, int] = {}
        pending: list[tuple[Any, Path_]] = [(root, ())] if root is not None else []
        while pending:
            node, path = pending.pop()
            found.setdefault(path, node.start_mark.line + 1)
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    name = key.value if isinstance(key, yaml.ScalarNode) else ""
                    step = int(name) if re.fullmatch(r"\d+", name) else name
                    found.setdefault((*path, step), key.start_mark.line + 1)
                    pending.append((value, (*path, step)))
            elif isinstance(node, yaml.SequenceNode):
                pending += [(item, (*path, index)) for index, item in enumerate(node.value)]
        return found
    return {}


def line_at(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of `path`, or of the nearest table or list item that holds it."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


_TOML_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([^\]]+?)[ \t]*\]\]?[ \t]*(?:#.*)?$")
_TOML_KEY = re.compile(r"^[ \t]*([A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')[ \t]*=")


def _toml_lines(text: str) -> dict[Path_, int]:
    """Tables (`[a.b]`), arrays of tables (`[[a]]`, counted) and `key =` lines. Multi-line
    strings are not told apart: a line in one that looks like a key could be taken for one,
    which only moves where a message points."""
    found: dict[Path_, int] = {}
    counts: dict[Path_, int] = {}
    table: Path_ = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_HEADER.match(line)
        if header:
            brackets, dotted = header.groups()
            names = [part.strip().strip("\"'") for part in dotted.split(".")]
            table = _toml_table(names, counts)
            if brackets == "[[":
                array = table
                found.setdefault(array, number)
                counts[array] = counts.get(array, -1) + 1
                table = (*array, counts[array])
            found.setdefault(table, number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            found.setdefault((*table, key.group(1).strip("\"'")), number)
    return found


def _toml_table(names: list[str], counts: dict[Path_, int]) -> Path_:
    """A header's path with the index of the current item of each array of tables it passes
    through (`[[week.meeting]]` inside the third `[[week]]`: `("week", 2, "meeting")`)."""
    path: Path_ = ()
    for index, name in enumerate(names):
        path = (*path, name)
        if path in counts and index < len(names) - 1:
            path = (*path, counts[path])
    return path
