"""HTML of the Library tab and of reports: index status, report lines, example questions.

Pure functions: plain values in, HTML strings out; every value is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence

from ingest.companies import strip_legal_form

__all__ = ["example_questions", "format_bytes", "render_report", "render_status"]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def format_bytes(n: int) -> str:
    """Bytes for people: ``1536`` -> ``1.5 KB``.

    >>> format_bytes(512), format_bytes(3 * 1024 * 1024)
    ('512 B', '3.0 MB')
    """
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


_ICONS = {"ok": "✓", "error": "✗", "info": "•"}


def render_report(lines: Sequence[tuple[str, str]]) -> str:
    """A report of several outcomes, one line each, marked by kind (``ok``, ``error``, ``info``).

    >>> render_report([("ok", "Added a.txt"), ("error", "b.md: empty")]).count("pr-line ")
    2
    """
    kinds = {kind for kind, _ in lines}
    box = "error" if kinds == {"error"} else "ok" if "ok" in kinds else "info"
    if "error" in kinds and "ok" in kinds:
        box = "mixed"
    rows = "".join(
        f"<div class='pr-line pr-line-{_e(kind)}'><span class='pr-icon'>"
        f"{_ICONS.get(kind, '')}</span> {_e(text)}</div>"
        for kind, text in lines
    )
    return f"<div class='pr-msg pr-msg-{box}' role='status'>{rows}</div>"


def render_status(
    *,
    documents: int,
    chunks: int,
    model: str,
    size_bytes: int,
    updated: str | None,
    index_dir: str,
    corpus_dir: str,
) -> str:
    """The index status panel: counts, model, size on disk, last update, folders."""
    when = updated or "never"
    if updated:
        try:
            stamp = dt.datetime.fromisoformat(updated.replace("Z", "+00:00"))
            when = stamp.strftime("%Y-%m-%d %H:%M") + (" UTC" if stamp.tzinfo else "")
        except ValueError:
            when = updated
    stats = [
        ("Releases", f"{documents:,}"),
        ("Chunks", f"{chunks:,}"),
        ("Index size", format_bytes(size_bytes)),
        ("Last update", when),
    ]
    cells = "".join(
        f"<div class='pr-stat'><div class='pr-stat-v'>{_e(v)}</div>"
        f"<div class='pr-stat-k'>{_e(k)}</div></div>"
        for k, v in stats
    )
    return (
        f"<div class='pr-status'><div class='pr-stats'>{cells}</div>"
        f"<div class='pr-status-details'>Model <code>{_e(model)}</code> · index "
        f"<code>{_e(index_dir)}</code> · releases folder <code>{_e(corpus_dir)}</code>"
        "</div></div>"
    )


def example_questions(
    releases: Iterable[tuple[str | None, str | None, str | None]], n: int = 4
) -> list[str]:
    """Example questions derived from indexed releases, deterministically.

    One question per company, newest releases first: "What did <company> announce in
    <Month Year>?" (the company without its legal form); a release without a company
    contributes a question about its headline instead.

    Args:
        releases: ``(title, date, company)`` of each release, in any order.
        n: at most this many questions.

    >>> example_questions([("Acme ships X", "2024-05-02", "Acme Corp"),
    ...                    ("Acme again", "2024-01-01", "Acme Corp"),
    ...                    ("Zeta results", None, None)])
    ['What did Acme announce in May 2024?', 'What does "Zeta results" report?']
    """
    ordered = sorted(releases, key=lambda r: (r[1] or "", r[0] or ""), reverse=True)
    seen: set[str] = set()
    out: list[str] = []
    for title, date, company in ordered:
        key = (company or title or "").strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        if company:
            when = ""
            try:
                day = dt.date.fromisoformat((date or "")[:10])
                when = f" in {day:%B} {day.year}"
            except ValueError:
                pass
            out.append(f"What did {strip_legal_form(company)} announce{when}?")
        else:
            short = title.strip() if len(title.strip()) <= 70 else title[:67].rstrip() + "..."
            out.append(f'What does "{short}" report?')
        if len(out) == n:
            break
    return out
