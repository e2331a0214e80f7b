"""Ranking and calibration metrics as small pure functions.

A ranking is given as per-rank relevance: ``rels[i]`` is the gain of the item at rank
``i + 1`` (``0`` or ``False`` when it is not relevant).

Example:
    >>> hit_at_k([0, 1, 0], 1), hit_at_k([0, 1, 0], 2)
    (0.0, 1.0)
    >>> reciprocal_rank([0, 0, 1])
    0.3333333333333333
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "best_threshold",
    "dcg",
    "first_hit_rank",
    "hit_at_k",
    "ndcg_at_k",
    "quantiles",
    "reciprocal_rank",
    "roc_auc",
]


def first_hit_rank(rels: Sequence[float], k: int | None = None) -> int | None:
    """1-based rank of the first relevant item within the top ``k`` (None when none is)."""
    for i, rel in enumerate(rels[:k] if k is not None else rels):
        if rel:
            return i + 1
    return None


def hit_at_k(rels: Sequence[float], k: int) -> float:
    """1.0 when a relevant item is in the top ``k``, else 0.0."""
    return 1.0 if first_hit_rank(rels, k) is not None else 0.0


def reciprocal_rank(rels: Sequence[float], k: int = 10) -> float:
    """1 / rank of the first relevant item in the top ``k`` (0.0 when there is none): MRR@k."""
    rank = first_hit_rank(rels, k)
    return 1.0 / rank if rank is not None else 0.0


def dcg(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the top ``k``: sum of ``gain / log2(rank + 1)``."""
    return sum(float(g) / math.log2(i + 2) for i, g in enumerate(gains[:k]))


def ndcg_at_k(gains: Sequence[float], k: int, ideal: Sequence[float]) -> float:
    """nDCG@k: DCG of the ranking over the DCG of the ideal ranking of ``ideal`` gains.

    ``ideal`` holds the gains of every relevant item in the collection (the qrels), in any
    order. With a single relevant item this is ``1 / log2(rank + 1)``.

    Example:
        >>> round(ndcg_at_k([0, 1], 10, [1]), 4)
        0.6309
    """
    best = dcg(sorted((float(g) for g in ideal), reverse=True), k)
    return dcg(gains, k) / best if best > 0 else 0.0


def roc_auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Chance that a random positive scores above a random negative (ties count half)."""
    if not positives or not negatives:
        return None
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positives) * len(negatives))


def best_threshold(
    positives: Sequence[float], negatives: Sequence[float]
) -> tuple[float, float, float] | None:
    """The cut ``t`` ("positive iff value >= t") with the best balanced accuracy.

    Candidates are the observed values (and +inf: everything negative). Ties in balanced
    accuracy go to the lower threshold.

    Returns:
        ``(t, true_positive_rate, false_positive_rate)``, or None when a side is empty.

    Example:
        >>> best_threshold([0.9, 0.8, 0.4], [0.5, 0.1])
        (0.8, 0.6666666666666666, 0.0)
    """
    if not positives or not negatives:
        return None
    best: tuple[float, float, float] | None = None
    best_score = -1.0
    for t in sorted({*positives, *negatives, math.inf}):
        tpr = sum(p >= t for p in positives) / len(positives)
        fpr = sum(n >= t for n in negatives) / len(negatives)
        score = (tpr + 1.0 - fpr) / 2.0
        if score > best_score:
            best, best_score = (t, tpr, fpr), score
    return best


def quantiles(values: Sequence[float], qs: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9)) -> list:
    """Linear-interpolated quantiles of ``values`` (empty list when there are none)."""
    if not values:
        return []
    xs = sorted(values)
    out = []
    for q in qs:
        pos = q * (len(xs) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(xs) - 1)
        out.append(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))
    return out
