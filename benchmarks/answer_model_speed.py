"""Answer model speed: the shipped model against another model folder, alternated.

Each round times ``--calls`` calls of ``AnswerModel.logits`` on one question and
``--pairs`` candidate texts (real sentences of a bundled release, cut to the model's
window), first the baseline folder then the shipped one, in one process; the table gives
the milliseconds per call of each round and the shipped model's ratio to the baseline in
the same round (the machine's own speed drifts between runs, so only the ratio compares).

Usage:
    python benchmarks/answer_model_speed.py --baseline /path/to/an/older/model/folder

An older model's folder comes from the history: its ``card.json``, ``tokenizer.json`` and
``.onnx`` file (``git show REV:qa/models/FILE > FOLDER/FILE``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

if not __package__:  # run as a script
    import _repo_path  # noqa: F401

from ingest.sentences import split_sentences  # noqa: E402
from qa.answer_model import MODEL_DIR, AnswerModel  # noqa: E402

RELEASE = Path(__file__).resolve().parents[1] / "data" / "releases"
QUESTION = "Who manufactures the drug for the company, and under what agreement?"


def candidates(n: int) -> list[str]:
    """``n`` real sentences of the bundled releases, the longest first."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(RELEASE.glob("*.txt"))]
    sentences = [t[a:b] for t in texts for a, b in split_sentences(t)]
    return sorted(sentences, key=len, reverse=True)[:n]


def per_call_ms(model: AnswerModel, texts: list[str], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        model.logits(QUESTION, texts)
    return (time.perf_counter() - started) / calls * 1000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--baseline", type=Path, required=True, help="a model folder with card.json")
    p.add_argument("--model", type=Path, default=MODEL_DIR, help="default: the shipped model")
    p.add_argument("--pairs", type=int, default=12, help="candidates per call (retrieve: ~12)")
    p.add_argument("--calls", type=int, default=50)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)
    base, model = AnswerModel(args.baseline), AnswerModel(args.model)
    texts = candidates(args.pairs)
    for warm in (base, model):  # the first call sets up the session
        warm.logits(QUESTION, texts)
    print(f"| round | {base.name} ms/call | {model.name} ms/call | ratio |")
    print("| --- | --- | --- | --- |")
    for r in range(1, args.rounds + 1):
        b = per_call_ms(base, texts, args.calls)
        m = per_call_ms(model, texts, args.calls)
        print(f"| {r} | {b:.1f} | {m:.1f} | {m / b:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
