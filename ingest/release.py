"""Parse a press release into typed metadata (headline, date, dateline, wire, issuer,
tickers) and a partition of its paragraphs into sections, every value with its span.

Pure functions only: :func:`parse_release` takes the stored (normalised) text and returns a
:class:`~ingest.types.ReleaseMeta` whose offsets point into that same string. Everything is
regular expressions, a few counting heuristics and, for the issuer, a small learned scorer
(a release takes a few milliseconds), and the parser never raises on odd input. This module
finds the lead and reads the header; the other readers have modules of their own:
:mod:`ingest.datelines` (datelines, dates by :mod:`ingest.dates`), :mod:`ingest.tickers`,
:mod:`ingest.identity` (the issuer) and :mod:`ingest.sections` (paragraphs and their
classification).

How a release is read:

1. Paragraphs are the runs of text between blank lines.
2. The top of the release is scanned for a *dateline*: the run of place, date, wire and
   time that opens the lead paragraph (``MADISON, Wis., March 4, 2014 (GLOBE NEWSWIRE) --``)
   or stands on a line of its own (``March 4, 2014``, ``SALINAS, CALIF., JULY 9, 2026``).
   The first paragraph whose dateline is followed by prose is the lead; the paragraphs above
   it are the header. Without a dateline the lead is the first paragraph that reads as prose.
3. The header gives the headline and subheadline; the lead gives the issuer.
4. Every other paragraph is classified (about, safe harbor, contacts, links, quote, body),
   with a little state so that the paragraphs under an "About X" or "Forward-Looking
   Statements" heading stay in that section.
5. A release whose lead names no issuer or no wire may name them in an "About X" heading.
"""

from __future__ import annotations

import re

from ingest.datelines import IMMEDIATE_RELEASE, Dateline, scan_dateline
from ingest.dates import date_from_path
from ingest.identity import read_issuer
from ingest.sections import URL, classify, is_list, is_prose, merge_sections, paragraphs
from ingest.spans import TRIM_CHARS, trim_span
from ingest.tickers import find_tickers
from ingest.types import ABOUT, Field, ReleaseMeta, Section

__all__ = ["issuer_arguments", "parse_release"]

_HEADER_WINDOW = 8  # paragraphs searched for the dateline / lead
_MAX_HEADER_CHARS = 600  # a header paragraph above a dateline lead is never longer

_BYLINE = re.compile(r"(?:By|BY)\s+[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,4}(?:,\s*[^\n]{0,40})?$")


def _is_noise(p: str) -> bool:
    """Header lines that are neither headline nor subheadline."""
    return bool(
        _BYLINE.match(p) or URL.fullmatch(p) or re.fullmatch(r"!?\[[^\]]*\]\([^)]*\)", p)
    ) or not re.search(r"[A-Za-z]", p)


def _find_lead(
    text: str, paras: list[tuple[int, int]]
) -> tuple[int, list[Dateline], dict[int, Dateline]]:
    """Index of the lead paragraph, and the datelines found above and in it."""
    datelines: dict[int, Dateline] = {}
    prose_at: int | None = None
    for i, (s, e) in enumerate(paras[:_HEADER_WINDOW]):
        p = text[s:e]
        d = scan_dateline(text, s, e)
        late = prose_at is not None  # a dateline below prose must be a full one, close by
        if d is not None and (not late or d.date and (d.city or d.wire) and i <= prose_at + 2):
            datelines[i] = d
            if prose_at is not None and e - s < 300:
                prose_at = None  # what read as prose was a subheadline above the dateline
            if e - d.body_start >= 40:
                return i, [datelines[k] for k in sorted(datelines)], datelines
            continue
        if prose_at is None and is_prose(p) and not is_list(p):
            if i > 0 or len(p) > 400 or len(p) > 250 and re.search(r"[.!?] [A-Z]", p):
                prose_at = i
        if len(p) > _MAX_HEADER_CHARS and not is_list(p):
            break
    if prose_at is None:
        after = max(datelines, default=0) + 1 if datelines else 1
        prose_at = min(after, len(paras) - 1)
    found = {k: v for k, v in datelines.items() if k <= prose_at}
    return prose_at, [found[k] for k in sorted(found)], found


def _path_date(path: str | None) -> Field | None:
    """The date written in the file path, as a Field that spans no text (0, 0)."""
    fallback = date_from_path(path)
    return Field(fallback, 0, 0) if fallback else None


def _date(found: list[Dateline], path: str | None) -> Field | None:
    """The release's date: from the datelines if they state one, else from the file path.

    The first date of a dateline with a place or a wire wins over the first date of any.
    """
    with_place = [d for d in found if d.date and (d.city or d.wire)]
    for d in with_place or [d for d in found if d.date]:
        return Field(d.date[0], d.date[1], d.date[2])
    return _path_date(path)


def _place_and_wire(text: str, found: list[Dateline]) -> tuple[Field | None, Field | None]:
    """The first place (never "FOR IMMEDIATE RELEASE") and the first wire of the datelines."""
    dateline = wire = None
    for d in found:
        if d.city and dateline is None:
            city = trim_span(text, d.city[0], d.city[1], TRIM_CHARS)
            if city and not IMMEDIATE_RELEASE.match(city.value):
                dateline = city
        if d.wire and wire is None:
            wire = trim_span(text, d.wire[0], d.wire[1], TRIM_CHARS + ")]")
    return dateline, wire


def _headlines(
    text: str, paras: list[tuple[int, int]], lead: int, by_index: dict[int, Dateline]
) -> tuple[Field | None, Field | None]:
    """The headline and the subheadline, each None when the header has none.

    They are the first two header paragraphs that are not a dateline, a byline, a link or
    a list; a longer paragraph than 500 characters is never the subheadline.
    """
    headline = None
    for i in range(lead):
        s, e = paras[i]
        if i in by_index or _is_noise(text[s:e]) or is_list(text[s:e]):
            continue
        field = trim_span(text, s, e, " \t\n#*_")
        if field is None:
            continue
        if headline is None:
            headline = field
        elif len(field.value) <= 500:
            return headline, field
    return headline, None


def _dateline_name(text: str, found: list[Dateline]) -> Field | None:
    """The company a dateline names between slashes ("July 24, 2025 / RentKit /")."""
    for d in found:
        if d.name is not None:
            return trim_span(text, d.name[0], d.name[1], TRIM_CHARS)
    return None


def _about_wire(text: str, sections: tuple[Section, ...], wire: Field | None) -> Field | None:
    """The wire, read from an "About X" section title when no dateline names it
    ("About InvestorBrandNetwork", "About GlobeNewswire")."""
    if wire is not None:
        return wire
    for sec in sections:
        if sec.kind != ABOUT or not sec.title:
            continue
        title_start = text.find(sec.title, sec.start, sec.end)
        if title_start < 0:
            continue
        about_word = len(sec.title.split()[0])
        name = trim_span(text, title_start + about_word, title_start + len(sec.title))
        if name is not None and re.fullmatch(r"\w*Wire|IBN|InvestorBrandNetwork", name.value):
            return name
    return None


def _issuer_args(
    text: str,
    paras: list[tuple[int, int]],
    lead: int,
    found: list[Dateline],
    by_index: dict[int, Dateline],
    headline: Field | None,
) -> tuple:
    """What :func:`ingest.identity.read_issuer` reads, in its order of arguments."""
    tickers = find_tickers(text)
    lead_start, lead_end = paras[lead]
    body_start = by_index[lead].body_start if lead in by_index else lead_start
    sections = tuple(merge_sections(paras, classify(text, paras, lead)))
    return (
        text,
        body_start,
        lead_end,
        tickers,
        headline.value if headline else "",
        sections,
        headline.end if headline else 0,
        _dateline_name(text, found),
    )


def issuer_arguments(text: str) -> tuple | None:
    """The arguments :func:`parse_release` gives :func:`ingest.identity.read_issuer` for
    ``text`` (None for a text without paragraphs): for ``training/train_issuers.py``,
    which scores every candidate of a release with them."""
    paras = paragraphs(text)
    if not paras:
        return None
    lead, found, by_index = _find_lead(text, paras)
    headline, _ = _headlines(text, paras, lead, by_index)
    return _issuer_args(text, paras, lead, found, by_index, headline)


def parse_release(text: str, *, path: str | None = None) -> ReleaseMeta:
    """Read the metadata and sections of one press release.

    Args:
        text: the stored text (the output of :func:`ingest.normalize.normalize_text`).
        path: the file's path, used only as a hint: if the text states no date, a date in
            the path (``2014-03-04-foo.txt``, ``.../2024/0315/slug.md``) is used instead and
            the date Field then has ``start == end == 0``, meaning "not read from the text".

    Returns:
        A ReleaseMeta whose every Field satisfies ``text[f.start:f.end]`` being the source of
        ``f.value`` (equal to it for headline, subheadline, dateline, wire and company).

    Example:
        >>> meta = parse_release("Acme Wins\\n\\nBOSTON, March 4, 2014 (GLOBE NEWSWIRE) -- "
        ...                      "Acme Corp. (NASDAQ: ACME) today announced a prize.")
        >>> meta.date.value, meta.wire.value, meta.tickers[0].value, meta.company.value
        ('2014-03-04', 'GLOBE NEWSWIRE', 'NASDAQ:ACME', 'Acme Corp.')
    """
    paras = paragraphs(text)
    if not paras:
        return ReleaseMeta(date=_path_date(path))
    lead, found, by_index = _find_lead(text, paras)
    dateline, wire = _place_and_wire(text, found)
    headline, subheadline = _headlines(text, paras, lead, by_index)
    args = _issuer_args(text, paras, lead, found, by_index, headline)
    sections = args[5]
    issuer = read_issuer(*args)
    wire = _about_wire(text, sections, wire)
    return ReleaseMeta(
        headline=headline,
        subheadline=subheadline,
        date=_date(found, path),
        dateline=dateline,
        wire=wire,
        company=issuer.name,
        tickers=issuer.tickers,
        aliases=issuer.aliases,
        sections=sections,
    )
