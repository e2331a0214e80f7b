"""``pressroom alerts``: new releases that answer saved searches, as JSON lines
(``qa.alerts``); ``save``, ``list`` and ``delete`` manage the saved searches."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, replace

from qa.alerts import (
    DEFAULT_USER,
    Alert,
    AlertsError,
    SavedSearch,
    alerts,
    delete_search,
    mark_seen,
    save_search,
    searches,
)
from qa.filters import make_filters, split_companies

from .failures import EXIT_CODES, EXIT_USAGE

__all__ = ["DESCRIPTION", "EXAMPLES", "add_arguments", "run"]

DESCRIPTION = (
    "Print the alerts of your saved searches as JSON lines, the newest first: the releases "
    "that a sync (pressroom ingest, an upload or the watched folder) added or changed and "
    "that answer a saved question. One object per alert: id, search_id, user, question, "
    "doc_id, source, title, company, tickers, date, url, answer, passage, score, found_at, "
    "seen. `save`, `list` and `delete` manage the saved searches (stored in alerts.sqlite "
    "in the index folder). Exit codes: 0 done (also when there is no alert), 2 usage error "
    "(an empty question, a bad date, no such saved search), 3 the alerts file is damaged, "
    "4 disk full, 5 read-only, 6 permission denied."
)
EXAMPLES = (
    """examples:
  pressroom alerts save "Which drug received Fast Track designation?" --since 2024
  pressroom alerts save "Who is the new CEO?" --company Cellectar --company NASDAQ:ACME
  pressroom alerts save "Which company announced an acquisition?" --min-confidence 0.7
  pressroom alerts list                    # the saved searches, one JSON object each
  pressroom alerts                         # new alerts (not marked seen), JSON lines
  pressroom alerts --mark-seen             # ... and mark the ones printed seen
  pressroom alerts --all --user desk       # every alert of the login 'desk', seen or not
  pressroom alerts delete 3                # a saved search and its alerts
  # cron, every morning at 7: mail the new alerts, then mark them seen
  0 7 * * * pressroom alerts --mark-seen --index ~/idx | mail -E -s "Pressroom alerts" me@x.org

"""
    + EXIT_CODES
)


def _default_user() -> str:
    """The app's login name when ``PRESSROOM_AUTH`` sets one (its saved searches are
    that user's), else ``default``."""
    auth = os.environ.get("PRESSROOM_AUTH", "")
    user, sep, _ = auth.partition(":")
    return user if sep and user else DEFAULT_USER


def _common(p: argparse.ArgumentParser, default) -> None:
    p.add_argument(
        "--index", default=default, help="index folder (default PRESSROOM_INDEX or data/index)"
    )
    p.add_argument(
        "--user",
        default=default,
        help="whose saved searches (default: the PRESSROOM_AUTH login, else 'default')",
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common(p, None)
    p.add_argument("--all", action="store_true", help="also the alerts already marked seen")
    p.add_argument("--mark-seen", action="store_true", help="mark the alerts printed as seen")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    save = sub.add_parser("save", help="save a question with its filters")
    save.add_argument("question", help="the question, as you would ask it")
    save.add_argument(
        "--company",
        action="append",
        default=[],
        help="only releases of this company or ticker (repeat, or separate with commas)",
    )
    save.add_argument(
        "--since", default=None, help="only releases dated on or after YYYY[-MM[-DD]]"
    )
    save.add_argument(
        "--until", default=None, help="only releases dated on or before YYYY[-MM[-DD]]"
    )
    save.add_argument(
        "--no-boilerplate",
        action="store_true",
        help="never answer from About, safe-harbor, contacts or links sections",
    )
    save.add_argument(
        "--kind",
        action="append",
        default=[],
        choices=("body", "quote", "about", "safe_harbor", "contacts", "links"),
        help="only answers from sections of this kind (repeat for several)",
    )
    save.add_argument(
        "--min-confidence",
        type=float,
        default=None,
        metavar="P",
        help="alert only when the answer model is at least this confident (0 to 1; "
        "default: its own threshold, 0.5, as the app's 'answer found')",
    )
    sub.add_parser("list", help="the saved searches, one JSON object each")
    delete = sub.add_parser("delete", help="delete a saved search and its alerts")
    delete.add_argument("id", type=int, help="the saved search's id (see `list`)")
    for child in (save, sub.choices["list"], delete):
        _common(child, argparse.SUPPRESS)  # given after the action, they count too


def _search_json(s: SavedSearch) -> str:
    f = s.filters
    return json.dumps(
        {
            "id": s.id,
            "user": s.user,
            "question": s.question,
            "companies": list(f.companies),
            "since": f.date_from,
            "until": f.date_to,
            "kinds": list(f.kinds),
            "exclude_boilerplate": f.exclude_boilerplate,
            "min_confidence": s.min_confidence,
            "created": s.created,
        }
    )


def _alert_json(a: Alert) -> str:
    return json.dumps(asdict(a))


def run(args: argparse.Namespace) -> int:
    user = args.user or _default_user()
    try:
        if args.action == "save":
            return _save(args, user)
        if args.action == "list":
            for s in searches(args.index, user=user):
                print(_search_json(s))
            return 0
        if args.action == "delete":
            if not delete_search(args.index, args.id, user=user):
                print(
                    f"error: {user} has no saved search {args.id} (see `pressroom alerts list`)",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            print(f"deleted saved search {args.id}", file=sys.stderr)
            return 0
        found = alerts(args.index, user=user, unseen_only=not args.all)
        for a in found:
            print(_alert_json(a))
        if args.mark_seen:
            sys.stdout.flush()  # marked seen only once they are out
            mark_seen(args.index, [a.id for a in found], user=user)
        return 0
    except AlertsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


def _save(args: argparse.Namespace, user: str) -> int:
    companies = [c for text in args.company for c in split_companies(text)]
    try:
        filters = make_filters(
            args.since,
            args.until,
            companies,
            not args.no_boilerplate,
            labels=("--since", "--until"),
        )
        if args.kind:
            filters = replace(filters, kinds=tuple(dict.fromkeys(args.kind)))
        saved = save_search(
            args.index, args.question, filters, user=user, min_confidence=args.min_confidence
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(_search_json(saved))
    return 0
