"""Jinja2: the environment (site templates over the default theme) and rendering every page."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime, time
from functools import partial
from pathlib import Path

import jinja2
import jinja2.sandbox

from coursepress.config import Config
from coursepress.content.links import absolute_from, rewrite_html
from coursepress.errors import SiteError, TemplateError, shown_path
from coursepress.fingerprint import FINGERPRINT
from coursepress.output.reads import Reads, RenderedView
from coursepress.output.spool import Sink
from coursepress.parallel import map_over_cores
from coursepress.site.assemble import Site
from coursepress.site.pages import Page
from coursepress.site.urls import absolute_url, relative_to_site, urlize
from coursepress.site.views import View
from coursepress.source.discover import TEMPLATES_DIR
from coursepress.source.templates import THEME_DIR, not_text, site_templates


class _SiteTemplates(jinja2.BaseLoader):
    """The site's templates/, as `site_templates` lists them (links that lead out refused)."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.files = site_templates(site_dir)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        found = self.files.get("/".join(jinja2.loaders.split_template_path(template)))
        if found is None:
            raise jinja2.TemplateNotFound(template)
        if found.text is None:
            raise not_text(self.site_dir, found.path)
        return found.text, str(found.path), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.files)


class _CompiledTheme(jinja2.BytecodeCache):
    """The theme's templates compiled once per installation, and kept in it, as Python keeps
    a module's .pyc beside it: compiling them took 0.24 s of every cold build. Compiled
    templates are code, so they are never kept in a cache folder (which a site or a CI cache
    may share): only beside the theme, which whoever could change could change the code, and
    not where Python writes no .pyc either (PYTHONDONTWRITEBYTECODE). A site's own templates
    are compiled on every build. Jinja's buckets check their version and source themselves."""

    folder = THEME_DIR / "__jinjacache__"

    def __init__(self, kind: str) -> None:
        self.kind = kind  # a sandboxed environment's templates are kept apart

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja checks a template's source; the code around it (a filter's calling
        convention) and Jinja itself are in the key, as they are in the build cache's."""
        theme = filename is not None and Path(filename).is_relative_to(THEME_DIR)
        return super().get_cache_key(f"{FINGERPRINT}:{self.kind}:{name}", filename) if theme else ""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key:
            with suppress(OSError), open(self.folder / bucket.key, "rb") as stored:
                bucket.load_bytecode(stored)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if not bucket.key or sys.dont_write_bytecode:
            return
        with suppress(OSError):  # an installation this user cannot write to: compiled anew
            self.folder.mkdir(exist_ok=True)
            partial_file = self.folder / f"{bucket.key}.{os.getpid()}.tmp"
            with open(partial_file, "wb") as stored:
                bucket.write_bytecode(stored)
            os.replace(partial_file, self.folder / bucket.key)  # whole, or not there


def create_environment(site_dir: Path, config: Config) -> jinja2.Environment:
    """Templates in the site's templates/ override the default theme's by name. In safe mode
    they run in Jinja's sandbox, which keeps a template from reaching Python's internals."""
    kind = jinja2.sandbox.SandboxedEnvironment if config.safe_html else jinja2.Environment
    environment = kind(
        loader=jinja2.ChoiceLoader(
            [_SiteTemplates(site_dir), jinja2.FileSystemLoader(THEME_DIR / TEMPLATES_DIR)]
        ),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build reads each template once; serve makes a new environment
        bytecode_cache=_CompiledTheme(kind.__name__),
    )
    # Filters of the settings run as pages render: compiled templates are kept, and Jinja
    # would fold `'/css/style.css' | relative_url` into them, base path and all.
    environment.filters["relative_url"] = _at_render(
        partial(relative_to_site, base_path=config.base_path)
    )
    environment.filters["absolute_url"] = _at_render(
        partial(absolute_url, base_url=config.base_url)
    )
    environment.filters["date_format"] = _date_format
    environment.filters["isodate"] = _isodate
    environment.filters["rfc822"] = _rfc822
    environment.filters["absolute_html"] = _at_render(
        partial(_absolute_html, base_url=config.base_url)
    )
    environment.filters["absolute_body"] = _absolute_body
    # For templates copied from the theme before links came with their URLs (`term.url`).
    environment.filters["urlize_term"] = urlize
    return environment


def _at_render(function: Callable[..., str]) -> Callable[..., str]:
    """`function` as a filter that Jinja never calls while compiling (it folds filters of
    constants into the compiled code, but not those that take the render's context)."""

    @jinja2.pass_context
    def at_render(_: jinja2.runtime.Context, *args: object, **keywords: object) -> str:
        return function(*args, **keywords)

    return at_render


def render_views(
    site: Site,
    views: Sequence[View],
    environment: jinja2.Environment,
    site_dir: Path,
    spool: Sink,
    jobs: int | None = None,
) -> list[RenderedView]:
    """Each of `views` rendered into the spool, on all cores when there are many."""
    feed_html = _feed_html(views, site.config.base_url, jobs)

    def render(view: View) -> RenderedView:
        """One view into the spool; the parent is sent only its digest and reads."""
        reads = Reads()
        text = _render(environment, site, site_dir, view, reads, feed_html)
        return RenderedView(spool.put(view.output, _utf8(text, view)), reads.parts)

    # One view of each kind is rendered here first, so that its templates and everything they
    # include are compiled once, before processes are forked, rather than once in each.
    first = {view.templates: index for index, view in reversed(list(enumerate(views)))}
    done = {index: render(views[index]) for index in sorted(first.values())}
    rest = [index for index in range(len(views)) if index not in done]
    done |= zip(rest, map_over_cores(render, [views[index] for index in rest], jobs), strict=True)
    return [done[index] for index in range(len(views))]


def _utf8(text: str, view: View) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate, from an escape such as "\ud800"
        raise TemplateError(
            f"the file made holds {error.object[error.start]!a}, which is not a character",
            path=view.owner.path or view.output,
            hint=f"while rendering {view.rendering}; look for an escape such as \\ud800 in "
            "its front matter, the site's settings or a template",
        ) from None


def _render(
    environment: jinja2.Environment,
    site: Site,
    site_dir: Path,
    view: View,
    reads: Reads,
    feed_html: Mapping[tuple[str, str], bytes],
) -> str:
    """One file; templates see the site through `reads`, which records the bodies read."""
    context = {"page": None, **view.context}
    with _template_errors(site_dir, view.rendering):
        template = environment.select_template(list(view.templates))
        return template.render(
            site=reads.wrap(site),
            config=site.config,
            page_url=view.page_url,
            feed_html=feed_html,
            **{name: reads.wrap(value) for name, value in context.items()},
        )


@contextmanager
def _template_errors(site_dir: Path, rendering: str) -> Iterator[None]:
    """Any Jinja failure becomes a TemplateError at the template's file:line, naming the page."""
    try:
        yield
    except SiteError:  # a template that cannot be read, or a link that leads out: said already
        raise
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
    # Jinja names types by their module path; users know `page`, not `coursepress.site.pages.Page`.
    for jinja_name, name in _TYPE_NAMES.items():
        text = text.replace(jinja_name, name)
    return text


_TYPE_NAMES = {
    "coursepress.site.pages.Page object": "page",
    "coursepress.site.assemble.Site object": "site",
    "coursepress.site.assemble.Section object": "section",
    "coursepress.config.Config object": "config",
    "mappingproxy object": "params",
    "coursepress.output.reads._MappingReads object": "params",
}


def _date_format(value: datetime | None, pattern: str | None = None) -> str:
    """`3 September 2023` by default; any strftime pattern otherwise."""
    if value is None:
        return ""
    return value.strftime(pattern) if pattern else f"{value.day} {value:%B %Y}"


def _rfc822(value: datetime | date) -> str:
    """RSS's date form: `Tue, 12 Sep 2023 00:00:00 -0400`."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    import email.utils  # 13 ms of start-up, for the feeds alone

    return email.utils.format_datetime(moment)


def _isodate(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _absolute_html(html: str, page_url: str, base_url: str) -> str:
    """HTML for a feed, every link and image made absolute. Returned as text, so that the feed
    template escapes it into the XML."""
    return rewrite_html(str(html), absolute_from(page_url, base_url))


@jinja2.pass_context
def _absolute_body(context: jinja2.runtime.Context, page: Page, part: str) -> str:
    """`page.content` or `page.summary` for a feed, as `absolute_html` makes it; a post is in
    several feeds, so this comes from the rewriting done for all of them at once."""
    html = str(getattr(page, part))  # read through the page, so that the read is recorded
    done = context.get("feed_html", {}).get((page.url, part))
    base_url = context["config"].base_url
    return done.decode("utf-8") if done is not None else _absolute_html(html, page.url, base_url)


def _feed_html(
    views: Sequence[View], base_url: str, jobs: int | None
) -> dict[tuple[str, str], bytes]:
    """The entries of the feeds about to be rendered, made absolute on all cores before the
    feeds are spread over them, so that no process rewrites a post another one already
    did: (page URL, `content` or `summary`) → UTF-8."""
    entries = {
        page.url: page
        for view in views
        if "feed" in view.context
        for page in view.context["feed"].entries
    }
    parts = [(page, part) for page in entries.values() for part in ("summary", "content")]

    def rewrite(item: tuple[Page, str]) -> bytes:
        page, part = item
        return _absolute_html(getattr(page.body, part), page.url, base_url).encode("utf-8")

    rewritten = map_over_cores(rewrite, parts, jobs)
    return {(page.url, part): html for (page, part), html in zip(parts, rewritten, strict=True)}
