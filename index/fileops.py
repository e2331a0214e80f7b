"""Every file operation a writer performs, one function each.

The writer, the publishing step and ``repair`` call these (as ``fileops.NAME``) rather
than ``os``, ``sqlite3`` or FAISS directly, so the fault-injection tests can make any one
step fail as a full or read-only disk would (SQLite's tests wrap its VFS the same way).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from .store import connect_writable
from .vectors import VectorIndex

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


def copy_store(source: Path, target: Path) -> None:
    """Copy a published store (read-only) into a new file with SQLite's backup API."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


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
