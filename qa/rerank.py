"""The answer model's stage: it reads the sentences of the first passages' windows.

The first stage (:mod:`qa.ranking`) chooses the releases and each passage's window; the
answer model (:mod:`qa.answer_model`) then reads, in one batch, the sentences inside the
windows of the first ``passages`` passages (``first_candidates`` of the first, ``candidates``
of each later one, the first stage's best first) and, for the first passage, the
``release_candidates`` best sentences of its release outside its passages: when one of those
answers best, the passage moves to the window around it. Each read passage's answer is the sentence
with the best logit, its ``confidence`` the model's calibrated probability for it, and the
read passages are re-ordered among themselves by first-stage score plus ``model_weight``
times their best logit, and all passages sorted by score again (the set of passages, and
so hit@k, stays the first stage's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from index import ChunkRow

from .answer_model import AnswerModel, candidate_text
from .ranking import Choices, Ranked, Span
from .settings import AnswerSettings
from .windows import window

__all__ = ["WindowScores", "apply_scores", "move_to_answers", "score_windows", "window_candidates"]


@dataclass(frozen=True)
class WindowScores:
    """The model's logit for each sentence it read, per passage (by position)."""

    logits: Mapping[int, Mapping[Span, float]]

    def best(self, position: int) -> tuple[Span, float] | None:
        """The passage's best sentence and its logit, if the model read any of it."""
        read = self.logits.get(position)
        if not read:
            return None
        span = max(read, key=lambda sp: (read[sp], -sp[0]))
        return span, read[span]


def window_candidates(
    placed: Sequence[Ranked],
    choice: Choices,
    doc_spans: Mapping[int, Sequence[Span]],
    settings: AnswerSettings,
) -> dict[int, list[Span]]:
    """Per position of the first ``settings.passages`` passages: the sentences of its window
    the model reads, those the first stage scored best first (then in text order).

    ``choice`` and ``doc_spans`` are the first stage's, as they were before the passages
    were placed.
    """
    out = {}
    for pos, r in enumerate(placed[: settings.passages]):
        start, end = r.passage
        scored = choice.get(r.row.doc_id, {})
        inside = [sp for sp in sorted(set(doc_spans.get(r.row.doc_id, ()))) if start <= sp[0] < end]
        inside.sort(key=lambda sp: (-scored[sp][0] if sp in scored else float("inf"), sp))
        n = settings.first_candidates if pos == 0 else settings.candidates
        picked = inside[:n]
        if pos == 0 and settings.release_candidates > 0:
            picked += _elsewhere(placed, r, scored)[: settings.release_candidates]
        if picked:
            out[pos] = picked
    return out


def _elsewhere(placed: Sequence[Ranked], first: Ranked, scored: Mapping[Span, tuple]) -> list[Span]:
    """The first stage's best sentences of the first passage's release outside every
    passage of that release, best first (where the answer may stand instead)."""
    taken = [r.passage for r in placed if r.row.doc_id == first.row.doc_id]
    out = [sp for sp in scored if not any(a <= sp[0] < b for a, b in taken)]
    return sorted(out, key=lambda sp: (-scored[sp][0], sp))


def score_windows(
    model: AnswerModel,
    question: str,
    placed: Sequence[Ranked],
    picks: Mapping[int, list[Span]],
    doc_spans: Mapping[int, Sequence[Span]],
    text_of: Callable[[int], str],
) -> WindowScores:
    """One batch through the model: every picked sentence with its headline and neighbours."""
    inputs, keys = [], []
    for pos, spans in picks.items():
        r = placed[pos]
        text = text_of(r.row.doc_id)
        order = sorted(set(doc_spans.get(r.row.doc_id, ())) | set(spans))
        sentences = [text[s:e] for s, e in order]
        for span in spans:
            inputs.append(candidate_text(sentences, order.index(span), r.row.title or ""))
            keys.append((pos, span))
    values = model.logits(question, inputs) if inputs else []
    logits: dict[int, dict[Span, float]] = {pos: {} for pos in picks}
    for (pos, span), v in zip(keys, values, strict=True):
        logits[pos][span] = float(v)
    return WindowScores(logits)


def apply_scores(
    placed: Sequence[Ranked],
    scores: WindowScores,
    confidence: Callable[[float, float], float],
    settings: AnswerSettings,
) -> list[Ranked]:
    """Each read passage with the model's answer sentence, its ``confidence(logit,
    first-stage score)`` and its score plus ``model_weight`` times its logit, the read
    passages sorted by that score; then the unread ones in their order, their scores
    lowered (if need be) to stay below the read ones'."""
    read, unread = [], []
    for pos, r in enumerate(placed):
        best = scores.best(pos)
        if best is None:
            unread.append(r)
            continue
        span, logit = best
        score = r.score + settings.model_weight * logit
        read.append(
            (pos, replace(r, score=score, answer=span, confidence=confidence(logit, r.score)))
        )
    read.sort(key=lambda t: (-t[1].score, t[0]))
    out = [r for _, r in read]
    if out and unread:
        gap = max(0.0, unread[0].score - out[-1].score + 1e-6)
        unread = [replace(r, score=r.score - gap) for r in unread]
    return out + unread


def move_to_answers(
    ranked: Sequence[Ranked],
    rows: Mapping[int, ChunkRow],
    choice: Choices,
    doc_spans: Mapping[int, Sequence[Span]],
    text_of: Callable[[int], str],
    max_chars: int,
) -> list[Ranked]:
    """Each passage whose answer sentence the model found outside its window, moved to
    the window around that sentence (and to the chunk holding it); the rest unchanged.
    ``choice`` and ``doc_spans`` are the first stage's, as before the passages were placed."""
    out = []
    for r in ranked:
        (start, end), (a, _) = r.passage, r.answer
        cands = choice.get(r.row.doc_id, {})
        if start <= a < end or r.answer not in cands or max_chars <= 0:
            out.append(r)
            continue
        spans = sorted(set(doc_spans.get(r.row.doc_id, ())) | {r.answer})
        passage = window(text_of(r.row.doc_id), spans, r.answer, max_chars)
        out.append(replace(r, row=rows[cands[r.answer][1]], passage=passage))
    return out
