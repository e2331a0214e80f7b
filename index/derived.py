"""What a store derives from its documents and chunks, without the model: the keyword
index, the terms table and each chunk's share of repeated sentences.

The writer refreshes the terms and the repeat shares on every commit; migrations and
``pressroom repair`` rebuild the keyword index from the stored texts.
"""

from __future__ import annotations

import hashlib
import sqlite3

from ingest.prepare import headline_prefix

from .store import CHUNK_TEXT_SQL, FTS_SCHEMA, TERMS_SCHEMA, insert_fts

__all__ = [
    "keyword_row",
    "rebuild_keyword_index",
    "text_hash",
    "update_repeats",
    "update_terms",
]


def text_hash(text: str) -> str:
    """A chunk's ``embed_hash``: the BLAKE2b of the text the encoder reads."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def keyword_row(chunk_id: int, title: str | None, text: str) -> tuple[int, str, str]:
    """A chunk's row of the keyword index: its text, and the headline the encoder reads."""
    return chunk_id, text, headline_prefix(title, text).rstrip("\n")


def rebuild_keyword_index(db: sqlite3.Connection) -> None:
    """Drop and refill the FTS5 keyword index and the terms table from the stored texts."""
    db.execute("DROP TABLE IF EXISTS chunks_fts")
    db.execute(FTS_SCHEMA)
    db.execute("DROP TABLE IF EXISTS terms")
    db.execute(TERMS_SCHEMA)
    rows = db.execute(
        f"SELECT c.chunk_id, d.title, {CHUNK_TEXT_SQL} "
        "FROM chunks c JOIN documents d USING (doc_id)"
    )
    insert_fts(db, (keyword_row(cid, title, text) for cid, title, text in rows))
    update_terms(db)


def update_repeats(db: sqlite3.Connection) -> None:
    """Share of each chunk's sentences that also occur in another release."""
    for statement in (
        "DROP TABLE IF EXISTS temp.shared_hashes",
        "CREATE TEMP TABLE shared_hashes AS SELECT s.hash FROM sentences s "
        "JOIN chunks c USING (chunk_id) WHERE s.hash IS NOT NULL "
        "GROUP BY s.hash HAVING COUNT(DISTINCT c.doc_id) >= 2",
        "CREATE INDEX temp.shared_hashes_i ON shared_hashes(hash)",
        "UPDATE chunks SET repeat = COALESCE((SELECT AVG(s.hash IN "
        "(SELECT hash FROM temp.shared_hashes)) FROM sentences s "
        "WHERE s.chunk_id = chunks.chunk_id AND s.hash IS NOT NULL), 0)",
        "DROP TABLE temp.shared_hashes",
    ):
        db.execute(statement)


def update_terms(db: sqlite3.Connection) -> None:
    """Chunk and row frequency of every indexed term (FTS5's vocabulary, read once per
    update).

    Readers use them for inverse document frequencies, spelling variants and the
    keyword query's postings budget without walking FTS5 doclists per query. The
    chunk frequency counts the chunks' own text only: the headline column repeats a
    release's headline in each of its chunks, which says nothing of how rare a word is.
    """
    db.execute("DELETE FROM terms")
    for kind in ("col", "row"):  # a row per (term, column) / per term
        vocab = f"fts5vocab(main, chunks_fts, '{kind}')"
        db.execute(f"CREATE VIRTUAL TABLE temp.vocab_{kind} USING {vocab}")
    db.execute(
        "INSERT INTO terms (term, df, postings) "
        "SELECT term, doc, 0 FROM temp.vocab_col WHERE col = 'text'"
    )
    db.execute(
        "INSERT INTO terms (term, df, postings) SELECT term, 0, doc FROM temp.vocab_row "
        "WHERE true ON CONFLICT (term) DO UPDATE SET postings = excluded.postings"
    )
    for kind in ("col", "row"):
        db.execute(f"DROP TABLE temp.vocab_{kind}")
