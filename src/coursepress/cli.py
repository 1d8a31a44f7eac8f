"""The command line: parse arguments, call the build, print what happened. Nothing else."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from coursepress import LOADED_AT, __version__
from coursepress.__main__ import STOPPED, STOPPED_AFTER_PUBLISHING, stop_cleanly_from_now
from coursepress.build import BuildOptions, BuildReport, LeftOut, build
from coursepress.check.report import FORMATS, format_github, format_json, format_text
from coursepress.check.run import check_site
from coursepress.content.shortcodes import KNOWN
from coursepress.errors import (
    BuildFailed,
    InterruptedAfterPublishing,
    PartlyPublished,
    Severity,
    SiteError,
    count_of,
    shown_folder,
)
from coursepress.hugo.config import go_shortcodes_to_port, hugo_notes
from coursepress.scaffold import init_site, new_post, site_toml_from_hugo
from coursepress.source.dates import MAX_WEEKS
from coursepress.source.select import Verdict


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="coursepress")
def main() -> None:
    """coursepress: a static site generator for course blogs."""


source_option = click.option(
    "--source",
    "-s",
    "source",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default="the current folder",
    help="The site folder.",
)
"""`--source DIR`, the same on every command."""


@main.command("build")
@source_option
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(path_type=Path),
    default=None,
    show_default="public/ in the site folder",
    help="Where the site is written.",
)
@click.option("--drafts", "-D", is_flag=True, help="Include pages marked draft = true.")
@click.option("--future", "-F", is_flag=True, help="Include pages dated in the future.")
@click.option("--base-url", "-b", default=None, help="Override base_url from site.toml.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that render Markdown and templates (default: one per core, if it pays).",
)
@click.option("--profile", is_flag=True, help="Print the time each stage took.")
@click.option(
    "--safe", is_flag=True, help="Sanitise raw HTML in posts (as safe_html = true in site.toml)."
)
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Render every page again, without .coursepress-cache/.",
)
def build_command(
    source: Path,
    output: Path | None,
    drafts: bool,
    future: bool,
    base_url: str | None,
    strict: bool,
    quiet: bool,
    jobs: int | None,
    profile: bool,
    no_cache: bool,
    safe: bool,
) -> None:
    """Build the site into public/ (or --output)."""
    stop_cleanly_from_now()
    if not source.is_dir():
        fail(f"{source}: no such folder", "pass the site folder with --source")
    options = BuildOptions(
        site_dir=source,
        output_dir=output if output is not None else source / "public",
        drafts=drafts,
        future=future,
        base_url=base_url,
        strict=strict,
        jobs=jobs,
        cache=not no_cache,
        safe=safe,
    )
    waiting = "another build of this site is running; waiting for it to finish"
    imports = time.perf_counter() - LOADED_AT
    with user_errors():
        report = build(options, on_wait=lambda: click.echo(waiting, err=True))
    with user_errors():
        try:
            _report(report, quiet, profile, imports)
        except KeyboardInterrupt:
            raise InterruptedAfterPublishing from None


def _report(report: BuildReport, quiet: bool, profile: bool, imports: float) -> None:
    for warning in report.warnings:
        click.echo(warning.format(), err=True)
    if report.written.moved_aside is not None:  # said even with --quiet: files moved
        kept, generator = report.written.moved_aside
        output = shown_folder(report.output_dir)
        click.echo(
            f"{output} was built by {generator}; it is kept, whole, as {shown_folder(kept)}, "
            f"and coursepress wrote its own {output}",
            err=True,
        )
    if not quiet:
        click.echo(summary(report))
    if profile:
        # Shares are of the whole run, the imports before the build included.
        total = imports + report.seconds
        stages = [("imports", imports, "modules loaded before the build began"), *report.stages]
        for stage, seconds, note in stages:
            share = seconds / total if total else 0
            click.echo(f"  {stage:<13} {seconds:7.3f} s  {share:4.0%}  {note}".rstrip())


@main.command("serve")
@source_option
@click.option(
    "--port",
    "-p",
    type=click.IntRange(0, 65535),
    default=1313,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 shows the site to your whole network.",
)
@click.option(
    "--drafts/--no-drafts",
    default=True,
    show_default=True,
    help="Show drafts (with a Draft badge); --no-drafts previews what build publishes.",
)
@click.option("--future", "-F", is_flag=True, help="Include pages dated in the future.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in your browser.")
def serve_command(
    source: Path, port: int, bind: str, drafts: bool, future: bool, open_browser: bool
) -> None:
    """Preview the site with live reload; rebuilds on every change."""
    stop_cleanly_from_now()
    if not source.is_dir():
        fail(f"{source}: no such folder", "pass the site folder with --source")
    from coursepress.serve.session import (  # imported when used: builds start faster
        ServeOptions,
        serve,
    )

    options = ServeOptions(source, bind, port, drafts, future, open_browser)
    # SIGTERM (a closed terminal, `kill`) stops as cleanly as Ctrl-C.
    try:
        serve(
            options, say=lambda text: click.echo(text), warn=lambda text: click.echo(text, err=True)
        )
    except SiteError as error:
        click.echo(error.format(), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


@main.command("check")
@source_option
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
@click.option("--safe", is_flag=True, help="Check as --safe builds: report raw HTML it removes.")
def check_command(source: Path, strict: bool, output_format: str, safe: bool) -> None:
    """Report every problem in the site (nothing is written). Exit 1 on errors."""
    stop_cleanly_from_now()
    if not source.is_dir():
        fail(f"{source}: no such folder", "pass the site folder with --source")
    with user_errors("check", "nothing was checked"):
        report = check_site(source, safe)
    formatter = {"text": format_text, "json": format_json, "github": format_github}
    text = formatter[output_format](report)
    if text:
        click.echo(text)
    sys.exit(1 if report.failed(strict) else 0)


@main.group("new")
def new_group() -> None:
    """Create new content."""


@new_group.command("post")
@click.argument("title")
@click.option("--section", default="posts", show_default=True, help="Folder under content/.")
@click.option(
    "--week",
    type=click.IntRange(min=1, max=MAX_WEEKS),
    default=None,
    help="Course week, for /schedule/.",
)
@source_option
def new_post_command(title: str, section: str, week: int | None, source: Path) -> None:
    """Write a new draft post dated today and print its path."""
    stop_cleanly_from_now()
    if not source.is_dir():
        fail(f"{source}: no such folder", "pass the site folder with --source")
    with user_errors("new post", "nothing was written"):
        path = new_post(source, title, section, week)
    click.echo(path.as_posix())


@main.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option(
    "--from-hugo",
    "hugo_site",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Write site.toml for the Hugo site in this folder from its Hugo config.",
)
@click.option(
    "--requirement",
    metavar="REQUIREMENT",
    help="What the site's requirements.txt installs (default: this coursepress, as it was "
    "installed: coursepress==VERSION, or a git URL at a commit).",
)
def init_command(folder: Path | None, hugo_site: Path | None, requirement: str | None) -> None:
    """Create a new course site in FOLDER (with the GitHub Pages workflow), or, with
    --from-hugo DIR, write the site.toml that says what DIR's Hugo config says."""
    stop_cleanly_from_now()
    if hugo_site is not None:
        _init_from_hugo(hugo_site)
        return
    if folder is None:
        raise click.UsageError("init needs a FOLDER for the new site, or --from-hugo DIR")
    # Here: importlib.metadata costs every other command 13 ms of start-up.
    from coursepress.requirement import Requirement, this_requirement

    chosen = Requirement(requirement) if requirement else this_requirement()
    with user_errors("init", "nothing was written"):
        created = init_site(folder, chosen.line)
    for path in created:
        click.echo(f"created {path.as_posix()}")
    click.echo(f"\nrequirements.txt: {chosen.line}")
    if chosen.advice:
        click.echo(f"note: {chosen.advice}", err=True)
    click.echo(
        f"\nNext: cd {folder.as_posix()} && coursepress serve    (preview with live reload)\n"
        "Publish: push to GitHub; once the workflow has made the gh-pages branch, choose it in\n"
        "Settings → Pages → Source: Deploy from a branch (gh-pages, / (root))."
    )


def _init_from_hugo(hugo_site: Path) -> None:
    with user_errors("init", "nothing was written"):
        written, settings = site_toml_from_hugo(hugo_site)
    click.echo(f"created {written.as_posix()} from {', '.join(settings.files)}")
    if settings.unused:
        click.echo(
            f"not carried over (coursepress does not use them): {', '.join(settings.unused)}"
        )
    for note in hugo_notes(hugo_site, settings):
        if note.code == "hugo-theme":
            click.echo(note.message)
    to_port = go_shortcodes_to_port(hugo_site, settings.theme, KNOWN)
    if to_port:
        click.echo(
            "\nGo shortcodes that need a Jinja twin in templates/shortcodes/ (see Shortcodes in "
            "the README):"
        )
    width = max((len(code.name) for code in to_port), default=0)
    for code in to_port:
        own = f"; until then coursepress's own {code.name} is used" if code.built_in else ""
        click.echo(
            f"  {code.name:<{width}}  {code.shown}, used by {count_of(code.pages, 'page')}{own}"
        )
    click.echo(f"\nNext: coursepress build --source {hugo_site.as_posix()}")


@contextmanager
def user_errors(
    action: str = "build", outcome: str = "the previous site is unchanged"
) -> Iterator[None]:
    """A user's mistake exits 1 with `path:line: message`; Ctrl-C exits 130. No tracebacks."""
    try:
        yield
    except PartlyPublished as partial:
        click.echo(partial.format(), err=True)
        fail(f"{action} failed with 1 error; the output folder holds part of the new site")
    except BuildFailed as failure:
        for each in failure.errors:
            click.echo(each.format(), err=True)
        noun = "error" if len(failure.errors) == 1 else "errors"
        fail(f"{action} failed with {len(failure.errors)} {noun}; {outcome}")
    except SiteError as error:
        click.echo(error.format(), err=True)
        fail(f"{action} failed with 1 error; {outcome}")
    except InterruptedAfterPublishing:
        click.echo(STOPPED_AFTER_PUBLISHING, err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo(STOPPED, err=True)
        sys.exit(130)
    except OSError as error:  # a file that vanished or cannot be read mid-build
        where = f"{error.filename}: " if error.filename else ""
        click.echo(f"{where}{error.strerror or error}", err=True)
        fail(f"{action} failed with 1 error; {outcome}")


def fail(message: str, hint: str | None = None) -> None:
    click.echo(message, err=True)
    if hint:
        click.echo(f"  hint: {hint}", err=True)
    sys.exit(1)


def summary(report: BuildReport) -> str:
    written = report.written
    # Notes (a site file replacing a generated one, Hugo settings not used) are not warnings.
    warnings = sum(1 for d in report.warnings if d.severity is not Severity.INFO)
    notes = len(report.warnings) - warnings
    counted = count_of(warnings, "warning") + (f", {count_of(notes, 'note')}" if notes else "")
    lines = [
        f"Built {shown_folder(report.output_dir)} in {report.seconds:.2f} s: "
        f"{count_of(written.pages, 'page')}, {count_of(written.files, 'other file')}, "
        f"{counted}."
    ]
    zone = report.config.timezone
    groups: list[tuple[Verdict, str, str, Callable[[LeftOut], str]]] = [
        (Verdict.DRAFT, "draft", "(use --drafts to include)", lambda item: ""),
        (
            Verdict.FUTURE,
            "future-dated page",
            "(use --future to include)",
            lambda item: f" (goes live {_when(item)} {zone})",
        ),
        (Verdict.EXPIRED, "expired page", "", lambda item: f" (expired {_when(item)} {zone})"),
    ]
    for verdict, noun, advice, detail in groups:
        items = [item for item in report.left_out if item.verdict is verdict]
        if items:
            lines.append(f"Left out {count_of(len(items), noun)}{' ' + advice if advice else ''}:")
            lines.extend(f"  {item.source}{detail(item)}" for item in items)
    return "\n".join(lines)


def _when(item: LeftOut) -> str:
    return item.date.strftime("%Y-%m-%d %H:%M") if item.date else "?"
