"""The measurements of the scale benchmark, each index in a fresh process.

:func:`measure_in_child` launches ``benchmarks/scale.py --child``, which runs
:func:`measure`: launch to first answer (cold start), then warm ``retrieve`` latencies and
peak memory. :func:`cold_disk_start` does the cold start with an empty page cache;
:func:`ivf_recall` and :func:`real_recall` set the IVF index's recall against exact search.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

__all__ = [
    "QUESTIONS",
    "SCRIPT",
    "cold_disk_start",
    "drop_page_cache",
    "ivf_recall",
    "measure",
    "measure_in_child",
    "question_texts",
    "real_recall",
    "stage_times",
    "status_mb",
    "warm_page_cache",
]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCRIPT = HERE / "scale.py"  # the child's entry point (``--child``)
QUESTIONS = HERE / "data" / "pr_questions.jsonl"


def question_texts(path: Path = QUESTIONS) -> list[str]:
    """The press-release questions, in file order."""
    with path.open() as fh:
        return [json.loads(line)["question"] for line in fh]


def measure(index_dir: Path, launched: float, n_queries: int) -> dict:
    """Run inside the child: first answer (cold), then warm latencies, peak RSS."""
    from qa import retrieve

    questions = question_texts()
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
        **stage_times(index_dir, questions[:n_queries]),
        "cold_s": round(cold, 2),
        "p50_ms": round(1000 * times[len(times) // 2], 1),
        "p95_ms": round(1000 * times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        "mean_ms": round(1000 * sum(times) / len(times), 1),
        "queries": len(times),
        "peak_rss_mb": status_mb("VmHWM"),  # includes the mapped index pages read
        "anon_rss_mb": status_mb("RssAnon"),  # the process's own memory, without them
    }


def stage_times(index_dir: Path, questions: list[str], k: int = 100) -> dict:
    """p50 ms of the keyword search alone (the question's analysis, then FTS5 within the
    postings budget) and of the vector search alone (on encoded questions), as
    ``retrieve`` runs them for ``k`` candidates."""
    from index import get_encoder, reading
    from qa.query import analyse

    qvecs = get_encoder().encode(questions)
    keyword, dense = [], []
    with reading(index_dir) as reader:
        for q, v in zip(questions, qvecs, strict=True):
            t = time.perf_counter()
            reader.keyword(analyse(reader, q).keyword_terms, k)
            keyword.append(time.perf_counter() - t)
            t = time.perf_counter()
            reader.dense(v, k)
            dense.append(time.perf_counter() - t)
    return {
        "keyword_p50_ms": round(1000 * float(np.median(keyword)), 1),
        "vector_p50_ms": round(1000 * float(np.median(dense)), 1),
    }


def status_mb(field: str) -> int:
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


def measure_in_child(index_dir: Path, n_queries: int, *, warm: bool = True) -> dict:
    """:func:`measure` in a fresh process, with the index's files in the page cache
    (unless ``warm`` is False: as they are)."""
    if warm:
        warm_page_cache(index_dir)
    return _run_child(index_dir, n_queries)


def _run_child(index_dir: Path, n_queries: int) -> dict:
    """:func:`measure` in a new process (``scale.py --child``) launched now; its JSON result."""
    launched = time.time()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--child", str(index_dir), str(launched), str(n_queries)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _overlap(got: np.ndarray, exact: np.ndarray, k: int) -> float:
    """Share of the exact top ``k`` ids that the top ``k`` found also holds.

    Example:
        >>> _overlap(np.array([1, 2, 9]), np.array([1, 2, 3]), 2)
        1.0
    """
    return len(set(got[:k].tolist()) & set(exact[:k].tolist())) / k


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
        r100.append(_overlap(got, exact, k))
        r10.append(_overlap(got, exact, 10))
    return {"recall@100": float(np.mean(r100)), "recall@10": float(np.mean(r10))}


def real_recall(pool: np.ndarray, queries: np.ndarray) -> list[dict]:
    """IVF recall on real MiniLM vectors (no jitter) for a few ``nprobe`` settings."""
    from index.settings import VectorSettings
    from index.vectors import VectorIndex, ivf_lists

    default_divisor = VectorSettings().nprobe_divisor
    ids = np.arange(len(pool), dtype=np.int64)
    nlist = ivf_lists(len(pool))
    index = VectorIndex.ivf(ids, pool, nlist)
    rows = []
    exact = [np.argsort(-(pool @ q))[:100] for q in queries]
    for divisor in sorted({64, 32, 16, 8, 4, default_divisor}, reverse=True):
        index._ivf.nprobe = max(1, nlist // divisor)
        r100, r10 = [], []
        t = time.perf_counter()
        for q, ex in zip(queries, exact, strict=True):
            got = index.search(q, 100)[1]
            r100.append(_overlap(got, ex, 100))
            r10.append(_overlap(got, ex, 10))
        ms = 1000 * (time.perf_counter() - t) / len(queries)
        rows.append(
            {
                "vectors": len(pool),
                "nlist": nlist,
                "nprobe": index.nprobe,
                "recall@100": float(np.mean(r100)),
                "recall@10": float(np.mean(r10)),
                "search_ms": round(ms, 2),
                "default": divisor == default_divisor,
            }
        )
    return rows
