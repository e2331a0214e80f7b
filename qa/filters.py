"""Turning :class:`Filters` (what the user asked) into the index's :class:`ChunkFilter`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from index import ChunkFilter, DocumentRow, IndexReader
from ingest.companies import is_legal_form
from ingest.dates import parse_date_limit
from ingest.types import BOILERPLATE_KINDS

from .companies import releases_of
from .passage import Filters

__all__ = ["chunk_filter", "describe", "make_filters", "no_match_reason", "split_companies"]


def chunk_filter(reader: IndexReader, filters: Filters) -> ChunkFilter:
    """The chunks ``filters`` allow in ``reader``'s index (companies resolved to releases)."""
    if filters.is_empty():
        return ChunkFilter()
    doc_ids = None
    if filters.companies:
        doc_ids = frozenset(releases_of(reader.documents(), filters.companies))
    if filters.sources:
        wanted = set(filters.sources)
        of_files = frozenset(d.doc_id for d in reader.documents() if d.path in wanted)
        doc_ids = of_files if doc_ids is None else doc_ids & of_files
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
    *,
    labels: tuple[str, str] = ("From", "To"),
) -> Filters:
    """Filters from the raw values the UI (or the command line) was given.

    ``labels`` name the two date limits in messages: the UI's "From" and "To", the
    command line's "--since" and "--until".

    Raises:
        ValueError: with a short message, e.g. "From '2025-13-01' is not a date: ...".

    >>> make_filters("2026", "2025", [], True, labels=("--since", "--until"))
    Traceback (most recent call last):
    ValueError: the --since date (2026-01-01) is after the --until date (2025-12-31)
    """
    first, last = labels
    start = parse_date_limit(date_from, label=first)
    stop = parse_date_limit(date_to, end=True, label=last)
    if start and stop and start > stop:
        raise ValueError(f"the {first} date ({start}) is after the {last} date ({stop})")
    return Filters(
        date_from=start,
        date_to=stop,
        companies=tuple(c.strip() for c in companies if c and c.strip()),
        exclude_boilerplate=not include_boilerplate,
    )


def _quoted(names: Iterable[str]) -> str:
    return " or ".join(f"'{n}'" for n in names)


def _date_span(date_from: str | None, date_to: str | None) -> str:
    if date_from and date_to:
        return f"from {date_from} to {date_to}"
    return f"from {date_from}" if date_from else f"to {date_to}"


def no_match_reason(documents: Sequence[DocumentRow], filters: Filters) -> str:
    """Why ``filters`` leave no release to search, in a few words; "" when some remain.

    Companies are checked first, then the dates of the releases they leave. The UI and
    the command line both say it when a search under filters found nothing.

    >>> doc = DocumentRow(1, "a.txt", "Deal", "2016-11-28", "Cellectar Biosciences, Inc.",
    ...                   ("NASDAQ:CLRB",), None, 3, "")
    >>> no_match_reason([doc], Filters(companies=("Nonexistent Corp",)))
    "no release of 'Nonexistent Corp'"
    >>> no_match_reason([doc], Filters(companies=("CLRB",), date_from="2020-01-01"))
    "no release of 'CLRB' dated from 2020-01-01 (its releases run from 2016-11-28 to 2016-11-28)"
    >>> no_match_reason([doc], Filters(date_to="2016-12-31"))
    ''
    """
    docs = list(documents)
    if not docs:
        return "the index holds no release"
    of = ""
    if filters.companies:
        matched = releases_of(docs, filters.companies)
        docs = [d for d in docs if d.doc_id in matched]
        of = f" of {_quoted(filters.companies)}"
        if not docs:
            return f"no release{of}"
    if filters.date_from or filters.date_to:
        lo, hi = filters.date_from or "0000", filters.date_to or "9999"
        if not any(d.date and lo <= d.date <= hi for d in docs):
            dates = sorted(d.date for d in docs if d.date)
            whose = "its releases" if of else "the releases"
            known = f"{whose} run from {dates[0]} to {dates[-1]}" if dates else "none is dated"
            span = _date_span(filters.date_from, filters.date_to)
            return f"no release{of} dated {span} ({known})"
    return ""


def describe(filters: Filters, show_date: Callable[[str], str] = str) -> str:
    """The active filters in a few words, or "" when there are none; ``show_date`` writes
    a date for people (ISO as it is by default).

    >>> describe(Filters(date_from="2015-01-01", companies=("Acme",), exclude_boilerplate=True))
    'from 2015-01-01 · Acme · no boilerplate'
    """
    parts = []
    if filters.date_from:
        parts.append(f"from {show_date(filters.date_from)}")
    if filters.date_to:
        parts.append(f"to {show_date(filters.date_to)}")
    if filters.companies:
        parts.append(", ".join(filters.companies))
    if filters.kinds:
        parts.append("sections: " + ", ".join(filters.kinds))
    if filters.exclude_boilerplate:
        parts.append("no boilerplate")
    return " · ".join(parts)
