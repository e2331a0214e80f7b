"""``pressroom check``: every file of the index against its checksums (``index.check_index``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from index import IndexFormatError, default_index_dir
from index.check import check_index

from .failures import EXIT_CODES, EXIT_DAMAGED, EXIT_OK, fail

__all__ = ["DESCRIPTION", "EXAMPLES", "add_arguments", "run"]

DESCRIPTION = (
    "Check the index in full: CURRENT, and every published generation's manifest and "
    "files against their sizes and SHA-256 checksums (an index written before checksums "
    "is read instead). Writes nothing. Exit codes: 0 the index is sound, 3 damaged "
    "(each problem is named; `pressroom repair` mends it), 2 no index there."
)
EXAMPLES = (
    """examples:
  pressroom check                      # data/index
  pressroom check --index ~/pressroom-index --json

"""
    + EXIT_CODES
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", type=Path, default=None, help="index folder (default data/index)")
    p.add_argument("--json", action="store_true", help="print the findings as one JSON object")


def run(args: argparse.Namespace) -> int:
    index_dir = args.index or default_index_dir()
    try:
        result = check_index(index_dir)
    except IndexFormatError as exc:
        return fail(exc)
    if args.json:
        print(
            json.dumps(
                {
                    "index": str(index_dir),
                    "ok": result.ok,
                    "current": result.current,
                    "current_problem": result.current_problem,
                    "generations": [
                        {"name": g.name, "ok": g.ok, "damage": [str(d) for d in g.damage]}
                        for g in result.generations
                    ],
                }
            )
        )
    else:
        lines = result.lines()
        for line in lines[:-1]:
            print(line, file=sys.stdout if line.startswith("ok") else sys.stderr)
        print(lines[-1], file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_DAMAGED
