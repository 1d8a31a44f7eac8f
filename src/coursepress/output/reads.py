"""What a template read of the pages' bodies: templates see the site through recording
proxies, so that a file taken from the cache is reused only while every part of every body
it showed is unchanged (a list of summaries does not change when a post's last paragraph
does). The records themselves stay plain data."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from coursepress.site.assemble import Section, Site
from coursepress.site.lists import Feed, Pager, Taxonomy, Term
from coursepress.site.pages import BODY_PARTS, Page
from coursepress.site.schedule import Session, Week


@dataclass(frozen=True, slots=True)
class RenderedView:
    """A templated file once rendered: the digest of its bytes (which are in the spool), and
    the parts of page bodies it read (`source|part` → digest)."""

    digest: str
    reads: Mapping[str, str]


class Reads:
    """Wraps what a template is given; `parts` collects `source|part` → digest of each part
    of a page body it read."""

    def __init__(self) -> None:
        self.parts: dict[str, str] = {}
        self._wrapped: dict[int, tuple[Any, Any]] = {}
        """id → (the object, what templates see of it), made once per render; the object is
        kept so that its id cannot be reused by another while the render lasts."""

    def wrap(self, value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS or value is None:
            return value
        if kind not in _CONTAINERS and kind not in _PROXIES and not isinstance(value, Mapping):
            return value  # a date, Markup, an author: nothing in it to record
        known = self._wrapped.get(id(value))
        if known is not None and known[0] is value:  # one answer per object and render:
            return known[1]  # `is` and `==` keep working, and lists are wrapped once
        self._wrapped[id(value)] = (value, seen := self._seen(kind, value))
        return seen

    def _seen(self, kind: type, value: Any) -> Any:
        if kind is tuple or kind is list:
            wrapped = [self.wrap(item) for item in value]
            if all(new is old for new, old in zip(wrapped, value, strict=True)):
                return value  # no record in it: the template sees the list as it is
            return kind(wrapped)
        proxy = _PROXIES.get(kind)
        if proxy is not None:
            return proxy(value, self)
        return _MappingReads(value, self) if self._holds_records(value) else value

    def _holds_records(self, value: Any) -> bool:
        """A mapping of records (`site.neighbours`), judged by its first value: params,
        terms and links are plain data and stay as they are, for printing and `tojson`."""
        if not isinstance(value, Mapping) or not value:
            return False
        first = next(iter(value.values()))
        return self.wrap(first) is not first


class _RecordReads:
    """A record as templates see it: every attribute read through `Reads.wrap`."""

    __slots__ = ("_reads", "_record")

    def __init__(self, record: Any, reads: Reads) -> None:
        self._record = record
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._record, name)
        if callable(value):  # site.section(name), site.feed_for(url), ...
            return _wrapped_call(value, self._reads)
        return self._reads.wrap(value)

    def __eq__(self, other: object) -> bool:
        return bool(self._record == (other._record if isinstance(other, _RecordReads) else other))

    def __hash__(self) -> int:
        return hash(self._record)


class _PageReads(_RecordReads):
    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        page: Page = self._record
        # `page.body` is the whole body: a template that reads it read every part.
        for part in BODY_PARTS if name == "body" else (name,) if name in BODY_PARTS else ():
            self._reads.parts[f"{page.source}|{part}"] = page.body.digest_of(part)
        return super().__getattr__(name)


class _MappingReads(Mapping[Any, Any]):
    """`site.neighbours[page.url]`, `page.params.x`: values wrapped as they are read."""

    def __init__(self, mapping: Mapping[Any, Any], reads: Reads) -> None:
        self._mapping = mapping
        self._reads = reads

    def __getitem__(self, key: Any) -> Any:
        return self._reads.wrap(self._mapping[key])

    def __iter__(self) -> Iterator[Any]:
        return iter(self._mapping)

    def __len__(self) -> int:
        return len(self._mapping)

    def __getattr__(self, name: str) -> Any:
        # Jinja reads `params.x` as an attribute first, then as an item.
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _wrapped_call(function: Callable[..., Any], reads: Reads) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return reads.wrap(function(*args, **kwargs))

    return call


def _proxy_class(record: type, base: type[_RecordReads]) -> type[_RecordReads]:
    # Named as the record is, so that a template error says `'page' has no attribute 'x'`.
    return type(record.__name__, (base,), {"__module__": record.__module__, "__slots__": ()})


_PROXIES: dict[type, type[_RecordReads]] = {
    Page: _proxy_class(Page, _PageReads),
    **{
        record: _proxy_class(record, _RecordReads)
        for record in (Site, Section, Pager, Taxonomy, Term, Feed, Week, Session)
    },
}
_SCALARS = frozenset({str, int, float, bool, bytes})
_CONTAINERS = frozenset({tuple, list})
