"""Query speed at scale: warm ``retrieve`` p50/p95 at 10^3, 10^5 and 10^6 chunks, cold start,
peak memory, index size, and the IVF index's recall against exact search.

The text is real: releases of the Newsworthy archive (24,677 files, about 10^5 chunks),
parsed and chunked by Pressroom itself and stored through the real ``IndexWriter``.
Beyond the archive, releases are stored again under other paths until the size is
reached. The vectors are synthetic, as the issue allows (embedding 10^6 chunks takes
about six hours here): each chunk gets a real MiniLM vector taken from the quality
benchmark's indexes, chosen by the hash of its text and jittered (cosine about 0.9 to
the original), so the vectors have the geometry of real embeddings. Questions are
encoded by the real default encoder, so the query path is the product's own.

Every size is measured in a fresh process (cold start: launch to first answer, peak
RSS), then warm over the press-release questions. The baseline, in the same run, is
the same index with exact (flat) vector search.

Run ``python benchmarks/quality.py --dataset all`` first for the real vectors (without
them, vectors are drawn around random centres and the table says so).

    python benchmarks/scale.py                      # 10^3, 10^5, 10^6
    python benchmarks/scale.py --sizes 1000,100000  # quicker
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if not __package__:  # run as a script: import the helpers as ``benchmarks.*``
    import _repo_path  # noqa: F401

from benchmarks.scale_build import (  # noqa: E402
    ARCHIVE,
    OUT,
    JitterEncoder,
    Prepared,
    build,
    disk_size,
    flat_twin,
    prepared_archive,
    real_vector_pool,
)
from benchmarks.scale_measure import (  # noqa: E402
    cold_disk_start,
    ivf_recall,
    measure,
    measure_in_child,
    question_texts,
    real_recall,
)

__all__ = ["DATA", "build_parser", "main", "measure_size", "print_recall", "print_sizes"]

DATA = REPO.parent / "shared" / "eval" / "data"


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface (``--child`` is the measuring process's own)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200, help="warm queries per index")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--no-baseline", action="store_true", help="skip the exact-search twin")
    parser.add_argument(
        "--cold", action="store_true", help="also a first answer after dropping the page cache"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    return parser


def measure_size(
    size: int,
    prepared: list[Prepared],
    encoder: JitterEncoder,
    qvecs: np.ndarray,
    args: argparse.Namespace,
) -> dict:
    """Build the index of ``size`` chunks and measure it (and its exact twin): one table row."""
    index_dir = OUT / f"scale-{size}"
    print(f"building {size} chunks ...", flush=True)
    info = build(size, prepared, encoder, index_dir)
    print(f"  {info}", flush=True)
    row = {"size": size, "build": info, "disk_mb": round(disk_size(index_dir) / 1e6)}
    row["pressroom"] = measure_in_child(index_dir, args.queries)
    if args.cold:
        row["cold_disk_s"] = cold_disk_start(index_dir)
    row["recall"] = ivf_recall(index_dir, qvecs)
    if not args.no_baseline and (info.get("vectors") or {}).get("type") == "ivf":
        row["exact"] = measure_in_child(flat_twin(index_dir), args.queries)
    print(f"  {json.dumps(row)}", flush=True)
    return row


def print_sizes(rows: Sequence[dict]) -> None:
    """The main table: one line per index size."""
    print()
    print(
        "| chunks | vector index | p50 ms | p95 ms | exact-search p50 ms | p50 ratio | "
        "cold start s (empty page cache) | peak RSS MB (anon) | disk MB | recall@100 | "
        "recall@10 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        p, e, rec = r["pressroom"], r.get("exact"), r["recall"]
        v = r["build"].get("vectors") or {}
        kind = v.get("type", "?") + (f" {v['nlist']}/{v['nprobe']}" if v.get("nlist") else "")
        exact = f"{e['p50_ms']} | {p['p50_ms'] / e['p50_ms']:.2f}" if e else "- | -"
        print(
            f"| {r['build']['chunks']:,} | {kind} | {p['p50_ms']} | {p['p95_ms']} | {exact} | "
            f"{p['cold_s']} ({r.get('cold_disk_s') or '-'}) | "
            f"{p['peak_rss_mb']} ({p.get('anon_rss_mb', '?')}) | {r['disk_mb']} | "
            f"{rec.get('recall@100', 1.0):.3f} | {rec.get('recall@10', 1.0):.3f} |"
        )


def print_recall(recall_rows: Sequence[dict]) -> None:
    """The IVF recall on real vectors for each ``nprobe`` (nothing when there are no rows)."""
    if not recall_rows:
        return
    print()
    print("IVF on real MiniLM vectors (no jitter), 150 press-release questions:")
    print("| vectors | nlist | nprobe | recall@100 | recall@10 | search ms |")
    print("|---|---|---|---|---|---|")
    for r in recall_rows:
        mark = " (default)" if r["default"] else ""
        print(
            f"| {r['vectors']:,} | {r['nlist']} | {r['nprobe']}{mark} | "
            f"{r['recall@100']:.3f} | {r['recall@10']:.3f} | {r['search_ms']} |"
        )


def main(argv: list[str] | None = None) -> int:
    """Build and measure every size, print the tables, save ``scale_<time>.json``."""
    args = build_parser().parse_args(argv)
    if args.child:
        result = measure(Path(args.child[0]), float(args.child[1]), int(args.child[2]))
        print(json.dumps(result))
        return 0
    if not (args.data / ARCHIVE).exists():
        print(f"skipped: {args.data / ARCHIVE} not found (needs ../shared/eval/data)")
        return 0

    from index import get_encoder

    sizes = [int(s) for s in args.sizes.split(",")]
    real = get_encoder()
    pool, pool_note = real_vector_pool()
    print(f"vectors: {pool_note}")
    prepared = prepared_archive(args.data, real)
    encoder = JitterEncoder(real, pool)
    qvecs = real.encode(question_texts())
    rows = [measure_size(size, prepared, encoder, qvecs, args) for size in sizes]
    recall_rows = real_recall(pool, qvecs) if "real" in pool_note else []
    print_sizes(rows)
    print_recall(recall_rows)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"scale_{stamp}.json").write_text(json.dumps({"rows": rows, "recall": recall_rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
