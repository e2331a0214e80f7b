"""Every file operation a writer performs, one function each.

The writer, the publishing step and ``repair`` call these (as ``fileops.NAME``) rather
than ``os``, ``sqlite3`` or FAISS directly, so the fault-injection tests can make any one
step fail as a full or read-only disk would (SQLite's tests wrap its VFS the same way).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

from .store import connect_writable
from .vectors import VectorIndex

_BLOCK = 8 << 20  # bytes a read while copying

__all__ = [
    "copy_store",
    "fsync_dir",
    "fsync_file",
    "make_dir",
    "open_store",
    "remove_tree",
    "replace",
    "write_text",
    "write_vectors",
]


def make_dir(path: Path) -> None:
    path.mkdir()


def copy_store(source: Path, target: Path) -> str:
    """Copy a published store into a new file, byte for byte, and return the SHA-256 (hex)
    of what was read: the one read of the file both copies and checks it.

    A published store is complete and never written again (no journal beside it), so its
    bytes are a consistent database; copying them is SQLite's backup without its pager (at
    10^6 chunks, 4.8 GB: the backup API took 11-15 s, and checking took another read).
    """
    h = hashlib.sha256()
    with open(source, "rb") as src, open(target, "xb") as dst:
        while block := src.read(_BLOCK):
            h.update(block)
            dst.write(block)
    return h.hexdigest()


def open_store(path: Path) -> sqlite3.Connection:
    return connect_writable(path)


def write_vectors(vectors: VectorIndex, path: Path) -> None:
    vectors.write(path)


def write_text(path: Path, text: str) -> None:
    """Write and fsync a small text file."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace(source: Path, target: Path) -> None:
    os.replace(source, target)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
