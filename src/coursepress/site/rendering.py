"""The Markdown stage: the documents that publish → pages, their bodies rendered on every
core. Plain functions of their inputs; the cache layer (cache/layer.py) calls the same
steps for what it does not remember."""

from __future__ import annotations

from collections.abc import Sequence

from coursepress.config import Config
from coursepress.content.markdown import RenderedMarkdown, create_parser
from coursepress.errors import Diagnostic
from coursepress.parallel import map_over_cores
from coursepress.site.pages import (
    NO_LOOKUPS,
    Lookups,
    MarkdownJob,
    Page,
    PageInputs,
    make_page,
    markdown_job,
)
from coursepress.site.urls import content_urls
from coursepress.source.frontmatter import Document

Made = tuple[Page, tuple[Diagnostic, ...]]
"""A page and the warnings its making gave."""


def render_pages(
    documents: Sequence[Document],
    published: Sequence[Document],
    config: Config,
    jobs: int | None,
    inputs: PageInputs,
) -> list[Made]:
    """The page of each of `documents`; `published` (every page that publishes) is what
    Hugo's `ref` shortcodes may name."""
    tasks = markdown_jobs(documents, published, config, inputs)
    return pages_from(documents, tasks, run_markdown(tasks, jobs), config)


def markdown_jobs(
    documents: Sequence[Document],
    published: Sequence[Document],
    config: Config,
    inputs: PageInputs,
) -> list[MarkdownJob]:
    # Every page's URL is looked up only for Hugo's `ref` shortcodes.
    if any("{{" in document.body for document in documents):
        lookups = page_lookups(published, config, inputs)
    else:
        lookups = Lookups({}, inputs) if inputs != PageInputs() else NO_LOOKUPS
    return [markdown_job(document, config, lookups) for document in documents]


def page_lookups(published: Sequence[Document], config: Config, inputs: PageInputs) -> Lookups:
    return Lookups(content_urls(published, config), inputs)


def run_markdown(tasks: Sequence[MarkdownJob], jobs: int | None) -> list[RenderedMarkdown]:
    md = create_parser()  # made before the workers are forked: they inherit it
    return map_over_cores(lambda task: task.run(md), tasks, jobs)


def pages_from(
    documents: Sequence[Document],
    tasks: Sequence[MarkdownJob],
    rendered: Sequence[RenderedMarkdown],
    config: Config,
) -> list[Made]:
    md = create_parser()  # for summaries written in front matter
    made = []
    for document, task, body in zip(documents, tasks, rendered, strict=True):
        warnings: list[Diagnostic] = []
        page = make_page(document, md, config, warnings, body, task.url)
        made.append((page, tuple(warnings)))
    return made
