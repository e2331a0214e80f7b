"""Ingest on a local Ray cluster (2 CPUs) against the single-process sync, with the real model.

Skipped when Ray (the ``cluster`` extra) is not installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index import sync
from index.layout import current_generation
from index.vectors import VectorIndex

from .conftest import RELEASES, ROOT

ray = pytest.importorskip("ray")

from index.cluster import ClusterEncoder, cluster_sync  # noqa: E402

pytestmark = [pytest.mark.cluster, pytest.mark.model]

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray cluster of 2 CPUs for the module."""
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        object_store_memory=256 * 1024 * 1024,
    )
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled releases plus the release and loader fixtures (md, html, htm)."""
    root = tmp_path_factory.mktemp("corpus") / "releases"
    shutil.copytree(RELEASES, root / "bundled")
    shutil.copytree(FIXTURES / "releases", root / "fixtures")
    shutil.copytree(FIXTURES / "loaders", root / "loaders")
    return root


@pytest.fixture(scope="module")
def single(corpus: Path, tmp_path_factory: pytest.TempPathFactory, real_encoder) -> Path:
    """The single-process index of the corpus."""
    index_dir = tmp_path_factory.mktemp("single") / "idx"
    report = sync([corpus], index_dir, encoder=real_encoder)
    assert not report.failed and report.chunks_embedded > 32
    return index_dir


def _generation(index_dir: Path) -> Path:
    return index_dir / current_generation(index_dir)


def _rows(index_dir: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(
        f"{(_generation(index_dir) / 'store.sqlite').as_uri()}?mode=ro", uri=True
    )
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _documents(index_dir: Path) -> list[dict]:
    conn = sqlite3.connect(
        f"{(_generation(index_dir) / 'store.sqlite').as_uri()}?mode=ro", uri=True
    )
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute("SELECT * FROM documents ORDER BY doc_id")]
    finally:
        conn.close()
    for r in rows:
        r.pop("indexed_at")
    return rows


def _vectors(index_dir: Path, ids: list[int]) -> np.ndarray:
    return VectorIndex.read(_generation(index_dir) / "vectors.faiss").get(ids)


def assert_same_index(expected: Path, got: Path) -> None:
    """Same documents, chunk ids, offsets and sentences; vectors at cosine >= 0.999."""
    assert _documents(got) == _documents(expected)
    chunks = 'SELECT chunk_id, doc_id, ordinal, start, "end", kind, section, embed_hash FROM chunks'
    assert _rows(got, chunks + " ORDER BY chunk_id") == _rows(
        expected, chunks + " ORDER BY chunk_id"
    )
    sentences = 'SELECT chunk_id, start, "end", hash FROM sentences ORDER BY chunk_id, start'
    assert _rows(got, sentences) == _rows(expected, sentences)
    ids = [r[0] for r in _rows(expected, "SELECT chunk_id FROM chunks ORDER BY chunk_id")]
    cosines = np.sum(_vectors(got, ids) * _vectors(expected, ids), axis=1)
    assert cosines.min() >= 0.999, cosines.min()


def test_ray_ingest_matches_single_process(local_ray, corpus, single, tmp_path):
    submitted = []
    encoder = ClusterEncoder(workers=2)
    report = cluster_sync([corpus], tmp_path / "idx", encoder=encoder, on_submit=submitted.extend)
    assert not report.failed
    assert report.chunks_embedded == report.chunks
    assert len(submitted) == report.documents
    assert len(set(encoder.pids)) == 2  # two embedding workers, each its own process
    assert_same_index(single, tmp_path / "idx")


class _KillFirstWorker(ClusterEncoder):
    """Kills the first embedding worker's process right after its first call is submitted."""

    killed: int | None = None

    def _call(self, actor, texts, spans):
        ref = super()._call(actor, texts, spans)
        if self.killed is None:
            self.killed = self.pids[0]
            os.kill(self.killed, signal.SIGKILL)
        return ref


def test_killed_worker_is_recovered(local_ray, corpus, single, tmp_path):
    encoder = _KillFirstWorker(workers=2)
    report = cluster_sync([corpus], tmp_path / "idx", encoder=encoder)
    assert encoder.killed is not None
    assert not report.failed and report.published
    restarted = ray.get(encoder._actors[0].info.remote())[3]
    assert restarted != encoder.killed  # Ray restarted the actor in a new process
    assert_same_index(single, tmp_path / "idx")


def test_unchanged_files_are_not_sent(local_ray, corpus, tmp_path):
    work = tmp_path / "releases"
    shutil.copytree(corpus, work)
    index_dir = tmp_path / "idx"
    first = cluster_sync([work], index_dir, encoder=ClusterEncoder(workers=2))
    assert first.added and not first.failed

    changed = work / "bundled" / "2016-11-28-cellectar-cpdc-manufacturing-partnership.txt"
    changed.write_text(changed.read_text() + "\nThe partnership was extended in 2017.\n")
    added = work / "fixtures" / "new-release.md"
    added.write_text("# Acme opens a plant\n\nAcme Corp opened a plant in Ohio on Monday.\n")
    submitted = []
    encoder = ClusterEncoder(workers=2)
    second = cluster_sync([work], index_dir, encoder=encoder, on_submit=submitted.extend)
    assert sorted(f.path for f in submitted) == sorted([str(added), str(changed)])
    assert second.added == (str(added),) and second.updated == (str(changed),)
    assert second.unchanged == len(first.added) - 1

    submitted.clear()
    idle = ClusterEncoder(workers=2)
    third = cluster_sync([work], index_dir, encoder=idle, on_submit=submitted.extend)
    assert submitted == [] and not third.published
    assert not idle.loaded  # nothing to embed: no worker was even started


def test_killed_driver_leaves_the_old_index(corpus, single, tmp_path):
    """SIGKILL `pressroom ingest --ray local` once it has added a file: the old index stays."""
    import subprocess
    import sys

    from qa import retrieve

    index_dir = tmp_path / "idx"
    shutil.copytree(single, index_dir)
    before = current_generation(index_dir)
    docs_before = _documents(index_dir)
    work = tmp_path / "releases"
    shutil.copytree(corpus, work)
    for f in work.rglob("*.md"):  # every file changed: all of them go to the cluster again
        f.write_text(f.read_text() + "\nUpdated.\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pressroom", "ingest", str(work), "--index", str(index_dir)]
        + ["--ray", "local", "--workers", "1"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    seen = ""
    while "files," not in seen:  # the first progress line: a file was added, none published
        char = proc.stderr.read(1)
        assert char, f"ingest ended before its first progress line: {seen}"
        seen += char
    proc.kill()
    proc.wait()
    assert current_generation(index_dir) == before
    assert _documents(index_dir) == docs_before
    hits = retrieve("Who manufactures CLR 131?", index_dir=index_dir)
    assert hits and "cpdc" in hits[0].source


def test_killed_worker_beyond_retries_ends_with_one_error(local_ray, corpus, single, tmp_path):
    """A worker that dies more often than Ray retries it (here retries=0, one death; the
    default is 3) ends the ingest with ClusterWorkersLostError and publishes nothing."""
    from index.cluster import ClusterWorkersLostError

    index_dir = tmp_path / "idx"
    shutil.copytree(single, index_dir)
    before = current_generation(index_dir)
    work = tmp_path / "releases"
    shutil.copytree(corpus, work)
    for f in work.rglob("*.md"):  # changed files: they go to the cluster
        f.write_text(f.read_text() + "\nUpdated.\n")
    encoder = _KillFirstWorker(workers=1, retries=0)
    with pytest.raises(ClusterWorkersLostError, match="lost an embedding worker more than the 0"):
        cluster_sync([work], index_dir, encoder=encoder)
    assert encoder.killed is not None
    assert current_generation(index_dir) == before  # the old index is untouched
    assert_same_index(single, index_dir)


def test_unreachable_address_fails_fast_with_exit_7(corpus, tmp_path):
    """`--ray HOST:PORT` where nothing listens: one error line and exit code 7, in
    seconds (Ray itself retries such an address for minutes)."""
    import socket
    import subprocess
    import sys

    with socket.socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for address, says in (
        (f"127.0.0.1:{port}", "no Ray cluster answers at"),
        ("nohost", "HOST:PORT"),
    ):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pressroom",
                "ingest",
                str(corpus),
                "--index",
                str(tmp_path / "i"),
            ]
            + ["--ray", address],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 7, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], lines
    assert not (tmp_path / "i").exists()
