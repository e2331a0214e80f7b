"""What a cluster ingest sends out, decided on the driver (pure: no Ray, no files).

:func:`plan_files` keeps the unchanged-file check on the driver: a file whose size and
modification time match the index is never sent to the cluster. :func:`task_batches` cuts
the rest into parse tasks, in the order the single-process sync adds them (so documents
and chunks get the same ids). :func:`length_batches` cuts a queue of texts into calls to the
embedding workers the way the encoder batches them (longest first, ``batch_size`` at a time),
so every model batch holds the same texts as it would in one process.

Example:
    >>> known = {"/r/a.txt": KnownDocument(1, "h", 10, 5)}
    >>> plan = plan_files([FileState("/r/a.txt", 10, 5), FileState("/r/b.txt", 3, 1)], known)
    >>> [f.path for f in plan.send], plan.unchanged
    (['/r/b.txt'], ('/r/a.txt',))
    >>> length_batches([5, 50, 7, 30], batch_size=1, per_call=2)
    [[1, 3], [2, 0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .writer import KnownDocument

__all__ = ["FileState", "Plan", "length_batches", "plan_files", "task_batches"]


@dataclass(frozen=True)
class FileState:
    """A file as the driver saw it: its absolute path, size and modification time."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Plan:
    """Files to send to the cluster (in sync order) and the unchanged ones kept as they are."""

    send: tuple[FileState, ...]
    unchanged: tuple[str, ...]


def plan_files(files: Sequence[FileState], known: Mapping[str, KnownDocument]) -> Plan:
    """Split files into those to read on the cluster and those the index already has."""
    send, unchanged = [], []
    for f in files:
        old = known.get(f.path)
        if old is not None and (old.size, old.mtime_ns) == (f.size, f.mtime_ns):
            unchanged.append(f.path)
        else:
            send.append(f)
    return Plan(tuple(send), tuple(unchanged))


def task_batches(files: Sequence[FileState], per_task: int) -> list[tuple[FileState, ...]]:
    """Consecutive groups of ``per_task`` files (the last may be shorter), order kept."""
    if per_task < 1:
        raise ValueError(f"per_task must be positive, got {per_task}")
    return [tuple(files[i : i + per_task]) for i in range(0, len(files), per_task)]


def length_batches(lengths: Sequence[int], *, batch_size: int, per_call: int) -> list[list[int]]:
    """Indices of texts, longest first, in groups of ``per_call`` rounded to whole batches.

    Args:
        lengths: each text's length in characters (what the encoder sorts by).
        batch_size: texts per model batch inside a worker.
        per_call: texts per call to a worker; rounded down to a multiple of ``batch_size``
            (at least one batch), so no model batch straddles two calls.
    """
    if batch_size < 1 or per_call < 1:
        raise ValueError("batch_size and per_call must be positive")
    step = max(batch_size, per_call - per_call % batch_size)
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i : i + step] for i in range(0, len(order), step)]
