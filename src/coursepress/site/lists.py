"""Pages made from other pages: list pages in pages of N, tags and authors, and each post's
neighbours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from coursepress.config import Config
from coursepress.site.course import Author
from coursepress.site.pages import Page
from coursepress.site.urls import (
    feed_url,
    output_path,
    pager_url,
    taxonomy_url,
    term_url,
    urlize,
)


@dataclass(frozen=True, slots=True)
class Pager:
    """One page of a paginated list."""

    number: int
    total: int
    items: tuple[Page, ...]
    url: str
    output: str
    previous_url: str | None
    next_url: str | None


def paginate(pages: tuple[Page, ...], first_url: str, per_page: int) -> tuple[Pager, ...]:
    """Page 1 at `first_url`, page N at `first_url/page/N/`, as Hugo does."""
    chunks = [pages[i : i + per_page] for i in range(0, len(pages), per_page)] or [()]
    urls = [pager_url(first_url, n) for n in range(1, len(chunks) + 1)]
    return tuple(
        Pager(
            number=n + 1,
            total=len(chunks),
            items=chunk,
            url=urls[n],
            output=output_path(urls[n]),
            previous_url=urls[n - 1] if n > 0 else None,
            next_url=urls[n + 1] if n + 1 < len(urls) else None,
        )
        for n, chunk in enumerate(chunks)
    )


@dataclass(frozen=True, slots=True)
class Term:
    """A tag, or an author, and the posts that have it, in list order."""

    name: str
    slug: str
    url: str
    pages: tuple[Page, ...]
    author: Author | None = None
    """For the authors taxonomy: the author's record (name, url, avatar)."""

    @property
    def output(self) -> str:
        return output_path(self.url)


@dataclass(frozen=True, slots=True)
class Taxonomy:
    kind: str
    """The plural name: `tags`, `categories`, `authors`, ..."""
    singular: str
    title: str
    url: str
    terms: tuple[Term, ...]
    """Most used first, then by name."""

    @property
    def output(self) -> str:
        return output_path(self.url)


def taxonomies(posts: tuple[Page, ...], config: Config) -> tuple[Taxonomy, ...]:
    """Each taxonomy of the config that some post uses (tags, categories, ...), then authors."""
    made = [
        _taxonomy(plural, singular, _grouped(posts, plural))
        for singular, plural in config.taxonomies.items()
    ]
    authors: dict[str, list[Page]] = {}
    people: dict[str, Author] = {}
    for page in posts:
        for author in page.authors:
            authors.setdefault(author.id, []).append(page)
            people[author.id] = author
    named = {key: (people[key].name, people[key]) for key in authors}
    made.append(_taxonomy("authors", "author", authors, named))
    return tuple(kind for kind in made if kind.terms)


def _grouped(posts: tuple[Page, ...], plural: str) -> dict[str, list[Page]]:
    grouped: dict[str, list[Page]] = {}
    spelled: dict[str, str] = {}
    """The first spelling seen of each term, by its URL segment."""
    for page in posts:
        for term in page.terms.get(plural, ()):
            # One term per URL, as in Hugo: "ML" and "ml" are the same tag.
            key = spelled.setdefault(urlize(term), term)
            pages = grouped.setdefault(key, [])
            if not pages or pages[-1] is not page:  # a term repeated in one post
                pages.append(page)
    return grouped


def _taxonomy(
    kind: str,
    singular: str,
    pages: dict[str, list[Page]],
    names: Mapping[str, tuple[str, Author | None]] | None = None,
) -> Taxonomy:
    named = names or {key: (key, None) for key in pages}
    terms = [
        Term(name, urlize(key), term_url(kind, key), tuple(pages[key]), author)
        for key, (name, author) in named.items()
    ]
    terms.sort(key=lambda term: (-len(term.pages), term.name.lower()))
    return Taxonomy(kind, singular, kind.capitalize(), taxonomy_url(kind), tuple(terms))


def neighbours(
    sections: Mapping[str, tuple[Page, ...]],
) -> Mapping[str, tuple[Page | None, Page | None]]:
    """For each post: (the previous, the next) in its section, by date (oldest first)."""
    found: dict[str, tuple[Page | None, Page | None]] = {}
    for pages in sections.values():
        ordered = sorted(pages, key=_chronological)
        for index, page in enumerate(ordered):
            previous = ordered[index - 1] if index > 0 else None
            following = ordered[index + 1] if index + 1 < len(ordered) else None
            found[page.url] = (previous, following)
    return MappingProxyType(found)


def _chronological(page: Page) -> tuple[float, str]:
    return (page.date.timestamp() if page.date else float("-inf"), str(page.source))


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed (Atom or RSS): of the site, of a section, or of a tag."""

    kind: str
    """`atom` or `rss`."""
    title: str
    url: str
    """The feed's own URL path, e.g. `/posts/feed.xml`."""
    page_url: str
    """The page it is the feed of."""
    entries: tuple[Page, ...]
    """Newest first, by date."""

    @property
    def output(self) -> str:
        return output_path(self.url)


def feed(kind: str, title: str, page_url: str, pages: tuple[Page, ...], limit: int) -> Feed:
    """The newest `limit` posts (0: all); feed readers keep what they have already seen."""
    dated = sorted(pages, key=lambda page: _chronological(page), reverse=True)
    entries = tuple(dated[:limit] if limit else dated)
    return Feed(kind, title, feed_url(page_url, kind), page_url, entries)
