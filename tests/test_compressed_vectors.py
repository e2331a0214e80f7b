"""The compressed vector index (IVF-PQ re-ranked exactly from float16 stored vectors).

Chosen above ``VectorSettings.compressed_min`` (tiny here); exact scores after re-ranking;
add/remove/get; the two files through write, read and mapping; the integrity check and
repair covering ``vectors.f16``; recall against exact search. The vectors are synthetic
clusters and the index tests use the fake encoder of conftest (they are about the vector
files, not the model).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index import IndexCorruptError, open_reader, sync
from index.check import check_index
from index.layout import current_generation
from index.serving import forget
from index.settings import VectorSettings
from index.stored_vectors import StoredVectors
from index.vectors import VectorIndex, stored_path
from qa import retrieve

from .conftest import RELEASES, FakeEncoder

DIM = 64
SMALL = VectorSettings(exact_max=200, compressed_min=1_000, pq_m=8, pq_rerank=100)


def _clustered(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, DIM))
    x = centres[rng.integers(0, 40, n)] + 0.5 * rng.normal(size=(n, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    x = _clustered(4_000)
    ids = np.arange(len(x), dtype=np.int64) * 7 + 3  # stable ids, not positions
    return ids, x


@pytest.fixture(scope="module")
def compressed(data) -> VectorIndex:
    ids, x = data
    flat = VectorIndex.empty(DIM)
    flat.add(ids, x)
    return flat.fitted(SMALL)


def test_compressed_type_is_chosen_above_the_threshold(data, compressed):
    ids, x = data
    assert compressed.kind == "pq"
    assert compressed.describe()["pq_m"] == 8 and len(compressed) == len(ids)
    small = VectorIndex.empty(DIM)
    small.add(ids[:900], x[:900])
    assert small.fitted(SMALL).kind == "ivf"  # below the threshold: as before
    assert small.fitted(VectorSettings()).kind == "flat"
    # it goes back only under half the threshold, so an index near it is not rebuilt
    assert compressed.fitted(SMALL) is compressed
    back = compressed.fitted(VectorSettings(exact_max=200, compressed_min=10_000))
    assert back.kind == "ivf" and len(back) == len(ids)


def test_scores_are_exact_after_reranking(data, compressed):
    ids, x = data
    rng = np.random.default_rng(1)
    for q in x[rng.choice(len(x), 20, replace=False)]:
        scores, found = compressed.search(q, 10, settings=SMALL)
        assert len(found) == 10 and np.all(np.diff(scores) <= 0)
        stored = compressed.get(found)
        np.testing.assert_allclose(scores, stored @ q, rtol=0, atol=1e-6)  # stored vectors
        exact = x[np.searchsorted(ids, found)] @ q
        np.testing.assert_allclose(scores, exact, atol=2e-3)  # float16 of the real ones
        assert found[0] == ids[np.argmax(x @ q)]  # the query's own vector is the top hit


def test_recall_against_exact_search(data, compressed):
    ids, x = data
    rng = np.random.default_rng(5)  # questions near the data, as real ones are
    queries = x[rng.choice(len(x), 50, replace=False)] + 0.5 * rng.normal(size=(50, DIM)) / 8
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    recall = []
    for q in queries:
        exact = set(ids[np.argsort(-(x @ q))[:10]].tolist())
        recall.append(len(exact & set(compressed.search(q, 10, settings=SMALL)[1].tolist())) / 10)
    assert np.mean(recall) >= 0.95, np.mean(recall)


def test_add_remove_get_round_trip(data, tmp_path):
    ids, x = data
    index = VectorIndex.empty(DIM)
    index.add(ids, x)
    index = index.fitted(SMALL)
    np.testing.assert_allclose(index.get(ids[:5]), x[:5], atol=1e-3)
    assert index.remove(ids[:100]) == 100 and len(index) == len(ids) - 100
    with pytest.raises(RuntimeError):
        index.get(ids[:1])
    fresh = _clustered(3, seed=9)
    index.add([10**9, 10**9 + 1, 10**9 + 2], fresh)
    np.testing.assert_allclose(index.get([10**9 + 1]), fresh[1:2], atol=1e-3)
    assert index.search(fresh[2], 1, settings=SMALL)[1].tolist() == [10**9 + 2]
    assert ids[0] not in index.search(x[0], 10, settings=SMALL)[1]
    got_ids, got = index.all()
    assert got_ids.tolist() == sorted(ids[100:].tolist() + [10**9, 10**9 + 1, 10**9 + 2])
    index.write(tmp_path / "vectors.faiss")
    again = VectorIndex.read(tmp_path / "vectors.faiss")
    assert len(again) == len(got_ids)
    np.testing.assert_array_equal(again.all()[0], got_ids)
    np.testing.assert_allclose(again.get([10**9 + 1]), fresh[1:2], atol=1e-3)


def test_removals_in_several_calls_then_adds_are_all_applied(data, tmp_path):
    """A compressed index takes the removals of an update out of its lists together, the
    next time it is used; what it returns is that of each removal applied at once."""
    ids, x = data
    index = VectorIndex.empty(DIM)
    index.add(ids, x)
    index = index.fitted(SMALL)
    assert index.kind == "pq"
    removed = [ids[:50], ids[50:120], ids[300:310]]
    assert [index.remove(part) for part in removed] == [50, 70, 10]
    fresh = _clustered(2, seed=5)
    index.add([10**9, 10**9 + 1], fresh)  # added while removals are pending
    assert index.remove([10**9]) == 1
    gone = set(np.concatenate(removed).tolist()) | {10**9}
    kept = [i for i in ids.tolist() if i not in gone] + [10**9 + 1]
    assert len(index) == len(kept)
    assert index.all()[0].tolist() == sorted(kept)
    for probe in (x[0], x[60], x[305], fresh[0]):
        assert not gone & set(index.search(probe, 20, settings=SMALL)[1].tolist())
    assert index.search(fresh[1], 1, settings=SMALL)[1].tolist() == [10**9 + 1]
    index.write(tmp_path / "vectors.faiss")
    again = VectorIndex.read(tmp_path / "vectors.faiss")
    assert len(again) == len(kept) and again.all()[0].tolist() == sorted(kept)


def test_survives_write_read_and_mapping(data, compressed, tmp_path):
    ids, x = data
    path = tmp_path / "vectors.faiss"
    compressed.write(path)
    assert stored_path(path).name == "vectors.f16" and stored_path(path).exists()
    mapped = VectorIndex.read(path)  # read-only: both files mapped
    assert isinstance(mapped._stored._rows, np.memmap)
    assert mapped.kind == "pq" and mapped.describe() == compressed.describe()
    for q in x[:5]:
        a, b = compressed.search(q, 10, settings=SMALL), mapped.search(q, 10, settings=SMALL)
        np.testing.assert_array_equal(a[1], b[1])
        np.testing.assert_allclose(a[0], b[0], atol=1e-6)
    allowed = ids[::50]  # a narrow filter: exact among the allowed, from the stored vectors
    scores, found = mapped.search(x[0], 5, allowed=allowed, settings=SMALL)
    assert set(found.tolist()) <= set(allowed.tolist())
    assert found[0] == allowed[np.argmax(x[::50] @ x[0])]
    writable = VectorIndex.read(path, writable=True)
    writable.remove(ids[:10])
    writable.write(tmp_path / "next.faiss")
    assert len(VectorIndex.read(tmp_path / "next.faiss")) == len(ids) - 10
    assert len(StoredVectors.open(tmp_path / "next.f16")) == len(ids) - 10
    stored_path(path).unlink()
    with pytest.raises(ValueError, match="vectors.f16"):
        VectorIndex.read(path)


def test_several_rows_of_one_id_score_as_the_best(tmp_path):
    """A chunk with several stored vectors (the scale benchmark's 10^7 rows) scores as its
    best one, and ``get`` gives its first."""
    from index.stored_vectors import write_file

    x = _clustered(6, seed=3)
    write_file(tmp_path / "v.f16", DIM, np.array([1, 1, 1, 2, 2, 5]), [x])
    stored = StoredVectors.open(tmp_path / "v.f16")
    scores = stored.best_scores(x[4], np.array([1, 2, 5, 9]))
    np.testing.assert_allclose(scores[:3], [(x[:3] @ x[4]).max(), 1.0, x[5] @ x[4]], atol=2e-3)
    assert scores[3] == -np.inf
    np.testing.assert_allclose(stored.get([2]), x[3:4], atol=1e-3)


@pytest.fixture
def compressed_index(tmp_path) -> Path:
    """The bundled releases indexed with a threshold low enough for the compressed type."""
    corpus = tmp_path / "releases"
    shutil.copytree(RELEASES, corpus)
    settings = VectorSettings(exact_max=5, compressed_min=10, pq_m=8)
    sync([corpus], tmp_path / "idx", encoder=FakeEncoder(), vector_settings=settings)
    return tmp_path / "idx"


def test_index_writes_checksums_and_checks_the_stored_vectors(compressed_index):
    index_dir = compressed_index
    gen = index_dir / current_generation(index_dir)
    manifest = json.loads((gen / "manifest.json").read_text())
    assert manifest["extra"]["vectors"]["type"] == "pq"
    assert set(manifest["files"]) == {"store.sqlite", "vectors.faiss", "vectors.f16"}
    hits = retrieve(
        "glioblastoma imaging trial patients", index_dir=index_dir, encoder=FakeEncoder()
    )
    assert hits
    assert check_index(index_dir).ok

    data = bytearray((gen / "vectors.f16").read_bytes())
    data[-10] ^= 0xFF  # one stored vector changed, size the same
    (gen / "vectors.f16").write_bytes(bytes(data))
    result = check_index(index_dir)
    assert not result.ok
    assert any(
        "vectors.f16" in str(d) and "SHA-256" in str(d)
        for g in result.generations
        for d in g.damage
    )

    (gen / "vectors.f16").unlink()
    forget(index_dir)  # the reader opened above would keep its mapping
    with pytest.raises(IndexCorruptError, match="vectors.f16: missing"):
        retrieve("glioblastoma imaging", index_dir=index_dir, encoder=FakeEncoder())


def test_update_of_a_compressed_index_keeps_it_compressed(compressed_index, tmp_path):
    corpus = tmp_path / "releases"
    first = sorted(corpus.iterdir())[0]
    first.unlink()
    report = sync([corpus], compressed_index, encoder=FakeEncoder())
    assert report.removed and report.published
    reader = open_reader(compressed_index)
    assert reader.manifest.extra["vectors"]["type"] == "pq"
    assert len(reader.vectors) == reader.manifest.chunks
    assert check_index(compressed_index).ok
