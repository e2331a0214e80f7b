"""Numbered schema migrations: the steps that convert an older index format in place.

Each step takes the writer's open store connection (inside its transaction) and turns
format ``n - 1`` into format ``n``; :func:`migrate` runs the steps from an index's
format up to :data:`~index.manifest.FORMAT_VERSION`. A step never embeds anything: it
rebuilds what can be derived from the stored texts. The writer publishes the result as
a new generation, so a crash mid-migration leaves the old generation as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ingest.prepare import headline_prefix

from .manifest import FORMAT_VERSION, UPGRADABLE_VERSIONS
from .store import CHUNK_TEXT_SQL, FTS_SCHEMA, TERMS_SCHEMA, insert_fts

__all__ = ["MIGRATIONS", "keyword_row", "migrate"]


def keyword_row(chunk_id: int, title: str | None, text: str) -> tuple[int, str, str]:
    """A chunk's row of the keyword index: its text, and the headline the encoder reads."""
    return chunk_id, text, headline_prefix(title, text).rstrip("\n")


def m003_headline_column(db: sqlite3.Connection) -> None:
    """Format 2 -> 3: the keyword index gains the headline column, rebuilt from the stored
    texts; the terms table gains its postings column (filled when the writer commits)."""
    db.execute("DROP TABLE chunks_fts")
    db.execute(FTS_SCHEMA)
    db.execute("DROP TABLE IF EXISTS terms")
    db.execute(TERMS_SCHEMA)
    rows = db.execute(
        f"SELECT c.chunk_id, d.title, {CHUNK_TEXT_SQL} "
        "FROM chunks c JOIN documents d USING (doc_id)"
    )
    insert_fts(db, (keyword_row(cid, title, text) for cid, title, text in rows))


def m004_source_url(db: sqlite3.Connection) -> None:
    """Format 3 -> 4: releases keep their own source link (``documents.url``).

    The link is read from the file as written (Markdown and HTML lose it as text), not
    from the stored text, so every release's recorded modification time is cleared: the
    next sync of its folder reads the file again, finds the text unchanged (nothing is
    embedded again) and records the link.
    """
    db.execute("ALTER TABLE documents ADD COLUMN url TEXT")
    db.execute("UPDATE documents SET mtime_ns = -1")


# format produced -> the step that produces it from the format before
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    3: m003_headline_column,
    4: m004_source_url,
}
assert all(v + 1 in MIGRATIONS for v in UPGRADABLE_VERSIONS)
assert max(MIGRATIONS) == FORMAT_VERSION


def migrate(db: sqlite3.Connection, version: int) -> list[int]:
    """Run every step from format ``version`` up to the current one; the formats reached."""
    done = []
    for target in range(version + 1, FORMAT_VERSION + 1):
        MIGRATIONS[target](db)
        done.append(target)
    return done
