"""The answer-model stage's logic (qa.rerank) with a stand-in model: these tests are about
how its logits re-rank releases and choose passages, not about the trained model itself
(tests/test_answer_model.py runs the real one)."""

from __future__ import annotations

from index import ChunkRow
from qa.ranking import Ranked
from qa.rerank import (
    ModelScores,
    apply_model,
    model_candidates,
    passage_confidence,
    score_with_model,
)
from qa.settings import AnswerSettings


class StandInModel:
    """Logit 5 for a sentence holding "36 patients", -5 otherwise; confidence = logit / 10."""

    def logits(self, question, candidates):
        return [5.0 if "36 patients" in c.split(" [SEP] ")[0] else -5.0 for c in candidates]

    def confidence(self, logit):
        return logit / 10


def _row(chunk_id: int, doc_id: int) -> ChunkRow:
    return ChunkRow(chunk_id, doc_id, 0, 0, 10, "body", None, 0.0, "x", "t", None, None, (), "p")


TEXTS = {1: "Acme starts a trial. It is big.", 2: "The trial enrolls 36 patients. Done."}
SPANS = {1: [(0, 20), (21, 31)], 2: [(0, 30), (31, 36)]}


def test_model_reads_the_best_candidates_of_the_best_releases():
    scored = [Ranked(_row(1, 1), 3.0, (0, 20), 1.0), Ranked(_row(2, 2), 2.0, (0, 30), 0.5)]
    choice = {
        1: {(0, 20): (1.0, 1), (21, 31): (0.2, 1)},
        2: {(0, 30): (0.5, 2), (31, 36): (0.1, 2)},
    }
    picks = model_candidates(scored, choice, AnswerSettings(releases=2, candidates=1))
    assert picks == {1: [(0, 20)], 2: [(0, 30)]}
    scores = score_with_model(StandInModel(), "How many?", picks, SPANS, {}, TEXTS.get)
    assert scores.best == {1: -5.0, 2: 5.0}
    ranked, new_choice = apply_model(scored, choice, scores, AnswerSettings(model_weight=1.0))
    assert [r.row.doc_id for r in ranked] == [2, 1]  # the release whose sentence answers
    assert new_choice[2] == {(0, 30): (5.0, 2)}  # its passage is chosen among what was read
    placed = passage_confidence(ranked, scores, StandInModel())
    assert [r.confidence for r in placed] == [0.5, -0.5]


def test_a_release_the_model_did_not_read_ranks_as_its_lowest_logit():
    scored = [Ranked(_row(1, 1), 3.0, (0, 20), 1.0), Ranked(_row(3, 3), 2.9, (0, 5), 1.0)]
    scores = ModelScores(logits={1: {(0, 20): -2.0}})
    ranked, _ = apply_model(scored, {1: {(0, 20): (1.0, 1)}}, scores, AnswerSettings())
    assert [round(r.score, 2) for r in ranked] == [1.0, 0.9]
    assert passage_confidence(ranked, scores, StandInModel())[1].confidence is None


def test_without_reordering_the_model_only_picks_the_answer_inside_each_window():
    from qa.rerank import model_answers

    hit = Ranked(_row(2, 2), 2.0, (31, 36), 0.5, passage=(0, 36))
    outside = Ranked(_row(1, 1), 3.0, (21, 31), 1.0, passage=(21, 31))
    scores = ModelScores(logits={2: {(0, 30): 5.0}, 1: {(0, 20): 9.0}})
    picked = model_answers([outside, hit], scores)
    assert [r.row.doc_id for r in picked] == [1, 2]  # the order stays the first stage's
    assert picked[0].answer == (21, 31)  # the model read nothing inside this window
    assert picked[1].answer == (0, 30) and picked[1].passage == (0, 36)
