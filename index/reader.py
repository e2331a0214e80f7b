"""Reading a published index generation (what queries use).

An :class:`IndexReader` checks its generation cheaply when it opens (the manifest's own
checksum, every file's size) and can check it in full on demand or in the background
(:meth:`IndexReader.damage`, :meth:`IndexReader.verify_in_background`). Every SQLite,
FAISS or decoding error of a damaged file comes out as :class:`~index.IndexCorruptError`
naming the file. A reader counts the calls in progress; once retired (a newer generation
was opened) it closes its files as soon as the last one ends. Which reader a process uses
is :mod:`index.serving`'s business.
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.analysis import ANALYZER, edit_distance, stem
from ingest.prepare import EMBED_TEMPLATE

from .errors import IndexFormatError, corrupt, is_corruption
from .integrity import Damage, full_check, quick_check, raise_for
from .layout import MANIFEST, STORE, VECTORS
from .manifest import Manifest
from .settings import KeywordSettings, VectorSettings
from .store import CHUNK_TEXT_SQL, connect_readonly, dequantize
from .vectors import VectorIndex

__all__ = [
    "ChunkFilter",
    "ChunkRow",
    "DocumentRow",
    "GroupMember",
    "IndexNotFoundError",
    "IndexReader",
]


DEFAULT_KEYWORD = KeywordSettings()
DEFAULT_VECTORS = VectorSettings()


@dataclass(frozen=True)
class ChunkFilter:
    """Which chunks a query may return (every field None or empty: no restriction).

    Attributes:
        date_from: earliest release date, ISO (inclusive).
        date_to: latest release date, ISO (inclusive).
        doc_ids: only chunks of these releases.
        kinds: only chunks of these section kinds.
        exclude_kinds: no chunks of these section kinds.
    """

    date_from: str | None = None
    date_to: str | None = None
    doc_ids: frozenset[int] | None = None
    kinds: frozenset[str] = frozenset()
    exclude_kinds: frozenset[str] = frozenset()

    def is_empty(self) -> bool:
        return self == ChunkFilter()

    def sql(self) -> tuple[str, list]:
        """The condition on chunks ``c`` joined with documents ``d``, and its parameters."""
        where, params = ["1"], []
        if self.date_from:
            where.append("d.date >= ?")
            params.append(self.date_from)
        if self.date_to:
            where.append("d.date <= ?")
            params.append(self.date_to)
        if self.doc_ids is not None:
            where.append(f"d.doc_id IN ({','.join(str(int(i)) for i in sorted(self.doc_ids))})")
        for op, kinds in (("IN", self.kinds), ("NOT IN", self.exclude_kinds)):
            if kinds:
                where.append(f"c.kind {op} ({','.join('?' * len(kinds))})")
                params.extend(sorted(kinds))
        return " AND ".join(where), params


class IndexNotFoundError(IndexFormatError):
    """No index has been built in this folder yet."""


@dataclass(frozen=True)
class ChunkRow:
    chunk_id: int
    doc_id: int
    ordinal: int
    start: int
    end: int
    kind: str
    section: str | None
    repeat: float
    text: str
    title: str | None
    date: str | None
    company: str | None
    tickers: tuple[str, ...]
    path: str
    url: str | None = None
    group_id: int = 0  # the release group (wire copies share it); 0 only in hand-made rows

    @property
    def group(self) -> int:
        """The release group, the release's own id when it has none."""
        return self.group_id or self.doc_id


@dataclass(frozen=True)
class GroupMember:
    """A release of a release group: its id, file, wire and figures (:mod:`ingest.copies`)."""

    doc_id: int
    path: str
    wire: str | None
    date: str | None
    figures: tuple[str, ...]


@dataclass(frozen=True)
class DocumentRow:
    doc_id: int
    path: str
    title: str | None
    date: str | None
    company: str | None
    tickers: tuple[str, ...]
    wire: str | None
    n_chunks: int
    indexed_at: str
    url: str | None = None
    group_id: int = 0  # the release group; the release's own id when the index has none


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _folder_id(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


class IndexReader:
    """One immutable generation, opened for queries. Safe to share between threads.

    Raises (on opening):
        IndexCorruptError: the manifest fails its checksum, a file is missing or has
            another size than recorded, or a file cannot be opened.
        IndexFormatError: another format or other build settings (see the manifest).
    """

    def __init__(self, index_dir: Path, generation: str) -> None:
        self.index_dir = index_dir
        self.generation = generation
        self.path = index_dir / generation
        self._folder_id = _folder_id(self.path)
        self.manifest = Manifest.read(self.path / MANIFEST)
        # the question is analysed as the index was, and chunks read as the encoder read them
        self.manifest.check_build(index_dir, embed_template=EMBED_TEMPLATE, analyzer=ANALYZER)
        raise_for(quick_check(self.path, self.manifest), index_dir)
        self._state = threading.Condition()
        self._users = 0  # calls (and leases) in progress
        self._retired = False
        self._on_idle = None  # called once files are closed after retirement
        self._db: sqlite3.Connection | None = None
        self._vectors: VectorIndex | None = None
        self._open_files()
        self._lock = threading.Lock()
        self._verify_lock = threading.Lock()
        self._damage: list[Damage] | None = None
        self._verifier: threading.Thread | None = None
        self._documents: list[DocumentRow] | None = None
        self._n_chunks: int | None = None
        self._date_range: tuple[str | None, str | None] | None = None
        self._term_cache: dict[str, tuple[int, int]] = {}
        self._group_sql: str | None = None

    # -- files and their lifetime ----------------------------------------------------------
    def same_folder(self) -> bool:
        """Whether the generation's folder is still the one opened (not a new index made
        under the same name in its place)."""
        return _folder_id(self.path) == self._folder_id

    def _open_files(self) -> None:
        if not self.path.is_dir():
            raise IndexFormatError(
                f"{self.path}: this generation was replaced and deleted; open the index again"
            )
        try:
            vectors = VectorIndex.read(self.path / VECTORS)
        except (RuntimeError, MemoryError, ValueError) as exc:
            raise self._vector_error(exc) from exc
        try:
            db = connect_readonly(self.path / STORE)
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # header and schema
        except sqlite3.Error as exc:
            vectors.close()
            raise self._store_error(exc) from exc
        self._vectors, self._db = vectors, db

    def _close_files(self) -> None:
        if self._db is not None:
            self._db.close()
        if self._vectors is not None:
            self._vectors.close()
        self._db = self._vectors = None

    @contextlib.contextmanager
    def lease(self) -> Iterator[IndexReader]:
        """Keep this generation's files open for a block of calls (one query, say), even if
        the reader is retired meanwhile."""
        with self._state:
            if self._db is None:  # a retired reader used again: reopen for this use
                self._open_files()
            self._users += 1
        try:
            yield self
        finally:
            with self._state:
                self._users -= 1
                closing = self._retired and self._users == 0 and self._db is not None
                if closing:
                    self._close_files()
            if closing and self._on_idle is not None:
                self._on_idle(self)

    def retire(self, on_idle=None) -> None:
        """A newer generation is served: close the files once no call uses them, then call
        ``on_idle(reader)`` (not from under any lock)."""
        with self._state:
            self._retired = True
            self._on_idle = on_idle
            closing = self._users == 0 and self._db is not None
            if closing:
                self._close_files()
        if closing and on_idle is not None:
            on_idle(self)

    def close(self) -> None:
        """Close the files now, or when the calls in progress end."""
        self.retire(self._on_idle)

    @property
    def closed(self) -> bool:
        return self._db is None

    @property
    def vectors(self) -> VectorIndex:
        with self._state:
            if self._vectors is None:
                self._open_files()
            return self._vectors

    # -- checking ---------------------------------------------------------------------------
    def damage(self) -> list[Damage]:
        """The problems a full check of this generation's files finds (every file hashed
        against the manifest); run once, then remembered. Empty when all is well."""
        with self._verify_lock:
            if self._damage is None:
                self._damage = full_check(self.path, self.manifest)
            return list(self._damage)

    @property
    def known_damage(self) -> list[Damage]:
        """What a full check found, if one has finished (never runs one)."""
        return list(self._damage or [])

    def verify_in_background(self) -> threading.Thread:
        """Start :meth:`damage` on a daemon thread (once); queries go on meanwhile."""
        with self._verify_lock:
            if self._verifier is None:
                self._verifier = threading.Thread(
                    target=self.damage, name=f"verify-{self.generation}", daemon=True
                )
                self._verifier.start()
            return self._verifier

    def _store_error(self, exc: BaseException) -> Exception:
        return corrupt(self.path / STORE, f"unreadable ({_short(exc)})", self.index_dir)

    def _vector_error(self, exc: BaseException) -> Exception:
        return corrupt(self.path / VECTORS, f"unreadable ({_short(exc)})", self.index_dir)

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self.lease(), self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._store_error(exc) from exc

    def group_sql(self) -> str:
        """The release group of documents ``d`` (their own id before format 6)."""
        if self._group_sql is None:
            cols = {r[1] for r in self._rows("PRAGMA table_info(documents)")}
            self._group_sql = "COALESCE(d.group_id, d.doc_id)" if "group_id" in cols else "d.doc_id"
        return self._group_sql

    def group_members(self, groups: Sequence[int]) -> dict[int, list[GroupMember]]:
        """The releases of each release group, oldest first (a group absent: none)."""
        if not groups:
            return {}
        group = self.group_sql()
        figures = "d.figures" if group != "d.doc_id" else "'[]'"
        marks = ",".join(str(int(g)) for g in sorted(set(groups)))
        # By the group index (an expression over the column would read every row: 270 ms
        # a query at 10^6 chunks); a release without a group id is its own group.
        where = (
            f"d.group_id IN ({marks}) OR (d.group_id IS NULL AND d.doc_id IN ({marks}))"
            if group != "d.doc_id"
            else f"d.doc_id IN ({marks})"
        )
        rows = self._rows(
            f"SELECT {group}, d.doc_id, d.path, d.wire, d.date, {figures} FROM documents d "
            f"WHERE {where} ORDER BY d.date IS NULL, d.date, d.doc_id"
        )
        out: dict[int, list[GroupMember]] = {}
        try:
            for g, doc_id, path, wire, date, figs in rows:
                out.setdefault(g, []).append(
                    GroupMember(doc_id, path, wire, date, tuple(json.loads(figs)))
                )
        except (ValueError, TypeError) as exc:
            raise self._store_error(exc) from exc
        return out

    # -- search ------------------------------------------------------------------------------
    def dense(
        self,
        query: np.ndarray,
        k: int,
        allowed: Sequence[int] | None = None,
        settings: VectorSettings = DEFAULT_VECTORS,
    ) -> list[tuple[int, float]]:
        """The ``k`` chunks nearest ``query`` (cosine), optionally among ``allowed`` only."""
        with self.lease():
            try:
                scores, ids = self._vectors.search(query, k, allowed, settings)
            except (RuntimeError, ValueError) as exc:
                raise self._vector_error(exc) from exc
        return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True)]

    def n_chunks(self) -> int:
        """Chunks in this generation (from the manifest: no table scan on a cold start)."""
        if self._n_chunks is None:
            self._n_chunks = self.manifest.chunks or self._rows("SELECT count(*) FROM chunks")[0][0]
        return self._n_chunks

    def doc_freqs(self, stems: Sequence[str]) -> dict[str, int]:
        """How many chunks hold each Porter stem in their own text (0 when none does)."""
        return {s: df for s, (df, _) in self._term_counts(stems).items()}

    def postings(self, stems: Sequence[str]) -> dict[str, int]:
        """How many keyword-index rows hold each stem, in the text or the headline column."""
        return {s: n for s, (_, n) in self._term_counts(stems).items()}

    def _term_counts(self, stems: Sequence[str]) -> dict[str, tuple[int, int]]:
        """``(df, postings)`` per stem, remembered per generation (it never changes): a
        query asks for its stems twice, for the keyword query's budget and for IDF."""
        wanted = sorted(set(stems))
        missing = [s for s in wanted if s not in self._term_cache]
        if missing:
            marks = ",".join("?" * len(missing))
            sql = f"SELECT term, df, postings FROM terms WHERE term IN ({marks})"
            found = {t: (d, n) for t, d, n in self._rows(sql, missing)}
            self._term_cache.update({s: found.get(s, (0, 0)) for s in missing})
        return {s: self._term_cache[s] for s in wanted}

    def idf(self, stems: Sequence[str]) -> dict[str, float]:
        """BM25-style inverse chunk frequency of Porter stems (unknown stems get the maximum)."""
        n = self.n_chunks()
        return {
            s: math.log(1 + (n - d + 0.5) / (d + 0.5)) for s, d in self.doc_freqs(stems).items()
        }

    def similar_terms(self, term: str, max_edits: int) -> list[str]:
        """Indexed terms within ``max_edits`` edits of ``term`` (spelling variants of names).

        Only terms sharing the first three letters are considered: a typo there is
        rare, and the range stays small in a large vocabulary.
        """
        term = term.lower()
        prefix = term[:3]
        rows = self._rows(
            "SELECT term FROM terms WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?",
            (prefix, prefix + "\uffff", len(term) - max_edits, len(term) + max_edits),
        )
        return [
            r[0] for r in rows if r[0] != term and edit_distance(r[0], term, max_edits) <= max_edits
        ]

    def keyword(
        self,
        terms: Sequence[str],
        k: int,
        allowed: Sequence[int] | None = None,
        settings: KeywordSettings = DEFAULT_KEYWORD,
    ) -> list[tuple[int, float]]:
        """BM25 over each chunk's text and its release's headline (FTS5 columns of equal
        weight) for any of ``terms`` (lower-cased words); higher is better.

        FTS5 scores every chunk that holds any query term, so in a large index the
        commonest terms are left out of the query once the rarer ones reach
        ``settings.postings_budget`` postings. They carry little BM25 weight, and the
        sentence-level scoring still reads them.
        """
        terms = list(dict.fromkeys(terms))
        if not terms:
            return []
        terms = self.within_budget(terms, settings.postings_budget)
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?"
        params: list = [match]
        stream_filter: set[int] | None = None
        if allowed is not None:
            if not allowed:
                return []
            if len(allowed) <= settings.filter_in_sql_max:  # FTS5 seeks each allowed row
                sql += f" AND rowid IN ({','.join(str(int(a)) for a in allowed)})"
            else:  # a broad filter: read the ranking and skip what it excludes
                stream_filter = set(map(int, allowed))
        sql += " ORDER BY bm25(chunks_fts)"
        try:
            if stream_filter is None:
                rows = self._filtered_rows(sql + " LIMIT ?", [*params, k], None, k)
            else:
                rows = self._filtered_rows(sql, params, stream_filter, k)
        except sqlite3.OperationalError as exc:
            if is_corruption(exc):
                raise self._store_error(exc) from exc
            return []  # a query FTS5 cannot parse: no keyword evidence
        except sqlite3.Error as exc:
            raise self._store_error(exc) from exc
        return [(int(r[0]), float(r[1])) for r in rows]

    def phrase_chunks(
        self, tokens: Sequence[str], allowed: Sequence[int] | None = None
    ) -> list[int]:
        """The chunks whose own text holds ``tokens`` (lower-cased words) as a phrase, as
        the keyword index reads it (Porter stems: the caller checks the exact words), best
        BM25 first; optionally among ``allowed`` only."""
        tokens = [t for t in tokens if t]
        if not tokens or (allowed is not None and not allowed):
            return []
        match = 'text : "' + " ".join(t.replace('"', '""') for t in tokens) + '"'
        sql = "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts)"
        try:
            with self.lease(), self._lock:
                rows = self._db.execute(sql, [match]).fetchall()
        except sqlite3.OperationalError as exc:
            if is_corruption(exc):
                raise self._store_error(exc) from exc
            return []  # a phrase FTS5 cannot parse: no chunk holds it
        except sqlite3.Error as exc:
            raise self._store_error(exc) from exc
        ids = [int(r[0]) for r in rows]
        if allowed is not None:
            keep = set(map(int, allowed))
            ids = [i for i in ids if i in keep]
        return ids

    def chunk_kinds(
        self, chunk_ids: Sequence[int]
    ) -> dict[int, tuple[str, str | None, str | None]]:
        """Per chunk: its section kind (body, quote, about, ...), section heading and its
        release's company."""
        if not chunk_ids:
            return {}
        marks = ",".join(str(int(c)) for c in chunk_ids)
        sql = (
            "SELECT c.chunk_id, c.kind, c.section, d.company FROM chunks c "
            f"JOIN documents d USING (doc_id) WHERE c.chunk_id IN ({marks})"
        )
        return {r[0]: (r[1], r[2], r[3]) for r in self._rows(sql)}

    def chunk_texts(self, chunk_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
        """Per chunk: its release's id and its text (read in batches)."""
        out: dict[int, tuple[int, str]] = {}
        ids = [int(c) for c in chunk_ids]
        for i in range(0, len(ids), 5000):
            marks = ",".join(map(str, ids[i : i + 5000]))
            rows = self._rows(
                f"SELECT c.chunk_id, c.doc_id, {CHUNK_TEXT_SQL} FROM chunks c "
                f"JOIN documents d USING (doc_id) WHERE c.chunk_id IN ({marks})"
            )
            out.update({r[0]: (r[1], r[2]) for r in rows})
        return out

    def within_budget(self, terms: list[str], budget: int) -> list[str]:
        """The rarest terms whose postings add up to at most ``budget``.

        May be empty: when even the rarest term is in more chunks than the budget, the
        keyword search is skipped (its BM25 weight would be small anyway).
        """
        postings = self.postings([stem(t) for t in terms])
        freq = {t: postings[stem(t)] for t in terms}
        if sum(freq.values()) <= budget:
            return terms
        kept: set[str] = set()
        total = 0
        for t in sorted(terms, key=lambda t: (freq[t], t)):
            if total + freq[t] > budget:
                break
            kept.add(t)
            total += freq[t]
        return [t for t in terms if t in kept]

    def _filtered_rows(
        self, sql: str, params: list, allowed: set[int] | None, k: int
    ) -> list[tuple]:
        """The first ``k`` rows whose first column is in ``allowed`` (None: any); SQLite's
        errors are left to the caller."""
        out = []
        with self.lease(), self._lock:
            cursor = self._db.execute(sql, params)
            while len(out) < k:
                batch = cursor.fetchmany(1000)
                if not batch:
                    break
                out.extend(r for r in batch if allowed is None or r[0] in allowed)
            cursor.close()
        return out[:k]

    def chunk_vectors(self, chunk_ids: Sequence[int]) -> np.ndarray:
        with self.lease():
            try:
                return self._vectors.get(chunk_ids)
            except (RuntimeError, ValueError) as exc:
                raise self._vector_error(exc) from exc

    def chunks(self, chunk_ids: Sequence[int]) -> dict[int, ChunkRow]:
        if not chunk_ids:
            return {}
        marks = ",".join(str(int(c)) for c in chunk_ids)
        rows = self._rows(
            'SELECT c.chunk_id, c.doc_id, c.ordinal, c.start, c."end", c.kind, c.section, '
            f"c.repeat, {CHUNK_TEXT_SQL}, d.title, d.date, "
            f"d.company, d.tickers, d.path, {self._url_sql('d.')}, {self.group_sql()} "
            f"FROM chunks c JOIN documents d USING (doc_id) WHERE c.chunk_id IN ({marks})"
        )
        out = {}
        try:
            for r in rows:
                out[r[0]] = ChunkRow(*r[:12], tuple(json.loads(r[12])), r[13], r[14], r[15])
        except (ValueError, TypeError) as exc:  # a damaged row
            raise self._store_error(exc) from exc
        return out

    def sentences(
        self, chunk_ids: Sequence[int]
    ) -> dict[int, tuple[list[tuple[int, int]], np.ndarray]]:
        """Per chunk: its sentences' ``(start, end)`` in the release text and their vectors."""
        if not chunk_ids:
            return {}
        marks = ",".join(str(int(c)) for c in chunk_ids)
        rows = self._rows(
            f'SELECT chunk_id, start, "end", vec, scale FROM sentences WHERE chunk_id IN ({marks}) '
            "ORDER BY chunk_id, start"
        )
        grouped: dict[int, list[tuple]] = {}
        for r in rows:
            grouped.setdefault(r[0], []).append(r)
        dim = self.manifest.dim
        try:
            return {
                cid: (
                    [(r[1], r[2]) for r in rs],
                    dequantize([r[3] for r in rs], [r[4] for r in rs], dim),
                )
                for cid, rs in grouped.items()
            }
        except (ValueError, TypeError) as exc:  # a vector blob of the wrong length
            raise self._store_error(exc) from exc

    def allowed_chunks(self, chunk_filter: ChunkFilter) -> list[int] | None:
        """Chunk ids that pass ``chunk_filter``; None when it restricts nothing."""
        if chunk_filter.is_empty():
            return None
        if chunk_filter.doc_ids is not None and not chunk_filter.doc_ids:
            return []
        where, params = chunk_filter.sql()
        sql = f"SELECT c.chunk_id FROM chunks c JOIN documents d USING (doc_id) WHERE {where}"
        return [r[0] for r in self._rows(sql, params)]

    # -- documents ---------------------------------------------------------------------------
    def document_text(self, doc_id: int) -> str:
        rows = self._rows("SELECT text FROM documents WHERE doc_id = ?", (doc_id,))
        if not rows:
            raise KeyError(doc_id)
        return rows[0][0]

    def documents(self) -> list[DocumentRow]:
        """Every release, newest first (read once per generation: it never changes)."""
        if self._documents is None:
            self._documents = self._read_documents()
        return self._documents

    def date_range(self) -> tuple[str | None, str | None]:
        """The oldest and newest release dates (None when no release is dated)."""
        if self._date_range is None:
            rows = self._rows("SELECT min(date), max(date) FROM documents WHERE date IS NOT NULL")
            self._date_range = (rows[0][0], rows[0][1])
        return self._date_range

    def _url_sql(self, table: str = "") -> str:
        """The source-link column, or NULL in a format older than 5 (opened as it is)."""
        return f"{table}url" if self.manifest.format_version >= 5 else "NULL"

    def _read_documents(self) -> list[DocumentRow]:
        rows = self._rows(
            "SELECT d.doc_id, d.path, d.title, d.date, d.company, d.tickers, d.wire, d.n_chunks, "
            f"d.indexed_at, {self._url_sql('d.')}, {self.group_sql()} "
            "FROM documents d ORDER BY d.date DESC, d.title"
        )
        try:
            return [
                DocumentRow(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), *r[6:])
                for r in rows
            ]
        except (ValueError, TypeError) as exc:
            raise self._store_error(exc) from exc

    def matching_documents(self, terms: Sequence[str]) -> set[int]:
        """The releases with a chunk whose text or headline holds every one of ``terms``
        (lower-cased words, matched by their stems as the keyword index reads them)."""
        terms = list(dict.fromkeys(t for t in terms if t))
        if not terms:
            return set()
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = (
            "SELECT DISTINCT c.doc_id FROM chunks_fts f JOIN chunks c ON c.chunk_id = f.rowid "
            "WHERE chunks_fts MATCH ?"
        )
        return {r[0] for r in self._rows(sql, [match])}

    def chunks_of(self, doc_ids: Sequence[int]) -> list[int]:
        """Every chunk id of these releases."""
        if not doc_ids:
            return []
        marks = ",".join(str(int(d)) for d in doc_ids)
        return [r[0] for r in self._rows(f"SELECT chunk_id FROM chunks WHERE doc_id IN ({marks})")]
