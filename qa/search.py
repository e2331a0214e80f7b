"""``retrieve``: hybrid search over the index, passages chosen per release, answer sentences.

The stages are in :mod:`qa.ranking`; this module does the I/O between them (the index's
dense and keyword search, the chunks and sentences they name) and reads time out of the
question (:mod:`qa.timeq`).
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from index import (
    Encoder,
    IndexCorruptError,
    IndexReader,
    default_index_dir,
    get_encoder,
    reading,
)
from ingest.dates import MONTH_NAME

from .answer import AnswerScorer
from .answer_model import load_answer_model
from .boilerplate import excluded_kinds
from .copies import copies_of
from .exact import Exact, Term, parse
from .filters import chunk_filter
from .matching import covering, holding, literal_share, occurrences, phrase_reason, without_kinds
from .passage import Filters, Passage
from .query import Query, analyse, is_list_question
from .ranking import Fusion, Ranked, diversify, place_passages, score_chunks
from .rerank import apply_scores, move_to_answers, score_windows, window_candidates
from .settings import Settings
from .timeq import TimeQuery, parse_time

__all__ = [
    "MODES",
    "newest_first",
    "phrase_reason",
    "rank",
    "retrieve",
]  # phrase_reason: qa.matching

DEFAULT_SETTINGS = Settings()
_DATEISH = re.compile(rf"\d|\b(?:{MONTH_NAME})\b", re.I)
MODES = ("hybrid", "keyword")  # retrieve(mode=...): dense and keyword search, or keyword only


def retrieve(
    question: str,
    k: int = 5,
    index_dir: str | os.PathLike[str] | None = None,
    *,
    filters: Filters | None = None,
    encoder: Encoder | None = None,
    settings: Settings | None = None,
    interpret_time: bool = True,
    last_good: bool = False,
    mode: str = "hybrid",
) -> list[Passage]:
    """Return up to ``k`` cited passages for ``question``, best first.

    A phrase in quotes (``"Fast Track designation"``, ``“...”``) must occur in every
    passage exactly (:mod:`qa.exact`); when no release holds it, nothing is returned
    (:func:`qa.missing_phrases` says which phrase). Identifiers and figures
    ("NCT01234567", "$6.5 million") rank the passages holding them higher, and a question
    that is nothing else keeps to those passages. Boilerplate (About, safe harbor,
    contacts, links) takes no slot unless the question asks for it
    (:mod:`qa.boilerplate`).

    Args:
        question: a natural-language question or keywords.
        k: how many passages: by default up to three per release, a release's later
            passages ranked below comparable other releases; one per release when the
            question asks for releases or companies ("Which releases mention ...").
        index_dir: the index (default ``PRESSROOM_INDEX`` or ``data/index``).
        filters: date range, companies/tickers, section kinds, applied before ranking.
        encoder: the embedding model; must be the one that built the index.
        settings: every knob (:class:`qa.Settings`).
        interpret_time: read "since March 2024", "before 2020", "before the
            partnership" as release-date filters, "in 2016" as a preference for that
            period (a limit when the question asks for releases or companies: "Which
            companies announced acquisitions in Q2 2025?"), words relative to the newest
            release ("last quarter", "this year", "since March") as those periods, and
            "latest"/"current" as newest-first among the answering hits.
            Explicit ``filters`` dates take precedence.
        last_good: when the current generation is damaged, answer from the newest older
            one that opens (:func:`index.open_reader`; the app does this).
        mode: ``"hybrid"`` (the default: dense and keyword search fused) or
            ``"keyword"``: candidates from the keyword index alone, ranked by BM25 and
            sentence evidence; every passage holds a word of the question.

    Raises:
        IndexNotFoundError: no index was built at ``index_dir``.
        ModelMismatchError: the index was built with another model.
        IndexCorruptError: a file of the index is damaged (the message names it and the
            repair command); BadCurrentError for the ``CURRENT`` pointer.
        IndexFormatError: the index cannot be read by this version (the message says why).
        ValueError: an unknown ``mode``.

    Example:
        >>> for hit in retrieve("Who manufactures CLR 131?", k=3):  # doctest: +SKIP
        ...     print(hit.title, hit.date, hit.answer)
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    question = question.strip()
    if not question or k <= 0:
        return []
    settings = settings or DEFAULT_SETTINGS
    if mode == "keyword":
        settings = replace(settings, rank=replace(settings.rank, dense_weight=0.0))
    if is_list_question(question):
        per_doc = min(settings.rank.per_doc, settings.rank.list_question_per_doc)
        settings = replace(settings, rank=replace(settings.rank, per_doc=per_doc))
    filters = filters or Filters()
    folder = Path(index_dir) if index_dir is not None else default_index_dir()
    with reading(folder, last_good=last_good) as reader:
        try:
            return _retrieve(reader, question, k, filters, encoder, settings, interpret_time, mode)
        except (KeyError, IndexError, TypeError, RuntimeError) as exc:
            # only data can make these fail here: if the files fail their full check,
            # the damage is the error; on a sound index it is a bug, and stays one
            if not reader.damage():
                raise
            raise _damaged(reader) from exc


def _damaged(reader: IndexReader) -> IndexCorruptError:
    first = reader.damage()[0]
    return IndexCorruptError(
        f"index damaged: {first}; run `pressroom repair --index {reader.index_dir}`", first.path
    )


def _retrieve(
    reader: IndexReader,
    question: str,
    k: int,
    filters: Filters,
    encoder: Encoder | None,
    settings: Settings,
    interpret_time: bool,
    mode: str = "hybrid",
) -> list[Passage]:
    encoder = encoder or get_encoder(reader.manifest.model)
    exact = parse(question)
    if any(_DATEISH.search(p.text) for p in exact.phrases):
        interpret_time = False  # a quoted "March 2024" is a phrase to match, not a limit
    reader.manifest.check_model(encoder.name, encoder.dim, reader.index_dir)
    if interpret_time:  # a list question's period is a limit; relative words, the newest's
        newest = reader.date_range()[1]
        when = parse_time(question, newest, limits=is_list_question(question))
    else:
        when = TimeQuery(question)
    if (when.date_from or when.date_to) and _excludes_nothing(reader, when):
        # "to reach $44.6 billion by 2034": a limit that no release date falls outside
        # of speaks of the fact asked about, so its words stay in the searched text
        when = replace(when, text=question, date_from=None, date_to=None)
    timed = _with_time(reader, encoder, when, filters, settings)
    text = when.text or question
    prefer = (when.prefer_from, when.prefer_to) if when.prefer_from and when.prefer_to else None
    embed = _embedder(encoder, exact.rest if text == question else text)
    keyword_only = mode == "keyword"
    ranked = rank(reader, text, embed, k, timed, settings, prefer, exact, keyword_only)
    if not ranked and timed != filters:  # the question's own dates excluded everything
        embed = _embedder(encoder, exact.rest)
        ranked = rank(reader, question, embed, k, filters, settings, prefer, exact, keyword_only)
    hits = _passages(reader, ranked, settings)
    return newest_first(hits) if when.recent else hits


def newest_first(hits: Sequence[Passage]) -> list[Passage]:
    """For "latest"/"current" questions: the answering passages newest first, then the rest
    in their order (a passage that does not answer never moves ahead of one that does)."""
    answering = sorted((h for h in hits if h.answerable), key=lambda h: h.date or "", reverse=True)
    return answering + [h for h in hits if not h.answerable]


def rank(
    reader: IndexReader,
    text: str,
    embed: Callable[[], np.ndarray],
    k: int,
    filters: Filters,
    settings: Settings,
    prefer: tuple[str, str] | None = None,
    exact: Exact | None = None,
    keyword_only: bool = False,
) -> list[Ranked]:
    """The best chunks for ``text`` with their passages, at most ``per_doc`` per release.

    ``embed`` gives the question's vector. The question's analysis and keyword search run
    in a worker thread meanwhile: SQLite and onnxruntime both release the GIL, so on two
    cores the two take the time of the longer one. ``exact`` is what the question asks to
    match exactly (default: read from ``text``); ``keyword_only`` leaves the dense search
    out of the candidates.
    """
    r = settings.rank
    exact = exact if exact is not None else parse(text)
    allowed = reader.allowed_chunks(chunk_filter(reader, filters))
    if allowed is not None and not allowed:
        return []
    required: tuple[Term, ...] = exact.phrases
    if required:  # every result holds every quoted phrase
        allowed = holding(reader, required, allowed, every=True)
        if not allowed:
            return []
    literal = (
        holding(reader, exact.literals, allowed, every=False, limit=max(1000, 10 * k))
        if exact.literals
        else []
    )
    if exact.bare and literal:  # "NCT01234567": the passages that hold it
        allowed, required = literal, exact.literals
    n = max(r.candidates, r.candidates_per_k * k)

    def analyse_and_search() -> tuple[Query, dict[int, float]]:
        query = analyse(reader, exact.rest if text == exact.rest else text, prefer)
        return query, dict(reader.keyword(query.keyword_terms, n, allowed, settings.keyword))

    pending = _worker().submit(analyse_and_search)
    try:
        qvec = embed()
        dense = {} if keyword_only else dict(reader.dense(qvec, n, allowed, settings.vectors))
    finally:
        query, keyword = pending.result()
    literal_set = set(literal)
    ids = sorted(set(dense) | set(keyword) | set(literal[:n]))
    if not ids:
        return []
    _add_dense(reader, dense, [i for i in ids if i not in dense], qvec)  # keyword-only hits
    fuse = Fusion.of(dense, keyword, ids, r.dense_weight)
    share = literal_share(reader, exact.literals, literal_set)

    def score(i: int) -> float:
        return fuse(i) + r.literal_boost * share(i)

    fused = {i: score(i) for i in ids}
    depth = max(r.rerank_depth, 3 * k)
    ranked = sorted(ids, key=lambda i: (-fused[i], i))
    # Boilerplate the question does not ask for takes no slot; it still counts as evidence
    # of its release (scores are normalised over every candidate, and a release whose About
    # matched is read in full below).
    skip = frozenset() if filters.kinds else excluded_kinds(text)
    top = without_kinds(reader, ranked, skip, text)[:depth]
    # The passage of a release is chosen among all its chunks by sentence-level evidence:
    # the chunk that matched the question best as a whole is often the lead, while the
    # sentence that answers sits a few paragraphs further down.
    rows = reader.chunks(sorted(set(top) | set(ranked[:depth])))
    releases = _one_per_group(ranked[:depth], rows)
    siblings = _siblings(reader, releases, fused, allowed, r.expand_docs)
    siblings = without_kinds(reader, siblings, skip, text, fallback=False)
    if keyword_only and siblings:  # only chunks holding a word of the question
        terms = analyse(reader, text).keyword_terms
        siblings = [i for i, _ in reader.keyword(terms, len(siblings), siblings)]
    if siblings:
        _add_dense(reader, dense, siblings, qvec)
        fused.update({i: score(i) for i in siblings})
        rows.update(reader.chunks(siblings))
        top = top + siblings
    sentences = reader.sentences(top)
    scorer = AnswerScorer(query.answer, settings.answer)
    scored, choice = score_chunks(top, rows, sentences, fused, query, qvec, scorer, r)
    doc_spans = _sentences_by_release(top, rows, sentences)
    # every chunk read holds a required phrase (they are the allowed ones); a passage that
    # leaves its occurrence out is widened to it below
    found = occurrences(reader, required, {rows[i].doc_id for i in top}) if required else {}
    kept = diversify(scored, r.per_doc, r.release_repeat_penalty, k)
    if not settings.answer.use_model or not kept:
        placed = place_passages(kept, rows, doc_spans, choice, reader.document_text, r)
        return covering(placed, required, found, doc_spans, any_one=not exact.phrases)
    first_choice = {doc: dict(c) for doc, c in choice.items()}  # placing consumes them
    first_spans = {doc: list(s) for doc, s in doc_spans.items()}
    placed = place_passages(kept, rows, doc_spans, choice, reader.document_text, r)
    placed = covering(placed, required, found, first_spans, any_one=not exact.phrases)
    a = settings.answer
    if keyword_only:  # the model picks answers and confidence; the order stays BM25's
        a = replace(a, model_weight=0.0)
    model = load_answer_model(max_length=a.model_max_length or None)
    picks = window_candidates(placed, first_choice, first_spans, a)
    scores = score_windows(model, text, placed, picks, first_spans, reader.document_text)
    ranked = apply_scores(placed, scores, model.confidence, a)
    if required or not a.release_candidates:  # the quoted phrases keep a passage; and
        return ranked  # without reading outside the windows, every answer is inside one
    return move_to_answers(
        ranked, rows, first_choice, first_spans, reader.document_text, r.passage_chars
    )


def _one_per_group(ids: Sequence[int], rows: dict) -> list[int]:
    """The releases of ``ids`` in order, the first of each release group only (a copy
    never takes another release's place among those whose every chunk is read)."""
    first: dict[int, int] = {}
    for i in ids:
        first.setdefault(rows[i].group, rows[i].doc_id)
    kept = set(first.values())
    return [rows[i].doc_id for i in ids if rows[i].doc_id in kept]


def _sentences_by_release(
    ids: Sequence[int], rows: dict, sentences: dict
) -> dict[int, list[tuple[int, int]]]:
    """The sentence spans read of each release (every chunk of ``ids``)."""
    out: dict[int, list[tuple[int, int]]] = {}
    for i in ids:
        out.setdefault(rows[i].doc_id, []).extend(sentences.get(i, ([], None))[0])
    return out


def _add_dense(
    reader: IndexReader, dense: dict[int, float], ids: Sequence[int], qvec: np.ndarray
) -> None:
    """Exact cosine of ``ids`` added to ``dense``."""
    if ids:
        sims = reader.chunk_vectors(ids) @ qvec
        dense.update(zip(ids, map(float, sims), strict=True))


def _siblings(
    reader: IndexReader,
    doc_order: Sequence[int],
    fused: dict[int, float],
    allowed: Sequence[int] | None,
    expand_docs: int,
) -> list[int]:
    """The chunks of the first ``expand_docs`` releases not scored yet (and allowed)."""
    docs = list(dict.fromkeys(doc_order))[:expand_docs]
    siblings = [i for i in reader.chunks_of(docs) if i not in fused]
    if allowed is not None:
        allowed_set = set(allowed)
        siblings = [i for i in siblings if i in allowed_set]
    return siblings


def _embedder(encoder: Encoder, text: str) -> Callable[[], np.ndarray]:
    return lambda: encoder.encode([text])[0]


def _with_time(
    reader: IndexReader,
    encoder: Encoder,
    when: TimeQuery,
    filters: Filters,
    settings: Settings,
) -> Filters:
    """Add the question's own date limits to ``filters`` (explicit ones win)."""
    date_from, date_to = when.date_from, when.date_to
    if when.event:  # date the event by the release that best matches it
        event_text = f"{when.event} {when.text}"
        found = rank(reader, event_text, _embedder(encoder, event_text), 1, filters, settings)
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


def confidence(answer_score: float, center: float, scale: float) -> float:
    """The logistic of an answer score: the estimated chance that the sentence answers.

    >>> confidence(0.84, 0.84, 12.0)
    0.5
    """
    z = scale * (answer_score - center)
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def _passages(reader: IndexReader, ranked: Sequence[Ranked], settings: Settings) -> list[Passage]:
    a_settings = settings.answer
    copies = copies_of(reader, [r.row for r in ranked])
    out = []
    for r in ranked:
        row = r.row
        conf = r.confidence
        if conf is None:  # the first-stage calibration (the answer model did not read it)
            conf = confidence(
                r.answer_score, a_settings.confidence_center, a_settings.confidence_scale
            )
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
                url=row.url,
                confidence=round(conf, 4),
                answerable=conf >= a_settings.answerable_at,
                copies=copies[row.doc_id].paths,
                differing_copies=copies[row.doc_id].differing,
                copy_wires=copies[row.doc_id].wires,
            )
        )
    return out
