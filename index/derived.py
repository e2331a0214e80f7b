"""What a store derives from its documents and chunks, without the model: the keyword
index, the terms table and each chunk's share of repeated sentences.

The writer brings the terms and the repeat shares up to date on every commit: in
proportion to what the update changed (:class:`TermChanges`, :class:`RepeatChanges`) when
it builds on a published store, from scratch (:func:`update_terms`,
:func:`update_repeats`) for a new, rebuilt or upgraded one. Both ways give the same
tables (``tests/test_incremental.py``). Migrations and ``pressroom repair`` rebuild the
keyword index from the stored texts.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence

from ingest.prepare import headline_prefix

from .store import CHUNK_TEXT_SQL, FTS_SCHEMA, TERMS_SCHEMA, in_batches, insert_fts

__all__ = [
    "RepeatChanges",
    "TermChanges",
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


class TermChanges:
    """The keyword rows an update adds and removes, and the terms table brought up to date
    from them alone (FTS5's vocabulary of the changed rows, not of the whole index).

    The rows are copied into two scratch FTS5 tables of the writer's connection (the same
    tokenizer as the keyword index), whose vocabularies are the changes of ``df`` and
    ``postings``. A chunk added and removed by one update is in both and cancels out.
    """

    _TABLES = ("terms_added", "terms_removed")

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        for name in self._TABLES:
            db.execute(f"DROP TABLE IF EXISTS temp.{name}")
            db.execute(FTS_SCHEMA.replace("chunks_fts", f"temp.{name}"))

    def added(self, rows: Sequence[tuple[int, str, str]]) -> None:
        """Keyword rows ``(chunk_id, text, headline)`` just inserted into the index."""
        self._db.executemany(
            "INSERT INTO temp.terms_added(rowid, text, headline) VALUES (?, ?, ?)", rows
        )

    def removing(self, chunk_ids: Sequence[int]) -> None:
        """Chunks about to be deleted from the index (their rows are copied first)."""
        for part in in_batches(list(chunk_ids)):
            marks = ", ".join("?" * len(part))
            self._db.execute(
                "INSERT INTO temp.terms_removed(text, headline) SELECT text, headline "
                f"FROM chunks_fts WHERE rowid IN ({marks})",
                list(part),
            )

    def apply(self) -> int:
        """Add the changes to the terms table (dropping terms no row holds any more);
        returns how many terms changed."""
        db = self._db
        for name in self._TABLES:
            for kind in ("col", "row"):
                db.execute(
                    f"CREATE VIRTUAL TABLE temp.{name}_{kind} "
                    f"USING fts5vocab(temp, {name}, '{kind}')"
                )
        db.execute("DROP TABLE IF EXISTS temp.term_delta")
        db.execute(
            "CREATE TEMP TABLE term_delta AS SELECT term, SUM(df) AS df, SUM(p) AS postings FROM ("
            "SELECT term, doc AS df, 0 AS p FROM temp.terms_added_col WHERE col = 'text' "
            "UNION ALL SELECT term, -doc, 0 FROM temp.terms_removed_col WHERE col = 'text' "
            "UNION ALL SELECT term, 0, doc FROM temp.terms_added_row "
            "UNION ALL SELECT term, 0, -doc FROM temp.terms_removed_row"
            ") GROUP BY term HAVING SUM(df) != 0 OR SUM(p) != 0"
        )
        db.execute(
            "INSERT INTO terms (term, df, postings) SELECT term, df, postings FROM temp.term_delta "
            "WHERE true ON CONFLICT (term) DO UPDATE SET df = df + excluded.df, "
            "postings = postings + excluded.postings"
        )
        db.execute(
            "DELETE FROM terms WHERE term IN (SELECT term FROM temp.term_delta) AND postings <= 0"
        )
        changed = db.execute("SELECT COUNT(*) FROM temp.term_delta").fetchone()[0]
        for name in self._TABLES:
            for kind in ("col", "row"):
                db.execute(f"DROP TABLE temp.{name}_{kind}")
            db.execute(f"DROP TABLE temp.{name}")
        db.execute("DROP TABLE temp.term_delta")
        return int(changed)


class RepeatChanges:
    """Each chunk's share of repeated sentences, brought up to date in proportion to an
    update.

    A sentence is repeated when its hash occurs in at least two releases. An update
    changes that only for the hashes of the releases it adds or removes, and only where a
    hash's count of releases crosses two; so the chunks to score again are the ones added
    and the ones holding a hash that crossed. What :func:`update_repeats` computes for
    every chunk, this computes for those.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._added: dict[int, set[int]] = {}  # doc added by this update -> its hashes
        self._removed: dict[int, set[int]] = {}  # doc stored before, removed -> its hashes

    def added(self, doc_id: int, hashes: Iterable[int | None]) -> None:
        """A release added by this update, with its sentences' hashes."""
        self._added[doc_id] = {h for h in hashes if h is not None}

    def removing(self, doc_id: int) -> None:
        """A release about to be removed (its sentences are still stored)."""
        if self._added.pop(doc_id, None) is not None:
            return  # added by this update: never counted before it
        rows = self._db.execute(
            "SELECT DISTINCT s.hash FROM sentences s JOIN chunks c USING (chunk_id) "
            "WHERE c.doc_id = ? AND s.hash IS NOT NULL",
            (doc_id,),
        )
        self._removed[doc_id] = {r[0] for r in rows}

    def _releases(self, hashes: Sequence[int]) -> dict[int, int]:
        """How many stored releases hold each hash (counted up to 3: only >= 2 matters)."""
        out = {}
        for h in hashes:
            row = self._db.execute(
                "SELECT COUNT(*) FROM (SELECT DISTINCT c.doc_id FROM sentences s "
                "JOIN chunks c USING (chunk_id) WHERE s.hash = ? LIMIT 3)",
                (h,),
            ).fetchone()
            out[h] = int(row[0])
        return out

    def apply(self) -> int:
        """Score the chunks whose share may have changed; returns how many were scored."""
        db = self._db
        delta: dict[int, int] = {}
        for hashes, sign in ((self._added, 1), (self._removed, -1)):
            for doc_hashes in hashes.values():
                for h in doc_hashes:
                    delta[h] = delta.get(h, 0) + sign
        now = self._releases(sorted(delta))
        crossed = [h for h, n in now.items() if (n >= 2) != (n - delta[h] >= 2)]
        db.execute("DROP TABLE IF EXISTS temp.rescore")
        db.execute("CREATE TEMP TABLE rescore (chunk_id INTEGER PRIMARY KEY)")
        for part in in_batches(sorted(self._added)):
            marks = ", ".join("?" * len(part))
            db.execute(
                "INSERT OR IGNORE INTO temp.rescore SELECT chunk_id FROM chunks "
                f"WHERE doc_id IN ({marks})",
                list(part),
            )
        for part in in_batches(crossed):
            marks = ", ".join("?" * len(part))
            db.execute(
                "INSERT OR IGNORE INTO temp.rescore SELECT DISTINCT chunk_id FROM sentences "
                f"WHERE hash IN ({marks})",
                list(part),
            )
        db.execute(
            "UPDATE chunks SET repeat = COALESCE((SELECT AVG((SELECT COUNT(*) FROM "
            "(SELECT DISTINCT c2.doc_id FROM sentences s2 JOIN chunks c2 USING (chunk_id) "
            "WHERE s2.hash = s.hash LIMIT 2)) >= 2) FROM sentences s "
            "WHERE s.chunk_id = chunks.chunk_id AND s.hash IS NOT NULL), 0) "
            "WHERE chunk_id IN (SELECT chunk_id FROM temp.rescore)"
        )
        scored = db.execute("SELECT COUNT(*) FROM temp.rescore").fetchone()[0]
        db.execute("DROP TABLE temp.rescore")
        self._added, self._removed = {}, {}
        return int(scored)
