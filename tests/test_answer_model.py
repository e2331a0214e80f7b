"""The shipped answer model (qa/models), run for real: its file matches its card, and it
tells the sentence that answers from the one that restates the question."""

from __future__ import annotations

import pytest

from qa.answer_model import MODEL_DIR, candidate_text, load_answer_model

pytestmark = pytest.mark.model

SENTENCES = [
    "Cellectar Biosciences today announced the initiation of a Phase 2 imaging trial of its "
    "glioblastoma imaging agent.",
    "The trial will enroll 36 patients at multiple centers.",
    "Cellectar is headquartered in Madison, Wisconsin.",
]


@pytest.fixture(scope="module")
def model():
    if not (MODEL_DIR / "card.json").is_file():
        pytest.skip(f"no answer model in {MODEL_DIR} yet (make train makes one)")
    return load_answer_model()


def test_asking_for_a_missing_model_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="make train"):
        load_answer_model(tmp_path)


def test_card_names_the_file_and_its_hash(model):
    assert model.card.file.endswith(".onnx") and len(model.card.sha256) == 64
    assert model.card.max_length >= 64 and model.card.layers >= 1


def test_the_answering_sentence_outscores_the_one_that_restates_the_question(model):
    question = "How many patients will the glioblastoma imaging trial enroll?"
    inputs = [candidate_text(SENTENCES, i, "Cellectar starts imaging trial") for i in range(3)]
    logits = model.logits(question, inputs)
    assert int(logits.argmax()) == 1
    assert model.confidence(float(logits[1])) > model.confidence(float(logits[0]))
    assert 0.0 <= model.confidence(float(logits.min())) <= model.confidence(float(logits.max()))
