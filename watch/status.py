"""What a watcher is doing, as a frozen snapshot the UI and the command line show."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from index import SyncReport

__all__ = ["LastSync", "WatchError", "WatchStatus", "now_text", "sync_line"]

# the latest file errors a status keeps
MAX_ERRORS = 20


def now_text() -> str:
    """The time of day in UTC as the status shows it, e.g. ``2026-12-01 15:04:05 UTC``."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


@dataclass(frozen=True)
class LastSync:
    """The counts of the watcher's latest sync."""

    finished: str
    added: int
    updated: int
    removed: int
    failed: int
    seconds: float
    documents: int
    chunks: int
    settling: int  # changed files left for the next sync: still changing

    @classmethod
    def of(cls, report: SyncReport, settling: int) -> LastSync:
        return cls(
            now_text(),
            len(report.added),
            len(report.updated),
            len(report.removed),
            len(report.failed),
            report.seconds,
            report.documents,
            report.chunks,
            settling,
        )


@dataclass(frozen=True)
class WatchError:
    """One file the watcher could not index (``path`` and why), or a problem of the index
    (``path`` empty), and when."""

    when: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


@dataclass(frozen=True)
class WatchStatus:
    """A watcher's state: ``starting``, ``catching up`` (the first sync of the folder),
    ``watching``, ``syncing``, ``waiting for another writer``, ``stopped`` or
    ``failed`` (``problem`` says why; the watcher has stopped)."""

    folder: str
    state: str = "starting"
    settling: tuple[str, ...] = ()  # files changed and still being written
    last: LastSync | None = None
    syncs: int = 0  # syncs done since the start (the UI refreshes the library when it moves)
    errors: tuple[WatchError, ...] = ()  # newest first, at most MAX_ERRORS
    problem: str | None = None
    progress: str | None = None  # how far the sync under way is


def progress_text(files_done: int, files_total: int, embedded: int, to_embed: int) -> str:
    """How far a sync is, for the status.

    >>> progress_text(3, 20, 40, 140)
    '3/20 files read · 40/140 chunks embedded'
    >>> progress_text(1, 1, 0, 0)
    '1/1 files read'
    """
    text = f"{files_done}/{files_total} files read"
    return f"{text} · {embedded}/{to_embed} chunks embedded" if to_embed else text


def sync_line(report: SyncReport, settling: int = 0) -> str:
    """One line for a sync of the watched folder.

    >>> from index import SyncReport
    >>> r = SyncReport(("a",), (), ("b",), 4, (), 12, 0, 5, 40, 0.84, True)
    >>> sync_line(r, settling=2).split("; ")  # doctest: +NORMALIZE_WHITESPACE
    ['synced: added 1, updated 0, removed 1, failed 0 in 0.8s', 'index 5 releases, 40 chunks',
     '2 changed files waiting to settle']
    """
    line = (
        f"synced: added {len(report.added)}, updated {len(report.updated)}, removed "
        f"{len(report.removed)}, failed {len(report.failed)} in {report.seconds:.1f}s; "
        f"index {report.documents} releases, {report.chunks} chunks"
    )
    if settling:
        line += f"; {settling} changed file{'s' if settling != 1 else ''} waiting to settle"
    return line


def short_path(path: str, folder: str) -> str:
    """``path`` relative to the watched folder when it is inside it.

    >>> short_path("/r/sub/a.md", "/r"), short_path("/x/a.md", "/r")
    ('sub/a.md', '/x/a.md')
    """
    rel = os.path.relpath(path, folder)
    return path if rel.startswith(os.pardir) else rel
