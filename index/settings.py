"""Search and vector-index knobs of the index layer, as frozen dataclasses.

They are part of :class:`qa.Settings` (the one settings tree a query runs with, printed
by the quality benchmark); the vector settings an index was built with are recorded in
its manifest (``extra.vectors``). Why each default is what it is: the README's Speed
section.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KeywordSettings", "VectorSettings"]


@dataclass(frozen=True)
class KeywordSettings:
    """The keyword (FTS5) query.

    Attributes:
        postings_budget: postings a query may score (FTS5 takes ~1.5 us each); the
            commonest terms are left out past it.
        filter_in_sql_max: a filter allowing at most this many chunks goes into the SQL;
            a broader one is applied to the ranked rows.
    """

    postings_budget: int = 4_000
    filter_in_sql_max: int = 2_000


@dataclass(frozen=True)
class VectorSettings:
    """The FAISS index: its type by size, and how a filtered search runs.

    Attributes:
        exact_max: exact search up to this many vectors, IVF above.
        nprobe_divisor: an IVF index probes ``nlist / nprobe_divisor`` lists.
        filter_exact_max: a filter allowing at most this many ids is searched exactly.
        train_per_list: k-means sample size per IVF list (FAISS warns below 39).
        compressed_min: above this many vectors the index is compressed (IVF-PQ, its
            candidates re-ranked exactly from float16 stored vectors); IVF's
            uncompressed lists take 1.5 KB a vector.
        pq_m: bytes of product code per vector in the compressed index.
        pq_nprobe_divisor: the compressed index probes ``nlist / pq_nprobe_divisor`` lists.
        pq_rerank: candidates of the compressed index re-ranked exactly.
    """

    exact_max: int = 50_000
    nprobe_divisor: int = 8
    filter_exact_max: int = 20_000
    train_per_list: int = 40
    compressed_min: int = 2_000_000
    pq_m: int = 48
    pq_nprobe_divisor: int = 16
    pq_rerank: int = 400
