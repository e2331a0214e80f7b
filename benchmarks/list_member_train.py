"""Train the list questions' membership combiner (``qa/list_member.json``) on a labelled set.

Usage:
    nice -n 10 .venv/bin/python benchmarks/list_member_train.py
    .venv/bin/python benchmarks/list_member_train.py --data benchmarks/data/lists \
        --evidence benchmarks/out/list_evidence.npz --out qa/list_member.json

For every question of ``--data`` (the spent development set ``benchmarks/data/lists``: its
labels were read while this method was made) the pool of :func:`qa.list_releases` is
gathered with the real encoder and answer model over the slice's index
(``benchmarks/lists.py`` builds it) and each pool release labelled: an answer 1, any other
release 0, a borderline one left out. The rows (:func:`qa.list_member.features`) are saved
to ``--evidence`` (a second run with ``--reuse`` fits from them without the models). A
logistic regression with an L2 penalty (Newton's method, deterministic: no random state)
is fitted on standardised features; the cut's ``at`` and ``share`` are chosen by
leave-one-question-out cross-validation (each question's rows scored by a model fitted
without it) as the pair maximising the smaller of macro recall@20 and macro precision
(borderline releases counting neither way, as in ``benchmarks/lists.py``). The card
records the data, the penalty, the cross-validated figures and the chosen cut.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

if not __package__:  # run as a script
    import _repo_path  # noqa: F401

from benchmarks.lists import _groups, _relative  # noqa: E402
from index import get_encoder, reading  # noqa: E402
from qa.list_member import FEATURES, WEIGHTS, features  # noqa: E402
from qa.lists import _pool, read_period  # noqa: E402
from qa.passage import Filters  # noqa: E402
from qa.settings import Settings  # noqa: E402
from training.calibration import newton_logistic  # noqa: E402

HERE = Path(__file__).resolve().parent
PAGE = 20


def gather(index: Path, releases: Path, questions: list[dict]) -> dict:
    """Every question's pool rows, labels (1, 0, -1 borderline) and answer count."""
    encoder = get_encoder()
    group = _groups(index, releases)
    settings = Settings()
    xs, ys, qs, counts = [], [], [], []
    with reading(index) as reader:
        newest = reader.date_range()[1]
        for k, q in enumerate(questions):
            when, period = read_period(q["question"], newest)
            limits = Filters(
                date_from=period.date_from if period else None,
                date_to=period.date_to if period else None,
            )
            pool = _pool(reader, when.text or q["question"], encoder, limits, settings)
            answers = {group.get(a["path"], a["path"]) for a in q["answers"]}
            border = {group.get(b["path"], b["path"]) for b in q.get("borderline", [])}
            counts.append(len(answers))
            if pool is None:
                continue
            for row in pool.rows:
                g = group.get(_relative(row.path, releases), row.path)
                ys.append(1 if g in answers else (-1 if g in border else 0))
                qs.append(k)
            xs.append(features(pool.evidence))
            print(f"{q['id']}: {len(pool.rows)} releases", file=sys.stderr, flush=True)
    return {
        "x": np.vstack(xs),
        "y": np.array(ys),
        "q": np.array(qs),
        "answers": np.array(counts),
    }


def fit(x: np.ndarray, y: np.ndarray, penalty: float) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression of standardised ``x`` (the answer model's
    calibration fit, :func:`training.calibration.newton_logistic`): (weights, bias)."""
    w = newton_logistic(np.hstack([x, np.ones((len(x), 1))]), y, penalty)
    return w[:-1], float(w[-1])


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def probability(x, mean, scale, w, b) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(((x - mean) / scale) @ w + b, -50, 50)))


def scores(p: np.ndarray, data: dict, at: float, share: float) -> tuple[float, float]:
    """Macro recall@20 and macro precision of the cut (at, share) over the questions."""
    recalls, precisions = [], []
    for k, n_answers in enumerate(data["answers"]):
        mine = data["q"] == k
        pk, yk = p[mine], data["y"][mine]
        kept = []
        if pk.size:
            top = pk.max()
            order = np.argsort(-pk, kind="stable")
            kept = [i for i in order if pk[i] >= at and pk[i] >= share * top]
        kept = kept[:PAGE]
        found = sum(yk[i] == 1 for i in kept)
        wrong = sum(yk[i] == 0 for i in kept)
        recalls.append(found / n_answers if n_answers else 0.0)
        if found + wrong:
            precisions.append(found / (found + wrong))
    return float(np.mean(recalls)), float(np.mean(precisions)) if precisions else 0.0


def cross_validated(data: dict, penalty: float) -> np.ndarray:
    """Each question's rows scored by a combiner fitted on the other questions."""
    x, y, q = data["x"], data["y"], data["q"]
    out = np.zeros(len(y))
    for k in np.unique(q):
        train = (q != k) & (y >= 0)
        mean, scale = standardise(x[train])
        w, b = fit((x[train] - mean) / scale, y[train].astype(float), penalty)
        out[q == k] = probability(x[q == k], mean, scale, w, b)
    return out


def choose_cut(p: np.ndarray, data: dict) -> tuple[float, float, float, float]:
    """(at, share, recall, precision) maximising min(recall, precision), then their sum."""
    best = None
    for at in np.round(np.arange(0.10, 0.80, 0.025), 3):
        for share in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7):
            r, pr = scores(p, data, float(at), share)
            key = (round(min(r, pr), 4), round(r + pr, 4))
            if best is None or key > best[0]:
                best = (key, float(at), share, r, pr)
    return best[1], best[2], best[3], best[4]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "data" / "lists")
    parser.add_argument("--releases", type=Path, help="default ../labels/<data name>/releases")
    parser.add_argument("--index", type=Path, help="default benchmarks/out/index_<data name>")
    parser.add_argument("--evidence", type=Path, default=HERE / "out" / "list_evidence.npz")
    parser.add_argument("--reuse", action="store_true", help="fit from --evidence as saved")
    parser.add_argument("--penalty", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args()
    name = args.data.name
    releases = args.releases or HERE.parents[1] / "labels" / name / "releases"
    index = args.index or HERE / "out" / f"index_{name}"
    questions = [
        json.loads(line)
        for line in (args.data / "questions.jsonl").read_text().splitlines()
        if line.strip()
    ]
    if args.reuse:
        saved = np.load(args.evidence, allow_pickle=False)
        if tuple(saved["names"]) != FEATURES:
            print(f"{args.evidence}: other features; run without --reuse", file=sys.stderr)
            return 2
        data = {k: saved[k] for k in ("x", "y", "q", "answers")}
    else:
        data = gather(index, releases, questions)
        args.evidence.parent.mkdir(parents=True, exist_ok=True)
        np.savez(args.evidence, names=np.array(FEATURES), **data)
    cv = cross_validated(data, args.penalty)
    at, share, recall, precision = choose_cut(cv, data)
    used = data["y"] >= 0
    mean, scale = standardise(data["x"][used])
    w, b = fit((data["x"][used] - mean) / scale, data["y"][used].astype(float), args.penalty)
    card = {
        "script": "benchmarks/list_member_train.py",
        "data": f"benchmarks/data/{name} ({len(questions)} questions; spent: read while "
        "the method was made)",
        "rows": int(used.sum()),
        "members": int((data["y"] == 1).sum()),
        "penalty": args.penalty,
        "cross_validated": {
            "method": "leave one question out",
            "macro_recall_at_20": round(recall, 4),
            "macro_precision": round(precision, 4),
        },
    }
    out = {
        "names": list(FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in w],
        "bias": round(b, 6),
        "at": at,
        "share": share,
        "card": card,
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(
        f"cross-validated: recall@20 {recall:.3f}, precision {precision:.3f} at {at} "
        f"(share {share}); written {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
