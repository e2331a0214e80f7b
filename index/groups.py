"""Release groups in the store: wire copies and duplicates share a ``group_id``.

The writer calls :func:`update_groups` on every commit, after all additions and removals,
so a group is always what :func:`ingest.copies.group_releases` makes of the releases
stored now: a new copy joins its group, a changed release may leave it, and removing a
group's first member renumbers the rest (a group's id is its smallest ``doc_id``).
Grouping the 21,000 releases of the shared archive takes about a second.
"""

from __future__ import annotations

import json
import sqlite3

from ingest.copies import Member, fingerprint, group_releases
from ingest.release import parse_release

from .store import GROUP_COLUMNS

__all__ = ["ensure_group_columns", "update_groups"]


def ensure_group_columns(db: sqlite3.Connection) -> None:
    """Add the fingerprint and group columns to a store written before format 6."""
    have = {r[1] for r in db.execute("PRAGMA table_info(documents)")}
    for name, decl in GROUP_COLUMNS:
        if name not in have:
            db.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")
    db.execute("CREATE INDEX IF NOT EXISTS documents_group ON documents(group_id)")


def _fill_fingerprints(db: sqlite3.Connection) -> None:
    """Fingerprint the releases stored without one (older formats, salvaged rows)."""
    rows = db.execute("SELECT doc_id, path, text FROM documents WHERE signature IS NULL")
    for doc_id, path, text in rows.fetchall():
        found = fingerprint(text, parse_release(text, path=path))
        db.execute(
            "UPDATE documents SET signature = ?, figures = ? WHERE doc_id = ?",
            (found.signature, json.dumps(list(found.figures)), doc_id),
        )


def update_groups(db: sqlite3.Connection) -> int:
    """Recompute every release's group; returns how many releases changed group."""
    ensure_group_columns(db)
    _fill_fingerprints(db)
    rows = db.execute(
        "SELECT doc_id, content_hash, signature, title, figures, date, group_id FROM documents"
    ).fetchall()
    members = [Member(r[0], r[1], r[2] or b"", r[3], tuple(json.loads(r[4])), r[5]) for r in rows]
    groups = group_releases(members)
    changed = [(groups[r[0]], r[0]) for r in rows if r[6] != groups[r[0]]]
    db.executemany("UPDATE documents SET group_id = ? WHERE doc_id = ?", changed)
    return len(changed)
