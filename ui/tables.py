"""HTML for the list-question table and the Companies view's timeline (pure).

A list question ("Which companies announced acquisitions in Q2 2025?") is answered by a
table of releases (company, date, headline, the answering sentence), each row opening
its whole release with the sentence marked; the period read from the question is stated
above it (the chip that removes it is a button of the page). A company's timeline lists
its releases newest first under their year and month, each opening the whole release.

Example:
    >>> from qa import ListRow, ReleaseList, Filters
    >>> row = ListRow(1, "Acme", "2025-05-02", "Acme Acquires Beta", "Acme acquired Beta.",
    ...               "a.md", 0.9, sentence_start=20, sentence_end=39)
    >>> page = ReleaseList("Which companies acquired?", "Which companies acquired?",
    ...                    (row,), 1, 0, 20, None, Filters())
    >>> text = "Acme Acquires Beta\\n\\nAcme acquired Beta."
    >>> "<mark class='pr-hl pr-anchor'>Acme acquired Beta.</mark>" in render_list(page, {1: text})
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from qa import ListRow, Release, ReleaseList

from .render import _e, _marked, format_date, render_message

__all__ = ["render_list", "render_timeline"]


def _release_box(text: str | None, start: int = 0, end: int = 0) -> str:
    if text is None:
        return ""
    if 0 <= start < end <= len(text):
        spans = [(start, end, "<mark class='pr-hl pr-anchor'>", "</mark>")]
        body = _marked(text, 0, spans)
    else:
        body = _e(text)
    return (
        "<details class='pr-release'><summary><span class='pr-open'>Open release</span>"
        "<span class='pr-close'>Close release</span></summary>"
        f"<div class='pr-release-text'>{body}</div></details>"
    )


def _row(n: int, row: ListRow, text: str | None) -> str:
    company = row.company or (", ".join(row.tickers) if row.tickers else "")
    return (
        f"<tr class='pr-list-row' id='pr-row-{n}'>"
        f"<td class='pr-list-n'>{n}</td>"
        f"<td class='pr-list-company'>{_e(company)}</td>"
        f"<td class='pr-list-date' title='{_e(row.date or '')}'>{_e(format_date(row.date))}</td>"
        f"<td class='pr-list-title'><div>{_e(row.title)}</div>"
        f"{_release_box(text, row.sentence_start, row.sentence_end)}</td>"
        f"<td class='pr-list-sentence'>{_e(row.sentence)}"
        f"<div class='pr-list-conf'>confidence {row.confidence:.2f}</div></td></tr>"
    )


def render_list(
    found: ReleaseList,
    texts: Mapping[int, str],
    *,
    shown: Sequence[ListRow] | None = None,
    no_match: str = "",
) -> str:
    """The table of the releases that answer a list question.

    ``shown`` are the rows on the page (every page so far; default ``found.rows``);
    ``texts`` the stored texts of the releases by ``doc_id``, to open in place.
    """
    rows = list(found.rows if shown is None else shown)
    period = (
        f"<div class='pr-list-period'>Period read from the question: "
        f"<b>{_e(found.period.label())}</b> (applied as a limit; remove it with its chip)</div>"
        if found.period
        else ""
    )
    if not rows:
        why = f" ({no_match})" if no_match else ""
        return (
            "<div class='pr-results pr-list'>"
            + period
            + render_message(f"No release answers this list question{why}.", "info")
            + "</div>"
        )
    head = (
        f"<div class='pr-list-count'>{found.total} release{'s' * (found.total != 1)} "
        f"answer{'s' * (found.total == 1)}; showing {len(rows)}</div>"
    )
    table = (
        "<table class='pr-list-table'><thead><tr><th>#</th><th>Company</th><th>Date</th>"
        "<th>Headline</th><th>Answering sentence</th></tr></thead><tbody>"
        + "".join(_row(n, r, texts.get(r.doc_id)) for n, r in enumerate(rows, 1))
        + "</tbody></table>"
    )
    return f"<div class='pr-results pr-list'>{period}{head}{table}</div>"


def render_timeline(
    company: str, found: Sequence[Release], texts: Mapping[int, str], limit: int = 200
) -> str:
    """A company's releases newest first, under their year and month headings."""
    if not company.strip():
        return render_message(
            "Type or pick a company (a name or a ticker) to see its releases.", "info"
        )
    if not found:
        return render_message(f"No release of '{company}' is indexed.", "info")
    shown = list(found)[:limit]
    parts = [
        f"<div class='pr-timeline-count'>{len(found)} release{'s' * (len(found) != 1)} of "
        f"<b>{_e(company)}</b>, newest first"
        + (f" (the first {limit})" if len(found) > limit else "")
        + "</div>"
    ]
    heading = None
    for r in shown:
        month = format_date(r.date[:7] + "-01")[:3] + " " + r.date[:4] if r.date else "Undated"
        if month != heading:
            if heading is not None:
                parts.append("</ol>")
            parts.append(f"<h4 class='pr-timeline-month'>{_e(month)}</h4><ol class='pr-timeline'>")
            heading = month
        copies = (
            f" <span class='pr-copies'>· {len(r.copies)} cop{'ies' if len(r.copies) > 1 else 'y'}"
            "</span>"
            if r.copies
            else ""
        )
        parts.append(
            "<li class='pr-timeline-item'>"
            f"<span class='pr-date' title='{_e(r.date or '')}'>{_e(format_date(r.date))}</span> "
            f"<span class='pr-timeline-title'>{_e(r.title)}</span>{copies}"
            f"{_release_box(texts.get(r.doc_id))}</li>"
        )
    parts.append("</ol>")
    return "<div class='pr-results pr-timeline-view'>" + "".join(parts) + "</div>"
