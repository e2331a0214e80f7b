"""``pressroom ask``: cited passages for a question (``qa.retrieve``)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import asdict

from qa import Filters, retrieve

from .failures import EXIT_CODES, FAILURES, fail

__all__ = ["DESCRIPTION", "EXAMPLES", "add_arguments", "run"]

DESCRIPTION = (
    "Answer a question over the indexed press releases with cited passages. "
    "Exit codes: 0 answered (or nothing found), 2 usage or index error, 3 the index is "
    "damaged (`pressroom repair`)."
)
EXAMPLES = (
    """examples:
  pressroom ask "Who manufactures CLR 131?"
  pressroom ask "Fast Track designation" --since 2024-01-01 -k 10 --json
  pressroom ask "Where is the company headquartered?" --company CLRB

"""
    + EXIT_CODES
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", help="the question, in plain words")
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--index", default=None, help="index folder (default data/index)")
    p.add_argument("--since", default=None, help="only releases dated on or after YYYY-MM-DD")
    p.add_argument("--until", default=None, help="only releases dated on or before YYYY-MM-DD")
    p.add_argument("--company", action="append", default=[], help="company name or ticker")
    p.add_argument("--no-boilerplate", action="store_true", help="skip About/safe-harbor text")
    p.add_argument("--json", action="store_true", help="one JSON object per passage")


def run(args: argparse.Namespace) -> int:
    if args.k < 1:
        print("error: -k must be at least 1", file=sys.stderr)
        return 2
    filters = Filters(
        date_from=args.since,
        date_to=args.until,
        companies=tuple(args.company),
        exclude_boilerplate=args.no_boilerplate,
    )
    try:
        hits = retrieve(args.question, k=args.k, index_dir=args.index, filters=filters)
    except FAILURES as exc:
        return fail(exc)
    if args.json:
        for hit in hits:
            print(json.dumps(asdict(hit)))
        return 0
    if not hits or not hits[0].answerable:
        print("No passage in the index answers this question." + (" Nearest:" if hits else ""))
    for n, hit in enumerate(hits, 1):
        print(f"\n[{n}] {hit.title}")
        print(f"    {hit.date or 'undated'} | {hit.source} [{hit.start}:{hit.end}] | {hit.kind}")
        print(f"    score {hit.score:.3f}, confidence {hit.confidence:.2f}")
        print(textwrap.indent(textwrap.fill("Answer: " + hit.answer, 96), "    "))
    return 0
