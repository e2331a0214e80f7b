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
import dataclasses
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# Run as a script, this folder is sys.path[0]; import the helpers as ``benchmarks.*`` instead
# so that no helper module can shadow an installed package.
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path[0] = str(REPO)
elif str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.baselines import BaseChunk, BM25Baseline, DenseBaseline, chunk_corpus  # noqa: E402
from benchmarks.corpora import (  # noqa: E402
    DATASETS,
    Benchmark,
    DataMissingError,
    Question,
    load_benchmark,
    sample_questions,
)
from benchmarks.diagnose import pr_failures  # noqa: E402
from benchmarks.embedcache import CachedEncoder  # noqa: E402
from benchmarks.evaluate import (  # noqa: E402
    Hit,
    aggregate,
    doc_ranking,
    judge,
    no_answer_report,
)
from benchmarks.report import render_dataset  # noqa: E402

OUT = (HERE / "out").resolve()  # one identity for corpus files reached via a symlink
DEFAULT_DATA = REPO.parent / "shared" / "eval" / "data"
SYSTEMS = ("pressroom", "dense", "bm25")
LABELS = {
    "pressroom": "Pressroom retrieve",
    "dense": "dense MiniLM, 1000-char chunks (FAISS flat)",
    "bm25": "BM25 (bm25s), 1000-char chunks",
}
DEFAULT_LIMIT = {"squad": 1000}  # answerable + unanswerable questions each
PUBLISHED = {
    "scifact": [("BM25 (published, BEIR)", 0.665), ("all-MiniLM-L6-v2 (published)", 0.645)]
}
TARGET = {"scifact": 0.70}
ANSWERABLE_AT = 0.5  # qa.retrieve marks a passage answerable when confidence >= 0.5
CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200


def log(message: str) -> None:
    """Progress on stderr (the tables go to stdout)."""
    print(message, file=sys.stderr, flush=True)


def parse_settings(items: Sequence[str]):
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


def _latency(fn: Callable[[str], object], questions: Sequence[Question], n: int) -> list[float]:
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


def _latency_summary(ms: Sequence[float]) -> dict:
    if not ms:
        return {"n": 0}
    xs = sorted(ms)
    return {
        "n": len(xs),
        "mean_ms": statistics.fmean(xs),
        "p50_ms": xs[len(xs) // 2],
        "p95_ms": xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))],
    }


# -- systems ------------------------------------------------------------------------------------
def build_pressroom(bench: Benchmark, index_dir: Path, encoder: CachedEncoder) -> dict:
    """Bring the set's Pressroom index up to date (incremental) and time it."""
    from index import IndexFormatError, sync

    misses = encoder.misses
    last = [0.0]

    def progress(p) -> None:
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
    encoder,
    settings,
    k: int,
) -> dict[str, list[Hit]]:
    """Pressroom's passages for every question, as hits with document keys."""
    from qa import retrieve

    depth = k if bench.judge == "answer" else k * max(1, settings.rank.per_doc)
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
            )
            for p in passages
        ]
        if (i + 1) % 200 == 0:
            log(f"  pressroom: {i + 1}/{len(questions)} questions")
    return out


def run_baseline(
    search: Callable[[str, int], list[tuple[BaseChunk, float]]],
    bench: Benchmark,
    questions: Sequence[Question],
    k: int,
) -> dict[str, list[Hit]]:
    """A baseline's top chunks for every question (ten times deeper for document judging)."""
    depth = k if bench.judge == "answer" else 10 * k
    return {
        q.id: [Hit(c.doc, score, c.text) for c, score in search(q.text, depth)] for q in questions
    }


# -- one dataset ----------------------------------------------------------------------------
def _ranking(bench: Benchmark, q: Question, hits: list[Hit], k: int) -> list[Hit]:
    if bench.judge == "answer":
        return hits[:k]
    # BEIR drops a document whose id equals the query id (ignore_identical_ids)
    return doc_ranking(hits, k, exclude=q.id if bench.name == "scifact" else None)


def evaluate_dataset(name: str, args: argparse.Namespace, encoder: CachedEncoder, raw) -> dict:
    """Build, run and judge every system on one set; returns the JSON-ready results."""
    started = time.perf_counter()
    log(f"[{name}] writing the corpus under {OUT}")
    bench = load_benchmark(name, args.data, OUT, args.questions)
    limit = args.limit if args.limit is not None else DEFAULT_LIMIT.get(name)
    questions = sample_questions(bench.questions, limit, args.seed)
    answerable = [q for q in questions if q.answerable]
    settings = args.settings
    k = args.k
    results: dict = {
        "dataset": name,
        "k": k,
        "limit": limit,
        "seed": args.seed,
        "encoder": args.encoder,
        "settings": dataclasses.asdict(settings),
        "settings_changed": {
            key: v
            for key, v in dataclasses.asdict(settings).items()
            if v != dataclasses.asdict(type(settings)())[key]
        },
        "published": PUBLISHED.get(name, []),
        "target": TARGET.get(name),
        "answerable_at": ANSWERABLE_AT,
        "documents": len(bench.files),
        "questions": {
            "answerable": len(answerable),
            "unanswerable": len(questions) - len(answerable),
        },
        "systems": {},
    }
    hits: dict[str, dict[str, list[Hit]]] = {}
    timing: dict[str, dict] = {}
    index_dir = OUT / f"index_{name}-{args.encoder}"
    base_chunks: list[BaseChunk] = []
    if "dense" in args.systems or "bm25" in args.systems or name == "pr":
        docs = {
            key: p.read_text(encoding="utf-8", errors="replace") for key, p in bench.files.items()
        }
        base_chunks = chunk_corpus(docs, CHUNK_SIZE, CHUNK_OVERLAP)

    for system in args.systems:
        log(f"[{name}] {system}: building")
        if system == "pressroom":
            build = build_pressroom(bench, index_dir, encoder)
            t0 = time.perf_counter()
            hits[system] = run_pressroom(bench, questions, index_dir, encoder, settings, k)
            wall = time.perf_counter() - t0
            from qa import retrieve

            depth = k if bench.judge == "answer" else k * max(1, settings.rank.per_doc)
            lat = _latency(
                lambda t, d=depth: retrieve(
                    t, k=d, index_dir=index_dir, encoder=raw, settings=settings
                ),
                questions,
                args.latency_queries,
            )
        else:
            misses = encoder.misses
            if system == "dense":
                engine = DenseBaseline(base_chunks, encoder)
                search = engine.search
                timed = lambda t, n=k, e=engine: e.search(t, n, encoder=raw)  # noqa: E731
            else:
                engine = BM25Baseline(base_chunks)
                search = engine.search
                timed = lambda t, n=k, e=engine: e.search(t, n)  # noqa: E731
            build = {
                "seconds": engine.build_seconds,
                "chunks": len(base_chunks),
                "model_calls": encoder.misses - misses,
            }
            log(f"[{name}] {system}: searching")
            t0 = time.perf_counter()
            hits[system] = run_baseline(search, bench, questions, k)
            wall = time.perf_counter() - t0
            lat = _latency(timed, questions, args.latency_queries)
        timing[system] = {
            "load_average": os.getloadavg()[0],
            "build": build,
            "eval_seconds": wall,
            "latency": _latency_summary(lat),
        }

    per_question: dict[str, dict] = {q.id: {"system": {}} for q in questions}
    for system, by_q in hits.items():
        rows, strict_rows = [], []
        splits: dict[str, list[dict]] = defaultdict(list)
        for q in answerable:
            ranking = _ranking(bench, q, by_q[q.id], k)
            m = judge(q, ranking, bench.judge, k)
            rows.append(m)
            entry = {"metrics": m}
            if bench.judge == "answer":
                s = judge(q, ranking, bench.judge, k, strict=True)
                strict_rows.append(s)
                entry["strict_metrics"] = s
                splits[f"names_company={str(q.names_company).lower()}"].append(m)
                splits[f"kind={q.kind}"].append(m)
            entry["top"] = [[h.doc, round(h.score, 4)] for h in ranking]
            per_question[q.id]["system"][system] = entry
        results["systems"][system] = {
            "label": LABELS[system],
            "metrics": aggregate(rows),
            "strict_metrics": aggregate(strict_rows) if strict_rows else None,
            "splits": {key: aggregate(v) for key, v in sorted(splits.items())},
            "timing": timing[system],
        }
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
            slot = entry["system"].setdefault(system, {})
            slot["first"] = None
            if first is not None:
                slot["first"] = {
                    "doc": first.doc,
                    "score": first.score,
                    "text": first.text[:300],
                    "confidence": first.confidence,
                    "answerable": first.answerable,
                }

    if "pressroom" in hits and len(answerable) < len(questions):
        pr_hits = hits["pressroom"]
        correct = {
            q.id
            for q in answerable
            if per_question[q.id]["system"]["pressroom"]["metrics"]["hit@1"] > 0
        }
        first_hits = {q.id: (pr_hits[q.id][0] if pr_hits[q.id] else None) for q in questions}
        results["no_answer"] = no_answer_report(first_hits, questions, correct)

    if name == "pr" and "pressroom" in hits:
        results["failures"] = pr_failures(bench, answerable, hits, index_dir, base_chunks, k)
    results["per_question"] = list(per_question.values())
    results["seconds"] = time.perf_counter() - started
    return results


# -- command line -----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="benchmarks/quality.py",
        description=__doc__.split("\n\n")[0],
        epilog="example: .venv/bin/python benchmarks/quality.py --dataset pr "
        "--set dense_weight=0.5",
    )
    parser.add_argument("--dataset", choices=[*DATASETS, "all"], default="pr")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
        stamp = time.strftime("%Y%m%d-%H%M%S")
        body = json.dumps(res, indent=1, ensure_ascii=False, default=str)
        path = OUT / f"quality_{name}_{stamp}.json"
        path.write_text(body, encoding="utf-8")
        (OUT / f"quality_{name}_latest.json").write_text(body, encoding="utf-8")
        print(f"\n{name}: {res['seconds']:.0f} s in all; results in {path.relative_to(REPO)}")
        log(f"[{name}] embedding cache: {encoder.hits} hits, {encoder.misses} computed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
