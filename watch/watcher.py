"""The watched folder's loop: file events from ``watchfiles``, settled files synced.

:class:`Watcher` catches up with the whole folder first (so whatever changed while no
watcher ran is indexed: a crash or a kill loses nothing), then waits for changes. The
operating system reports them (inotify, FSEvents, ReadDirectoryChangesW through
``watchfiles``); :class:`~watch.settle.Settler` decides when a changed file has stopped
changing and which changes make one sync. Every sync is :func:`index.sync`: one atomic
generation, under the index's one writer lock (another writer, an upload in the app,
is waited for). A file that cannot be read is one error line; the watcher goes on.
"""

from __future__ import annotations

import logging
import os
import queue
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from index import (
    Encoder,
    IndexLockedError,
    Progress,
    SyncReport,
    default_index_dir,
    sync,
)
from qa.alerts import run_saved_searches

from .settle import Plan, Settler, Stamp, is_ignored, is_release_name
from .status import (
    MAX_ERRORS,
    LastSync,
    WatchError,
    WatchStatus,
    now_text,
    progress_text,
    sync_line,
)

__all__ = ["DEFAULT_MAX_WAIT", "DEFAULT_SETTLE", "WatchStopped", "Watcher"]

logger = logging.getLogger(__name__)

DEFAULT_SETTLE = 1.0  # seconds a changed file must stay unchanged before it is read
DEFAULT_MAX_WAIT = 5.0  # seconds settled files wait for others still being written
# how often the loop wakes without events to see which files have settled (ms)
TICK_MS = 200
# watchfiles groups the events of a burst: it yields once nothing new came for STEP_MS
STEP_MS = 100
DEBOUNCE_MS = 1000
LOCK_WAIT = 1.0  # seconds per attempt at the writer lock (the stop request is seen between)


class WatchStopped(Exception):
    """Raised inside a sync when the watcher is asked to stop (the update is discarded)."""


SyncCallback = Callable[[SyncReport, tuple[str, ...]], None]


class Watcher:
    """Keep the index at ``index_dir`` in line with ``folder`` until stopped.

    Args:
        folder: the releases folder to watch (with its sub-folders).
        index_dir: the index (default ``PRESSROOM_INDEX`` or ``data/index``).
        encoder: the embedding model (default: the configured one, loaded when needed).
        settle: seconds a changed file's size and modification time must stay the same.
        max_wait: at most this many seconds settled files wait for others still changing.
        remove_missing: take releases whose file is gone out of the index.
        rebuild: the first sync starts the index over.
        on_sync: called after each sync with its report and the files still settling.
        on_message: called with a line about the watcher itself (waiting for a writer).

    Example:
        >>> w = Watcher("data/releases", "/tmp/idx", on_sync=print)  # doctest: +SKIP
        >>> w.start(); ...; w.stop()  # doctest: +SKIP
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        index_dir: str | os.PathLike[str] | None = None,
        *,
        encoder: Encoder | None = None,
        settle: float = DEFAULT_SETTLE,
        max_wait: float = DEFAULT_MAX_WAIT,
        remove_missing: bool = True,
        rebuild: bool = False,
        on_sync: SyncCallback | None = None,
        on_message: Callable[[str], None] | None = None,
    ) -> None:
        if settle < 0 or max_wait < 0:
            raise ValueError("settle and max_wait must be 0 or more seconds")
        self.folder = os.path.abspath(folder)
        self.index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
        self._index_abs = os.path.abspath(self.index_dir)
        self.encoder = encoder
        self.settler = Settler(settle=settle, max_wait=max_wait)
        self.remove_missing = remove_missing
        self._rebuild = rebuild
        self._on_sync = on_sync
        self._on_message = on_message
        self._stop = threading.Event()
        self._status = WatchStatus(self.folder)
        self._status_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._claims: queue.SimpleQueue[tuple[str, Stamp]] = queue.SimpleQueue()

    # -- state -----------------------------------------------------------------------------
    @property
    def status(self) -> WatchStatus:
        """What the watcher is doing now (a frozen snapshot; safe from any thread)."""
        return self._status

    def _set(self, **changes) -> None:
        with self._status_lock:
            self._status = replace(self._status, **changes)

    def _message(self, text: str) -> None:
        logger.info("%s", text)
        if self._on_message is not None:
            self._on_message(text)

    def claim(self, paths: list[str | os.PathLike[str]]) -> None:
        """Files of the folder another writer is about to index as they are now (the
        app's uploads, saved and complete): the watcher leaves them to it and syncs them
        only if they change again (safe from any thread)."""
        for path in paths:
            try:
                st = os.stat(path)
            except OSError:
                continue
            self._claims.put((os.path.abspath(path), Stamp.of(st)))

    def _take_claims(self) -> None:
        while not self._claims.empty():
            path, stamp = self._claims.get()
            self.settler.claimed(path, stamp, time.monotonic())

    # -- running ---------------------------------------------------------------------------
    def start(self) -> None:
        """Run the watcher in a background thread (it ends with :meth:`stop`)."""
        self._thread = threading.Thread(target=self._run_logged, name="pressroom-watch")
        self._thread.daemon = True  # the app's end is not held up by a sync in progress
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the watcher to stop (a sync under way is abandoned: the index keeps its
        last generation) and wait up to ``timeout`` seconds for it."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run_logged(self) -> None:
        try:
            self.run()
        except Exception as exc:  # the status says why; the log has the line
            logger.error("watching %s stopped: %s", self.folder, self._status.problem or exc)
            if self._status.problem is None:
                logger.exception("the watcher failed")
                self._set(state="failed", problem=f"{type(exc).__name__}: {exc}")

    def run(self) -> None:
        """Watch until :meth:`stop` is called (or Ctrl-C in the main thread, raised as
        ``KeyboardInterrupt``).

        Raises:
            IndexFormatError, IndexStorageError, sqlite3.Error: the index cannot be updated
                (damaged, disk full, read-only, another model): the status says so too.
        """
        from watchfiles import watch  # the file events; loaded only by a watcher

        if not os.path.isdir(self.folder):
            raise NotADirectoryError(f"{self.folder} is not a folder")
        try:
            for changes in watch(
                self.folder,
                watch_filter=self._relevant,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=self._stop,
                rust_timeout=TICK_MS,
                yield_on_timeout=True,
                raise_interrupt=True,
                ignore_permission_denied=True,  # the sync names a folder it cannot list
            ):
                self._note(changes)
                self._sync_due()
                if self._stop.is_set():
                    break
        except WatchStopped:
            pass
        finally:
            if self._status.state != "failed":
                self._set(state="stopped")

    # -- events ------------------------------------------------------------------------------
    def _relevant(self, change, path: str) -> bool:
        """watchfiles' filter: nothing under the index, in hidden folders or temporary."""
        if path == self._index_abs or path.startswith(self._index_abs + os.sep):
            return False
        return not is_ignored(path, self.folder)

    def _note(self, changes: set) -> None:
        """Turn file events into the settler's changes (a stat per changed path)."""
        from watchfiles import Change

        now = time.monotonic()
        for change, path in sorted(changes, key=lambda c: c[1]):
            if change == Change.deleted:
                self.settler.removed(path)
                continue
            try:
                st = os.lstat(path)
            except OSError:  # gone again already
                self.settler.removed(path)
                continue
            if stat.S_ISDIR(st.st_mode):
                if change == Change.added:  # a folder moved in: its files made no events
                    self.settler.folder_changed()
            elif stat.S_ISLNK(st.st_mode):  # the folder's walk decides where links may lead
                self.settler.folder_changed()
            elif is_release_name(path):
                self.settler.changed(path, Stamp.of(st), now)
        if changes:
            self._set(settling=tuple(sorted(self.settler.pending)))

    # -- syncing -----------------------------------------------------------------------------
    def _sync_due(self) -> None:
        self._take_claims()
        plan = self.settler.plan(time.monotonic(), time.time())
        if plan is None:
            return
        first = self._status.syncs == 0 and self._status.state == "starting"
        self._set(state="catching up" if first else "syncing")
        admitted: set[str] = set()
        held: set[str] = set()
        report = self._sync(plan, admitted, held, rebuild=first and self._rebuild)
        self.settler.synced(plan, admitted, held)
        if report is not None:
            self._after_sync(report)
        elif self._status.state == "syncing":
            self._set(state="watching", settling=tuple(sorted(self.settler.pending)), progress=None)

    def _sync(
        self, plan: Plan, admitted: set[str], held: set[str], *, rebuild: bool
    ) -> SyncReport | None:
        """One :func:`index.sync` of the plan, waiting for another writer if need be
        (None: the planned files are all gone again, nothing to do)."""

        def ready(path: Path, st: os.stat_result) -> bool:
            key = str(path)
            if is_ignored(key, self.folder):
                return False
            ok = self.settler.is_ready(key, Stamp.of(st), time.monotonic(), time.time())
            (admitted if ok else held).add(key)
            return ok

        def progress(p: Progress) -> None:
            if self._stop.is_set():
                raise WatchStopped
            done = progress_text(p.files_done, p.files_total, p.chunks_embedded, p.chunks_to_embed)
            if self._status.state == "waiting for another writer":  # its turn came
                self._set(state="syncing", progress=done)
            else:
                self._set(progress=done)

        if plan.whole_folder:
            paths = [self.folder]
        else:  # only the settled files: the folder is not walked for a file dropped in
            paths = [p for p in plan.files if os.path.lexists(p)]
            if not paths:
                return None
        waiting = False
        while True:
            try:
                return sync(
                    paths,
                    self.index_dir,
                    encoder=self.encoder,
                    remove_missing=self.remove_missing and plan.whole_folder,
                    rebuild=rebuild,
                    progress=progress,
                    lock_timeout=LOCK_WAIT,
                    ready=ready,
                )
            except IndexLockedError:
                if self._stop.is_set():
                    raise WatchStopped from None
                self._take_claims()  # the writer holding the lock may be an upload of these
                if not plan.whole_folder:
                    paths = [p for p in paths if p in self.settler.pending]
                    if not paths:
                        return None
                if not waiting:
                    waiting = True
                    self._set(state="waiting for another writer")
                    self._message(f"waiting for another writer of {self.index_dir}")
            except WatchStopped:
                raise
            except Exception as exc:
                problem = " ".join(str(exc).split()) or type(exc).__name__
                errors = (WatchError(now_text(), "", problem), *self._status.errors)
                self._set(
                    state="failed", problem=problem, errors=errors[:MAX_ERRORS], progress=None
                )
                raise

    def _after_sync(self, report: SyncReport) -> None:
        """Everything that follows a sync of the watched folder, in one place: the status
        (the Library tab), the log, the saved searches' alerts for the releases this sync
        added or changed, and the caller's ``on_sync``."""
        settling = tuple(sorted(self.settler.pending))
        status = self._status
        errors = tuple(WatchError(now_text(), f.path, f.reason) for f in report.failed)
        again = {e.path for e in errors}  # a file failing again is listed once, newest
        errors += tuple(e for e in status.errors if not e.path or e.path not in again)
        self._set(
            state="watching",
            progress=None,
            settling=settling,
            last=LastSync.of(report, len(settling)),
            syncs=status.syncs + 1,
            errors=errors[:MAX_ERRORS],
        )
        logger.info("%s: %s", self.folder, sync_line(report, len(settling)))
        for failure in report.failed:
            logger.warning("%s", failure)
        self._run_alerts(report)
        if self._on_sync is not None:
            self._on_sync(report, settling)

    def _run_alerts(self, report: SyncReport) -> None:
        """The saved searches over what the sync added or changed; a problem with them is
        one message and never stops the watcher (the index is updated all the same)."""
        new, problem = run_saved_searches(self.index_dir, report, encoder=self.encoder)
        if problem:
            self._message(f"saved searches not run: {problem}")
            return
        if new:
            self._message(f"{len(new)} new alert(s) for saved searches")
