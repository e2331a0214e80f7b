"""Typed errors of a damaged index or a failing disk, and the translation of raw ones.

Two families. :class:`IndexCorruptError` (an :class:`~index.IndexFormatError`) says a
published file is damaged and names it; :class:`BadCurrentError` is its case for the
``CURRENT`` pointer. :class:`IndexStorageError` (an :class:`OSError`) says the disk
refused a write: :class:`DiskFullError` with the room needed, :class:`ReadOnlyIndexError`,
:class:`IndexPermissionError`. :func:`storage_error` maps what ``os``, SQLite and FAISS
raise onto the second family, so that no raw ``sqlite3`` or FAISS error leaves the index.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

__all__ = [
    "IndexFormatError",
    "BadCurrentError",
    "DiskFullError",
    "IndexCorruptError",
    "IndexPermissionError",
    "IndexStorageError",
    "ReadOnlyIndexError",
    "corrupt",
    "format_bytes",
    "is_corruption",
    "repair_command",
    "storage_error",
]


def repair_command(index_dir: Path | str) -> str:
    return f"pressroom repair --index {index_dir}"


def format_bytes(n: int) -> str:
    """``1536000`` -> ``"1.5 MB"`` (decimal units, as ``df -H``)."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


class IndexFormatError(Exception):
    """The folder is not a Pressroom index this version can read."""


class IndexCorruptError(IndexFormatError):
    """A published file of the index is damaged (``path`` names it, ``problem`` says what
    is wrong with it); ``pressroom repair`` rebuilds what can be rebuilt."""

    def __init__(
        self, message: str, path: Path | str | None = None, problem: str | None = None
    ) -> None:
        super().__init__(message)
        self.path = None if path is None else Path(path)
        self.problem = problem or message


class BadCurrentError(IndexCorruptError):
    """``CURRENT`` is unreadable, missing beside published generations, or names none."""


def corrupt(
    path: Path, problem: str, index_dir: Path, cls: type[IndexCorruptError] = IndexCorruptError
) -> IndexCorruptError:
    """The one-line error for a damaged file: which, what is wrong, what to run."""
    message = f"index damaged: {path}: {problem}; run `{repair_command(index_dir)}`"
    return cls(message, path, problem)


class IndexStorageError(OSError):
    """The file system refused to store the index (``filename`` is where)."""

    def __init__(self, code: int, message: str, path: Path | str | None = None) -> None:
        super().__init__(code, message)
        self.message = message
        self.filename = None if path is None else str(path)

    def __str__(self) -> str:
        return self.message


class DiskFullError(IndexStorageError):
    """No space left; ``needed`` is about how many bytes the write needs, ``free`` what was
    free then (either None when unknown)."""

    def __init__(
        self, message: str, path: Path | str | None, needed: int | None, free: int | None
    ) -> None:
        super().__init__(errno.ENOSPC, message, path)
        self.needed = needed
        self.free = free


class ReadOnlyIndexError(IndexStorageError):
    """The index is on a read-only file system."""

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        super().__init__(errno.EROFS, message, path)


class IndexPermissionError(IndexStorageError, PermissionError):
    """This user may not write (or read) the index's files."""

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        super().__init__(errno.EACCES, message, path)


_FULL = ("no space left", "disk is full", "disk full", "quota exceeded")
_READONLY = ("read-only file system", "readonly database", "read-only database")
_DENIED = ("permission denied", "operation not permitted", "unable to open database")
# SQLite's words for a damaged file (its result codes are not exposed before Python 3.11's
# ``sqlite_errorname``, and the messages are stable across versions)
_CORRUPT = ("malformed", "corrupt", "not a database", "could not decode", "disk i/o error")


def is_corruption(exc: BaseException) -> bool:
    """Whether an SQLite error says the file is damaged (rather than a bad query)."""
    return isinstance(exc, sqlite3.Error) and any(w in str(exc).lower() for w in _CORRUPT)


def _kind(exc: BaseException) -> str | None:
    if isinstance(exc, IndexStorageError):
        return None
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "full"
        if exc.errno == errno.EROFS:
            return "readonly"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "denied"
    if isinstance(exc, OSError | sqlite3.Error | RuntimeError):  # FAISS raises RuntimeError
        text = str(exc).lower()
        for kind, words in (("full", _FULL), ("readonly", _READONLY), ("denied", _DENIED)):
            if any(w in text for w in words):
                return kind
    return None


def _free_bytes(path: Path) -> int | None:
    for folder in (path, *path.parents):
        try:
            return shutil.disk_usage(folder).free
        except OSError:
            continue
    return None


def storage_error(
    exc: BaseException, path: Path, *, what: str, needed: int | None = None
) -> IndexStorageError | None:
    """The typed error for a write refused by the disk, or None when ``exc`` is another
    kind of failure.

    Args:
        exc: what ``os``, ``sqlite3`` or FAISS raised.
        path: the file or folder being written.
        what: the step, for the message ("copying the store").
        needed: about how many bytes the whole update needs.
    """
    kind = _kind(exc)
    if kind == "full":
        free = _free_bytes(path)
        room = f"needs about {format_bytes(needed)}" if needed else "needs more room"
        have = f", {format_bytes(free)} free" if free is not None else ""
        return DiskFullError(
            f"disk full while {what} ({path}): the update {room}{have}; free some space "
            "and run it again (the published index is unchanged)",
            path,
            needed,
            free,
        )
    if kind == "readonly":
        return ReadOnlyIndexError(
            f"read-only file system while {what} ({path}): the index can be read but not "
            "updated here; remount it read-write or copy it elsewhere (--index)",
            path,
        )
    if kind == "denied":  # name the file refused (reading the published store, say)
        if isinstance(exc, OSError) and exc.filename:
            path = Path(exc.filename)
        return IndexPermissionError(
            f"permission denied while {what} ({path}): run as the index's owner or fix its "
            "permissions (the published index is unchanged)",
            path,
        )
    return None
