"""The 10^7 vectors of the scale benchmark: several synthetic vectors per stored chunk.

Storing 10^7 chunks of text through the writer would take about 50 GB of disk and hours
here (the 10^6 store is 4.7 GB and took 7 minutes on a quiet machine), so the largest
row of ``benchmarks/scale.py`` keeps the 10^6-chunk store of real text and gives every
chunk ``copies`` vectors (10: 10^7 in all) in a compressed index: each vector is drawn as
every synthetic vector of the benchmark is (a real MiniLM vector of the pool, jittered to
cosine ~0.9), so the index has the size and the geometry of 10^7 chunks, and a search
does the work of one over 10^7. A chunk's score is its best vector's; the search returns
distinct chunks. :func:`build_vectors` writes the generation's two vector files,
streaming (the 15 GB of float32 vectors are never in memory), :func:`exact_top` the
exact answer over the same stored rows for the recall.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

__all__ = ["build_vectors", "exact_top", "synthetic_rows"]

_BLOCK = 1 << 17


def synthetic_rows(pool: np.ndarray, n: int, jitter: float, seed: int = 7) -> Iterator[np.ndarray]:
    """``n`` unit vectors in blocks: a pool vector each, jittered (reproducible)."""
    dim = pool.shape[1]
    for b, start in enumerate(range(0, n, _BLOCK)):
        size = min(_BLOCK, n - start)
        rng = np.random.default_rng((seed, b))
        v = pool[rng.integers(0, len(pool), size)]
        v += rng.normal(size=(size, dim)).astype(np.float32) * np.float32(jitter / np.sqrt(dim))
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        yield v.astype(np.float16)


def build_vectors(
    folder: Path,
    chunk_ids: np.ndarray,
    copies: int,
    pool: np.ndarray,
    jitter: float,
    log: Callable[[str], None] = print,
) -> dict:
    """Write ``vectors.f16`` (``copies`` rows per chunk id) and ``vectors.faiss`` (the
    compressed index over them, built by :meth:`index.vectors.VectorIndex.pq`) into
    ``folder``; returns the timings."""
    import faiss

    from index.settings import VectorSettings
    from index.stored_vectors import StoredVectors, write_file
    from index.vectors import VectorIndex, pq_lists, stored_path

    folder.mkdir(parents=True, exist_ok=True)
    ids = np.repeat(np.sort(np.asarray(chunk_ids, np.int64)), copies)
    n, dim = len(ids), pool.shape[1]
    index_path = folder / "vectors.faiss"
    started = time.perf_counter()
    write_file(stored_path(index_path), dim, ids, synthetic_rows(pool, n, jitter))
    rows_s = time.perf_counter() - started
    log(f"  {n} stored vectors written in {rows_s:.0f} s")
    stored = StoredVectors.open(stored_path(index_path))
    mapped = stored._rows  # float16 (n, dim), mapped

    last = [time.perf_counter()]

    def progress(done: int) -> None:
        if time.perf_counter() - last[0] > 60 or done == n:
            last[0] = time.perf_counter()
            log(f"  added {done}/{n} ({last[0] - started:.0f} s)")

    settings = VectorSettings()
    index = VectorIndex.pq(
        ids,
        lambda at: mapped[at].astype(np.float32),
        pq_lists(n),
        settings,
        stored=stored,
        progress=progress,
        threads=1,
    )
    faiss.write_index(index._index, str(index_path))  # the stored rows are written already
    return {
        "vectors": n,
        "copies": copies,
        "stored_rows_s": round(rows_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
        "describe": index.describe(),
    }


def exact_top(stored_file: Path, queries: np.ndarray, k: int = 10) -> list[np.ndarray]:
    """Per query, the exact top ``k`` chunk ids over every stored row (a chunk scoring as
    its best row), scanning the file in blocks."""
    from index.stored_vectors import StoredVectors

    stored = StoredVectors.open(stored_file)
    ids, rows = np.asarray(stored._ids), stored._rows
    q = np.ascontiguousarray(queries, np.float32)
    best_s = np.full((len(q), 0), -np.inf, np.float32)
    best_i = np.zeros((len(q), 0), np.int64)
    take = 4 * k  # a chunk's copies may fill several places; keep room to de-duplicate
    for start in range(0, len(ids), 1 << 20):
        block = rows[start : start + (1 << 20)].astype(np.float32)
        sims = q @ block.T
        part = np.argpartition(-sims, take, axis=1)[:, :take]
        best_s = np.concatenate([best_s, np.take_along_axis(sims, part, 1)], axis=1)
        best_i = np.concatenate([best_i, ids[start + part]], axis=1)
        keep = np.argsort(-best_s, axis=1)[:, :take]
        best_s = np.take_along_axis(best_s, keep, 1)
        best_i = np.take_along_axis(best_i, keep, 1)
    out = []
    for s, i in zip(best_s, best_i, strict=True):
        _, first = np.unique(i, return_index=True)  # the best place of each chunk
        order = first[np.argsort(-s[first])]
        out.append(i[order][:k])
    return out
