"""Every knob of a query, in one tree of frozen dataclasses.

``Settings()`` is what :func:`qa.retrieve` runs with by default; the quality benchmark
prints the tree it ran with and overrides leaves by path (``--set rank.dense_weight=0.5``,
see :func:`override`). How the defaults were chosen, with the measurements, is in the
README's Quality section and ``benchmarks/README.md``: not in the code.

Example:
    >>> override(Settings(), "rank.per_doc", "1").rank.per_doc
    1
    >>> override(Settings(), "dense_weight", "0.5").rank.dense_weight  # rank is the default
    0.5
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from index.settings import KeywordSettings, VectorSettings

__all__ = ["AnswerSettings", "ListSettings", "RankSettings", "Settings", "override"]


@dataclass(frozen=True)
class RankSettings:
    """How candidates are gathered, fused, re-scored and cut into passages.

    Attributes:
        candidates: dense and keyword candidates each, at least ``candidates_per_k * k``.
        candidates_per_k: see ``candidates``.
        rerank_depth: fused candidates re-scored with their best sentence (at least 3k).
        expand_docs: releases of the best candidates whose every chunk is re-scored.
        passage_chars: a passage is the whole sentences around the answer up to this
            length (0: the chunk as stored).
        passage_fused_weight: when choosing a release's passage, each sentence counts
            with its answer score plus this share of its chunk's fused score.
        passage_temperature: the window whose sentence scores have the largest
            log-sum-exp at this temperature wins (0: the best sentence's window).
        dense_weight: weight of the min-max-normalised cosine against min-max-normalised
            BM25 in their convex combination (Bruch et al. 2022).
        sentence_weight: weight of the best sentence's answer score in a chunk's score.
        topic_weight: weight of headline words when choosing the answer sentence.
        boilerplate_penalty: subtracted from About, safe-harbor, contacts, links chunks.
        repeat_penalty: times the share of a chunk's sentences found in other releases.
        per_doc: passages per release; a release's n-th competes with its score minus
            ``n * release_repeat_penalty``.
        release_repeat_penalty: see ``per_doc``.
        list_question_per_doc: at most this many per release for "Which releases/companies".
        period_boost: added for releases of a period the question names ("in 2016").
        asked_boost: added to the score of a chunk of the boilerplate kind the question
            asks for by name (contacts, safe harbor, links; :mod:`qa.boilerplate`).
        literal_boost: added to the fused score of a chunk holding the question's
            identifiers and figures ("NCT01234567", "$6.5 million"; :mod:`qa.exact`), times
            the share of them it holds.
    """

    candidates: int = 100
    candidates_per_k: int = 10
    rerank_depth: int = 20
    expand_docs: int = 3
    passage_chars: int = 1000
    passage_fused_weight: float = 0.1
    passage_temperature: float = 0.02
    dense_weight: float = 0.3
    sentence_weight: float = 2.0
    topic_weight: float = 0.3
    boilerplate_penalty: float = 0.15
    repeat_penalty: float = 0.10
    per_doc: int = 3
    release_repeat_penalty: float = 0.2
    list_question_per_doc: int = 1
    period_boost: float = 0.05
    literal_boost: float = 0.1
    asked_boost: float = 1.0


@dataclass(frozen=True)
class AnswerSettings:
    """Scoring a sentence as the answer, and the confidence that it is one.

    Attributes:
        lexical_weight: weight of the IDF-weighted share of question stems it holds.
        type_weight: bonus for holding the kind of answer asked for (and again for a
            number right before the counted thing in "how many X").
        confidence_center: answer score at which ``confidence`` is 0.5.
        confidence_scale: slope of the logistic from answer score to ``confidence``.
        answerable_at: ``answerable`` is ``confidence >= answerable_at``.
        possible_at: the UI shows a first hit below ``answerable_at`` but at least this
            confident as a possible answer, below it "no answer found".
        use_model: let the trained answer model (``qa/models``, made by ``make train``)
            pick the first passages' answer sentences; its calibrated probability is then
            their ``confidence``.
        passages: how many of the first passages the model reads.
        first_candidates: how many sentences of the first passage's window it reads.
        candidates: how many sentences of each later passage's window it reads.
        release_candidates: how many more sentences of the first passage's release, outside
            its passages, it reads (the first stage's best): the passage moves to the one
            that answers best, when it is one of them (0: the window's only).
        model_weight: weight of a read passage's best logit added to its score when the
            read passages are re-ordered among themselves (0: the first stage's order).
        model_max_length: tokens the model reads per (question, sentence) pair (0: the
            length it was trained with, in its card).
    """

    lexical_weight: float = 0.35
    type_weight: float = 0.1
    confidence_center: float = 0.84
    confidence_scale: float = 12.0
    answerable_at: float = 0.5
    possible_at: float = 0.25
    use_model: bool = True
    passages: int = 3
    first_candidates: int = 6
    candidates: int = 3
    release_candidates: int = 0
    model_weight: float = 0.3
    model_max_length: int = 0


@dataclass(frozen=True)
class ListSettings:
    """List questions (:func:`qa.list_releases`): the candidate pool and membership.

    Attributes:
        pool_chunks: dense and keyword candidates each (chunks, boilerplate left out).
        pool_releases: the best-matching releases of the pool whose sentences are read.
        lead_sentences: the first news sentences of each that are its lead (with the
            headline, what a release about the thing states it in).
        read_sentences: the first sentences the answer model reads, with the headline,
        best_sentences: and this many more, those nearest the question's predicate.
        like_seeds: a release's headline is compared with this many of the pool's best
            first-stage hits' (:mod:`qa.list_member`'s ``like_best``).
        member_at: a release is listed when its membership probability
            (:class:`qa.list_member.Combiner`) is at least this (None: the combiner's),
        member_share: and at least this share of the pool's best (None: the combiner's).
    """

    pool_chunks: int = 300
    pool_releases: int = 60
    lead_sentences: int = 3
    read_sentences: int = 2
    best_sentences: int = 0
    like_seeds: int = 3
    member_at: float | None = None
    member_share: float | None = None


@dataclass(frozen=True)
class Settings:
    """The whole tree: ranking, answer scoring, list questions, keyword and vector search."""

    rank: RankSettings = field(default_factory=RankSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    lists: ListSettings = field(default_factory=ListSettings)
    keyword: KeywordSettings = field(default_factory=KeywordSettings)
    vectors: VectorSettings = field(default_factory=VectorSettings)


def override(settings: Settings, path: str, raw: str) -> Settings:
    """``settings`` with the leaf at ``path`` (``group.name``, or a rank field's name) set
    to ``raw`` cast to the leaf's type.

    Raises:
        ValueError: an unknown path or a value of the wrong type.
    """
    group, _, name = path.strip().rpartition(".")
    group = group or "rank"
    groups = {f.name for f in dataclasses.fields(Settings)}
    part = getattr(settings, group) if group in groups else None
    names = {f.name for f in dataclasses.fields(part)} if part is not None else set()
    if name not in names:
        known = sorted(
            f"{g}.{f.name}" for g in groups for f in dataclasses.fields(getattr(settings, g))
        )
        raise ValueError(f"unknown setting {path!r}; one of {', '.join(known)}")
    kind = type(getattr(part, name))
    if getattr(part, name) is None:  # an optional number left to its default
        kind = float
    try:
        if kind is bool:
            if raw.lower() not in {"1", "0", "true", "false", "yes", "no"}:
                raise ValueError(raw)
            value: object = raw.lower() in {"1", "true", "yes"}
        else:
            value = kind(raw)
    except ValueError:
        raise ValueError(f"setting {path!r} needs a {kind.__name__}, not {raw!r}") from None
    return dataclasses.replace(settings, **{group: dataclasses.replace(part, **{name: value})})
