"""A list question's table out of Pressroom: CSV, JSON Lines or Markdown (pure).

``pressroom ask --format csv|json|md`` writes a list question's releases with these:
``csv`` a header and one row per release (:data:`LIST_COLUMNS`), ``json`` one object per
release with the fields of :class:`~qa.ListRow` (and ``rank``), ``md`` the question, the
period applied, then a Markdown table.

Example:
    >>> from qa import Filters, ListRow, ReleaseList
    >>> row = ListRow(1, "Acme", "2025-05-02", "Acme Acquires Beta", "Acme acquired Beta.",
    ...               "/r/a.md", 0.9)
    >>> found = ReleaseList("Which companies acquired?", "Which companies acquired?",
    ...                     (row,), 1, 0, 20, None, Filters())
    >>> export_list("csv", found).splitlines()[1].split(",")[:6]
    ['1', 'Which companies acquired?', 'Acme', '', '2025-05-02', 'Acme Acquires Beta']
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import PurePath

from .lists import ReleaseList

__all__ = ["LIST_COLUMNS", "export_list"]

LIST_COLUMNS = (
    "rank",
    "question",
    "company",
    "tickers",
    "date",
    "headline",
    "sentence",
    "confidence",
    "file",
    "url",
    "source",
)


def _rank(found: ReleaseList, n: int) -> int:
    return found.page * found.page_size + n


def _csv(found: ReleaseList) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LIST_COLUMNS)
    for n, r in enumerate(found.rows, 1):
        writer.writerow(
            [
                _rank(found, n),
                found.question,
                r.company or "",
                " ".join(r.tickers),
                r.date or "",
                r.title,
                r.sentence,
                r.confidence,
                PurePath(r.source).name,
                r.url or "",
                r.source,
            ]
        )
    return out.getvalue()


def _json(found: ReleaseList) -> str:
    rows = [{"rank": _rank(found, n), **asdict(r)} for n, r in enumerate(found.rows, 1)]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _cell(text: object) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def _md(found: ReleaseList) -> str:
    lines = [f"## {_cell(found.question)}", ""]
    if found.period:
        lines += [f"Period: {found.period.label()}", ""]
    lines.append(f"{found.total} release{'s' * (found.total != 1)} answer.")
    lines += ["", "| # | Company | Date | Headline | Answering sentence | File |"]
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for n, r in enumerate(found.rows, 1):
        cells = (r.company, r.date, r.title, r.sentence, PurePath(r.source).name)
        lines.append(f"| {_rank(found, n)} | " + " | ".join(map(_cell, cells)) + " |")
    return "\n".join(lines) + "\n"


def export_list(fmt: str, found: ReleaseList) -> str:
    """``found`` as ``csv``, ``json`` (JSON Lines) or ``md``.

    Raises:
        ValueError: another format.
    """
    writers = {"csv": _csv, "json": _json, "md": _md}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; one of csv, json, md")
    return writers[fmt](found)
