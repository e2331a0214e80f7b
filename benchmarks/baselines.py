"""Two plain baselines over fixed-size character chunks: dense (FAISS) and BM25.

Both read the corpus files as they are on disk, cut them into 1000-character chunks
with 200 characters of overlap, and return the top chunks with no diversity and no
re-ranking: what a first RAG prototype would do.

Example:
    >>> chunks = chunk_corpus({"a": "x" * 1500}, size=1000, overlap=200)
    >>> [(c.start, c.end) for c in chunks]
    [(0, 1000), (800, 1500)]
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index import Encoder

__all__ = ["BM25Baseline", "BaseChunk", "DenseBaseline", "chunk_corpus", "fixed_windows"]


@dataclass(frozen=True)
class BaseChunk:
    """A fixed window of one document: ``text == document[start:end]``."""

    doc: str
    start: int
    end: int
    text: str


def fixed_windows(length: int, size: int = 1000, overlap: int = 200) -> list[tuple[int, int]]:
    """Windows ``[start, end)`` of ``size`` characters, each overlapping the last by ``overlap``.

    The last window ends at ``length``; a text no longer than ``size`` is one window.

    Example:
        >>> fixed_windows(2000)
        [(0, 1000), (800, 1800), (1600, 2000)]
    """
    if size <= overlap:
        raise ValueError("size must be larger than overlap")
    if length <= 0:
        return []
    out, start = [], 0
    while True:
        end = min(start + size, length)
        out.append((start, end))
        if end >= length:
            return out
        start = end - overlap


def chunk_corpus(docs: Mapping[str, str], size: int = 1000, overlap: int = 200) -> list[BaseChunk]:
    """Fixed windows of every non-blank document, in key order."""
    chunks = []
    for key in sorted(docs):
        text = docs[key]
        for s, e in fixed_windows(len(text), size, overlap):
            if text[s:e].strip():
                chunks.append(BaseChunk(key, s, e, text[s:e]))
    return chunks


class DenseBaseline:
    """MiniLM vectors of the chunks in an exact inner-product FAISS index.

    Attributes:
        build_seconds: time to embed (or fetch from the cache) and index the chunks.
    """

    def __init__(self, chunks: Sequence[BaseChunk], encoder: Encoder) -> None:
        import faiss

        started = time.perf_counter()
        self.chunks = list(chunks)
        self.encoder = encoder
        self.index = faiss.IndexFlatIP(encoder.dim)
        vectors = encoder.encode([c.text for c in self.chunks])
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.build_seconds = time.perf_counter() - started

    def search(
        self, query: str, k: int, encoder: Encoder | None = None
    ) -> list[tuple[BaseChunk, float]]:
        """The ``k`` chunks with the highest cosine to the query."""
        qvec = (encoder or self.encoder).encode([query])
        scores, ids = self.index.search(np.ascontiguousarray(qvec, dtype=np.float32), k)
        return [
            (self.chunks[i], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0
        ]


class BM25Baseline:
    """BM25 (bm25s, Lucene variant) over lower-cased words without English stopwords.

    Attributes:
        build_seconds: time to tokenise and index the chunks.
    """

    def __init__(self, chunks: Sequence[BaseChunk]) -> None:
        try:
            import bm25s
        except ImportError as exc:
            raise ImportError("the BM25 baseline needs bm25s: pip install bm25s") from exc
        started = time.perf_counter()
        self._bm25s = bm25s
        self.chunks = list(chunks)
        self.retriever = bm25s.BM25()
        self.retriever.index(self._tokenize([c.text for c in self.chunks]), show_progress=False)
        self.build_seconds = time.perf_counter() - started

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        """Lower-cased words without English stopwords, as the index and queries use them."""
        return self._bm25s.tokenize(
            texts, lower=True, stopwords="en", return_ids=False, show_progress=False
        )

    def search(self, query: str, k: int) -> list[tuple[BaseChunk, float]]:
        """The ``k`` best chunks by BM25; chunks sharing no word with the query are left out."""
        tokens = self._tokenize([query])
        if not tokens[0]:
            return []
        k = min(k, len(self.chunks))
        ids, scores = self.retriever.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [
            (self.chunks[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0
        ]
