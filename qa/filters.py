"""Turning :class:`Filters` into the set of chunks a query may return."""

from __future__ import annotations

import re

from index import IndexReader
from index.reader import DocumentRow
from index.store import edit_distance
from ingest.types import BOILERPLATE_KINDS

from .passage import Filters

__all__ = ["allowed_chunks", "company_matches"]

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
