"""List questions: ``list_releases(question) -> ReleaseList``, every release that answers.

"Which companies announced acquisitions in Q2 2025?" asks for all the releases of an
event, not the five best passages. The question's period ("in Q2 2025", "last quarter",
"since March", relative to the newest release) is a hard limit on release dates. A wide
pool of candidates (dense and keyword search over the news text, boilerplate left out)
gives the best-matching releases, one per release group. Membership is then decided on
what a member must *announce*: the question less its list frame and period words
(:mod:`qa.list_predicate`: "Which companies announced acquisitions?" -> "announced
acquisitions"). Each pool release's headline and lead are read: the answer model's
calibrated probability that they answer, the cosine of the headline and lead to the
predicate, the share of the predicate's head terms they hold, and how well the first
stage matched it; :mod:`qa.list_member`'s learned combiner turns these, absolute and
relative to the pool, into a membership probability, and a release is listed when it
reaches the combiner's cut (``Settings.lists.member_at`` / ``member_share`` override
it). Rows come most probable first, a page at a time.

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
from ingest.analysis import stem, stems
from ingest.types import BOILERPLATE_KINDS

from .answer_model import candidate_text, load_answer_model
from .copies import copies_of
from .filters import chunk_filter
from .list_member import Evidence, cut, features, load_combiner
from .list_predicate import predicate
from .passage import Filters
from .query import analyse
from .ranking import Fusion
from .recent import Recent
from .search import _add_dense
from .settings import Settings
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
        sentence: the release's sentence that answers (the answer model's best of its lead).
        source: the file it came from.
        confidence: the chance that the release answers (:mod:`qa.list_member`).
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
            rows = _cached_members(reader, when.text or question, encoder, applied, settings)
    shown = tuple(rows[page * page_size : (page + 1) * page_size])
    return ReleaseList(question, when.text, shown, len(rows), page, page_size, period, applied)


# The rows of recent list questions, so that "More results" (the next page) reads them
# instead of answering again: keyed by the generation (its folder and creation time: a
# rebuilt index has another), the text, the model, the filters and the settings.
_recent: Recent[list[ListRow]] = Recent(16)


def _cached_members(
    reader: IndexReader, text: str, encoder: Encoder, filters: Filters, settings: Settings
) -> list[ListRow]:
    key = (
        str(reader.path),
        reader.manifest.created,
        text,
        encoder.name,
        filters,
        settings,
    )
    rows = _recent.get(key)
    if rows is None:
        rows = _members(reader, text, encoder, filters, settings)
        _recent.put(key, rows)
    return rows


def _members(
    reader: IndexReader, text: str, encoder: Encoder, filters: Filters, settings: Settings
) -> list[ListRow]:
    pool = _pool(reader, text, encoder, filters, settings)
    if pool is None:
        return []
    combiner = load_combiner()
    chance = combiner.probability(features(pool.evidence))
    s = settings.lists
    at = combiner.at if s.member_at is None else s.member_at
    share = combiner.share if s.member_share is None else s.member_share
    copies = copies_of(reader, pool.rows)
    out = []
    for i in cut(chance, at, share):
        row, (a, b) = pool.rows[i], pool.sentences[i]
        out.append(
            ListRow(
                doc_id=row.doc_id,
                company=row.company,
                date=row.date,
                title=row.title or Path(row.path).stem,
                sentence=reader.document_text(row.doc_id)[a:b].strip(),
                source=row.path,
                confidence=round(float(chance[i]), 4),
                tickers=row.tickers,
                url=row.url,
                sentence_start=a,
                sentence_end=b,
                copies=copies[row.doc_id].paths,
            )
        )
    out.sort(key=lambda r: r.date or "", reverse=True)  # ties: the newest first
    out.sort(key=lambda r: -r.confidence)
    return out


@dataclass(frozen=True)
class Pool:
    """A list question's candidate releases, best first-stage match first.

    Attributes:
        rows: each release's first chunk row (its title, date, company, path).
        evidence: what :mod:`qa.list_member` reads of each.
        sentences: each one's answering sentence (the answer model's best read), a span.
    """

    rows: tuple[ChunkRow, ...]
    evidence: tuple[Evidence, ...]
    sentences: tuple[Span, ...]


def _pool(
    reader: IndexReader, text: str, encoder: Encoder, filters: Filters, settings: Settings
) -> Pool | None:
    """The question's pool: the best-matching releases (dense and keyword search over the
    news text, one per release group) and the evidence of each; None when none match."""
    s = settings.lists
    news = replace(filters, exclude_boilerplate=True)
    allowed = reader.allowed_chunks(chunk_filter(reader, news))
    if allowed is not None and not allowed:
        return None
    pred = predicate(text)
    qvec, pvec = encoder.encode([text, pred.text])
    query = analyse(reader, text)
    dense = dict(reader.dense(qvec, s.pool_chunks, allowed, settings.vectors))
    keyword = dict(reader.keyword(query.keyword_terms, s.pool_chunks, allowed, settings.keyword))
    ids = sorted(set(dense) | set(keyword))
    if not ids:
        return None
    _add_dense(reader, dense, [i for i in ids if i not in dense], qvec)  # keyword-only hits
    fuse = Fusion.of(dense, keyword, ids, settings.rank.dense_weight)
    fused = {i: fuse(i) for i in ids}
    chunk_rows = reader.chunks(ids)
    docs = _best_releases(ids, chunk_rows, fused, s.pool_releases)
    best_fused: dict[int, float] = {}
    for i in ids:
        d = chunk_rows[i].doc_id
        best_fused[d] = max(best_fused.get(d, 0.0), fused[i])
    allowed_set = set(allowed) if allowed is not None else None
    siblings = [
        i
        for i in reader.chunks_of(docs)
        if i not in chunk_rows and (allowed_set is None or i in allowed_set)
    ]
    chunk_rows.update(reader.chunks(siblings))
    own = [i for i, r in chunk_rows.items() if r.doc_id in set(docs)]
    news_of = _news_sentences(docs, chunk_rows, reader.sentences(own))
    docs = [d for d in docs if news_of[d][0]]
    if not docs:
        return None
    first_row: dict[int, ChunkRow] = {}
    for r in sorted(chunk_rows.values(), key=lambda r: r.ordinal):
        first_row.setdefault(r.doc_id, r)
    titles = [first_row[d].title or "" for d in docs]
    title_vecs = encoder.encode([t or "-" for t in titles])
    heads = [stem(h) for h in pred.heads]
    idf = reader.idf(heads)
    inputs: list[str] = []
    keys: list[tuple[int, int]] = []  # (position in docs, sentence; -1 the headline)
    texts = {d: reader.document_text(d) for d in docs}
    reads: list[tuple[list[Span], np.ndarray]] = []
    for k, d in enumerate(docs):
        order, vecs = news_of[d]
        near = vecs @ pvec
        said = [texts[d][a:b] for a, b in order]
        nearest = [int(i) for i in np.argsort(-near, kind="stable")]
        lead = list(range(min(s.read_sentences, len(order))))
        for i in dict.fromkeys([*lead, *nearest[: s.best_sentences]]):
            inputs.append(candidate_text(said, i, titles[k]))
            keys.append((k, i))
        if titles[k]:
            inputs.append(candidate_text([titles[k], *said[:2]], 0, titles[k]))
            keys.append((k, -1))
        reads.append((order, near))
    model = load_answer_model()
    chance = [model.confidence(float(x)) for x in model.logits(text, inputs)] if inputs else []
    seeds = sorted(range(len(docs)), key=lambda k: (-best_fused[docs[k]], k))[: s.like_seeds]
    evidence, spans = [], []
    for k, d in enumerate(docs):
        order, near = reads[k]
        mine = {i: c for (j, i), c in zip(keys, chance, strict=True) if j == k}
        said_lead = [c for i, c in mine.items() if i < s.lead_sentences]
        best_i = max((i for i in mine if i >= 0), key=lambda i: mine[i])
        lead_text = " ".join(texts[d][a:b] for a, b in order[: s.lead_sentences])
        others = [j for j in seeds if j != k][: s.like_seeds]
        evidence.append(
            Evidence(
                fused=best_fused[d],
                answer=max(mine.values()),
                lead_answer=max(said_lead, default=0.0),
                title_cos=float(title_vecs[k] @ pvec),
                lead_cos=float(near[: s.lead_sentences].max()),
                best_cos=float(near.max()),
                kw_title=_share(heads, idf, stems(titles[k])),
                kw_lead=_share(heads, idf, stems(f"{titles[k]} {lead_text}")),
                kw_all=_share(heads, idf, stems(" ".join(texts[d][a:b] for a, b in order))),
                like_best=float(np.mean(title_vecs[others] @ title_vecs[k])) if others else 0.0,
            )
        )
        spans.append(order[best_i])
    return Pool(tuple(first_row[d] for d in docs), tuple(evidence), tuple(spans))


def _share(heads: Sequence[str], idf: Mapping[str, float], found: frozenset[str]) -> float:
    """IDF-weighted share of the stems ``heads`` that ``found`` holds (0 without heads), a
    head counting as held by a stem of its word family too ("acquisit" by "acquir").

    >>> _share(["acquisit", "fund"], {"acquisit": 3.0, "fund": 1.0}, frozenset({"acquir"}))
    0.75
    """
    total = sum(idf.get(h, 1.0) for h in heads)
    if not total:
        return 0.0
    return sum(idf.get(h, 1.0) for h in heads if _held(h, found)) / total


def _held(head: str, found: frozenset[str]) -> bool:
    """``head``, or a stem sharing its first five letters and at least three quarters of
    the shorter of the two ("acquisit" ~ "acquir", "partner" ~ "partnership")."""
    if head in found:
        return True
    if len(head) < 5:
        return False
    for word in found:
        if word[:5] == head[:5]:
            n = 5
            while n < min(len(word), len(head)) and word[n] == head[n]:
                n += 1
            if n >= 0.75 * min(len(word), len(head)):
                return True
    return False


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


def _news_sentences(
    docs: Sequence[int],
    rows: Mapping[int, ChunkRow],
    sentences: Mapping[int, tuple[list[Span], np.ndarray]],
) -> dict[int, tuple[list[Span], np.ndarray]]:
    """Per release: its news sentences (not boilerplate) in order, and their vectors."""
    found: dict[int, dict[Span, np.ndarray]] = {d: {} for d in docs}
    for cid, (spans, vecs) in sentences.items():
        row = rows[cid]
        if row.kind in BOILERPLATE_KINDS or row.doc_id not in found:
            continue
        for span, vec in zip(spans, vecs, strict=True):
            found[row.doc_id].setdefault(span, vec)
    out = {}
    for d in docs:
        order = sorted(found[d])
        vecs = np.stack([found[d][sp] for sp in order]) if order else np.zeros((0, 0))
        out[d] = (order, vecs)
    return out
