"""``pressroom ingest --watch [FOLDER]``: keep the index in line with a folder as it changes
(:class:`watch.Watcher`), one line per sync, until Ctrl-C or SIGTERM (exit code 0)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path

from index import DEFAULT_CORPUS, SyncReport, default_index_dir, get_encoder

from .failures import EXIT_OK, EXIT_USAGE, FAILURES, fail

__all__ = ["run", "watch_folder"]


def watch_folder(args: argparse.Namespace) -> Path | str:
    """The folder ``--watch`` names (or the one folder given, or the default), or the
    usage error to print."""
    if args.watch:
        if args.paths:
            return "give the folder to watch once: --watch FOLDER, or FOLDER --watch"
        return Path(args.watch)
    if len(args.paths) > 1:
        return "--watch watches one folder; run one watcher per folder"
    return args.paths[0] if args.paths else DEFAULT_CORPUS


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the watcher as Ctrl-C does


_STOPPING = {signal.SIGINT: _interrupt, signal.SIGTERM: _interrupt}


def run(args: argparse.Namespace) -> int:
    from watch import Watcher

    folder = watch_folder(args)
    if isinstance(folder, str):
        print(f"error: {folder}", file=sys.stderr)
        return EXIT_USAGE
    for flag, given in (("--ray", args.ray is not None), ("--check", args.check)):
        if given:
            print(f"error: {flag} cannot be used with --watch", file=sys.stderr)
            return EXIT_USAGE
    if not folder.is_dir():
        print(f"error: --watch needs a folder: {folder} is not one", file=sys.stderr)
        return EXIT_USAGE
    if args.settle < 0:
        print("error: --settle must be 0 or more seconds", file=sys.stderr)
        return EXIT_USAGE
    index_dir = args.index or default_index_dir()

    def on_sync(report: SyncReport, settling: tuple[str, ...]) -> None:
        for note in report.notes:
            print(f"warning: {note}", file=sys.stderr, flush=True)
        for f in report.failed:
            print(f"error: {f}", file=sys.stderr, flush=True)
        if args.json:
            data = asdict(report)
            data["failed"] = [asdict(f) for f in report.failed]
            data["notes"] = list(report.notes)
            data["settling"] = list(settling)
            data["index"] = str(index_dir)
            data["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            print(json.dumps(data), flush=True)
        elif not args.quiet or report.added or report.updated or report.removed:
            from watch import sync_line

            print(f"{time.strftime('%H:%M:%S')} {sync_line(report, len(settling))}", flush=True)

    previous = {s: signal.signal(s, h) for s, h in _STOPPING.items()}
    try:
        watcher = Watcher(
            folder,
            index_dir,
            encoder=get_encoder(args.model, args.encoder),
            settle=args.settle,
            remove_missing=not args.keep_missing,
            rebuild=args.rebuild,
            on_sync=on_sync,
            on_message=lambda text: print(text, file=sys.stderr, flush=True),
        )
        print(
            f"watching {watcher.folder} into {index_dir} (a changed file is read once it has "
            f"not changed for {args.settle:g} s); Ctrl+C stops",
            file=sys.stderr,
            flush=True,
        )
        watcher.run()
    except KeyboardInterrupt:
        for signum in _STOPPING:  # a second Ctrl-C while stopping changes nothing
            signal.signal(signum, signal.SIG_IGN)
    except (*FAILURES, OSError, ValueError, RuntimeError) as exc:
        return fail(exc)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print(f"stopped watching {os.path.abspath(folder)}", file=sys.stderr, flush=True)
    return EXIT_OK
