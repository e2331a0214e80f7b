"""Release groups in the store: wire copies and duplicates share a ``group_id``.

After all additions and removals of an update, a group is always what
:func:`ingest.copies.group_releases` makes of the releases stored now: a new copy joins
its group, a changed release may leave it, and removing a group's first member renumbers
the rest (a group's id is its smallest ``doc_id``).

:func:`update_groups` groups every release (about a second for the 21,000 releases of the
shared archive); the writer calls it for a new, rebuilt or upgraded store, and otherwise
brings the groups up to date in proportion to the update (:class:`GroupChanges`). That is
exact because :func:`~ingest.copies.group_releases` joins releases pair by pair: a group is
a connected component, so only the components of the releases removed and of the possible
copies of the releases added can change. The possible copies are found in ``group_keys``
(the :func:`~ingest.copies.group_keys` of every stored release, kept by both ways).
"""

from __future__ import annotations

import json
import sqlite3

from ingest.copies import Member, fingerprint, group_keys, group_releases
from ingest.release import parse_release

from .store import GROUP_COLUMNS, in_batches

__all__ = ["GroupChanges", "ensure_group_columns", "update_groups"]

# The writer's lookup of possible copies (readers never read it). A store without it (made
# before it, or by salvage) gets it from the next update, which then groups every release.
GROUP_KEYS_SCHEMA = """CREATE TABLE group_keys (
    key INTEGER NOT NULL,
    doc_id INTEGER NOT NULL,
    PRIMARY KEY (key, doc_id)
) WITHOUT ROWID"""
_MEMBER_SQL = (
    "SELECT doc_id, content_hash, signature, title, figures, date, group_id FROM documents"
)


def ensure_group_columns(db: sqlite3.Connection) -> None:
    """Add the fingerprint and group columns to a store written before format 6."""
    have = {r[1] for r in db.execute("PRAGMA table_info(documents)")}
    for name, decl in GROUP_COLUMNS:
        if name not in have:
            db.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")
    db.execute("CREATE INDEX IF NOT EXISTS documents_group ON documents(group_id)")


def _fill_fingerprints(db: sqlite3.Connection) -> None:
    """Fingerprint the releases stored without one (older formats, salvaged rows)."""
    rows = db.execute("SELECT doc_id, path, text FROM documents WHERE signature IS NULL")
    for doc_id, path, text in rows.fetchall():
        found = fingerprint(text, parse_release(text, path=path))
        db.execute(
            "UPDATE documents SET signature = ?, figures = ? WHERE doc_id = ?",
            (found.signature, json.dumps(list(found.figures)), doc_id),
        )


def _member(row: tuple) -> Member:
    return Member(row[0], row[1], row[2] or b"", row[3], tuple(json.loads(row[4])), row[5])


def _key_rows(members: list[Member]) -> list[tuple[int, int]]:
    return [(key, m.doc_id) for m in members for key in set(group_keys(m))]


def _regroup(db: sqlite3.Connection, rows: list[tuple], members: list[Member]) -> int:
    """Group the releases of ``rows`` (:data:`_MEMBER_SQL` rows, ``members`` theirs) among
    themselves and store the ids that changed; how many changed."""
    groups = group_releases(members)
    changed = [(groups[r[0]], r[0]) for r in rows if r[6] != groups[r[0]]]
    db.executemany("UPDATE documents SET group_id = ? WHERE doc_id = ?", changed)
    return len(changed)


def update_groups(db: sqlite3.Connection) -> int:
    """Recompute every release's group (and ``group_keys``); returns how many releases
    changed group."""
    ensure_group_columns(db)
    _fill_fingerprints(db)
    rows = db.execute(_MEMBER_SQL).fetchall()
    members = [_member(r) for r in rows]
    db.execute("DROP TABLE IF EXISTS group_keys")
    db.execute(GROUP_KEYS_SCHEMA)
    db.executemany("INSERT INTO group_keys VALUES (?, ?)", _key_rows(members))
    return _regroup(db, rows, members)


def _has_keys(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'group_keys'")
    return row.fetchone() is not None


def _rows(db: sqlite3.Connection, column: str, values: set[int]) -> list[tuple]:
    out: list[tuple] = []
    for part in in_batches(sorted(values)):
        marks = ", ".join("?" * len(part))
        out += db.execute(f"{_MEMBER_SQL} WHERE {column} IN ({marks})", part).fetchall()
    return out


class GroupChanges:
    """The releases an update adds and removes, and the groups brought up to date from
    them (see the module's doc): what :func:`update_groups` gives, in proportion to them."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._added: set[int] = set()
        self._groups: set[int] = set()  # groups that lost a release stored before
        self._keys = _has_keys(db)

    def added(self, doc_id: int) -> None:
        """A release this update stored (its keys are added by :meth:`apply`)."""
        self._added.add(doc_id)

    def removing(self, doc_id: int) -> None:
        """A release about to be removed (its row is still stored)."""
        if doc_id in self._added:
            self._added.discard(doc_id)
            return
        if not self._keys:
            return  # every release is grouped again by apply
        rows = _rows(self._db, "doc_id", {doc_id})
        if not rows:
            return
        self._db.executemany(
            "DELETE FROM group_keys WHERE key = ? AND doc_id = ?",
            _key_rows([_member(rows[0])]),
        )
        if rows[0][6] is not None:
            self._groups.add(int(rows[0][6]))

    def apply(self) -> int:
        """Group again the releases whose group may have changed; how many changed group."""
        db = self._db
        if not self._keys:
            return update_groups(db)
        new = _rows(db, "doc_id", self._added)
        keys = _key_rows([_member(r) for r in new])
        db.executemany("INSERT OR IGNORE INTO group_keys VALUES (?, ?)", keys)
        near: set[int] = set()
        wanted = sorted({k for k, _ in keys})
        for part in in_batches(wanted):
            marks = ", ".join("?" * len(part))
            sql = f"SELECT DISTINCT doc_id FROM group_keys WHERE key IN ({marks})"
            near.update(r[0] for r in db.execute(sql, part))
        groups = set(self._groups)
        groups.update(r[6] for r in _rows(db, "doc_id", near - self._added) if r[6] is not None)
        rows = {r[0]: r for r in _rows(db, "group_id", groups)}
        rows.update({r[0]: r for r in new})
        rows.update({r[0]: r for r in _rows(db, "doc_id", near - set(rows))})  # no group yet
        self._added, self._groups = set(), set()
        ordered = [rows[d] for d in sorted(rows)]
        return _regroup(db, ordered, [_member(r) for r in ordered])
