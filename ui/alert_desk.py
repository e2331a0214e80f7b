"""The Alerts tab's actions, without Gradio: save a search, list a user's alerts and saved
searches, mark them seen, delete a search (over :mod:`qa.alerts`).

Each method takes the user (the login's name, or :data:`qa.alerts.DEFAULT_USER` when the
app has no login) and returns plain values or HTML; a problem with the alerts file is
a message in the page, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from index import IndexFormatError, reading
from qa import Passage
from qa.alerts import (
    DEFAULT_USER,
    Alert,
    AlertsError,
    SavedSearch,
    alerts,
    delete_search,
    mark_seen,
    save_search,
    searches,
    unseen_count,
)
from qa.filters import describe, make_filters

from .render import _e, format_date, render_message, render_release

__all__ = ["MAX_SHOWN", "AlertDesk", "user_of"]

logger = logging.getLogger(__name__)

MAX_SHOWN = 100  # alerts listed in the tab (the newest); `pressroom alerts --all` has all


def user_of(username: str | None) -> str:
    """The alerts' user of a request: its login's name, else the default user."""
    return username or DEFAULT_USER


def _as_passage(alert: Alert, text: str) -> Passage | None:
    """The alert as a passage of the release's current ``text`` (for marking it in the
    whole release), or None when the release no longer holds it."""
    start = text.find(alert.passage)
    if start < 0:
        return None
    a = text.find(alert.answer, start)
    if a < 0:
        return None
    return Passage(
        text=alert.passage,
        score=alert.score,
        doc_id=alert.doc_id,
        chunk_id=0,
        title=alert.title,
        date=alert.date,
        source=alert.source,
        start=start,
        end=start + len(alert.passage),
        answer=alert.answer,
        answer_start=a,
        answer_end=a + len(alert.answer),
    )


def _release_box(alert: Alert, text: str | None) -> str:
    if text is None:
        return "<span class='pr-file'>The release is no longer in the index.</span>"
    hit = _as_passage(alert, text)
    body = (
        render_release(text, hit)
        if hit is not None
        else f"<div class='pr-release-text'>{_e(text)}</div>"
    )
    return (
        "<details class='pr-release'><summary><span class='pr-open'>Open release</span>"
        f"<span class='pr-close'>Hide release</span></summary>{body}</details>"
    )


def render_alert(alert: Alert, text: str | None) -> str:
    """One alert: headline, company, date, the answering sentence, the saved question,
    and the whole release to open (``text``: its stored text now, None if removed)."""
    issuer = alert.company or ", ".join(alert.tickers)
    if alert.company and alert.tickers:
        issuer += f" ({', '.join(alert.tickers)})"
    new = "" if alert.seen else "<span class='pr-new'>new</span>"
    link = ""
    if alert.url and alert.url.startswith(("http://", "https://")):
        link = (
            f"<a class='pr-link' href='{_e(alert.url)}' target='_blank' "
            "rel='noopener noreferrer'>Source link ↗</a>"
        )
    return (
        f"<article class='pr-hit pr-alert' data-alert='{alert.id}'>"
        f"<div class='pr-hit-head'>{new}<h4 class='pr-title'>{_e(alert.title)}</h4></div>"
        f"<div class='pr-meta'><span class='pr-date'>{_e(format_date(alert.date))}</span>"
        + (f"<span class='pr-company'>{_e(issuer)}</span>" if issuer else "")
        + f"<span class='pr-score'>confidence {alert.score:.0%}</span></div>"
        f"<div class='pr-passage'><mark class='pr-hl'>{_e(' '.join(alert.answer.split()))}"
        "</mark></div>"
        f"<div class='pr-alert-for'>Answers your saved search #{alert.search_id}: "
        f"“{_e(alert.question)}” · found {_e(alert.found_at.replace('T', ' ')[:16])} UTC</div>"
        f"<div class='pr-foot'>{_release_box(alert, text)}{link}"
        f"<span class='pr-file' title='{_e(alert.source)}'>{_e(Path(alert.source).name)}</span>"
        "</div></article>"
    )


def _search_label(s: SavedSearch) -> str:
    shown = describe(s.filters, format_date)
    if s.min_confidence is not None:
        shown = " · ".join(p for p in (shown, f"confidence ≥ {s.min_confidence:.0%}") if p)
    return f"#{s.id} {s.question}" + (f" · {shown}" if shown else "")


class AlertDesk:
    """The alerts of the index at ``index_dir``."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)

    def save(
        self,
        question: str,
        date_from: str,
        date_to: str,
        companies: Sequence[str] | None,
        include_boilerplate: bool,
        user: str,
        keyword: bool = False,
    ) -> str:
        """Save the question with the Ask tab's filters; a message for the page (saved
        searches run the full search: one asked in keyword-only mode is not saved, rather
        than alerting on other releases than the user saw)."""
        if keyword:
            return render_message(
                "Not saved: saved searches run the full search, not keyword-only search. "
                "Turn off 'Keyword search only' to save this question."
            )
        try:
            filters = make_filters(date_from, date_to, companies or [], include_boilerplate)
            saved = save_search(self.index_dir, question, filters, user=user)
        except ValueError as exc:
            return render_message(f"Not saved: {exc}.")
        except AlertsError as exc:
            return render_message(f"Not saved: {exc}")
        return render_message(
            f"Saved search #{saved.id}: {_search_label(saved)}. Releases added from now on "
            "that answer it are listed in the Alerts tab.",
            "ok",
        )

    def count(self, user: str) -> int:
        """Unseen alerts of ``user`` (0 when the alerts file cannot be read)."""
        try:
            return unseen_count(self.index_dir, user=user)
        except AlertsError:
            return 0

    def label(self, user: str) -> str:
        """The tab's label: "Alerts (3)" with unseen alerts, else "Alerts"."""
        n = self.count(user)
        return f"Alerts ({n})" if n else "Alerts"

    def page(self, user: str) -> str:
        """The tab's list: ``user``'s alerts, the unseen ones first, newest first."""
        try:
            found = alerts(self.index_dir, user=user, unseen_only=False)
            saved = searches(self.index_dir, user=user)
        except AlertsError as exc:
            return render_message(str(exc))
        if not saved:
            return render_message(
                "No saved search yet. Ask a question on the Ask tab, set its filters, and "
                "press “Save search”: each release added later that answers it is listed here.",
                "info",
            )
        if not found:
            return render_message(
                f"No alert yet for your {len(saved)} saved search"
                f"{'es' if len(saved) != 1 else ''}: releases added from now on that answer "
                "one are listed here.",
                "info",
            )
        found.sort(key=lambda a: a.seen)  # stable: the unseen first, each newest first
        shown = found[:MAX_SHOWN]
        texts = self._texts({a.source for a in shown})
        unseen = sum(not a.seen for a in found)
        head = (
            f"<div class='pr-alerts-head'>{unseen} new · {len(found)} in all"
            + (f" (the newest {MAX_SHOWN} shown)" if len(found) > MAX_SHOWN else "")
            + "</div>"
        )
        return head + "".join(render_alert(a, texts.get(a.source)) for a in shown)

    def _texts(self, sources: set[str]) -> dict[str, str]:
        """The current stored text of each release still in the index."""
        try:
            with reading(self.index_dir, last_good=True) as reader:
                docs = {d.path: d.doc_id for d in reader.documents() if d.path in sources}
                return {path: reader.document_text(doc) for path, doc in docs.items()}
        except (IndexFormatError, KeyError):
            return {}

    def choices(self, user: str) -> list[tuple[str, int]]:
        """``user``'s saved searches for the delete menu."""
        try:
            return [(_search_label(s), s.id) for s in searches(self.index_dir, user=user)]
        except AlertsError:
            return []

    def mark_all_seen(self, user: str) -> str:
        try:
            n = mark_seen(self.index_dir, user=user)
        except AlertsError as exc:
            return render_message(str(exc))
        return render_message(f"Marked {n} alert{'s' if n != 1 else ''} seen.", "ok")

    def delete(self, search_id: object, user: str) -> str:
        if search_id in (None, ""):
            return render_message("Choose a saved search to delete.", "info")
        try:
            done = delete_search(self.index_dir, int(search_id), user=user)
        except (TypeError, ValueError):
            return render_message("Choose a saved search to delete.", "info")
        except AlertsError as exc:
            return render_message(str(exc))
        if not done:
            return render_message("That saved search is gone already.", "info")
        return render_message(f"Deleted saved search #{int(search_id)} and its alerts.", "ok")
