"""On-disk layout of an index folder and its atomic generation swap.

::

    index_dir/
      CURRENT            name of the published generation, e.g. "gen-000007"
      .writer.lock       held by the one process that is updating the index
      alerts.sqlite      saved searches and alerts (qa.alert_store): not part of the index,
                         never read, written or deleted here
      gen-000007/        an immutable, complete index
        manifest.json
        store.sqlite     documents, chunks, FTS5 keyword index
        vectors.faiss    chunk embeddings keyed by chunk id
        vectors.f16      above VectorSettings.compressed_min chunks only: the vectors the
                         compressed vectors.faiss re-ranks with (index.stored_vectors)

A writer builds ``gen-N.tmp-PID`` beside the published one, fsyncs it, renames it
to ``gen-N`` and then replaces ``CURRENT`` with an atomic rename. A crash at any
moment leaves ``CURRENT`` naming a complete generation: the old one or the new one.
Readers only ever open the generation that ``CURRENT`` names, and published
generations are never modified, so readers take no locks. The file operations are
those of :mod:`index.fileops`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path

from filelock import FileLock, Timeout

from . import fileops
from .errors import BadCurrentError, corrupt, storage_error

__all__ = [
    "CURRENT",
    "IndexLockedError",
    "current_generation",
    "default_index_dir",
    "generation_dirs",
    "prune",
    "publish",
    "write_current",
    "writer_lock",
]

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
STORE = "store.sqlite"
VECTORS = "vectors.faiss"
_GEN = re.compile(r"^gen-(\d{6,})$")
KEEP_OLD_GENERATIONS = 1  # a reader that opened the previous one can finish its query
STORED_VECTORS = "vectors.f16"  # a compressed vector index's stored vectors (only then)
PUBLISHED_FILES = (STORE, VECTORS)  # checksummed in the manifest (which has its own)
OPTIONAL_FILES = (STORED_VECTORS,)  # checksummed too when a generation has them


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
    """The published generation's folder name, or None when nothing was published.

    Raises:
        BadCurrentError: ``CURRENT`` is unreadable or garbage, names a generation that is
            not there, or is missing although generations were published (each of these
            is recovered by the next update or ``pressroom repair``, without embedding).
    """
    path = index_dir / CURRENT
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        gens = generation_dirs(index_dir)
        if not gens:
            return None
        raise corrupt(
            path, f"missing, though {gens[-1][1].name} was published", index_dir, BadCurrentError
        ) from None
    except OSError as exc:
        problem = f"unreadable ({exc.strerror or exc})"
        raise corrupt(path, problem, index_dir, BadCurrentError) from exc
    try:
        name = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        name = None
    if name is None or not _GEN.match(name):
        problem = f"garbage ({raw[:24]!r}), not a generation name"
        raise corrupt(path, problem, index_dir, BadCurrentError)
    if not (index_dir / name).is_dir():
        raise corrupt(path, f"names {name}, which is not there", index_dir, BadCurrentError)
    return name


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
    """Take the single-writer lock, or raise :class:`IndexLockedError` after ``timeout`` s.

    Raises:
        IndexStorageError: the lock file cannot be created (read-only, permissions, full).
    """
    lock_path = index_dir / ".writer.lock"
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(lock_path))
        lock.acquire(timeout=timeout)
    except Timeout:
        raise IndexLockedError(
            f"{index_dir}: another process is updating this index; try again when it is done"
        ) from None
    except OSError as exc:
        typed = storage_error(exc, lock_path, what="taking the writer lock")
        if typed is None:
            raise
        raise typed from exc
    return lock


def _fsync_tree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file():
            fileops.fsync_file(child)
    fileops.fsync_dir(path)


def remove_workdirs(index_dir: Path) -> None:
    """Delete the scratch folders of writers that crashed (the caller holds the lock)."""
    for child in index_dir.iterdir():
        if ".tmp-" in child.name and child.name.startswith(("gen-", CURRENT)):
            if child.is_dir():
                fileops.remove_tree(child)
            else:
                child.unlink(missing_ok=True)


def new_workdir(index_dir: Path) -> tuple[int, Path]:
    """A fresh scratch folder for the next generation (the caller holds the lock)."""
    remove_workdirs(index_dir)
    gens = generation_dirs(index_dir)
    number = (gens[-1][0] if gens else 0) + 1
    work = index_dir / f"gen-{number:06d}.tmp-{os.getpid()}"
    fileops.make_dir(work)
    return number, work


def write_current(index_dir: Path, name: str) -> None:
    """Point ``CURRENT`` at generation ``name``, atomically and durably."""
    tmp = index_dir / f"{CURRENT}.tmp-{os.getpid()}"
    try:
        fileops.write_text(tmp, name + "\n")
        fileops.replace(tmp, index_dir / CURRENT)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fileops.fsync_dir(index_dir)


def publish(index_dir: Path, number: int, work: Path, held: Collection[str] = ()) -> Path:
    """Make ``work`` the published generation ``number``, atomically and durably, and
    delete the generations before the last two that no reader in ``held`` uses."""
    _fsync_tree(work)
    final = index_dir / f"gen-{number:06d}"
    fileops.replace(work, final)
    fileops.fsync_dir(index_dir)
    write_current(index_dir, final.name)
    prune(index_dir, held)
    return final


def prune(index_dir: Path, held: Collection[str] = ()) -> list[str]:
    """Delete published generations older than the last ``KEEP_OLD_GENERATIONS + 1``,
    except those named in ``held`` (open in a reader); the names deleted.

    The caller holds the writer lock. ``CURRENT``'s generation is always kept.
    """
    try:
        current = current_generation(index_dir)
    except BadCurrentError:
        return []  # which one is live is unclear: delete nothing
    removed = []
    for _, path in generation_dirs(index_dir)[: -(KEEP_OLD_GENERATIONS + 1)]:
        if path.name != current and path.name not in held:
            fileops.remove_tree(path)
            removed.append(path.name)
    return removed
