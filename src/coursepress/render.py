"""Jinja2: the environment (site templates over the default theme) and rendering every page."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path

import jinja2

from coursepress.config import Config
from coursepress.discover import shown_path
from coursepress.errors import TemplateError
from coursepress.links import absolute_from, rewrite_html
from coursepress.site import Site
from coursepress.urls import absolute_url, relative_to_site, urlize
from coursepress.views import View, plan_views

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
    )
    environment.filters["relative_url"] = partial(relative_to_site, base_path=config.base_path)
    environment.filters["absolute_url"] = partial(absolute_url, base_url=config.base_url)
    environment.filters["date_format"] = _date_format
    environment.filters["isodate"] = _isodate
    environment.filters["absolute_html"] = partial(_absolute_html, base_url=config.base_url)
    environment.filters["urlize_term"] = urlize
    return environment


def render_site(site: Site, environment: jinja2.Environment, site_dir: Path) -> dict[str, str]:
    """Every templated file of the site, keyed by output path."""
    return {view.output: _render(environment, site, site_dir, view) for view in plan_views(site)}


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


@lru_cache(maxsize=4096)  # a post is in several feeds (site, section, each tag): rewrite once
def _absolute_html(html: str, page_url: str, base_url: str) -> str:
    """A page's HTML for a feed, every link and image made absolute. Returned as text, so
    that the feed template escapes it into the XML."""
    return rewrite_html(str(html), absolute_from(page_url, base_url))
