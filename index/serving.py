"""Which generation this process reads: :func:`open_reader`, :func:`reading`, and the last
good generation when the current one is damaged.

One reader per index folder is current. When ``CURRENT`` names a newer generation, the
old reader is retired: it closes its files as soon as the calls in progress end, and the
generations that no reader of this process holds any more are deleted (all but the last
two; see :func:`index.layout.prune`). With ``last_good=True`` (what the app uses), a
damaged current generation is reported once and the newest generation that opens is
served instead, each newly opened generation is verified in full in the background, and
one found damaged is replaced the same way.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from .errors import IndexCorruptError, IndexStorageError, corrupt
from .layout import IndexLockedError, current_generation, generation_dirs, prune, writer_lock
from .reader import IndexNotFoundError, IndexReader

__all__ = ["forget", "held_generations", "open_reader", "reading", "serving_problem"]

_LOCK = threading.Lock()
_CURRENT: dict[Path, IndexReader] = {}  # the reader of the generation CURRENT names
_FALLBACK: dict[Path, tuple[IndexReader, str]] = {}  # served instead, and why
_OPEN: list[IndexReader] = []  # every reader whose files are open


def held_generations(index_dir: Path) -> set[str]:
    """Generations of ``index_dir`` that a reader of this process has open."""
    index_dir = Path(index_dir).resolve()
    with _LOCK:
        return {r.generation for r in _OPEN if r.index_dir == index_dir and not r.closed}


def serving_problem(index_dir: Path) -> str | None:
    """Why the last ``open_reader(index_dir, last_good=True)`` served an older generation
    than ``CURRENT`` names (the damage, and the command that repairs it); None when it
    served the current one."""
    with _LOCK:
        entry = _FALLBACK.get(Path(index_dir).resolve())
    return None if entry is None else entry[1]


def forget(index_dir: Path) -> None:
    """Retire every reader of ``index_dir`` (say, before deleting the folder)."""
    index_dir = Path(index_dir).resolve()
    with _LOCK:
        readers = [r for r in _OPEN if r.index_dir == index_dir]
        _CURRENT.pop(index_dir, None)
        _FALLBACK.pop(index_dir, None)
    for reader in readers:
        reader.retire(_forget_one)


def _forget_one(reader: IndexReader) -> None:
    with _LOCK:
        if reader in _OPEN:
            _OPEN.remove(reader)


def _on_idle(reader: IndexReader) -> None:
    """A retired reader closed its files: forget it, and delete what no one holds now."""
    with _LOCK:
        if reader in _OPEN:
            _OPEN.remove(reader)
    if not reader.index_dir.is_dir():
        return  # the index folder itself was deleted: nothing to prune
    try:
        lock = writer_lock(reader.index_dir, timeout=0)
    except (IndexLockedError, IndexStorageError, OSError):
        return  # a writer is at work (it prunes when it publishes), or the disk is read-only
    try:
        prune(reader.index_dir, held_generations(reader.index_dir))
    except (IndexCorruptError, OSError):
        pass
    finally:
        lock.release()


def _retire(reader: IndexReader | None, keep: set[IndexReader], out: list[IndexReader]) -> None:
    """Queue ``reader`` for retirement (done after ``_LOCK`` is released: it may prune)."""
    if reader is not None and reader not in keep:
        out.append(reader)


def _new_reader(index_dir: Path, generation: str, verify: bool) -> IndexReader:
    reader = IndexReader(index_dir, generation)
    _OPEN.append(reader)
    if verify:
        reader.verify_in_background()
    return reader


def _current(index_dir: Path, verify: bool, retired: list[IndexReader]) -> IndexReader:
    """The reader of CURRENT's generation (called under ``_LOCK``)."""
    generation = current_generation(index_dir)
    if generation is None:
        raise IndexNotFoundError(
            f"{index_dir}: no index yet; build one with `python -m ingest PATH --index {index_dir}`"
        )
    reader = _CURRENT.get(index_dir)
    if reader is None or reader.generation != generation or not reader.same_folder():
        old = reader
        reader = _new_reader(index_dir, generation, verify)
        _CURRENT[index_dir] = reader
        fallback = _FALLBACK.get(index_dir)
        _retire(old, {fallback[0]} if fallback else set(), retired)
    elif verify and reader._verifier is None:
        reader.verify_in_background()
    damage = reader.known_damage
    if damage:
        first = damage[0]
        raise corrupt(first.path, first.problem + " (found by the background check)", index_dir)
    return reader


def _last_good(index_dir: Path, bad: str | None) -> IndexReader | None:
    """The newest generation other than ``bad`` that opens and has no known damage (called
    under ``_LOCK``); the fallback already served is kept while it stays good."""
    fallback = _FALLBACK.get(index_dir)
    if fallback is not None and not fallback[0].known_damage and fallback[0].generation != bad:
        return fallback[0]
    for _, folder in reversed(generation_dirs(index_dir)):
        if folder.name == bad:
            continue
        try:
            reader = _new_reader(index_dir, folder.name, verify=True)
        except IndexCorruptError:
            continue
        except Exception:  # noqa: BLE001 - any generation that will not open is passed over
            continue
        return reader
    return None


def open_reader(index_dir: Path, *, last_good: bool = False) -> IndexReader:
    """The current generation of ``index_dir``, reopened whenever a writer publishes a new one.

    Costs one small file read when nothing changed, so callers may call it per query.
    With ``last_good``, a damaged current generation (or ``CURRENT``) gives the newest
    older generation that opens instead, :func:`serving_problem` says why, and every
    generation opened is verified in full in the background.

    Raises:
        IndexNotFoundError: nothing was published in ``index_dir``.
        IndexCorruptError: the current generation or ``CURRENT`` is damaged (and, with
            ``last_good``, no other generation opens either).
    """
    index_dir = Path(index_dir).resolve()
    retired: list[IndexReader] = []
    try:
        with _LOCK:
            return _open(index_dir, last_good, retired)
    finally:
        for reader in retired:
            reader.retire(_on_idle)


def _open(index_dir: Path, last_good: bool, retired: list[IndexReader]) -> IndexReader:
    """:func:`open_reader` under ``_LOCK``; readers to retire go to ``retired``."""
    try:
        reader = _current(index_dir, last_good, retired)
    except IndexCorruptError as exc:
        if not last_good:
            raise
        current = _CURRENT.get(index_dir)
        bad = None if current is None or not current.known_damage else current.generation
        if bad is None and exc.path is not None and exc.path.parent.parent == index_dir:
            bad = exc.path.parent.name  # the damaged file's generation
        fallback = _last_good(index_dir, bad)
        if fallback is None:
            raise
        old = _FALLBACK.get(index_dir)
        _FALLBACK[index_dir] = (fallback, f"{exc}; serving {fallback.generation} meanwhile")
        if old is not None and old[0] is not fallback:
            _retire(old[0], {_CURRENT.get(index_dir)}, retired)
        return fallback
    old = _FALLBACK.pop(index_dir, None)
    if old is not None:
        _retire(old[0], {reader}, retired)
    return reader


@contextlib.contextmanager
def reading(index_dir: Path, *, last_good: bool = False) -> Iterator[IndexReader]:
    """:func:`open_reader` for one block of calls: its files stay open until the block ends,
    even if a newer generation is published meanwhile.

    Example:
        >>> with reading("data/index") as reader:  # doctest: +SKIP
        ...     reader.documents()[:1]
    """
    reader = open_reader(index_dir, last_good=last_good)
    with reader.lease():
        yield reader
