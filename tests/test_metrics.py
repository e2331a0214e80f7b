"""The benchmark metrics on hand-made rankings (values worked out by hand)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.baselines import fixed_windows  # noqa: E402
from benchmarks.metrics import (  # noqa: E402
    best_threshold,
    first_hit_rank,
    hit_at_k,
    ndcg_at_k,
    quantiles,
    reciprocal_rank,
    roc_auc,
)


def test_hit_at_k() -> None:
    rels = [0, 0, 1, 0, 1]
    assert hit_at_k(rels, 1) == 0.0
    assert hit_at_k(rels, 2) == 0.0
    assert hit_at_k(rels, 3) == 1.0
    assert hit_at_k([True], 1) == 1.0
    assert hit_at_k([], 5) == 0.0


def test_first_hit_rank_and_mrr() -> None:
    assert first_hit_rank([0, 0, 1, 1]) == 3
    assert first_hit_rank([0, 0, 1], k=2) is None
    assert reciprocal_rank([1, 1]) == 1.0
    assert reciprocal_rank([0, 0, 0, 1]) == 0.25
    assert reciprocal_rank([0] * 10 + [1], k=10) == 0.0  # rank 11 is outside MRR@10
    assert reciprocal_rank([0] * 9 + [1], k=10) == 0.1


def test_ndcg_single_relevant() -> None:
    assert ndcg_at_k([1, 0, 0], 10, [1]) == 1.0
    assert ndcg_at_k([0, 0, 1], 10, [1]) == pytest.approx(0.5)  # 1 / log2(4)
    assert ndcg_at_k([0, 0, 1], 2, [1]) == 0.0
    assert ndcg_at_k([0, 0], 10, []) == 0.0


def test_ndcg_several_relevant() -> None:
    # two relevant docs, found at ranks 1 and 3: (1 + 1/2) / (1 + 1/log2(3))
    expected = 1.5 / (1 + 1 / math.log2(3))
    assert ndcg_at_k([1, 0, 1], 10, [1, 1]) == pytest.approx(expected)
    # a relevant doc left out of the ranking still counts in the ideal DCG
    assert ndcg_at_k([1, 0, 0], 10, [1, 1]) == pytest.approx(1 / (1 + 1 / math.log2(3)))
    # graded gains: the ideal puts the grade-2 item first
    assert ndcg_at_k([1, 2], 10, [2, 1]) == pytest.approx(
        (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    )


def test_roc_auc_and_threshold() -> None:
    assert roc_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert roc_auc([0.1], [0.9]) == 0.0
    assert roc_auc([0.5], [0.5]) == 0.5
    assert roc_auc([], [0.1]) is None
    assert best_threshold([0.9, 0.8, 0.4], [0.5, 0.1]) == (0.8, pytest.approx(2 / 3), 0.0)
    assert best_threshold([0.9, 0.7], [0.2, 0.3]) == (0.7, 1.0, 0.0)
    t, tpr, fpr = best_threshold([0.1], [0.9])
    assert (tpr, fpr) in {(1.0, 1.0), (0.0, 0.0)}


def test_quantiles() -> None:
    assert quantiles([3, 1, 2], (0.0, 0.5, 1.0)) == [1, 2, 3]
    assert quantiles([0, 10], (0.25,)) == [2.5]
    assert quantiles([]) == []


def test_fixed_windows() -> None:
    assert fixed_windows(2000) == [(0, 1000), (800, 1800), (1600, 2000)]
    assert fixed_windows(1000) == [(0, 1000)]
    assert fixed_windows(0) == []
    windows = fixed_windows(5321, 1000, 200)
    assert windows[-1][1] == 5321
    assert all(b[0] == a[1] - 200 for a, b in zip(windows, windows[1:], strict=False))
