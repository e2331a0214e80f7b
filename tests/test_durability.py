"""Crash safety and concurrency of index updates.

The encoder here is the fake one from conftest: these tests are about the index never
being lost or half-written, not about ranking.
"""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from index import open_reader, sync
from index.layout import current_generation
from qa import retrieve

from .conftest import ROOT, FakeEncoder

KILLS = int(os.environ.get("PRESSROOM_KILLS", "20"))


def _write(folder: Path, seed: int, numbers: range) -> set[str]:
    rng = random.Random(seed)
    base = [p.read_text() for p in sorted((ROOT / "data" / "releases").glob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    written = set()
    for i in numbers:
        text = base[i % 2].replace("36", str(rng.randint(10, 999)))
        path = folder / f"release-{seed}-{i:03d}.txt"
        path.write_text(f"Release {seed}-{i} headline\n\n{text}")
        written.add(str(path))
    return written


def _make_corpus(folder: Path, n: int, seed: int) -> set[str]:
    return _write(folder, seed, range(n))


def _set_state(folder: Path, state: str) -> set[str]:
    """State A: releases 1-0..1-23. State B: releases 1-12..1-23 and 2-0..2-23."""
    for p in folder.glob("*.txt"):
        p.unlink()
    if state == "A":
        return _write(folder, 1, range(24))
    return _write(folder, 1, range(12, 24)) | _write(folder, 2, range(24))


def check_integrity(index_dir: Path) -> set[str]:
    """Assert the published index is complete and consistent; return its document paths."""
    reader = open_reader(index_dir)
    gen = index_dir / reader.generation
    db = sqlite3.connect(gen / "store.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n_docs, n_chunks = db.execute(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks)"
    ).fetchone()
    assert n_chunks == db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
    assert n_chunks == len(reader.vectors) == reader.manifest.chunks
    assert n_docs == reader.manifest.documents
    bad = db.execute(
        "SELECT count(*) FROM documents d WHERE n_chunks != "
        "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.doc_id)"
    ).fetchone()[0]
    assert bad == 0
    ids = [r[0] for r in db.execute("SELECT chunk_id FROM chunks")]
    assert len(reader.vectors.get(ids)) == len(ids)  # every chunk has its vector
    paths = {r[0] for r in db.execute("SELECT path FROM documents")}
    db.close()
    return paths


def _run_worker(index_dir: Path, corpus: Path, kill_at: int | None) -> int:
    """Run a sync in a worker process; kill it right after its ``kill_at``-th line ("ready",
    then one per file and embedding batch). Returns how many lines a full run printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fault_worker", str(index_dir), str(corpus)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    events = 0
    for line in proc.stdout:
        if line.startswith("done"):
            break
        events += 1
        if events == kill_at:
            proc.send_signal(signal.SIGKILL)
            break
    proc.stdout.read()
    err = proc.stderr.read()
    proc.wait(timeout=300)
    if kill_at is None:
        assert proc.returncode == 0, err
    return events


def _kill_test(tmp_path: Path, kills: int) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "idx"
    states = {"A": _set_state(corpus, "A")}
    _run_worker(index_dir, corpus, None)
    assert check_integrity(index_dir) == states["A"]
    states["B"] = _set_state(corpus, "B")
    published, target = "A", "B"
    rng = random.Random(7)
    seen = {"interrupted": 0, "completed": 0}
    events = _run_worker(index_dir, corpus, None)  # a full update of the same size: A -> B
    _set_state(corpus, "A")
    _run_worker(index_dir, corpus, None)
    states["B"] = _set_state(corpus, "B")
    for _ in range(kills):
        # after the n-th report: from "ready" (nothing written yet) to the last file (the
        # embedding, the commit and the publishing still to come)
        _run_worker(index_dir, corpus, rng.randint(1, events))
        paths = check_integrity(index_dir)
        assert paths in (states["A"], states["B"]), "a mix of two index states was published"
        hits = retrieve(
            "glioblastoma imaging trial", k=3, index_dir=index_dir, encoder=FakeEncoder()
        )
        assert hits and all(h.answer in h.text for h in hits)
        if paths == states[target]:  # the update finished before the kill: flip the corpus
            seen["completed"] += 1
            published, target = target, published
            states[target] = _set_state(corpus, target)
        else:
            seen["interrupted"] += 1
    _run_worker(index_dir, corpus, None)
    assert check_integrity(index_dir) == states[target]
    assert [p.name for p in index_dir.iterdir() if ".tmp-" in p.name] == []
    assert seen["interrupted"] >= kills // 4, seen


def test_sigkill_at_random_moments_never_corrupts_the_index(tmp_path):
    _kill_test(tmp_path, KILLS)


def test_readers_keep_answering_while_a_writer_updates(tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "idx"
    _make_corpus(corpus, 10, seed=3)
    encoder = FakeEncoder()
    sync([corpus], index_dir, encoder=encoder)
    errors: list[BaseException] = []
    answered = [0]
    progress = threading.Condition()
    stop = threading.Event()

    def reader_loop() -> None:
        while not stop.is_set():
            try:
                hits = retrieve("imaging trial patients", k=3, index_dir=index_dir, encoder=encoder)
                assert hits
                for hit in hits:
                    assert len(hit.text) == hit.end - hit.start and hit.answer in hit.text
                with progress:
                    answered[0] += 1
                    progress.notify_all()
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                with progress:
                    errors.append(exc)
                    progress.notify_all()

    threads = [threading.Thread(target=reader_loop) for _ in range(4)]
    for t in threads:
        t.start()
    generations = set()
    for round_ in range(6):
        _make_corpus(corpus, 4, seed=10 + round_)
        for p in sorted(corpus.iterdir())[:2]:
            p.unlink()
        sync([corpus], index_dir, encoder=FakeEncoder())
        generations.add(current_generation(index_dir))
        before = answered[0]  # answers from here on may only come from the new generation
        with progress:  # let the readers answer from this generation too
            assert progress.wait_for(lambda b=before: answered[0] >= b + 4 or errors, 30)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert answered[0] >= 24 and len(generations) == 6
    check_integrity(index_dir)


def test_another_process_reads_through_updates_and_sees_new_generations(tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "idx"
    _make_corpus(corpus, 10, seed=4)
    sync([corpus], index_dir, encoder=FakeEncoder())
    reader = subprocess.Popen(
        [sys.executable, "-m", "tests.reader_worker", str(index_dir), "6", "120"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def wait_for(line: str) -> None:
        for got in reader.stdout:
            if got.strip() == line:
                return
            assert not got.startswith("answered"), f"the reader stopped early: {got}"
        raise AssertionError(f"the reader ended before printing {line!r}")

    wait_for("ready")  # it answers from the first generation
    for round_ in range(5):
        _make_corpus(corpus, 3, seed=20 + round_)
        sync([corpus], index_dir, encoder=FakeEncoder())
        wait_for(f"generation {current_generation(index_dir)}")  # it picked up the new one
    out = reader.stdout.read()  # the summary (what wait_for read is in the wrapper's buffer)
    err = reader.stderr.read()
    assert reader.wait(timeout=120) == 0, err
    answered, errors, generations = (int(x) for x in out.split()[1:6:2])
    assert errors == 0, out
    assert generations == 6 and answered >= 6, out


def test_second_writer_on_the_command_line_gets_a_clear_message(tmp_path, corpus):
    from index.layout import writer_lock

    lock = writer_lock(tmp_path / "idx")
    try:
        out = subprocess.run(
            [sys.executable, "-m", "ingest", str(corpus), "--index", str(tmp_path / "idx")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        lock.release()
    assert out.returncode == 2
    assert "another process is updating this index" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_two_hundred_kills(tmp_path):
    _kill_test(tmp_path, 200)
