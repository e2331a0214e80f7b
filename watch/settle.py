"""Which changed files of a watched folder are settled, and what the next sync is.

Pure decisions, no I/O: the caller passes each file's size and modification time
(a :class:`Stamp`) and the clocks, so every rule is tested without a file system.

A file is *settled* when its size and modification time have stayed the same for the
settle interval:

- a file the watcher saw change is settled once the stamp it saw has not changed for
  ``settle`` seconds of the watcher's own clock;
- a file it never saw change (found by the catch-up sync at start, or inside a folder
  moved in) is settled when its modification time is ``settle`` + :data:`MTIME_SLACK`
  seconds old: nothing has written to it since (the slack covers file systems that keep
  coarse times, e.g. FAT's two seconds).

Changes that arrive together go into one sync: while some changed files are still being
written, the settled ones wait for them, for at most ``max_wait`` seconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import PurePath

from ingest.formats import FORMATS

__all__ = [
    "MTIME_SLACK",
    "Plan",
    "Seen",
    "Settler",
    "Stamp",
    "is_ignored",
    "is_temporary",
    "settled",
]

# seconds added to the settle interval before a file's modification time alone counts
MTIME_SLACK = 2.0
# seconds a claim of another writer on a file holds (its events come within milliseconds)
CLAIM_SECONDS = 60.0

# what programs call a file while they write it, and editors' backups and swap files
TEMPORARY_SUFFIXES = frozenset(
    {
        ".part",
        ".partial",
        ".crdownload",
        ".download",
        ".opdownload",
        ".tmp",
        ".temp",
        ".swp",
        ".swo",
        ".swx",
        ".bak",
        ".orig",
        ".kate-swp",
    }
)


def is_temporary(name: str) -> bool:
    """Whether a file name is one a program uses while writing, or an editor's backup.

    Dotfiles (``.foo.md.swp``, ``.#foo.md``, rsync's ``.foo.md.Xa3f``), names ending or
    starting with ``~`` (``foo.md~``, Word's ``~$foo``), Emacs' ``#foo.md#``, and the
    suffixes of downloads and temporary copies (``.part``, ``.crdownload``, ``.tmp``, ...).

    >>> [is_temporary(n) for n in ["a.md", ".a.md.swp", "a.md~", "#a.md#", "a.md.part"]]
    [False, True, True, True, True]
    >>> is_temporary("report.pdf.crdownload"), is_temporary("Q3.TMP"), is_temporary("v1.2.md")
    (True, True, False)
    """
    if not name or name.startswith((".", "~", "#")) or name.endswith(("~", "#")):
        return True
    return os.path.splitext(name)[1].lower() in TEMPORARY_SUFFIXES


def is_ignored(path: str, folder: str) -> bool:
    """Whether a path under the watched folder is never a release to index: a temporary
    name, or inside a hidden folder (the trash, ``.git``), as the folder's walk skips.

    >>> is_ignored("/r/.trash/a.md", "/r"), is_ignored("/r/sub/a.md", "/r")
    (True, False)
    >>> is_ignored("/r/a.md.part", "/r"), is_ignored("/elsewhere/a.md", "/r")
    (True, True)
    """
    try:
        parts = PurePath(os.path.relpath(path, folder)).parts
    except ValueError:  # another drive
        return True
    if not parts or parts[0] == os.pardir:
        return True
    return any(p.startswith(".") for p in parts[:-1]) or is_temporary(parts[-1])


def is_release_name(path: str) -> bool:
    """Whether the file type is one Pressroom reads (``ingest.formats``)."""
    return os.path.splitext(path)[1].lower() in FORMATS


@dataclass(frozen=True)
class Stamp:
    """A file's size and modification time: when either moves, the file is being written."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> Stamp:
        return cls(st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class Seen:
    """The stamp a file had when the watcher last saw it change, and when (its clock)."""

    stamp: Stamp
    since: float


def settled(seen: Seen | None, stamp: Stamp, now: float, wall: float, settle: float) -> bool:
    """Whether a file with ``stamp`` has stopped changing (see the module's rules).

    ``now`` is the watcher's monotonic clock (``seen.since`` is on it), ``wall`` the
    time of day in seconds (the file's modification time is on it).

    >>> s = Stamp(10, 5_000_000_000)
    >>> settled(Seen(s, since=100.0), s, now=100.5, wall=5.5, settle=1.0)
    False
    >>> settled(Seen(s, since=100.0), s, now=101.0, wall=5.5, settle=1.0)
    True
    >>> settled(Seen(Stamp(9, 4_900_000_000), 90.0), s, now=101.0, wall=5.5, settle=1.0)
    False
    >>> settled(None, s, now=0.0, wall=7.9, settle=1.0), settled(None, s, 0.0, 8.0, 1.0)
    (False, True)
    """
    if seen is None:
        return wall - stamp.mtime_ns / 1e9 >= settle + MTIME_SLACK
    return seen.stamp == stamp and now - seen.since >= settle


@dataclass(frozen=True)
class Plan:
    """The next sync: the settled files to index, and whether to walk the whole folder
    (after a removal, a folder moved in, or at start: what changed is not known file by
    file). Files still settling are left out either way."""

    files: tuple[str, ...]
    whole_folder: bool


@dataclass
class Settler:
    """The watched folder's changes waiting to be synced (mutable; no I/O).

    >>> s = Settler(settle=1.0, max_wait=5.0, whole_folder=False)
    >>> s.changed("/r/a.md", Stamp(3, 0), now=10.0)
    >>> s.plan(now=10.5, wall=0.0) is None
    True
    >>> s.plan(now=11.0, wall=0.0)
    Plan(files=('/r/a.md',), whole_folder=False)
    >>> s.claimed("/r/up.md", Stamp(7, 0), now=11.0)  # an upload indexes it itself
    >>> s.changed("/r/up.md", Stamp(7, 0), now=11.1); "/r/up.md" in s.pending
    False
    """

    settle: float = 1.0
    max_wait: float = 5.0
    whole_folder: bool = True  # a new watcher first catches up with the whole folder
    pending: dict[str, Seen] = field(default_factory=dict)
    # files another writer indexes as they are (the app's uploads), and when it said so
    claims: dict[str, Seen] = field(default_factory=dict)
    _first_ready: float | None = None

    def changed(self, path: str, stamp: Stamp, now: float) -> None:
        """A release file was written (or seen with a new stamp): its clock restarts,
        unless another writer has claimed the file as it is now."""
        claim = self.claims.get(path)
        if claim is not None:
            if claim.stamp == stamp:
                return
            del self.claims[path]  # changed since: the watcher's again
        seen = self.pending.get(path)
        if seen is None or seen.stamp != stamp:
            self.pending[path] = Seen(stamp, now)

    def claimed(self, path: str, stamp: Stamp, now: float) -> None:
        """Another writer (an upload) indexes ``path`` as it is at ``stamp``: its events
        with that stamp (before or after this call) are its writer's, not the watcher's.
        A claim lapses after :data:`CLAIM_SECONDS`."""
        self.claims = {p: c for p, c in self.claims.items() if now - c.since < CLAIM_SECONDS}
        self.claims[path] = Seen(stamp, now)
        seen = self.pending.get(path)
        if seen is not None and seen.stamp == stamp:
            del self.pending[path]

    def removed(self, path: str) -> None:
        """A path went away (a file or a folder): the next sync walks the folder."""
        self.pending.pop(path, None)
        self.whole_folder = True

    def folder_changed(self) -> None:
        """A folder appeared (its files may not have been seen one by one)."""
        self.whole_folder = True

    def is_ready(self, path: str, stamp: Stamp, now: float, wall: float) -> bool:
        """Asked by the sync before it reads ``path`` (its current ``stamp``): settled
        files may be read; a file that is not is remembered with ``stamp``."""
        seen = self.pending.get(path)
        if settled(seen, stamp, now, wall, self.settle):
            return True
        self.changed(path, stamp, now)
        return False

    def plan(self, now: float, wall: float) -> Plan | None:
        """The sync to run now, or None to wait.

        A file is due once it has been still for ``settle`` seconds since the watcher
        saw it change (the sync checks its stamp again). Due files wait for the pending
        ones still settling, so that changes arriving together make one sync, but no
        longer than ``max_wait`` seconds after the first was due.
        """
        due = sorted(p for p, s in self.pending.items() if now - s.since >= self.settle)
        if not due and not self.whole_folder:
            self._first_ready = None
            return None
        if self._first_ready is None:
            self._first_ready = now
        waiting = len(self.pending) - len(due)
        if waiting and now - self._first_ready < self.max_wait:
            return None
        return Plan(tuple(due), self.whole_folder)

    def synced(self, plan: Plan, admitted: set[str], held: set[str]) -> None:
        """The sync of ``plan`` is done: the files it read are no longer pending, nor are
        the planned ones it had no need to read (unchanged, unreadable: reported); those
        it found still changing (``held``) stay, with the stamp :meth:`is_ready` noted."""
        for path in admitted | (set(plan.files) - held):
            self.pending.pop(path, None)
        if plan.whole_folder:
            self.whole_folder = False
        self._first_ready = None

    def next_due(self, now: float) -> float | None:
        """Seconds until the next pending file is due (None: nothing pending)."""
        if not self.pending:
            return None
        return max(0.0, min(s.since for s in self.pending.values()) + self.settle - now)
