"""The answer-model stage's logic (qa.rerank) with a stand-in model: these tests are about
which sentences it reads and how its logits pick answers and order passages, not about the
trained model itself (tests/test_answer_model.py runs the real one)."""

from __future__ import annotations

from index import ChunkRow
from qa.ranking import Ranked
from qa.rerank import (
    WindowScores,
    apply_scores,
    move_to_answers,
    score_windows,
    window_candidates,
)
from qa.settings import AnswerSettings


class StandInModel:
    """Logit 5 for a sentence holding "36 patients", -5 otherwise."""

    def logits(self, question, candidates):
        return [5.0 if "36 patients" in c.split(" [SEP] ")[0] else -5.0 for c in candidates]


def confidence(logit, score):
    return logit / 10


def _row(chunk_id: int, doc_id: int) -> ChunkRow:
    return ChunkRow(chunk_id, doc_id, 0, 0, 10, "body", None, 0.0, "x", "t", None, None, (), "p")


TEXTS = {1: "Acme starts a trial. It is big. Call us.", 2: "The trial enrolls 36 patients. Done."}
SPANS = {1: [(0, 20), (21, 31), (32, 40)], 2: [(0, 30), (31, 36)]}
CHOICE = {
    1: {(0, 20): (1.0, 1), (21, 31): (0.2, 1)},
    2: {(31, 36): (0.5, 2), (0, 30): (0.1, 2)},
}


def test_the_model_reads_the_first_passages_windows_best_first():
    placed = [
        Ranked(_row(1, 1), 3.0, (0, 20), 1.0, passage=(0, 31)),
        Ranked(_row(2, 2), 2.0, (31, 36), 0.5, passage=(0, 36)),
        Ranked(_row(3, 3), 1.0, (0, 5), 0.5, passage=(0, 5)),
    ]
    settings = AnswerSettings(passages=2, first_candidates=3, candidates=1)
    picks = window_candidates(placed, CHOICE, SPANS, settings)
    # the first window's sentences (not the one after it), the second's best one only,
    # nothing of the third passage
    assert picks == {0: [(0, 20), (21, 31)], 1: [(31, 36)]}
    picks = window_candidates(placed, CHOICE, SPANS, AnswerSettings(passages=2, candidates=2))
    assert picks[1] == [(31, 36), (0, 30)]  # first-stage score first, then text order


def test_the_answer_is_the_best_logit_and_passages_reorder_by_it():
    placed = [
        Ranked(_row(1, 1), 3.0, (0, 20), 1.0, passage=(0, 31)),
        Ranked(_row(2, 2), 2.5, (31, 36), 0.5, passage=(0, 36)),
        Ranked(_row(3, 3), 1.0, (0, 5), 0.5, passage=(0, 5)),
    ]
    picks = {0: [(0, 20), (21, 31)], 1: [(31, 36), (0, 30)]}
    scores = score_windows(StandInModel(), "How many?", placed, picks, SPANS, TEXTS.get)
    assert scores.best(1) == ((0, 30), 5.0) and scores.best(2) is None
    out = apply_scores(placed, scores, confidence, AnswerSettings(model_weight=0.3))
    # 2.5 + 0.3 * 5 = 4.0 beats 3.0 + 0.3 * -5 = 1.5; the unread passage stays last
    assert [(r.row.doc_id, round(r.score, 6)) for r in out] == [(2, 4.0), (1, 1.5), (3, 1.0)]
    assert out[0].answer == (0, 30) and out[0].passage == (0, 36)
    assert [r.confidence for r in out] == [0.5, -0.5, None]
    low = apply_scores(placed, scores, confidence, AnswerSettings(model_weight=0.5))
    # 3.0 - 2.5 = 0.5 would fall below the unread 1.0, which is lowered to stay last
    assert [r.row.doc_id for r in low] == [2, 1, 3]
    assert low[1].score > low[2].score
    kept = apply_scores(placed, scores, confidence, AnswerSettings(model_weight=0.0))
    assert [r.row.doc_id for r in kept] == [1, 2, 3]  # weight 0: the first stage's order


def test_ties_between_sentences_go_to_the_earlier_one():
    scores = WindowScores({0: {(10, 20): 1.0, (0, 9): 1.0}})
    assert scores.best(0) == ((0, 9), 1.0)


def test_the_first_passage_moves_to_an_answer_the_model_finds_elsewhere_in_its_release():
    text = "Acme news today. Filler here. More filler. The trial enrolls 36 patients."
    spans = [(0, 16), (17, 29), (30, 42), (43, 73)]
    choice = {4: {(0, 16): (1.0, 40), (17, 29): (0.6, 40), (43, 73): (0.3, 41)}}
    rows = {40: _row(40, 4), 41: _row(41, 4)}
    placed = [
        Ranked(rows[40], 3.0, (0, 16), 1.0, passage=(0, 29)),
        Ranked(_row(2, 2), 2.0, (31, 36), 0.5, passage=(0, 36)),
    ]
    settings = AnswerSettings(passages=2, first_candidates=2, candidates=1, release_candidates=2)
    spans_by_doc = {4: spans, **SPANS}
    picks = window_candidates(placed, {**CHOICE, **choice}, spans_by_doc, settings)
    assert picks[0] == [(0, 16), (17, 29), (43, 73)]  # the window's, then the best elsewhere
    off = window_candidates(
        placed,
        {**CHOICE, **choice},
        spans_by_doc,
        AnswerSettings(passages=2, first_candidates=2, candidates=1, release_candidates=0),
    )
    assert off[0] == [(0, 16), (17, 29)]
    texts = {4: text, **TEXTS}
    scores = score_windows(StandInModel(), "q", placed, picks, spans_by_doc, texts.__getitem__)
    ranked = apply_scores(placed, scores, confidence, settings)
    first = next(r for r in ranked if r.row.doc_id == 4)
    assert first.answer == (43, 73) and first.passage == (0, 29)  # not yet moved
    moved = move_to_answers(ranked, rows, choice, spans_by_doc, texts.__getitem__, 50)
    first = next(r for r in moved if r.row.doc_id == 4)
    assert first.row.chunk_id == 41 and first.passage == (30, 73)  # the window around it
    assert first.passage[0] <= first.answer[0] < first.passage[1]
    other = next(r for r in moved if r.row.doc_id == 2)
    assert other == next(r for r in ranked if r.row.doc_id == 2)  # its answer is inside
