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
import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUT = REPO / "benchmarks" / "out"
DATA = REPO.parent / "shared" / "eval" / "data"
ARCHIVE = Path("press_releases_newsworthy") / "all-releases-markdown.tar.gz"
QUESTIONS = REPO / "benchmarks" / "data" / "pr_questions.jsonl"
JITTER = 0.48  # noise norm relative to the unit vector: cosine to the original ~0.9


# -- the text: the archive, parsed by Pressroom ----------------------------------------------
def _extract(data: Path) -> Path:
    target = OUT / "archive"
    done = target / ".complete"
    if done.exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tarfile.open(data / ARCHIVE, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".md")]
        tar.extractall(target, members=members, filter="data")
    done.write_text(str(len(members)))
    return target


def prepared_archive(data: Path, encoder) -> list[tuple]:
    """(DocumentRecord, chunks) of every archive release (cached as a pickle)."""
    from ingest.chunking import ChunkSettings
    from ingest.loaders import load_file
    from ingest.prepare import prepare
    from ingest.types import LoadError

    cache = OUT / "archive_prepared.pkl"
    if cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    root = _extract(data)
    files = sorted(root.rglob("*.md"))
    out, failed = [], 0
    started = time.perf_counter()
    for i, path in enumerate(files):
        try:
            doc, chunks = prepare(
                load_file(path),
                count_tokens=encoder.count_tokens,
                max_tokens=encoder.max_tokens,
                settings=ChunkSettings(),
            )
        except LoadError:
            failed += 1
            continue
        out.append((doc, chunks))
        if i % 2000 == 0:
            print(f"  parsed {i}/{len(files)} ({time.perf_counter() - started:.0f} s)", flush=True)
    print(
        f"  parsed {len(out)} releases ({failed} unusable) into "
        f"{sum(len(c) for _, c in out)} chunks in {time.perf_counter() - started:.0f} s"
    )
    with cache.open("wb") as fh:
        pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return out


# -- the vectors: real MiniLM geometry, jittered ---------------------------------------------
def real_vector_pool(limit: int = 200_000) -> tuple[np.ndarray, str]:
    """Chunk and sentence vectors of the quality benchmark's ONNX indexes."""
    import sqlite3

    import faiss

    from index.store import dequantize

    parts = []
    for name in ("pr", "scifact", "squad"):
        root = OUT / f"index_{name}-onnx"
        gen = root / "CURRENT"
        if not gen.exists():
            continue
        path = root / gen.read_text().strip()
        index = faiss.read_index(str(path / "vectors.faiss"))
        inner = index.index if isinstance(index, faiss.IndexIDMap2) else index
        parts.append(inner.reconstruct_n(0, index.ntotal) if index.ntotal else None)
        db = sqlite3.connect(path / "store.sqlite")
        rows = db.execute("SELECT vec, scale FROM sentences").fetchall()
        db.close()
        if rows:
            s = dequantize([r[0] for r in rows], [r[1] for r in rows], index.d)
            norms = np.linalg.norm(s, axis=1, keepdims=True)
            keep = norms[:, 0] > 0  # a sentence of padding only has no vector
            parts.append(s[keep] / norms[keep])
    parts = [p for p in parts if p is not None]
    if parts:
        pool = np.concatenate(parts).astype(np.float32)[:limit]
        return pool, f"{len(pool)} real MiniLM vectors (quality benchmark indexes), jittered"
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2000, 384))
    pool = centres[rng.integers(0, 2000, 50_000)] + 0.5 * rng.normal(size=(50_000, 384))
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    return pool.astype(np.float32), "random clustered vectors (no quality indexes found)"


class JitterEncoder:
    """Stands in for the model at build time only (synthetic vectors, real tokenizer).

    It carries the real model's name so the index opens with the real encoder, which
    embeds the questions.
    """

    def __init__(self, real, pool: np.ndarray) -> None:
        self._real = real
        self.name = real.name
        self.dim = real.dim
        self.max_tokens = real.max_tokens
        self._pool = pool

    def count_tokens(self, texts):
        return self._real.count_tokens(texts)

    def _vector(self, text: str) -> tuple[np.ndarray, np.random.Generator]:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        rng = np.random.default_rng(seed)
        v = self._pool[seed % len(self._pool)] + rng.normal(size=self.dim) * (
            JITTER / np.sqrt(self.dim)
        )
        return (v / np.linalg.norm(v)).astype(np.float32), rng

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:
        return (
            np.stack([self._vector(t)[0] for t in texts])
            if len(texts)
            else np.zeros((0, self.dim), np.float32)
        )

    def encode_with_sentences(self, texts, spans):
        vectors, parts = [], []
        for text, sp in zip(texts, spans, strict=True):
            v, rng = self._vector(text)
            s = v + rng.normal(size=(len(sp), self.dim)) * (JITTER / np.sqrt(self.dim))
            s /= np.linalg.norm(s, axis=1, keepdims=True)
            vectors.append(v)
            parts.append(s.astype(np.float32))
        return np.stack(vectors), parts


# -- building ----------------------------------------------------------------------------------
def _copy(doc, chunks, n: int):
    """The ``n``-th stored copy of a release: another path, distinct embedded text."""
    if n == 0:
        return doc, chunks
    tag = f"[{n}] "
    return replace(doc, path=f"{doc.path}#copy{n}"), [
        replace(c, embed_text=tag + c.embed_text, prefix_len=c.prefix_len + len(tag))
        for c in chunks
    ]


def build(size: int, prepared: list[tuple], encoder, index_dir: Path) -> dict:
    """Store releases (copies beyond the archive) until ``size`` chunks; returns timings."""
    from index import IndexWriter
    from index.manifest import FORMAT_VERSION
    from ingest.chunking import ChunkSettings
    from ingest.prepare import EMBED_TEMPLATE

    stamp = index_dir.with_suffix(".build.json")
    if stamp.exists() and (index_dir / "CURRENT").exists():
        info = json.loads(stamp.read_text())
        if info.get("size") == size and info.get("format_version") == FORMAT_VERSION:
            return info
    started = time.perf_counter()
    n = docs = 0
    with IndexWriter(
        index_dir,
        encoder,
        chunking={**ChunkSettings().__dict__},
        embed_template=EMBED_TEMPLATE,
        rebuild=True,
    ) as writer:
        copy = 0
        while n < size:
            for doc, chunks in prepared:
                doc, chunks = _copy(doc, chunks[: size - n], copy)
                writer.add(doc, chunks)
                n += len(chunks)
                docs += 1
                if n >= size:
                    break
            copy += 1
        stored = time.perf_counter() - started
        manifest = writer.commit()
    info = {
        "size": size,
        "format_version": manifest.format_version,
        "chunks": manifest.chunks,
        "documents": docs,
        "store_s": round(stored, 1),
        "total_s": round(time.perf_counter() - started, 1),
        "vectors": manifest.extra.get("vectors"),
    }
    stamp.write_text(json.dumps(info))
    return info


def flat_twin(index_dir: Path) -> Path:
    """The same index with exact vector search (store hard-linked), the baseline."""
    import faiss

    from index.vectors import VectorIndex

    twin = index_dir.with_name(index_dir.name + "-flat")
    gen = (index_dir / "CURRENT").read_text().strip()
    if (twin / "CURRENT").exists() and (twin / "CURRENT").read_text().strip() == gen:
        return twin
    shutil.rmtree(twin, ignore_errors=True)
    (twin / gen).mkdir(parents=True)
    os.link(index_dir / gen / "store.sqlite", twin / gen / "store.sqlite")
    shutil.copy(index_dir / gen / "manifest.json", twin / gen / "manifest.json")
    ids, vectors = VectorIndex.read(index_dir / gen / "vectors.faiss", writable=True).all()
    flat = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    flat.add_with_ids(vectors, ids)
    faiss.write_index(flat, str(twin / gen / "vectors.faiss"))
    (twin / "CURRENT").write_text(gen)
    return twin


def disk_size(index_dir: Path) -> int:
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    return sum(p.stat().st_size for p in gen.iterdir())


# -- measuring (in a fresh process per index) ----------------------------------------------------
def measure(index_dir: Path, launched: float, n_queries: int) -> dict:
    """Run inside the child: first answer (cold), then warm latencies, peak RSS."""
    from qa import retrieve

    questions = [json.loads(line)["question"] for line in QUESTIONS.open()]
    retrieve(questions[0], index_dir=index_dir)
    cold = time.time() - launched
    if n_queries == 0:
        return {"cold_s": round(cold, 2)}
    for q in questions[1:6]:  # warm-up
        retrieve(q, index_dir=index_dir)
    times = []
    for q in (questions * 3)[:n_queries]:
        t = time.perf_counter()
        retrieve(q, index_dir=index_dir)
        times.append(time.perf_counter() - t)
    times.sort()
    return {
        "cold_s": round(cold, 2),
        "p50_ms": round(1000 * times[len(times) // 2], 1),
        "p95_ms": round(1000 * times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        "mean_ms": round(1000 * sum(times) / len(times), 1),
        "queries": len(times),
        "peak_rss_mb": _status_mb("VmHWM"),  # includes the mapped index pages read
        "anon_rss_mb": _status_mb("RssAnon"),  # the process's own memory, without them
    }


def _status_mb(field: str) -> int:
    """A memory figure of this process from /proc (VmHWM, unlike ``ru_maxrss``, is not
    inherited from the parent across ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024)
    return -1


def warm_page_cache(index_dir: Path) -> float:
    """Read the published generation's files once, so "warm" means warm disk cache too."""
    started = time.perf_counter()
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    for path in gen.iterdir():
        with path.open("rb") as fh:
            while fh.read(1 << 24):
                pass
    return time.perf_counter() - started


def drop_page_cache() -> bool:
    """Ask the kernel to forget cached file pages (root only); False when not allowed."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
    except OSError:
        return False
    return True


def cold_disk_start(index_dir: Path) -> float | None:
    """Launch to first answer with nothing of the index in the page cache."""
    if not drop_page_cache():
        return None
    return _run_child(index_dir, 0)["cold_s"]


def measure_in_child(index_dir: Path, n_queries: int) -> dict:
    warm_page_cache(index_dir)
    return _run_child(index_dir, n_queries)


def _run_child(index_dir: Path, n_queries: int) -> dict:
    """:func:`measure` in a new process launched now; its JSON result."""
    launched = time.time()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(index_dir), str(launched), str(n_queries)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def ivf_recall(index_dir: Path, queries: np.ndarray, k: int = 100) -> dict:
    """Recall@k (and @10) of the stored IVF index against exact search over its vectors."""
    from index.vectors import VectorIndex

    gen = (index_dir / "CURRENT").read_text().strip()
    index = VectorIndex.read(index_dir / gen / "vectors.faiss")
    if index.kind != "ivf":
        return {}
    ids, vectors = index.all()
    r100, r10 = [], []
    for q in queries:
        exact = ids[np.argsort(-(vectors @ q))[:k]]
        got = index.search(q, k)[1]
        r100.append(len(set(got.tolist()) & set(exact.tolist())) / k)
        r10.append(len(set(got[:10].tolist()) & set(exact[:10].tolist())) / 10)
    return {"recall@100": float(np.mean(r100)), "recall@10": float(np.mean(r10))}


def real_recall(pool: np.ndarray, queries: np.ndarray) -> list[dict]:
    """IVF recall on real MiniLM vectors (no jitter) for a few ``nprobe`` settings."""
    from index.settings import VectorSettings
    from index.vectors import VectorIndex, ivf_lists

    NPROBE_DIVISOR = VectorSettings().nprobe_divisor

    ids = np.arange(len(pool), dtype=np.int64)
    nlist = ivf_lists(len(pool))
    index = VectorIndex.ivf(ids, pool, nlist)
    rows = []
    exact = [np.argsort(-(pool @ q))[:100] for q in queries]
    for divisor in sorted({64, 32, 16, 8, 4, NPROBE_DIVISOR}, reverse=True):
        index._ivf.nprobe = max(1, nlist // divisor)
        r100, r10 = [], []
        t = time.perf_counter()
        for q, ex in zip(queries, exact, strict=True):
            got = index.search(q, 100)[1]
            r100.append(len(set(got.tolist()) & set(ex.tolist())) / 100)
            r10.append(len(set(got[:10].tolist()) & set(ex[:10].tolist())) / 10)
        ms = 1000 * (time.perf_counter() - t) / len(queries)
        rows.append(
            {
                "vectors": len(pool),
                "nlist": nlist,
                "nprobe": index.nprobe,
                "recall@100": float(np.mean(r100)),
                "recall@10": float(np.mean(r10)),
                "search_ms": round(ms, 2),
                "default": divisor == NPROBE_DIVISOR,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200, help="warm queries per index")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--no-baseline", action="store_true", help="skip the exact-search twin")
    parser.add_argument(
        "--cold", action="store_true", help="also a first answer after dropping the page cache"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
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
    questions = [json.loads(line)["question"] for line in QUESTIONS.open()]
    qvecs = real.encode(questions)

    rows = []
    for size in sizes:
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
        rows.append(row)
    recall_rows = real_recall(pool, qvecs) if "real" in pool_note else []

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
    if recall_rows:
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
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"scale_{stamp}.json").write_text(json.dumps({"rows": rows, "recall": recall_rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
