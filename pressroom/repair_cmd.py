"""``pressroom repair``: rebuild what can be rebuilt, re-embed only what is lost
(``index.repair_index``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from index import IndexFormatError, IndexLockedError, IndexStorageError, default_index_dir
from index.repair import repair_index

from .failures import EXIT_CODES, EXIT_DAMAGED, EXIT_OK, fail

__all__ = ["DESCRIPTION", "EXAMPLES", "add_arguments", "run"]

DESCRIPTION = (
    "Mend a damaged index: rewrite CURRENT from the newest sound generation; rebuild a "
    "damaged generation as a new one, without the model where possible (the manifest "
    "from the store, the keyword index and terms from the stored texts, vectors from "
    "older generations); embed again only the chunks whose vectors are lost, and index "
    "again from their files the releases whose stored rows are lost. A sound index is "
    "left as it is. Exit codes: 0 repaired (or nothing to do), 3 repaired but some "
    "releases are lost (each is named), 2 usage error or another writer."
)
EXAMPLES = (
    """examples:
  pressroom repair --index ~/pressroom-index
  pressroom repair --index ~/pressroom-index ~/releases   # re-add any release it lacks
  pressroom repair --no-model                # never load the model; list what needs it

"""
    + EXIT_CODES
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "sources",
        nargs="*",
        type=Path,
        help="folders or files of releases: any the index lacks after the repair is indexed",
    )
    p.add_argument("--index", type=Path, default=None, help="index folder (default data/index)")
    p.add_argument(
        "--no-model",
        action="store_true",
        help="do not embed anything; releases that would need it are listed instead",
    )
    p.add_argument(
        "--model", default=None, help="the index's model, if it cannot be loaded by name"
    )
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")


def run(args: argparse.Namespace) -> int:
    index_dir = args.index or default_index_dir()
    missing = [p for p in args.sources if not p.exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2

    def encoder(name: str):
        from index import get_encoder

        return get_encoder(args.model or name)

    try:
        report = repair_index(index_dir, args.sources, encoder=encoder, use_model=not args.no_model)
    except (IndexFormatError, IndexStorageError, IndexLockedError) as exc:
        return fail(exc)
    if args.json:
        print(
            json.dumps(
                {
                    "index": str(index_dir),
                    "actions": list(report.actions),
                    "reindexed": list(report.reindexed),
                    "lost": list(report.lost),
                    "generation": report.generation,
                }
            )
        )
    else:
        for line in report.actions:
            print(line)
        for line in report.lost:
            print(f"lost: {line}", file=sys.stderr)
    return EXIT_OK if report.complete else EXIT_DAMAGED
