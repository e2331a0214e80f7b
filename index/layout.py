"""On-disk layout of an index folder and its atomic generation swap.

::

    index_dir/
      CURRENT            name of the published generation, e.g. "gen-000007"
      .writer.lock       held by the one process that is updating the index
      gen-000007/        an immutable, complete index
        manifest.json
        store.sqlite     documents, chunks, FTS5 keyword index
        vectors.faiss    chunk embeddings keyed by chunk id

A writer builds ``gen-N.tmp-PID`` beside the published one, fsyncs it, renames it
to ``gen-N`` and then replaces ``CURRENT`` with an atomic rename. A crash at any
moment leaves ``CURRENT`` naming a complete generation: the old one or the new one.
Readers only ever open the generation that ``CURRENT`` names, and published
generations are never modified, so readers take no locks.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = [
    "CURRENT",
    "IndexLockedError",
    "current_generation",
    "default_index_dir",
    "generation_dirs",
    "publish",
    "writer_lock",
]

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
STORE = "store.sqlite"
VECTORS = "vectors.faiss"
_GEN = re.compile(r"^gen-(\d{6,})$")
KEEP_OLD_GENERATIONS = 1  # a reader that opened the previous one can finish its query


class IndexLockedError(RuntimeError):
    """Another process is updating this index."""


DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "data" / "releases"  # bundled releases


def default_index_dir() -> Path:
    """``PRESSROOM_INDEX`` or ``data/index`` of the Pressroom checkout."""
    env = os.environ.get("PRESSROOM_INDEX")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "data" / "index"


def current_generation(index_dir: Path) -> str | None:
    """The published generation's folder name, or None when nothing was published."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return name if _GEN.match(name) else None


def generation_dirs(index_dir: Path) -> list[tuple[int, Path]]:
    """Published generation folders, oldest first."""
    out = []
    if index_dir.is_dir():
        for child in index_dir.iterdir():
            m = _GEN.match(child.name)
            if m and child.is_dir():
                out.append((int(m.group(1)), child))
    return sorted(out)


def writer_lock(index_dir: Path, timeout: float = 0) -> FileLock:
    """Take the single-writer lock, or raise :class:`IndexLockedError` after ``timeout`` s."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / ".writer.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise IndexLockedError(
            f"{index_dir}: another process is updating this index; try again when it is done"
        ) from None
    return lock


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file():
            with open(child, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(path)


def new_workdir(index_dir: Path) -> tuple[int, Path]:
    """A fresh scratch folder for the next generation (the caller holds the lock)."""
    for child in index_dir.iterdir():  # leftovers of a crashed writer
        if ".tmp-" in child.name and child.name.startswith("gen-"):
            shutil.rmtree(child, ignore_errors=True)
    gens = generation_dirs(index_dir)
    number = (gens[-1][0] if gens else 0) + 1
    work = index_dir / f"gen-{number:06d}.tmp-{os.getpid()}"
    work.mkdir()
    return number, work


def publish(index_dir: Path, number: int, work: Path) -> Path:
    """Make ``work`` the published generation ``number``, atomically and durably."""
    _fsync_tree(work)
    final = index_dir / f"gen-{number:06d}"
    os.replace(work, final)
    _fsync_dir(index_dir)
    tmp = index_dir / f"{CURRENT}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(final.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)
    for num, path in generation_dirs(index_dir)[: -(KEEP_OLD_GENERATIONS + 1)]:
        if num != number:
            shutil.rmtree(path, ignore_errors=True)
    return final
