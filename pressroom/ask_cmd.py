"""``pressroom ask``: cited passages for a question (``qa.retrieve``)."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from index import default_index_dir, open_reader
from ingest.analysis import query_terms
from qa import Filters, Passage, ReleaseList, list_releases, phrase_reason, retrieve
from qa.export import FORMATS, export, long_date
from qa.filters import describe, make_filters, no_match_reason
from qa.list_export import export_list
from qa.query import is_list_question

from .failures import EXIT_CODES, FAILURES, fail

__all__ = ["DESCRIPTION", "EXAMPLES", "add_arguments", "run"]

DESCRIPTION = (
    "Answer a question over the indexed press releases with cited passages. "
    'A phrase in quotes ("Fast Track designation") must occur in every passage exactly; '
    "names and figures (NCT01234567, $6.5 million) are matched by keyword. "
    "Dates are YYYY-MM-DD, YYYY-MM or YYYY. Exit codes: 0 answered (or nothing found; "
    "a filter or a quoted phrase that leaves no release says so), 2 usage error (such as a "
    "date that is not one) or index error, 3 the index is damaged (`pressroom repair`)."
)
EXAMPLES = (
    """examples:
  pressroom ask "Who manufactures CLR 131?"
  pressroom ask "Fast Track designation" --since 2024-01-01 -k 10 --json
  pressroom ask "Fast Track designation" -k 20 --format csv > fast-track.csv
  pressroom ask "Who manufactures CLR 131?" --format md >> research-notes.md
  pressroom ask "Where is the company headquartered?" --company CLRB
  pressroom ask "Which companies announced acquisitions in Q2 2025?"   # a table of releases
  pressroom ask "Which startups raised funding in 2025?" --page 2 --format csv
  pressroom ask '"Fast Track designation" sarcoma'    # the quoted phrase, exactly
  pressroom ask "NCT01234567" --keyword               # keyword search only

"""
    + EXIT_CODES
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", help="the question, in plain words")
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--index", default=None, help="index folder (default data/index)")
    p.add_argument("--since", default=None, help="only releases dated on or after this date")
    p.add_argument("--until", default=None, help="only releases dated on or before this date")
    p.add_argument("--company", action="append", default=[], help="company name or ticker")
    p.add_argument(
        "--no-boilerplate",
        action="store_true",
        help="never About/safe-harbor/contact text (by default only when the question asks)",
    )
    p.add_argument(
        "--keyword",
        action="store_true",
        help="keyword search only: passages holding the question's words, ranked by BM25 "
        "(no semantic matching)",
    )
    p.add_argument(
        "--format",
        choices=("text", *FORMATS),
        default="text",
        help="text (default), csv (a header and a row per passage), json (one JSON object "
        "per passage) or md (Markdown: the answer, then the sources quoted)",
    )
    p.add_argument(
        "--json", dest="format", action="store_const", const="json", help="= --format json"
    )
    p.add_argument(
        "--page",
        type=int,
        default=1,
        help="a list question's page of 20 releases (default 1)",
    )
    p.add_argument(
        "--no-period",
        action="store_true",
        help="a list question: do not limit the dates to the period it names",
    )


def _filters(args: argparse.Namespace) -> Filters:
    """The filters the arguments ask for. Raises ValueError with the UI's message."""
    return make_filters(
        args.since,
        args.until,
        args.company,
        not args.no_boilerplate,
        labels=("--since", "--until"),
    )


def run(args: argparse.Namespace) -> int:
    if args.k < 1:
        print("error: -k must be at least 1", file=sys.stderr)
        return 2
    if not args.question.strip():
        print("error: the question is empty: ask something about the releases", file=sys.stderr)
        return 2
    if args.keyword and not query_terms(args.question):
        print(
            "error: --keyword: the question has no word to search for (only common words "
            "such as 'what' or 'the'); name what the passages should hold",
            file=sys.stderr,
        )
        return 2
    index_dir = Path(args.index) if args.index else default_index_dir()
    if is_list_question(args.question) and not args.keyword:
        return _run_list(args, index_dir)
    mode = "keyword" if args.keyword else "hybrid"
    try:
        filters = _filters(args)
        hits = retrieve(args.question, k=args.k, index_dir=index_dir, filters=filters, mode=mode)
        reason = "" if hits or filters.is_empty() else _no_match(index_dir, filters)
        phrase = "" if hits or reason else phrase_reason(args.question, index_dir, filters=filters)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FAILURES as exc:
        return fail(exc)
    if reason or phrase:  # on stderr for csv and json, so that their output stays data
        if reason:
            message = f"No passage matches these filters: {reason}."
        else:
            message = f"No passage holds the quoted phrase: {phrase}."
        if args.format == "text":
            print(message)
            return 0
        if args.format != "md":  # Markdown says it in the file
            print(message, file=sys.stderr)
    if args.format == "text":
        _print_text(hits)
    else:
        note = describe(filters, long_date) + (f" ({reason})" if reason else "")
        if phrase:
            note = f"{note} ({phrase})" if note else phrase
        sys.stdout.write(export(args.format, args.question.strip(), hits, filters=note))
    return 0


def _print_text(hits: list[Passage]) -> None:
    if not hits or not hits[0].answerable:
        print("No passage in the index answers this question." + (" Nearest:" if hits else ""))
    for n, hit in enumerate(hits, 1):
        print(f"\n[{n}] {hit.title}")
        print(f"    {hit.date or 'undated'} | {hit.source} [{hit.start}:{hit.end}] | {hit.kind}")
        if hit.url:
            print(f"    source link: {hit.url}")
        print(f"    score {hit.score:.3f}, confidence {hit.confidence:.2f}")
        print(textwrap.indent(textwrap.fill("Answer: " + hit.answer, 96), "    "))


def _no_match(index_dir: Path, filters: Filters) -> str:
    return no_match_reason(open_reader(index_dir).documents(), filters)


def _run_list(args: argparse.Namespace, index_dir: Path) -> int:
    """A list question: its releases as a table (or ``--format`` csv, json, md)."""
    if args.page < 1:
        print("error: --page must be at least 1", file=sys.stderr)
        return 2
    try:
        found = list_releases(
            args.question,
            index_dir,
            filters=_filters(args),
            page=args.page - 1,
            use_period=not args.no_period,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FAILURES as exc:
        return fail(exc)
    if args.format != "text":
        sys.stdout.write(export_list(args.format, found))
        return 0
    _print_list(found)
    return 0


def _print_list(found: ReleaseList) -> None:
    if found.period:
        print(f"Period: {found.period.label()} (--no-period searches every date)")
    if not found.total:
        print("No release answers this list question.")
        return
    pages = -(-found.total // found.page_size)
    first = found.page * found.page_size
    print(
        f"{found.total} release{'s' * (found.total != 1)} answer; "
        f"page {found.page + 1} of {pages}" + (" (--page for more)" if found.has_more else "")
    )
    for n, r in enumerate(found.rows, first + 1):
        print(f"\n{n:>3}. {r.date or 'undated'} | {r.company or '-'} | {r.title}")
        print(textwrap.indent(textwrap.fill(r.sentence, 92), "     "))
        print(f"     {r.source} · confidence {r.confidence:.2f}")
