"""Fault injection in SQLite's style: a table of faults, each checked the same way.

For every published file damaged each way, and every kind of bad ``CURRENT``: no
untyped exception escapes ``retrieve``, ``check_index`` names the fault, the older
generation is untouched, and ``repair_index`` restores the same releases and answers.
For every write step of a sync failing with ENOSPC or EROFS: a typed error that says
so, no scratch folder left, and the published index unchanged.

The encoder is the fake one from conftest: these tests are about the index's files,
not about ranking.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

import index.fileops as fileops
from index import (
    DiskFullError,
    IndexCorruptError,
    IndexFormatError,
    IndexPermissionError,
    IndexStorageError,
    ReadOnlyIndexError,
    open_reader,
    sync,
)
from index.check import check_index
from index.layout import current_generation
from index.repair import repair_index
from qa import retrieve

from .conftest import RELEASES, FakeEncoder, store_rows

QUESTION = "glioblastoma imaging trial patients"
FILES = ("store.sqlite", "vectors.faiss", "manifest.json")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """An index of two generations: the bundled releases, then one more release."""
    root = tmp_path_factory.mktemp("pristine")
    corpus = root / "releases"
    shutil.copytree(RELEASES, corpus)
    sync([corpus], root / "idx", encoder=FakeEncoder())
    extra = corpus / "2020-01-01-extra.txt"
    extra.write_text("Acme Names New Chief Executive\n\nAcme said Jane Roe will lead the company.")
    sync([corpus], root / "idx", encoder=FakeEncoder())
    return root


def _copy(pristine: Path, tmp_path: Path) -> Path:
    shutil.copytree(pristine, tmp_path / "case", symlinks=True)
    return tmp_path / "case" / "idx"


def _paths(index_dir: Path) -> set[str]:
    reader = open_reader(index_dir)
    return {r[0] for r in store_rows(reader, "SELECT path FROM documents")}


def _answers(index_dir: Path) -> list[tuple[str, int, int]]:
    hits = retrieve(QUESTION, k=3, index_dir=index_dir, encoder=FakeEncoder())
    return [(Path(h.source).name, h.start, h.end) for h in hits]


def _truncate(path: Path, rng: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(len(data))])


def _bit_flip(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    at = rng.randrange(len(data))
    data[at] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


def _random_page(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    page = 4096 if len(data) > 8192 else max(1, len(data) // 4)
    start = rng.randrange(max(1, len(data) // page)) * page
    data[start : start + page] = rng.randbytes(len(data[start : start + page]))
    path.write_bytes(bytes(data))


def _delete(path: Path, rng: random.Random) -> None:
    path.unlink()


DAMAGE = {
    "truncated": _truncate,
    "bit-flipped": _bit_flip,
    "page": _random_page,
    "deleted": _delete,
}


def _query_is_typed(index_dir: Path) -> None:
    """A question on the damaged index answers or raises a typed error naming a file."""
    try:
        _answers(index_dir)
    except IndexCorruptError as exc:
        assert exc.path is not None and "pressroom repair --index" in str(exc)
    except IndexFormatError as exc:  # e.g. a manifest that reads but names other settings
        assert str(exc)


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("name", FILES)
def test_damaged_file_is_named_and_repaired(pristine, tmp_path, name, damage):
    before_paths, before_answers = _paths(pristine / "idx"), _answers(pristine / "idx")
    index_dir = _copy(pristine, tmp_path)
    gens = sorted(p.name for p in index_dir.iterdir() if p.name.startswith("gen-"))
    older = {p.name: p.read_bytes() for p in (index_dir / gens[0]).iterdir()}
    target = index_dir / current_generation(index_dir) / name
    DAMAGE[damage](target, random.Random(f"{name}{damage}"))
    _query_is_typed(index_dir)
    found = check_index(index_dir)
    assert not found.ok
    assert any(d.path == target for g in found.generations for d in g.damage), found.lines()
    assert str(target) in "\n".join(found.lines())
    # nothing of the older, sound generation was touched by reading or checking
    assert {p.name: p.read_bytes() for p in (index_dir / gens[0]).iterdir()} == older
    report = repair_index(index_dir, [pristine / "releases"], encoder=FakeEncoder())
    assert report.complete, report
    assert check_index(index_dir).ok
    assert _paths(index_dir) == before_paths
    assert _answers(index_dir) == before_answers


@pytest.mark.parametrize(
    "fault",
    ["garbage", "missing", "dangling", "empty", "a folder"],
)
def test_bad_current_is_named_and_recovered_without_embedding(pristine, tmp_path, fault):
    index_dir = _copy(pristine, tmp_path)
    current = index_dir / "CURRENT"
    if fault == "garbage":
        current.write_bytes(b"\x00\xffjunk")
    elif fault == "missing":
        current.unlink()
    elif fault == "dangling":
        current.write_text("gen-000042\n")
    elif fault == "empty":
        current.write_bytes(b"")
    else:
        current.unlink()
        current.mkdir()
    with pytest.raises(IndexCorruptError, match="CURRENT"):
        _answers(index_dir)
    assert not check_index(index_dir).ok
    encoder = FakeEncoder()
    if fault == "a folder":
        current.rmdir()
    report = repair_index(index_dir, encoder=encoder)
    assert report.complete and encoder.encoded == []  # nothing embedded again
    assert _answers(index_dir) == _answers(pristine / "idx")


def test_sync_continues_from_the_newest_sound_generation_when_current_is_lost(pristine, tmp_path):
    index_dir = _copy(pristine, tmp_path)
    (index_dir / "CURRENT").write_bytes(b"\x00\xffjunk")
    encoder = FakeEncoder()
    report = sync([pristine / "releases"], index_dir, encoder=encoder)
    assert report.published and report.unchanged == 3 and not report.added
    assert encoder.encoded == []  # nothing embedded again (it was 65 s of model time)
    assert any("CURRENT" in note and "continued from" in note for note in report.notes)
    assert check_index(index_dir).ok


def test_sync_refuses_to_build_on_a_damaged_generation(pristine, tmp_path):
    index_dir = _copy(pristine, tmp_path)
    store = index_dir / current_generation(index_dir) / "store.sqlite"
    _random_page(store, random.Random(3))  # the page SQLite might not notice
    before = sorted(p.name for p in index_dir.iterdir())
    with pytest.raises(IndexCorruptError, match="store.sqlite.*SHA-256.*pressroom repair"):
        sync([tmp_path / "case" / "releases"], index_dir, encoder=FakeEncoder())
    assert sorted(p.name for p in index_dir.iterdir()) == before  # no scratch folder left


# -- write faults ------------------------------------------------------------------------
STEPS = [
    "make_dir",
    "copy_store",
    "open_store",
    "write_vectors",
    "write_text",
    "fsync_file",
    "fsync_dir",
    "replace",
]


def _failing(step: str, code: int, nth: int):
    real = getattr(fileops, step)
    calls = [0]

    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == nth:
            wrapper.refused = str(args[0])
            if step == "copy_store" and code == errno.ENOSPC:
                raise sqlite3.OperationalError("database or disk is full")  # as SQLite says
            raise OSError(code, os.strerror(code), str(args[0]))
        return real(*args, **kwargs)

    return wrapper, calls


def _calls_per_step(pristine: Path, tmp_path: Path, monkeypatch) -> dict[str, int]:
    counts = {}
    index_dir = _copy(pristine, tmp_path / "count")
    (tmp_path / "count" / "case" / "releases" / "new.txt").write_text(
        "Beta Corp Opens Plant\n\nBeta Corp opened a plant in Ohio today."
    )
    wrappers = {}
    for step in STEPS:
        wrappers[step] = _failing(step, errno.ENOSPC, nth=-1)
        monkeypatch.setattr(fileops, step, wrappers[step][0])
    sync([tmp_path / "count" / "case" / "releases"], index_dir, encoder=FakeEncoder())
    monkeypatch.undo()
    for step, (_, calls) in wrappers.items():
        counts[step] = calls[0]
    return counts


@pytest.fixture(scope="module")
def step_calls(pristine, tmp_path_factory) -> dict[str, int]:
    mp = pytest.MonkeyPatch()
    try:
        return _calls_per_step(pristine, tmp_path_factory.mktemp("count"), mp)
    finally:
        mp.undo()


def _write_fault_case(pristine, tmp_path, monkeypatch, step, code, nth):
    index_dir = _copy(pristine, tmp_path)
    releases = tmp_path / "case" / "releases"
    (releases / "new.txt").write_text("Beta Corp Opens Plant\n\nBeta Corp opened a plant in Ohio.")
    before = _paths(index_dir)
    wrapper, _ = _failing(step, code, nth)
    monkeypatch.setattr(fileops, step, wrapper)
    try:
        sync([releases], index_dir, encoder=FakeEncoder())
    except IndexStorageError as exc:
        monkeypatch.undo()
        expected, words = {
            errno.ENOSPC: (DiskFullError, "disk full"),
            errno.EROFS: (ReadOnlyIndexError, "read-only"),
            errno.EACCES: (IndexPermissionError, "permission denied"),
        }[code]
        assert isinstance(exc, expected), exc
        assert words in str(exc) and "\n" not in str(exc)
        if code == errno.ENOSPC:
            assert exc.needed and "needs about" in str(exc)
        if code == errno.EACCES:  # the file refused, not the scratch folder
            assert exc.filename == wrapper.refused and wrapper.refused in str(exc)
        assert [p.name for p in index_dir.iterdir() if ".tmp-" in p.name] == []
        # the old index, or (a failure after CURRENT was replaced) the complete new one
        after = _paths(index_dir)
        assert check_index(index_dir).ok and after >= before  # nothing lost
        return "refused" if after == before else "published, then refused"
    monkeypatch.undo()
    # a failure after CURRENT was replaced (the fsync of the folder, pruning) still leaves
    # a complete index: the new one
    assert check_index(index_dir).ok and str(releases / "new.txt") in _paths(index_dir)
    return "published"


@pytest.mark.parametrize(
    "code", [errno.ENOSPC, errno.EROFS, errno.EACCES], ids=["ENOSPC", "EROFS", "EACCES"]
)
@pytest.mark.parametrize("step", STEPS)
def test_write_refused_at_the_first_call_of_each_step(
    pristine, tmp_path, monkeypatch, step, code, step_calls
):
    assert step_calls[step] >= 1, f"the sync never calls fileops.{step}"
    outcome = _write_fault_case(pristine, tmp_path, monkeypatch, step, code, nth=1)
    assert outcome == "refused"


@pytest.mark.slow
@pytest.mark.parametrize(
    "code", [errno.ENOSPC, errno.EROFS, errno.EACCES], ids=["ENOSPC", "EROFS", "EACCES"]
)
@pytest.mark.parametrize("step", STEPS)
def test_write_refused_at_every_call_of_each_step(
    pristine, tmp_path, monkeypatch, step, code, step_calls
):
    for nth in range(1, step_calls[step] + 1):
        case = tmp_path / f"n{nth}"
        case.mkdir()
        _write_fault_case(pristine, case, monkeypatch, step, code, nth)


def test_sqlite_disk_full_inside_the_transaction_is_typed(pristine, tmp_path, monkeypatch):
    """SQLite's own SQLITE_FULL (a page limit), not an injected OSError."""
    index_dir = _copy(pristine, tmp_path)
    releases = tmp_path / "case" / "releases"
    (releases / "big.txt").write_text("Big Corp Report\n\n" + "Big Corp grew sales. " * 4000)
    real = fileops.open_store

    def small(path):
        db = real(path)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + 2}")
        return db

    monkeypatch.setattr(fileops, "open_store", small)
    before = _paths(index_dir)
    with pytest.raises(DiskFullError, match="disk full while updating the index"):
        sync([releases], index_dir, encoder=FakeEncoder())
    assert [p.name for p in index_dir.iterdir() if ".tmp-" in p.name] == []
    assert _paths(index_dir) == before


def test_a_read_only_lock_file_is_typed(tmp_path, monkeypatch):
    import filelock

    def refuse(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "idx" / ".writer.lock"))

    monkeypatch.setattr(filelock.FileLock, "acquire", refuse)
    with pytest.raises(ReadOnlyIndexError, match="read-only file system while taking"):
        sync([RELEASES], tmp_path / "idx", encoder=FakeEncoder())
