"""Judging rankings against labels, and the no-answer (calibration) analysis.

Every system's answer to a question is a ranked list of :class:`Hit`. Two judges:

* ``answer`` (``pr``): a hit is relevant when its text holds one of the question's answer
  strings; the stricter ``doc`` variant also wants it to come from the labelled release.
  The ranking is judged as returned (Pressroom: one passage per release by default;
  baselines: plain top chunks). nDCG counts the first relevant hit only, as if exactly
  one item were relevant, so overlapping chunks cannot push it above 1.
* ``doc`` (``scifact``, ``squad``): hits are reduced to documents by first occurrence
  (a document scores as its best chunk) and graded by the qrels; nDCG uses the qrels
  as the ideal ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from benchmarks.corpora import Question
from benchmarks.metrics import (
    best_threshold,
    first_hit_rank,
    hit_at_k,
    ndcg_at_k,
    quantiles,
    reciprocal_rank,
    roc_auc,
)

__all__ = [
    "Hit",
    "answer_report",
    "aggregate",
    "contains_answer",
    "doc_ranking",
    "judge",
    "metric_names",
    "no_answer_report",
    "relevance",
]


@dataclass(frozen=True)
class Hit:
    """One ranked result of any system.

    Attributes:
        doc: the document key of the result (None when it maps to no known file).
        score: the system's score.
        text: the passage or chunk text.
        confidence: Pressroom only: the passage's confidence.
        answerable: Pressroom only: the passage's ``answerable`` flag.
        kind: Pressroom only: the passage's section kind (body, header, about, ...).
        start: offset of the passage in its document.
        answer: Pressroom only: the passage's answer sentence.
    """

    doc: str | None
    score: float
    text: str
    confidence: float | None = None
    answerable: bool | None = None
    kind: str | None = None
    start: int = 0
    answer: str | None = None


def metric_names(k: int) -> list[str]:
    """The metric columns for a cut-off ``k``."""
    return ["hit@1", "hit@5", f"mrr@{k}", f"ndcg@{k}"]


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """True when ``text`` holds any of the accepted answer strings verbatim."""
    return any(a and a in text for a in answers)


def doc_ranking(hits: Sequence[Hit], k: int, exclude: str | None = None) -> list[Hit]:
    """The first hit of each document, best first, at most ``k`` (optionally minus one id)."""
    seen: set[str | None] = set()
    out = []
    for hit in hits:
        if hit.doc in seen or (exclude is not None and hit.doc == exclude):
            continue
        seen.add(hit.doc)
        out.append(hit)
        if len(out) == k:
            break
    return out


def relevance(
    question: Question, hits: Sequence[Hit], judge_name: str, strict: bool = False
) -> list[float]:
    """Per-rank gains of ``hits`` for ``question`` under a judge (see the module docstring)."""
    if judge_name == "answer":
        return [
            1.0
            if contains_answer(h.text, question.answers)
            and (not strict or h.doc in question.relevant)
            else 0.0
            for h in hits
        ]
    return [float(question.relevant.get(h.doc, 0)) if h.doc is not None else 0.0 for h in hits]


def judge(
    question: Question, hits: Sequence[Hit], judge_name: str, k: int, strict: bool = False
) -> dict[str, float]:
    """hit@1, hit@5, MRR@k and nDCG@k of one ranking (already cut/deduplicated as wanted)."""
    gains = relevance(question, hits, judge_name, strict)
    if judge_name == "answer":
        first = first_hit_rank(gains, k)
        ndcg_gains = [1.0 if first == i + 1 else 0.0 for i in range(len(gains))]
        ideal: list[float] = [1.0]
    else:
        ndcg_gains = gains
        ideal = [float(g) for g in question.relevant.values()]
    names = metric_names(k)
    return {
        names[0]: hit_at_k(gains, 1),
        names[1]: hit_at_k(gains, 5),
        names[2]: reciprocal_rank(gains, k),
        names[3]: ndcg_at_k(ndcg_gains, k, ideal),
    }


def answer_report(answerable: Sequence[Question], hits: dict[str, list[Hit]]) -> dict:
    """Pressroom's answer sentence: the share of answerable questions whose first hit holds an
    answer (hit@1) and whose first hit's answer sentence holds one (answer@1), overall and
    per question kind.

    >>> q = Question("q", "How many?", {"d": 1}, ("36",), kind="number")
    >>> answer_report([q], {"q": [Hit("d", 1.0, "It has 36. More.", answer="More.")]})["all"]
    {'n': 1, 'hit@1': 1.0, 'answer@1': 0.0}
    """
    groups: dict[str, list[tuple[bool, bool]]] = {"all": []}
    for q in answerable:
        first = (hits.get(q.id) or [None])[0]
        row = (
            first is not None and contains_answer(first.text, q.answers),
            first is not None and contains_answer(first.answer or "", q.answers),
        )
        groups["all"].append(row)
        groups.setdefault(q.kind or "?", []).append(row)
    return {
        name: {
            "n": len(rows),
            "hit@1": sum(r[0] for r in rows) / len(rows),
            "answer@1": sum(r[1] for r in rows) / len(rows),
        }
        for name, rows in groups.items()
        if rows
    }


def aggregate(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Mean of each metric over questions, plus ``n``."""
    if not rows:
        return {"n": 0}
    out: dict[str, float] = {"n": len(rows)}
    for name in rows[0]:
        out[name] = sum(r[name] for r in rows) / len(rows)
    return out


def _signal_row(name: str, pos: Sequence[float], neg: Sequence[float]) -> dict:
    """AUC and the best-balanced-accuracy cut of one signal between two groups."""
    cut = best_threshold(pos, neg)
    return {
        "signal": name,
        "n_pos": len(pos),
        "n_neg": len(neg),
        "auc": roc_auc(pos, neg),
        "best_threshold": None if cut is None else cut[0],
        "tpr": None if cut is None else cut[1],
        "fpr": None if cut is None else cut[2],
    }


class _FirstHits:
    """The three first-hit signals of a question (a question with no hit: see each)."""

    def __init__(self, first_hits: dict[str, Hit | None]) -> None:
        self._hits = first_hits

    def confidence(self, q: Question) -> float:
        """The first hit's confidence; 0.0 without a hit or a confidence."""
        hit = self._hits.get(q.id)
        return hit.confidence if hit is not None and hit.confidence is not None else 0.0

    def score(self, q: Question) -> float | None:
        """The first hit's score; None without a hit."""
        hit = self._hits.get(q.id)
        return hit.score if hit is not None else None

    def flagged(self, q: Question) -> bool:
        """True when the first hit says no answer (or nothing came back)."""
        hit = self._hits.get(q.id)
        return hit is None or not hit.answerable


def _values(
    signal: Callable[[Question], float | None], questions: Sequence[Question]
) -> list[float]:
    """``signal`` of each question, leaving out the questions it has no value for."""
    return [v for q in questions if (v := signal(q)) is not None]


def _group_row(name: str, qs: Sequence[Question], first: _FirstHits) -> dict:
    """Share flagged no-answer and the confidence and score quantiles of one group."""
    confs = _values(first.confidence, qs)
    return {
        "group": name,
        "n": len(qs),
        "flagged_no_answer": sum(first.flagged(q) for q in qs) / len(qs) if qs else None,
        "confidence_quantiles": quantiles(confs),
        "confidence_mean": sum(confs) / len(confs) if confs else None,
        "score_quantiles": quantiles(_values(first.score, qs)),
    }


def no_answer_report(
    first_hits: dict[str, Hit | None], questions: Sequence[Question], correct_first: set[str]
) -> dict:
    """How well the first hit's ``answerable``/``confidence``/``score`` tell answerable apart.

    Args:
        first_hits: question id -> Pressroom's first hit (None when nothing came back).
        questions: the questions asked (answerable and unanswerable).
        correct_first: ids of answerable questions whose first hit is relevant.

    Returns:
        ``groups``: per question group, the share flagged no-answer (first hit
        ``answerable=False``) and quantiles of confidence and score; ``signals``: AUC and the
        best-balanced-accuracy threshold of confidence and score, both for "answerable vs
        unanswerable question" and for "correct first hit vs anything else".
    """
    answerable = [q for q in questions if q.answerable]
    groups = {
        "unanswerable": [q for q in questions if not q.answerable],
        "answerable": answerable,
        "answerable, first hit right": [q for q in answerable if q.id in correct_first],
        "answerable, first hit wrong": [q for q in answerable if q.id not in correct_first],
    }
    first = _FirstHits(first_hits)
    contrasts = [
        ("answerable vs unanswerable", groups["answerable"], groups["unanswerable"]),
        (
            "right first hit vs rest",
            groups["answerable, first hit right"],
            groups["unanswerable"] + groups["answerable, first hit wrong"],
        ),
    ]
    signals = [
        _signal_row(f"{label}: {contrast}", _values(signal, pos), _values(signal, neg))
        for contrast, pos, neg in contrasts
        for label, signal in (("confidence", first.confidence), ("score", first.score))
    ]
    return {
        "groups": [_group_row(name, qs, first) for name, qs in groups.items()],
        "signals": signals,
    }
