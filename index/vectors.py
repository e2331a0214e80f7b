"""The vector index: FAISS inner product over unit vectors, keyed by chunk id.

The index type follows the corpus size. Up to ``VectorSettings.exact_max`` vectors the
search is exact (``IndexFlatIP`` behind an ``IndexIDMap2``); above it, an inverted-file
index (``IndexIVFFlat``) with ``nlist`` about 4*sqrt(n) lists, searched with
``nprobe = nlist / VectorSettings.nprobe_divisor`` lists. ``benchmarks/scale.py``
measures its recall against exact search (at least 0.98 for the 100 candidates ``retrieve`` takes).

Above ``VectorSettings.compressed_min`` vectors, where IVF's uncompressed lists (1.5 KB a
vector) would not fit the memory of one machine, the index is compressed: ``IndexIVFPQ``
(``pq_m`` bytes a vector, ``nlist`` about sqrt(n)) finds ``pq_rerank`` candidates, which are
re-ranked exactly against the vectors stored beside it in float16
(:class:`~index.stored_vectors.StoredVectors`, ``vectors.f16``), so the scores a search
returns are true inner products. ``benchmarks/scale.py`` measures all three types.

Every type keeps stable int64 ids, can remove vectors and can give stored vectors back
(the embedding cache reuses them instead of re-encoding); the IVF index does so through
a hash-table direct map, the compressed one from its stored vectors. IVF stores the
vectors uncompressed, so nothing is lost when an index is converted between flat and
IVF; the compressed type's stored vectors are float16. Readers map the file into memory
(``IO_FLAG_MMAP_IFC``) instead of reading it, so opening costs milliseconds at any size;
the first searches of a mapped IVF index ask the kernel for the lists they will scan, so
a process started with the index out of the page cache does not read it fault by fault.
"""

from __future__ import annotations

import ctypes
import math
import mmap
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import faiss
import numpy as np

from .settings import VectorSettings
from .stored_vectors import STORED_SUFFIX, StoredVectors

__all__ = ["VectorIndex", "ivf_lists", "pq_lists", "stored_path"]

DEFAULT_VECTORS = VectorSettings()
_SEED = 1234
_HNSW_M = 32  # graph links per centroid of a compressed index's quantizer


PREFETCH_SEARCHES = 16  # searches of a mapped IVF index that prefetch their lists
_MADV_WILLNEED = 3
_PAGE = mmap.PAGESIZE


def _libc(name: str, *argtypes: object) -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None
    fn.argtypes = list(argtypes)
    fn.restype = ctypes.c_int
    return fn


_madvise = _libc("madvise", ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
_mincore = _libc("mincore", ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
_MINCORE_VEC = (ctypes.c_ubyte * 1)()


def _will_need(ranges: Sequence[tuple[int, int]]) -> None:
    """``madvise(MADV_WILLNEED)`` over memory ranges ``(address, bytes)``; failures are
    ignored (it is advice: the search reads the pages anyway)."""
    if _madvise is None:
        return
    for address, nbytes in ranges:
        start = address - address % _PAGE
        _madvise(start, nbytes + (address - start), _MADV_WILLNEED)


def _resident(address: int) -> bool:
    """Whether the page holding ``address`` is in memory (``mincore``)."""
    if _mincore is None:
        return False
    start = address - address % _PAGE
    if _mincore(start, 1, _MINCORE_VEC) != 0:
        return False
    return bool(_MINCORE_VEC[0] & 1)


def _ids(ids: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64))


def ivf_lists(n: int) -> int:
    """Inverted lists for ``n`` vectors: the power of two nearest 4*sqrt(n)."""
    return int(2 ** round(math.log2(4 * math.sqrt(max(n, 1)))))


def pq_lists(n: int) -> int:
    """Inverted lists of a compressed index of ``n`` vectors: the power of two nearest
    sqrt(n) (4096 at 10^7), a quarter of IVF's, so that adding a vector compares it with
    4x fewer centroids (the cost of building at 10^7 on two cores)."""
    return max(1, ivf_lists(n) // 4)


def stored_path(index_path: Path) -> Path:
    """Where a compressed index's stored vectors live: ``vectors.faiss`` -> ``vectors.f16``."""
    return Path(index_path).with_suffix(STORED_SUFFIX)


class VectorIndex:
    """Cosine search (vectors are normalised) with stable int64 ids."""

    def __init__(
        self,
        index: faiss.Index,
        *,
        mapped: bool = False,
        stored: StoredVectors | None = None,
    ) -> None:
        self._faiss = index
        # Ids removed from a compressed index, not yet taken out of its lists: it has no
        # direct map, so each removal scans every list; they are taken out together, by
        # one scan, before the index is next used (see ``_index``).
        self._pending_removal: list[np.ndarray] = []
        self._ivf = faiss.extract_index_ivf(index) if isinstance(index, faiss.IndexIVF) else None
        self._pq = isinstance(index, faiss.IndexIVFPQ)
        if self._pq and stored is None:
            raise ValueError("a compressed index needs its stored vectors")
        self._stored = stored if self._pq else None
        self._prefetch_left = PREFETCH_SEARCHES if mapped and _madvise is not None else 0

    @property
    def _index(self) -> faiss.Index:
        """The FAISS index, with any removals still pending taken out first."""
        if self._pending_removal:
            ids = np.unique(np.concatenate(self._pending_removal))
            self._pending_removal = []
            self._faiss.remove_ids(faiss.IDSelectorBatch(ids))
        return self._faiss

    @classmethod
    def empty(cls, dim: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def read(cls, path: Path, *, writable: bool = False) -> VectorIndex:
        """Open an index file; read-only opens map it into memory instead of reading it.

        A mapped index must not be changed (FAISS would write into a read-only mapping):
        writers open with ``writable=True``.
        A compressed index also maps its stored vectors (:func:`stored_path`); their
        count must match the index's.
        """
        flags = 0 if writable else faiss.IO_FLAG_MMAP_IFC
        index = faiss.read_index(str(path), flags)
        stored = None
        if isinstance(index, faiss.IndexIVFPQ):
            stored = StoredVectors.open(stored_path(path))
            if len(stored) != index.ntotal:
                raise ValueError(
                    f"{stored_path(path).name} holds {len(stored)} vectors, "
                    f"{Path(path).name} {index.ntotal}"
                )
        return cls(index, mapped=not writable, stored=stored)

    def write(self, path: Path) -> None:
        """Write the index file (and a compressed index's stored vectors beside it)."""
        faiss.write_index(self._index, str(path))
        if self._stored is not None:
            self._stored.write(stored_path(path))

    def close(self) -> None:
        """Drop the FAISS index now (a mapped file is unmapped), not when collected."""
        self._faiss = None
        self._ivf = None
        self._stored = None

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def kind(self) -> str:
        """``flat`` (exact), ``ivf`` or ``pq`` (compressed, re-ranked exactly)."""
        return "flat" if self._ivf is None else "pq" if self._pq else "ivf"

    @property
    def nlist(self) -> int:
        return 0 if self._ivf is None else int(self._ivf.nlist)

    @property
    def nprobe(self) -> int:
        return 0 if self._ivf is None else int(self._ivf.nprobe)

    def describe(self) -> dict[str, int | str]:
        """Type and parameters, for the manifest."""
        out: dict[str, int | str] = {"type": self.kind, "nlist": self.nlist, "nprobe": self.nprobe}
        if self._pq:
            out["pq_m"] = int(self._index.pq.M)
        return out

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self._index.add_with_ids(vectors, _ids(ids))
            if self._stored is not None:
                self._stored.add(_ids(ids), vectors)

    def remove(self, ids: Sequence[int]) -> int:
        if not len(ids):
            return 0
        ids = _ids(ids)
        if self._pq:  # counted by its stored vectors; taken out of the lists later, at once
            self._pending_removal.append(ids)
            return self._stored.remove(ids)
        # the IVF direct map removes only through an IDSelectorArray
        selector = faiss.IDSelectorBatch(ids) if self._ivf is None else faiss.IDSelectorArray(ids)
        return int(self._index.remove_ids(selector))

    def get(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``ids`` (every id must be present)."""
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._stored is not None:
            try:
                return self._stored.get(_ids(ids))
            except KeyError as exc:
                raise RuntimeError(f"vector id {exc.args[0]} not found") from exc
        return self._index.reconstruct_batch(_ids(ids))

    def all(self) -> tuple[np.ndarray, np.ndarray]:
        """Every ``(ids, vectors)`` stored, ids ascending."""
        if self._stored is not None:
            return self._stored.all()
        if self._ivf is None:
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            vectors = self._index.index.reconstruct_n(0, len(ids)) if len(ids) else None
        else:
            invlists = self._ivf.invlists
            id_parts, vec_parts = [], []
            for lst in range(self._ivf.nlist):
                size = invlists.list_size(lst)
                if size:
                    id_parts.append(
                        faiss.rev_swig_ptr(invlists.get_ids(lst), size).astype(np.int64).copy()
                    )
                    codes = faiss.rev_swig_ptr(invlists.get_codes(lst), size * invlists.code_size)
                    vec_parts.append(np.frombuffer(codes.copy(), dtype=np.float32))
            ids = np.concatenate(id_parts) if id_parts else np.zeros(0, np.int64)
            vectors = np.concatenate(vec_parts).reshape(-1, self.dim) if vec_parts else None
        if vectors is None:
            return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
        order = np.argsort(ids, kind="stable")
        return ids[order], vectors[order]

    # -- choosing the type ---------------------------------------------------------------------
    def fitted(self, settings: VectorSettings = DEFAULT_VECTORS) -> VectorIndex:
        """This index, or a rebuilt one of the type its size calls for.

        Exact up to ``settings.exact_max``; IVF above, retrained when the ideal number of
        lists has moved by a factor of two or more (the corpus grew or shrank fourfold).
        Going back to exact waits until the size is under half the threshold, so an
        index near the threshold is not rebuilt on every update.
        """
        n = len(self)
        if self._pq:
            if n < settings.compressed_min // 2:
                return (
                    self._rebuilt_flat() if n <= settings.exact_max else self._rebuilt_ivf(settings)
                )
            if 0.5 < pq_lists(n) / self._ivf.nlist < 2:
                return self
            return self._rebuilt_pq(settings)
        if n > settings.compressed_min:
            return self._rebuilt_pq(settings)
        if self._ivf is None:
            if n <= settings.exact_max:
                return self
        else:
            if n < settings.exact_max // 2:
                return self._rebuilt_flat()
            ratio = ivf_lists(n) / self._ivf.nlist
            if 0.5 < ratio < 2:
                return self
        return self._rebuilt_ivf(settings)

    def _rebuilt_flat(self) -> VectorIndex:
        ids, vectors = self.all()
        out = VectorIndex.empty(self.dim)
        out.add(ids, vectors)
        return out

    def _rebuilt_ivf(self, settings: VectorSettings) -> VectorIndex:
        ids, vectors = self.all()
        return VectorIndex.ivf(ids, vectors, ivf_lists(len(ids)), settings)

    def _rebuilt_pq(self, settings: VectorSettings) -> VectorIndex:
        """A compressed index of these vectors; retraining one keeps its stored vectors
        (they do not change) and reads them in blocks, never all at once."""
        if self._stored is not None:
            ids, rows = self._stored.merged_rows()
            return VectorIndex.pq(ids, rows, pq_lists(len(ids)), settings, stored=self._stored)
        ids, vectors = self.all()
        return VectorIndex.pq(ids, lambda at: vectors[at], pq_lists(len(ids)), settings)

    @classmethod
    def ivf(
        cls,
        ids: np.ndarray,
        vectors: np.ndarray,
        nlist: int,
        settings: VectorSettings = DEFAULT_VECTORS,
    ) -> VectorIndex:
        """An IVF index over ``vectors``, trained on a fixed-seed sample of them."""
        dim = vectors.shape[1]
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = _SEED
        index.cp.niter = 10
        sample = vectors
        if len(vectors) > settings.train_per_list * nlist:
            rng = np.random.default_rng(_SEED)
            pick = rng.choice(len(vectors), settings.train_per_list * nlist, replace=False)
            sample = vectors[np.sort(pick)]
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # k-means uses every core
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        index.nprobe = max(1, nlist // settings.nprobe_divisor)
        out = cls(index)
        out.add(ids, vectors)
        return out

    @classmethod
    def pq(
        cls,
        ids: np.ndarray,
        rows: Callable[[np.ndarray], np.ndarray],
        nlist: int,
        settings: VectorSettings = DEFAULT_VECTORS,
        *,
        stored: StoredVectors | None = None,
        progress: Callable[[int], None] | None = None,
        threads: int | None = None,
    ) -> VectorIndex:
        """A compressed index (IVF lists of ``settings.pq_m``-byte product codes) over the
        vectors of ``ids`` (ascending), ``rows(positions)`` giving them as float32.

        Trained on a fixed-seed sample of ``train_per_list * nlist`` vectors, then filled
        in blocks, so a corpus larger than memory can be indexed. ``stored``: the stored
        vectors when they already hold exactly these (else they are made from ``rows``).
        ``threads``: FAISS threads for training and adding (default: every core; on
        busy cores one can be faster, OpenMP workers waiting for each other).
        """
        n = len(ids)
        dim = rows(np.arange(min(n, 1))).shape[1] if n else 0
        take = min(n, settings.train_per_list * nlist)
        nbits = 8 if take >= 256 else max(1, int(math.log2(max(take, 2))))  # k-means needs 2^bits
        # the lists' centroids are found through a graph (HNSW), not compared one by one:
        # adding 10^7 vectors to 4,096 lists is then minutes instead of hours on 2 cores
        quantizer = faiss.IndexHNSWFlat(dim, _HNSW_M, faiss.METRIC_INNER_PRODUCT)
        quantizer.hnsw.efConstruction = 64
        index = faiss.IndexIVFPQ(
            quantizer, dim, nlist, settings.pq_m, nbits, faiss.METRIC_INNER_PRODUCT
        )
        index.cp.seed = _SEED
        index.cp.niter = 10
        index.pq.cp.seed = _SEED
        pick = np.sort(np.random.default_rng(_SEED).choice(n, take, replace=False))
        faiss.omp_set_num_threads(threads or os.cpu_count() or 1)
        index.train(np.ascontiguousarray(rows(pick), dtype=np.float32))
        index.nprobe = max(1, nlist // settings.pq_nprobe_divisor)
        quantizer.hnsw.efSearch = 32  # adding looks for one list a vector
        keep = stored if stored is not None else StoredVectors.empty(dim)
        block = 1 << 16
        for start in range(0, n, block):
            at = np.arange(start, min(n, start + block))
            vecs = np.ascontiguousarray(rows(at), dtype=np.float32)
            index.add_with_ids(vecs, _ids(ids[at]))
            if stored is None:
                keep.add(ids[at], vecs)
            if progress is not None:
                progress(int(at[-1]) + 1)
        quantizer.hnsw.efSearch = max(2 * index.nprobe, 64)  # a search looks for nprobe
        return cls(index, stored=keep)

    # -- search --------------------------------------------------------------------------------
    def search(
        self,
        query: np.ndarray,
        k: int,
        allowed: Sequence[int] | None = None,
        settings: VectorSettings = DEFAULT_VECTORS,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) for one query vector, optionally among ``allowed`` ids only.

        The restriction is applied inside the search, so a restrictive filter still
        yields the best ``k`` allowed vectors rather than a truncated top-k. With IVF, a
        narrow filter is searched exactly over the allowed vectors, and a broad one
        probes proportionally more lists.
        """
        n = len(self) if allowed is None else min(len(self), len(allowed))
        k = min(k, n)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        # One query is faster on one thread: waking OpenMP workers cost 0.05-3 ms per
        # search on 2 busy cores, more than a flat scan of 10^4 vectors.
        faiss.omp_set_num_threads(1)
        params = None
        probes = self._probes(settings)
        if self._pq:  # probes are a query-time setting; the graph must offer as many lists
            params = self._pq_params(probes)
        if allowed is not None:
            allowed_ids = _ids(allowed)
            if self._ivf is not None and len(allowed_ids) <= settings.filter_exact_max:
                return self._exact_among(q[0], k, allowed_ids)
            selector = faiss.IDSelectorBatch(allowed_ids)
            if self._ivf is None:
                params = faiss.SearchParameters(sel=selector)
            else:
                share = len(allowed_ids) / max(len(self), 1)
                nprobe = min(self._ivf.nlist, math.ceil(probes / max(share, 1e-9)))
                if self._pq:
                    params = self._pq_params(nprobe)
                    params.sel = selector
                else:
                    params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
        if self._ivf is not None and self._prefetch_left > 0:
            self._prefetch_lists(q, params.nprobe if params is not None else self._ivf.nprobe)
        if self._stored is not None:
            return self._reranked(q, k, params, settings)
        scores, ids = self._index.search(q, k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def _probes(self, settings: VectorSettings) -> int:
        """Lists a search probes: the IVF index's own ``nprobe``; for the compressed one
        ``nlist / settings.pq_nprobe_divisor``."""
        if self._ivf is None:
            return 0
        if self._pq:
            return max(1, self._ivf.nlist // settings.pq_nprobe_divisor)
        return int(self._ivf.nprobe)

    def _pq_params(self, nprobe: int) -> faiss.SearchParametersIVF:
        params = faiss.SearchParametersIVF(nprobe=nprobe)
        if isinstance(self._ivf.quantizer, faiss.IndexHNSW):
            params.quantizer_params = faiss.SearchParametersHNSW(efSearch=max(2 * nprobe, 64))
        return params

    def _reranked(
        self,
        q: np.ndarray,
        k: int,
        params: faiss.SearchParametersIVF | None,
        settings: VectorSettings,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The compressed index's best ``pq_rerank`` candidates, scored again exactly
        against their stored vectors; the top ``k`` of those, with the exact scores."""
        _, found = self._index.search(q, max(k, settings.pq_rerank), params=params)
        candidates = np.unique(found[0][found[0] >= 0])
        exact = self._stored.best_scores(q[0], candidates)
        top = np.argsort(-exact, kind="stable")[:k]
        top = top[np.isfinite(exact[top])]
        return exact[top].astype(np.float32), candidates[top]

    def _prefetch_lists(self, query: np.ndarray, nprobe: int) -> None:
        """Ask the kernel to read the lists this search will scan, all at once.

        A mapped index that is not in the page cache is otherwise read by page faults,
        one readahead window at a time: at 10^6 vectors the first search waited 4.1-4.4 s
        for the ~190 MB of its 512 lists. ``MADV_WILLNEED`` queues the reads of every
        list together. Only lists whose first page is not in memory are advised. The
        check costs about 5 ms at 10^6 vectors when everything is cached, so it stops
        after :data:`PREFETCH_SEARCHES` searches, or after four that found their lists
        (nearly) all in memory.
        """
        self._prefetch_left -= 1
        _, lists = self._ivf.quantizer.search(query, nprobe)
        invlists = self._ivf.invlists
        ranges = []
        for lst in lists[0].tolist():
            size = invlists.list_size(lst) if lst >= 0 else 0
            if size:
                for ptr, nbytes in (
                    (invlists.get_codes(lst), size * invlists.code_size),
                    (invlists.get_ids(lst), size * 8),
                ):
                    ranges.append((faiss.rev_swig_ptr(ptr, 1).ctypes.data, nbytes))
        cold = [r for r in ranges if not _resident(r[0])]
        if len(cold) <= len(ranges) // 20:  # cached: a few of these and checking stops
            self._prefetch_left -= PREFETCH_SEARCHES // 4
        _will_need(cold)

    def _exact_among(
        self, query: np.ndarray, k: int, allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-``k`` among ``allowed`` (ids of the index: chunk ids from the store)."""
        allowed = np.unique(allowed)
        sims = self.get(allowed) @ query
        top = np.argsort(-sims, kind="stable")[:k]
        return sims[top].astype(np.float32), allowed[top]
