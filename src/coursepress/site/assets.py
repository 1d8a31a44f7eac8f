"""Everything published besides the pages: theme and site static files, files under content/,
page-bundle resources, stylesheets placed under the base path, and GitHub Pages' own files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path, PurePosixPath

from coursepress.config import Config
from coursepress.content.links import rewrite_css, under_base_path
from coursepress.errors import Diagnostic
from coursepress.site.assemble import Site
from coursepress.source.discover import Skipped, SourceFile, SourceKind, Sources
from coursepress.source.templates import THEME_DIR

THEME_STATIC = THEME_DIR / "static"
THEME_LABEL = PurePosixPath("(coursepress theme)")


def copies_of(
    sources: Sources, site: Site, found: list[Diagnostic]
) -> Iterator[tuple[str, SourceFile, bool]]:
    """(output path, file to copy, whether it is the theme's): the theme's static files, then
    the site's (static/, content/, and the resources of bundles whose page publishes), in
    that order, so that the output plan lets the site's files replace the theme's. A link to
    a resource of a bundle that does not publish is left out, and said in `found`."""
    for path in sorted(THEME_STATIC.rglob("*")):
        if path.is_file():
            yield path.relative_to(THEME_STATIC).as_posix(), _theme_file(path), True
    bundle_dirs = {
        page.bundle: PurePosixPath(page.output).parent for page in site.pages if page.bundle
    }
    for source in sources.files:
        if source.needs_bundle is not None and source.needs_bundle not in bundle_dirs:
            found.append(_link_to_unpublished_bundle(source))
            continue
        output = _output_of(source, bundle_dirs)
        if output is not None:
            yield output, source, False


def _output_of(source: SourceFile, bundle_dirs: dict[PurePosixPath, PurePosixPath]) -> str | None:
    if source.kind is not SourceKind.RESOURCE:
        return str(source.target)
    # A resource of an unpublished bundle has no page to sit beside: it stays out with it.
    if source.bundle not in bundle_dirs:
        return None
    return str(bundle_dirs[source.bundle] / source.target.relative_to(source.bundle))


def _link_to_unpublished_bundle(source: SourceFile) -> Diagnostic:
    return Diagnostic(
        f"not published: this is a symbolic link into content/{source.needs_bundle}/, whose "
        "page does not publish (a draft, or dated in the future)",
        path=source.rel,
        hint="link to a file that is published, or copy the file",
        code="link-to-private-file",
    )


def _theme_file(path: Path) -> SourceFile:
    target = PurePosixPath(path.relative_to(THEME_STATIC).as_posix())
    return SourceFile(path, THEME_LABEL / "static" / target, target, SourceKind.ASSET)


def skipped_warnings(skipped: tuple[Skipped, ...]) -> list[Diagnostic]:
    return [
        Diagnostic(item.reason, path=item.rel, hint=item.hint, code=item.code) for item in skipped
    ]


def stylesheets_under_base_path(copies: Mapping[str, SourceFile], config: Config) -> dict[str, str]:
    """Root-relative `url()` in copied stylesheets gets the base path: the stylesheets that
    change, as texts; the others are copied as they are."""
    texts: dict[str, str] = {}
    if config.base_path == "/":
        return texts
    for name in [name for name in copies if name.endswith(".css")]:
        try:
            css = copies[name].path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # not text we can parse: copied byte for byte
        rewritten = _under_base_path(css, config.base_path)
        if rewritten != css:
            texts[name] = rewritten
    return texts


@lru_cache(maxsize=32)
def _under_base_path(css: str, base_path: str) -> str:
    """Kept across serve's rebuilds: the theme's stylesheet alone takes tinycss2 25 ms."""
    return rewrite_css(css, under_base_path(base_path))


def github_pages_files(config: Config) -> dict[str, str]:
    """`.nojekyll` so that GitHub Pages serves the site as built (folders starting with `_`
    included), and `CNAME` for a custom domain."""
    files = {".nojekyll": ""}
    if config.cname:
        files["CNAME"] = f"{config.cname}\n"
    return files
