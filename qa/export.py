"""Results out of Pressroom: a citation per passage, and the results as CSV, JSON or
Markdown (pure functions: passages in, text out).

The command line (``pressroom ask --format csv|json|md``) and the UI's downloads and
"Copy citation" buttons all use these, so a file, a pasted citation and the screen agree.

- ``csv``: a header and one row per passage (:data:`CSV_COLUMNS`), for a spreadsheet.
- ``json``: JSON Lines, one object per passage with the fields of :class:`~qa.Passage`
  (what ``pressroom ask --json`` prints).
- ``md``: the question, the answer with its citation [1], then the numbered sources with
  their passages quoted, for notes and a story's research file.

Example:
    >>> hit = Passage(text="It enrolls 36 patients.", score=0.9, doc_id=1, chunk_id=1,
    ...               title="Cellectar Starts Imaging Trial", date="2014-03-04",
    ...               source="/releases/glioblastoma.txt", start=0, end=23,
    ...               answer="It enrolls 36 patients.", answer_start=0, answer_end=23,
    ...               company="Cellectar Biosciences, Inc.", tickers=("NASDAQ:CLRB",),
    ...               url="https://wire.example/cellectar-trial", answerable=True)
    >>> print(citation(hit))
    Cellectar Starts Imaging Trial. Cellectar Biosciences, Inc. (NASDAQ:CLRB), March 4, 2014. \
File: glioblastoma.txt. Source: https://wire.example/cellectar-trial
    >>> export("csv", "How many patients?", [hit]).splitlines()[0].split(",")[:4]
    ['rank', 'question', 'answer', 'headline']
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import PurePath

from ingest.dates import display_date

from .passage import Passage
from .settings import Settings

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "MEDIA_TYPES",
    "SUFFIXES",
    "citation",
    "export",
    "file_name",
    "long_date",
    "to_csv",
    "to_json_lines",
    "to_markdown",
]

FORMATS = ("csv", "json", "md")
# a file of each format: its suffix and media type
SUFFIXES = {"csv": ".csv", "json": ".jsonl", "md": ".md"}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/x-ndjson", "md": "text/markdown"}
CSV_COLUMNS = (
    "rank",
    "question",
    "answer",
    "headline",
    "company",
    "tickers",
    "date",
    "url",
    "file",
    "kind",
    "section",
    "score",
    "confidence",
    "answerable",
    "start",
    "end",
    "passage",
    "citation",
)
# below this confidence, a first passage that is not ``answerable`` is no possible answer
POSSIBLE_AT = Settings().answer.possible_at


def long_date(iso: str | None) -> str:
    """``2014-03-04`` -> ``March 4, 2014``; None -> ``undated``; other text as it is.

    >>> long_date("2016-11-28"), long_date(None), long_date("2016")
    ('November 28, 2016', 'undated', '2016')
    """
    return display_date(iso, "%B")


def _issuer(hit: Passage) -> str:
    tickers = ", ".join(hit.tickers)
    if hit.company:
        return f"{hit.company} ({tickers})" if tickers else hit.company
    return tickers


def file_name(hit: Passage) -> str:
    """The release's file name, without the folders (which are the user's own)."""
    return PurePath(hit.source).name or hit.source


def citation(hit: Passage) -> str:
    """How to cite the release a passage comes from: headline, company and tickers, date,
    file, and the release's own source link when it has one."""
    title = hit.title.strip()
    parts = [title if title.endswith((".", "?", "!")) else f"{title}."]
    issuer = _issuer(hit)
    parts.append(f"{issuer}, {long_date(hit.date)}." if issuer else f"{long_date(hit.date)}.")
    parts.append(f"File: {file_name(hit)}.")
    if hit.url:
        parts.append(f"Source: {hit.url}")
    return " ".join(parts)


def _row(rank: int, question: str, hit: Passage) -> list[object]:
    return [
        rank,
        question,
        hit.answer,
        hit.title,
        hit.company or "",
        " ".join(hit.tickers),
        hit.date or "",
        hit.url or "",
        hit.source,
        hit.kind,
        hit.section or "",
        f"{hit.score:.6f}",
        f"{hit.confidence:.4f}",
        "yes" if hit.answerable else "no",
        hit.start,
        hit.end,
        hit.text,
        citation(hit),
    ]


def to_csv(question: str, hits: Sequence[Passage]) -> str:
    """A header (:data:`CSV_COLUMNS`) and one row per passage, best first (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_row(n, question, h) for n, h in enumerate(hits, 1))
    return out.getvalue()


def to_json_lines(hits: Sequence[Passage]) -> str:
    """One JSON object per passage, with every field of :class:`~qa.Passage`."""
    return "".join(json.dumps(asdict(h), ensure_ascii=False) + "\n" for h in hits)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~])")  # on one line, the rest is plain text


def _md(text: str) -> str:
    """Text that Markdown shows as it is (its markup characters escaped, lines joined)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _verdict(hits: Sequence[Passage]) -> str:
    best = hits[0]
    if best.answerable:
        return f"**Answer:** {_md(best.answer)} [1]"
    if best.confidence >= POSSIBLE_AT:
        return (
            f"**Possible answer** (low confidence: read the source before relying on it): "
            f"{_md(best.answer)} [1]"
        )
    return (
        "**No answer found.** No passage answers this question with confidence; the "
        "nearest passages follow. They are not answers."
    )


def _source(n: int, hit: Passage) -> str:
    issuer = _issuer(hit)
    head = f"{n}. **{_md(hit.title)}**" + (f" · {_md(issuer)}" if issuer else "")
    head += f" · {long_date(hit.date)}"
    kind = hit.section if hit.section and hit.kind not in ("body", "header") else hit.kind
    meta = f"   {_md(kind)} · score {hit.score:.3f} · confidence {hit.confidence:.0%}"
    meta += f" · `{file_name(hit)}` characters {hit.start}–{hit.end}"
    if hit.url:
        meta += f" · [source](<{hit.url}>)"
    quote = f"   > {_md(hit.text)}"
    return f"{head}  \n{meta}\n\n{quote}\n"


def to_markdown(question: str, hits: Sequence[Passage], *, filters: str = "") -> str:
    """The question, the answer (or that none was found), then the numbered sources.

    ``filters`` names the filters that applied, in a few words (shown when not empty).
    """
    lines = [f"# {_md(question)}", ""]
    if filters:
        lines += [f"Filtered: {_md(filters)}", ""]
    if not hits:
        return "\n".join([*lines, "No passage matches this question.", ""])
    lines += [_verdict(hits), "", "## Sources", ""]
    lines += [_source(n, h) for n, h in enumerate(hits, 1)]
    return "\n".join(lines)


def export(fmt: str, question: str, hits: Sequence[Passage], *, filters: str = "") -> str:
    """The results in format ``fmt`` (one of :data:`FORMATS`).

    Raises:
        ValueError: another format.
    """
    if fmt == "csv":
        return to_csv(question, hits)
    if fmt == "json":
        return to_json_lines(hits)
    if fmt == "md":
        return to_markdown(question, hits, filters=filters)
    raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
