"""Everything published besides the pages: theme and site static files, files under content/,
page-bundle resources, stylesheets placed under the base path, and GitHub Pages' own files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from coursepress.config import Config
from coursepress.discover import Skipped, SourceFile, SourceKind, Sources
from coursepress.errors import Diagnostic
from coursepress.links import rewrite_css, under_base_path
from coursepress.site import Site

THEME_STATIC = Path(__file__).resolve().parent / "theme" / "static"
THEME_LABEL = PurePosixPath("(coursepress theme)")


def plan_copies(sources: Sources, site: Site, warnings: list[Diagnostic]) -> dict[str, SourceFile]:
    """Output path → file to copy. The site's files override the theme's by path; a site file
    that hides another site file is reported."""
    copies = {
        path.relative_to(THEME_STATIC).as_posix(): _theme_file(path)
        for path in sorted(THEME_STATIC.rglob("*"))
        if path.is_file()
    }
    bundle_dirs = {
        page.bundle: PurePosixPath(page.output).parent for page in site.pages if page.bundle
    }
    for source in sources.files:
        output = _output_of(source, bundle_dirs)
        if output is None:
            continue
        earlier = copies.get(output)
        if earlier is not None and earlier.rel.parts[0] != THEME_LABEL.name:
            warnings.append(
                Diagnostic(
                    f"{earlier.rel} is not published: this file has the same path /{output}",
                    path=source.rel,
                    hint="rename or remove one of them",
                    code="hidden-file",
                )
            )
        copies[output] = source
    return copies


def _output_of(source: SourceFile, bundle_dirs: dict[PurePosixPath, PurePosixPath]) -> str | None:
    if source.kind is not SourceKind.RESOURCE:
        return str(source.target)
    # A resource of an unpublished bundle has no page to sit beside: it stays out with it.
    if source.bundle not in bundle_dirs:
        return None
    return str(bundle_dirs[source.bundle] / source.target.relative_to(source.bundle))


def _theme_file(path: Path) -> SourceFile:
    target = PurePosixPath(path.relative_to(THEME_STATIC).as_posix())
    return SourceFile(path, THEME_LABEL / "static" / target, target, SourceKind.ASSET)


def skipped_warnings(skipped: tuple[Skipped, ...]) -> list[Diagnostic]:
    return [
        Diagnostic(item.reason, path=item.rel, hint=item.hint, code=item.code) for item in skipped
    ]


def settle_overlaps(
    generated: dict[str, str], copies: dict[str, SourceFile], warnings: list[Diagnostic]
) -> None:
    """A copied file at a generated path: pages win (with a warning), stylesheets are yours."""
    for name in sorted(generated.keys() & copies.keys()):
        if not name.endswith(".html"):
            del generated[name]
            continue
        warnings.append(
            Diagnostic(
                f"this file is not published: the generated page {name} has the same path",
                path=copies.pop(name).rel,
                hint="rename or remove the file",
                code="hidden-file",
            )
        )


def stylesheets_under_base_path(copies: dict[str, SourceFile], config: Config) -> dict[str, str]:
    """Root-relative `url()` in copied stylesheets gets the base path: those stylesheets are
    taken out of `copies` and returned as texts; others are copied as they are."""
    texts: dict[str, str] = {}
    if config.base_path == "/":
        return texts
    transform = under_base_path(config.base_path)
    for name in [name for name in copies if name.endswith(".css")]:
        try:
            css = copies[name].path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # not text we can parse: copied byte for byte
        rewritten = rewrite_css(css, transform)
        if rewritten != css:
            texts[name] = rewritten
            del copies[name]
    return texts


def case_collisions(owners: Mapping[str, str]) -> list[Diagnostic]:
    """Output paths (files, or the folders on their way) that differ only in letter case:
    on macOS and Windows one overwrites the other, so a checkout there loses a page.
    `owners` maps each output to the source file that makes it."""
    spellings: dict[str, set[str]] = {}
    for name in owners:
        parts = name.split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            spellings.setdefault(path.casefold(), set()).add(path)
    found = []
    for paths in spellings.values():
        if len(paths) < 2:
            continue
        first, *others = sorted(paths)
        owner = next(
            owners[name]
            for name in sorted(owners)
            if name == others[0] or name.startswith(f"{others[0]}/")
        )
        found.append(
            Diagnostic(
                f"the output {others[0]} differs from {first} only in letter case; on macOS and "
                "Windows they are the same path, and one overwrites the other",
                path=owner,
                hint="rename one of them (or give it another slug) so that the names differ "
                "in more than case",
                code="case-collision",
            )
        )
    return found


def github_pages_files(config: Config) -> dict[str, str]:
    """`.nojekyll` so that GitHub Pages serves the site as built (folders starting with `_`
    included), and `CNAME` for a custom domain."""
    files = {".nojekyll": ""}
    if config.cname:
        files["CNAME"] = f"{config.cname}\n"
    return files
