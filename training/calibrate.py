"""Calibrate the answer model's confidence inside ``retrieve``, on the dev split.

Usage (``make train`` runs it after ``train.py``; a few minutes):
    python training/calibrate.py --data ../shared/eval/data

Within a release the model's best logit says how likely the best sentence answers
(``card.json`` ``calibration``, fitted by ``train.py``). Inside ``retrieve`` the question
may be answered by no release at all, and the model reads a few windows of the best
releases only, so the probability that the answer card is right also depends on how well
the first stage matched. This script builds the benchmark's index of the dev split's
releases (the biopharma releases beside them; ``benchmarks/corpora.py``), asks every dev
question (answerable and unanswerable) through ``qa.retrieve`` with the model on, and fits
P(the first hit's answer sentence holds an answer) = sigmoid(a * logit + c * score + b)
on the first hit's logit and first-stage score. It writes ``(a, c, b)`` to the card as
``retrieve_calibration`` with the no-answer rates it gives (in-sample and 5-fold
cross-validated). Deterministic: no sampling.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "training"))

from calibration import fit_logistic, sigmoid  # noqa: E402

from benchmarks.corpora import load_benchmark  # noqa: E402
from benchmarks.embedcache import CachedEncoder  # noqa: E402
from benchmarks.systems import OUT, build_pressroom  # noqa: E402
from qa import Settings, retrieve  # noqa: E402
from qa.answer_model import MODEL_DIR, load_answer_model  # noqa: E402


def collect(data: Path, settings: Settings) -> list[tuple[bool, bool, float, float]]:
    """(answerable, first hit's answer right, its logit, its first-stage score) per question."""
    from index import get_encoder

    OUT.mkdir(parents=True, exist_ok=True)
    encoder = CachedEncoder(get_encoder(backend="onnx"), OUT / "embeddings.sqlite", "onnx")
    bench = load_benchmark("dev", data, OUT)
    index_dir = OUT / "index_dev-onnx"
    build_pressroom(bench, index_dir, encoder)
    model = load_answer_model(max_length=settings.answer.model_max_length or None)
    a, b = model.card.calibration
    rows = []
    for q in bench.questions:
        hits = retrieve(q.text, k=5, index_dir=index_dir, encoder=encoder, settings=settings)
        if not hits:
            rows.append((q.answerable, False, -10.0, 0.0))
            continue
        first = hits[0]
        p = min(max(first.confidence, 1e-12), 1 - 1e-12)
        logit = (math.log(p / (1 - p)) - b) / a  # the card's within-release calibration, undone
        right = q.answerable and any(x and x in (first.answer or "") for x in q.answers)
        first_stage = first.score - settings.answer.model_weight * logit
        rows.append((q.answerable, right, logit, first_stage))
    return rows


def rates(rows: list[tuple], p: np.ndarray, at: float) -> dict:
    answerable = np.array([r[0] for r in rows])
    return {
        "unanswerable_flagged": round(float((p[~answerable] < at).mean()), 3),
        "answerable_flagged": round(float((p[answerable] < at).mean()), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "eval" / "data")
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    card_path = args.model / "card.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card.pop("retrieve_calibration", None)
    card_path.write_text(json.dumps(card, indent=2), encoding="utf-8")  # the fit's own input

    base = Settings()
    settings = replace(base, answer=replace(base.answer, use_model=True))
    rows = collect(args.data, settings)
    x = np.array([[r[2], r[3]] for r in rows])
    y = np.array([1.0 if r[1] else 0.0 for r in rows])
    weights = fit_logistic(x, y)
    at = settings.answer.answerable_at
    inside = sigmoid(x @ np.array(weights[:2]) + weights[2])
    folds = np.array_split(np.random.default_rng(13).permutation(len(rows)), 5)
    held = np.zeros(len(rows))
    for fold in folds:
        train = np.setdiff1d(np.arange(len(rows)), fold)
        w = fit_logistic(x[train], y[train])
        held[fold] = sigmoid(x[fold] @ np.array(w[:2]) + w[2])
    card["retrieve_calibration"] = list(weights)
    card.setdefault("metrics", {})["dev_retrieve"] = {
        "questions": len(rows),
        "answer_right": int(y.sum()),
        "in_sample": rates(rows, inside, at),
        "cross_validated_5_fold": rates(rows, held, at),
        "answerable_at": at,
    }
    card_path.write_text(json.dumps(card, indent=2), encoding="utf-8")
    print(json.dumps({"retrieve_calibration": weights, **card["metrics"]["dev_retrieve"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
