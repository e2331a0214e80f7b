"""The derived tables an update brings up to date in proportion to its changes (terms,
repeat shares, release groups) equal what recomputing them from every row gives.

The fake encoder stands in for the model: these tests are about the store's bookkeeping,
not about vectors.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import index.writer as writer_module
from index import sync
from index.derived import update_repeats, update_terms
from index.groups import update_groups
from index.layout import current_generation

from .conftest import CPDC, GLIOBLASTOMA, RELEASES, SEARCH_FIXTURES

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"


def _wire_copy(text: str) -> str:
    """A release as another wire runs it: a prefix on the headline, its own About."""
    head, _, rest = text.partition("\n")
    return (
        f"InvestorWire - {head}\n{rest}\n\nAbout InvestorWire\n\nInvestorWire is a wire service.\n"
    )


def _derived(store: Path) -> dict:
    """The derived tables of a store: terms, each chunk's repeat share, groups by path."""
    db = sqlite3.connect(store)
    try:
        terms = db.execute("SELECT term, df, postings FROM terms ORDER BY term").fetchall()
        repeats = db.execute(
            "SELECT d.path, c.ordinal, c.repeat FROM chunks c JOIN documents d USING (doc_id) "
            "ORDER BY d.path, c.ordinal"
        ).fetchall()
        groups = db.execute("SELECT path, group_id FROM documents ORDER BY path").fetchall()
        keys = db.execute("SELECT key, doc_id FROM group_keys ORDER BY key, doc_id").fetchall()
    finally:
        db.close()
    return {"terms": terms, "repeats": repeats, "groups": groups, "keys": keys}


def _recomputed(store: Path, tmp: Path) -> dict:
    """The derived tables of a copy of ``store`` recomputed from every row."""
    copy = tmp / "recomputed.sqlite"
    shutil.copy(store, copy)
    db = sqlite3.connect(copy, isolation_level=None)
    try:
        db.execute("BEGIN")
        update_repeats(db)
        update_terms(db)
        update_groups(db)
        db.execute("COMMIT")
    finally:
        db.close()
    return _derived(copy)


@pytest.fixture
def full_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the from-every-row functions the writer calls (it should not, updating)."""
    calls: list[str] = []
    for name in ("update_terms", "update_repeats", "update_groups"):
        real = getattr(writer_module, name)

        def spy(db, _real=real, _name=name):
            calls.append(_name)
            return _real(db)

        monkeypatch.setattr(writer_module, name, spy)
    return calls


def test_updates_keep_the_derived_tables_equal_to_a_full_recompute(
    tmp_path: Path, fake_encoder, full_calls: list[str]
) -> None:
    folder = tmp_path / "releases"
    folder.mkdir()
    for src in [*RELEASES.iterdir(), *LISTS.iterdir()]:
        shutil.copy(src, folder / src.name)
    index_dir = tmp_path / "index"
    text = GLIOBLASTOMA.read_text(encoding="utf-8")

    def check(step: str) -> None:
        store = index_dir / current_generation(index_dir) / "store.sqlite"
        got = _derived(store)
        assert got == _recomputed(store, tmp_path), step

    assert not sync([folder], index_dir, encoder=fake_encoder).failed
    assert sorted(set(full_calls)) == ["update_groups", "update_repeats", "update_terms"]
    check("first build (from every row)")
    full_calls.clear()

    steps = [
        # a second file of the same text (content hash), a wire copy (LSH), boilerplate
        (
            "copies added",
            lambda: (
                shutil.copy(GLIOBLASTOMA, folder / "glioblastoma-again.txt"),
                (folder / "glioblastoma-wire.txt").write_text(_wire_copy(text), encoding="utf-8"),
                [shutil.copy(p, folder / p.name) for p in SEARCH_FIXTURES.glob("*.md")],
            ),
        ),
        # the group's first member goes: the others are renumbered
        ("first copy removed", lambda: (folder / GLIOBLASTOMA.name).unlink()),
        (
            "copy changed into another release",
            lambda: shutil.copy(CPDC, folder / "glioblastoma-again.txt"),
        ),
        (
            "releases removed, one re-added",
            lambda: (
                [p.unlink() for p in folder.glob("citybiz-*")],
                shutil.copy(GLIOBLASTOMA, folder / GLIOBLASTOMA.name),
            ),
        ),
    ]
    for name, change in steps:
        change()
        report = sync([folder], index_dir, encoder=fake_encoder)
        assert not report.failed, name
        assert full_calls == [], name
        check(name)

    db = sqlite3.connect(index_dir / current_generation(index_dir) / "store.sqlite")
    groups = dict(db.execute("SELECT path, group_id FROM documents"))
    db.close()
    grouped = {p for p in groups if groups[p] == groups[str(folder / GLIOBLASTOMA.name)]}
    assert grouped == {str(folder / GLIOBLASTOMA.name), str(folder / "glioblastoma-wire.txt")}
