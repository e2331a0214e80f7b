"""List questions: ``list_releases(question) -> ReleaseList``, every release that answers.

"Which companies announced acquisitions in Q2 2025?" asks for all the releases of an
event, not the five best passages. The question's period ("in Q2 2025", "last quarter",
"since March", relative to the newest release) is a hard limit on release dates. A wide
pool of candidates (dense and keyword search over the news text, boilerplate left out)
gives the best-matching releases, one per release group; the answer model
(:mod:`qa.answer_model`) then reads each one's headline, lead and the sentences nearest
the question, and a release is listed when its calibrated confidence that its best
sentence answers (this release itself announces the event) reaches
``Settings.lists.member_at`` and its news sentence nearest the question (by sentence
vector) is at least ``near_share`` as near as the pool's nearest (a release about
something else that the model still reads as answering a "which company" question
is left out). Rows come best first, a page at a time.

Example:
    >>> from qa import list_releases
    >>> found = list_releases("Which companies made acquisitions in Q2 2025?")  # doctest: +SKIP
    >>> found.period.words, found.total  # doctest: +SKIP
    ('in Q2 2025', 7)
    >>> for row in found.rows:  # doctest: +SKIP
    ...     print(row.date, row.company, row.title, row.sentence)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from index import ChunkRow, Encoder, IndexReader, default_index_dir, get_encoder, reading
from ingest.types import BOILERPLATE_KINDS

from .answer_model import candidate_text, load_answer_model
from .filters import chunk_filter
from .passage import Filters
from .query import analyse
from .ranking import Fusion
from .search import _add_dense
from .settings import ListSettings, Settings
from .timeq import TimeQuery, parse_time

__all__ = ["ListRow", "Period", "ReleaseList", "list_releases", "read_period"]

DEFAULT_PAGE_SIZE = 20
Span = tuple[int, int]


@dataclass(frozen=True)
class Period:
    """The period a question names, applied as a release-date limit (the UI's chip).

    Attributes:
        date_from: first day, ISO, or None (open).
        date_to: last day, ISO, or None (open).
        words: the question's words it was read from ("in Q2 2025", "last quarter").
    """

    date_from: str | None
    date_to: str | None
    words: str

    def label(self) -> str:
        """The chip's text.

        >>> Period("2025-04-01", "2025-06-30", "in Q2 2025").label()
        'in Q2 2025: 2025-04-01 to 2025-06-30'
        >>> Period("2024-01-01", None, "since 2024").label()
        'since 2024: from 2024-01-01'
        """
        if self.date_from and self.date_to:
            span = f"{self.date_from} to {self.date_to}"
        else:
            span = f"from {self.date_from}" if self.date_from else f"to {self.date_to}"
        return f"{self.words}: {span}"


@dataclass(frozen=True)
class ListRow:
    """One release that answers a list question.

    Attributes:
        doc_id: the release's id in the index (the member of its group that answered).
        company: the issuing company, when the release names it.
        date: ISO ``YYYY-MM-DD``, or None.
        title: the headline.
        sentence: the release's sentence that answers (the answer model's best).
        source: the file it came from.
        confidence: the answer model's calibrated chance that ``sentence`` answers.
        tickers: exchange:ticker pairs of the release.
        url: the release's own source link, when its file names one.
        sentence_start: offset of ``sentence`` in the release's stored text.
        sentence_end: offset one past its end.
        copies: the files of the release's other copies.
    """

    doc_id: int
    company: str | None
    date: str | None
    title: str
    sentence: str
    source: str
    confidence: float
    tickers: tuple[str, ...] = ()
    url: str | None = None
    sentence_start: int = 0
    sentence_end: int = 0
    copies: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReleaseList:
    """The answer to a list question: one page of the releases that answer it.

    Attributes:
        question: the question as asked.
        searched: what was searched (the question without its period words).
        rows: this page's releases, best first.
        total: how many releases answer, on every page.
        page: this page's number, from 0.
        page_size: rows per page.
        period: the period read from the question and applied, or None.
        filters: every filter applied (the caller's, with the period's dates).
    """

    question: str
    searched: str
    rows: tuple[ListRow, ...]
    total: int
    page: int
    page_size: int
    period: Period | None
    filters: Filters

    @property
    def has_more(self) -> bool:
        """Whether a later page holds more rows."""
        return (self.page + 1) * self.page_size < self.total


def read_period(question: str, newest: str | None) -> tuple[TimeQuery, Period | None]:
    """The question's time words read as limits on the release dates, with its chip.

    >>> when, period = read_period("Which startups raised funding in 2025?", "2025-12-01")
    >>> when.text, period
    ('Which startups raised funding?', Period(date_from='2025-01-01', date_to='2025-12-31', \
words='in 2025'))
    """
    when = parse_time(question, newest, limits=True)
    if when.limited and when.words:
        return when, Period(when.date_from, when.date_to, when.words)
    return when, None


def list_releases(
    question: str,
    index_dir: str | os.PathLike[str] | None = None,
    *,
    filters: Filters | None = None,
    page: int = 0,
    page_size: int = DEFAULT_PAGE_SIZE,
    use_period: bool = True,
    encoder: Encoder | None = None,
    settings: Settings | None = None,
    last_good: bool = False,
) -> ReleaseList:
    """Every release that answers a list question, best first, a page at a time.

    Args:
        question: "Which companies announced acquisitions in Q2 2025?".
        index_dir: the index (default ``PRESSROOM_INDEX`` or ``data/index``).
        filters: the caller's filters (their dates win over the question's period).
        page: which page, from 0.
        page_size: rows per page (20).
        use_period: apply the period the question names (False: the chip removed; its
            words are still left out of the searched text).
        encoder: the embedding model; must be the one that built the index.
        settings: every knob (:class:`qa.Settings`; ``settings.lists`` for this).
        last_good: answer from the newest older generation when the current is damaged.

    Raises:
        ValueError: ``page`` below 0 or ``page_size`` below 1.
        IndexNotFoundError, IndexFormatError: as :func:`qa.retrieve`.
    """
    if page < 0 or page_size < 1:
        raise ValueError(f"page {page} / page size {page_size}: need page >= 0, size >= 1")
    question = question.strip()
    settings = settings or Settings()
    filters = filters or Filters()
    folder = Path(index_dir) if index_dir is not None else default_index_dir()
    with reading(folder, last_good=last_good) as reader:
        when, period = read_period(question, reader.date_range()[1])
        if not use_period:
            period = None
        applied = replace(
            filters,
            date_from=filters.date_from or (period.date_from if period else None),
            date_to=filters.date_to or (period.date_to if period else None),
        )
        rows: list[ListRow] = []
        if question:
            encoder = encoder or get_encoder(reader.manifest.model)
            reader.manifest.check_model(encoder.name, encoder.dim, reader.index_dir)
            rows = _members(reader, when.text or question, encoder, applied, settings)
    shown = tuple(rows[page * page_size : (page + 1) * page_size])
    return ReleaseList(question, when.text, shown, len(rows), page, page_size, period, applied)


def _members(
    reader: IndexReader, text: str, encoder: Encoder, filters: Filters, settings: Settings
) -> list[ListRow]:
    s = settings.lists
    news = replace(filters, exclude_boilerplate=True)
    allowed = reader.allowed_chunks(chunk_filter(reader, news))
    if allowed is not None and not allowed:
        return []
    qvec = encoder.encode([text])[0]
    query = analyse(reader, text)
    dense = dict(reader.dense(qvec, s.pool_chunks, allowed, settings.vectors))
    keyword = dict(reader.keyword(query.keyword_terms, s.pool_chunks, allowed, settings.keyword))
    ids = sorted(set(dense) | set(keyword))
    if not ids:
        return []
    _add_dense(reader, dense, [i for i in ids if i not in dense], qvec)  # keyword-only hits
    fuse = Fusion.of(dense, keyword, ids, settings.rank.dense_weight)
    chunk_rows = reader.chunks(ids)
    docs = _best_releases(ids, chunk_rows, {i: fuse(i) for i in ids}, s.pool_releases)
    allowed_set = set(allowed) if allowed is not None else None
    siblings = [
        i
        for i in reader.chunks_of(docs)
        if i not in chunk_rows and (allowed_set is None or i in allowed_set)
    ]
    chunk_rows.update(reader.chunks(siblings))
    own = [i for i, r in chunk_rows.items() if r.doc_id in set(docs)]
    sentences = reader.sentences(own)
    picks, nearest = _candidates(docs, chunk_rows, sentences, qvec, s)
    model = load_answer_model()
    inputs, keys = [], []
    for doc, (order, chosen, title) in picks.items():
        text_of = reader.document_text(doc)
        said = [text_of[a:b] for a, b in order]
        for i in chosen:
            inputs.append(candidate_text(said, i, title))
            keys.append((doc, order[i]))
    logits = model.logits(text, inputs) if inputs else np.zeros(0)
    best: dict[int, tuple[float, Span]] = {}
    for (doc, span), logit in zip(keys, map(float, logits), strict=True):
        if doc not in best or logit > best[doc][0]:
            best[doc] = (logit, span)
    first_row = {}
    for r in chunk_rows.values():
        first_row.setdefault(r.doc_id, r)
    copies = _copies(reader, [first_row[d] for d in best])
    top = max(nearest.values(), default=0.0)
    out = []
    for doc, (logit, (a, b)) in best.items():
        conf = model.confidence(logit)
        if conf < s.member_at or nearest.get(doc, 0.0) < s.near_share * top:
            continue
        row = first_row[doc]
        out.append(
            ListRow(
                doc_id=doc,
                company=row.company,
                date=row.date,
                title=row.title or Path(row.path).stem,
                sentence=reader.document_text(doc)[a:b].strip(),
                source=row.path,
                confidence=round(conf, 4),
                tickers=row.tickers,
                url=row.url,
                sentence_start=a,
                sentence_end=b,
                copies=copies.get(doc, ()),
            )
        )
    out.sort(key=lambda r: r.date or "", reverse=True)  # ties: the newest first
    out.sort(key=lambda r: -r.confidence)
    return out


def _best_releases(
    ids: Sequence[int], rows: Mapping[int, ChunkRow], fused: Mapping[int, float], n: int
) -> list[int]:
    """The ``n`` releases of the best chunks, one per release group, best first."""
    seen: set[int] = set()
    out: list[int] = []
    for i in sorted(ids, key=lambda i: (-fused[i], i)):
        row = rows[i]
        if row.group in seen:
            continue
        seen.add(row.group)
        out.append(row.doc_id)
        if len(out) == n:
            break
    return out


def _candidates(
    docs: Sequence[int],
    rows: Mapping[int, ChunkRow],
    sentences: Mapping[int, tuple[list[Span], np.ndarray]],
    qvec: np.ndarray,
    s: ListSettings,
) -> tuple[dict[int, tuple[list[Span], list[int], str]], dict[int, float]]:
    """Per release: its news sentences in order, the positions the model reads (the
    first ``lead_sentences`` and the ``best_sentences`` nearest the question) and its
    headline; and the cosine of its news sentence nearest the question."""
    spans: dict[int, list[Span]] = {d: [] for d in docs}
    sims: dict[int, list[float]] = {d: [] for d in docs}
    for cid, (found, vecs) in sentences.items():
        row = rows[cid]
        if row.kind in BOILERPLATE_KINDS or row.doc_id not in spans:
            continue
        spans[row.doc_id].extend(found)
        sims[row.doc_id].extend(map(float, vecs @ qvec))
    out, near = {}, {}
    for doc in docs:
        pairs = sorted(set(zip(spans[doc], sims[doc], strict=True)))
        if not pairs:
            continue
        near[doc] = max(sim for _, sim in pairs)
        order = [sp for sp, _ in pairs]
        nearest = sorted(range(len(pairs)), key=lambda i: (-pairs[i][1], i))
        chosen = list(dict.fromkeys([*range(min(s.lead_sentences, len(order))), *nearest]))
        chosen = chosen[: s.lead_sentences + s.best_sentences]
        title = next((r.title for r in rows.values() if r.doc_id == doc and r.title), "")
        out[doc] = (order, chosen, title or "")
    return out, near


def _copies(reader: IndexReader, rows: Sequence[ChunkRow]) -> dict[int, tuple[str, ...]]:
    members = reader.group_members(sorted({r.group for r in rows}))
    return {
        r.doc_id: tuple(m.path for m in members.get(r.group, []) if m.doc_id != r.doc_id)
        for r in rows
    }
