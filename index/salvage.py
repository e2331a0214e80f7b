"""Reading what is still sound out of a damaged store (for ``pressroom repair``).

SQLite keeps no checksums, so every row read is checked against what the store says of
itself: a release's text against its ``content_hash`` (SHA-256), a chunk's embedded text
against its ``embed_hash``, a sentence vector's length against the dimension. A release
is kept only if its row and all its chunks and sentences are sound; the rest is
reported as lost. Tables are read in rowid order, stepping over rows that cannot be
read, so one damaged page costs the rows on it, not the table.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.prepare import headline_prefix

from .derived import text_hash

__all__ = ["Salvage", "salvage_rows"]

DOC_COLUMNS = (
    "doc_id, path, content_hash, size, mtime_ns, format, title, date, company, tickers, "
    "wire, dateline, meta, text, n_chunks, indexed_at, url"
)
CHUNK_COLUMNS = 'chunk_id, doc_id, ordinal, start, "end", kind, section, embed_hash, repeat'
SENTENCE_COLUMNS = 'chunk_id, start, "end", hash, vec, scale'
_MAX_SKIPS = 10_000  # unreadable stretches per table before giving up on the rest


@dataclass
class Salvage:
    """What a damaged store still holds, checked row by row (mutable while it is read)."""

    documents: dict[int, tuple] = field(default_factory=dict)  # doc_id -> row (DOC_COLUMNS)
    chunks: dict[int, list[tuple]] = field(default_factory=dict)  # doc_id -> chunk rows
    sentences: dict[int, list[tuple]] = field(default_factory=dict)  # chunk_id -> rows
    lost: dict[int, str | None] = field(default_factory=dict)  # doc_id -> path, if known

    def sound_documents(self) -> list[int]:
        return sorted(self.documents)


def _scan(db: sqlite3.Connection, table: str, columns: str) -> Iterator[tuple]:
    """Rows ``(rowid, *columns)`` in rowid order; a row or page that cannot be read is
    stepped over (the next try starts 1, 2, 4, ... rowids further on)."""
    after = -(2**63)
    skips = 0
    while skips <= _MAX_SKIPS:
        sql = f"SELECT rowid, {columns} FROM {table} WHERE rowid > ? ORDER BY rowid"
        try:
            for row in db.execute(sql, (after,)):
                yield row
                after = row[0]
            return
        except sqlite3.Error:
            skips += 1
        step = 1
        while True:  # find where reading works again
            start = after + step
            if start >= 2**62:
                return
            try:
                db.execute(sql + " LIMIT 1", (start,)).fetchone()
            except sqlite3.Error:
                step *= 2
                skips += 1
                continue
            after = start
            break


def _doc_columns(db: sqlite3.Connection) -> str:
    """DOC_COLUMNS as this store can give them: a store of format 4 or older has no
    ``url`` (the source link, read again from the file by the next sync)."""
    try:
        names = {r[1] for r in db.execute("PRAGMA table_info(documents)")}
    except sqlite3.Error:
        names = set()
    return DOC_COLUMNS if not names or "url" in names else DOC_COLUMNS[: -len("url")] + "NULL"


def _without_link(row: tuple) -> tuple:
    """A release row from a store without source links, its mtime cleared so that the
    next sync reads its file again (as migration m005_source_url does)."""
    return (*row[:4], -1, *row[5:])


def _sound_document(row: tuple) -> bool:
    doc_id, path, content_hash, *_, text, n_chunks, _indexed, _url = row[1:]
    if not (isinstance(doc_id, int) and isinstance(path, str) and isinstance(text, str)):
        return False
    if not isinstance(n_chunks, int):
        return False
    digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()
    return digest == content_hash


def _sound_chunk(row: tuple, title: str | None, text: str) -> bool:
    _cid, _doc, ordinal, start, end, kind, _section, embed_hash, _repeat = row
    if not all(isinstance(v, int) for v in (ordinal, start, end)) or not isinstance(kind, str):
        return False
    if not 0 <= start < end <= len(text):
        return False
    piece = text[start:end]
    return text_hash(headline_prefix(title, piece) + piece) == embed_hash


def _sound_sentence(row: tuple, dim: int) -> bool:
    _cid, start, end, _hash, vec, scale = row
    return (
        isinstance(start, int)
        and isinstance(end, int)
        and isinstance(vec, bytes)
        and len(vec) == dim
        and isinstance(scale, float)
    )


def salvage_rows(db: sqlite3.Connection, dim: int) -> Salvage:
    """Read the sound releases out of a (possibly damaged) store opened read-only."""
    out = Salvage()
    docs: dict[int, tuple] = {}
    bad_docs: dict[int, str | None] = {}
    columns = _doc_columns(db)
    for row in _scan(db, "documents", columns):
        if _sound_document(row):
            docs[row[1]] = row[1:] if columns == DOC_COLUMNS else _without_link(row[1:])
        elif isinstance(row[1], int):
            bad_docs[row[1]] = row[2] if isinstance(row[2], str) else None
    chunks: dict[int, list[tuple]] = {}
    referenced: set[int] = set()
    for row in _scan(db, "chunks", CHUNK_COLUMNS):
        chunk = row[1:]
        if isinstance(chunk[1], int):
            referenced.add(chunk[1])
        doc = docs.get(chunk[1])
        if doc is None:
            continue
        if _sound_chunk(chunk, doc[6], doc[13]):
            chunks.setdefault(chunk[1], []).append(chunk)
        else:
            bad_docs[chunk[1]] = doc[1]
    chunk_doc = {c[0]: d for d, cs in chunks.items() for c in cs}
    sentences: dict[int, list[tuple]] = {}
    for row in _scan(db, "sentences", SENTENCE_COLUMNS):
        sentence = row[1:]
        doc_id = chunk_doc.get(sentence[0])
        if doc_id is None:
            continue
        if _sound_sentence(sentence, dim):
            sentences.setdefault(sentence[0], []).append(sentence)
        else:
            bad_docs[doc_id] = docs[doc_id][1]
    for doc_id, doc in docs.items():
        mine = chunks.get(doc_id, [])
        complete = len(mine) == doc[14] and all(c[0] in sentences for c in mine)
        if doc_id in bad_docs or not complete:
            bad_docs[doc_id] = doc[1]
            continue
        out.documents[doc_id] = doc
        out.chunks[doc_id] = mine
        for c in mine:
            out.sentences[c[0]] = sentences[c[0]]
    for doc_id in referenced - set(docs):
        bad_docs.setdefault(doc_id, None)  # its chunks say it existed; its row is gone
    out.lost = {d: p for d, p in bad_docs.items() if d not in out.documents}
    return out
