"""``pressroom ingest``: bring an index in line with folders of releases (``index.sync``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from index import DEFAULT_CORPUS, Progress, SyncReport, default_index_dir, get_encoder, sync
from index.cluster import ClusterUnavailableError, ClusterWorkersLostError
from qa.alerts import run_saved_searches

from .failures import EXIT_CODES, EXIT_NO_CLUSTER, FAILURES, fail

__all__ = ["DESCRIPTION", "EXAMPLES", "add_arguments", "run"]

DESCRIPTION = (
    "Add new, re-index changed and remove deleted press releases (.txt, .md, .html, "
    ".pdf) so the index matches the given files and folders. Unchanged files cost "
    "nothing; the index is updated atomically, and never on top of a generation that "
    "fails its checksums. Exit codes: 0 done, 1 some files could not be read (each is "
    "named; the rest was indexed), 2 usage or index error, 3 the index is damaged "
    "(`pressroom repair`), 4 disk full, 5 read-only, 6 permission denied, 7 --ray without Ray "
    "installed, no Ray cluster at the address, or workers lost beyond Ray's retries. With "
    "--watch it keeps watching the folder, one line per sync, until Ctrl-C or SIGTERM stops "
    "it (exit code 0)."
)
EXAMPLES = (
    """examples:
  pressroom ingest                          # index data/releases into data/index
  pressroom ingest ~/releases --index /tmp/idx
  pressroom ingest new.pdf other.html       # add or update single files
  pressroom ingest ~/releases --rebuild     # start over (e.g. after changing the model)
  pressroom ingest --check --index /tmp/idx # verify the index only (= pressroom check)
  pressroom ingest ~/releases --ray local   # parse and embed on a local Ray cluster
  pressroom ingest ~/releases --ray auto    # ... on the Ray cluster this machine belongs to
  pressroom ingest --watch ~/releases       # keep syncing the folder as files come and go
  pressroom ingest --watch ~/releases --settle 3 --json   # JSON lines, one per sync

"""
    + EXIT_CODES
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*", type=Path, help=f"files or folders (default {DEFAULT_CORPUS})"
    )
    p.add_argument("--index", type=Path, default=None, help="index folder (default data/index)")
    p.add_argument(
        "--keep-missing",
        action="store_true",
        help="keep releases whose file is gone from a given folder (default: remove them)",
    )
    p.add_argument(
        "--rebuild", action="store_true", help="build from scratch, ignoring the old index"
    )
    p.add_argument("--model", default=None, help="sentence-transformers model name or folder")
    p.add_argument("--encoder", choices=("torch", "onnx"), default=None, help="encoder backend")
    p.add_argument("--wait", type=float, default=0, help="seconds to wait for another writer")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.add_argument(
        "--ray",
        metavar="ADDRESS",
        default=None,
        help="parse and embed on Ray: 'local' starts a local cluster, 'auto' or HOST:PORT "
        "joins a running one (needs the cluster extra: pip install -e '.[cluster]')",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="with --ray: embedding workers, one CPU each (default: the cluster's CPUs)",
    )
    p.add_argument(
        "--watch",
        nargs="?",
        const="",
        default=None,
        metavar="FOLDER",
        help="after syncing the folder, keep watching it: new, changed and removed files "
        "are synced within seconds, once they stop changing (default folder: the one "
        f"given, else {DEFAULT_CORPUS}); Ctrl-C or SIGTERM stops it",
    )
    p.add_argument(
        "--settle",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="with --watch: how long a changed file must stay unchanged before it is read "
        "(default 1)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="only verify the index against its checksums (as `pressroom check`)",
    )


class _ProgressPrinter:
    """Progress with rate and ETA on stderr, at most twice a second."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.last = 0.0

    def __call__(self, p: Progress) -> None:
        now = time.perf_counter()
        if now - self.last < 0.5 and p.files_done < p.files_total:
            return
        self.last = now
        elapsed = now - self.start
        rate = p.files_done / elapsed if elapsed > 0 else 0.0
        eta = (p.files_total - p.files_done) / rate if rate > 0 else 0.0
        chunk_rate = p.chunks_embedded / elapsed if elapsed > 0 else 0.0
        print(
            f"\r{p.files_done}/{p.files_total} files, "
            f"{p.chunks_embedded}/{p.chunks_to_embed} chunks embedded, "
            f"{rate:.1f} files/s, {chunk_rate:.1f} chunks/s, ETA {eta:.0f}s   ",
            end="",
            file=sys.stderr,
            flush=True,
        )


def run(args: argparse.Namespace) -> int:
    if args.watch is not None:
        from . import watch_cmd

        return watch_cmd.run(args)
    if args.check:
        from . import check_cmd

        return check_cmd.run(args)
    paths = args.paths or [DEFAULT_CORPUS]
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        print(f"error: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    printer = None if (args.quiet or args.json) else _ProgressPrinter()
    options = dict(
        remove_missing=not args.keep_missing,
        rebuild=args.rebuild,
        progress=printer,
        lock_timeout=args.wait,
    )
    encoder = None
    try:
        if args.ray is not None:
            report = _cluster_sync(args, paths, options)
        else:
            encoder = get_encoder(args.model, args.encoder)
            report = sync(paths, args.index, encoder=encoder, **options)
    except (ClusterUnavailableError, ClusterWorkersLostError) as exc:
        if printer is not None and printer.last:  # end the progress line
            print(file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_CLUSTER
    except (*FAILURES, ValueError, ConnectionError) as exc:
        if printer is not None:
            print(file=sys.stderr)
        return fail(exc)
    if printer is not None:
        print(file=sys.stderr)
    for note in report.notes:
        print(f"warning: {note}", file=sys.stderr)
    index_dir = args.index or default_index_dir()
    new_alerts = _run_alerts(index_dir, report, encoder)
    if args.json:
        data = asdict(report)
        data["failed"] = [asdict(f) for f in report.failed]
        data["notes"] = list(report.notes)
        data["index"] = str(index_dir)
        data["alerts"] = new_alerts
        print(json.dumps(data))
    else:
        for f in report.failed:
            print(f"error: {f}", file=sys.stderr)
        print(
            f"added {len(report.added)}, updated {len(report.updated)}, removed "
            f"{len(report.removed)}, unchanged {report.unchanged}, failed {len(report.failed)}; "
            f"{report.chunks_embedded} chunks embedded, {report.chunks_reused} reused, "
            f"in {report.seconds:.1f}s"
        )
        print(f"index {index_dir}: {report.documents} releases, {report.chunks} chunks")
        if report.refreshed:
            print(f"{len(report.refreshed)} unchanged files read again by this ingest version")
        if new_alerts:
            print(f"{new_alerts} new alert(s) for saved searches: pressroom alerts")
    return 1 if report.failed else 0


def _run_alerts(index_dir: Path, report: SyncReport, encoder) -> int:
    """Run the saved searches over what the sync added or changed (:func:`qa.alerts.
    after_sync`); how many new alerts. A failure is one warning line: the index was
    updated all the same, and ``pressroom alerts`` reports the problem with its exit code."""
    new, problem = run_saved_searches(index_dir, report, encoder=encoder)
    if problem:
        print(f"warning: saved searches not run: {problem}", file=sys.stderr)
    return len(new)


def _cluster_sync(args: argparse.Namespace, paths: list[Path], options: dict) -> SyncReport:
    """``sync`` on Ray (index.cluster, which imports Ray only when called)."""
    from index.cluster import ClusterEncoder, cluster_sync, ray_session

    with ray_session(args.ray):
        encoder = ClusterEncoder(args.model, args.encoder, workers=args.workers)
        return cluster_sync(paths, args.index, encoder=encoder, **options)
