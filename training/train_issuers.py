"""Train the issuer scorer (ingest/models/issuer_scorer.json): a ranking model over the
candidates each release proposes, and the confidence that its best one is the issuer
(:mod:`ingest.issuer_scorer`).

Usage (about a minute on one core; seeded, the same file every run):
    python training/train_issuers.py              # --show prints the cross-validated errors
    python training/train_issuers.py --c 1 --dry-run   # cross-validate one C, write nothing

Data: every labelled archive release the project holds, all spent for measurement: the 300
of ``benchmarks/data/issuers_train`` (``benchmarks/archive_samples.py issuers-train``) and
the 220 of ``benchmarks/data/issuers`` (both halves; the blind measurement is a set this
script never reads). Releases are read from the shared archive tarball (extracted once into
``benchmarks/out/``), exactly as ingest reads them (:func:`ingest.release.issuer_arguments`,
:func:`ingest.identity.candidate_rows`, :func:`ingest.identity.issuer_tickers`).

A candidate is positive when the spelling it would show matches the labelled issuer as the
benchmark matches (:func:`benchmarks.issuers.issuer_matches`). The ranker is a conditional
logit (the softmax of ``w . x`` over a release's standardised candidate features, L2 ``1/C``,
fitted with scipy's L-BFGS); the confidence is scikit-learn's gradient-boosted trees (100 of
depth 2, 20 releases or more in a leaf, seeded) of "the best candidate is right" on its
softmax share, score, margin and features, fitted on out-of-fold scores. ``C`` and the
threshold come from five-fold cross-validation grouped by release, repeated with three
shuffles: the threshold is the
lowest at which the pooled cross-validated precision (releases given their best candidate)
is ``--precision`` or more. The tickers are scored in the same folds (a release given its
best candidate gets that candidate's tickers, as :func:`ingest.identity.read_issuer` gives
them). The output records the data, the seed, the cross-validated figures, the weights and
the trees; inference (:class:`ingest.issuer_scorer.Scorer`) needs neither scikit-learn nor
scipy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from array import array
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.issuers import DATA, ISSUER_KINDS, issuer_matches, load_labels, pair_key  # noqa: E402
from benchmarks.lists import extract_slice  # noqa: E402
from ingest.identity import candidate_rows, issuer_tickers  # noqa: E402
from ingest.issuer_scorer import FEATURES, MODEL_PATH  # noqa: E402
from ingest.loaders import load_file  # noqa: E402
from ingest.normalize import normalize_text  # noqa: E402
from ingest.release import issuer_arguments  # noqa: E402

TRAIN = REPO / "benchmarks" / "data" / "issuers_train"
OUT = REPO / "benchmarks" / "out"
SEED = 16
FOLDS = 5
REPEATS = 3
CONFIDENCE_TREES = 100
CONFIDENCE_DEPTH = 2
CONFIDENCE_RATE = 0.05
CONFIDENCE_LEAF = 20  # releases in a leaf at least (smaller leaves fit a few hundred too well)
CS = (0.3, 1.0, 3.0)


def named(lab: dict) -> bool:
    return bool(lab.get("issuer")) and lab.get("kind") in ISSUER_KINDS


def _pairs(fields) -> frozenset[str]:
    return frozenset(pair_key(*f.value.split(":", 1)) for f in fields)


def release_rows(path: Path, lab: dict) -> dict:
    """A release's record: its candidates' features ``x``, labels ``y`` (1: shows the
    issuer), shown spellings ``n`` and the tickers each would give ``own``; the labelled
    ticker pairs ``want``."""
    text = normalize_text(load_file(path).text)
    args = issuer_arguments(text)
    rows = candidate_rows(*args) if args else []
    pools = [pool for pool, _, _ in rows]
    xs, ys, names, own = [], [], [], []
    for pool, shown, x in rows:
        ok = named(lab) and issuer_matches(shown.value, lab["issuer"], lab.get("aliases") or [])
        xs.append(x)
        ys.append(int(ok))
        names.append(shown.value)
        text_, _, _, tickers, headline, sections, headline_end, _ = args
        own.append(
            _pairs(
                issuer_tickers(text_, tickers, headline, headline_end, sections, pools, pool, shown)
            )
        )
    want = frozenset(pair_key(t["exchange"], t["symbol"]) for t in lab.get("tickers") or [])
    return {"x": xs, "y": ys, "n": names, "own": own, "want": want}


def load_data(sets: list[tuple[list[dict], Path]]) -> list[dict]:
    """One record per release: its label and its candidates' features."""
    out = []
    for labels, root in sets:
        for lab in labels:
            rec = release_rows(root / lab["path"], lab)
            out.append({"path": lab["path"], "named": named(lab), "issuer": lab["issuer"], **rec})
    return out


def _standardise(records: list[dict]):
    x = np.array([v for r in records for v in r["x"]], dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def fit_ranker(records: list[dict], c: float):
    """A conditional logit: per release, the softmax of the candidates' scores ``w . x``,
    fitted to put the probability on the candidates that show the issuer (L2 ``1 / c``)."""
    from scipy.optimize import minimize

    mean, scale = _standardise(records)
    groups = [
        ((np.array(r["x"], dtype=float) - mean) / scale, np.array(r["y"], dtype=bool))
        for r in records
        if any(r["y"]) and len(r["y"]) > 1
    ]

    def loss(w):
        total, grad = 0.5 * w @ w / c, w / c
        for x, y in groups:
            s = x @ w
            s = s - s.max()
            e = np.exp(s)
            p = e / e.sum()
            pos = p[y].sum()
            total -= np.log(pos)
            # d/dw -log(sum_pos p) = E_p[x] - E_{p | pos}[x]
            grad = grad + p @ x - (p[y] / pos) @ x[y]
        return total, grad

    w0 = np.zeros(len(mean))
    done = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return mean, scale, done.x


def scores(record: dict, ranker) -> np.ndarray:
    mean, scale, w = ranker
    return ((np.array(record["x"], dtype=float) - mean) / scale) @ w


def top_features(s: np.ndarray, z: np.ndarray) -> list[float]:
    """What the confidence is computed from: the best candidate's softmax share, its
    score, its margin over the next, and its standardised features ``z`` (as
    :meth:`ingest.issuer_scorer.Scorer.confidence`)."""
    order = np.sort(s)[::-1]
    e = np.exp(s - order[0])
    margin = order[0] - order[1] if len(order) > 1 else 10.0
    return [float(1 / e.sum()), float(order[0]), float(min(margin, 10.0)), *map(float, z)]


def fit_confidence(tops: list[list[float]], right: list[int]):
    """Gradient-boosted trees of "the best candidate is the issuer" on :func:`top_features`
    (small trees: a few hundred releases; they read the share, margin and features jointly,
    which a logistic regression on them cannot)."""
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(
        n_estimators=CONFIDENCE_TREES,
        max_depth=CONFIDENCE_DEPTH,
        learning_rate=CONFIDENCE_RATE,
        subsample=0.8,
        min_samples_leaf=CONFIDENCE_LEAF,
        random_state=SEED,
    )
    model.fit(np.array(tops), np.array(right))
    return model


def confidence(top: list[float], calib) -> float:
    return float(calib.predict_proba(np.array([top]))[0, 1])


def export_trees(model, tops: list[list[float]]) -> dict:
    """The fitted trees as :class:`ingest.issuer_scorer.Tree` reads them, and the bias that
    makes their sum scikit-learn's decision function (checked on every training input)."""
    from ingest.issuer_scorer import Tree

    trees = []
    for est in model.estimators_[:, 0]:
        t = est.tree_
        trees.append(
            {
                "left": [int(v) for v in t.children_left],
                "right": [int(v) for v in t.children_right],
                "feature": [int(v) for v in t.feature],
                "threshold": [float(v) for v in t.threshold],
                "value": [float(v) for v in t.value[:, 0, 0]],
            }
        )
    x = np.array(tops)
    raw = model.decision_function(x)
    rate = float(model.learning_rate)
    pure = [
        Tree(*(tuple(d[k]) for k in ("left", "right", "feature", "threshold", "value")))
        for d in trees
    ]
    sums = np.array([rate * sum(tr(array("f", row).tolist()) for tr in pure) for row in x])
    bias = float(raw[0] - sums[0])
    if not np.allclose(raw, bias + sums, atol=1e-9):
        raise RuntimeError("the exported trees do not reproduce scikit-learn's scores")
    return {"trees": trees, "learning_rate": rate, "bias": bias}


def repeated(records: list[dict], c: float) -> list[tuple]:
    """:func:`cross_validate` with :data:`REPEATS` shuffles, the predictions pooled (a
    steadier curve to pick the threshold from than one split of 400 releases)."""
    return [p for k in range(REPEATS) for p in cross_validate(records, c, SEED + k)[0]]


def cross_validate(records: list[dict], c: float, seed: int = SEED) -> tuple[list, list]:
    """Out-of-fold (confidence, right, named, best) per release: the ranker trained on the
    other folds, its confidence calibrated on the other folds' out-of-fold scores."""
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    folds = [set(order[k::FOLDS]) for k in range(FOLDS)]
    tops: list = [None] * len(records)
    for held in folds:
        ranker = fit_ranker([r for i, r in enumerate(records) if i not in held], c)
        for i in held:
            r = records[i]
            if r["x"]:
                s = scores(r, ranker)
                best = int(np.argmax(s))
                z = (np.array(r["x"][best]) - ranker[0]) / ranker[1]
                tops[i] = (top_features(s, z), r["y"][best], best)
    preds: list = [None] * len(records)
    for held in folds:
        train = [i for i in range(len(records)) if i not in held and tops[i] is not None]
        calib = fit_confidence([tops[i][0] for i in train], [tops[i][1] for i in train])
        for i in held:
            if tops[i] is None:
                preds[i] = (0.0, 0, records[i]["named"], -1)
            else:
                t, ok, best = tops[i]
                preds[i] = (confidence(t, calib), ok, records[i]["named"], best)
    return preds, tops


def ticker_curve(
    records: list[dict], preds: list[tuple], threshold: float
) -> tuple[float, float, int, int, int]:
    """Ticker pair precision and recall at ``threshold`` (a release given no issuer gives
    no tickers; one given its best candidate gives that candidate's), with the counts
    (correct, predicted, labelled); ``preds`` may hold several repeats of ``records``."""
    correct = predicted = labelled = 0
    for i, (p, _, _, best) in enumerate(preds):
        rec = records[i % len(records)]
        got = rec["own"][best] if p >= threshold and best >= 0 else frozenset()
        correct += len(got & rec["want"])
        predicted += len(got)
        labelled += len(rec["want"])
    return (
        correct / predicted if predicted else 1.0,
        correct / labelled if labelled else 0.0,
        correct,
        predicted,
        labelled,
    )


def curve(preds: list[tuple], threshold: float) -> tuple[float, float, int]:
    """Release precision, recall and releases given an issuer at ``threshold``."""
    given = [(p[0], p[1]) for p in preds if p[0] >= threshold]
    correct = sum(ok for _, ok in given)
    labelled = sum(p[2] for p in preds)
    precision = correct / len(given) if given else 1.0
    return precision, correct / labelled if labelled else 0.0, len(given)


def pick_threshold(preds, precision: float) -> float:
    """The lowest threshold at which the cross-validated precision is at least
    ``precision``, among those giving an issuer to 20 releases or more (0.5 when none)."""
    ok = [
        t
        for t in {round(p[0], 4) for p in preds}
        if curve(preds, t)[0] >= precision and curve(preds, t)[2] >= 20
    ]
    return min(ok) if ok else 0.5


def shown_path(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-labels", type=Path, default=TRAIN / "labels.jsonl")
    parser.add_argument("--train-releases", type=Path, default=OUT / "issuers_train_releases")
    # 0.94: a point above the issue's floor of 0.93, since a set the model never saw has
    # come out lower than cross-validation (the test half: 0.919 against 0.930); at 0.93 the
    # threshold (0.62) also let "First-time Nebraska" (tests/test_identity.py) through
    parser.add_argument("--precision", type=float, default=0.94)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--show", action="store_true", help="print the wrong picks (CV)")
    parser.add_argument(
        "--c", type=float, action="append", help="the L2 C values tried (default: 0.3, 1, 3)"
    )
    parser.add_argument("--dry-run", action="store_true", help="cross-validate; write nothing")
    args = parser.parse_args(argv)
    train = load_labels(args.train_labels)
    if not (args.train_releases / train[0]["path"]).is_file():
        extract_slice(TRAIN / "sample.txt", args.train_releases)
    issuers = load_labels(DATA / "labels.jsonl")
    extract_slice(DATA / "sample.txt", OUT / "issuers_releases")
    records = load_data([(train, args.train_releases), (issuers, OUT / "issuers_releases")])
    bound = sum(any(r["y"]) for r in records) / max(1, sum(r["named"] for r in records))
    print(
        f"{len(records)} releases, {sum(len(r['x']) for r in records)} candidates;"
        f" the issuer among the candidates for {bound:.3f} of the named ones"
    )
    results = {}
    cs = tuple(args.c) if args.c else CS
    for c in cs:
        preds = repeated(records, c)
        t = pick_threshold(preds, args.precision)
        p, r, n = curve(preds, t)
        results[c] = (r, p, t, preds)
        print(
            f"C={c}: threshold {t:.3f}: CV precision {p:.3f} recall {r:.3f} ({n} given);"
            f" the best candidate always: {curve(preds, 0.0)[0]:.3f} / {curve(preds, 0.0)[1]:.3f}"
        )
    c = max(cs, key=lambda k: (round(results[k][0], 3), round(results[k][1], 3)))
    recall, precision, threshold, preds = results[c]
    print(
        "CV curve (threshold: precision, recall, given):",
        ", ".join(
            f"{t}: {curve(preds, t)[0]:.3f} {curve(preds, t)[1]:.3f} {curve(preds, t)[2]}"
            for t in (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9)
        ),
    )
    tp, tr, tc, tn, tl = ticker_curve(records, preds, threshold)
    print(
        f"CV tickers at threshold {threshold:.3f}: precision {tp:.3f} ({tc}/{tn}),"
        f" recall {tr:.3f} ({tc}/{tl})"
    )
    if args.show:
        for rec, (p, ok, nm, best) in zip(records, preds[: len(records)], strict=True):
            if p >= threshold and not ok or nm and (p < threshold or not ok):
                shown = rec["n"][best] if best >= 0 else None
                what = "WRONG" if p >= threshold else "ABST "
                if not ok and any(rec["y"]):
                    what += " MISRANKED, right: " + rec["n"][rec["y"].index(1)]
                print(
                    f"{what} {p:.2f} {rec['path']} -> {shown!r} of {rec['n'][:6]};"
                    f" label {rec['issuer']!r}"
                )
            got = rec["own"][best] if p >= threshold and best >= 0 else frozenset()
            if got != rec["want"]:
                print(f"TICKERS {rec['path']}: got {sorted(got)}, label {sorted(rec['want'])}")
    if args.dry_run:
        return 0
    mean, scale, w = fit_ranker(records, c)
    _, tops = cross_validate(records, c)
    kept = [t for t in tops if t is not None]
    calib = fit_confidence([t[0] for t in kept], [t[1] for t in kept])
    exported = export_trees(calib, [t[0] for t in kept])
    model = {
        "model": "conditional logit over a release's candidates (standardised features), "
        "and gradient-boosted trees of the best one being right on its softmax share, score, "
        "margin and features",
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in w],
        "confidence": {
            "model": f"gradient-boosted trees ({CONFIDENCE_TREES}, depth {CONFIDENCE_DEPTH}, "
            f"{CONFIDENCE_LEAF} or more in a leaf)",
            "inputs": ["share", "score", "margin", "the best candidate's features"],
            **exported,
        },
        "threshold": threshold,
        "trained": {
            "script": "training/train_issuers.py",
            "seed": SEED,
            "C": c,
            "data": [
                f"{shown_path(args.train_labels)} ({len(train)} releases, sha256 "
                f"{digest(args.train_labels)})",
                f"benchmarks/data/issuers/labels.jsonl ({len(issuers)} releases, both halves)",
            ],
            "candidates": sum(len(r["x"]) for r in records),
            "candidate_recall": round(bound, 4),
            "cv": {
                "folds": FOLDS,
                "repeats": REPEATS,
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "target_precision": args.precision,
                "ticker_precision": round(tp, 4),
                "ticker_recall": round(tr, 4),
            },
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out} (C={c}, threshold {threshold:.3f}, CV precision {precision:.3f},"
        f" recall {recall:.3f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
