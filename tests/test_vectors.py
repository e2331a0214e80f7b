"""The vector index switches from exact to IVF with size, and keeps its contract on both."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import index.vectors as vectors_mod
from index.settings import VectorSettings
from index.vectors import VectorIndex, ivf_lists


def _clustered(n: int, dim: int = 32, centers: int = 40, seed: int = 0) -> np.ndarray:
    """Unit vectors around a few centres (IVF needs structure to be worth anything)."""
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centers, dim))
    x = c[rng.integers(0, centers, n)] + 0.35 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _exact(x: np.ndarray, ids: np.ndarray, q: np.ndarray, k: int) -> set[int]:
    return set(ids[np.argsort(-(x @ q))[:k]].tolist())


@pytest.fixture
def small_threshold() -> VectorSettings:
    """Vector settings whose thresholds are small enough for a test of a few thousand."""
    return VectorSettings(exact_max=1000, filter_exact_max=50)


def test_ivf_lists_grows_with_sqrt_n():
    assert ivf_lists(100_000) == 1024
    assert ivf_lists(1_000_000) == 4096
    assert ivf_lists(1) == 4


def test_small_index_stays_exact(small_threshold):
    x = _clustered(500)
    index = VectorIndex.empty(32)
    index.add(np.arange(500) * 2 + 1, x)
    assert index.fitted(small_threshold) is index and index.kind == "flat"


def test_conversion_to_ivf_keeps_every_vector_and_finds_neighbours(small_threshold, tmp_path):
    n = 4000
    x = _clustered(n)
    ids = np.arange(n, dtype=np.int64) * 3 + 7  # sparse ids, as after removals
    flat = VectorIndex.empty(32)
    flat.add(ids, x)
    ivf = flat.fitted(small_threshold)
    assert ivf.kind == "ivf" and ivf.nlist == ivf_lists(n) and len(ivf) == n
    got_ids, got = ivf.all()
    assert np.array_equal(got_ids, ids) and np.allclose(got, x)
    assert np.allclose(ivf.get(ids[[5, 0, 99]]), x[[5, 0, 99]])

    rng = np.random.default_rng(1)
    recalls = []
    for qi in rng.integers(0, n, 30):
        q = x[qi]
        _, found = ivf.search(q, 20)
        recalls.append(len(set(found.tolist()) & _exact(x, ids, q, 20)) / 20)
    assert np.mean(recalls) >= 0.9

    ivf.write(tmp_path / "v.faiss")
    mapped = VectorIndex.read(tmp_path / "v.faiss")  # memory-mapped, read-only
    assert mapped.kind == "ivf" and mapped.nprobe == ivf.nprobe
    assert np.array_equal(mapped.search(x[3], 10)[1], ivf.search(x[3], 10)[1])

    writable = VectorIndex.read(tmp_path / "v.faiss", writable=True)
    assert writable.remove(ids[:10]) == 10 and len(writable) == n - 10
    assert not set(ids[:10].tolist()) & set(writable.search(x[0], 50)[1].tolist())


def test_filtered_ivf_search_is_exact_when_narrow_and_complete_when_broad(small_threshold):
    n = 4000
    x = _clustered(n, seed=3)
    ids = np.arange(n, dtype=np.int64)
    index = VectorIndex.empty(32)
    index.add(ids, x)
    index = index.fitted(small_threshold)
    q = x[17]
    narrow = ids[::100]  # 40 ids: below FILTER_EXACT_MAX, searched exactly
    _, found = index.search(q, 10, narrow, small_threshold)
    assert set(found.tolist()) == _exact(x[narrow], narrow, q, 10)
    broad = ids[ids % 2 == 0]  # half the index: more lists are probed, k results still come
    scores, found = index.search(q, 30, broad, small_threshold)
    assert len(found) == 30 and set(found.tolist()) <= set(broad.tolist())
    assert np.all(np.diff(scores) <= 1e-6)


def test_shrinking_ivf_goes_back_to_exact(small_threshold):
    x = _clustered(3000)
    ids = np.arange(3000, dtype=np.int64)
    index = VectorIndex.empty(32)
    index.add(ids, x)
    index = index.fitted(small_threshold)
    assert index.kind == "ivf"
    index.remove(ids[400:])
    flat = index.fitted(small_threshold)
    assert flat.kind == "flat" and len(flat) == 400
    assert np.allclose(flat.get(ids[:400]), x[:400])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mincore/madvise via libc")
def test_mapped_ivf_prefetches_its_lists_then_stops_checking(
    small_threshold, tmp_path, monkeypatch
):
    n = 4000
    x = _clustered(n)
    ids = np.arange(n, dtype=np.int64)
    flat = VectorIndex.empty(32)
    flat.add(ids, x)
    ivf = flat.fitted(small_threshold)
    ivf.write(tmp_path / "v.faiss")
    mapped = VectorIndex.read(tmp_path / "v.faiss")
    assert VectorIndex.read(tmp_path / "v.faiss", writable=True)._prefetch_left == 0
    advised: list[tuple[int, int]] = []
    monkeypatch.setattr(vectors_mod, "_will_need", advised.extend)
    assert mapped._prefetch_left == vectors_mod.PREFETCH_SEARCHES
    for q in x[:30]:  # the file was just written: its pages are cached
        assert np.array_equal(mapped.search(q, 10)[1], ivf.search(q, 10)[1])
    # every probed list was found in memory, so checking stopped after four searches
    assert mapped._prefetch_left <= 0 and not advised
    buf = np.ones(1 << 16, np.uint8)
    assert vectors_mod._resident(buf.ctypes.data)
