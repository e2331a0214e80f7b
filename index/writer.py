"""Updating an index: one writer, copy-on-write generations, an embedding cache.

The writer copies the published generation into a scratch folder, applies every
change there, and publishes it atomically on :meth:`IndexWriter.commit`. Leaving the
``with`` block without a commit (an error, Ctrl-C) throws the scratch copy away;
a crash leaves it behind, and the next writer deletes it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from ingest.analysis import ANALYZER
from ingest.prepare import ChunkRecord, DocumentRecord

from .encoder import Encoder
from .layout import MANIFEST, STORE, VECTORS, current_generation, new_workdir, publish, writer_lock
from .manifest import FORMAT_VERSION, Manifest
from .migrations import keyword_row, migrate
from .settings import VectorSettings
from .store import (
    connect_writable,
    delete_fts,
    dequantize,
    insert_fts,
    quantize,
)
from .vectors import VectorIndex

__all__ = ["IndexWriter", "KnownDocument"]

# Texts queued before the model runs. The encoder sorts them by length and batches them
# by 32, so a bigger queue pads less: on the press-release corpus, padding costs 12.6% of
# the model's work with 128 queued texts, 1.9% with 1024 (0.2% for one global sort).
EMBED_BATCH = 1024
# The queue is sorted by length once and given to the model in slices of this many texts
# (a multiple of its batch of 32, so the batches, and the padding, are those of the whole
# queue), each slice reported as embedded when done: progress moves while the model runs.
EMBED_SLICE = 64


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class KnownDocument:
    doc_id: int
    content_hash: str
    size: int
    mtime_ns: int


class IndexWriter:
    """Apply additions and removals to an index as one atomic update.

    Example:
        >>> with IndexWriter(path, encoder, chunking={}, embed_template="t") as w:  # doctest: +SKIP
        ...     w.add(document, chunks)
        ...     w.commit()
    """

    def __init__(
        self,
        index_dir: Path,
        encoder: Encoder,
        *,
        chunking: dict,
        embed_template: str,
        rebuild: bool = False,
        lock_timeout: float = 0,
        on_embedded: Callable[[int], None] | None = None,
        vector_settings: VectorSettings | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.encoder = encoder
        self._chunking = chunking
        self._template = embed_template
        self._rebuild = rebuild
        self._lock_timeout = lock_timeout
        self._on_embedded = on_embedded
        self._vector_settings = vector_settings  # None: the index's own, else the defaults
        # embed hash -> the chunk record to encode, and the chunk ids waiting for its vectors
        self._pending: dict[str, tuple[ChunkRecord, list[tuple[int, int]]]] = {}
        self._lock = None
        self._work: Path | None = None
        self.changed = False
        self.embedded = 0
        self.reused = 0
        self._flushing = 0  # texts being embedded by the flush under way

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> IndexWriter:
        self._lock = writer_lock(self.index_dir, self._lock_timeout)
        try:
            self._open()
        except BaseException:
            self._lock.release()
            raise
        return self

    def _open(self) -> None:
        self._number, self._work = new_workdir(self.index_dir)
        current = current_generation(self.index_dir)
        source = None if (self._rebuild or current is None) else self.index_dir / current
        upgrade = False
        if source is not None:
            manifest = Manifest.read(source / MANIFEST, upgradable=True)
            if self._vector_settings is None and "vector_settings" in manifest.extra:
                self._vector_settings = VectorSettings(**manifest.extra["vector_settings"])
            upgrade = manifest.format_version < FORMAT_VERSION
            lazy = not getattr(self.encoder, "loaded", True)  # the name says enough then
            dim = None if lazy else self.encoder.dim
            manifest.check_model(self.encoder.name, dim, self.index_dir)
            manifest.check_build(
                self.index_dir,
                chunking=self._chunking,
                embed_template=self._template,
                analyzer=ANALYZER,
            )
            src = sqlite3.connect(f"{(source / STORE).resolve().as_uri()}?mode=ro", uri=True)
            dst = sqlite3.connect(self._work / STORE)
            src.backup(dst)
            src.close()
            dst.close()
            self.vectors = VectorIndex.read(source / VECTORS, writable=True)
        else:
            self.vectors = VectorIndex.empty(self.encoder.dim)
            self.changed = True  # a first or rebuilt index is published even when empty
        self.db = connect_writable(self._work / STORE)
        self.db.execute("BEGIN")
        if upgrade:  # an older format, converted in place (index.migrations)
            migrate(self.db, manifest.format_version)
            self.changed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._work is not None and self._work.exists():
                self.db.close()
                shutil.rmtree(self._work, ignore_errors=True)
        finally:
            if self._lock is not None:
                self._lock.release()

    # -- reading what is there -------------------------------------------------------------
    def known(self) -> dict[str, KnownDocument]:
        """Every stored document by path."""
        rows = self.db.execute("SELECT path, doc_id, content_hash, size, mtime_ns FROM documents")
        return {r[0]: KnownDocument(r[1], r[2], r[3], r[4]) for r in rows}

    def counts(self) -> tuple[int, int]:
        """(documents, chunks) in the index being written."""
        docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks)

    # -- changes -----------------------------------------------------------------------------
    def remove(self, path: str) -> bool:
        """Remove a document and its chunks; False if it was not indexed."""
        row = self.db.execute("SELECT doc_id FROM documents WHERE path = ?", (path,)).fetchone()
        if row is None:
            return False
        self._remove_doc(row[0])
        self.changed = True
        return True

    def _remove_doc(self, doc_id: int) -> None:
        rows = self.db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))
        ids = [r[0] for r in rows]
        gone = set(ids)
        for _, waiting in self._pending.values():
            waiting[:] = [(cid, start) for cid, start in waiting if cid not in gone]
        delete_fts(self.db, ids)
        self.db.execute(
            "DELETE FROM sentences WHERE chunk_id IN "
            "(SELECT chunk_id FROM chunks WHERE doc_id = ?)",
            (doc_id,),
        )
        self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        self.vectors.remove(ids)

    def touch(self, path: str, size: int, mtime_ns: int, *, url: str | None) -> None:
        """Record new file metadata (and source link) for a document whose text did not
        change."""
        self.db.execute(
            "UPDATE documents SET size = ?, mtime_ns = ?, url = ? WHERE path = ?",
            (size, mtime_ns, url, path),
        )
        self.changed = True

    def add(self, doc: DocumentRecord, chunks: Sequence[ChunkRecord]) -> int:
        """Store a document (replacing any with the same path) and queue its chunks' vectors."""
        hashes = [text_hash(c.embed_text) for c in chunks]
        cached = self._cached_vectors(hashes)
        old = self.db.execute("SELECT doc_id FROM documents WHERE path = ?", (doc.path,)).fetchone()
        if old is not None:
            self._remove_doc(old[0])
        record = asdict(doc)
        record["tickers"] = json.dumps(list(doc.tickers))
        record["n_chunks"] = len(chunks)
        record["indexed_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        cols = ", ".join(record)
        cur = self.db.execute(
            f"INSERT INTO documents ({cols}) VALUES ({', '.join('?' * len(record))})",
            list(record.values()),
        )
        doc_id = int(cur.lastrowid)
        ready_ids, ready_vecs, fts_rows = [], [], []
        for chunk, h in zip(chunks, hashes, strict=True):
            cur = self.db.execute(
                'INSERT INTO chunks (doc_id, ordinal, start, "end", kind, section, embed_hash)'
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc_id, chunk.ordinal, chunk.start, chunk.end, chunk.kind, chunk.section, h),
            )
            chunk_id = int(cur.lastrowid)
            fts_rows.append(keyword_row(chunk_id, doc.title, doc.text[chunk.start : chunk.end]))
            hit = cached.get(h)
            if hit is not None and len(hit[1]) == len(chunk.sentences):
                ready_ids.append(chunk_id)
                ready_vecs.append(hit[0])
                self._insert_sentences(chunk_id, chunk, hit[1])
                self.reused += 1
            else:
                self._pending.setdefault(h, (chunk, []))[1].append((chunk_id, chunk.start))
        insert_fts(self.db, fts_rows)
        if ready_ids:
            self.vectors.add(ready_ids, np.stack(ready_vecs))
        self.changed = True
        if len(self._pending) >= EMBED_BATCH:
            self.flush()
        return doc_id

    def _insert_sentences(
        self, chunk_id: int, chunk: ChunkRecord, vectors: np.ndarray, start: int | None = None
    ) -> None:
        """Store a chunk's sentence spans and vectors (``start``: where this copy begins)."""
        shift = 0 if start is None else start - chunk.start
        self.db.executemany(
            'INSERT INTO sentences (chunk_id, start, "end", hash, vec, scale) VALUES (?,?,?,?,?,?)',
            [
                (chunk_id, s + shift, e + shift, h, blob, scale)
                for (s, e, h), (blob, scale) in zip(chunk.sentences, quantize(vectors), strict=True)
            ],
        )

    def _cached_vectors(self, hashes: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Vectors already computed for identical embedded texts (never embed twice).

        Returns, per embed hash, the chunk vector and its sentence vectors.
        """
        wanted = sorted(set(hashes) - set(self._pending))
        found: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            rows = self.db.execute(
                "SELECT embed_hash, MIN(chunk_id) FROM chunks WHERE embed_hash IN "
                f"({', '.join('?' * len(part))}) GROUP BY embed_hash",
                part,
            )
            found.update({h: cid for h, cid in rows})
        if not found:
            return {}
        keys = list(found)
        vecs = self.vectors.get([found[h] for h in keys])
        out = {}
        for h, vec in zip(keys, vecs, strict=True):
            rows = self.db.execute(
                "SELECT vec, scale FROM sentences WHERE chunk_id = ? ORDER BY start", (found[h],)
            ).fetchall()
            sentence_vecs = dequantize([r[0] for r in rows], [r[1] for r in rows], self.vectors.dim)
            out[h] = (vec, sentence_vecs)
        return out

    @property
    def to_embed(self) -> int:
        """Chunk texts this update has embedded, is embedding, or has queued to embed."""
        waiting = sum(1 for _, chunk_ids in self._pending.values() if chunk_ids)
        return self.embedded + self._flushing + waiting

    def flush(self) -> None:
        """Embed every queued chunk text (each distinct text once) with its sentences."""
        items = [(record, waiting) for record, waiting in self._pending.values() if waiting]
        self._pending = {}
        if not items:
            return
        self._flushing = len(items)
        try:
            vectors, sentence_vectors = self._encode([record for record, _ in items])
        finally:
            self._flushing = 0
        ids, rows = [], []
        for (record, waiting), vec, svecs in zip(items, vectors, sentence_vectors, strict=True):
            for chunk_id, start in waiting:
                ids.append(chunk_id)
                rows.append(vec)
                self._insert_sentences(chunk_id, record, svecs, start)
        self.vectors.add(ids, np.stack(rows))
        self.embedded += len(items)

    def _encode(self, records: Sequence[ChunkRecord]) -> tuple[list, list]:
        """The records' vectors and sentence vectors, in their order; longest first to
        the model, :data:`EMBED_SLICE` at a time, each slice reported to ``on_embedded``."""
        order = sorted(range(len(records)), key=lambda i: -len(records[i].embed_text))
        vectors: list = [None] * len(records)
        sentences: list = [None] * len(records)
        for lo in range(0, len(order), EMBED_SLICE):
            part = order[lo : lo + EMBED_SLICE]
            vecs, svecs = self.encoder.encode_with_sentences(
                [records[i].embed_text for i in part], [records[i].relative_spans() for i in part]
            )
            for j, i in enumerate(part):
                vectors[i], sentences[i] = vecs[j], svecs[j]
            if self._on_embedded is not None:
                self._on_embedded(len(part))
        return vectors, sentences

    # -- publishing ----------------------------------------------------------------------------
    def _update_repeats(self) -> None:
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
            self.db.execute(statement)

    def _update_terms(self) -> None:
        """Chunk and row frequency of every indexed term (FTS5's vocabulary, read once per
        update).

        Readers use them for inverse document frequencies, spelling variants and the
        keyword query's postings budget without walking FTS5 doclists per query. The
        chunk frequency counts the chunks' own text only: the headline column repeats a
        release's headline in each of its chunks, which says nothing of how rare a word is.
        """
        self.db.execute("DELETE FROM terms")
        for kind in ("col", "row"):  # a row per (term, column) / per term
            vocab = f"fts5vocab(main, chunks_fts, '{kind}')"
            self.db.execute(f"CREATE VIRTUAL TABLE temp.vocab_{kind} USING {vocab}")
        self.db.execute(
            "INSERT INTO terms (term, df, postings) "
            "SELECT term, doc, 0 FROM temp.vocab_col WHERE col = 'text'"
        )
        self.db.execute(
            "INSERT INTO terms (term, df, postings) SELECT term, 0, doc FROM temp.vocab_row "
            "WHERE true ON CONFLICT (term) DO UPDATE SET postings = excluded.postings"
        )
        for kind in ("col", "row"):
            self.db.execute(f"DROP TABLE temp.vocab_{kind}")

    def commit(self) -> Manifest | None:
        """Publish the new generation; returns its manifest (None when nothing changed)."""
        if not self.changed:
            return None
        self.flush()
        self._update_repeats()
        self._update_terms()
        n_docs, n_chunks = self.counts()
        if n_chunks != len(self.vectors):
            raise RuntimeError(
                f"internal error: {n_chunks} chunks but {len(self.vectors)} vectors; not published"
            )
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA optimize")
        self.db.close()
        assert self._work is not None
        if self._vector_settings is None:
            self._vector_settings = VectorSettings()
        self.vectors = self.vectors.fitted(self._vector_settings)  # exact while small, IVF above
        self.vectors.write(self._work / VECTORS)
        manifest = Manifest(
            model=self.encoder.name,
            dim=self.encoder.dim,
            max_tokens=self.encoder.max_tokens,
            chunking=self._chunking,
            embed_template=self._template,
            analyzer=ANALYZER,
            generation=self._number,
            created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            documents=int(n_docs),
            chunks=int(n_chunks),
            extra={
                "vectors": self.vectors.describe(),
                "vector_settings": asdict(self._vector_settings),
            },
        )
        (self._work / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        publish(self.index_dir, self._number, self._work)
        self._work = None
        return manifest
