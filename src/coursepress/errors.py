"""One error root that carries where: every user mistake is a SiteError with a path and line."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import Path, PurePath, PurePosixPath
from typing import Any


def describe_location(path: PurePath | str | None, line: int | None) -> str:
    """`path:line` as editors and CI annotations read it; parts that are unknown are left out."""
    if path is None:
        return "coursepress"
    where = str(path).replace("\\", "/")
    return f"{where}:{line}" if line else where


def shown_path(site_dir: Path, rel: str | PurePosixPath) -> PurePosixPath:
    """A site file's path as the user can open it from the current folder."""
    return PurePosixPath(site_dir.as_posix()) / rel


def shown_folder(path: Path) -> str:
    """A folder as the user typed it, with a trailing slash."""
    return path.as_posix().rstrip("/") + "/"


def count_of(number: int, noun: str) -> str:
    """`1 error`, `3 errors`: counts in messages and summaries."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class SiteError(Exception):
    """A mistake in the site's input that the user can fix: printed as `path:line: message`."""

    def __init__(
        self,
        message: str,
        *,
        path: PurePath | str | None = None,
        line: int | None = None,
        hint: str | None = None,
        code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        self.code = code
        """The diagnostic code `coursepress check` reports it under."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Errors cross from the processes that render pages; keep where they happened.
        rebuild = partial(
            type(self), path=self.path, line=self.line, hint=self.hint, code=self.code
        )
        return rebuild, (self.message,)

    def located(self, path: PurePath | str) -> SiteError:
        """The same error, placed in `path` (the file the failing stage was reading)."""
        return type(self)(self.message, path=path, line=self.line, hint=self.hint, code=self.code)

    def on_line(self, line: int | None) -> SiteError:
        """The same error, at `line` of its file."""
        return type(self)(self.message, path=self.path, line=line, hint=self.hint, code=self.code)

    def as_diagnostic(self) -> Diagnostic:
        """The error as `check` reports it, among everything else it finds."""
        code = self.code or ("front-matter" if isinstance(self, ContentError) else "site")
        return Diagnostic(self.message, self.path, self.line, self.hint, code, Severity.ERROR)

    def format(self) -> str:
        text = f"{describe_location(self.path, self.line)}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()


class ConfigError(SiteError):
    """site.toml is missing a value, has a wrong type, or an unknown key."""


class ContentError(SiteError):
    """A content file cannot be read: encoding, front matter, dates, URLs."""


class TemplateError(SiteError):
    """A template cannot be found, parsed or rendered."""


class OutputError(SiteError):
    """The output folder cannot be written safely."""


class PartlyPublished(OutputError):
    """Writing into the output folder failed after some of the new files were in place."""


class SourceChanged(ContentError):
    """A page's file changed while the site was built from it: an editor saving in two
    steps (truncate, then write) would otherwise publish the page half-saved, or gone."""


class InterruptedAfterPublishing(KeyboardInterrupt):
    """Ctrl-C or SIGTERM that came once the new site was in place, while the build tidied up:
    the site is whole and new, and saying "unchanged" would be false."""


class BuildFailed(SiteError):
    """Several user errors found in one pass, reported together so each file is fixed at once."""

    def __init__(self, errors: list[SiteError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return type(self), (self.errors,)


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in the site: a build warning, or anything `coursepress check` reports."""

    message: str
    """What is wrong, in one sentence."""
    path: PurePath | str | None = None
    """The file it is in, as shown from the current folder."""
    line: int | None = None
    """1-based line in that file, when known."""
    hint: str | None = None
    """What to do about it."""
    code: str = ""
    """A stable name (`broken-link`), for configuring and silencing it."""
    severity: Severity = Severity.WARNING
    column: int | None = None
    """1-based column, when known."""

    def format(self) -> str:
        text = f"{describe_location(self.path, self.line)}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def unreadable(
    shown: PurePath | str,
    error: OSError,
    *,
    folder: bool = False,
    error_type: type[SiteError] = ContentError,
    leave: str | None = "the site folder",
) -> SiteError:
    """A source that cannot be read (permissions): always an error, named, with what to do."""
    mode = "-R u+rX" if folder else "u+r"
    hint = f"make it readable (chmod {mode} on it)" + (
        f", or move it out of {leave}" if leave else ""
    )
    return error_type(
        f"cannot read this {'folder' if folder else 'file'}: {error.strerror or error}",
        path=shown,
        hint=hint,
        code="unreadable",
    )
