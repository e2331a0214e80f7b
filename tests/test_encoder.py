"""Late-pooled sentence vectors, with the real model on both backends."""

import numpy as np
import pytest

from index.encoder import encode_spans_separately, get_encoder

TEXT = (
    "Cellectar Biosciences Announces Partnership with CPDC\n"
    "CPDC will manufacture CLR 131 for the pivotal trial. "
    "The company is based in Madison, Wisconsin. "
    "The imaging trial will enroll approximately 36 patients."
)


def _spans(text):
    from ingest.sentences import split_sentences

    return split_sentences(text, text.index("CPDC will"))


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_text_vectors_equal_plain_encoding_and_spans_point_at_their_sentence(backend):
    enc = get_encoder(backend=backend)
    spans = _spans(TEXT)
    vectors, parts = enc.encode_with_sentences([TEXT], [spans])
    assert float(vectors[0] @ enc.encode([TEXT])[0]) > 0.999
    assert parts[0].shape == (3, enc.dim)
    assert np.allclose(np.linalg.norm(parts[0], axis=1), 1.0, atol=1e-4)
    questions = [
        "Who manufactures CLR 131?",
        "Where is the company based?",
        "How many patients will the trial enroll?",
    ]
    sims = enc.encode(questions) @ parts[0].T
    assert list(sims.argmax(axis=1)) == [0, 1, 2]


def test_backends_agree_on_sentence_vectors():
    spans = _spans(TEXT)
    _, torch_parts = get_encoder(backend="torch").encode_with_sentences([TEXT], [spans])
    _, onnx_parts = get_encoder(backend="onnx").encode_with_sentences([TEXT], [spans])
    assert ((torch_parts[0] * onnx_parts[0]).sum(axis=1) > 0.98).all()


def test_separate_span_encoding_fallback_matches_independent_encoding():
    enc = get_encoder(backend="torch")
    spans = _spans(TEXT)
    _, parts = encode_spans_separately(enc, [TEXT], [spans])
    alone = enc.encode([TEXT[s:e] for s, e in spans])
    assert np.allclose(parts[0], alone, atol=1e-5)
