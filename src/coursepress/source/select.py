"""What publishes: drafts, future-dated and expired pages are decided here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from coursepress.source.frontmatter import Document


class Verdict(Enum):
    PUBLISH = "publish"
    DRAFT = "draft"
    FUTURE = "future"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Selection:
    """The documents that publish, and those left out with the reason, in source order."""

    published: tuple[Document, ...]
    left_out: tuple[tuple[Document, Verdict], ...]


def verdict(document: Document, now: datetime, *, drafts: bool, future: bool) -> Verdict:
    """The one rule: drafts only with --drafts, future dates only with --future, expired never."""
    meta = document.meta
    if meta.draft and not drafts:
        return Verdict.DRAFT
    if meta.publishdate is not None and meta.publishdate > now and not future:
        return Verdict.FUTURE
    if meta.expirydate is not None and meta.expirydate <= now:
        return Verdict.EXPIRED
    return Verdict.PUBLISH


def select(documents: list[Document], now: datetime, *, drafts: bool, future: bool) -> Selection:
    published: list[Document] = []
    left_out: list[tuple[Document, Verdict]] = []
    for document in documents:
        why = verdict(document, now, drafts=drafts, future=future)
        if why is Verdict.PUBLISH:
            published.append(document)
        else:
            left_out.append((document, why))
    return Selection(tuple(published), tuple(left_out))
