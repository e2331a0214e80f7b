"""List-question membership: the predicate, the combiner shipped, the adaptive cut (pure).

The behaviour over real releases with the real models is in ``tests/test_lists.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.list_member import FEATURES, WEIGHTS, Combiner, Evidence, cut, features, load_combiner
from qa.list_predicate import predicate


@pytest.mark.parametrize(
    ("question", "text", "heads"),
    [
        (
            "Which companies announced a new chief financial officer?",
            "announced a new chief financial officer",
            ("chief", "financial", "officer"),
        ),
        (
            "Which mineral exploration companies announced drill results?",
            "mineral exploration announced drill results",
            ("mineral", "exploration", "drill", "results"),
        ),
        ("List the Fast Track designations", "Fast Track designations", None),
        ("Which startups raised funding?", "raised funding", ("raised", "funding")),
        (
            "What releases report reverse stock splits?",
            "report reverse stock splits",  # the frame's verb stays, but is no head term
            ("reverse", "stock", "splits"),
        ),
        (
            "Which acquisitions or mergers were announced?",
            "acquisitions or mergers were announced",
            ("acquisitions", "mergers"),
        ),
    ],
)
def test_the_predicate_is_the_question_without_its_list_frame(question, text, heads):
    p = predicate(question)
    assert p.text == text
    if heads is not None:
        assert p.heads == heads
    assert not {"which", "companies", "announced", "releases", "report"} & set(p.heads)


def test_the_cut_keeps_the_probable_and_those_near_the_best():
    assert cut([0.9, 0.2, 0.6, 0.5], at=0.4, share=0.0) == [0, 2, 3]
    assert cut([0.9, 0.2, 0.6, 0.5], at=0.4, share=0.6) == [0, 2]  # 0.5 < 0.6 * 0.9
    assert cut([0.3, 0.1], at=0.4, share=0.0) == []
    assert cut([], at=0.4, share=0.5) == []


def test_features_are_absolute_and_relative_to_the_pool():
    a = Evidence(1.0, 0.9, 0.9, 0.5, 0.5, 0.6, 1.0, 1.0, 1.0, 0.4)
    b = Evidence(0.5, 0.1, 0.1, 0.2, 0.2, 0.3, 0.0, 0.0, 0.5, 0.2)
    x = features([a, b])
    assert x.shape == (2, len(FEATURES))
    col = FEATURES.index
    assert x[0, col("fused")] == 1.0 and x[1, col("fused-best")] == -0.5
    assert x[0, col("fused-best")] == 0.0 and x[0, col("kw_lead-z")] > 0 > x[1, col("kw_lead-z")]
    # the same pool shifted by a constant: the relative columns do not move
    shifted = features(
        [Evidence(**{**a.__dict__, "fused": 2.0}), Evidence(**{**b.__dict__, "fused": 1.5})]
    )
    assert np.allclose(x[:, col("fused-best")], shifted[:, col("fused-best")])


def test_the_shipped_combiner_reads_its_card_and_scores_in_0_1():
    c = load_combiner()
    assert c.names == FEATURES and 0.0 < c.at < 1.0 and 0.0 <= c.share < 1.0
    assert c.card["script"] == "benchmarks/list_member_train.py"
    strong = Evidence(0.95, 0.8, 0.8, 0.5, 0.6, 0.6, 1.0, 1.0, 1.0, 0.5)
    weak = Evidence(0.40, 0.02, 0.02, 0.1, 0.15, 0.2, 0.0, 0.0, 0.2, 0.1)
    pool = [strong] + [weak] * 9
    p = c.probability(features(pool))
    assert p.shape == (10,) and ((0 <= p) & (p <= 1)).all()
    assert cut(p, c.at, c.share) == [0]  # the release that states the predicate, alone


def test_a_combiner_of_other_features_is_refused_with_its_file(tmp_path):
    data = json.loads(WEIGHTS.read_text())
    data["names"] = data["names"][:-1]
    bad = tmp_path / "list_member.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="list_member.json: trained on other features"):
        Combiner.read(bad)
