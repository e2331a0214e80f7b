"""Issuers re-read in the store: the company, tickers and aliases of every stored release.

Migration m007 calls :func:`update_issuers` to bring an index written by an older parser up
to :mod:`ingest.identity`: each release's stored text is parsed again and its
``company``, ``tickers`` and the issuer fields of its ``meta`` JSON are rewritten. The
text, the headline (which every chunk was embedded with) and the vectors stay as they are.
Re-reading the 21,000 releases of the shared archive takes a few minutes of parsing; no
model runs.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict

from ingest.release import parse_release

__all__ = ["update_issuers"]


def update_issuers(db: sqlite3.Connection) -> int:
    """Re-read every release's issuer; returns how many releases changed company or tickers."""
    rows = db.execute("SELECT doc_id, path, text, company, tickers, meta FROM documents")
    changed = 0
    for doc_id, path, text, company, tickers, meta_json in rows.fetchall():
        meta = parse_release(text, path=path)
        new_company = meta.company.value if meta.company else None
        new_tickers = json.dumps([t.value for t in meta.tickers])
        try:
            stored = json.loads(meta_json or "{}")
        except ValueError:
            stored = {}
        found = asdict(meta)
        for key in ("company", "tickers", "aliases"):
            stored[key] = found[key]
        if new_company != company or new_tickers != tickers:
            changed += 1
        db.execute(
            "UPDATE documents SET company = ?, tickers = ?, meta = ? WHERE doc_id = ?",
            (new_company, new_tickers, json.dumps(stored), doc_id),
        )
    return changed
