"""Jinja2: the environment (site templates over the default theme) and rendering every page."""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path

import jinja2

from coursepress.cache import BuildCache, RenderedView, digest
from coursepress.config import Config
from coursepress.discover import SourceKind, shown_path
from coursepress.errors import TemplateError
from coursepress.links import absolute_from, rewrite_html
from coursepress.pages import BODY_PARTS, Page, recording_body_reads
from coursepress.parallel import map_over_cores
from coursepress.site import Site
from coursepress.spool import Sink
from coursepress.urls import absolute_url, relative_to_site
from coursepress.views import View

THEME_DIR = Path(__file__).resolve().parent / "theme"
TEMPLATES_DIR = "templates"


def create_environment(site_dir: Path, config: Config) -> jinja2.Environment:
    """Templates in the site's templates/ override the default theme's by name."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([site_dir / TEMPLATES_DIR, THEME_DIR / TEMPLATES_DIR]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build reads each template once; serve makes a new environment
    )
    environment.filters["relative_url"] = partial(relative_to_site, base_path=config.base_path)
    environment.filters["absolute_url"] = partial(absolute_url, base_url=config.base_url)
    environment.filters["date_format"] = _date_format
    environment.filters["isodate"] = _isodate
    environment.filters["absolute_html"] = partial(_absolute_html, base_url=config.base_url)
    environment.filters["absolute_body"] = partial(_absolute_body, base_url=config.base_url)
    return environment


def render_site(
    site: Site,
    views: list[View],
    environment: jinja2.Environment,
    site_dir: Path,
    spool: Sink,
    on_disk: Mapping[str, str],
    cache: BuildCache | None = None,
    jobs: int | None = None,
    templates: str | None = None,
) -> dict[str, str]:
    """Every templated file of the plan (`views`): output path → digest of its bytes.

    A file comes from the cache when the templates, the config, today's date and every page's
    metadata are as they were, and so is the body of each page it read; else it is rendered,
    on all cores when there are many. Rendered files, and files from the cache that the
    output folder does not hold as they are (`on_disk`: name → digest), go to the spool.
    """
    shared = _shared_digest(site, templates or templates_digest(site_dir))
    keys = [digest(shared, view.output, view.templates, view.page_url) for view in views]
    pages = {str(page.source): page for page in _all_pages(site)}
    found = cache.views(keys) if cache else {}
    found = {key: view for key, view in found.items() if _reads_hold(view.reads, pages)}
    for view, key in zip(views, keys, strict=True):
        entry = found.get(key)
        if cache and entry and on_disk.get(view.output) != entry.digest:
            data = cache.view_bytes(key)
            if data is None:  # damaged since it was stored: rendered again
                del found[key]
            else:
                spool.put(view.output, data)
    missing = [index for index, key in enumerate(keys) if key not in found]
    _prepare_feed_html([views[index] for index in missing], site.config.base_url, jobs)
    # One view of each kind is rendered here first, so that its templates and everything they
    # include are compiled once, before processes are forked, rather than once in each.
    first = {views[index].templates: index for index in reversed(missing)}
    _RENDERING[:] = [(environment, site, site_dir, spool, [views[index] for index in missing])]
    try:
        fresh = {keys[i]: _render_recorded(missing.index(i)) for i in sorted(first.values())}
        rest = [index for index in missing if keys[index] not in fresh]
        _RENDERING[:] = [(environment, site, site_dir, spool, [views[index] for index in rest])]
        rendered = map_over_cores(_render_recorded, len(rest), jobs)
    finally:
        _RENDERING.clear()
        _ABSOLUTE.clear()
    fresh |= {keys[index]: result for index, result in zip(rest, rendered, strict=True)}
    if cache:
        outputs = {key: view.output for view, key in zip(views, keys, strict=True)}
        cache.put_views({key: (view, spool.path(outputs[key])) for key, view in fresh.items()})
    found |= fresh
    return {view.output: found[key].digest for view, key in zip(views, keys, strict=True)}


_RENDERING: list[tuple[jinja2.Environment, Site, Path, Sink, list[View]]] = []
"""Set for one map_over_cores call; workers inherit it by fork."""


def _render_recorded(index: int) -> RenderedView:
    """Render one view into the spool; the parent is sent only its digest and reads."""
    environment, site, site_dir, spool, views = _RENDERING[0]
    with recording_body_reads() as reads:
        text = _render(environment, site, site_dir, views[index])
    return RenderedView(spool.put(views[index].output, text.encode("utf-8")), reads)


def templates_digest(site_dir: Path) -> str:
    """A digest of every template the site can use: its own and the default theme's."""
    templates = sorted(
        (str(path.relative_to(root)), path.read_bytes())
        for root in (site_dir / TEMPLATES_DIR, THEME_DIR / TEMPLATES_DIR)
        if root.is_dir()
        for path in root.rglob("*")
        if path.is_file()
    )
    return digest(templates)


def _reads_hold(reads: Mapping[str, str], pages: Mapping[str, Page]) -> bool:
    """Every body part the file was made from is as it was."""
    for read, hashed in reads.items():
        source, _, part = read.rpartition("|")
        page = pages.get(source)
        if page is None or part not in BODY_PARTS or page.body.digest_of(part) != hashed:
            return False
    return True


def _shared_digest(site: Site, templates: str) -> str:
    """What every template may see besides page bodies: templates, config, today, metadata.

    Section and home intros are bodies shown through `section.intro`, so they count here.
    """
    indexes = [
        page.body.digest for page in _all_pages(site) if page.kind is SourceKind.SECTION_INDEX
    ]
    return digest(
        templates,
        site.config,
        site.today,
        [page.meta_digest for page in _all_pages(site)],
        indexes,
    )


def _all_pages(site: Site) -> list[Page]:
    indexes = [section.index for section in site.sections if section.index]
    return [page for page in (site.home, *indexes, *site.pages) if page is not None]


def _render(environment: jinja2.Environment, site: Site, site_dir: Path, view: View) -> str:
    context = {"page": None, **view.context}
    with _template_errors(site_dir, view.rendering):
        template = environment.select_template(list(view.templates))
        return template.render(site=site, config=site.config, page_url=view.page_url, **context)


@contextmanager
def _template_errors(site_dir: Path, rendering: str) -> Iterator[None]:
    """Any Jinja failure becomes a TemplateError at the template's file:line, naming the page."""
    try:
        yield
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(
            f"template syntax: {error.message}",
            path=_display(error.filename, site_dir),
            line=error.lineno,
            hint=f"while rendering {rendering}",
        ) from None
    except jinja2.TemplateNotFound as error:
        where, line = _template_frame(error, site_dir)
        raise TemplateError(
            f"template '{error.name}' not found",
            path=where,
            line=line,
            hint=f"while rendering {rendering}; add it to templates/ or fix the name",
        ) from None
    except jinja2.UndefinedError as error:
        where, line = _template_frame(error, site_dir)
        raise TemplateError(
            _undefined_message(str(error)),
            path=where,
            line=line,
            hint=f"while rendering {rendering}; front matter keys beyond the standard ones "
            "are under page.params, and `| default(...)` gives a fallback",
        ) from None
    except RecursionError:
        raise TemplateError(
            "templates include or extend each other without end",
            hint=f"while rendering {rendering}; look for a template that includes itself",
        ) from None
    except Exception as error:  # anything a template expression raises: ours to explain
        where, line = _template_frame(error, site_dir)
        if where is None:
            raise
        raise TemplateError(
            f"{type(error).__name__}: {error}",
            path=where,
            line=line,
            hint=f"while rendering {rendering}",
        ) from None


def _template_frame(error: BaseException, site_dir: Path) -> tuple[str | None, int | None]:
    """The innermost template file and line in a traceback (Jinja rewrites frames to them)."""
    template_roots = ((site_dir / TEMPLATES_DIR).resolve(), THEME_DIR / TEMPLATES_DIR)
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename).resolve()
        if any(path.is_relative_to(root) for root in template_roots):
            return _display(frame.filename, site_dir), frame.lineno
    return None, None


def _display(filename: str | None, site_dir: Path) -> str | None:
    if filename is None:
        return None
    path, site = Path(filename).resolve(), site_dir.resolve()
    if path.is_relative_to(site):
        return str(shown_path(site_dir, path.relative_to(site).as_posix()))
    if path.is_relative_to(THEME_DIR):
        return f"(coursepress theme) {path.relative_to(THEME_DIR).as_posix()}"
    return filename


def _undefined_message(text: str) -> str:
    # Jinja names types by their module path; users know `page`, not `coursepress.pages.Page`.
    for jinja_name, name in _TYPE_NAMES.items():
        text = text.replace(jinja_name, name)
    return text


_TYPE_NAMES = {
    "coursepress.pages.Page object": "page",
    "coursepress.site.Site object": "site",
    "coursepress.site.Section object": "section",
    "coursepress.config.Config object": "config",
    "mappingproxy object": "params",
}


def _date_format(value: datetime | None, pattern: str | None = None) -> str:
    """`3 September 2023` by default; any strftime pattern otherwise."""
    if value is None:
        return ""
    return value.strftime(pattern) if pattern else f"{value.day} {value:%B %Y}"


def _isodate(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _absolute_html(html: str, page_url: str, base_url: str) -> str:
    """HTML for a feed, every link and image made absolute. Returned as text, so that the feed
    template escapes it into the XML."""
    return rewrite_html(str(html), absolute_from(page_url, base_url))


def _absolute_body(page: Page, part: str, base_url: str) -> str:
    """`page.content` or `page.summary` for a feed, as `absolute_html` makes it; a post is in
    several feeds, so this comes from the rewriting done for all of them at once."""
    html = str(getattr(page, part))  # read through the page, so that the read is recorded
    done = _ABSOLUTE.get((page.url, part))
    return done.decode("utf-8") if done is not None else _absolute_html(html, page.url, base_url)


_ABSOLUTE: dict[tuple[str, str], bytes] = {}
"""Feed HTML by (page URL, `content` or `summary`), as UTF-8, for the feeds being rendered."""


def _prepare_feed_html(views: list[View], base_url: str, jobs: int | None) -> None:
    """Rewrite the entries of the feeds about to be rendered on all cores, before the feeds
    are spread over them, so that no process rewrites a post another one already did."""
    _ABSOLUTE.clear()
    entries = {
        page.url: page
        for view in views
        if "feed" in view.context
        for page in view.context["feed"].entries
    }
    _FEED_HTML[:] = [
        (page, part, base_url) for page in entries.values() for part in ("summary", "content")
    ]
    try:
        rewritten = map_over_cores(_rewrite_feed_html, len(_FEED_HTML), jobs)
        _ABSOLUTE.update(
            ((page.url, part), html)
            for (page, part, _), html in zip(_FEED_HTML, rewritten, strict=True)
        )
    finally:
        _FEED_HTML.clear()


_FEED_HTML: list[tuple[Page, str, str]] = []


def _rewrite_feed_html(index: int) -> bytes:
    page, part, base_url = _FEED_HTML[index]
    html = getattr(page.body, part)
    return _absolute_html(html, page.url, base_url).encode("utf-8")
