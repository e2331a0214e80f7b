"""``repair_index``: rebuild what can be rebuilt, re-embed only what is lost.

In order of cost:

1. ``CURRENT`` garbage, missing or dangling, and the newest generation sound: ``CURRENT``
   is rewritten to name it (nothing else changes).
2. A sound generation without checksums (format 3): republished with them.
3. A damaged generation is rebuilt as a new one, without the model where possible:
   the manifest from the store's ``meta`` table (or another generation's manifest); a
   damaged store by reading its sound releases (:mod:`index.salvage`) and rebuilding
   the keyword index and terms table from their texts; a damaged ``vectors.faiss`` from
   the vectors of identical chunk texts in older sound generations. The store keeps
   only sentence vectors, so chunks whose vector is nowhere else are embedded again
   from their stored text (the model, no source files needed).
4. Releases whose stored rows are lost are indexed again from their files (the model
   and the file are needed); those whose file is gone are listed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from . import fileops
from .check import GenerationCheck, IndexCheck, check_index
from .derived import rebuild_keyword_index, update_repeats, update_terms
from .encoder import Encoder
from .errors import IndexCorruptError, storage_error
from .groups import update_groups
from .integrity import digest_files
from .layout import (
    MANIFEST,
    STORE,
    STORED_VECTORS,
    VECTORS,
    current_generation,
    new_workdir,
    publish,
    write_current,
    writer_lock,
)
from .manifest import FORMAT_VERSION, Manifest
from .migrations import m005_source_url
from .salvage import CHUNK_COLUMNS, DOC_COLUMNS, SENTENCE_COLUMNS, Salvage, salvage_rows
from .serving import held_generations
from .settings import VectorSettings
from .store import connect_readonly
from .vectors import VectorIndex

__all__ = ["RepairReport", "repair_index"]


@dataclass(frozen=True)
class RepairReport:
    """What ``repair_index`` did.

    Attributes:
        actions: one line per step taken.
        reindexed: releases indexed again from their files.
        lost: releases that could not be recovered, with why (their file is gone, or the
            model was not allowed); ``pressroom ingest`` on their folder adds them back.
        generation: the generation ``CURRENT`` names now.
    """

    actions: tuple[str, ...]
    reindexed: tuple[str, ...]
    lost: tuple[str, ...]
    generation: str | None

    @property
    def complete(self) -> bool:
        return not self.lost


def repair_index(
    index_dir: Path | str,
    sources: Sequence[Path | str] = (),
    *,
    encoder: Encoder | Callable[[str], Encoder] | None = None,
    use_model: bool = True,
) -> RepairReport:
    """Mend a damaged index (see the module's steps); a sound one is left as it is.

    Args:
        index_dir: the index folder.
        sources: folders or files of releases: any of them the index lacks after the
            repair is indexed (``sync`` without removals), e.g. releases whose stored rows
            were unreadable, so that their paths are unknown.
        encoder: the model, or a function from the model name to it (default
            :func:`index.get_encoder`); loaded only if something must be embedded.
        use_model: False: never embed; releases that would need it are listed in ``lost``.

    Raises:
        IndexNotFoundError: nothing was ever published in ``index_dir``.
        IndexCorruptError: no generation is left to rebuild from.
        IndexLockedError: another process is updating the index.
        IndexStorageError: the disk refused a write.
    """
    index_dir = Path(index_dir)
    lock = writer_lock(index_dir)
    try:
        check = check_index(index_dir)
        job = _Job(index_dir, check, encoder, use_model)
        job.run()
    finally:
        lock.release()
    reindexed, lost = job.reindex_lost([Path(p) for p in sources])
    return RepairReport(
        tuple(job.actions), tuple(reindexed), tuple(job.lost_lines + lost), job.generation
    )


class _Job:
    def __init__(self, index_dir: Path, check: IndexCheck, encoder, use_model: bool) -> None:
        self.index_dir = index_dir
        self.check = check
        self._encoder = encoder
        self.use_model = use_model
        self.actions: list[str] = []
        self.lost_lines: list[str] = []
        self.to_reindex: list[str] = []
        self.unknown_lost = 0  # releases lost whose files are unknown
        self.generation = check.current

    def encoder(self, model: str) -> Encoder:
        if self._encoder is None:
            from .encoder import get_encoder

            self._encoder = get_encoder(model)
        elif callable(self._encoder) and not hasattr(self._encoder, "encode"):
            self._encoder = self._encoder(model)
        return self._encoder

    # -- the steps --------------------------------------------------------------------------
    def run(self) -> None:
        check = self.check
        target = check.served
        if target is None:  # CURRENT unusable: the newest generation is the one to mend
            target = check.generations[0] if check.generations else None
        if target is None:
            raise IndexCorruptError(
                f"{self.index_dir}: no published generation is left to repair from; "
                "rebuild with `pressroom ingest PATH --rebuild`"
            )
        if target.ok:
            if check.current_problem:
                write_current(self.index_dir, target.name)
                self.actions.append(f"{check.current_problem}: CURRENT now names {target.name}")
                self.generation = target.name
            if target.manifest.format_version < FORMAT_VERSION or not target.manifest.files:
                self._rebuild(target, target.manifest)
            if not self.actions:
                self.actions.append(f"nothing to repair: {target.name} is sound")
            return
        for d in target.damage:
            self.actions.append(f"damaged: {d}")
        self._rebuild(target, self._manifest(target))

    def _manifest(self, target: GenerationCheck) -> Manifest:
        """The target's manifest, or one rebuilt from its store or another generation."""
        if target.manifest is not None:
            return target.manifest
        build = _stored_build(target.path / STORE)
        if build is not None:
            self.actions.append(f"manifest rebuilt from {target.path / STORE}")
            return Manifest(**build)
        for other in self.check.generations:
            if other.manifest is not None:
                self.actions.append(f"manifest rebuilt from {other.name}'s")
                return other.manifest
        raise IndexCorruptError(
            f"{target.path / MANIFEST}: damaged, and neither the store nor another generation "
            "says how the index was built; rebuild with `pressroom ingest PATH --rebuild`",
            target.path / MANIFEST,
        )

    def _rebuild(self, target: GenerationCheck, manifest: Manifest) -> None:
        damaged = {d.file for d in target.damage}
        number, work = new_workdir(self.index_dir)
        try:
            built = self._build(target, manifest, damaged, work)
            publish(self.index_dir, number, work, held_generations(self.index_dir))
        except BaseException as exc:
            fileops.remove_tree(work)
            typed = storage_error(exc, work, what="writing the repaired generation")
            if typed is not None:
                raise typed from exc
            raise
        self.generation = work.name.split(".tmp-")[0]
        self.actions.append(
            f"published {self.generation}: {built.documents} releases, {built.chunks} chunks, "
            "with checksums"
        )

    def _build(
        self, target: GenerationCheck, manifest: Manifest, damaged: set[str], work: Path
    ) -> Manifest:
        dim = manifest.dim
        if STORE not in damaged:
            fileops.copy_store(target.path / STORE, work / STORE)
            db = fileops.open_store(work / STORE)
            db.execute("BEGIN")
            m005_source_url(db)  # a store older than format 5 gains its url column
        else:
            salvage = self._salvage(target.path / STORE, dim, manifest.documents)
            db = fileops.open_store(work / STORE)
            db.execute("BEGIN")
            _insert(db, salvage)
            rebuild_keyword_index(db)
            self.actions.append(
                f"store rebuilt from its {len(salvage.documents)} sound releases; keyword "
                "index and terms table rebuilt from their texts"
            )
        chunks = db.execute("SELECT chunk_id, embed_hash FROM chunks").fetchall()
        vectors = self._vectors(target, dim, damaged, chunks)
        missing = sorted({c for c, _ in chunks} - set(vectors.all()[0].tolist()))
        if missing:
            self._embed(db, manifest, vectors, missing)
        update_repeats(db)
        update_terms(db)
        update_groups(db)
        n_docs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
        n_chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        settings = VectorSettings(**manifest.extra.get("vector_settings", {}))
        vectors = vectors.fitted(settings)
        extra = {
            **manifest.extra,
            "vectors": vectors.describe(),
            "vector_settings": asdict(settings),
        }
        out = replace(
            manifest,
            generation=int(work.name[4:10]),
            documents=int(n_docs),
            chunks=int(n_chunks),
            format_version=FORMAT_VERSION,
            extra=extra,
        )
        db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('build', ?)",
            (json.dumps(out.build_settings(), sort_keys=True),),
        )
        db.execute("COMMIT")
        db.close()
        fileops.write_vectors(vectors, work / VECTORS)
        out = replace(out, files=digest_files(work))
        fileops.write_text(work / MANIFEST, out.to_json())
        return out

    def _salvage(self, store: Path, dim: int, expected: int) -> Salvage:
        try:
            src = connect_readonly(store)
            try:
                salvage = salvage_rows(src, dim)
            finally:
                src.close()
        except sqlite3.Error:
            salvage = Salvage()
        unknown = 0
        for doc_id, path in sorted(salvage.lost.items()):
            path = path or self._path_elsewhere(doc_id)
            if path is None:
                unknown += 1
            else:
                self.to_reindex.append(path)
        unknown = max(unknown, expected - len(salvage.documents) - len(self.to_reindex))
        if unknown:
            self.unknown_lost = unknown
        return salvage

    def _path_elsewhere(self, doc_id: int) -> str | None:
        """A lost release's file, from an older sound generation (ids are kept across)."""
        for other in self.check.generations:
            if other.ok:
                rows = _query(
                    other.path / STORE, "SELECT path FROM documents WHERE doc_id = ?", (doc_id,)
                )
                if rows:
                    return rows[0][0]
        return None

    def _vectors(
        self, target: GenerationCheck, dim: int, damaged: set[str], chunks: list[tuple]
    ) -> VectorIndex:
        wanted = {c for c, _ in chunks}
        if VECTORS not in damaged and STORED_VECTORS not in damaged:
            vectors = VectorIndex.read(target.path / VECTORS, writable=True)
            stale = sorted(set(vectors.all()[0].tolist()) - wanted)
            vectors.remove(stale)
            return vectors
        vectors = VectorIndex.empty(dim)
        need = dict(chunks)  # chunk id -> embed hash
        for other in self.check.generations:
            if not other.ok or other.name == target.name or not need:
                continue
            found = _vectors_by_hash(other, set(need.values()))
            ids = [c for c, h in need.items() if h in found]
            if ids:
                vectors.add(ids, np.stack([found[need[c]] for c in ids]))
                for c in ids:
                    del need[c]
                self.actions.append(f"{len(ids)} chunk vectors taken from {other.name}")
        return vectors

    def _embed(
        self, db: sqlite3.Connection, manifest: Manifest, vectors: VectorIndex, ids: list[int]
    ) -> None:
        rows = _chunk_texts(db, ids)
        if not self.use_model:
            docs = sorted({r[1] for r in rows})
            for doc_id, path in db.execute(
                f"SELECT doc_id, path FROM documents WHERE doc_id IN ({','.join(map(str, docs))})"
            ).fetchall():
                self.lost_lines.append(f"{path}: its vectors are lost and --no-model was given")
                _delete_document(db, doc_id)
            return
        encoder = self.encoder(manifest.model)
        manifest.check_model(encoder.name, encoder.dim, self.index_dir)
        texts = [r[2] for r in rows]
        chunk_vectors, _ = encoder.encode_with_sentences(texts, [r[3] for r in rows])
        vectors.add([r[0] for r in rows], np.asarray(chunk_vectors))
        self.actions.append(f"{len(rows)} chunk vectors embedded again from the stored texts")

    def reindex_lost(self, sources: list[Path]) -> tuple[list[str], list[str]]:
        """Index the lost releases again from their files, and whatever of ``sources`` the
        index lacks; (indexed again, still lost)."""
        present = [p for p in self.to_reindex if Path(p).is_file()]
        lost = [
            f"{p}: its stored text is damaged and the file is gone"
            for p in self.to_reindex
            if p not in present
        ]
        if self.unknown_lost and not sources:
            lost.append(
                f"{self.unknown_lost} releases: their stored rows are unreadable, so their files "
                f"are unknown; index them again with `pressroom repair --index {self.index_dir} "
                "FOLDER` (or `pressroom ingest FOLDER`)"
            )
        if not present and not sources:
            return [], lost
        if not self.use_model:
            paths = " ".join([*present, *map(str, sources)])
            lost.append(f"not indexed again (--no-model): run `pressroom ingest {paths}`")
            return [], lost
        from .sync import sync

        model = Manifest.read(self.index_dir / str(self.generation) / MANIFEST).model
        report = sync(
            [*present, *sources], self.index_dir, encoder=self.encoder(model), remove_missing=False
        )
        lost += [str(f) for f in report.failed]
        self.generation = current_generation(self.index_dir)
        done = list(report.added) + list(report.updated)
        self.actions.append(f"{len(done)} releases indexed again from their files")
        return done, lost


# -- helpers over stores ------------------------------------------------------------------
def _query(store: Path, sql: str, params: tuple = ()) -> list[tuple]:
    try:
        db = connect_readonly(store)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []


def _stored_build(store: Path) -> dict | None:
    rows = _query(store, "SELECT value FROM meta WHERE key = 'build'")
    try:
        build = json.loads(rows[0][0]) if rows else None
    except ValueError:
        return None
    return build if isinstance(build, dict) else None


def _vectors_by_hash(gen: GenerationCheck, hashes: set[str]) -> dict[str, np.ndarray]:
    rows = _query(
        gen.path / STORE, "SELECT embed_hash, MIN(chunk_id) FROM chunks GROUP BY embed_hash"
    )
    pick = {h: c for h, c in rows if h in hashes}
    if not pick:
        return {}
    vectors = VectorIndex.read(gen.path / VECTORS)
    try:
        got = vectors.get(list(pick.values()))
    finally:
        vectors.close()
    return dict(zip(pick, got, strict=True))


def _marks(columns: str) -> str:
    return ", ".join("?" * len(columns.split(",")))


def _insert(db: sqlite3.Connection, salvage: Salvage) -> None:
    marks = _marks
    for doc_id in salvage.sound_documents():
        db.execute(
            f"INSERT INTO documents ({DOC_COLUMNS}) VALUES ({marks(DOC_COLUMNS)})",
            salvage.documents[doc_id],
        )
        chunks = salvage.chunks[doc_id]
        db.executemany(
            f"INSERT INTO chunks ({CHUNK_COLUMNS}) VALUES ({marks(CHUNK_COLUMNS)})", chunks
        )
        for c in chunks:
            db.executemany(
                f"INSERT INTO sentences ({SENTENCE_COLUMNS}) VALUES ({marks(SENTENCE_COLUMNS)})",
                salvage.sentences[c[0]],
            )


def _chunk_texts(db: sqlite3.Connection, ids: list[int]) -> list[tuple]:
    """Per chunk: (chunk id, doc id, embedded text, sentence spans inside that text)."""
    from ingest.prepare import headline_prefix

    out = []
    for chunk_id in ids:
        doc_id, start, end, title, text = db.execute(
            'SELECT c.doc_id, c.start, c."end", d.title, d.text FROM chunks c '
            "JOIN documents d USING (doc_id) WHERE c.chunk_id = ?",
            (chunk_id,),
        ).fetchone()
        piece = text[start:end]
        prefix = headline_prefix(title, piece)
        spans = db.execute(
            'SELECT start, "end" FROM sentences WHERE chunk_id = ? ORDER BY start', (chunk_id,)
        ).fetchall()
        shift = len(prefix) - start
        out.append((chunk_id, doc_id, prefix + piece, [(s + shift, e + shift) for s, e in spans]))
    return out


def _delete_document(db: sqlite3.Connection, doc_id: int) -> None:
    db.execute(
        "DELETE FROM sentences WHERE chunk_id IN (SELECT chunk_id FROM chunks WHERE doc_id = ?)",
        (doc_id,),
    )
    db.execute(
        "DELETE FROM chunks_fts WHERE rowid IN (SELECT chunk_id FROM chunks WHERE doc_id = ?)",
        (doc_id,),
    )
    db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
    db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
