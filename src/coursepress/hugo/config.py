"""A Hugo site's settings as coursepress settings: a site without site.toml that has Hugo's
config (`hugo.toml|yaml|json`, `config.toml|yaml|json`, `config/_default/`) builds with it.

What carries over becomes the same values site.toml would hold, validated the same way; every
other key is named once, as information, never as an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursepress.errors import (
    ConfigError,
    Diagnostic,
    Severity,
    shown_folder,
    shown_path,
    unreadable,
)
from coursepress.site.urls import is_url_path, unknown_permalink_tokens
from coursepress.source.locate import line_of_key, load_values, read_config_text

CONFIG_NAMES = tuple(
    f"{stem}.{suffix}" for stem in ("hugo", "config") for suffix in ("toml", "yaml", "yml", "json")
)
CONFIG_FOLDER = "config/_default"
_ROOT_FILES = ("hugo", "config")
"""In config/_default/, files with these names hold top-level keys; any other file's name is
the key of its content (`params.toml` holds `[params]`)."""
SUMMARY_LENGTH = 70
"""Hugo's default `summaryLength`, in words."""


@dataclass(frozen=True, slots=True)
class HugoFile:
    shown: str
    """The file as messages show it (`hugo.toml`, `config/_default/params.yaml`)."""
    text: str
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HugoSettings:
    values: dict[str, Any]
    """Keys and values as site.toml would have them."""
    lines: dict[str, tuple[str, int | None]]
    """Each site.toml key → the Hugo file and line it came from, for messages."""
    unused: tuple[str, ...]
    """Hugo keys coursepress does not use."""
    theme: str | None
    files: tuple[str, ...]


def read_hugo_settings(site_dir: Path) -> HugoSettings | None:
    """The Hugo config of `site_dir`, translated; None when the folder has none."""
    files = _read_files(site_dir)
    if not files:
        return None
    merged: dict[str, Any] = {}
    origin: dict[str, HugoFile] = {}
    for file in files:
        for key, value in file.values.items():
            merged.setdefault(key, value)  # hugo.toml over config.toml, as in Hugo
            origin.setdefault(key, file)
    values, used, unused = _translate(merged)
    lines = {
        ours: (origin[theirs].shown, _line(origin[theirs], theirs))
        for ours, theirs in used.items()
        if theirs in origin
    }
    theme = merged.get("theme")
    theme_name = theme[0] if isinstance(theme, list) and theme else theme
    return HugoSettings(
        values,
        lines,
        tuple(sorted(unused)),
        str(theme_name) if theme_name else None,
        tuple(file.shown for file in files),
    )


def hugo_notes(site_dir: Path, settings: HugoSettings | None) -> list[Diagnostic]:
    """What a Hugo site should know once per build: which config was read, what in it is not
    used, and that its theme and layouts are not run."""
    notes: list[Diagnostic] = []
    if settings is not None:
        where = settings.files[0]
        message = (
            f"read as the site's settings (there is no site.toml): {', '.join(settings.files)}"
        )
        hint = "`coursepress init --from-hugo .` writes the equivalent site.toml"
        notes.append(Diagnostic(message, where, None, hint, "hugo-config", Severity.INFO))
        if settings.unused:
            notes.append(
                Diagnostic(
                    f"not used by coursepress: {', '.join(settings.unused)}",
                    where,
                    None,
                    None,
                    "hugo-config",
                    Severity.INFO,
                )
            )
    ignored = [
        shown_folder(site_dir / name)
        for name in ("themes", "layouts")
        if (site_dir / name).is_dir()
    ]
    theme = settings.theme if settings else None
    if ignored or theme:
        what = " and ".join(([f"the Hugo theme '{theme}'"] if theme else []) + ignored)
        place = ignored[0] if ignored or not settings else settings.files[0]
        notes.append(
            Diagnostic(
                f"{what}: not used, coursepress builds with its own theme (Go templates are "
                "not run)",
                place,
                None,
                "to change the look, put Jinja templates in templates/ (see Templates in the "
                "README)",
                "hugo-theme",
                Severity.INFO,
            )
        )
    return notes


def hugo_site_notes(site_dir: Path, config_file: str) -> list[Diagnostic]:
    """The notes for a site folder: its Hugo config is read only when it has no site.toml."""
    has_own = (site_dir / config_file).is_file()
    return hugo_notes(site_dir, None if has_own else read_hugo_settings(site_dir))


def site_toml_text(settings: HugoSettings) -> str:
    """The site.toml that says what the Hugo config says."""
    import tomli_w  # only `init --from-hugo` writes TOML

    header = f"# Written by `coursepress init --from-hugo` from {', '.join(settings.files)}.\n" + (
        f"# Not carried over: {', '.join(settings.unused)}\n" if settings.unused else ""
    )
    return header + str(tomli_w.dumps(settings.values))


def _read_files(site_dir: Path) -> list[HugoFile]:
    files = [
        _load(site_dir / name, shown_path(site_dir, name).as_posix())
        for name in CONFIG_NAMES
        if (site_dir / name).is_file()
    ]
    folder = site_dir / CONFIG_FOLDER
    if folder.is_dir():
        try:
            listed = sorted(folder.iterdir())
        except OSError as error:
            shown_dir = shown_folder(folder)
            raise unreadable(shown_dir, error, folder=True, error_type=ConfigError) from None
        for path in listed:
            if path.suffix.lower() not in (".toml", ".yaml", ".yml", ".json"):
                continue
            shown = shown_path(site_dir, f"{CONFIG_FOLDER}/{path.name}").as_posix()
            loaded = _load(path, shown)
            if path.stem.lower() not in _ROOT_FILES:
                loaded = HugoFile(loaded.shown, loaded.text, {path.stem.lower(): loaded.values})
            files.append(loaded)
    return files


def _load(path: Path, shown: str) -> HugoFile:
    text = read_config_text(path, shown)
    values = load_values(path, text, shown, ConfigError) or {}
    if not isinstance(values, dict):
        raise ConfigError("Hugo's config must be a set of keys", path=shown, line=1)
    # Hugo's keys are case-insensitive: `baseURL`, `baseurl` and `BaseURL` are one key.
    return HugoFile(shown, text, {str(key).lower(): value for key, value in values.items()})


def _line(file: HugoFile, key: str) -> int | None:
    return line_of_key(file.text, key, table=True) or line_of_key(file.text, key)


_SAME = {"title": "title", "timezone": "timezone", "paginate": "paginate"}
_RENAMED = {
    "baseurl": "base_url",
    "languagecode": "language",
    "summarylength": "summary_length",
}


def _translate(hugo: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """(site.toml values, site.toml key → Hugo key, Hugo keys not used)."""
    values: dict[str, Any] = {}
    used: dict[str, str] = {}
    unused: list[str] = []
    mounts: dict[str, str] | None = None
    for key, value in hugo.items():
        ours = _SAME.get(key) or _RENAMED.get(key)
        if ours == "base_url" and value in ("", None):
            continue  # Hugo's "no base URL": the site is served from the root
        if ours:
            values[ours], used[ours] = value, key
        elif key == "pagination" and isinstance(value, dict):
            size = {k.lower(): v for k, v in value.items()}.get("pagersize")
            if size is not None:
                values["paginate"], used["paginate"] = size, key
            unused += [f"pagination.{k}" for k in value if k.lower() != "pagersize"]
        elif key == "params" and isinstance(value, dict):
            params = {str(k).lower(): v for k, v in value.items()}
            values["params"], used["params"] = params, key
            for name in ("description", "author"):
                if isinstance(params.get(name), str) and name not in hugo:
                    values[name], used[name] = params[name], key
        elif key == "author":
            author = value.get("name") if isinstance(value, dict) else value
            if isinstance(author, str):
                values["author"], used["author"] = author, key
            else:
                unused.append(key)
        elif key == "taxonomies" and isinstance(value, dict):
            values["taxonomies"], used["taxonomies"] = (
                {str(k): str(v) for k, v in value.items()},
                key,
            )
        elif key == "staticdir" and isinstance(value, (str, list)):
            folders = [value] if isinstance(value, str) else value
            inside = [f for f in folders if isinstance(f, str) and _inside_site(f)]
            values["static_dirs"], used["static_dirs"] = inside, key
            unused += [f"staticDir ({f})" for f in folders if f not in inside]
        elif key == "module" and isinstance(value, dict):
            mounts, skipped = _static_mounts(value)
            unused += skipped
        elif key in ("menus", "menu") and isinstance(value, dict):
            values["menus"], used["menus"] = value, key
        elif key == "permalinks" and isinstance(value, dict):
            patterns, skipped = _permalinks(value)
            if patterns:
                values["permalinks"], used["permalinks"] = patterns, key
            unused += skipped
        else:
            unused.append(key)
    if mounts is not None:  # whatever the keys' order: mounts replace staticDir, as in Hugo
        values["static_dirs"], used["static_dirs"] = [], "module"
        values["publish"], used["publish"] = mounts, "module"
    if "summary_length" not in values:
        values["summary_length"] = SUMMARY_LENGTH  # Hugo's default, not coursepress's
    return values, used, unused


def _static_mounts(module: dict[str, Any]) -> tuple[dict[str, str] | None, list[str]]:
    """The folders Hugo's `[[module.mounts]]` publish as they are (`target = "static/..."`),
    as `publish` (folder → URL path); None when there are none. As in Hugo, declaring them
    replaces the default `static` folder unless it is mounted too. Every other mount and
    module setting is named as not used."""
    settings = {str(k).lower(): v for k, v in module.items()}
    mounts = settings.pop("mounts", [])
    skipped = [f"module.{name}" for name in settings]
    folders: dict[str, str] = {}
    for mount in mounts if isinstance(mounts, list) else []:
        entry = {str(k).lower(): v for k, v in mount.items()} if isinstance(mount, dict) else {}
        source, target = entry.get("source"), entry.get("target")
        if not isinstance(source, str) or not isinstance(target, str):
            continue
        parts = target.strip("/").split("/", 1)
        url = "/" + (parts[1] if len(parts) > 1 else "")
        outside = not _inside_site(source) or not is_url_path(url)
        if parts[0] != "static" or set(entry) - {"source", "target"} or outside:
            skipped.append(f"module.mounts ({source} → {target})")
            continue
        folders[source] = url
    return (folders or None), skipped


def _inside_site(folder: str) -> bool:
    """A folder Hugo may publish from outside the site (`../shared`): coursepress does not."""
    return not folder.startswith(("/", "\\")) and ".." not in folder.replace("\\", "/").split("/")


def _permalinks(value: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Page patterns from Hugo's old per-section map or its `[permalinks.page]` table;
    patterns with tokens coursepress does not know are left out, and named."""
    pages: dict[str, Any] = {}
    skipped: list[str] = []
    for kind, entry in ((str(k).lower(), v) for k, v in value.items()):
        if isinstance(entry, dict) and kind == "page":
            pages.update(entry)
        elif isinstance(entry, dict):
            skipped.append(f"permalinks.{kind}")  # section, term and taxonomy URLs
        else:
            pages[kind] = entry  # the old form: section = pattern
    patterns = {}
    for section, pattern in pages.items():
        if isinstance(pattern, str) and not unknown_permalink_tokens(pattern):
            patterns[str(section).lower()] = pattern
        else:
            skipped.append(f"permalinks.{section} ({pattern!r})")
    return patterns, skipped


@dataclass(frozen=True, slots=True)
class GoShortcode:
    """A Hugo site's own shortcode (a Go template), which coursepress cannot run."""

    name: str
    shown: str
    """Its file as messages show it (`layouts/shortcodes/note.html`)."""
    pages: int
    """Pages under content/ that use it."""
    built_in: bool
    """coursepress renders one of this name itself (`figure`), so posts still show it."""


SHORTCODE_FOLDERS = ("layouts/shortcodes", "layouts/_shortcodes")
"""Where Hugo looks for a site's shortcodes (`_shortcodes` since Hugo 0.146), also inside
`themes/NAME/`."""


def go_shortcodes_to_port(
    site_dir: Path, theme: str | None, built_in: frozenset[str]
) -> list[GoShortcode]:
    """Each Go shortcode of the site and its theme with no Jinja twin in
    templates/shortcodes/ yet, with the number of pages that use it (most used first)."""
    roots = [site_dir] + ([site_dir / "themes" / theme] if theme else [])
    found: dict[str, Path] = {}
    for root in roots:
        for folder in SHORTCODE_FOLDERS:
            for path in sorted((root / folder).glob("*.html")):
                found.setdefault(path.stem, path)  # the site's own over its theme's, as in Hugo
    twins = {path.stem for path in (site_dir / "templates" / "shortcodes").glob("*.html")}
    texts = [
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted((site_dir / "content").rglob("*"))
        if path.suffix.lower() in (".md", ".html", ".htm") and path.is_file()
    ]
    ported = []
    for name, path in found.items():
        if name in twins:
            continue
        used = re.compile(r"\{\{[<%]\s*" + re.escape(name) + r"(?![\w\-./])")
        pages = sum(1 for text in texts if used.search(text))
        shown = path.relative_to(site_dir).as_posix()
        ported.append(GoShortcode(name, shown, pages, name in built_in))
    return sorted(ported, key=lambda code: (-code.pages, code.name))
