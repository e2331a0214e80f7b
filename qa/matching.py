"""Exact matches and boilerplate in the index: the I/O behind :mod:`qa.exact` and
:mod:`qa.boilerplate` for the ranking of :mod:`qa.search`.

The keyword index finds the chunks that may hold a phrase (FTS5 phrase queries read
Porter stems); each is then checked word for word. :func:`phrase_reason` says why a
question's quoted phrases leave no passage.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from index import IndexReader, default_index_dir, reading

from .boilerplate import admits
from .exact import Term, parse
from .filters import chunk_filter
from .passage import Filters
from .ranking import Ranked

__all__ = [
    "EXACT_CHECK_MAX",
    "covering",
    "holding",
    "literal_share",
    "occurrences",
    "phrase_reason",
    "without_kinds",
]


def phrase_reason(
    question: str,
    index_dir: str | os.PathLike[str] | None = None,
    *,
    filters: Filters | None = None,
    last_good: bool = False,
) -> str:
    """Why the question's quoted phrases leave no passage, in a few words; "" when each
    occurs (all of them in one release) among the releases ``filters`` allow.

    The command line, the UI and the API say it when :func:`retrieve` returned nothing
    for a question with a quoted phrase, e.g. ``no release contains "zzq"``.
    """
    phrases = parse(question).phrases
    if not phrases:
        return ""
    folder = Path(index_dir) if index_dir is not None else default_index_dir()
    with reading(folder, last_good=last_good) as reader:
        allowed = reader.allowed_chunks(chunk_filter(reader, filters or Filters()))
        if allowed is not None and not allowed:
            return ""  # the filters leave nothing: that is the reason to give
        absent = [p for p in phrases if not holding(reader, [p], allowed, every=False)]
        if not absent and (len(phrases) < 2 or holding(reader, phrases, allowed, every=True)):
            return ""
    where = "" if filters is None or filters.is_empty() else " under these filters"
    if absent:
        quoted = " or ".join(f'"{p.text}"' for p in absent)
        return f"no release{where} contains {quoted}"
    quoted = ", ".join(f'"{p.text}"' for p in phrases)
    return f"no release{where} contains all of {quoted}"


def without_kinds(
    reader: IndexReader,
    ids: list[int],
    kinds: frozenset[str],
    question: str,
    *,
    fallback: bool = True,
) -> list[int]:
    """``ids`` without the boilerplate chunks of ``kinds`` that ``question`` does not ask
    for (:func:`qa.boilerplate.admits`); with ``fallback``, all of ``ids`` when none is
    left (the only evidence there is, e.g. a quoted phrase found only in safe harbors)."""
    if not kinds or not ids:
        return ids
    of = reader.chunk_kinds(ids)
    kept = [i for i in ids if i in of and admits(*of[i], question, kinds)]
    return kept or (ids if fallback else [])


# Chunks a phrase or literal query checks word for word, best BM25 first: a phrase held by
# more chunks than this (in a very large index) is looked for in these only.
EXACT_CHECK_MAX = 50_000


def holding(
    reader: IndexReader,
    terms: Sequence[Term],
    allowed: Sequence[int] | None,
    *,
    every: bool,
    limit: int = EXACT_CHECK_MAX,
) -> list[int]:
    """The chunks (among ``allowed``) whose text holds one of ``terms`` exactly, best BM25
    first; with ``every``, only those of releases that hold every one of them. The keyword
    index finds the candidates (as stems), the text is then checked word for word."""
    held: dict[int, set[int]] = {}  # chunk -> which terms
    doc_of: dict[int, int] = {}
    order: list[int] = []
    for n, term in enumerate(terms):
        candidates = reader.phrase_chunks(term.tokens, allowed)[:limit]
        texts = reader.chunk_texts(candidates)
        for cid in candidates:
            if cid in texts and term.occurs_in(texts[cid][1]):
                if cid not in held:
                    order.append(cid)
                held.setdefault(cid, set()).add(n)
                doc_of[cid] = texts[cid][0]
    if not every or len(terms) < 2:
        return order
    per_doc: dict[int, set[int]] = {}
    for cid in order:
        per_doc.setdefault(doc_of[cid], set()).update(held[cid])
    complete = {d for d, got in per_doc.items() if len(got) == len(terms)}
    return [cid for cid in order if doc_of[cid] in complete]


def literal_share(
    reader: IndexReader, terms: Sequence[Term], holding: set[int]
) -> Callable[[int], float]:
    """Per chunk, the share of the question's literals its text holds (0 for most)."""
    if not terms or not holding:
        return lambda i: 0.0
    if len(terms) == 1:
        return lambda i: 1.0 if i in holding else 0.0
    texts: dict[int, str] = {}

    def share(i: int) -> float:
        if i not in holding:
            return 0.0
        if i not in texts:
            texts[i] = reader.chunk_texts([i])[i][1]
        return sum(t.occurs_in(texts[i]) for t in terms) / len(terms)

    return share


def occurrences(
    reader: IndexReader, terms: Sequence[Term], docs: set[int]
) -> dict[int, list[tuple[int, int, int]]]:
    """Per release: ``(start, end, term index)`` of every occurrence of ``terms``."""
    out = {}
    for doc in docs:
        text = reader.document_text(doc)
        out[doc] = sorted((a, b, n) for n, t in enumerate(terms) for a, b in t.find(text))
    return out


def covering(
    placed: Sequence[Ranked],
    phrases: Sequence[Term],
    found: dict[int, list[tuple[int, int, int]]],
    doc_spans: dict[int, list[tuple[int, int]]],
    *,
    any_one: bool = False,
) -> list[Ranked]:
    """Each passage widened, by whole sentences, to hold an occurrence of every phrase
    (the nearest one) when its window left one out; with ``any_one`` (the literals of a
    bare question), an occurrence of one of them."""
    if not phrases:
        return list(placed)
    out = []
    for r in placed:
        start, end = r.passage
        occurrences = found.get(r.row.doc_id, [])
        for n in [None] if any_one else range(len(phrases)):
            mine = [(a, b) for a, b, m in occurrences if n is None or m == n]
            if not mine or any(start <= a and b <= end for a, b in mine):
                continue
            a, b = min(mine, key=lambda s: min(abs(s[0] - end), abs(s[1] - start)))
            spans = doc_spans.get(r.row.doc_id, [])
            a = min([s for s, e in spans if s <= a < e] or [a])
            b = max([e for s, e in spans if s < b <= e] or [b])
            start, end = min(start, a), max(end, b)
        out.append(replace(r, passage=(start, end)))
    return out
