"""The answer model's stage: re-score the best releases' candidate sentences with it.

After the first-stage scores (:func:`qa.ranking.score_chunks`), the best ``releases``
releases each put their ``candidates`` best sentences before the answer model
(:mod:`qa.answer_model`), all in one batch. With ``reorder``, a release's chunks
then rank by their first-stage score plus ``model_weight`` times its best logit and its
passage is chosen among the sentences the model read; without, the first stage keeps the
order and the windows and the model only picks each passage's answer sentence among those
it read inside the window. A passage's ``confidence`` is then the model's calibrated
probability for its answer sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from .answer_model import AnswerModel, candidate_text
from .ranking import Choices, Ranked, Span
from .settings import AnswerSettings

__all__ = [
    "ModelScores",
    "apply_model",
    "model_answers",
    "model_candidates",
    "passage_confidence",
    "score_with_model",
]


@dataclass(frozen=True)
class ModelScores:
    """The model's logit for each sentence it read, per release, and each release's best."""

    logits: Mapping[int, Mapping[Span, float]]

    @property
    def best(self) -> dict[int, float]:
        """Each release's best logit."""
        return {doc: max(v.values()) for doc, v in self.logits.items() if v}


def model_candidates(
    scored: Sequence[Ranked], choice: Choices, settings: AnswerSettings
) -> dict[int, list[Span]]:
    """Per release of the first ``settings.releases`` in ``scored``: its best candidates."""
    docs = list(dict.fromkeys(r.row.doc_id for r in scored))[: settings.releases]
    out = {}
    for doc in docs:
        ranked = sorted(choice.get(doc, {}).items(), key=lambda kv: (-kv[1][0], kv[0]))
        out[doc] = [span for span, _ in ranked[: settings.candidates]]
    return out


def score_with_model(
    model: AnswerModel,
    question: str,
    picks: Mapping[int, list[Span]],
    doc_spans: Mapping[int, list[Span]],
    headlines: Mapping[int, str],
    text_of: Callable[[int], str],
) -> ModelScores:
    """One batch through the model: every picked sentence with its context."""
    inputs, keys = [], []
    for doc, spans in picks.items():
        text = text_of(doc)
        order = sorted(set(doc_spans.get(doc, [])) | set(spans))
        sentences = [text[s:e] for s, e in order]
        for span in spans:
            inputs.append(candidate_text(sentences, order.index(span), headlines.get(doc, "")))
            keys.append((doc, span))
    values = model.logits(question, inputs)
    logits: dict[int, dict[Span, float]] = {doc: {} for doc in picks}
    for (doc, span), v in zip(keys, values, strict=True):
        logits[doc][span] = float(v)
    return ModelScores(logits)


def apply_model(
    scored: Sequence[Ranked], choice: Choices, scores: ModelScores, settings: AnswerSettings
) -> tuple[list[Ranked], Choices]:
    """Chunks re-scored by their release's best logit (releases the model did not read
    rank as if their best logit were the lowest it gave), sorted best first; and the
    passage choices of the releases it read restricted to what it read, by logit."""
    floor = min(scores.best.values(), default=0.0)
    w = settings.model_weight
    out = [replace(r, score=r.score + w * scores.best.get(r.row.doc_id, floor)) for r in scored]
    out.sort(key=lambda r: (-r.score, r.row.chunk_id))
    new_choice = dict(choice)
    for doc, logits in scores.logits.items():
        new_choice[doc] = {span: (logit, choice[doc][span][1]) for span, logit in logits.items()}
    return out, new_choice


def model_answers(ranked: Sequence[Ranked], scores: ModelScores) -> list[Ranked]:
    """Each passage's answer: the sentence inside its window with the best logit, when the
    model read any (the first stage chose the releases and the windows)."""
    out = []
    for r in ranked:
        start, end = r.passage
        inside = {
            span: v
            for span, v in scores.logits.get(r.row.doc_id, {}).items()
            if start <= span[0] and span[1] <= end
        }
        if inside:
            r = replace(r, answer=max(inside, key=lambda sp: (inside[sp], -sp[0])))
        out.append(r)
    return out


def passage_confidence(
    ranked: Sequence[Ranked], scores: ModelScores, model: AnswerModel
) -> list[Ranked]:
    """Each passage whose answer sentence the model read, with its calibrated confidence."""
    out = []
    for r in ranked:
        logit = scores.logits.get(r.row.doc_id, {}).get(r.answer)
        out.append(r if logit is None else replace(r, confidence=model.confidence(logit)))
    return out
