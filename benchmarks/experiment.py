"""One set's run of the quality benchmark: systems run, answers judged, results assembled.

:func:`evaluate_dataset` writes the set's corpus, samples its questions, runs every
chosen system (:mod:`benchmarks.systems`), judges each ranking (:mod:`benchmarks.evaluate`)
and returns the JSON-ready results that :func:`benchmarks.report.render_dataset` turns into
tables: metrics per system and split, timings, the no-answer calibration and, for ``pr``,
the diagnosis of Pressroom's misses.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections import defaultdict
from collections.abc import Sequence

from benchmarks.baselines import BaseChunk, chunk_corpus
from benchmarks.corpora import (
    ANSWER_SETS,
    Benchmark,
    Question,
    load_benchmark,
    sample_questions,
)
from benchmarks.diagnose import pr_failures
from benchmarks.embedcache import CachedEncoder
from benchmarks.evaluate import (
    Hit,
    aggregate,
    answer_report,
    doc_ranking,
    judge,
    no_answer_report,
)
from benchmarks.systems import LABELS, OUT, log, run_system
from index import Encoder

__all__ = [
    "CHUNK_OVERLAP",
    "CHUNK_SIZE",
    "DEFAULT_LIMIT",
    "PUBLISHED",
    "TARGET",
    "evaluate_dataset",
]

DEFAULT_LIMIT = {"squad": 1000}  # answerable + unanswerable questions each
PUBLISHED = {
    "scifact": [("BM25 (published, BEIR)", 0.665), ("all-MiniLM-L6-v2 (published)", 0.645)]
}
TARGET = {"scifact": 0.70}
CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200

Hits = dict[str, list[Hit]]  # question id -> a system's ranked results


def evaluate_dataset(
    name: str, args: argparse.Namespace, encoder: CachedEncoder, raw: Encoder
) -> dict:
    """Build, run and judge every system on one set; returns the JSON-ready results.

    Args:
        name: ``pr``, ``scifact`` or ``squad``.
        args: the parsed command line of ``benchmarks/quality.py`` (``settings`` and
            ``systems`` already parsed).
        encoder: the cached encoder builds and questions go through.
        raw: the uncached encoder, for the latency sample.
    """
    started = time.perf_counter()
    log(f"[{name}] writing the corpus under {OUT}")
    bench = load_benchmark(name, args.data, OUT, args.questions)
    limit = args.limit if args.limit is not None else DEFAULT_LIMIT.get(name)
    questions = sample_questions(bench.questions, limit, args.seed)
    answerable = [q for q in questions if q.answerable]
    results = _header(bench, args, limit, len(questions), len(answerable))
    index_dir = OUT / f"index_{name}-{args.encoder}"
    base_chunks = _base_chunks(bench, args.systems)
    hits: dict[str, Hits] = {}
    timing: dict[str, dict] = {}
    for system in args.systems:
        hits[system], timing[system] = run_system(
            system,
            bench,
            questions,
            index_dir=index_dir,
            base_chunks=base_chunks,
            encoder=encoder,
            raw=raw,
            settings=args.settings,
            k=args.k,
            n_latency=args.latency_queries,
        )
    per_question: dict[str, dict] = {q.id: {"system": {}} for q in questions}
    for system, by_q in hits.items():
        summary = _judge_system(system, bench, answerable, by_q, args.k, per_question)
        results["systems"][system] = {**summary, "timing": timing[system]}
    _describe_questions(questions, hits, per_question)
    if "pressroom" in hits and len(answerable) < len(questions):
        results["no_answer"] = _no_answer(questions, hits["pressroom"], per_question)
    if bench.judge == "answer" and "pressroom" in hits:
        results["answers"] = answer_report(answerable, hits["pressroom"])
    if bench.name in ANSWER_SETS and "pressroom" in hits:
        results["failures"] = pr_failures(bench, answerable, hits, index_dir, base_chunks, args.k)
    results["per_question"] = list(per_question.values())
    results["seconds"] = time.perf_counter() - started
    return results


def _header(
    bench: Benchmark, args: argparse.Namespace, limit: int | None, n: int, n_answerable: int
) -> dict:
    """The run's parameters and the set's size, with an empty ``systems`` to fill."""
    settings = dataclasses.asdict(args.settings)
    defaults = dataclasses.asdict(type(args.settings)())
    return {
        "dataset": bench.name,
        "k": args.k,
        "limit": limit,
        "seed": args.seed,
        "encoder": args.encoder,
        "settings": settings,
        "settings_changed": {key: v for key, v in settings.items() if v != defaults[key]},
        "published": PUBLISHED.get(bench.name, []),
        "target": TARGET.get(bench.name),
        "answerable_at": args.settings.answer.answerable_at,
        "documents": len(bench.files),
        "questions": {"answerable": n_answerable, "unanswerable": n - n_answerable},
        "systems": {},
    }


def _base_chunks(bench: Benchmark, systems: Sequence[str]) -> list[BaseChunk]:
    """The baselines' windows of the corpus (also wanted by the ``pr`` diagnosis)."""
    if "dense" not in systems and "bm25" not in systems and bench.name not in ANSWER_SETS:
        return []
    docs = {key: p.read_text(encoding="utf-8", errors="replace") for key, p in bench.files.items()}
    return chunk_corpus(docs, CHUNK_SIZE, CHUNK_OVERLAP)


def _ranking(bench: Benchmark, q: Question, hits: list[Hit], k: int) -> list[Hit]:
    """The ranking judged: the first ``k`` hits, or the first ``k`` documents."""
    if bench.judge == "answer":
        return hits[:k]
    # BEIR drops a document whose id equals the query id (ignore_identical_ids)
    return doc_ranking(hits, k, exclude=q.id if bench.name == "scifact" else None)


def _judge_system(
    system: str,
    bench: Benchmark,
    answerable: Sequence[Question],
    by_q: Hits,
    k: int,
    per_question: dict[str, dict],
) -> dict:
    """One system's label and metrics over the answerable questions, overall and by split.

    Each question's metrics and judged ranking also go into ``per_question``.
    """
    rows, strict_rows = [], []
    splits: dict[str, list[dict]] = defaultdict(list)
    for q in answerable:
        ranking = _ranking(bench, q, by_q[q.id], k)
        m = judge(q, ranking, bench.judge, k)
        rows.append(m)
        entry: dict = {"metrics": m}
        if bench.judge == "answer":
            s = judge(q, ranking, bench.judge, k, strict=True)
            strict_rows.append(s)
            entry["strict_metrics"] = s
            splits[f"names_company={str(q.names_company).lower()}"].append(m)
            splits[f"kind={q.kind}"].append(m)
        entry["top"] = [[h.doc, round(h.score, 4)] for h in ranking]
        per_question[q.id]["system"][system] = entry
    return {
        "label": LABELS[system],
        "metrics": aggregate(rows),
        "strict_metrics": aggregate(strict_rows) if strict_rows else None,
        "splits": {key: aggregate(v) for key, v in sorted(splits.items())},
    }


def _first_hit(hit: Hit | None) -> dict | None:
    """The stored summary of a system's first hit (its text cut to 300 characters)."""
    if hit is None:
        return None
    return {
        "doc": hit.doc,
        "score": hit.score,
        "text": hit.text[:300],
        "confidence": hit.confidence,
        "answerable": hit.answerable,
    }


def _describe_questions(
    questions: Sequence[Question], hits: dict[str, Hits], per_question: dict[str, dict]
) -> None:
    """Add each question's labels and every system's first hit to its ``per_question`` entry."""
    for q in questions:
        entry = per_question[q.id]
        entry.update(
            id=q.id,
            question=q.text,
            answerable=q.answerable,
            answers=list(q.answers)[:5],
            relevant=q.relevant,
            names_company=q.names_company,
            kind=q.kind,
        )
        for system, by_q in hits.items():
            first = by_q[q.id][0] if by_q[q.id] else None
            entry["system"].setdefault(system, {})["first"] = _first_hit(first)


def _no_answer(questions: Sequence[Question], pr_hits: Hits, per_question: dict[str, dict]) -> dict:
    """The no-answer calibration of Pressroom's first hits (see ``no_answer_report``)."""
    correct = {
        q.id
        for q in questions
        if q.answerable and per_question[q.id]["system"]["pressroom"]["metrics"]["hit@1"] > 0
    }
    first_hits = {q.id: (pr_hits[q.id][0] if pr_hits[q.id] else None) for q in questions}
    return no_answer_report(first_hits, questions, correct)
