"""The watched folder: which files are settled (pure), and a real watcher over real files.

The watcher tests run :class:`watch.Watcher` in a thread over a copy of the bundled
releases with a real index. Each waits on the watcher's own handshake, the report it
hands to ``on_sync`` after every sync (a queue here), with a timeout; none sleeps to
wait for a result. The test that a dropped file is answerable uses the real model; the
others are about what gets indexed when, and use the fake encoder (``conftest``).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index import open_reader
from index.layout import writer_lock
from watch import MTIME_SLACK, Plan, Settler, Stamp, Watcher, is_ignored, is_temporary, settled

from .conftest import RELEASES, ROOT

ZENTRIX = """\
Zentrix Therapeutics Completes Enrollment of Phase 2 ZEN-22 Trial in Chronic Kidney Disease

BOSTON, Sept. 9, 2025 (GLOBE NEWSWIRE) -- Zentrix Therapeutics, Inc. (Nasdaq: ZNTX), a
clinical-stage biotechnology company developing antibody therapies for kidney disease, today
announced that it has enrolled 417 patients in its ZEN-22 trial, a randomized, double-blind,
placebo-controlled Phase 2 study of zenoralimab in adults with chronic kidney disease.

The ZEN-22 trial enrolled patients at 58 sites in the United States, Canada and Germany. The
primary endpoint is the change in urine albumin-to-creatinine ratio after 24 weeks.
"""


def test_the_watcher_sits_beside_the_ui_and_loads_watchfiles_only_to_watch():
    code = "import sys, watch, index, qa; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = {m.split(".")[0] for m in out.stdout.split()}
    assert not loaded & {"watchfiles", "gradio", "ui", "pressroom"}
    out = subprocess.run(
        [sys.executable, "-c", "import sys, index, qa; print(' '.join(sys.modules))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "watch" not in {m.split(".")[0] for m in out.stdout.split()}


# -- the rules, without a file system ---------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [".a.md.swp", ".#a.md", "a.md~", "#a.md#", "~$a.md", "a.md.part", "a.pdf.crdownload",
     "a.md.tmp", "a.md.bak", ".a.md.Xa3f9"],
)  # fmt: skip
def test_temporary_names_are_never_releases(name):
    assert is_temporary(name)
    assert is_ignored(f"/r/{name}", "/r")


@pytest.mark.parametrize("name", ["a.md", "Q3 results (final).pdf", "v1.2.txt", "a~b.html"])
def test_release_names_are_kept(name):
    assert not is_temporary(name) and not is_ignored(f"/r/sub/{name}", "/r")


def test_hidden_folders_and_paths_outside_are_ignored():
    assert is_ignored("/r/.trash/a.md", "/r") and is_ignored("/r/a/.git/b.md", "/r")
    assert is_ignored("/other/a.md", "/r") and is_ignored("/r", "/r")


def test_a_file_is_settled_after_the_interval_without_change():
    a, b = Stamp(100, 5 * 10**9), Stamp(200, 6 * 10**9)
    settler = Settler(settle=1.0, max_wait=5.0, whole_folder=False)
    settler.changed("/r/a.md", a, now=10.0)
    assert not settler.is_ready("/r/a.md", a, now=10.9, wall=6.0)
    assert settler.is_ready("/r/a.md", a, now=11.0, wall=6.0)
    # it grew: the clock starts again from the new stamp
    assert not settler.is_ready("/r/a.md", b, now=11.5, wall=6.5)
    assert settler.pending["/r/a.md"].stamp == b
    assert not settler.is_ready("/r/a.md", b, now=12.4, wall=7.4)
    assert settler.is_ready("/r/a.md", b, now=12.5, wall=7.5)


def test_a_file_never_seen_changing_is_judged_by_its_modification_time():
    stamp = Stamp(10, 100 * 10**9)  # written at t=100 s
    limit = 100 + 1.0 + MTIME_SLACK
    assert not settled(None, stamp, now=0.0, wall=limit - 0.01, settle=1.0)
    assert settled(None, stamp, now=0.0, wall=limit, settle=1.0)
    settler = Settler(settle=1.0, whole_folder=False)
    assert not settler.is_ready("/r/new.md", stamp, now=5.0, wall=101.0)
    assert "/r/new.md" in settler.pending  # remembered: settled one interval from now
    assert settler.is_ready("/r/new.md", stamp, now=6.0, wall=102.0)


def test_changes_arriving_together_make_one_sync():
    s = Settler(settle=1.0, max_wait=5.0, whole_folder=False)
    s.changed("/r/a.md", Stamp(1, 1), now=0.0)
    s.changed("/r/b.md", Stamp(1, 1), now=0.6)
    assert s.plan(now=1.0, wall=0) is None  # a is settled, b (still changing) is waited for
    assert s.plan(now=1.6, wall=0) == Plan(("/r/a.md", "/r/b.md"), False)


def test_settled_files_wait_for_a_slow_writer_at_most_max_wait():
    s = Settler(settle=1.0, max_wait=2.0, whole_folder=False)
    s.changed("/r/a.md", Stamp(1, 1), now=0.0)
    for t in range(1, 10):  # b keeps growing
        s.changed("/r/b.md", Stamp(t, t), now=float(t))
    # a was due at 1.0 and waited with b; at 3.0 it goes without b
    assert s.plan(now=1.0, wall=0) is None
    plan = s.plan(now=3.0, wall=0)
    assert plan == Plan(("/r/a.md",), False)
    s.synced(plan, admitted={"/r/a.md"}, held=set())
    assert set(s.pending) == {"/r/b.md"}


def test_a_removal_walks_the_folder_and_the_sync_clears_what_it_read():
    s = Settler(settle=1.0, whole_folder=False)
    assert s.plan(now=0.0, wall=0) is None
    s.changed("/r/a.md", Stamp(1, 1), now=0.0)
    s.removed("/r/a.md")  # written, then deleted before it settled
    assert s.pending == {}
    plan = s.plan(now=0.1, wall=0)
    assert plan == Plan((), True)
    s.synced(plan, admitted=set(), held=set())
    assert s.plan(now=0.2, wall=0) is None
    s.changed("/r/b.md", Stamp(1, 1), now=1.0)
    s.changed("/r/c.md", Stamp(1, 1), now=1.0)
    plan = s.plan(now=2.0, wall=0)
    # b was read; c changed again under the sync (held, with its new stamp): it stays
    s.synced(plan, admitted={"/r/b.md"}, held={"/r/c.md"})
    assert set(s.pending) == {"/r/c.md"}


def test_a_claimed_file_is_left_to_its_writer_until_it_changes():
    s = Settler(settle=1.0, whole_folder=False)
    upload = Stamp(10, 1)
    s.changed("/r/up.md", upload, now=0.0)  # the upload's write, seen before its claim
    s.claimed("/r/up.md", upload, now=0.1)
    assert s.pending == {}
    s.changed("/r/up.md", upload, now=0.2)  # a late event of the same write
    assert s.pending == {} and s.plan(now=5.0, wall=0) is None
    s.changed("/r/up.md", Stamp(12, 2), now=6.0)  # edited afterwards: the watcher's again
    assert s.plan(now=7.0, wall=0) == Plan(("/r/up.md",), False)
    s.claimed("/r/old.md", upload, now=7.0)
    s.claimed("/r/new.md", upload, now=100.0)  # claims lapse after a minute
    assert set(s.claims) == {"/r/new.md"}


def test_a_new_watcher_first_catches_up_with_the_whole_folder():
    assert Settler().plan(now=0.0, wall=0) == Plan((), True)


# -- a real watcher over real files -------------------------------------------------------------
class Running:
    """A watcher in its thread; ``reports`` receives (report, settling) after each sync."""

    def __init__(self, folder: Path, index_dir: Path, encoder, **options) -> None:
        self.reports: queue.Queue = queue.Queue()
        self.messages: queue.Queue = queue.Queue()
        self.watcher = Watcher(
            folder,
            index_dir,
            encoder=encoder,
            on_sync=lambda report, settling: self.reports.put((report, settling)),
            on_message=self.messages.put,
            **options,
        )
        self.watcher.start()

    def next_sync(self, timeout: float = 10.0):
        try:
            return self.reports.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no sync within {timeout} s; watcher status {self.watcher.status}")

    def sync_where(self, condition, timeout: float = 10.0):
        """The first sync (report, settling) for which ``condition`` holds, within ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            report, settling = self.next_sync(max(0.01, deadline - time.monotonic()))
            if condition(report):
                return report, settling

    def stop(self) -> None:
        self.watcher.stop()


@pytest.fixture
def watching(corpus, tmp_path, fake_encoder):
    """A watcher (fake encoder) over a copy of the bundled releases, caught up."""
    running = Running(corpus, tmp_path / "idx", fake_encoder, settle=0.5)
    report, _ = running.next_sync(60)
    assert len(report.added) == 2 and running.watcher.status.state == "watching"
    yield running
    running.stop()


def _indexed(index_dir: Path) -> dict[str, str]:
    """Every indexed release's path and stored text."""
    reader = open_reader(index_dir)
    return {d.path: reader.document_text(d.doc_id) for d in reader.documents()}


def test_a_dropped_file_is_answerable_within_10_seconds(corpus, tmp_path, real_encoder):
    from qa import retrieve

    index_dir = tmp_path / "idx"
    running = Running(corpus, index_dir, real_encoder)  # the defaults: settle 1 s
    try:
        running.next_sync(120)  # the catch-up: the two bundled releases
        path = corpus / "zentrix-zen-22.md"
        dropped = time.monotonic()
        path.write_text(ZENTRIX, encoding="utf-8")
        running.sync_where(lambda r: str(path) in r.added, timeout=10)
        hits = retrieve("How many patients did Zentrix enroll in ZEN-22?", k=3, index_dir=index_dir)
        answered = time.monotonic() - dropped
        assert hits[0].source == str(path) and "417" in hits[0].text
        assert answered < 10, f"answerable after {answered:.1f} s"
        assert running.watcher.status.state == "watching"
    finally:
        running.stop()
    assert running.watcher.status.state == "stopped"


def test_a_half_written_file_is_not_indexed_until_it_stops_changing(corpus, tmp_path, fake_encoder):
    index_dir = tmp_path / "idx"
    # settled files wait at most 0.3 s for others: the complete file below is synced while
    # the growing one is still being written
    running = Running(corpus, index_dir, fake_encoder, settle=0.8, max_wait=0.3)
    try:
        running.next_sync(60)
        growing, other = corpus / "growing.md", corpus / "other.md"
        pieces = [
            f"Paragraph {i} of the Zentrix release, with words enough.\n\n" for i in range(30)
        ]
        last_write = [0.0]
        started, done = threading.Event(), threading.Event()

        def writer() -> None:  # a slow writer holding the file open: a piece every 0.15 s
            with open(growing, "w", encoding="utf-8") as f:
                f.write("Zentrix Completes Enrollment\n\n")
                f.flush()
                started.set()
                for piece in pieces:
                    time.sleep(0.15)
                    f.write(piece)
                    f.flush()
                    last_write[0] = time.monotonic()
            done.set()

        thread = threading.Thread(target=writer)
        thread.start()
        assert started.wait(10)
        # syncs while the file grows, both kinds: a removal walks the whole folder (the
        # sync itself must refuse the growing file), a complete file dropped in is synced
        # alone (the growing one is not planned)
        gone = next(corpus.glob("*.txt"))
        gone.unlink()
        report, settling = running.sync_where(lambda r: str(gone) in r.removed)
        assert str(growing) in settling and str(growing) not in report.added
        assert str(growing) not in _indexed(index_dir)
        other.write_text(ZENTRIX, encoding="utf-8")
        report, settling = running.sync_where(lambda r: str(other) in r.added)
        assert not done.is_set(), "the writer finished before the syncs: no overlap to test"
        assert str(growing) in settling and str(growing) not in report.added
        assert str(growing) not in _indexed(index_dir)
        thread.join(30)
        report, _ = running.sync_where(lambda r: str(growing) in r.added, timeout=15)
        waited = time.monotonic() - last_write[0]
        assert waited >= 0.8  # only after it stopped changing for the settle interval
        text = _indexed(index_dir)[str(growing)]
        assert "Paragraph 0 of" in text and "Paragraph 29 of" in text  # complete
    finally:
        running.stop()


def test_files_saved_together_are_one_sync_and_one_generation(watching, corpus, tmp_path):
    before = open_reader(tmp_path / "idx").generation
    names = [corpus / f"zentrix-{i}.md" for i in range(5)]
    for i, path in enumerate(names):
        path.write_text(ZENTRIX.replace("417", str(400 + i)), encoding="utf-8")
    report, settling = watching.next_sync()
    assert set(report.added) == {str(p) for p in names} and settling == ()
    after = open_reader(tmp_path / "idx").generation
    assert int(after.split("-")[1]) == int(before.split("-")[1]) + 1


def test_a_removed_file_leaves_the_index(watching, corpus, tmp_path):
    removed = next(corpus.glob("*.txt"))
    assert str(removed) in _indexed(tmp_path / "idx")
    removed.unlink()
    report, _ = watching.sync_where(lambda r: str(removed) in r.removed)
    assert str(removed) not in _indexed(tmp_path / "idx") and report.documents == 1


def test_a_changed_file_is_indexed_again(watching, corpus, tmp_path):
    path = next(corpus.glob("*.txt"))
    with open(path, "a", encoding="utf-8") as f:
        f.write("\nUpdate: the trial completed enrollment of 417 patients.\n")
    watching.sync_where(lambda r: str(path) in r.updated)
    assert "417 patients" in _indexed(tmp_path / "idx")[str(path)]


def test_a_download_under_a_temporary_name_is_indexed_once_renamed(watching, corpus, tmp_path):
    partial = corpus / "zentrix.md.crdownload"
    swap = corpus / ".zentrix.md.swp"
    partial.write_text(ZENTRIX, encoding="utf-8")
    swap.write_text("swap", encoding="utf-8")
    final = corpus / "zentrix.md"
    os.rename(partial, final)  # the browser's last step
    report, _ = watching.sync_where(lambda r: str(final) in r.added)
    indexed = _indexed(tmp_path / "idx")
    assert set(indexed) == {str(p) for p in corpus.glob("*.*")} - {str(swap)}
    assert not report.failed


def test_renames_and_folders_moved_in(watching, corpus, tmp_path):
    old = next(corpus.glob("*.txt"))
    new = corpus / "renamed.txt"
    outside = tmp_path / "batch"
    outside.mkdir()
    (outside / "zentrix.md").write_text(ZENTRIX, encoding="utf-8")
    os.rename(old, new)
    os.rename(outside, corpus / "batch")  # a folder moved in: no event for its file
    moved = corpus / "batch" / "zentrix.md"
    paths = set()
    report, _ = watching.sync_where(lambda r: str(old) in r.removed)
    paths |= set(report.added)
    if str(moved) not in paths:
        report, _ = watching.sync_where(lambda r: str(moved) in r.added)
        paths |= set(report.added)
    assert {str(new), str(moved)} <= paths
    assert set(_indexed(tmp_path / "idx")) == {str(p) for p in corpus.rglob("*.*")}


def test_an_unreadable_file_is_one_error_and_the_watcher_goes_on(watching, corpus, tmp_path):
    bad = corpus / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not a PDF at all")
    report, _ = watching.sync_where(lambda r: bool(r.failed))
    assert [f.path for f in report.failed] == [str(bad)]
    status = watching.watcher.status
    assert status.state == "watching" and status.errors[0].path == str(bad)
    good = corpus / "zentrix.md"
    good.write_text(ZENTRIX, encoding="utf-8")
    watching.sync_where(lambda r: str(good) in r.added)
    assert str(good) in _indexed(tmp_path / "idx")
    # a walk of the folder meets the bad file again (in that sync, or once it is older)
    next(corpus.glob("*.txt")).unlink()
    report, _ = watching.sync_where(lambda r: bool(r.failed))
    assert [f.path for f in report.failed] == [str(bad)]
    assert [e.path for e in watching.watcher.status.errors] == [str(bad)]  # listed once


def test_the_watcher_waits_for_another_writer_instead_of_failing(watching, corpus, tmp_path):
    lock = writer_lock(tmp_path / "idx")  # an upload in the app, or another ingest
    try:
        path = corpus / "zentrix.md"
        path.write_text(ZENTRIX, encoding="utf-8")
        message = watching.messages.get(timeout=10)
        assert "waiting for another writer" in message
        assert watching.watcher.status.state == "waiting for another writer"
        assert watching.reports.empty()
    finally:
        lock.release()
    watching.sync_where(lambda r: str(path) in r.added)
    assert str(path) in _indexed(tmp_path / "idx")


def test_an_upload_in_the_app_is_not_synced_again_by_the_watcher(corpus, tmp_path, real_encoder):
    from ui.desk import Desk

    index_dir = tmp_path / "idx"
    # no batching (max_wait 0): a second sync of the upload would come on its own
    running = Running(corpus, index_dir, real_encoder, settle=0.5, max_wait=0)
    try:
        running.next_sync(120)
        desk = Desk(index_dir, corpus, running.watcher)
        upload = tmp_path / "upload" / "zentrix.md"
        upload.parent.mkdir()
        upload.write_text(ZENTRIX, encoding="utf-8")
        assert "Added zentrix.md" in desk.add_files([upload])
        other = corpus / "other.md"
        other.write_text(ZENTRIX.replace("Zentrix", "Quorbit"), encoding="utf-8")
        report, _ = running.next_sync()
        assert report.added == (str(other),) and report.unchanged == 0
        assert "Watching" in desk.watch_html() and "added 1" in desk.watch_html()
    finally:
        running.stop()


def test_changes_while_no_watcher_ran_are_caught_up(corpus, tmp_path, fake_encoder):
    index_dir = tmp_path / "idx"
    first = Running(corpus, index_dir, fake_encoder, settle=0.5)
    first.next_sync(60)
    first.stop()
    gone, changed = sorted(corpus.glob("*.txt"))
    gone.unlink()
    with open(changed, "a", encoding="utf-8") as f:
        f.write("\nUpdate: 417 patients.\n")
    added = corpus / "zentrix.md"
    added.write_text(ZENTRIX, encoding="utf-8")
    old = time.time() - 60  # written a minute ago, while nothing watched
    for p in (changed, added):
        os.utime(p, (old, old))
    second = Running(corpus, index_dir, fake_encoder, settle=0.5)
    try:
        report, _ = second.next_sync(60)  # the catch-up
        assert report.added == (str(added),) and report.updated == (str(changed),)
        assert report.removed == (str(gone),)
    finally:
        second.stop()


def test_the_index_folder_inside_the_watched_folder_is_left_alone(corpus, fake_encoder):
    index_dir = corpus / "index"  # not hidden: its generations must not trigger syncs
    running = Running(corpus, index_dir, fake_encoder, settle=0.3)
    try:
        running.next_sync(60)
        path = corpus / "zentrix.md"
        path.write_text(ZENTRIX, encoding="utf-8")
        running.sync_where(lambda r: str(path) in r.added)
        # the publish above wrote into corpus/index; a file dropped now is the next sync
        later = corpus / "later.md"
        later.write_text(ZENTRIX.replace("Zentrix", "Quorbit"), encoding="utf-8")
        report, _ = running.next_sync()
        assert report.added == (str(later),)
    finally:
        running.stop()


def test_a_copied_folder_catches_up_once_its_files_settle(tmp_path, fake_encoder):
    folder = tmp_path / "fresh"
    shutil.copytree(RELEASES, folder, copy_function=shutil.copyfile)  # new mtimes: just written
    running = Running(folder, tmp_path / "idx", fake_encoder, settle=0.5)
    try:
        report, settling = running.next_sync(60)
        if report.added:  # the copy was older than settle + slack by the first look
            assert len(report.added) == 2
        else:
            assert len(settling) == 2
            report, _ = running.sync_where(lambda r: len(r.added) == 2)
        assert report.documents == 2
    finally:
        running.stop()


# -- the command line ---------------------------------------------------------------------------
class Cli:
    """``pressroom ingest --watch FOLDER --json`` in a process of its own; its JSON lines
    (one per sync) arrive in a queue as it prints them."""

    def __init__(self, folder: Path, index_dir: Path, log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pressroom", "ingest", "--watch", str(folder)]
            + ["--index", str(index_dir), "--json"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=open(log, "w"),  # noqa: SIM115 (closed with the process)
            text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def next_sync(self, timeout: float) -> dict:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            self.proc.kill()
            pytest.fail(f"no sync line within {timeout} s:\n{self.log.read_text()}")

    def stop(self, signum: int) -> tuple[int, str]:
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=60)
        return code, self.log.read_text()


@pytest.mark.model
def test_cli_watch_killed_and_restarted_loses_nothing(corpus, tmp_path):
    index_dir = tmp_path / "idx"
    first = Cli(corpus, index_dir, tmp_path / "first.log")
    assert len(first.next_sync(180)["added"]) == 2  # the catch-up
    first.proc.kill()  # SIGKILL: no clean-up at all
    first.proc.wait(30)
    added = corpus / "zentrix.md"
    added.write_text(ZENTRIX, encoding="utf-8")  # while no watcher runs
    gone = next(corpus.glob("*.txt"))
    gone.unlink()
    second = Cli(corpus, index_dir, tmp_path / "second.log")
    caught_up = second.next_sync(180)
    found = set(caught_up["added"])
    if str(added) not in found:  # written under 3 s before the start: settled a moment later
        found |= set(second.next_sync(10)["added"])
    assert str(added) in found and caught_up["removed"] == [str(gone)]
    code, log = second.stop(signal.SIGTERM)
    assert code == 0, log
    assert "stopped watching" in log and "Traceback" not in log


@pytest.mark.model
def test_cli_watch_syncs_a_dropped_file_and_stops_on_ctrl_c(corpus, tmp_path):
    cli = Cli(corpus, tmp_path / "idx", tmp_path / "cli.log")
    cli.next_sync(180)
    path = corpus / "zentrix.md"
    path.write_text(ZENTRIX, encoding="utf-8")
    line = cli.next_sync(10)
    assert line["added"] == [str(path)] and line["documents"] == 3 and not line["failed"]
    code, log = cli.stop(signal.SIGINT)
    assert code == 0, log
    assert "stopped watching" in log and "Traceback" not in log and "KeyboardInterrupt" not in log


def test_cli_watch_usage_errors(tmp_path, corpus):
    run = [sys.executable, "-m", "pressroom", "ingest", "--index", str(tmp_path / "idx")]
    for extra, message in [
        (["--watch", str(tmp_path / "nowhere")], "needs a folder"),
        ([str(corpus), str(tmp_path), "--watch"], "one folder"),
        (["--watch", str(corpus), "--ray", "local"], "--ray cannot be used with --watch"),
    ]:
        proc = subprocess.run(run + extra, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
