"""Why Pressroom's first passage misses on the ``pr`` set: a per-question diagnosis.

Each answerable question whose first passage lacks the answer is put in one of four
causes: the answer is further down the list (ranking), the labelled release is returned
but with another of its passages (passage choice), the answer is cut by the chunking,
or the labelled release is not returned at all (retrieval).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.baselines import BaseChunk
from benchmarks.corpora import Benchmark, Question
from benchmarks.evaluate import Hit, contains_answer
from index import ChunkRow
from ingest.types import BOILERPLATE_KINDS

__all__ = ["pr_failures"]


def pr_failures(
    bench: Benchmark,
    answerable: Sequence[Question],
    hits: dict[str, dict[str, list[Hit]]],
    index_dir: Path,
    base_chunks: Sequence[BaseChunk],
    k: int,
) -> dict:
    """Why Pressroom's first passage misses: ranking, passage choice, chunking or retrieval.

    Args:
        bench: the ``pr`` set.
        answerable: the answerable questions asked.
        hits: system -> question id -> ranked hits (``pressroom``; ``dense``/``bm25`` when run).
        index_dir: Pressroom's index of the set, for the chunks of each release.
        base_chunks: the baselines' fixed windows of the corpus.
        k: the ranking depth judged.

    Returns:
        ``answer_in_some_chunk``: the share of questions whose answer lies inside one
        Pressroom chunk / one 1000-character window of the labelled release; ``causes`` and
        ``traits``: counts over the misses; ``cases``: one record per miss.
    """
    pressroom_chunks = _chunks_by_release(bench, index_dir)
    windows: dict[str, list[str]] = defaultdict(list)
    for c in base_chunks:
        windows[c.doc].append(c.text)
    covered = {"pressroom": 0, "baseline": 0}
    cases = []
    for q in answerable:
        doc = next(iter(q.relevant))
        holding = [r for r in pressroom_chunks(doc) if contains_answer(r.text, q.answers)]
        covered["pressroom"] += bool(holding)
        covered["baseline"] += any(contains_answer(t, q.answers) for t in windows.get(doc, []))
        case = _miss(q, doc, holding, hits, k)
        if case is not None:
            cases.append(case)
    return {
        "answer_in_some_chunk": {
            "pressroom": covered["pressroom"] / max(1, len(answerable)),
            "baseline_1000": covered["baseline"] / max(1, len(answerable)),
        },
        "causes": _causes(cases),
        "traits": _traits(cases),
        "cases": cases,
    }


def _chunks_by_release(bench: Benchmark, index_dir: Path) -> Callable[[str], list[ChunkRow]]:
    """A lookup: document key -> the release's Pressroom chunks in text order."""
    from index import open_reader

    reader = open_reader(index_dir)
    doc_ids = {bench.doc_key(d.path): d.doc_id for d in reader.documents()}

    def chunks(doc: str) -> list[ChunkRow]:
        """The chunks of release ``doc`` (none when the index does not hold it)."""
        doc_id = doc_ids.get(doc)
        if doc_id is None:
            return []
        rows = reader.chunks(reader.chunks_of([doc_id]))
        return sorted(rows.values(), key=lambda row: row.start)

    return chunks


def _cause(
    answer_rank: int | None, doc_rank: int | None, in_chunks: bool, k: int
) -> tuple[str, str]:
    """The cause of a miss at rank 1 and its explanation for this question."""
    if answer_rank is not None:
        return "ranking (answer in top k, not first)", f"answer at rank {answer_rank}"
    if doc_rank is not None:
        return (
            "passage choice (right release, wrong passage)",
            f"right release at rank {doc_rank}, its passage lacks the answer",
        )
    if not in_chunks:
        return "chunking", "answer split across Pressroom chunks"
    return "retrieval (right release not in top k)", f"right release not in top {k}"


def _miss(
    q: Question,
    doc: str,
    holding: Sequence[ChunkRow],
    hits: dict[str, dict[str, list[Hit]]],
    k: int,
) -> dict | None:
    """The record of Pressroom's miss at rank 1 on ``q`` (None when its first hit is right).

    ``holding`` are the chunks of the labelled release ``doc`` that hold an answer.
    """
    ranked = hits["pressroom"][q.id][:k]
    rels = [contains_answer(h.text, q.answers) for h in ranked]
    if rels and rels[0]:
        return None
    doc_rank = next((i + 1 for i, h in enumerate(ranked) if h.doc == doc), None)
    answer_rank = next((i + 1 for i, r in enumerate(rels) if r), None)
    cause, why = _cause(answer_rank, doc_rank, bool(holding), k)
    first = ranked[0] if ranked else None
    baseline_at1 = {}
    for system in ("dense", "bm25"):
        if system in hits:
            top = hits[system][q.id][:1]
            baseline_at1[system] = bool(top and contains_answer(top[0].text, q.answers))
    return {
        "id": q.id,
        "question": q.text,
        "answer": q.answers[0],
        "doc": doc,
        "kind": q.kind,
        "names_company": q.names_company,
        "cause": cause,
        "why": why,
        "answer_rank": answer_rank,
        "doc_rank": doc_rank,
        "first_doc": first.doc if first else None,
        "first_text": first.text[:300] if first else "",
        "first_confidence": first.confidence if first else None,
        "first_kind": first.kind if first else None,
        "first_is_opening": bool(first and first.start == 0),
        "answer_chunk_kinds": sorted({r.kind for r in holding}),
        "baselines_at1": baseline_at1,
    }


def _causes(cases: Sequence[dict]) -> dict[str, int]:
    """Misses per cause, most frequent first."""
    counts: dict[str, int] = defaultdict(int)
    for c in cases:
        counts[c["cause"]] += 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _traits(cases: Sequence[dict]) -> dict[str, int]:
    """How many misses show each of three telling traits."""
    return {
        "first hit is its release's opening passage (headline/dateline)": sum(
            c["first_is_opening"] for c in cases
        ),
        "the answer is only in boilerplate passages (about, contacts, ...)": sum(
            bool(c["answer_chunk_kinds"])
            and all(kind in BOILERPLATE_KINDS for kind in c["answer_chunk_kinds"])
            for c in cases
        ),
        "a baseline got it right at rank 1": sum(any(c["baselines_at1"].values()) for c in cases),
    }
