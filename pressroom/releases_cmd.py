"""``pressroom releases``: a company's releases, newest first (``qa.releases``)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from qa import releases

from .failures import EXIT_CODES, EXIT_USAGE, FAILURES, fail

__all__ = ["DESCRIPTION", "EXAMPLES", "add_arguments", "run"]

DESCRIPTION = (
    "List the indexed releases newest first, one per release group (a release run on "
    "several wires is listed once, its copies named), optionally of one company, a period "
    "or holding some words. Exit codes: 0 listed (or none matched), 2 usage or index "
    "error, 3 the index is damaged (`pressroom repair`)."
)
EXAMPLES = (
    """examples:
  pressroom releases --company Cellectar
  pressroom releases --company NASDAQ:CLRB --since 2016-01-01 --until 2016-12-31
  pressroom releases --since 2025-04 --query acquisition --json

"""
    + EXIT_CODES
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--company", default=None, help="company name or ticker")
    p.add_argument("--since", default=None, help="only releases dated on or after YYYY[-MM[-DD]]")
    p.add_argument("--until", default=None, help="only releases dated on or before YYYY[-MM[-DD]]")
    p.add_argument("--query", default=None, help="only releases holding all these words")
    p.add_argument("--index", default=None, help="index folder (default data/index)")
    p.add_argument("--json", action="store_true", help="one JSON object per release")


def run(args: argparse.Namespace) -> int:
    try:
        found = releases(
            company=args.company,
            date_from=args.since,
            date_to=args.until,
            query=args.query,
            index_dir=args.index,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FAILURES as exc:
        return fail(exc)
    if args.json:
        for r in found:
            print(json.dumps(asdict(r)))
        return 0
    if not found:
        print("No release matches.")
    for r in found:
        who = r.company or "-"
        if r.tickers:
            who += f" ({', '.join(r.tickers)})"
        print(f"{r.date or 'undated':10}  {r.title}")
        print(f"{'':10}  {who} | {r.source}")
        for copy in r.copies:
            print(f"{'':10}  also: {copy}")
    return 0
