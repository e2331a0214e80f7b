"""Answer-sentence scoring: the pure parts of ``qa.answer``."""

import numpy as np
import pytest

from qa.answer import (
    AnswerQuery,
    AnswerScorer,
    answer_type,
    counts_the_thing,
    pick_answer,
    stems,
    type_match,
)


def test_number_shape_skips_years_days_and_codes():
    assert type_match("number", "The trial enrolls 36 patients.")
    assert type_match("number", "Doses of 5 mCi and 7.5 mCi.")
    assert not type_match("number", "Announced on March 4, 2014.")
    assert not type_match("number", "Results in 2016 were positive.")
    assert not type_match("number", "The CLR1404 program continues.")
    assert not type_match(None, "36 patients")


def test_counted_noun_must_follow_the_number():
    q = "How many patients will the trial enroll?"
    assert counts_the_thing(q, "The study will enroll 36 patients at two sites.")
    assert not counts_the_thing(q, "Patients were dosed in 2 cohorts.")
    assert counts_the_thing("How many cancer centers take part?", "at 12 cancer centers")
    assert not counts_the_thing("Who makes it?", "36 patients")


def test_scorer_prefers_overlap_and_type_and_agrees_with_pick_answer():
    q = "How many patients are enrolled in the imaging trial?"
    sentences = [
        "The company is based in Madison.",
        "The imaging trial has enrolled 36 patients so far.",
        "Patients in the imaging trial receive a dose.",
    ]
    sims = np.array([0.50, 0.45, 0.47])
    scorer = AnswerScorer(AnswerQuery.of(q))
    best, score = scorer.pick(sentences, sims)
    assert best == 1 and score > 0.45 + 0.1  # overlap and the number bonus lifted it
    assert (best, score) == pick_answer(q, sentences, sims)
    # rare words weigh more: only "imaging" is weighted up here
    w_best, _ = scorer.pick(sentences[::2], np.array([0.5, 0.3]), weights={"imag": 10.0})
    assert w_best == 1


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("At which AGC Biologics facility will the vaccine be produced?", "place"),
        ("Which Toronto-based oncology company declined the facility?", "name"),
        ("At which law firm was she previously a partner?", "name"),
        ("Which city hosts the meeting?", "place"),
        ("Where was the study carried out?", "place"),
        ("Which market segments is HeartBeam targeting?", None),
        ("Which of the two doses worked better in the trial for the company?", None),
    ],
)
def test_which_phrase_is_typed_by_its_head_noun(question, kind):
    assert answer_type(question) == kind


def test_answer_shape_must_say_something_the_question_does_not():
    who = "Who at Acme Medical spoke about the Pulse Platform?"
    restates = "Acme Medical announced that the Pulse Platform was cleared."
    answers = "Board member Dan Ryan said the platform changes the procedure."
    assert not type_match("name", restates, who) and type_match("name", answers, who)
    assert type_match("name", restates)  # without the question, any name counts
    when = "When is the oral presentation at ASGCT 2025?"
    assert not type_match("date", "Data will be shown at ASGCT 2025.", when)
    assert type_match("date", "The talk is on Thursday, May 15 at ASGCT 2025.", when)
    # the scorer gives the type bonus only to the sentence with the new name
    scorer = AnswerScorer(AnswerQuery.of(who))
    scores = scorer.scores([restates, answers], np.array([0.5, 0.5]))
    lexical_gap = (
        0.35
        * (len(scorer.query.terms & stems(restates)) - len(scorer.query.terms & stems(answers)))
        / len(scorer.query.terms)
    )
    assert scores[1] - scores[0] == pytest.approx(0.1 - lexical_gap)
