"""Turning :class:`Filters` into the set of chunks a query may return."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from index import IndexReader
from index.reader import DocumentRow
from index.store import edit_distance
from ingest.types import BOILERPLATE_KINDS

from .passage import Filters

__all__ = ["allowed_chunks", "company_matches", "make_filters", "parse_date", "split_companies"]

_LEGAL_SUFFIX = re.compile(
    r"^(inc|inc\.|incorporated|ltd|ltd\.|limited|llc|l\.l\.c\.|corp|corp\.|corporation|co\.?|"
    r"plc|p\.l\.c\.|s\.a\.|sa|ag|n\.v\.|nv|gmbh|lp|l\.p\.|llp|se|ab|asa|oyj|s\.p\.a\.)$",
    re.IGNORECASE,
)

_WORD = re.compile(r"[^\W_]+")
_LEGAL = frozenset({"inc", "corp", "corporation", "co", "ltd", "llc", "plc", "ag", "sa", "the"})


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _LEGAL]


def company_matches(wanted: str, doc: DocumentRow) -> bool:
    """Whether a company name or ticker the user typed names this release's issuer.

    Tickers match exactly ("CLRB" or "NASDAQ:CLRB"); names match word by word with one
    typo allowed in words of five letters or more, so "Cellectar" also finds the
    releases that spell it "Cellecstar".
    """
    wanted = wanted.strip()
    if not wanted:
        return False
    for ticker in doc.tickers:
        if wanted.upper() in (ticker.upper(), ticker.split(":")[-1].upper()):
            return True
    name = doc.company or doc.title or ""
    have = _words(name)
    for word in _words(wanted):
        limit = 1 if len(word) >= 5 else 0
        if not any(edit_distance(word, h, limit) <= limit for h in have):
            return False
    return bool(_words(wanted))


def allowed_chunks(reader: IndexReader, filters: Filters) -> list[int] | None:
    """Chunk ids that pass ``filters``; None when nothing is filtered."""
    if filters.is_empty():
        return None
    where, params = ["1"], []
    if filters.date_from:
        where.append("d.date >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        where.append("d.date <= ?")
        params.append(filters.date_to)
    if filters.companies:
        docs = [
            d.doc_id
            for d in reader.documents()
            if any(company_matches(c, d) for c in filters.companies)
        ]
        if not docs:
            return []
        where.append(f"d.doc_id IN ({','.join(map(str, docs))})")
    if filters.kinds:
        where.append(f"c.kind IN ({','.join('?' * len(filters.kinds))})")
        params.extend(filters.kinds)
    if filters.exclude_boilerplate:
        where.append(f"c.kind NOT IN ({','.join('?' * len(BOILERPLATE_KINDS))})")
        params.extend(sorted(BOILERPLATE_KINDS))
    return reader.allowed_chunks(" AND ".join(where), params)


def split_companies(text: str) -> tuple[str, ...]:
    """Comma-separated companies/tickers; a legal suffix stays with its name.

    >>> split_companies("Cellectar Biosciences, Inc., NASDAQ:ACME")
    ('Cellectar Biosciences, Inc.', 'NASDAQ:ACME')
    """
    out: list[str] = []
    for piece in (p.strip() for p in (text or "").split(",")):
        if not piece:
            continue
        if out and _LEGAL_SUFFIX.match(piece):
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    return tuple(out)


def parse_date(text: str | None, *, end: bool = False, label: str = "date") -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> an ISO date (the last day when ``end``).

    Raises:
        ValueError: with a short message naming ``label``.

    >>> parse_date("2015"), parse_date("2016-02", end=True), parse_date("")
    ('2015-01-01', '2016-02-29', None)
    """
    text = (text or "").strip()
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]
    try:
        if re.fullmatch(r"\d{4}", text):
            return f"{text}-12-31" if end else f"{text}-01-01"
        if re.fullmatch(r"\d{4}-\d{2}", text):
            first = dt.date.fromisoformat(f"{text}-01")
            if not end:
                return first.isoformat()
            nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return (nxt - dt.timedelta(days=1)).isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ValueError(f"{label} {text!r} is not a date: use YYYY-MM-DD (or YYYY, YYYY-MM)")


def make_filters(
    date_from: str | None,
    date_to: str | None,
    companies: Sequence[str],
    include_boilerplate: bool,
) -> Filters:
    """Filters from the UI's raw values. Raises ValueError with a short message."""
    start = parse_date(date_from, label="From")
    stop = parse_date(date_to, end=True, label="To")
    if start and stop and start > stop:
        raise ValueError(f"the From date ({start}) is after the To date ({stop})")
    return Filters(
        date_from=start,
        date_to=stop,
        companies=tuple(c.strip() for c in companies if c and c.strip()),
        exclude_boilerplate=not include_boilerplate,
    )
