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
from dataclasses import replace
from pathlib import Path

import numpy as np

__all__ = [
    "build_vectors",
    "chunk_ids",
    "compressed_generation",
    "evict",
    "exact_search_ms",
    "exact_top",
    "pq_of_index",
    "pq_recall",
    "regroup",
    "synthetic_rows",
]

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
    *,
    train_per_list: int | None = None,
    threads: int = 1,
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
    try:  # rows written by an earlier run are kept (they depend on n and the seed only)
        stored = StoredVectors.open(stored_path(index_path))
        if len(stored) != n or not np.array_equal(stored._ids, ids):
            raise ValueError("other rows")
        log(f"  {n} stored vectors kept from an earlier run")
    except ValueError:
        write_file(stored_path(index_path), dim, ids, synthetic_rows(pool, n, jitter))
        stored = StoredVectors.open(stored_path(index_path))
    rows_s = time.perf_counter() - started
    log(f"  {n} stored vectors written in {rows_s:.0f} s")
    mapped = stored._rows  # float16 (n, dim), mapped

    last = [time.perf_counter()]

    def progress(done: int) -> None:
        if time.perf_counter() - last[0] > 60 or done == n:
            last[0] = time.perf_counter()
            log(f"  added {done}/{n} ({last[0] - started:.0f} s)")

    settings = VectorSettings()
    if train_per_list is not None:
        settings = replace(settings, train_per_list=train_per_list)
    index = VectorIndex.pq(
        ids,
        lambda at: mapped[at].astype(np.float32),
        pq_lists(n),
        settings,
        stored=stored,
        progress=progress,
        threads=threads,
    )
    faiss.write_index(index._index, str(index_path))  # the stored rows are written already
    return {
        "vectors": n,
        "copies": copies,
        "stored_rows_s": round(rows_s, 1),
        "train_per_list": settings.train_per_list,
        "threads": threads,
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
    take = 2 * k  # a chunk's copies may fill several places; keep room to de-duplicate
    for start in range(0, len(ids), 1 << 18):
        block = rows[start : start + (1 << 18)].astype(np.float32)
        sims = q @ block.T
        part = np.argpartition(-sims, take - 1, axis=1)[:, :take]
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


def compressed_generation(
    index_dir: Path, name: str, write_vectors: Callable[[Path], dict]
) -> tuple[Path, dict]:
    """A copy of ``index_dir``'s published generation (store hard-linked) whose vector
    files ``write_vectors(folder)`` writes; the manifest records them (type, checksums).
    Returns the new index folder and what ``write_vectors`` returned (cached by name)."""
    import json
    import shutil
    from dataclasses import replace

    from index.integrity import digest_files
    from index.manifest import Manifest
    from index.vectors import VectorIndex

    gen = (index_dir / "CURRENT").read_text().strip()
    out = index_dir.with_name(name)
    stamp = out.with_suffix(".build.json")
    if stamp.exists() and (out / "CURRENT").exists():
        info = json.loads(stamp.read_text())
        if info.get("source_generation") == f"{index_dir.name}/{gen}":
            return out, info
    shutil.rmtree(out, ignore_errors=True)
    folder = out / gen
    folder.mkdir(parents=True)
    (folder / "store.sqlite").hardlink_to(index_dir / gen / "store.sqlite")
    info = write_vectors(folder)
    vectors = VectorIndex.read(folder / "vectors.faiss")
    manifest = Manifest.read(index_dir / gen / "manifest.json")
    extra = {**manifest.extra, "vectors": vectors.describe()}
    vectors.close()
    started = time.perf_counter()
    manifest = replace(manifest, extra=extra, files=digest_files(folder))
    (folder / "manifest.json").write_text(manifest.to_json())
    info["checksums_s"] = round(time.perf_counter() - started, 1)
    (out / "CURRENT").write_text(gen)
    info["source_generation"] = f"{index_dir.name}/{gen}"
    stamp.write_text(json.dumps(info))
    return out, info


def chunk_ids(index_dir: Path) -> np.ndarray:
    """The chunk ids of an index's store, ascending."""
    import sqlite3

    gen = (index_dir / "CURRENT").read_text().strip()
    db = sqlite3.connect(f"{(index_dir / gen / 'store.sqlite').as_uri()}?mode=ro", uri=True)
    try:
        return np.array([r[0] for r in db.execute("SELECT chunk_id FROM chunks ORDER BY 1")])
    finally:
        db.close()


def pq_of_index(index_dir: Path, folder: Path) -> dict:
    """The compressed index of ``index_dir``'s own vectors, written into ``folder``."""
    from index.settings import VectorSettings
    from index.vectors import VectorIndex, pq_lists

    gen = (index_dir / "CURRENT").read_text().strip()
    started = time.perf_counter()
    ids, vectors = VectorIndex.read(index_dir / gen / "vectors.faiss", writable=True).all()
    index = VectorIndex.pq(
        ids, lambda at: vectors[at], pq_lists(len(ids)), VectorSettings(), threads=1
    )
    index.write(folder / "vectors.faiss")
    return {"vectors": len(ids), "copies": 1, "total_s": round(time.perf_counter() - started, 1)}


def exact_search_ms(stored_file: Path, queries: np.ndarray, k: int = 100) -> float:
    """Median ms of an exact top-``k`` over every stored row, one query at a time (the
    baseline where an uncompressed index does not fit in memory)."""
    from index.stored_vectors import StoredVectors

    stored = StoredVectors.open(stored_file)
    times = []
    for q in queries:
        t = time.perf_counter()
        best = np.full(0, -np.inf, np.float32)
        for start in range(0, len(stored), 1 << 20):
            sims = stored._rows[start : start + (1 << 20)].astype(np.float32) @ q
            best = np.concatenate([best, sims[np.argpartition(-sims, k - 1)[:k]]])
            best = best[np.argpartition(-best, k - 1)[:k]]
        times.append(time.perf_counter() - t)
    return round(1000 * float(np.median(times)), 1)


def evict(index_dir: Path) -> None:
    """Drop the published generation's files from the page cache (``POSIX_FADV_DONTNEED``:
    only these files, unlike ``drop_caches``, so other work on the machine keeps its cache)."""
    import os

    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    for path in gen.iterdir():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def pq_recall(
    index_dir: Path, queries: np.ndarray, exact: list[np.ndarray], divisor: int | None = None
) -> dict:
    """Recall@100 and @10 of the published compressed index against ``exact`` (per query,
    the exact top 100 chunk ids, :func:`exact_top`), searched as ``retrieve`` searches
    (probing ``nlist / divisor`` lists; default: the settings'), and the search's p50 ms."""
    from index.settings import VectorSettings
    from index.vectors import VectorIndex

    settings = VectorSettings()
    if divisor is not None:
        settings = replace(settings, pq_nprobe_divisor=divisor)
    gen = (index_dir / "CURRENT").read_text().strip()
    index = VectorIndex.read(index_dir / gen / "vectors.faiss")
    r100, r10, times = [], [], []
    for q, ex in zip(queries, exact, strict=True):
        t = time.perf_counter()
        got = index.search(q, 100, settings=settings)[1]
        times.append(time.perf_counter() - t)
        r100.append(len(set(got.tolist()) & set(ex[:100].tolist())) / 100)
        r10.append(len(set(got[:10].tolist()) & set(ex[:10].tolist())) / 10)
    nprobe = index._probes(settings)
    index.close()
    return {
        "recall@100": float(np.mean(r100)),
        "recall@10": float(np.mean(r10)),
        "nprobe": nprobe,
        "search_p50_ms": round(1000 * float(np.median(times)), 1),
    }


def regroup(src: Path, dst: Path, factor: int) -> None:
    """Give the vectors of every ``factor`` consecutive chunk ids to one chunk: id ``c``
    becomes ``(c - 1) // factor + 1`` in both files of ``src``, which is renamed ``dst``.

    The rows were drawn independently of their ids, so this is the index
    :func:`build_vectors` would have written for the smaller store with ``factor`` times
    the copies; the map is monotone, so the stored ids stay ascending.
    """
    import json

    import faiss

    from index.stored_vectors import _HEADER

    f16 = src / "vectors.f16"
    with open(f16, "rb") as fh:
        n = int(np.frombuffer(fh.read(_HEADER)[8:16], "<i8")[0])
    ids = np.memmap(f16, dtype="<i8", mode="r+", offset=_HEADER, shape=(n,))
    ids[:] = (ids - 1) // factor + 1
    ids.flush()
    del ids
    index = faiss.read_index(str(src / "vectors.faiss"))
    invlists = faiss.extract_index_ivf(index).invlists
    for lst in range(invlists.nlist):
        size = invlists.list_size(lst)
        if size:
            old = faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy()
            new = np.ascontiguousarray((old - 1) // factor + 1, dtype=np.int64)
            invlists.update_entries(lst, 0, size, faiss.swig_ptr(new), invlists.get_codes(lst))
    faiss.write_index(index, str(src / "vectors.faiss"))
    info = json.loads(src.with_suffix(".json").read_text())
    info["copies"] = info["copies"] * factor
    info["regrouped_from"] = src.name
    dst.with_suffix(".json").write_text(json.dumps(info))
    src.rename(dst)
