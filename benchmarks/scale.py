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
    python benchmarks/scale.py --sizes 100000 --compressed          # + IVF-PQ over the same vectors
    python benchmarks/scale.py --sizes 100000 --copies 100          # + 10^7 vectors, 100 a chunk

``--compressed`` adds the compressed index (IVF-PQ re-ranked from float16 stored vectors) of
each IVF-sized index; ``--copies N`` a row whose compressed index holds N synthetic vectors
per stored chunk (``benchmarks/scale_vectors.py``), the way to 10^7 vectors without 10^7
chunks of text. Their recall is against exact search over the same stored vectors.
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
    JITTER,
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
        "--no-real", action="store_true", help="skip the IVF recall table on real vectors"
    )
    parser.add_argument(
        "--cold", action="store_true", help="also a first answer after dropping the page cache"
    )
    parser.add_argument(
        "--compressed",
        action="store_true",
        help="also the compressed index (IVF-PQ) over the same vectors at each size",
    )
    parser.add_argument(
        "--copies",
        type=int,
        default=0,
        help="also a row with this many synthetic vectors per chunk of the largest store "
        "(10: 10^7 vectors over the 10^6-chunk store), compressed",
    )
    parser.add_argument(
        "--recall-queries",
        type=int,
        default=150,
        help="questions for the compressed rows' recall (exact search of every stored row)",
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


def measure_compressed(
    size: int, copies: int, pool: np.ndarray, qvecs: np.ndarray, args: argparse.Namespace
) -> dict:
    """The compressed twin of a built index: its own vectors (``copies`` 1) or ``copies``
    synthetic vectors per chunk; warm and new-process latencies, recall against exact
    search over the same stored vectors, and the exact search's own time."""
    from benchmarks.scale_vectors import (
        build_vectors,
        chunk_ids,
        compressed_generation,
        evict,
        exact_search_ms,
        exact_top,
        pq_of_index,
        pq_recall,
    )

    index_dir = OUT / f"scale-{size}"

    def write(folder: Path) -> dict:
        if copies == 1:
            return pq_of_index(index_dir, folder)
        ids = chunk_ids(index_dir)
        prebuilt = OUT / f"vectors-{copies}x{len(ids)}"
        if (prebuilt / "vectors.faiss").exists() and (prebuilt / "vectors.f16").exists():
            for name in ("vectors.faiss", "vectors.f16"):  # built before by build_vectors
                (folder / name).hardlink_to(prebuilt / name)
            info = json.loads(prebuilt.with_suffix(".json").read_text())
            return {**info, "prebuilt": str(prebuilt)}
        return build_vectors(folder, ids, copies, pool, JITTER)

    name = index_dir.name + ("-pq" if copies == 1 else f"x{copies}")
    print(f"compressed twin {name} ...", flush=True)
    twin, info = compressed_generation(index_dir, name, write)
    print(f"  {info}", flush=True)
    gen = twin / (twin / "CURRENT").read_text().strip()
    manifest = json.loads((gen / "manifest.json").read_text())
    row = {"size": size, "name": name, "copies": copies, "build": info}
    row["vectors"] = manifest["extra"]["vectors"]
    row["disk_mb"] = round(disk_size(twin) / 1e6)
    row["pressroom"] = measure_in_child(twin, args.queries)
    evict(twin)
    row["first_answer_evicted_s"] = measure_in_child(twin, 0, warm=False)["cold_s"]
    started = time.perf_counter()
    rq = qvecs[: args.recall_queries]
    exact = exact_top(gen / "vectors.f16", rq, k=100)
    row["exact_top_s"] = round(time.perf_counter() - started, 1)
    row["recall"] = {**pq_recall(twin, rq, exact), "queries": len(rq)}
    row["by_nprobe"] = [pq_recall(twin, rq, exact, d) for d in (64, 32, 16, 8, 4)]
    row["exact_search_ms"] = exact_search_ms(gen / "vectors.f16", qvecs[:3])
    print(f"  {json.dumps(row)}", flush=True)
    return row


def print_compressed(rows: Sequence[dict], main: Sequence[dict]) -> None:
    """The compressed index's table, against the default index of the same store."""
    if not rows:
        return
    base = {r["size"]: r for r in main}
    print()
    print(
        "| chunks stored | vectors | vector index (nlist/nprobe, PQ bytes) | p50 ms | p95 ms | "
        "default index p50 ms (its type) | p50 ratio | exact search of the vectors alone, "
        "ms | first answer in a new process s (index evicted) | peak RSS MB (anon) | disk MB "
        "| recall@100 | recall@10 | vector build s | keyword search alone p50 ms | vector search "
        "alone p50 ms (default index) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        p, v = r["pressroom"], r["vectors"]
        b = base[r["size"]]
        bp, bv = b["pressroom"], b["build"].get("vectors") or {}
        kind = f"{v.get('type', 'pq')} {v.get('nlist')}/{v.get('nprobe')}, {v.get('pq_m')}"
        print(
            f"| {b['build']['chunks']:,} | {r['build']['vectors']:,} | {kind} | {p['p50_ms']} | "
            f"{p['p95_ms']} | {bp['p50_ms']} ({bv.get('type')}) | "
            f"{p['p50_ms'] / bp['p50_ms']:.2f} | {r['exact_search_ms']} | {p['cold_s']} "
            f"({r['first_answer_evicted_s']}) | {p['peak_rss_mb']} ({p.get('anon_rss_mb')}) | "
            f"{r['disk_mb']} | {r['recall']['recall@100']:.3f} | {r['recall']['recall@10']:.3f} | "
            f"{r['build'].get('total_s')} | {p.get('keyword_p50_ms')} | "
            f"{p.get('vector_p50_ms')} ({bp.get('vector_p50_ms')}) |"
        )


def print_sizes(rows: Sequence[dict]) -> None:
    """The main table: one line per index size."""
    print()
    print(
        "| chunks | vector index | p50 ms | p95 ms | exact-search p50 ms | p50 ratio | "
        "cold start s (empty page cache) | peak RSS MB (anon) | disk MB | recall@100 | "
        "recall@10 | keyword search alone p50 ms | vector search alone p50 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        p, e, rec = r["pressroom"], r.get("exact"), r["recall"]
        v = r["build"].get("vectors") or {}
        kind = v.get("type", "?") + (f" {v['nlist']}/{v['nprobe']}" if v.get("nlist") else "")
        exact = f"{e['p50_ms']} | {p['p50_ms'] / e['p50_ms']:.2f}" if e else "- | -"
        print(
            f"| {r['build']['chunks']:,} | {kind} | {p['p50_ms']} | {p['p95_ms']} | {exact} | "
            f"{p['cold_s']} ({r.get('cold_disk_s') or '-'}) | "
            f"{p['peak_rss_mb']} ({p.get('anon_rss_mb', '?')}) | {r['disk_mb']} | "
            f"{rec.get('recall@100', 1.0):.3f} | {rec.get('recall@10', 1.0):.3f} | "
            f"{p.get('keyword_p50_ms', '-')} | {p.get('vector_p50_ms', '-')} |"
        )


def print_probes(rows: Sequence[dict]) -> None:
    """The compressed index's recall and search time by lists probed (vector search alone,
    re-ranking included, in this process)."""
    if not rows:
        return
    print()
    print("Compressed index by lists probed (vector search alone, 400 candidates re-ranked):")
    print("| vectors | nlist | nprobe | recall@100 | recall@10 | search p50 ms | questions |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        for p in r["by_nprobe"]:
            mark = " (default)" if p["nprobe"] == r["vectors"]["nprobe"] else ""
            print(
                f"| {r['build']['vectors']:,} | {r['vectors']['nlist']} | {p['nprobe']}{mark} | "
                f"{p['recall@100']:.3f} | {p['recall@10']:.3f} | {p['search_p50_ms']} | "
                f"{r['recall']['queries']} |"
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
    compressed = []
    if args.compressed:
        for size in sizes:
            if (rows[sizes.index(size)]["build"].get("vectors") or {}).get("type") == "ivf":
                compressed.append(measure_compressed(size, 1, pool, qvecs, args))
    if args.copies > 1:
        compressed.append(measure_compressed(max(sizes), args.copies, pool, qvecs, args))
    recall_rows = real_recall(pool, qvecs) if "real" in pool_note and not args.no_real else []
    print_sizes(rows)
    print_compressed(compressed, rows)
    print_probes(compressed)
    print_recall(recall_rows)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    result = {"rows": rows, "compressed": compressed, "recall": recall_rows}
    (OUT / f"scale_{stamp}.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
