"""The stored vectors of a compressed index: float16 rows by chunk id, read by mapping.

A product-quantised index (``VectorIndex`` of kind ``pq``) cannot give its vectors back,
so they are kept beside it in ``vectors.f16``, which serves the exact re-ranking of its
candidates, ``get`` for the embedding cache, and a rebuild into another type. The file is

    header   64 bytes: magic ``PRSVF16`` + version byte, rows (int64), dimension (int64)
    ids      int64 per row, ascending (an id may have several rows, adjacent)
    padding  to the next 4 KiB
    rows     float16, one vector of ``dimension`` values per id, in the ids' order

Readers map it (``np.memmap``): opening costs nothing at any size and a search reads only
the rows of its candidates. Changes (``add``/``remove``) are kept aside and merged when the
file is written, streaming the old rows through in blocks, so a writer never holds the
whole file in memory. float16 keeps a unit vector's inner products to about 1e-3.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = ["STORED_SUFFIX", "StoredVectors", "write_file"]

STORED_SUFFIX = ".f16"  # beside the index file: vectors.faiss -> vectors.f16
_MAGIC = b"PRSVF16\x01"
_HEADER = 64
_ALIGN = 4096
_BLOCK = 1 << 16  # rows copied at a time when writing


def _rows_offset(n: int) -> int:
    end = _HEADER + 8 * n
    return -(-end // _ALIGN) * _ALIGN


def write_file(path: Path, dim: int, ids: np.ndarray, blocks: Iterable[np.ndarray]) -> None:
    """Write a stored-vectors file from ascending ``ids`` and their rows in blocks (in
    order, any float type), and fsync it. The rows are never all in memory."""
    n = len(ids)
    head = bytearray(_HEADER)
    head[:8] = _MAGIC
    head[8:24] = np.array([n, dim], dtype="<i8").tobytes()
    written = 0
    with open(path, "wb") as fh:
        fh.write(bytes(head))
        fh.write(np.asarray(ids, "<i8").tobytes())
        fh.write(b"\0" * (_rows_offset(n) - _HEADER - 8 * n))
        for block in blocks:
            block = np.ascontiguousarray(block, "<f2")
            if block.ndim != 2 or block.shape[1] != dim:
                raise ValueError(f"rows of {block.shape} for dimension {dim}")
            fh.write(block.tobytes())
            written += len(block)
        if written != n:
            raise ValueError(f"{written} rows written for {n} ids")
        fh.flush()
        os.fsync(fh.fileno())


class StoredVectors:
    """float16 vectors keyed by int64 id: a mapped file plus changes not yet written."""

    def __init__(self, dim: int, ids: np.ndarray, rows: np.ndarray) -> None:
        self.dim = dim
        self._ids = ids  # ascending; may be a memmap
        self._rows = rows  # float16 (n, dim); may be a memmap
        self._keep: np.ndarray | None = None  # bool per base row; None: all kept
        self._new_ids: list[np.ndarray] = []
        self._new_rows: list[np.ndarray] = []
        self._new_at: dict[int, tuple[int, int]] = {}  # id -> (part, row) of added vectors

    # -- files ---------------------------------------------------------------------------------
    @classmethod
    def empty(cls, dim: int) -> StoredVectors:
        return cls(dim, np.zeros(0, np.int64), np.zeros((0, dim), np.float16))

    @classmethod
    def open(cls, path: Path) -> StoredVectors:
        """Map a written file (read-only); ``ValueError`` when it is not one."""
        try:
            with open(path, "rb") as fh:
                head = fh.read(_HEADER)
                size = os.fstat(fh.fileno()).st_size
        except OSError as exc:
            raise ValueError(f"{path.name}: {exc.strerror or exc}") from exc
        if len(head) < _HEADER or head[:8] != _MAGIC:
            raise ValueError(f"{path.name} is not a stored-vectors file")
        n, dim = (int(x) for x in np.frombuffer(head[8:24], dtype="<i8"))
        if n < 0 or dim <= 0 or size != _rows_offset(n) + 2 * n * dim:
            raise ValueError(f"{path.name}: {size} bytes do not hold {n} rows of {dim}")
        if n == 0:
            return cls.empty(dim)
        ids = np.memmap(path, dtype="<i8", mode="r", offset=_HEADER, shape=(n,))
        rows = np.memmap(path, dtype="<f2", mode="r", offset=_rows_offset(n), shape=(n, dim))
        return cls(dim, ids, rows)

    def write(self, path: Path) -> None:
        """Write every kept and added vector, ids ascending, and fsync the file."""
        ids, order = self._merged()
        write_file(
            path,
            self.dim,
            ids,
            (self.gather(order[s : s + _BLOCK]) for s in range(0, len(ids), _BLOCK)),
        )

    def _merged(self) -> tuple[np.ndarray, np.ndarray]:
        """Ids of every kept and added row, ascending, and for each its position among
        the kept base rows followed by the added ones (what :meth:`gather` takes)."""
        base_ids = self._ids if self._keep is None else self._ids[self._keep]
        new_ids = np.concatenate(self._new_ids) if self._new_ids else np.zeros(0, np.int64)
        ids = np.concatenate([np.asarray(base_ids, np.int64), new_ids])
        order = np.argsort(ids, kind="stable")
        return ids[order], order

    def gather(self, positions: np.ndarray) -> np.ndarray:
        """float16 rows at ``positions`` of :meth:`_merged`'s numbering."""
        kept = np.flatnonzero(self._keep) if self._keep is not None else None
        n_base = len(self._ids) if kept is None else len(kept)
        block = np.empty((len(positions), self.dim), "<f2")
        from_base = positions < n_base
        if from_base.any():
            rows = positions[from_base] if kept is None else kept[positions[from_base]]
            block[from_base] = self._rows[rows]
        if not from_base.all():
            block[~from_base] = self._added_rows()[positions[~from_base] - n_base]
        return block

    def _added_rows(self) -> np.ndarray:
        """The added rows as one array, in the order :meth:`_merged` numbers them: the
        parts are joined once (not once per block written), and stay joined."""
        if len(self._new_rows) > 1:
            self._new_ids = [np.concatenate(self._new_ids)]
            self._new_rows = [np.concatenate(self._new_rows)]
            self._reindex(0)
        return self._new_rows[0] if self._new_rows else np.zeros((0, self.dim), "<f2")

    def merged_rows(self) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        """Every row's id, ascending, and a function giving the float32 rows at positions
        of that order: a view to rebuild an index from without loading every row."""
        ids, order = self._merged()
        return ids, lambda at: self.gather(order[at]).astype(np.float32)

    # -- contents ------------------------------------------------------------------------------
    def __len__(self) -> int:
        kept = len(self._ids) if self._keep is None else int(self._keep.sum())
        return kept + sum(len(i) for i in self._new_ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        part = len(self._new_ids)
        self._new_ids.append(np.asarray(ids, np.int64).copy())
        self._new_rows.append(np.asarray(vectors, np.float32).astype("<f2"))
        for row, i in enumerate(self._new_ids[-1].tolist()):
            self._new_at[i] = (part, row)

    def remove(self, ids: np.ndarray) -> int:
        """Drop every row of ``ids``; returns how many rows went."""
        ids = np.unique(np.asarray(ids, np.int64))
        gone = 0
        lo, hi = self._ranges(ids)
        if (hi > lo).any():
            if self._keep is None:
                self._keep = np.ones(len(self._ids), bool)
            for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
                gone += int(self._keep[a:b].sum())
                self._keep[a:b] = False
        for i in ids.tolist():
            if i in self._new_at:
                part, row = self._new_at.pop(i)
                keep = self._new_ids[part] != i
                gone += int((~keep).sum())
                self._new_ids[part] = self._new_ids[part][keep]
                self._new_rows[part] = self._new_rows[part][keep]
                self._reindex(part)
        return gone

    def _reindex(self, part: int) -> None:
        for row, i in enumerate(self._new_ids[part].tolist()):
            self._new_at[i] = (part, row)

    def _ranges(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per id, the base rows ``[lo, hi)`` holding it (empty when it has none)."""
        return (
            np.searchsorted(self._ids, ids, side="left"),
            np.searchsorted(self._ids, ids, side="right"),
        )

    def get(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """One float32 vector per id (its first row); ``KeyError`` for an id not stored."""
        found, out = self._first_rows(np.asarray(ids, np.int64))
        if not found.all():
            raise KeyError(int(np.asarray(ids)[np.flatnonzero(~found)[0]]))
        return out

    def _first_rows(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per id, whether it is stored and its vector (its first row; zeros when not)."""
        out = np.zeros((len(ids), self.dim), np.float32)
        found = np.zeros(len(ids), bool)
        lo, hi = self._ranges(ids)
        for j, (i, a, b) in enumerate(zip(ids.tolist(), lo.tolist(), hi.tolist(), strict=True)):
            if i in self._new_at:
                part, row = self._new_at[i]
                out[j] = self._new_rows[part][row]
                found[j] = True
                continue
            rows = [r for r in range(a, b) if self._keep is None or self._keep[r]]
            if rows:
                out[j] = self._rows[rows[0]]
                found[j] = True
        return found, out

    def best_scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Per id (unique), the highest inner product of ``query`` with one of its rows;
        ``-inf`` for an id not stored. Reads only those rows."""
        ids = np.asarray(ids, np.int64)
        query = np.asarray(query, np.float32)
        out = np.full(len(ids), -np.inf, np.float32)
        if self._keep is not None or self._new_at:  # a writer's pending changes: one row an id
            found, vecs = self._first_rows(ids)
            out[found] = vecs[found] @ query
            return out
        lo, hi = self._ranges(ids)
        counts = hi - lo
        has = counts > 0
        if not has.any():
            return out
        lo, counts = lo[has], counts[has]
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
        rows = starts + np.arange(int(counts.sum()))
        sims = self._rows[rows].astype(np.float32) @ query
        bounds = np.concatenate([[0], np.cumsum(counts)[:-1]])
        out[has] = np.maximum.reduceat(sims, bounds)
        return out

    def all(self) -> tuple[np.ndarray, np.ndarray]:
        """Every ``(ids, float32 vectors)``, ids ascending, one row per id (its first)."""
        base = np.arange(len(self._ids)) if self._keep is None else np.flatnonzero(self._keep)
        base_ids = np.asarray(self._ids[base], np.int64)
        first = np.ones(len(base_ids), bool)
        first[1:] = base_ids[1:] != base_ids[:-1]
        base = base[first]
        ids = [base_ids[first]] + self._new_ids
        rows = [np.asarray(self._rows[base], np.float32)] + [
            r.astype(np.float32) for r in self._new_rows
        ]
        ids_all, rows_all = np.concatenate(ids), np.concatenate(rows)
        order = np.argsort(ids_all, kind="stable")
        return ids_all[order], rows_all[order]
