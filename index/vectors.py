"""The vector index: FAISS inner product over unit vectors, keyed by chunk id."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

__all__ = ["VectorIndex"]


def _ids(ids: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64))


class VectorIndex:
    """Exact cosine search (vectors are normalised) with stable int64 ids.

    ``IndexIDMap2`` keeps an id -> row map, so vectors can be removed and read back
    (the embedding cache reuses stored vectors instead of re-encoding).
    """

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def empty(cls, dim: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def read(cls, path: Path) -> VectorIndex:
        return cls(faiss.read_index(str(path)))

    def write(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), _ids(ids))

    def remove(self, ids: Sequence[int]) -> int:
        if not len(ids):
            return 0
        return int(self._index.remove_ids(faiss.IDSelectorBatch(_ids(ids))))

    def get(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``ids`` (every id must be present)."""
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_batch(_ids(ids))

    def search(
        self, query: np.ndarray, k: int, allowed: Sequence[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) for one query vector, optionally among ``allowed`` ids only.

        The restriction is applied inside the search, so a restrictive filter still
        yields the best ``k`` allowed vectors rather than a truncated top-k.
        """
        n = len(self) if allowed is None else min(len(self), len(allowed))
        k = min(k, n)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(_ids(allowed)))
        scores, ids = self._index.search(q, k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]
