"""Where saved searches and their matches live: ``alerts.sqlite`` beside the index.

::

    index_dir/
      CURRENT, gen-000007/ ...   the index (generations are replaced on every sync)
      alerts.sqlite              saved searches and matches (this module), kept across syncs

The file sits in the index folder, not inside a generation: a sync publishes a new
generation and deletes old ones, a saved search must outlive them. Nothing of the index
reads or writes it, so a damaged alerts file never harms the index (and ``pressroom
repair`` leaves it alone). It is SQLite in WAL mode (the app's readers and a sync's
writer do not block each other), every change is one transaction, and the schema
version is checked on opening. Every failure is an :class:`AlertsError`: one line
naming the file and the reason, and the exit code the command line uses.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path

__all__ = ["ALERTS_FILE", "SCHEMA_VERSION", "AlertsError", "alerts_path", "connect"]

ALERTS_FILE = "alerts.sqlite"
SCHEMA_VERSION = 1

# exit codes of pressroom.failures (not imported: qa stays below the command line)
_EXIT_USAGE, _EXIT_DAMAGED, _EXIT_DISK_FULL, _EXIT_READ_ONLY, _EXIT_PERMISSION = 2, 3, 4, 5, 6

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS searches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    question TEXT NOT NULL,
    filters TEXT NOT NULL,          -- JSON: date_from, date_to, companies, kinds, ...
    min_confidence REAL,            -- NULL: the answer model's own threshold (answerable)
    created TEXT NOT NULL           -- ISO time, UTC
);
CREATE INDEX IF NOT EXISTS searches_user ON searches (user);
CREATE TABLE IF NOT EXISTS matches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    search_id INTEGER NOT NULL REFERENCES searches (id) ON DELETE CASCADE,
    source TEXT NOT NULL,           -- the release's file
    text_sha TEXT NOT NULL,         -- SHA-256 of its stored text: a changed release alerts again
    doc_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    company TEXT,
    tickers TEXT NOT NULL,          -- JSON list
    date TEXT,
    url TEXT,
    answer TEXT NOT NULL,
    passage TEXT NOT NULL,
    score REAL NOT NULL,
    found_at TEXT NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0,
    UNIQUE (search_id, source, text_sha)
);
CREATE INDEX IF NOT EXISTS matches_search ON matches (search_id, seen);
"""


class AlertsError(Exception):
    """The alerts file cannot be used; ``str`` is one line naming it and the reason.

    Attributes:
        path: the alerts file.
        exit_code: the command line's exit code (3 damaged, 4 disk full, 5 read-only,
            6 permission denied, 2 otherwise).
    """

    def __init__(self, message: str, path: Path, exit_code: int = _EXIT_USAGE) -> None:
        super().__init__(message)
        self.path = path
        self.exit_code = exit_code


def alerts_path(index_dir: str | Path) -> Path:
    """The alerts file of the index at ``index_dir``."""
    return Path(index_dir) / ALERTS_FILE


def _error(exc: BaseException, path: Path) -> AlertsError:
    """The one-line error for what ``sqlite3`` or the file system raised on ``path``."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    low = text.lower()
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or "disk is full" in low or "database or disk is full" in low:
        return AlertsError(f"{path}: disk full ({text}); free some space", path, _EXIT_DISK_FULL)
    if code == errno.EROFS or "readonly" in low or "read-only" in low:
        return AlertsError(
            f"{path}: read-only ({text}); alerts need a writable index folder",
            path,
            _EXIT_READ_ONLY,
        )
    if code in (errno.EACCES, errno.EPERM) or "unable to open" in low:
        return AlertsError(
            f"{path}: cannot be opened ({text}); check the folder's permissions",
            path,
            _EXIT_PERMISSION,
        )
    if isinstance(exc, sqlite3.DatabaseError) and (
        "malformed" in low or "not a database" in low or "file is encrypted" in low
    ):
        return AlertsError(
            f"{path}: damaged ({text}); move it aside to start with no saved searches "
            "(the index is not affected)",
            path,
            _EXIT_DAMAGED,
        )
    return AlertsError(f"{path}: {text}", path, _EXIT_USAGE)


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        return
    if row[0] != str(SCHEMA_VERSION):
        raise AlertsError(
            f"{path}: schema version {row[0]!r}, this Pressroom reads version {SCHEMA_VERSION}; "
            "upgrade Pressroom or move the file aside",
            path,
            _EXIT_USAGE,
        )


@contextlib.contextmanager
def connect(
    index_dir: str | Path, *, create: bool = True, write: bool = True
) -> Iterator[sqlite3.Connection | None]:
    """A connection to the alerts file for one transaction (committed when the block
    ends, rolled back on an error); None when the file does not exist and ``create``
    is False (nobody saved a search: nothing to read). ``write`` takes the write lock
    at once (a reader leaves it False: in WAL mode it never waits for a writer).

    Raises:
        AlertsError: the file is damaged, of another schema version, or cannot be
            opened or written (the message names it and the reason).
    """
    path = alerts_path(index_dir)
    if not create and not path.exists():
        yield None
        return
    conn = None
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        _check_schema(conn, path)
    except AlertsError:
        if conn is not None:
            conn.close()
        raise
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            conn.close()
        raise _error(exc, path) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise _error(exc, path) from exc
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
