"""Turning :class:`Filters` (what the user asked) into the index's :class:`ChunkFilter`."""

from __future__ import annotations

from collections.abc import Sequence

from index import ChunkFilter, IndexReader
from ingest.companies import company_matches, is_legal_form
from ingest.dates import parse_date_limit
from ingest.types import BOILERPLATE_KINDS

from .passage import Filters

__all__ = ["chunk_filter", "make_filters", "split_companies"]


def chunk_filter(reader: IndexReader, filters: Filters) -> ChunkFilter:
    """The chunks ``filters`` allow in ``reader``'s index (companies resolved to releases)."""
    if filters.is_empty():
        return ChunkFilter()
    doc_ids = None
    if filters.companies:
        doc_ids = frozenset(
            d.doc_id
            for d in reader.documents()
            if any(company_matches(c, d.company or d.title, d.tickers) for c in filters.companies)
        )
    return ChunkFilter(
        date_from=filters.date_from,
        date_to=filters.date_to,
        doc_ids=doc_ids,
        kinds=frozenset(filters.kinds),
        exclude_kinds=BOILERPLATE_KINDS if filters.exclude_boilerplate else frozenset(),
    )


def split_companies(text: str) -> tuple[str, ...]:
    """Comma-separated companies/tickers; a legal form stays with its name.

    >>> split_companies("Cellectar Biosciences, Inc., NASDAQ:ACME")
    ('Cellectar Biosciences, Inc.', 'NASDAQ:ACME')
    """
    out: list[str] = []
    for piece in (p.strip() for p in (text or "").split(",")):
        if not piece:
            continue
        if out and is_legal_form(piece):
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    return tuple(out)


def make_filters(
    date_from: str | None,
    date_to: str | None,
    companies: Sequence[str],
    include_boilerplate: bool,
) -> Filters:
    """Filters from the UI's raw values. Raises ValueError with a short message."""
    start = parse_date_limit(date_from, label="From")
    stop = parse_date_limit(date_to, end=True, label="To")
    if start and stop and start > stop:
        raise ValueError(f"the From date ({start}) is after the To date ({stop})")
    return Filters(
        date_from=start,
        date_to=stop,
        companies=tuple(c.strip() for c in companies if c and c.strip()),
        exclude_boilerplate=not include_boilerplate,
    )
