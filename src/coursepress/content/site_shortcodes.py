"""A site's own shortcodes: `templates/shortcodes/NAME.html`, a Jinja twin of Hugo's
`layouts/shortcodes/NAME.html`. Read and parsed once per build, in the main process (a syntax
error is one at the template's line, used or not); rendered where the page's Markdown is, at
the page's line when it fails."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from coursepress.errors import SiteError, TemplateError, shown_path
from coursepress.site.urls import absolute_url
from coursepress.source.templates import not_text, site_templates

if TYPE_CHECKING:
    import jinja2

FOLDER = "shortcodes/"
"""Under templates/, as Hugo's are under layouts/."""


@dataclass(frozen=True, slots=True)
class ShortcodeTemplate:
    name: str
    """`note` for `templates/shortcodes/note.html`, as posts write `{{< note >}}`."""
    shown: str
    """The template's path as messages show it."""
    text: str
    paired: bool
    """It reads `inner`, so it is written with a closing `{{< /note >}}`, as a Hugo
    shortcode whose template uses `.Inner`."""


@dataclass(frozen=True, slots=True)
class ShortcodeSite:
    """What a shortcode template sees of the site and of the page it is on."""

    safe: bool
    base_url: str
    site: Mapping[str, Any]
    """`title`, `params`, `data`: as `site.*` in the theme's templates."""
    page: Mapping[str, Any]
    """`title`, `url`, `params`, `date`, `section` of the page."""


def read_shortcodes(
    site_dir: Path, safe: bool
) -> tuple[dict[str, ShortcodeTemplate], list[SiteError]]:
    """Every `templates/shortcodes/*.html`, parsed (name → template), and the errors of those
    that cannot be (all reported together, as for pages)."""
    found, errors = {}, list[SiteError]()
    for name, template in site_templates(site_dir).items():
        if not name.startswith(FOLDER) or not name.endswith(".html") or name.count("/") != 1:
            continue
        shown = str(shown_path(site_dir, PurePosixPath("templates") / name))
        if template.text is None:
            errors.append(not_text(site_dir, template.path))
            continue
        # Jinja is loaded for a site that has shortcodes (and for the theme's templates when a
        # file must be rendered): a build with nothing to render does without it.
        import jinja2.meta

        try:
            tree = _environment(safe).parse(template.text, name, shown)
        except jinja2.TemplateSyntaxError as error:
            errors.append(
                TemplateError(
                    f"template syntax: {error.message}",
                    path=shown,
                    line=error.lineno,
                    hint="a shortcode template is Jinja, as the other templates are (see "
                    "Shortcodes in the README)",
                )
            )
            continue
        short = name.removeprefix(FOLDER).removesuffix(".html")
        paired = "inner" in jinja2.meta.find_undeclared_variables(tree)
        found[short] = ShortcodeTemplate(short, shown, template.text, paired)
    return found, errors


class ShortcodeFailed(Exception):
    """A site shortcode's template failed on a page: reported at the page's line."""

    def __init__(self, message: str, template: str, line: int | None) -> None:
        super().__init__(message)
        self.message, self.template, self.line = message, template, line


def render_site_shortcode(
    template: ShortcodeTemplate,
    context: ShortcodeSite,
    *,
    positional: tuple[str, ...],
    named: Mapping[str, str],
    inner: str | None,
    ordinal: int,
    markdown: Callable[[str], str],
) -> str:
    """The template's HTML for one use of the shortcode; ShortcodeFailed when it fails."""
    compiled = _compiled(template.text, template.shown, context.safe)

    def get(key: str | int, default: str = "") -> str:
        """Hugo's `.Get`: a named argument, or a positional one by its number."""
        if isinstance(key, int):
            return positional[key] if 0 <= key < len(positional) else default
        return named.get(key.lower(), default)

    try:
        return compiled.render(
            name=template.name,
            args=list(positional),
            params=dict(named),
            get=get,
            # As Hugo's `.Inner`: the text as written, with the HTML of the shortcodes in it,
            # not escaped (safe mode sanitises the page's HTML, this included).
            inner=None if inner is None else Markup(inner),
            ordinal=ordinal,
            page=context.page,
            site=context.site,
            _markdown=markdown,
            _base_url=context.base_url,
        )
    except Exception as error:  # anything the template raises is the template's to explain
        line = next(
            (
                frame.lineno
                for frame in reversed(traceback.extract_tb(error.__traceback__))
                if frame.filename == template.shown
            ),
            None,
        )
        raise ShortcodeFailed(_message(error), template.shown, line) from None


def _message(error: Exception) -> str:
    import jinja2

    if isinstance(error, jinja2.UndefinedError):
        return str(error)
    return f"{type(error).__name__}: {error}"


@lru_cache(maxsize=256)
def _compiled(text: str, shown: str, safe: bool) -> jinja2.Template:
    # Compiled once per process and template: a page that uses a shortcode ten times, and
    # every page after it, reuse it.
    environment = _environment(safe)
    code = environment.compile(text, shown, shown)
    return environment.template_class.from_code(environment, code, environment.make_globals(None))


@lru_cache(maxsize=2)
def _environment(safe: bool) -> jinja2.Environment:
    import jinja2.sandbox

    @jinja2.pass_context
    def markdownify(context: jinja2.runtime.Context, text: object) -> Markup:
        """Hugo's `markdownify`: Markdown to HTML, a lone paragraph without its `<p>`."""
        html = str(context["_markdown"](str(text))).strip() if text else ""
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    @jinja2.pass_context
    def absolute(context: jinja2.runtime.Context, url: object) -> str:
        return absolute_url(str(url), context["_base_url"])

    kind = jinja2.sandbox.SandboxedEnvironment if safe else jinja2.Environment
    environment = kind(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,  # as Hugo keeps it: `{{< name >}},` has a space before ","
    )
    environment.filters["markdownify"] = markdownify
    # Root-relative URLs in a shortcode's HTML are put under the base path with the rest of
    # the page, so `relative_url` (the theme templates' habit) has nothing left to do.
    environment.filters["relative_url"] = lambda url: url
    environment.filters["absolute_url"] = absolute
    return environment
