"""`data/`: the site's own values for templates (`site.data`, Hugo's `.Site.Data`). Each TOML,
YAML or JSON file under it is read into a table named after its path: `data/course/staff.yaml`
is `site.data.course.staff`. A file that cannot be read is an error at its path and line."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from coursepress.errors import ContentError, SiteError, shown_folder, shown_path, unreadable
from coursepress.source.discover import is_junk
from coursepress.source.locate import load_values, read_config_text

DATA_DIR = "data"
_FORMATS = (".toml", ".yaml", ".yml", ".json")


def read_data(site_dir: Path) -> tuple[dict[str, Any], list[SiteError]]:
    """The tables of data/, and the errors of the files that cannot be read (all of them are
    reported together, as for pages)."""
    top = site_dir / DATA_DIR
    data: dict[str, Any] = {}
    errors: list[SiteError] = []
    if not top.is_dir() or top.is_symlink():
        return data, errors

    def cannot_list(error: OSError) -> None:
        if not isinstance(error, FileNotFoundError):
            raise unreadable(shown_folder(Path(error.filename)), error, folder=True)

    for folder, dirnames, filenames in os.walk(top, onerror=cannot_list):
        dirnames[:] = sorted(name for name in dirnames if not is_junk(name))
        for name in sorted(filenames):
            path = Path(folder, name)
            if is_junk(name) or path.suffix.lower() not in _FORMATS:
                continue
            rel = PurePosixPath(path.relative_to(site_dir).as_posix())
            try:
                values = _read(path, shown_path(site_dir, rel))
            except SiteError as error:
                errors.append(error)
                continue
            table = data
            for part in rel.parent.parts[1:]:
                inner = table.get(part)
                table[part] = inner = inner if isinstance(inner, dict) else {}
                table = inner
            earlier = table.get(path.stem)  # `data/course/` and `data/course.yaml`: merged
            if isinstance(earlier, dict) and isinstance(values, dict):
                values = {**values, **earlier}
            table[path.stem] = values
    return data, errors


def _read(path: Path, shown: PurePosixPath) -> Any:
    return load_values(path, read_config_text(path, shown), shown, ContentError)
