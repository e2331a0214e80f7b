"""The ranking stages, each a small pure function over what the index returned.

``search.rank`` runs them in order:

1. candidates: dense and keyword hits (I/O, in ``search``);
2. :class:`Fusion`: a convex combination of min-max-normalised cosine and BM25;
3. expansion: every chunk of the best releases joins (I/O, in ``search``);
4. :func:`score_chunks`: each chunk re-scored with its best answer sentence, penalties for
   boilerplate (a boost for the boilerplate the question asks for by name) and text
   repeated across releases, and each release's candidate sentences gathered for
   choosing its passage;
5. :func:`diversify`: at most ``per_doc`` passages per release, later ones ranked lower,
   and one release of each release group (its wire copies are the passage's ``copies``);
6. :func:`place_passages`: each kept release's passage window (see :mod:`qa.windows`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from index import ChunkRow
from ingest.analysis import stems
from ingest.types import BOILERPLATE_KINDS

from .answer import AnswerScorer, answer_candidates
from .query import Query
from .settings import RankSettings
from .windows import choose_passage, window

__all__ = [
    "Fusion",
    "Ranked",
    "diversify",
    "place_passages",
    "score_chunks",
    "sentence_scores",
    "topic_weights",
]

Span = tuple[int, int]
SentenceData = Mapping[int, tuple[list[Span], np.ndarray]]
# per release: candidate sentence -> (score for choosing the passage, chunk id)
Choices = dict[int, dict[Span, tuple[float, int]]]


@dataclass(frozen=True)
class Ranked:
    """A ranked chunk: its score, best answer sentence and (once placed) its passage."""

    row: ChunkRow
    score: float
    answer: Span  # span in the release's stored text
    answer_score: float
    passage: Span = (0, 0)  # the span returned: sentences around the answer
    confidence: float | None = None  # the answer model's, when it read the answer sentence


@dataclass(frozen=True)
class Fusion:
    """Min-max bounds of one query's dense and keyword scores, and the dense weight.

    >>> fuse = Fusion.of({1: 0.2, 2: 0.6}, {1: 5.0}, [1, 2], 0.3)
    >>> round(fuse(1), 3), round(fuse(2), 3)
    (0.7, 0.3)
    """

    dense: Mapping[int, float]
    keyword: Mapping[int, float]
    lo: float
    hi: float
    kmin: float
    kmax: float
    weight: float

    @classmethod
    def of(
        cls,
        dense: Mapping[int, float],
        keyword: Mapping[int, float],
        ids: Sequence[int],
        weight: float,
    ) -> Fusion:
        """Bounds over the candidates ``ids`` (every one has a dense score)."""
        kmax = max(keyword.values(), default=0.0)
        kmin = min(keyword.values(), default=0.0) if len(keyword) == len(ids) else 0.0
        return cls(dense, keyword, min(dense.values()), max(dense.values()), kmin, kmax, weight)

    def __call__(self, chunk_id: int) -> float:
        lo, hi = self.lo, self.hi
        d = (self.dense[chunk_id] - lo) / (hi - lo) if hi > lo else 1.0
        kw = self.keyword.get(chunk_id, 0.0)
        k = (kw - self.kmin) / (self.kmax - self.kmin) if self.kmax > self.kmin else 0.0
        return self.weight * min(max(d, 0.0), 1.0) + (1 - self.weight) * k


def topic_weights(
    weights: Mapping[str, float], title: str | None, topic_weight: float
) -> Mapping[str, float]:
    """``weights`` with the headline's words scaled by ``topic_weight``.

    Words of the headline name the release's topic: every passage of it is about them,
    so they say little about which passage answers.

    >>> topic_weights({"trial": 2.0, "dose": 1.0}, "Trial Starts", 0.5)
    {'trial': 1.0, 'dose': 1.0}
    """
    if not title or topic_weight == 1.0:
        return weights
    topic = stems(title)
    return {t: w * (topic_weight if t in topic else 1.0) for t, w in weights.items()}


def sentence_scores(
    scorer: AnswerScorer,
    row: ChunkRow,
    spans: list[Span],
    vectors: np.ndarray,
    qvec: np.ndarray,
    weights: Mapping[str, float] | None = None,
) -> list[tuple[Span, float]]:
    """The chunk's candidate answer sentences (release offsets) with their scores."""
    local = [(s - row.start, e - row.start) for s, e in spans]
    keep = answer_candidates(row.text, local, row.title)
    if not keep:
        return []
    texts = [row.text[local[i][0] : local[i][1]] for i in keep]
    scores = scorer.scores(texts, vectors[keep] @ qvec, weights=weights)
    return [(spans[i], s) for i, s in zip(keep, scores, strict=True)]


def score_chunks(
    ids: Sequence[int],
    rows: Mapping[int, ChunkRow],
    sentences: SentenceData,
    fused: Mapping[int, float],
    query: Query,
    qvec: np.ndarray,
    scorer: AnswerScorer,
    settings: RankSettings,
) -> tuple[list[Ranked], Choices]:
    """Every chunk of ``ids`` scored by its fused score and best sentence, best first,
    and per release the candidate sentences for choosing its passage."""
    doc_weights: dict[int, Mapping[str, float]] = {}
    scored: list[Ranked] = []
    choice: Choices = {}
    empty = np.zeros((0, qvec.shape[0]), np.float32)
    for i in ids:
        row = rows[i]
        spans, vectors = sentences.get(i, ([], empty))
        if row.doc_id not in doc_weights:  # once per release, not per chunk
            doc_weights[row.doc_id] = topic_weights(query.weights, row.title, settings.topic_weight)
        cands = sentence_scores(scorer, row, spans, vectors, qvec, doc_weights[row.doc_id])
        answer, answer_score = (
            max(cands, key=lambda t: t[1]) if cands else ((row.start, row.end), 0.0)
        )
        penalty = settings.repeat_penalty * row.repeat
        if row.kind in query.asks_for:  # "Who is the media contact?": the contacts block
            penalty -= settings.asked_boost
        elif row.kind in BOILERPLATE_KINDS:
            penalty += settings.boilerplate_penalty
        doc_choice = choice.setdefault(row.doc_id, {})
        for span, value in cands:
            v = value + settings.passage_fused_weight * fused[i] - penalty
            if span not in doc_choice or v > doc_choice[span][0]:
                doc_choice[span] = (v, i)
        s = fused[i] + settings.sentence_weight * answer_score - penalty
        prefer = query.prefer
        if prefer and row.date and prefer[0] <= row.date <= prefer[1]:
            s += settings.period_boost
        scored.append(Ranked(row, s, answer, answer_score))
    scored.sort(key=lambda r: (-r.score, r.row.chunk_id))
    return scored, choice


def diversify(scored: Sequence[Ranked], per_doc: int, penalty: float, k: int) -> list[Ranked]:
    """The best ``k`` with at most ``per_doc`` per release; a release's n-th (from 0)
    competes with its score minus ``n * penalty``. ``scored`` is sorted best first.

    Of a release group (wire copies, duplicates) only the member that ranks first is kept:
    its copies never take a result of their own.
    """
    seen: dict[int, int] = {}
    shown: dict[int, int] = {}  # release group -> the member kept
    kept = []
    for r in scored:
        if shown.setdefault(r.row.group, r.row.doc_id) != r.row.doc_id:
            continue
        n = seen.get(r.row.doc_id, 0)
        if n < per_doc:
            seen[r.row.doc_id] = n + 1
            kept.append(replace(r, score=r.score - n * penalty))
    kept.sort(key=lambda r: (-r.score, r.row.chunk_id))
    return kept[:k]


def place_passages(
    ranked: Sequence[Ranked],
    rows: Mapping[int, ChunkRow],
    doc_spans: dict[int, list[Span]],
    choice: Choices,
    text_of: Callable[[int], str],
    settings: RankSettings,
) -> list[Ranked]:
    """Each hit with its passage window, answer sentence and answering chunk.

    ``doc_spans`` are the sentences read of each release; a release's second passage is
    chosen among the sentences outside its first, and so on.
    """
    if settings.passage_chars <= 0:
        return [replace(r, passage=(r.row.start, r.row.end)) for r in ranked]
    out = []
    for r in ranked:
        doc = r.row.doc_id
        text = text_of(doc)
        spans = sorted(set(doc_spans[doc]))
        cands = choice.get(doc)
        if not cands:  # no sentence to choose from: the chunk's own span
            out.append(replace(r, passage=window(text, spans, r.answer, settings.passage_chars)))
            continue
        span, answer, chunk = choose_passage(
            text, spans, cands, settings.passage_chars, settings.passage_temperature
        )
        out.append(replace(r, row=rows[chunk], answer=answer, passage=span))
        doc_spans[doc] = [sp for sp in spans if not span[0] <= sp[0] < span[1]]
        choice[doc] = {sp: v for sp, v in cands.items() if not span[0] <= sp[0] < span[1]}
    return out
