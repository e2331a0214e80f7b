"""Updating an index: one writer, copy-on-write generations, an embedding cache.

The writer copies the published generation into a scratch folder, applies every
change there, and publishes it atomically on :meth:`IndexWriter.commit`. Leaving the
``with`` block without a commit (an error, Ctrl-C) throws the scratch copy away at once;
a crash leaves it behind, and the next writer deletes it.

A writer never builds on a damaged generation: the one ``CURRENT`` names is checked in
full first (every file's SHA-256 against the manifest). When ``CURRENT`` itself is
garbage or missing, the newest generation that passes the check is used and the
update says so in :attr:`IndexWriter.notes`. A write the disk refuses raises a typed
:class:`~index.IndexStorageError` (disk full with the room needed, read-only, permission).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from types import TracebackType

import numpy as np

from ingest.analysis import ANALYZER
from ingest.prepare import PREPARED, ChunkRecord, DocumentRecord

from . import fileops
from .derived import (
    RepeatChanges,
    TermChanges,
    keyword_row,
    text_hash,
    update_repeats,
    update_terms,
)
from .encoder import Encoder
from .errors import BadCurrentError, IndexCorruptError, corrupt, is_corruption, storage_error
from .groups import GroupChanges, update_groups
from .integrity import digest_files, full_check, raise_for, stored_digest
from .layout import (
    MANIFEST,
    OPTIONAL_FILES,
    PUBLISHED_FILES,
    STORE,
    VECTORS,
    current_generation,
    generation_dirs,
    new_workdir,
    publish,
    writer_lock,
)
from .manifest import FORMAT_VERSION, Manifest
from .migrations import migrate
from .serving import held_generations
from .settings import VectorSettings
from .store import delete_fts, dequantize, in_batches, insert_fts, quantize
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


@dataclass(frozen=True)
class KnownDocument:
    """A stored document as a sync compares it with its file.

    ``prepared`` is the :data:`ingest.prepare.PREPARED` version it was prepared with (0:
    before versions were recorded). A document prepared with an older version is known with
    ``mtime_ns`` -1, so that every sync path (``index.sync``, the Ray path) reads its file
    again, and is re-indexed even when its text came out the same; ``file_mtime_ns`` keeps
    the time recorded, to tell such a refresh from a change of the file.
    """

    doc_id: int
    content_hash: str
    size: int
    mtime_ns: int
    prepared: int = PREPARED
    file_mtime_ns: int | None = None

    @property
    def stale(self) -> bool:
        """Prepared by an older version of the ingest code: to be prepared again."""
        return self.prepared < PREPARED


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
        self._source_bytes = 0
        self.changed = False
        self.embedded = 0
        self.reused = 0
        self.notes: list[str] = []  # what the update recovered from (e.g. a garbage CURRENT)
        self._flushing = 0  # texts being embedded by the flush under way
        self._changes: tuple[TermChanges, RepeatChanges, GroupChanges] | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> IndexWriter:
        self._lock = writer_lock(self.index_dir, self._lock_timeout)
        try:
            self._open()
        except BaseException as exc:
            try:
                typed = self._discard(exc, "opening the index for the update")
            finally:
                self._lock.release()
            if typed is not None:
                raise typed from exc
            raise
        return self

    def _source(self) -> Path | None:
        """The generation to build on, checked in full; None for a new or rebuilt index."""
        if self._rebuild:
            return None
        try:
            current = current_generation(self.index_dir)
        except BadCurrentError as exc:
            found = newest_sound_generation(self.index_dir)
            if found is None:
                raise BadCurrentError(
                    f"{exc} (no published generation passes its check either; "
                    "`pressroom ingest --rebuild` starts over)",
                    exc.path,
                ) from exc
            self.notes.append(f"{exc.path}: {exc.problem}; continued from {found.name}")
            return found
        if current is None:
            return None
        source = self.index_dir / current
        manifest = Manifest.read(source / MANIFEST, upgradable=True)
        # the store is hashed as it is copied (``_open``): one read of it, not two
        raise_for(full_check(source, manifest, skip=(STORE,)), self.index_dir)
        return source

    def _open(self) -> None:
        source = self._source()
        if source is not None:
            self._source_bytes = sum(
                (source / n).stat().st_size
                for n in PUBLISHED_FILES + OPTIONAL_FILES
                if (source / n).exists()
            )
        self._number, self._work = new_workdir(self.index_dir)
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
            sha256 = fileops.copy_store(source / STORE, self._work / STORE)
            raise_for(stored_digest(source, manifest, STORE, sha256), self.index_dir)
            try:
                self.vectors = VectorIndex.read(source / VECTORS, writable=True)
            except RuntimeError as exc:  # checked above: only a change since then gets here
                raise corrupt(source / VECTORS, "unreadable", self.index_dir) from exc
            self._source_dir = source
        else:
            self.vectors = VectorIndex.empty(self.encoder.dim)
            self.changed = True  # a first or rebuilt index is published even when empty
            self._source_dir = None
        self.db = fileops.open_store(self._work / STORE)
        self.db.execute("BEGIN")
        if upgrade:  # an older format, converted in place (index.migrations)
            migrate(self.db, manifest.format_version)
            self.changed = True
        # Building on a published store of this format, the derived tables (terms, repeat
        # shares, release groups) are brought up to date from this update's changes alone;
        # a new, rebuilt or upgraded store derives them from every row at commit.
        self._changes = None
        if source is not None and not upgrade:
            self._changes = (
                TermChanges(self.db),
                RepeatChanges(self.db),
                GroupChanges(self.db),
            )
        if self.notes:  # a recovered CURRENT is rewritten by publishing
            self.changed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            typed = self._discard(exc, "updating the index")
        finally:
            if self._lock is not None:
                self._lock.release()
        if typed is not None:
            raise typed from exc

    def _discard(self, exc: BaseException | None, what: str) -> Exception | None:
        """Delete the scratch folder; the typed error for ``exc`` (None: keep ``exc``)."""
        work = self._work
        written = 0
        if work is not None and work.exists():
            written = sum(f.stat().st_size for f in work.iterdir() if f.is_file())
            db = getattr(self, "db", None)
            if db is not None:
                db.close()
            fileops.remove_tree(work)
        self._work = None
        if exc is None or isinstance(exc, IndexCorruptError):
            return None
        needed = int(max(written, self._source_bytes) * 1.1) + (1 << 20)
        typed = storage_error(exc, work or self.index_dir, what=what, needed=needed)
        if typed is None and is_corruption(exc):
            store = (self._source_dir or self.index_dir) / STORE
            return corrupt(store, f"unreadable ({exc})", self.index_dir)
        return typed

    # -- reading what is there -------------------------------------------------------------
    def known(self) -> dict[str, KnownDocument]:
        """Every stored document by path."""
        rows = self.db.execute(
            "SELECT path, doc_id, content_hash, size, mtime_ns, "
            "CASE WHEN json_valid(meta) THEN json_extract(meta, '$.prepared') END FROM documents"
        )
        out = {}
        for path, doc_id, content_hash, size, mtime_ns, prepared in rows:
            prepared = prepared if isinstance(prepared, int) else 0
            read_again = -1 if prepared < PREPARED else mtime_ns  # read its file again
            out[path] = KnownDocument(doc_id, content_hash, size, read_again, prepared, mtime_ns)
        return out

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
        if self._changes is not None:
            terms, repeats, groups = self._changes
            terms.removing(ids)
            repeats.removing(doc_id)
            groups.removing(doc_id)
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
            "UPDATE documents SET size = ?, mtime_ns = ?, url = ?, "
            "meta = json_set(CASE WHEN json_valid(meta) THEN meta ELSE '{}' END, '$.prepared', ?) "
            "WHERE path = ?",
            (size, mtime_ns, url, PREPARED, path),
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
        record["figures"] = json.dumps(list(doc.figures))
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
        if self._changes is not None:
            terms, repeats, groups = self._changes
            terms.added(fts_rows)
            repeats.added(doc_id, (h for c in chunks for _, _, h in c.sentences))
            groups.added(doc_id)
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
        for part in in_batches(wanted):
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
    def commit(self) -> Manifest | None:
        """Publish the new generation; returns its manifest (None when nothing changed)."""
        if not self.changed:
            return None
        self.flush()
        if self._changes is None:
            update_repeats(self.db)
            update_terms(self.db)
            update_groups(self.db)
        else:
            for changes in self._changes:
                changes.apply()
        n_docs, n_chunks = self.counts()
        if n_chunks != len(self.vectors):
            raise RuntimeError(
                f"internal error: {n_chunks} chunks but {len(self.vectors)} vectors; not published"
            )
        if self._vector_settings is None:
            self._vector_settings = VectorSettings()
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
            extra={"vector_settings": asdict(self._vector_settings)},
        )
        self.vectors = self.vectors.fitted(self._vector_settings)  # exact while small, IVF above
        extra = {**manifest.extra, "vectors": self.vectors.describe()}
        self.db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('build', ?)",
            (json.dumps(replace(manifest, extra=extra).build_settings(), sort_keys=True),),
        )
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA optimize")
        self.db.close()
        assert self._work is not None
        fileops.write_vectors(self.vectors, self._work / VECTORS)
        manifest = replace(manifest, extra=extra, files=digest_files(self._work))
        fileops.write_text(self._work / MANIFEST, manifest.to_json())
        publish(self.index_dir, self._number, self._work, held_generations(self.index_dir))
        self._work = None
        return manifest


def newest_sound_generation(index_dir: Path) -> Path | None:
    """The newest published generation whose manifest reads and whose files pass
    :func:`~index.integrity.full_check` (what a lost ``CURRENT`` should have named)."""
    for _, folder in reversed(generation_dirs(index_dir)):
        try:
            manifest = Manifest.read(folder / MANIFEST, upgradable=True)
        except IndexCorruptError:
            continue
        if not full_check(folder, manifest):
            return folder
    return None
