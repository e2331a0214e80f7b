"""The three systems of the quality benchmark: built, asked every question, and timed.

Pressroom is its own index (brought up to date by the incremental ``sync``) and
``qa.retrieve``; the two baselines are those of :mod:`benchmarks.baselines` over fixed
1000-character chunks. Each system's answers come back as :class:`~benchmarks.evaluate.Hit`
lists keyed by question id, with the build and query timings of the run.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.baselines import BaseChunk, BM25Baseline, DenseBaseline
from benchmarks.corpora import Benchmark, Question
from benchmarks.embedcache import CachedEncoder
from benchmarks.evaluate import Hit
from index import Encoder

if TYPE_CHECKING:
    from index import Progress
    from qa import Settings

__all__ = [
    "LABELS",
    "OUT",
    "SYSTEMS",
    "build_pressroom",
    "latency",
    "latency_summary",
    "log",
    "pressroom_depth",
    "run_baseline",
    "run_pressroom",
    "run_system",
]

OUT = (Path(__file__).resolve().parent / "out").resolve()  # one identity via a symlink
SYSTEMS = ("pressroom", "dense", "bm25")
LABELS = {
    "pressroom": "Pressroom retrieve",
    "dense": "dense MiniLM, 1000-char chunks (FAISS flat)",
    "bm25": "BM25 (bm25s), 1000-char chunks",
}

Hits = dict[str, list[Hit]]  # question id -> a system's ranked results


def log(message: str) -> None:
    """Progress on stderr (the tables go to stdout)."""
    print(message, file=sys.stderr, flush=True)


def latency(fn: Callable[[str], object], questions: Sequence[Question], n: int) -> list[float]:
    """Milliseconds per call of ``fn`` on the first ``n`` questions (after one warm-up call)."""
    sample = [q.text for q in questions if q.answerable][:n]
    if not sample:
        return []
    fn(sample[0])
    out = []
    for text in sample:
        started = time.perf_counter()
        fn(text)
        out.append((time.perf_counter() - started) * 1000)
    return out


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """Count, mean, median and 95th percentile of latencies in milliseconds.

    Example:
        >>> latency_summary([3.0, 1.0, 2.0])
        {'n': 3, 'mean_ms': 2.0, 'p50_ms': 2.0, 'p95_ms': 3.0}
        >>> latency_summary([])
        {'n': 0}
    """
    if not ms:
        return {"n": 0}
    xs = sorted(ms)
    return {
        "n": len(xs),
        "mean_ms": statistics.fmean(xs),
        "p50_ms": xs[len(xs) // 2],
        "p95_ms": xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))],
    }


def pressroom_depth(bench: Benchmark, settings: Settings, k: int) -> int:
    """How many passages to ask Pressroom for: ``k``, or enough for ``k`` documents."""
    return k if bench.judge == "answer" else k * max(1, settings.rank.per_doc)


# -- Pressroom ------------------------------------------------------------------------------
def build_pressroom(bench: Benchmark, index_dir: Path, encoder: CachedEncoder) -> dict:
    """Bring the set's Pressroom index up to date (incremental) and time it."""
    from index import IndexFormatError, sync

    misses = encoder.misses
    last = [0.0]

    def progress(p: Progress) -> None:
        """Log the sync's progress at most every 15 seconds."""
        now = time.perf_counter()
        if now - last[0] > 15:
            last[0] = now
            log(
                f"  pressroom sync: {p.files_done}/{p.files_total} files, "
                f"{p.chunks_embedded} chunks embedded"
            )

    try:
        report = sync(bench.paths, index_dir, encoder=encoder, progress=progress)
    except IndexFormatError as exc:  # built by an older Pressroom or another model: rebuild
        log(f"  {exc}\n  rebuilding {index_dir}")
        report = sync(bench.paths, index_dir, encoder=encoder, progress=progress, rebuild=True)
    if report.failed:
        log(f"  pressroom sync: {len(report.failed)} files failed, e.g. {report.failed[0]}")
    info = {
        "seconds": report.seconds,
        "documents": report.documents,
        "chunks": report.chunks,
        "added": len(report.added) + len(report.updated),
        "removed": len(report.removed),
        "failed": len(report.failed),
        "chunks_embedded": report.chunks_embedded,
        "model_calls": encoder.misses - misses,
    }
    record = OUT / f"{index_dir.name}.build.json"
    if info["added"] or info["removed"]:  # remember the last build that did real work
        record.write_text(json.dumps({**info, "when": time.strftime("%F %T")}, indent=2))
    info["last_full_build"] = json.loads(record.read_text()) if record.exists() else None
    return info


def run_pressroom(
    bench: Benchmark,
    questions: Sequence[Question],
    index_dir: Path,
    encoder: Encoder,
    settings: Settings,
    k: int,
) -> Hits:
    """Pressroom's passages for every question, as hits with document keys."""
    from qa import retrieve

    depth = pressroom_depth(bench, settings, k)
    out = {}
    for i, q in enumerate(questions):
        passages = retrieve(
            q.text, k=depth, index_dir=index_dir, encoder=encoder, settings=settings
        )
        out[q.id] = [
            Hit(
                bench.doc_key(p.source),
                p.score,
                p.text,
                p.confidence,
                p.answerable,
                p.kind,
                p.start,
                p.answer,
            )
            for p in passages
        ]
        if (i + 1) % 200 == 0:
            log(f"  pressroom: {i + 1}/{len(questions)} questions")
    return out


def _pressroom_system(
    bench: Benchmark,
    questions: Sequence[Question],
    index_dir: Path,
    encoder: CachedEncoder,
    raw: Encoder,
    settings: Settings,
    k: int,
    n_latency: int,
) -> tuple[dict, Hits, float, list[float]]:
    """Pressroom built, run on every question and timed: (build, hits, wall s, latencies)."""
    from qa import retrieve

    build = build_pressroom(bench, index_dir, encoder)
    started = time.perf_counter()
    hits = run_pressroom(bench, questions, index_dir, encoder, settings, k)
    wall = time.perf_counter() - started
    timed = partial(
        retrieve,
        k=pressroom_depth(bench, settings, k),
        index_dir=index_dir,
        encoder=raw,
        settings=settings,
    )
    return build, hits, wall, latency(timed, questions, n_latency)


# -- the baselines ----------------------------------------------------------------------------
def run_baseline(
    search: Callable[[str, int], list[tuple[BaseChunk, float]]],
    bench: Benchmark,
    questions: Sequence[Question],
    k: int,
) -> Hits:
    """A baseline's top chunks for every question (ten times deeper for document judging)."""
    depth = k if bench.judge == "answer" else 10 * k
    return {
        q.id: [Hit(c.doc, score, c.text) for c, score in search(q.text, depth)] for q in questions
    }


def _baseline_system(
    system: str,
    bench: Benchmark,
    questions: Sequence[Question],
    base_chunks: list[BaseChunk],
    encoder: CachedEncoder,
    raw: Encoder,
    k: int,
    n_latency: int,
) -> tuple[dict, Hits, float, list[float]]:
    """A baseline built, run on every question and timed: (build, hits, wall s, latencies)."""
    misses = encoder.misses
    engine: DenseBaseline | BM25Baseline
    if system == "dense":
        engine = DenseBaseline(base_chunks, encoder)
        timed = partial(engine.search, k=k, encoder=raw)
    else:
        engine = BM25Baseline(base_chunks)
        timed = partial(engine.search, k=k)
    build = {
        "seconds": engine.build_seconds,
        "chunks": len(base_chunks),
        "model_calls": encoder.misses - misses,
    }
    log(f"[{bench.name}] {system}: searching")
    started = time.perf_counter()
    hits = run_baseline(engine.search, bench, questions, k)
    wall = time.perf_counter() - started
    return build, hits, wall, latency(timed, questions, n_latency)


# -- any system -------------------------------------------------------------------------------
def run_system(
    system: str,
    bench: Benchmark,
    questions: Sequence[Question],
    *,
    index_dir: Path,
    base_chunks: list[BaseChunk],
    encoder: CachedEncoder,
    raw: Encoder,
    settings: Settings,
    k: int,
    n_latency: int,
) -> tuple[Hits, dict]:
    """Build ``system``, ask it every question, time it: its hits and its timing record.

    Args:
        system: ``pressroom``, ``dense`` or ``bm25``.
        index_dir: Pressroom's index of the set.
        base_chunks: the baselines' fixed windows of the corpus.
        encoder: the cached encoder every build and question run goes through.
        raw: the uncached encoder, for the latency sample.
        settings: Pressroom's ``qa.Settings``.
        k: the ranking depth judged.
        n_latency: answerable questions in the latency sample.
    """
    log(f"[{bench.name}] {system}: building")
    if system == "pressroom":
        build, hits, wall, lat = _pressroom_system(
            bench, questions, index_dir, encoder, raw, settings, k, n_latency
        )
    else:
        build, hits, wall, lat = _baseline_system(
            system, bench, questions, base_chunks, encoder, raw, k, n_latency
        )
    timing = {
        "load_average": os.getloadavg()[0],
        "build": build,
        "eval_seconds": wall,
        "latency": latency_summary(lat),
    }
    return hits, timing
