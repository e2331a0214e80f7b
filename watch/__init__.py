"""The watched folder: new, changed and removed releases indexed within seconds.

:class:`Watcher` (``pressroom ingest --watch FOLDER``, and the app's releases folder)
takes file events from ``watchfiles``, waits until a changed file has stopped changing
(:mod:`watch.settle`, pure), and syncs the settled changes together through
:func:`index.sync`. :class:`WatchStatus` is what it is doing, for the UI.
"""

from .settle import MTIME_SLACK, Plan, Settler, Stamp, is_ignored, is_temporary, settled
from .status import LastSync, WatchError, WatchStatus, sync_line
from .watcher import DEFAULT_MAX_WAIT, DEFAULT_SETTLE, Watcher, WatchStopped

__all__ = [
    "DEFAULT_MAX_WAIT",
    "DEFAULT_SETTLE",
    "MTIME_SLACK",
    "LastSync",
    "Plan",
    "Settler",
    "Stamp",
    "WatchError",
    "WatchStatus",
    "WatchStopped",
    "Watcher",
    "is_ignored",
    "is_temporary",
    "settled",
    "sync_line",
]
