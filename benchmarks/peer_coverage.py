"""How much of each release MiniLM really reads through the nodes LlamaIndex embedded.

MiniLM truncates its input to ``max_seq_length`` word-pieces, [CLS] and [SEP] included.
Each node's embedded text is tokenized without truncation; the characters of the
word-pieces within the limit are mapped back onto the release text through the fast
tokenizer's offsets, and a whitespace word of a release counts as embedded when any of its
characters is read by some node. Used by ``benchmarks/peer_llamaindex.py`` in the peer's own
environment: it imports nothing from Pressroom.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from typing import Any

__all__ = ["coverage", "percentile"]

_WORD = re.compile(r"\S+")


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default), q in [0, 100]."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def coverage(
    docs: Sequence[Any],
    nodes: Sequence[Any],
    embed_texts: list[str],
    tokenizer: Any,
    max_seq_length: int,
) -> dict:
    """How much of each release the model reads, through the nodes LlamaIndex embedded.

    Args:
        docs: LlamaIndex ``Document`` objects (``doc_id``, ``text``).
        nodes: the nodes embedded (``get_content``, ``ref_doc_id``, ``start_char_idx``).
        embed_texts: each node's text as embedded (``MetadataMode.EMBED``).
        tokenizer: the model's fast tokenizer (offsets mapping).
        max_seq_length: word-pieces the model reads, special tokens included.
    """
    budget = max_seq_length - tokenizer.num_special_tokens_to_add(pair=False)
    marks = _mark_nodes(docs, nodes, embed_texts, tokenizer, max_seq_length, budget)
    words_total, words_in_nodes, words_embedded, per_doc = _count_words(docs, marks)
    n = len(nodes)
    pieces, meta_pieces, content_pieces = marks["pieces"], marks["meta"], marks["content"]
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
        "nodes_truncated": marks["truncated"] / n,
        "nodes_truncated_count": marks["truncated"],
        "nodes_unlocated": marks["unlocated"],
        "wordpieces_per_node_mean": statistics.fmean(pieces),
        "wordpieces_per_node_median": statistics.median(pieces),
        "wordpieces_per_node_max": max(pieces),
        "metadata_wordpieces_per_node_mean": statistics.fmean(meta_pieces),
        "text_wordpieces_per_node_mean": statistics.fmean(content_pieces),
    }


def _mark_nodes(
    docs: Sequence[Any],
    nodes: Sequence[Any],
    embed_texts: list[str],
    tokenizer: Any,
    max_seq_length: int,
    budget: int,
) -> dict[str, Any]:
    """Per release, the characters the model reads (``seen``) and those in a node (``covered``).

    Also per node its word-pieces (all, metadata, text), and the nodes truncated and the
    nodes whose text could not be found in their release.
    """
    from llama_index.core.schema import MetadataMode

    enc = tokenizer(
        embed_texts, add_special_tokens=True, truncation=False, return_offsets_mapping=True
    )
    by_id = {d.doc_id: d for d in docs}
    out = {
        "seen": {d.doc_id: bytearray(len(d.text)) for d in docs},  # 1 = read by the model
        "covered": {d.doc_id: bytearray(len(d.text)) for d in docs},  # 1 = inside some node
        "pieces": [],
        "meta": [],
        "content": [],
        "truncated": 0,
        "unlocated": 0,
    }
    for node, text, ids, offsets in zip(
        nodes, embed_texts, enc["input_ids"], enc["offset_mapping"], strict=True
    ):
        body = node.get_content(metadata_mode=MetadataMode.NONE)
        start_in_text = len(text) - len(body) if text.endswith(body) else text.find(body)
        spans = [(s, e) for s, e in offsets if e > s]  # special tokens have empty spans
        out["pieces"].append(len(ids))
        out["meta"].append(sum(1 for s, _ in spans if s < start_in_text))
        out["content"].append(len(spans) - out["meta"][-1])
        if len(ids) > max_seq_length:
            out["truncated"] += 1
            seen_end = spans[budget - 1][1]  # end of the last word-piece the model reads
        else:
            seen_end = len(text)
        seen_len = max(0, min(len(body), seen_end - start_in_text))
        doc = by_id.get(node.ref_doc_id)
        start = node.start_char_idx
        if doc is None or start is None or doc.text[start : start + len(body)] != body:
            out["unlocated"] += 1
            continue
        out["seen"][doc.doc_id][start : start + seen_len] = b"\x01" * seen_len
        out["covered"][doc.doc_id][start : start + len(body)] = b"\x01" * len(body)
    return out


def _count_words(docs: Sequence[Any], marks: dict) -> tuple[int, int, int, list[float]]:
    """Words in all, inside some node, and read by the model; and each release's share read."""
    words_total = words_embedded = words_in_nodes = 0
    per_doc = []
    for doc in docs:
        s, c = marks["seen"][doc.doc_id], marks["covered"][doc.doc_id]
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
    return words_total, words_in_nodes, words_embedded, per_doc
