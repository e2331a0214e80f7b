"""Saved searches and alerts: after every sync, each saved question is asked of the
releases that sync added or changed, and those that answer it become alerts.

A saved search is a question with its filters (dates, companies, section kinds), kept
per user in ``alerts.sqlite`` beside the index (:mod:`qa.alert_store`). After a sync,
:func:`after_sync` runs every saved search of every user against the releases of
``report.added + report.updated``: each release alone, through :func:`qa.retrieve`
restricted to that release and the search's filters, so a release is judged by the same
answer model and calibration as the app's "answer found" (``Passage.answerable``), and
never by how it compares with the other releases of the sync. A release that answers is
recorded once per (search, release text): syncing it again adds nothing, a changed text
alerts again, and of a release group (wire copies) only the first member alerts.

Example:
    >>> s = save_search("data/index", "Which drug got Fast Track designation?")  # doctest: +SKIP
    >>> report = sync(["data/releases"])  # doctest: +SKIP
    >>> for a in after_sync("data/index", report):  # doctest: +SKIP
    ...     print(a.title, a.answer)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index import (
    Encoder,
    IndexFormatError,
    IndexReader,
    SyncReport,
    default_index_dir,
    get_encoder,
    reading,
)
from index.layout import CURRENT, generation_dirs

from .alert_store import AlertsError, alerts_path, connect
from .passage import Filters, Passage
from .search import retrieve
from .settings import Settings

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_USER",
    "MAX_CONFIRMED",
    "Alert",
    "AlertsError",
    "SavedSearch",
    "after_sync",
    "alerts",
    "alerts_path",
    "delete_search",
    "mark_seen",
    "run_saved_searches",
    "save_search",
    "searches",
    "unseen_count",
]

DEFAULT_USER = "default"  # the one user of an app without a login, and of the command line
# a sync that changed more releases than this runs each search over all of them first and
# reads only its best MAX_CONFIRMED one by one (an initial build of thousands of releases)
MAX_CONFIRMED = 50


@dataclass(frozen=True)
class SavedSearch:
    """A question a user saved with its filters.

    Attributes:
        id: its number (stable; ``pressroom alerts delete ID``).
        user: whose it is (the login's name, or ``default``).
        question: the question as typed.
        filters: the filters it runs with (``sources`` is never saved).
        created: when it was saved, ISO UTC.
        min_confidence: a release alerts when its best passage's confidence is at least
            this; None: when it is ``answerable`` (the app's "answer found", 0.5).
    """

    id: int
    user: str
    question: str
    filters: Filters
    created: str
    min_confidence: float | None = None


@dataclass(frozen=True)
class Alert:
    """A release a sync added or changed that answers a saved search.

    Attributes:
        id: its number.
        search_id: the saved search it answers.
        user: whose search it is.
        question: the saved question.
        doc_id: the release's id in the index when it was found (may change later).
        source: the release's file.
        title: its headline.
        company: its company, when it names one.
        tickers: its exchange:ticker pairs.
        date: its date, ISO, or None.
        url: its own source link, when its file names one.
        answer: the sentence that answers the question.
        passage: the passage around it.
        score: the answer model's confidence (0 to 1) that the release answers.
        found_at: when the sync found it, ISO UTC.
        seen: the user marked it seen.
    """

    id: int
    search_id: int
    user: str
    question: str
    doc_id: int
    source: str
    title: str
    company: str | None
    tickers: tuple[str, ...]
    date: str | None
    url: str | None
    answer: str
    passage: str
    score: float
    found_at: str
    seen: bool


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _folder(index_dir: str | os.PathLike[str] | None) -> Path:
    return Path(index_dir) if index_dir is not None else default_index_dir()


def _filters_json(filters: Filters) -> str:
    return json.dumps(
        {
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            "companies": list(filters.companies),
            "kinds": list(filters.kinds),
            "exclude_boilerplate": filters.exclude_boilerplate,
        }
    )


def _filters_of(raw: str) -> Filters:
    data = json.loads(raw)
    return Filters(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        companies=tuple(data.get("companies") or ()),
        kinds=tuple(data.get("kinds") or ()),
        exclude_boilerplate=bool(data.get("exclude_boilerplate")),
    )


_SEARCH_SQL = "SELECT id, user, question, filters, created, min_confidence FROM searches"


def _search_of(row: Sequence, path: Path) -> SavedSearch:
    try:
        floor = None if row[5] is None else float(row[5])
        return SavedSearch(int(row[0]), row[1], row[2], _filters_of(row[3]), row[4], floor)
    except (ValueError, TypeError, AttributeError) as exc:
        raise AlertsError(f"{path}: damaged (saved search {row[0]}: {exc})", path, 3) from exc


# -- saved searches ------------------------------------------------------------------------
def save_search(
    index_dir: str | os.PathLike[str] | None,
    question: str,
    filters: Filters | None = None,
    *,
    user: str = DEFAULT_USER,
    min_confidence: float | None = None,
) -> SavedSearch:
    """Save ``question`` with ``filters`` for ``user``; the same question with the same
    filters saved again is the search already saved (its ``min_confidence`` updated).
    ``min_confidence`` (0 to 1) makes it stricter or looser than ``answerable``.

    Raises:
        ValueError: an empty question, a ``min_confidence`` outside 0 to 1.
        AlertsError: no index at ``index_dir``, or the alerts file cannot be written.
    """
    question = " ".join((question or "").split())
    if not question:
        raise ValueError("the question is empty")
    if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"the minimum confidence ({min_confidence}) is not between 0 and 1")
    filters = replace(filters or Filters(), sources=())
    raw = _filters_json(filters)
    folder = _folder(index_dir)
    if not (folder / CURRENT).exists() and not generation_dirs(folder):
        raise AlertsError(
            f"{folder}: no index here to save a search for; build one with "
            f"`pressroom ingest --index {folder}` or give --index",
            alerts_path(folder),
        )
    with connect(folder) as conn:
        row = conn.execute(
            f"{_SEARCH_SQL} WHERE user = ? AND question = ? AND filters = ?",
            (user, question, raw),
        ).fetchone()
        if row is None:
            created = _now()
            cur = conn.execute(
                "INSERT INTO searches (user, question, filters, created, min_confidence) "
                "VALUES (?, ?, ?, ?, ?)",
                (user, question, raw, created, min_confidence),
            )
            row = (cur.lastrowid, user, question, raw, created, min_confidence)
        elif row[5] != min_confidence:
            conn.execute(
                "UPDATE searches SET min_confidence = ? WHERE id = ?", (min_confidence, row[0])
            )
            row = (*row[:5], min_confidence)
    return _search_of(row, alerts_path(folder))


def searches(
    index_dir: str | os.PathLike[str] | None = None, *, user: str | None = DEFAULT_USER
) -> list[SavedSearch]:
    """The saved searches of ``user`` (None: of every user), oldest first."""
    folder = _folder(index_dir)
    with connect(folder, create=False, write=False) as conn:
        if conn is None:
            return []
        sql = _SEARCH_SQL
        params: tuple = ()
        if user is not None:
            sql, params = sql + " WHERE user = ?", (user,)
        rows = conn.execute(sql + " ORDER BY id", params).fetchall()
    return [_search_of(r, alerts_path(folder)) for r in rows]


def delete_search(
    index_dir: str | os.PathLike[str] | None, search_id: int, *, user: str = DEFAULT_USER
) -> bool:
    """Delete ``user``'s saved search ``search_id`` and its alerts; False when ``user``
    has no such search."""
    with connect(_folder(index_dir), create=False) as conn:
        if conn is None:
            return False
        cur = conn.execute("DELETE FROM searches WHERE id = ? AND user = ?", (search_id, user))
        return cur.rowcount > 0


# -- alerts --------------------------------------------------------------------------------
_ALERT_SQL = (
    "SELECT m.id, m.search_id, s.user, s.question, m.doc_id, m.source, m.title, m.company, "
    "m.tickers, m.date, m.url, m.answer, m.passage, m.score, m.found_at, m.seen "
    "FROM matches m JOIN searches s ON s.id = m.search_id"
)


def _alert_of(row: Sequence, path: Path) -> Alert:
    try:
        return Alert(*row[:8], tuple(json.loads(row[8])), *row[9:15], bool(row[15]))
    except (ValueError, TypeError) as exc:
        raise AlertsError(f"{path}: damaged (alert {row[0]}: {exc})", path, 3) from exc


def alerts(
    index_dir: str | os.PathLike[str] | None = None,
    *,
    user: str | None = DEFAULT_USER,
    unseen_only: bool = True,
) -> list[Alert]:
    """``user``'s alerts (None: every user's), the newest found first; only those not
    marked seen unless ``unseen_only`` is False."""
    folder = _folder(index_dir)
    where, params = [], []
    if user is not None:
        where.append("s.user = ?")
        params.append(user)
    if unseen_only:
        where.append("m.seen = 0")
    sql = _ALERT_SQL + (" WHERE " + " AND ".join(where) if where else "")
    with connect(folder, create=False, write=False) as conn:
        if conn is None:
            return []
        rows = conn.execute(sql + " ORDER BY m.found_at DESC, m.id DESC", params).fetchall()
    return [_alert_of(r, alerts_path(folder)) for r in rows]


def unseen_count(
    index_dir: str | os.PathLike[str] | None = None, *, user: str = DEFAULT_USER
) -> int:
    """How many of ``user``'s alerts are not marked seen (the UI's badge)."""
    with connect(_folder(index_dir), create=False, write=False) as conn:
        if conn is None:
            return 0
        return conn.execute(
            "SELECT count(*) FROM matches m JOIN searches s ON s.id = m.search_id "
            "WHERE s.user = ? AND m.seen = 0",
            (user,),
        ).fetchone()[0]


def mark_seen(
    index_dir: str | os.PathLike[str] | None = None,
    ids: Iterable[int] | None = None,
    *,
    user: str = DEFAULT_USER,
) -> int:
    """Mark ``user``'s alerts ``ids`` (None: all of them) seen; how many changed."""
    with connect(_folder(index_dir), create=False) as conn:
        if conn is None:
            return 0
        sql = (
            "UPDATE matches SET seen = 1 WHERE seen = 0 AND search_id IN "
            "(SELECT id FROM searches WHERE user = ?)"
        )
        params: list = [user]
        if ids is not None:
            wanted = [int(i) for i in ids]
            if not wanted:
                return 0
            sql += f" AND id IN ({','.join('?' * len(wanted))})"
            params += wanted
        return conn.execute(sql, params).rowcount


# -- matching ------------------------------------------------------------------------------
class _OneQuestion:
    """The index's encoder, remembering the vector of the question being matched (it is
    asked of each release alone, and encoded once)."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder = encoder
        self.name, self.dim, self.max_tokens = encoder.name, encoder.dim, encoder.max_tokens
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if len(texts) != 1:
            return self._encoder.encode(texts, batch_size=batch_size)
        if texts[0] not in self._cache:
            self._cache = {texts[0]: self._encoder.encode(texts, batch_size=batch_size)}
        return self._cache[texts[0]]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._encoder.count_tokens(texts)


def _answers(hit: Passage, search: SavedSearch) -> bool:
    if search.min_confidence is None:
        return hit.answerable
    return hit.confidence >= search.min_confidence


def _answering(
    index_dir: Path,
    search: SavedSearch,
    sources: Sequence[str],
    encoder: Encoder,
    settings: Settings | None,
) -> list[Passage]:
    """The best passage of each release of ``sources`` that answers ``search``."""
    settings = settings or Settings()
    if len(sources) > MAX_CONFIRMED:  # rank them all first, read the best one by one
        first = replace(
            settings,
            rank=replace(settings.rank, per_doc=1),
            answer=replace(settings.answer, use_model=False),
        )
        wide = replace(search.filters, sources=tuple(sources))
        ranked = retrieve(
            search.question, MAX_CONFIRMED, index_dir, filters=wide, encoder=encoder, settings=first
        )
        sources = list(dict.fromkeys(h.source for h in ranked))
    found = []
    for source in sources:
        only = replace(search.filters, sources=(source,))
        hits = retrieve(
            search.question, 1, index_dir, filters=only, encoder=encoder, settings=settings
        )
        if hits and _answers(hits[0], search):
            found.append(hits[0])
    return found


def _text_sha(reader: IndexReader, doc_id: int) -> str:
    return hashlib.sha256(reader.document_text(doc_id).encode("utf-8")).hexdigest()


def run_saved_searches(
    index_dir: str | os.PathLike[str] | None,
    report: SyncReport,
    *,
    encoder: Encoder | None = None,
) -> tuple[list[Alert], str | None]:
    """:func:`after_sync` for a caller whose sync is done and must go on whatever happens
    (``pressroom ingest``, an upload, the watcher, the app's start): ``(the new alerts,
    None)``, or ``([], the one-line reason the saved searches were not run)``; a failure
    other than the alerts file's or the index's is logged with its traceback."""
    try:
        return after_sync(index_dir, report, encoder=encoder), None
    except (AlertsError, IndexFormatError) as exc:
        return [], str(exc)
    except Exception as exc:  # the index was updated all the same: never a traceback
        logger.exception("saved searches failed after a sync")
        return [], " ".join(str(exc).split()) or type(exc).__name__


def after_sync(
    index_dir: str | os.PathLike[str] | None,
    report: SyncReport,
    *,
    encoder: Encoder | None = None,
    settings: Settings | None = None,
) -> list[Alert]:
    """Run every saved search of every user against the releases ``report`` added or
    changed; the alerts it recorded (none already known).

    Call it after each sync that published (``pressroom ingest``, an upload, the
    watched folder, the app's start). Cheap when nobody saved a search: the alerts file
    is not even created.

    Raises:
        AlertsError: the alerts file cannot be read or written (the index is untouched).
        IndexFormatError: the index cannot be read.
    """
    folder = _folder(index_dir)
    changed = list(dict.fromkeys([*report.added, *report.updated]))
    if not changed or not alerts_path(folder).exists():
        return []
    saved = searches(folder, user=None)
    if not saved:
        return []
    with reading(folder) as reader:
        encoder = encoder or get_encoder(reader.manifest.model)
        wanted = set(changed)
        docs = {d.path: d for d in reader.documents() if d.path in wanted}
        sources = [p for p in changed if p in docs]
        if not sources:
            return []
        found: list[tuple[SavedSearch, Passage, str, tuple[str, ...]]] = []
        for search in saved:
            question = _OneQuestion(encoder)
            groups: set[int] = set()
            for hit in _answering(folder, search, sources, question, settings):
                doc = docs.get(hit.source)
                if doc is None:
                    continue
                group = doc.group_id or doc.doc_id
                if group in groups:  # a wire copy of a release that alerts already
                    continue
                groups.add(group)
                members = reader.group_members([group]).get(group, [])
                others = tuple(m.path for m in members if m.path != hit.source)
                found.append((search, hit, _text_sha(reader, doc.doc_id), others))
    return _record(folder, found)


def _record(
    folder: Path, found: Sequence[tuple[SavedSearch, Passage, str, tuple[str, ...]]]
) -> list[Alert]:
    """Store the matches not known yet (nor known for a copy of the release); the new ones."""
    if not found:
        return []
    new_ids = []
    found_at = _now()
    with connect(folder) as conn:
        for search, hit, sha, copies in found:
            if copies:
                marks = ",".join("?" * len(copies))
                known = conn.execute(
                    f"SELECT 1 FROM matches WHERE search_id = ? AND source IN ({marks})",
                    (search.id, *copies),
                ).fetchone()
                if known:
                    continue
            cur = conn.execute(
                "INSERT OR IGNORE INTO matches (search_id, source, text_sha, doc_id, title, "
                "company, tickers, date, url, answer, passage, score, found_at) "
                "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                "WHERE EXISTS (SELECT 1 FROM searches WHERE id = ?)",  # deleted meanwhile
                (
                    search.id,
                    hit.source,
                    sha,
                    hit.doc_id,
                    hit.title,
                    hit.company,
                    json.dumps(list(hit.tickers)),
                    hit.date,
                    hit.url,
                    hit.answer,
                    hit.text,
                    float(hit.confidence),
                    found_at,
                    search.id,
                ),
            )
            if cur.rowcount:
                new_ids.append(cur.lastrowid)
        if not new_ids:
            return []
        marks = ",".join("?" * len(new_ids))
        rows = conn.execute(
            f"{_ALERT_SQL} WHERE m.id IN ({marks}) ORDER BY m.id", new_ids
        ).fetchall()
    return [_alert_of(r, alerts_path(folder)) for r in rows]
