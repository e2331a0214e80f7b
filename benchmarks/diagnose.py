"""Why Pressroom's first passage misses on the ``pr`` set: a per-question diagnosis.

Each answerable question whose first passage lacks the answer is put in one of four
causes: the answer is further down the list (ranking), the labelled release is returned
but with another of its passages (passage choice), the answer is cut by the chunking,
or the labelled release is not returned at all (retrieval).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from benchmarks.baselines import BaseChunk
from benchmarks.corpora import Benchmark, Question
from benchmarks.evaluate import Hit, contains_answer
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
    """Why Pressroom's first passage misses: ranking, passage choice, chunking or retrieval."""
    from index import open_reader

    reader = open_reader(index_dir)
    index_path = {bench.doc_key(d.path): d.path for d in reader.documents()}
    windows: dict[str, list[str]] = defaultdict(list)
    for c in base_chunks:
        windows[c.doc].append(c.text)

    def pressroom_chunks(doc: str) -> list:
        path = index_path.get(doc)
        if path is None:
            return []
        ids = reader.allowed_chunks("d.path = ?", [path])
        return sorted(reader.chunks(ids).values(), key=lambda row: row.start)

    covered = {"pressroom": 0, "baseline": 0}
    cases = []
    for q in answerable:
        doc = next(iter(q.relevant))
        holding = [r for r in pressroom_chunks(doc) if contains_answer(r.text, q.answers)]
        in_chunks = bool(holding)
        covered["pressroom"] += in_chunks
        covered["baseline"] += any(contains_answer(t, q.answers) for t in windows.get(doc, []))
        ranked = hits["pressroom"][q.id][:k]
        rels = [contains_answer(h.text, q.answers) for h in ranked]
        if rels and rels[0]:
            continue
        doc_rank = next((i + 1 for i, h in enumerate(ranked) if h.doc == doc), None)
        answer_rank = next((i + 1 for i, r in enumerate(rels) if r), None)
        if answer_rank is not None:
            why = f"answer at rank {answer_rank}"
            cause = "ranking (answer in top k, not first)"
        elif doc_rank is not None:
            why = f"right release at rank {doc_rank}, its passage lacks the answer"
            cause = "passage choice (right release, wrong passage)"
        elif not in_chunks:
            why = "answer split across Pressroom chunks"
            cause = "chunking"
        else:
            why = f"right release not in top {k}"
            cause = "retrieval (right release not in top k)"
        first = ranked[0] if ranked else None
        baseline_at1 = {}
        for system in ("dense", "bm25"):
            if system in hits:
                top = hits[system][q.id][:1]
                baseline_at1[system] = bool(top and contains_answer(top[0].text, q.answers))
        cases.append(
            {
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
        )
    causes: dict[str, int] = defaultdict(int)
    for c in cases:
        causes[c["cause"]] += 1
    causes = dict(sorted(causes.items(), key=lambda kv: -kv[1]))
    traits = {
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
    return {
        "answer_in_some_chunk": {
            "pressroom": covered["pressroom"] / max(1, len(answerable)),
            "baseline_1000": covered["baseline"] / max(1, len(answerable)),
        },
        "causes": causes,
        "traits": traits,
        "cases": cases,
    }
