"""Which releases of a list question's pool are members: a small learned combiner and a cut.

Every release of the pool (:func:`qa.list_releases` gathers it) is described by its
:class:`Evidence`: how well the first stage matched it, the answer model's calibrated
probability that its best sentence (headline and lead among those read) answers, the
cosine of its headline and lead to the question's predicate (:mod:`qa.list_predicate`),
how many of the predicate's head terms its headline and lead hold, and how much its
headline resembles the pool's best first-stage hits. :func:`features` turns a pool into
one row per release: the absolute values and each value relative to the pool (its
distance below the pool's best and its z-score), so that a decision reads "this release
is one of those the question is about" rather than one fixed threshold.
:class:`Combiner` is a logistic regression over those features whose weights
(``list_member.json`` beside this module, made by ``benchmarks/list_member_train.py``)
give each release a membership probability; :func:`cut` keeps the releases whose
probability reaches ``at`` and is at least ``share`` of the pool's best (an adaptive cut).

Example:
    >>> cut([0.9, 0.2, 0.6, 0.5], at=0.4, share=0.6)
    [0, 2]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["WEIGHTS", "Combiner", "Evidence", "FEATURES", "cut", "features"]

WEIGHTS = Path(__file__).resolve().parent / "list_member.json"

# the absolute features, in order (each is then also given relative to its pool)
_BASE = (
    "fused",  # the release's best chunk's first-stage (fused dense + BM25) score
    "answer",  # answer model: calibrated probability of its best sentence read
    "lead_answer",  # the same, over the headline and the lead only
    "title_cos",  # cosine of the headline's vector to the predicate's
    "lead_cos",  # the nearest of the lead's sentences to the predicate
    "best_cos",  # the nearest of all its news sentences to the predicate
    "kw_title",  # IDF-weighted share of the predicate's head terms in the headline
    "kw_lead",  # ... in the headline and lead
    "kw_all",  # ... anywhere in its news text
    "like_best",  # mean cosine of its headline to the pool's best first-stage headlines'
)
FEATURES = (*_BASE, *(f"{n}-best" for n in _BASE), *(f"{n}-z" for n in _BASE))


@dataclass(frozen=True)
class Evidence:
    """What is measured of one pool release (each named as in ``FEATURES``)."""

    fused: float
    answer: float
    lead_answer: float
    title_cos: float
    lead_cos: float
    best_cos: float
    kw_title: float
    kw_lead: float
    kw_all: float
    like_best: float = 0.0


def features(pool: Sequence[Evidence]) -> np.ndarray:
    """One row per release of ``pool``, the columns of ``FEATURES``.

    >>> e = Evidence(1.0, 0.9, 0.9, 0.5, 0.5, 0.6, 1.0, 1.0, 1.0, 0.4)
    >>> features([e, Evidence(0.5, 0.1, 0.1, 0.2, 0.2, 0.3, 0.0, 0.0, 0.5, 0.2)]).shape
    (2, 30)
    """
    if not pool:
        return np.zeros((0, len(FEATURES)))
    x = np.array([[getattr(e, n) for n in _BASE] for e in pool], dtype=np.float64)
    below = x - x.max(axis=0)
    z = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
    return np.hstack([x, below, z])


@dataclass(frozen=True)
class Combiner:
    """A logistic regression over standardised ``FEATURES``: ``probability(rows)``.

    Attributes:
        names: the feature names it was trained on (checked against ``FEATURES``).
        mean: each feature's mean over the training rows.
        scale: each feature's standard deviation there.
        weights: one per feature, on the standardised values.
        bias: the intercept.
        at: the membership probability a release needs (the cut's floor).
        share: and the share of the pool's best probability it needs.
        card: how it was made (script, data, seed, cross-validated figures).
    """

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    at: float
    share: float
    card: dict

    @classmethod
    def read(cls, path: Path = WEIGHTS) -> Combiner:
        """The combiner of ``path``.

        Raises:
            ValueError: its features are not this module's ``FEATURES``.
        """
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        names = tuple(data["names"])
        if names != FEATURES:
            raise ValueError(f"{path}: trained on other features; rerun list_member_train.py")
        return cls(
            names=names,
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            weights=tuple(data["weights"]),
            bias=float(data["bias"]),
            at=float(data["at"]),
            share=float(data["share"]),
            card=data.get("card", {}),
        )

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """Each row's membership probability."""
        if len(rows) == 0:
            return np.zeros(0)
        z = (rows - np.array(self.mean)) / np.array(self.scale)
        logit = np.clip(z @ np.array(self.weights) + self.bias, -50.0, 50.0)
        return 1.0 / (1.0 + np.exp(-logit))


def cut(probabilities: Sequence[float], at: float, share: float) -> list[int]:
    """Positions of the members, most probable first: probability at least ``at`` and at
    least ``share`` of the best one's."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.size == 0:
        return []
    top = float(p.max())
    keep = [i for i in np.argsort(-p, kind="stable") if p[i] >= at and p[i] >= share * top]
    return [int(i) for i in keep]


_COMBINERS: dict[Path, Combiner] = {}


def load_combiner(path: Path = WEIGHTS) -> Combiner:
    """The process-wide combiner of ``path`` (read once)."""
    path = Path(path)
    if path not in _COMBINERS:
        _COMBINERS[path] = Combiner.read(path)
    return _COMBINERS[path]
