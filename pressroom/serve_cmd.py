"""``pressroom serve``: the browser UI (``ui.serve``), on loopback unless a login is set."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from index import DEFAULT_CORPUS

__all__ = ["DESCRIPTION", "EXAMPLES", "add_arguments", "run"]

DESCRIPTION = (
    "Serve the Pressroom browser UI: ask questions with cited answers, add and remove "
    "releases. Builds the index over the releases folder first if there is none, then "
    "watches that folder: files added, changed or removed there are synced within "
    "seconds (--no-watch turns it off). "
    "Exit codes: 0 stopped, 1 the index cannot be used, 2 usage error."
)
EXAMPLES = """examples:
  pressroom serve                                  # http://127.0.0.1:7860
  pressroom serve --corpus ~/releases --index ~/pressroom-index --port 8080
  PRESSROOM_AUTH=desk:secret pressroom serve --host 0.0.0.0
  pressroom serve --no-watch                       # index new files by upload or ingest only

Binding to an address other than loopback requires --auth USER:PASSWORD (or
PRESSROOM_AUTH), or an explicit --no-auth. The app is never shared publicly.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument(
        "--index",
        type=Path,
        default=None,
        help="index folder (default PRESSROOM_INDEX or data/index)",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="releases folder: uploads are saved here, removals delete from here "
        "(default data/releases)",
    )
    p.add_argument(
        "--no-watch",
        action="store_true",
        help="do not watch the releases folder (default: its new, changed and removed files "
        "are synced within seconds, shown in the Library tab)",
    )
    p.add_argument(
        "--settle",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="how long a changed file of the watched folder must stay unchanged before it "
        "is read (default 1)",
    )
    p.add_argument(
        "--auth",
        default=None,
        metavar="USER:PASSWORD",
        help="require this login (default: PRESSROOM_AUTH); required off loopback",
    )
    p.add_argument(
        "--no-auth",
        action="store_true",
        help="allow binding a non-loopback address without a login (not recommended)",
    )


def run(args: argparse.Namespace) -> int:
    from index import IndexFormatError, IndexLockedError, default_index_dir
    from ui.serve import is_loopback, serve

    parser = args.subparser  # its error() prints the usage and exits 2
    auth_text = args.auth if args.auth is not None else os.environ.get("PRESSROOM_AUTH")
    auth = None
    if auth_text:
        user, sep, password = auth_text.partition(":")
        if not sep or not user or not password:
            parser.error("--auth (or PRESSROOM_AUTH) must be USER:PASSWORD, both non-empty")
        auth = (user, password)
    if args.settle < 0:
        parser.error("--settle must be 0 or more seconds")
    if not is_loopback(args.host) and auth is None and not args.no_auth:
        parser.error(
            f"--host {args.host} makes Pressroom reachable from other machines; give a login "
            "with --auth USER:PASSWORD (or PRESSROOM_AUTH), or --no-auth to allow it without"
        )
    try:
        serve(
            args.index or default_index_dir(),
            args.corpus,
            host=args.host,
            port=args.port,
            auth=auth,
            watch=not args.no_watch,
            settle=args.settle,
        )
    except (IndexFormatError, IndexLockedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
