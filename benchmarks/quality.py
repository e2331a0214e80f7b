"""Retrieval quality of Pressroom against two plain baselines, on three labelled sets.

Usage:
    .venv/bin/python benchmarks/quality.py --dataset pr
    .venv/bin/python benchmarks/quality.py --dataset scifact --set dense_weight=0.5
    .venv/bin/python benchmarks/quality.py --dataset squad --limit 300 --systems pressroom
    .venv/bin/python benchmarks/quality.py --dataset all --data ../shared/eval/data

For each set it prints markdown tables of hit@1, hit@5, MRR@10 and nDCG@10 for
Pressroom's ``retrieve`` and for two baselines over fixed 1000-character chunks (200
overlap): dense MiniLM in a flat FAISS inner-product index, and BM25 (bm25s). It also
prints build times, per-query latency, the no-answer calibration of the first hit's
confidence and score (``pr``, ``squad``) and, for ``pr``, the questions Pressroom misses
with what it returned instead. Results go to ``benchmarks/out/quality_<set>_<time>.json``
(and ``quality_<set>_latest.json``).

Everything expensive is cached under ``benchmarks/out/`` (git-ignored): the corpora
as files, one Pressroom index per set and encoder backend (``index_<set>-<backend>``,
brought up to date by the incremental ``sync``, rebuilt when its format is stale), and
every embedding (``embeddings.sqlite``, keyed by model, backend and text), so a second
run only pays for queries it has never seen.

Every knob is a leaf of ``qa.Settings``, overridden with ``--set group.name=value``
(``--set dense_weight=0.3`` means ``rank.dense_weight``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if not __package__:  # run as a script: import the helpers as ``benchmarks.*``
    import _repo_path  # noqa: F401

from benchmarks.corpora import DATASETS, DataMissingError  # noqa: E402
from benchmarks.embedcache import CachedEncoder  # noqa: E402
from benchmarks.experiment import evaluate_dataset  # noqa: E402
from benchmarks.report import render_dataset  # noqa: E402
from benchmarks.systems import OUT, SYSTEMS, log  # noqa: E402

if TYPE_CHECKING:
    from qa import Settings

__all__ = ["DEFAULT_DATA", "build_parser", "evaluate_dataset", "main", "parse_settings"]

DEFAULT_DATA = REPO.parent / "shared" / "eval" / "data"


def parse_settings(items: Sequence[str]) -> Settings:
    """``qa.Settings`` with ``path=value`` overrides (``rank.dense_weight=0.5``, or a rank
    field's bare name), each value cast to its leaf's type.

    Raises:
        ValueError: an unknown setting or a value of the wrong type.
    """
    from qa import Settings
    from qa.settings import override

    settings = Settings()
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ValueError(f"--set {item!r}: expected key=value")
        settings = override(settings, key, raw)
    return settings


# -- command line -----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="benchmarks/quality.py",
        description=__doc__.split("\n\n")[0],
        epilog="example: .venv/bin/python benchmarks/quality.py --dataset pr "
        "--set dense_weight=0.5",
    )
    parser.add_argument("--dataset", choices=[*DATASETS, "dev", "all"], default="pr")
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="at most N answerable and N unanswerable questions, seeded sample "
        "(default: all; squad 1000; 0 = all)",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a qa.Settings leaf, e.g. --set rank.dense_weight=0.5 --set per_doc=2",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared evaluation data")
    parser.add_argument(
        "--questions",
        type=Path,
        default=None,
        metavar="DIR",
        help="pr question files (default benchmarks/data; benchmarks/data/fresh: the second "
        "set, written without sight of the system)",
    )
    parser.add_argument(
        "--encoder",
        choices=["torch", "onnx"],
        default=os.environ.get("PRESSROOM_ENCODER") or "onnx",
        help="MiniLM backend (default PRESSROOM_ENCODER or onnx, as index.get_encoder); "
        "each backend has its own indexes and cache keys",
    )
    parser.add_argument("--k", type=int, default=10, help="ranking depth for MRR and nDCG")
    parser.add_argument("--seed", type=int, default=13, help="seed of the --limit sample")
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help="comma-separated subset of pressroom,dense,bm25 (default: all three)",
    )
    parser.add_argument("--latency-queries", type=int, default=20, metavar="N")
    parser.add_argument("--failures", type=int, default=10, metavar="N", help="pr misses to list")
    return parser


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int | None:
    """Parse ``--set`` and ``--systems`` into ``args``; the exit status when a check fails.

    A wrong flag ends the program through ``parser.error``; missing data or a missing
    ``bm25s`` is reported on stderr with status 2.
    """
    try:
        args.settings = parse_settings(args.overrides)
    except ValueError as exc:
        parser.error(str(exc))
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(args.systems) - set(SYSTEMS)
    if unknown or not args.systems:
        parser.error(f"--systems: unknown {sorted(unknown)}; choose from {', '.join(SYSTEMS)}")
    if args.k < 5:
        parser.error("--k must be at least 5 (hit@5 is reported)")
    args.data = args.data.expanduser()
    if not args.data.is_dir():
        print(
            f"error: evaluation data folder {args.data} not found; pass it with "
            "--data PATH (e.g. --data ../shared/eval/data)",
            file=sys.stderr,
        )
        return 2
    if "bm25" in args.systems:
        try:
            import bm25s  # noqa: F401
        except ImportError:
            print(
                "error: the BM25 baseline needs bm25s: .venv/bin/pip install bm25s", file=sys.stderr
            )
            return 2
    return None


def _save(name: str, res: dict) -> Path:
    """Write one set's results as ``quality_<set>_<time>.json`` and ``..._latest.json``."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    body = json.dumps(res, indent=1, ensure_ascii=False, default=str)
    path = OUT / f"quality_{name}_{stamp}.json"
    path.write_text(body, encoding="utf-8")
    (OUT / f"quality_{name}_latest.json").write_text(body, encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    status = _check_args(parser, args)
    if status is not None:
        return status

    from index import get_encoder

    OUT.mkdir(parents=True, exist_ok=True)
    raw = get_encoder(backend=args.encoder)
    variant = None if args.encoder == "torch" else args.encoder
    encoder = CachedEncoder(raw, OUT / "embeddings.sqlite", variant=variant)
    names = list(DATASETS) if args.dataset == "all" else [args.dataset]
    for name in names:
        try:
            res = evaluate_dataset(name, args, encoder, raw)
        except DataMissingError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(render_dataset(res, args.failures))
        path = _save(name, res)
        print(f"\n{name}: {res['seconds']:.0f} s in all; results in {path.relative_to(REPO)}")
        log(f"[{name}] embedding cache: {encoder.hits} hits, {encoder.misses} computed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
