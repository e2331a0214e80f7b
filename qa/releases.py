"""A company's timeline: ``releases(company=...) -> list[Release]``, newest first, one per
release group (a release run on several wires is listed once, with its ``copies``).

Example:
    >>> from qa import releases
    >>> for r in releases(company="CLRB", date_from="2014-01-01"):  # doctest: +SKIP
    ...     print(r.date, r.title, len(r.copies))
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index import DocumentRow, GroupMember, default_index_dir, reading
from ingest.analysis import query_terms
from ingest.dates import parse_date_limit

from .companies import directory_of, releases_of

__all__ = ["Release", "releases", "timeline"]


@dataclass(frozen=True)
class Release:
    """One release of a timeline.

    Attributes:
        doc_id: the release's id in the index (the member of its group that is shown).
        title: its headline.
        date: ISO ``YYYY-MM-DD``, or None.
        company: the issuing company's canonical name (:mod:`qa.companies`: one name for
            all of its spellings), when the release names it.
        tickers: the exchange:ticker pairs the release gives its issuer, e.g.
            ``("NASDAQ:CLRB",)`` (as of the release: a company may have moved exchange).
        source: the file it came from.
        copies: the files of its other copies (other wires, the same file twice), oldest
            first; empty when it has none.
    """

    doc_id: int
    title: str
    date: str | None
    company: str | None
    tickers: tuple[str, ...]
    source: str
    copies: tuple[str, ...] = ()


def _shown_first(row: DocumentRow) -> tuple:
    """The member a group shows: the earliest, then the one with the most metadata."""
    filled = sum(x is not None for x in (row.company, row.wire)) + bool(row.tickers)
    return (row.date is None, row.date or "", -filled, row.doc_id)


def timeline(
    documents: Sequence[DocumentRow],
    members: dict[int, list[GroupMember]],
    *,
    company: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    allowed: set[int] | None = None,
) -> list[Release]:
    """The releases of ``documents`` that pass the filters, one per group, newest first
    (pure: ``members`` are each group's releases, ``allowed`` the ids a query matched)."""
    kept: dict[int, DocumentRow] = {}
    directory = directory_of(documents)
    of_company = releases_of(documents, [company]) if company else None
    for d in documents:
        if allowed is not None and d.doc_id not in allowed:
            continue
        if of_company is not None and d.doc_id not in of_company:
            continue
        if date_from and (d.date is None or d.date < date_from):
            continue
        if date_to and (d.date is None or d.date > date_to):
            continue
        group = d.group_id or d.doc_id
        if group not in kept or _shown_first(d) < _shown_first(kept[group]):
            kept[group] = d
    out = []
    for group, d in kept.items():
        copies = tuple(m.path for m in members.get(group, []) if m.doc_id != d.doc_id)
        title = d.title or Path(d.path).stem
        known = directory.by_doc.get(d.doc_id)
        name = known.name if known and d.company else d.company
        out.append(Release(d.doc_id, title, d.date, name, d.tickers, d.path, copies))
    out.sort(key=lambda r: (r.date or "", r.title), reverse=True)
    return [r for r in out if r.date] + [r for r in out if not r.date]


def releases(
    company: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    query: str | None = None,
    index_dir: str | os.PathLike[str] | None = None,
) -> list[Release]:
    """The indexed releases, newest first, one per release group.

    Args:
        company: a company name, alias or ticker ("Cellectar", "CLRB", "NASDAQ:CLRB"),
            matched as ``Filters.companies`` matches it: against the merged company of
            each release (:func:`qa.companies.releases_of`).
        date_from: earliest date, ``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``), inclusive.
        date_to: latest date, inclusive (``2024`` means up to 2024-12-31).
        query: words every listed release holds (in one passage or its headline).
        index_dir: the index (default ``PRESSROOM_INDEX`` or ``data/index``).

    Undated releases are listed last, and left out when a date limit is given.

    Raises:
        ValueError: a date limit that is not a date (the message says which).
        IndexNotFoundError, IndexFormatError: as :func:`qa.retrieve`.
    """
    start = parse_date_limit(date_from, label="from")
    stop = parse_date_limit(date_to, end=True, label="to")
    if start and stop and start > stop:
        raise ValueError(f"the from date ({start}) is after the to date ({stop})")
    folder = Path(index_dir) if index_dir is not None else default_index_dir()
    with reading(folder) as reader:
        docs = reader.documents()
        terms = query_terms(query or "")
        allowed = reader.matching_documents(terms) if terms else None
        groups = {d.group_id or d.doc_id for d in docs}
        members = reader.group_members(sorted(groups))
    return timeline(docs, members, company=company, date_from=start, date_to=stop, allowed=allowed)
