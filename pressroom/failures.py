"""Every failure of a command as one line on stderr and a documented exit code."""

from __future__ import annotations

import sqlite3
import sys

from index import (
    DiskFullError,
    IndexCorruptError,
    IndexFormatError,
    IndexLockedError,
    IndexPermissionError,
    IndexStorageError,
    ReadOnlyIndexError,
)

__all__ = [
    "EXIT_CODES",
    "EXIT_DAMAGED",
    "EXIT_DISK_FULL",
    "EXIT_FILES",
    "EXIT_NO_CLUSTER",
    "EXIT_OK",
    "EXIT_PERMISSION",
    "EXIT_READ_ONLY",
    "EXIT_USAGE",
    "FAILURES",
    "exit_code",
    "fail",
]

EXIT_OK = 0
EXIT_FILES = 1  # some files could not be read (each is named; the rest was indexed)
EXIT_USAGE = 2  # usage error, or the index cannot be used as it is (locked, model, format)
EXIT_DAMAGED = 3  # a file of the index is damaged, or CURRENT is: run `pressroom repair`
EXIT_DISK_FULL = 4
EXIT_READ_ONLY = 5
EXIT_PERMISSION = 6
EXIT_NO_CLUSTER = 7  # --ray: no Ray (the `cluster` extra), no cluster there, or workers lost

EXIT_CODES = """exit codes:
  0  done (ingest --watch: stopped by Ctrl-C or SIGTERM)
  1  some files could not be read (each is named; the rest was indexed)
  2  usage error, or the index cannot be used as it is (another writer, model or format)
  3  the index is damaged (a file or CURRENT): run `pressroom check`, then `pressroom repair`
  4  disk full (the message says how much room the update needs)
  5  read-only file system
  6  permission denied
  7  --ray given but Ray is not installed (pip install -e '.[cluster]'), no Ray cluster
     answers at the address (checked within 5 s), or its workers died more often than
     Ray retries them (nothing was published)
"""

# what a command reports with :func:`fail` instead of a traceback
FAILURES = (IndexFormatError, IndexStorageError, IndexLockedError, sqlite3.Error)


def exit_code(exc: BaseException) -> int:
    """The exit code for a failure (see :data:`EXIT_CODES`)."""
    if isinstance(exc, IndexCorruptError | sqlite3.DatabaseError):
        return EXIT_DAMAGED
    if isinstance(exc, DiskFullError):
        return EXIT_DISK_FULL
    if isinstance(exc, ReadOnlyIndexError):
        return EXIT_READ_ONLY
    if isinstance(exc, IndexPermissionError | PermissionError):
        return EXIT_PERMISSION
    return EXIT_USAGE


def fail(exc: BaseException) -> int:
    """Print ``exc`` as one ``error:`` line; its exit code."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, sqlite3.Error):  # never expected here: the index translates them
        text = f"the index could not be read ({text}); run `pressroom check`"
    print(f"error: {text}", file=sys.stderr)
    return exit_code(exc)
