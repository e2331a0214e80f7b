"""Ingest throughput against the model's own speed, and against a peer tool, in one run.

For each corpus (the 990 biopharma releases plus the 2 bundled ones; a slice of the
Newsworthy archive), with the default encoder loaded once:

1. **end to end**: ``ingest.sync`` of the folder into an empty index: reading, parsing,
   chunking, embedding (with the late-pooled sentence vectors), the SQLite store, the
   FTS index, FAISS, and publishing.
2. **raw encode**: ``encoder.encode`` of exactly the chunk texts step 1 embedded (noted
   as they went by), all at once, sorted and batched the encoder's own way: the model's
   cost alone.

The ratio end-to-end / raw encode is the overhead of everything that is not the model.
The model's speed drifts by 10-20% between runs on a shared VM, and steps 1 and 2 run
minutes apart, so the table also gives the time step 1 spent inside the model (encoding
and pooling the sentence vectors) and end to end over that: the same overhead, measured
within one run.
``--torch`` adds sentence-transformers' raw ``encode`` of the same texts (the
reference speed of the model on torch).

``--peer`` runs LlamaIndex (``VectorStoreIndex`` over FAISS with the same MiniLM, its
default 1,024-token chunks) on the same folder, in its own virtualenv made by
``benchmarks/peer_env.sh``, and reports the words each system really embeds: MiniLM reads
at most 256 word-pieces per chunk, so text past that in a chunk is not embedded.

    python benchmarks/ingest_speed.py                          # both corpora
    python benchmarks/ingest_speed.py --archive 500 --peer     # smaller slice, with the peer
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import numpy as np

    from index import Encoder

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUT = REPO / "benchmarks" / "out"
DATA = REPO.parent / "shared" / "eval" / "data"
PEER_PYTHON = OUT / "peer-venv" / "bin" / "python"
QUESTIONS = REPO / "benchmarks" / "data" / "pr_questions.jsonl"
T = TypeVar("T")

__all__ = [
    "Recorder",
    "archive_slice",
    "embedded_words",
    "main",
    "print_peer_table",
    "print_tables",
    "query_latency",
    "run_peer",
    "run_pressroom",
]


class Recorder:
    """The real encoder, noting the texts it is given and the time it spends on them."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder = encoder
        self.texts: list[str] = []
        self.model_s = 0.0  # inside the model's encode calls, during the sync itself
        self.name, self.dim, self.max_tokens = encoder.name, encoder.dim, encoder.max_tokens

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-pieces of each text (the real encoder's, untimed)."""
        return self._encoder.count_tokens(texts)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """The real encoder's vectors, noted and timed."""
        return self._timed(self._encoder.encode, texts, batch_size)

    def encode_with_sentences(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """The real encoder's text and span vectors, noted and timed."""
        return self._timed(self._encoder.encode_with_sentences, texts, spans)

    def _timed(self, method: Callable[..., T], texts: Sequence[str], *args: object) -> T:
        """``method(texts, *args)``, its texts noted and its time added to ``model_s``."""
        self.texts.extend(texts)
        started = time.perf_counter()
        try:
            return method(texts, *args)
        finally:
            self.model_s += time.perf_counter() - started


def archive_slice(data: Path, n: int) -> Path:
    """The first ``n`` archive releases (sorted by path) as a folder of links."""
    from benchmarks.scale_build import extract_archive

    root = extract_archive(data)
    target = OUT / f"archive_slice_{n}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    files = sorted(root.rglob("*.md"))[:n]
    for f in files:
        dest = target / f.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, dest)
    (target / ".complete").write_text(str(len(files)))
    return target


def embedded_words(index_dir: Path, encoder: Encoder) -> tuple[int, int]:
    """(words of the stored releases, words of them that the encoder read).

    A word counts as read when it lies in a chunk whose embedded text fits the model's
    window; in a longer chunk, only the share that fits (chunks overlap by a sentence,
    so a word is counted once however many chunks hold it).
    """
    import re
    import sqlite3

    gen = (index_dir / "CURRENT").read_text().strip()
    db = sqlite3.connect(index_dir / gen / "store.sqlite")
    docs = dict(db.execute("SELECT doc_id, text FROM documents"))
    titles = dict(db.execute("SELECT doc_id, title FROM documents"))
    spans: dict[int, list[tuple[int, int]]] = {}
    rows = db.execute('SELECT doc_id, start, "end" FROM chunks ORDER BY doc_id, start').fetchall()
    db.close()
    limit = encoder.max_tokens - 2
    texts = [docs[d][s:e] for d, s, e in rows]
    heads = encoder.count_tokens([f"{titles[d] or ''}\n" for d, _, _ in rows])
    counts = encoder.count_tokens(texts)
    for (d, s, e), n, h in zip(rows, counts, heads, strict=True):
        seen = e if n + h <= limit else s + int((e - s) * max(limit - h, 0) / max(n, 1))
        spans.setdefault(d, []).append((s, seen))
    total = read = 0
    word = re.compile(r"\S+")
    for d, text in docs.items():
        starts = [m.start() for m in word.finditer(text)]
        total += len(starts)
        covered = sorted(spans.get(d, []))
        i = 0
        for pos in starts:
            while i < len(covered) and covered[i][1] <= pos:
                i += 1
            if any(a <= pos < b for a, b in covered[i : i + 3]):
                read += 1
    return total, read


def run_pressroom(folder: Path, encoder: Encoder, torch_too: bool) -> dict:
    """Sync ``folder`` into a new index, then encode the same texts raw: times and sizes."""
    from benchmarks.scale_measure import status_mb
    from index import sync

    rec = Recorder(encoder)  # notes the texts embedded (a list append per batch)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        started = time.perf_counter()
        report = sync([folder], Path(tmp) / "idx", encoder=rec)
        e2e = time.perf_counter() - started
        latency = query_latency(Path(tmp) / "idx", encoder)
        words, read = embedded_words(Path(tmp) / "idx", encoder)
        size = sum(p.stat().st_size for p in (Path(tmp) / "idx").rglob("*") if p.is_file())
    texts = rec.texts

    started = time.perf_counter()
    encoder.encode(texts)
    raw = time.perf_counter() - started
    out = {
        "releases": report.documents,
        "chunks": report.chunks,
        "embedded_texts": len(texts),
        "failed": len(report.failed),
        "raw_encode_s": round(raw, 1),
        "end_to_end_s": round(e2e, 1),
        "ratio": round(e2e / raw, 3),
        # the same run's own model time (encoding plus pooling the sentence vectors): the
        # model's speed drifts by 10-20% between runs on a shared VM, so this ratio,
        # measured within one run, shows the overhead without that drift
        "model_in_sync_s": round(rec.model_s, 1),
        "outside_model_s": round(e2e - rec.model_s, 1),
        "ratio_in_run": round(e2e / rec.model_s, 3) if rec.model_s else None,
        "words": words,
        "words_embedded": read,
        "query": latency,
        "index_mb": round(size / 1e6, 1),
        "peak_rss_mb": status_mb("VmHWM"),  # this process so far: model, store, FAISS
    }
    if torch_too:
        from sentence_transformers import SentenceTransformer

        from index.encoder import default_model_path

        st = SentenceTransformer(default_model_path(), device="cpu")
        started = time.perf_counter()
        st.encode(texts, batch_size=32)
        out["torch_raw_encode_s"] = round(time.perf_counter() - started, 1)
    return out


def query_latency(index_dir: Path, encoder: Encoder, n: int = 100) -> dict:
    """Median and 95th-percentile ``retrieve`` ms over the first ``n`` questions (warm)."""
    from benchmarks.scale_measure import question_texts
    from qa import retrieve

    questions = question_texts(QUESTIONS)
    for q in questions[:5]:
        retrieve(q, index_dir=index_dir, encoder=encoder)
    times = []
    for q in questions[:n]:
        t = time.perf_counter()
        retrieve(q, index_dir=index_dir, encoder=encoder)
        times.append(1000 * (time.perf_counter() - t))
    times.sort()
    return {"p50_ms": round(times[len(times) // 2], 1), "p95_ms": round(times[int(0.95 * n)], 1)}


def run_peer(folder: Path, queries: int) -> dict | None:
    """``peer_llamaindex.py`` on ``folder`` in the peer venv; its JSON (None without the venv)."""
    if not PEER_PYTHON.exists():
        print("  peer: no virtualenv; run `bash benchmarks/peer_env.sh` first")
        return None
    out = OUT / f"peer_{folder.name}.json"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    subprocess.run(
        [
            str(PEER_PYTHON),
            str(REPO / "benchmarks" / "peer_llamaindex.py"),
            "--corpus",
            str(folder),
            "--questions",
            str(QUESTIONS),
            "--queries",
            str(queries),
            "--out",
            str(out),
        ],
        check=True,
        env=env,
    )
    return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    """Measure each corpus, print the tables, save ``ingest_speed_<time>.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--archive", type=int, default=2000, help="archive releases (0: none)")
    parser.add_argument("--skip-pr", action="store_true", help="only the archive slice")
    parser.add_argument("--torch", action="store_true", help="also raw sentence-transformers")
    parser.add_argument("--peer", action="store_true", help="also LlamaIndex (peer venv)")
    args = parser.parse_args(argv)
    if not (args.data / "press_releases_newsworthy").is_dir():
        print(f"skipped: {args.data} not found (needs ../shared/eval/data)")
        return 0

    from benchmarks.corpora import load_benchmark
    from index import get_encoder

    corpora = []
    if not args.skip_pr:
        load_benchmark("pr", args.data, OUT)  # writes the 990 releases as files
        corpora.append(("990 biopharma releases", OUT / "corpus_pr"))
    if args.archive:
        corpora.append((f"archive slice ({args.archive})", archive_slice(args.data, args.archive)))

    started = time.perf_counter()
    encoder = get_encoder()
    encoder.encode(["warm-up"])
    load_s = time.perf_counter() - started
    print(f"encoder {encoder!r} loaded in {load_s:.1f} s")
    results = []
    for label, folder in corpora:
        print(f"{label}: {folder}", flush=True)
        row = {"corpus": label, "folder": str(folder)}
        row["pressroom"] = run_pressroom(folder, encoder, args.torch)
        print(f"  pressroom {row['pressroom']}", flush=True)
        if args.peer:
            row["peer"] = run_peer(folder, 100)
        results.append(row)
    print_tables(results)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"ingest_speed_{stamp}.json").write_text(json.dumps(results, indent=1))
    return 0


def print_tables(results: list[dict]) -> None:
    """The throughput table and, with ``--peer``, the words-embedded comparison."""
    print()
    print(
        "| corpus | releases | chunks | raw encode s | end to end s | ratio | "
        "model s in the sync | outside the model s | end to end / model in the sync | "
        "chunks/s | releases/s | index MB | peak RSS MB | query p50 / p95 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        p = r["pressroom"]
        print(
            f"| {r['corpus']} | {p['releases']} | {p['chunks']} | {p['raw_encode_s']} | "
            f"{p['end_to_end_s']} | {p['ratio']:.2f} | {p['model_in_sync_s']} | "
            f"{p['outside_model_s']} | {p['ratio_in_run']:.2f} | "
            f"{p['chunks'] / p['end_to_end_s']:.1f} | "
            f"{p['releases'] / p['end_to_end_s']:.1f} | {p['index_mb']} | {p['peak_rss_mb']} | "
            f"{p['query']['p50_ms']} / {p['query']['p95_ms']} |"
        )
    peers = [r for r in results if r.get("peer")]
    if peers:
        print_peer_table(peers)


def print_peer_table(peers: list[dict]) -> None:
    """Pressroom and LlamaIndex on the same corpora: words embedded, and the ratios."""
    print()
    print(
        "| corpus | system | chunks | ingest s | words embedded | share of text | "
        "words embedded/s | query p50 ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in peers:
        p, q = r["pressroom"], r["peer"]
        qc = q["coverage"]
        for name, chunks, secs, words, total, p50 in (
            (
                "Pressroom",
                p["chunks"],
                p["end_to_end_s"],
                p["words_embedded"],
                p["words"],
                p["query"]["p50_ms"],
            ),
            (
                "LlamaIndex",
                q["nodes"],
                q["end_to_end_s"],
                qc["words_embedded"],
                qc["words_total"],
                round(q["queries"]["p50_ms"], 1),
            ),
        ):
            print(
                f"| {r['corpus']} | {name} | {chunks} | {secs:.1f} | {words:,} | "
                f"{words / total:.0%} | {words / secs:.0f} | {p50} |"
            )
        mine = p["words_embedded"] / p["end_to_end_s"]
        theirs = qc["words_embedded"] / q["end_to_end_s"]
        print(
            f"\nratios (Pressroom / LlamaIndex): ingest time "
            f"{p['end_to_end_s'] / q['end_to_end_s']:.2f}, words embedded per second "
            f"{mine / theirs:.2f}, query p50 {p['query']['p50_ms'] / q['queries']['p50_ms']:.2f}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
