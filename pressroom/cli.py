"""The ``pressroom`` command: ``ingest``, ``ask``, ``releases``, ``alerts``, ``serve``,
``check`` and ``repair``, mirroring the Python API.

``pressroom ingest`` is :func:`index.sync`, ``pressroom ask`` is :func:`qa.retrieve`,
``pressroom releases`` is :func:`qa.releases`, ``pressroom alerts`` is :mod:`qa.alerts`,
``pressroom serve`` is :func:`ui.serve.serve`, ``pressroom check`` is
:func:`index.check.check_index`, ``pressroom repair`` is :func:`index.repair.repair_index`.
``python -m ingest``, ``python -m qa`` and ``python app.py`` run the same subcommands.
Every failure is one ``error:`` line and an exit code of :data:`pressroom.failures.EXIT_CODES`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import alerts_cmd, ask_cmd, check_cmd, ingest_cmd, releases_cmd, repair_cmd, serve_cmd
from .failures import EXIT_CODES, FAILURES, fail

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS = {
    "ingest": ingest_cmd,
    "ask": ask_cmd,
    "releases": releases_cmd,
    "alerts": alerts_cmd,
    "serve": serve_cmd,
    "check": check_cmd,
    "repair": repair_cmd,
}
_SUMMARY = {
    "ingest": "add, update and remove releases so the index matches folders of files",
    "ask": "answer a question with cited passages",
    "releases": "list releases newest first, one per release group (a company's timeline)",
    "alerts": "new releases that answer your saved searches (JSON lines); save, list, delete",
    "serve": "serve the browser UI",
    "check": "verify the index's files against their checksums",
    "repair": "rebuild a damaged index, re-embedding only what is lost",
}
EXAMPLES = (
    """examples:
  pressroom ingest ~/releases --index ~/pressroom-index
  pressroom ask "Who manufactures CLR 131?" --index ~/pressroom-index
  pressroom releases --company Cellectar --since 2016 --index ~/pressroom-index
  pressroom alerts save "Who is the new CEO?" --company Cellectar --index ~/pressroom-index
  pressroom alerts --mark-seen --index ~/pressroom-index
  pressroom serve --index ~/pressroom-index --corpus ~/releases
  pressroom check --index ~/pressroom-index
  pressroom repair --index ~/pressroom-index ~/releases

"""
    + EXIT_CODES
)


def _subparser(
    sub: argparse._SubParsersAction, name: str, prog: str | None
) -> argparse.ArgumentParser:
    module = COMMANDS[name]
    p = sub.add_parser(
        name,
        help=_SUMMARY[name],
        description=module.DESCRIPTION,
        epilog=module.EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **({"prog": prog} if prog else {}),
    )
    module.add_arguments(p)
    p.set_defaults(command=name, subparser=p)
    return p


def build_parser(prog: str = "pressroom") -> argparse.ArgumentParser:
    """The root parser with one subparser per command."""
    root = argparse.ArgumentParser(
        prog=prog,
        description="Local-first semantic search and cited question answering over press releases.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = root.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        _subparser(sub, name, None)
    return root


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> int:
    """Run ``pressroom`` with ``argv``; ``prog`` names a single-command entry point
    (``python -m ingest`` is ``main(["ingest", ...], prog="python -m ingest")``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if prog is not None and argv and argv[0] in COMMANDS:
        root = argparse.ArgumentParser(prog=prog)
        sub = root.add_subparsers(dest="command", required=True)
        args = _subparser(sub, argv[0], prog).parse_args(argv[1:])
    else:
        args = build_parser().parse_args(argv)
    try:
        code = COMMANDS[args.command].run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit after main returned
    except FAILURES as exc:  # each command reports its own; this is the last guard
        return fail(exc)
    except BrokenPipeError:
        _silence_stdout()
        return 0
    return code


def _silence_stdout() -> None:
    """The reader of our output went away (``pressroom ask ... | head``): what is left
    goes nowhere, and the interpreter's final flush finds no pipe to complain about."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (captured in a test)
        pass
