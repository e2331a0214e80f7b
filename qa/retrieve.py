"""Hybrid retrieval: dense and keyword candidates, fused, diversified, with answer sentences."""

from __future__ import annotations

import math
import os
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from index import Encoder, IndexReader, default_index_dir, get_encoder, open_reader
from index.reader import ChunkRow
from index.store import query_terms, stem
from ingest.types import BOILERPLATE_KINDS

from .answer import AnswerScorer, answer_candidates, stems
from .filters import allowed_chunks
from .passage import Filters, Passage
from .timeq import TimeQuery, parse_time

__all__ = ["RankSettings", "retrieve"]


@dataclass(frozen=True)
class RankSettings:
    """Knobs of the ranking, tuned by ``benchmarks/quality.py``.

    ``dense_weight`` is the weight of the min-max-normalised cosine in the convex
    combination with the min-max-normalised BM25 score (Bruch et al. 2022).
    """

    candidates: int = 100
    rerank_depth: int = 20  # fused candidates re-scored with their best sentence (at least 3k)
    # releases of the best candidates whose every chunk is re-scored: pr hit@1/hit@5/MRR
    # are the same at 2, 3, 5 and 10; 5 -> 3 took warm p50 on the 990 releases 14 -> 11 ms
    expand_docs: int = 3
    passage_chars: int = 1000  # passage = whole sentences around the answer (0: the chunk)
    # Choosing a release's passage: each sentence counts with its answer score plus this
    # share of its chunk's fused score (the opening chunk matches the question as a whole,
    # the answer often sits further down), and the window of sentences whose scores have
    # the largest log-sum-exp at this temperature wins: the best sentence, with a tie-break
    # towards windows that hold other near-best sentences too (0: the best sentence's window).
    passage_fused_weight: float = 0.1
    passage_temperature: float = 0.02
    dense_weight: float = 0.3
    # 2.0 rather than 1.0: SQuAD 2.0 dev answerable questions outside the benchmark sample
    # (1910), hit@1 0.870 -> 0.873 (flat from 1.25 to 4); pr +1 question; SciFact flat
    sentence_weight: float = 2.0
    topic_weight: float = 0.3  # weight of headline words when choosing the answer sentence
    boilerplate_penalty: float = 0.15
    repeat_penalty: float = 0.10
    # Passages per release: a release's n-th passage (n = 0, 1, ...) competes with
    # its score minus n * release_repeat_penalty, so a release that answers far better
    # than the rest shows its next passages before weak other releases, while
    # comparable releases still each get one. A question asking for releases or
    # companies ("Which releases mention ...") gets one passage per release.
    # pr set, per_doc 1 -> 3 at penalty 0.2: hit@5 0.913 -> 0.973 (0.967 at 0, 0.1
    # and 0.3; 0.953 at 0.5), hit@1 unchanged; SciFact and SQuAD within 0.003.
    per_doc: int = 3
    release_repeat_penalty: float = 0.2
    list_question_per_doc: int = 1  # at most this many for "Which releases/companies ..."
    period_boost: float = 0.05  # releases of a period the question names ("in 2016")
    # no-answer calibration: logistic on the answer sentence's score
    confidence_center: float = 0.84
    confidence_scale: float = 12.0


DEFAULT_SETTINGS = RankSettings()

# a question asking for releases or companies as such, not a fact inside one
_LIST_QUESTION = re.compile(
    r"\b(which|what|list(?: all)?(?: the)?|find(?: all)?(?: the)?)\s+(?:press\s+)?"
    r"(releases|announcements|companies|firms|sponsors|issuers)\b",
    re.I,
)


_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w-]{4,}|\b\w*\d\w*[A-Za-z]\w*\b")


def _name_variants(reader: IndexReader, question: str) -> list[str]:
    """Indexed spelling variants of the names in a question ("Cellectar" ~ "Cellecstar")."""
    out: list[str] = []
    for name in dict.fromkeys(m.group(0) for m in _NAME.finditer(question)):
        if len(name) >= 6:
            out.extend(reader.similar_terms(name, 1))
    return out


@dataclass(frozen=True)
class _Ranked:
    row: ChunkRow
    score: float
    answer: tuple[int, int]  # span in the release's stored text
    answer_score: float
    passage: tuple[int, int] = (0, 0)  # the span returned: sentences around the answer


def _window(
    text: str, spans: Sequence[tuple[int, int]], answer: tuple[int, int], max_chars: int
) -> tuple[int, int]:
    """The run of whole, contiguous sentences around ``answer`` of at most ``max_chars``.

    Sentences are added alternately after and before the answer while they fit, so
    the answer sits in its context rather than at a chunk's edge.
    """
    spans = sorted(set(spans) | {answer})
    lo, hi = _window_at(text, spans, spans.index(answer), max_chars)
    return spans[lo][0], spans[hi][1]


def _window_at(
    text: str, spans: Sequence[tuple[int, int]], i: int, max_chars: int
) -> tuple[int, int]:
    """:func:`_window` around ``spans[i]`` (``spans`` sorted): first and last index."""
    lo = hi = i
    start, end = spans[i]
    grew = True
    while grew:
        grew = False
        if hi + 1 < len(spans) and not text[end : spans[hi + 1][0]].strip():
            if spans[hi + 1][1] - start <= max_chars:
                hi += 1
                end = spans[hi][1]
                grew = True
        if lo > 0 and not text[spans[lo - 1][1] : start].strip():
            if end - spans[lo - 1][0] <= max_chars:
                lo -= 1
                start = spans[lo][0]
                grew = True
    return lo, hi


def _sentence_scores(
    scorer: AnswerScorer,
    row: ChunkRow,
    spans: list[tuple[int, int]],
    vectors: np.ndarray,
    qvec: np.ndarray,
    weights: Mapping[str, float] | None = None,
) -> list[tuple[tuple[int, int], float]]:
    """The chunk's candidate answer sentences (release offsets) with their scores."""
    local = [(s - row.start, e - row.start) for s, e in spans]
    keep = answer_candidates(row.text, local, row.title)
    if not keep:
        return []
    texts = [row.text[local[i][0] : local[i][1]] for i in keep]
    scores = scorer.scores(texts, vectors[keep] @ qvec, weights=weights)
    return [(spans[i], s) for i, s in zip(keep, scores, strict=True)]


def _topic_weights(
    weights: Mapping[str, float], title: str | None, topic_weight: float
) -> Mapping[str, float]:
    """``weights`` with the headline's words scaled by ``topic_weight``.

    Words of the headline name the release's topic: every passage of it is about them,
    so they say little about which passage answers.
    """
    if not title or topic_weight == 1.0:
        return weights
    topic = stems(title)
    return {t: w * (topic_weight if t in topic else 1.0) for t, w in weights.items()}


def _choose_passage(
    text: str,
    spans: Sequence[tuple[int, int]],
    candidates: Mapping[tuple[int, int], tuple[float, int]],
    max_chars: int,
    temperature: float,
) -> tuple[tuple[int, int], tuple[int, int], int]:
    """The passage of a release: ``(window, answer sentence, chunk id of the answer)``.

    ``spans`` are the release's sentences, sorted; ``candidates`` maps those that may
    answer to their score and chunk. Every candidate's window (see :func:`_window`) is
    scored by the log-sum-exp at ``temperature`` of the candidates inside it, so a window
    holding the best sentence and other near-best ones beats one around the best
    sentence alone; with ``temperature`` 0 the best sentence's window wins. The answer
    is the best candidate of the window.
    """
    index = {sp: j for j, sp in enumerate(spans)}
    scored = sorted((index[sp], v) for sp, (v, _) in candidates.items())
    positions = [j for j, _ in scored]
    best = max(scored, key=lambda t: (t[1], -t[0]))
    choice = (-math.inf, (best[0], best[0]), best)
    # a window can only win if it holds a sentence within T*log(n) of the best one
    margin = best[1] - temperature * math.log(len(scored))
    near = [spans[j][0] for j, v in scored if v >= margin]
    for j, _ in scored if temperature > 0 else [best]:
        if min(abs(spans[j][0] - s) for s in near) > max_chars:
            continue
        lo, hi = _window_at(text, spans, j, max_chars)
        inside = scored[bisect_left(positions, lo) : bisect_right(positions, hi)]
        top = max(inside, key=lambda t: (t[1], -t[0]))
        mass = sum(math.exp((u - top[1]) / temperature) for _, u in inside) if temperature else 1
        value = top[1] + temperature * math.log(mass)
        if value > choice[0]:
            choice = (value, (lo, hi), top)
    _, (lo, hi), (a, _) = choice
    return (spans[lo][0], spans[hi][1]), spans[a], candidates[spans[a]][1]


def _rank(
    reader: IndexReader,
    question: str,
    embed: Callable[[], np.ndarray],
    k: int,
    filters: Filters,
    settings: RankSettings,
    prefer: tuple[str, str] | None = None,
) -> list[_Ranked]:
    """Best chunks, at most ``settings.per_doc`` per release.

    Dense and BM25 candidates are fused by a convex combination of min-max-normalised
    scores; boilerplate and text repeated across releases are demoted; the best
    candidates are then re-scored with their best sentence, whose vector was pooled
    at ingest from the chunk's own encoding, so this costs no model call.

    ``embed`` gives the question's vector. The keyword search runs in a worker thread
    meanwhile: SQLite and onnxruntime both release the GIL, so on two cores the two
    take the time of the longer one.
    """
    allowed = allowed_chunks(reader, filters)
    if allowed is not None and not allowed:
        return []
    n = max(settings.candidates, 10 * k)
    pending = _worker().submit(
        lambda: dict(reader.keyword(question, n, allowed, _name_variants(reader, question)))
    )
    try:
        qvec = embed()
        dense = dict(reader.dense(qvec, n, allowed))
    finally:
        keyword = pending.result()
    ids = sorted(set(dense) | set(keyword))
    if not ids:
        return []
    missing = [i for i in ids if i not in dense]
    if missing:  # exact cosine for keyword-only candidates
        sims = reader.chunk_vectors(missing) @ qvec
        dense.update(zip(missing, map(float, sims), strict=True))
    lo, hi = min(dense.values()), max(dense.values())
    kmax = max(keyword.values(), default=0.0)
    kmin = min(keyword.values(), default=0.0) if len(keyword) == len(ids) else 0.0

    def fuse(i: int) -> float:
        d = (dense[i] - lo) / (hi - lo) if hi > lo else 1.0
        kw = (keyword.get(i, 0.0) - kmin) / (kmax - kmin) if kmax > kmin else 0.0
        w = settings.dense_weight
        return w * min(max(d, 0.0), 1.0) + (1 - w) * kw

    fused = {i: fuse(i) for i in ids}
    top = sorted(ids, key=lambda i: (-fused[i], i))[: max(settings.rerank_depth, 3 * k)]
    # The passage of a release is chosen among all its chunks by sentence-level evidence:
    # the chunk that matched the question best as a whole is often the lead, while the
    # sentence that answers sits a few paragraphs further down.
    rows = reader.chunks(top)
    docs = list(dict.fromkeys(rows[i].doc_id for i in top))
    siblings = [i for i in reader.chunks_of(docs[: settings.expand_docs]) if i not in fused]
    if allowed is not None:
        allowed_set = set(allowed)
        siblings = [i for i in siblings if i in allowed_set]
    if siblings:
        sims = reader.chunk_vectors(siblings) @ qvec
        dense.update(zip(siblings, map(float, sims), strict=True))
        fused.update({i: fuse(i) for i in siblings})
        rows.update(reader.chunks(siblings))
        top = top + siblings
    sentences = reader.sentences(top)
    weights = reader.idf([stem(t) for t in query_terms(question)])
    scorer = AnswerScorer(question)
    doc_weights: dict[int, Mapping[str, float]] = {}
    scored = []
    # per release: candidate sentence -> (score for choosing the passage, chunk id)
    choice: dict[int, dict[tuple[int, int], tuple[float, int]]] = {}
    for i in top:
        row = rows[i]
        spans, vectors = sentences.get(i, ([], np.zeros((0, qvec.shape[0]), np.float32)))
        if row.doc_id not in doc_weights:  # once per release, not per chunk
            doc_weights[row.doc_id] = _topic_weights(weights, row.title, settings.topic_weight)
        cands = _sentence_scores(scorer, row, spans, vectors, qvec, doc_weights[row.doc_id])
        answer, answer_score = (
            max(cands, key=lambda t: t[1]) if cands else ((row.start, row.end), 0.0)
        )
        penalty = settings.repeat_penalty * row.repeat
        if row.kind in BOILERPLATE_KINDS:
            penalty += settings.boilerplate_penalty
        doc_choice = choice.setdefault(row.doc_id, {})
        for span, value in cands:
            v = value + settings.passage_fused_weight * fused[i] - penalty
            if span not in doc_choice or v > doc_choice[span][0]:
                doc_choice[span] = (v, i)
        s = fused[i] + settings.sentence_weight * answer_score - penalty
        if prefer and row.date and prefer[0] <= row.date <= prefer[1]:
            s += settings.period_boost
        scored.append(_Ranked(row, s, answer, answer_score))
    scored.sort(key=lambda r: (-r.score, r.row.chunk_id))
    seen: dict[int, int] = {}
    kept = []
    for r in scored:
        n = seen.get(r.row.doc_id, 0)
        if n < settings.per_doc:
            seen[r.row.doc_id] = n + 1
            kept.append(replace(r, score=r.score - n * settings.release_repeat_penalty))
    kept.sort(key=lambda r: (-r.score, r.row.chunk_id))
    out = kept[:k]
    if settings.passage_chars <= 0:
        return [replace(r, passage=(r.row.start, r.row.end)) for r in out]
    doc_spans: dict[int, list[tuple[int, int]]] = {}
    for i in top:
        doc_spans.setdefault(rows[i].doc_id, []).extend(sentences.get(i, ([], None))[0])
    windowed = []
    for r in out:
        text = reader.document_text(r.row.doc_id)
        spans = sorted(set(doc_spans[r.row.doc_id]))
        cands = choice.get(r.row.doc_id)
        if not cands:  # no sentence to choose from: the chunk's own span
            span = _window(text, spans, r.answer, settings.passage_chars)
            windowed.append(replace(r, passage=span))
            continue
        span, answer, chunk = _choose_passage(
            text, spans, cands, settings.passage_chars, settings.passage_temperature
        )
        windowed.append(replace(r, row=rows[chunk], answer=answer, passage=span))
        # with per_doc > 1, the release's next passage comes from the sentences left
        doc_spans[r.row.doc_id] = [sp for sp in spans if not span[0] <= sp[0] < span[1]]
        choice[r.row.doc_id] = {sp: v for sp, v in cands.items() if not span[0] <= sp[0] < span[1]}
    return windowed


def retrieve(
    question: str,
    k: int = 5,
    index_dir: str | os.PathLike[str] | None = None,
    *,
    filters: Filters | None = None,
    encoder: Encoder | None = None,
    settings: RankSettings | None = None,
    interpret_time: bool = True,
) -> list[Passage]:
    """Return up to ``k`` cited passages for ``question``, best first.

    Args:
        question: a natural-language question or keywords.
        k: how many passages: by default up to three per release, a release's later
            passages ranked below comparable other releases; one per release when the
            question asks for releases or companies ("Which releases mention ...").
        index_dir: the index (default ``PRESSROOM_INDEX`` or ``data/index``).
        filters: date range, companies/tickers, section kinds, applied before ranking.
        encoder: the embedding model; must be the one that built the index.
        settings: ranking knobs.
        interpret_time: read "since March 2024", "before 2020", "before the
            partnership" as release-date filters, "in 2016" as a preference for that
            period, and "latest"/"current" as newest-first among the answering hits.
            Explicit ``filters`` dates take precedence.

    Raises:
        IndexNotFoundError: no index was built at ``index_dir``.
        ModelMismatchError: the index was built with another model.

    Example:
        >>> for hit in retrieve("Who manufactures CLR 131?", k=3):  # doctest: +SKIP
        ...     print(hit.title, hit.date, hit.answer)
    """
    question = question.strip()
    if not question or k <= 0:
        return []
    settings = settings or DEFAULT_SETTINGS
    if _LIST_QUESTION.search(question):
        settings = replace(settings, per_doc=min(settings.per_doc, settings.list_question_per_doc))
    filters = filters or Filters()
    reader = open_reader(Path(index_dir) if index_dir is not None else default_index_dir())
    encoder = encoder or get_encoder(reader.manifest.model)
    reader.manifest.check_model(encoder.name, encoder.dim, reader.index_dir)
    when = parse_time(question) if interpret_time else TimeQuery(question)
    if (when.date_from or when.date_to) and _excludes_nothing(reader, when):
        # "to reach $44.6 billion by 2034": a limit that no release date falls outside
        # of speaks of the fact asked about, so its words stay in the searched text
        when = replace(when, text=question, date_from=None, date_to=None)
    timed = _with_time(reader, encoder, when, filters, settings)
    text = when.text or question
    prefer = (when.prefer_from, when.prefer_to) if when.prefer_from and when.prefer_to else None
    ranked = _rank(reader, text, lambda: encoder.encode([text])[0], k, timed, settings, prefer)
    if not ranked and timed != filters:  # the question's own dates excluded everything
        embed = lambda: encoder.encode([question])[0]  # noqa: E731
        ranked = _rank(reader, question, embed, k, filters, settings, prefer)
    hits = _passages(reader, ranked, settings)
    if when.recent:  # the newest statement first among the passages that answer
        answering = sorted(
            (h for h in hits if h.answerable), key=lambda h: h.date or "", reverse=True
        )
        hits = answering + [h for h in hits if not h.answerable]
    return hits


def _with_time(
    reader: IndexReader,
    encoder: Encoder,
    when: TimeQuery,
    filters: Filters,
    settings: RankSettings,
) -> Filters:
    """Add the question's own date limits to ``filters`` (explicit ones win)."""
    date_from, date_to = when.date_from, when.date_to
    if when.event:  # date the event by the release that best matches it
        event_text = f"{when.event} {when.text}"
        found = _rank(
            reader, event_text, lambda: encoder.encode([event_text])[0], 1, filters, settings
        )
        if found and found[0].row.date:
            pivot = found[0].row.date
            if when.event_relation == "before":
                date_to = _shift(pivot, -1)
            else:
                date_from = _shift(pivot, 1)
    return replace(
        filters,
        date_from=filters.date_from or date_from,
        date_to=filters.date_to or date_to,
    )


def _excludes_nothing(reader: IndexReader, when: TimeQuery) -> bool:
    """Whether the question's release-date limits leave every dated release in."""
    first, last = reader.date_range()
    if first is None or last is None:
        return False
    return (when.date_from is None or when.date_from <= first) and (
        when.date_to is None or when.date_to >= last
    )


_WORKER: ThreadPoolExecutor | None = None
_WORKER_LOCK = threading.Lock()


def _worker() -> ThreadPoolExecutor:
    """The threads that run keyword searches beside the question's encoding."""
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None:
            _WORKER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pressroom-keyword")
        return _WORKER


def _shift(iso: str, days: int) -> str:
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()


def _passages(
    reader: IndexReader, ranked: Sequence[_Ranked], settings: RankSettings
) -> list[Passage]:
    out = []
    for r in ranked:
        row = r.row
        z = settings.confidence_scale * (r.answer_score - settings.confidence_center)
        conf = 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
        a, b = r.answer
        start, end = r.passage
        text = reader.document_text(row.doc_id) if (start, end) != (row.start, row.end) else None
        out.append(
            Passage(
                text=text[start:end] if text is not None else row.text,
                score=round(float(r.score), 6),
                doc_id=row.doc_id,
                chunk_id=row.chunk_id,
                title=row.title or Path(row.path).stem,
                date=row.date,
                source=row.path,
                start=start,
                end=end,
                answer=(text[a:b] if text is not None else row.text[a - row.start : b - row.start]),
                answer_start=a,
                answer_end=b,
                company=row.company,
                tickers=row.tickers,
                kind=row.kind,
                section=row.section,
                confidence=round(conf, 4),
                answerable=conf >= 0.5,
            )
        )
    return out
