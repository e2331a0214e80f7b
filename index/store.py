"""The document and chunk store: SQLite with an FTS5 keyword index.

A chunk's text is not stored twice: it is ``documents.text[start:end]``, so the
citation offsets and the text shown can never disagree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "FTS_SCHEMA",
    "GROUP_COLUMNS",
    "META_SCHEMA",
    "SCHEMA",
    "TERMS_SCHEMA",
    "CHUNK_TEXT_SQL",
    "connect_readonly",
    "connect_writable",
    "dequantize",
    "delete_fts",
    "in_batches",
    "insert_fts",
    "quantize",
]

# A chunk's text, sliced out of its release (aliases ``c`` for chunks, ``d`` for documents):
# chunk texts are never stored twice.
CHUNK_TEXT_SQL = 'substr(d.text, c.start + 1, c."end" - c.start)'

# Per stem of the keyword index: in how many chunks' own text it occurs (for IDF), and in
# how many rows of either column (what a keyword query containing it has to score).
TERMS_SCHEMA = """
CREATE TABLE IF NOT EXISTS terms (
    term TEXT PRIMARY KEY,
    df INTEGER NOT NULL,
    postings INTEGER NOT NULL
) WITHOUT ROWID;"""

# The keyword index: a chunk's text, and its release's headline when the text does not
# start with it (BM25 then scores every chunk of a release on the headline, as the
# encoder reads it with every chunk). Chunk frequencies for IDF come from ``text`` only.
FTS_SCHEMA = """CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, headline, tokenize = 'porter unicode61 remove_diacritics 2'
);"""

# Format 6: each release's fingerprint (``signature``, ``figures``: :mod:`ingest.copies`) and
# its release group (``group_id``: the smallest doc id of its wire copies), kept by the writer
# (``index.groups``, which also adds the columns and their index to an older store).
GROUP_COLUMNS = (
    ("signature", "BLOB"),
    ("figures", "TEXT NOT NULL DEFAULT '[]'"),
    ("group_id", "INTEGER"),
)

# Format 4: the build settings (key "build": the manifest's model, dim, chunking, embed
# recipe, analyzer and extra, as JSON), so that a lost manifest can be rebuilt from the store.
META_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;"""

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS documents (
    doc_id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    format TEXT NOT NULL,
    title TEXT,
    date TEXT,
    company TEXT,
    tickers TEXT NOT NULL DEFAULT '[]',
    wire TEXT,
    dateline TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    url TEXT,
    text TEXT NOT NULL,
    n_chunks INTEGER NOT NULL DEFAULT 0,
    indexed_at TEXT NOT NULL,
    signature BLOB,
    figures TEXT NOT NULL DEFAULT '[]',
    group_id INTEGER
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    kind TEXT NOT NULL,
    section TEXT,
    embed_hash TEXT NOT NULL,
    repeat REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(embed_hash);
CREATE INDEX IF NOT EXISTS documents_date ON documents(date);
CREATE TABLE IF NOT EXISTS sentences (
    chunk_id INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    hash INTEGER,
    vec BLOB NOT NULL,
    scale REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_chunk ON sentences(chunk_id);
CREATE INDEX IF NOT EXISTS sentences_hash ON sentences(hash);
"""
    + FTS_SCHEMA
    + TERMS_SCHEMA
    + META_SCHEMA
)


def quantize(vectors: np.ndarray) -> list[tuple[bytes, float]]:
    """Per-row int8 quantisation of unit vectors: (bytes, scale) with v ~ int8 * scale."""
    out = []
    for v in vectors:
        peak = float(np.abs(v).max())
        scale = peak / 127.0 if peak > 0 else 1.0
        out.append((np.round(v / scale).astype(np.int8).tobytes(), scale))
    return out


def dequantize(blobs: Sequence[bytes], scales: Sequence[float], dim: int) -> np.ndarray:
    """The float32 rows back from :func:`quantize`'s output."""
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    raw = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), dim)
    return raw.astype(np.float32) * np.asarray(scales, dtype=np.float32)[:, None]


def connect_writable(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a store for writing."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    conn.executescript(SCHEMA)
    return conn


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open a published store: read-only and immutable, so readers take no locks at all."""
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    # The file never changes: map it (no read() per page) and keep more pages at hand.
    conn.execute("PRAGMA mmap_size = 17179869184")  # up to 16 GiB
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB
    return conn


def in_batches(values: Sequence, size: int = 500) -> Iterable[Sequence]:
    """``values`` in slices of ``size``: the bound parameters of one ``IN (...)`` query."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


def insert_fts(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Index ``(chunk_id, text, headline)`` rows (headline "" when the text starts with it)."""
    conn.executemany("INSERT INTO chunks_fts(rowid, text, headline) VALUES (?, ?, ?)", rows)


def delete_fts(conn: sqlite3.Connection, chunk_ids: Sequence[int]) -> None:
    conn.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(int(c),) for c in chunk_ids])
