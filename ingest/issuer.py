"""The issuer of a press release: the company named at the top of its lead paragraph.

Read with regular expressions and a few checks (pure). The name that opens the lead
("Acme Corp. (NASDAQ: ACME) today announced ...") counts when a ticker or an apposition
follows it; otherwise the name in front of the lead's first ticker ("... CEO of NRx
Pharmaceuticals Inc. (NASDAQ: NRXP)") is taken, else a plausible opening name.

Example:
    >>> from ingest.tickers import find_tickers
    >>> lead = "Acme Corp. (NASDAQ: ACME) today announced a prize."
    >>> find_issuer(lead, 0, len(lead), find_tickers(lead), "Acme Wins").value
    'Acme Corp.'
"""

from __future__ import annotations

import re

from ingest.companies import NAME_END
from ingest.datelines import COMMON_FIRST_WORDS
from ingest.spans import trim_span
from ingest.types import Field

__all__ = ["find_issuer", "name_at", "name_before"]

_NAME_TOKEN = r"(?:[A-Z0-9][\w.&'’@!+\-™®]*(?:\.[a-z]+)?|&)"
_NAME = re.compile(
    r"(?:The\s+)?"
    + _NAME_TOKEN
    + r"(?:(?:\s+(?:of|and|for|de|du|the|&|y|von|van))*\s+"
    + _NAME_TOKEN
    + r"){0,7}(?:,?\s+"
    + NAME_END
    + r")?"
)
_NAME_BACK = re.compile(
    r"(?:(?:[A-Z0-9][\w.&'’\-]*|&)(?:\s+|\s+(?:of|and|for|de|the)\s+))*"
    r"(?:[A-Z0-9][\w.&'’\-]*)(?:,?\s+" + NAME_END + r")?\s*$"
)
_APPOSITION = re.compile(
    r"[*†]?\s*(?:\(|,\s+(?:a|an|the|which|who|one|Inc|LLC|Ltd)\b|’s\b|'s\b)"
)  # (a footnote mark may follow the name: "Palatin Technologies*")
_ROLE = re.compile(
    r"\s(?:CEO|CFO|COO|CTO|CMO|President|Chairman|Chairwoman|Founder|Co-[Ff]ounder|Chief|"
    r"Executive|Managing|Director|Vice|VP|SVP|EVP|Head)\b"
)
_ROLE_OF = re.compile(
    r"\b(?:CEO|CFO|COO|CTO|President|Chairman|Founder|Director|Officer|Partner|Head)\s+(?:of|at)\s+"
)
_VERB = re.compile(r"\s+(?:is|has|was|will|today|[a-z]+(?:s|ed))\b")
_AFTER_NAME = re.compile(r"[*†]?\s*(?:\(|,|’s\b|'s\b|\s[a-z])")
_ALIAS_PAREN = re.compile(r"\s*\((?:[^()]*[“”\"][^()]*)\)")


def _lead_name(text: str, start: int, end: int) -> tuple[Field, bool] | None:
    """The capitalised name that opens the lead, and whether it is cut before a role title.

    "Kootenay Silver CEO Jim McDonald joined ..." gives ("Kootenay Silver", True).
    """
    m = _NAME.match(text, start, end)
    if m is None:
        return None
    words = m[0].split()
    first = words[1] if words[0] == "The" and len(words) > 2 else words[0]
    if first in COMMON_FIRST_WORDS or len(m[0]) > 80 or re.fullmatch(NAME_END, m[0]):
        return None
    if m[0].endswith(("’s", "'s")):
        return None  # "Puerto Rico's premier entertainment destination"
    role = _ROLE.search(text, m.start(), m.end())
    if role is not None:
        field = trim_span(text, m.start(), role.start())
        return (field, True) if field is not None else None
    field = trim_span(text, m.start(), m.end())
    return (field, False) if field is not None else None


def name_at(text: str, start: int, end: int) -> Field | None:
    """The capitalised name (up to eight words and a legal form) that starts at ``start``.

    >>> name_at("Source: Acme Robotics Inc. and friends", 8, 38).value
    'Acme Robotics Inc.'
    """
    m = _NAME.match(text, start, end)
    if m is None or len(m[0]) > 80:
        return None
    return trim_span(text, m.start(), m.end())


def name_before(text: str, start: int, ticker_start: int) -> Field | None:
    """The name written just before a ticker that starts at ``ticker_start``.

    "... CEO of NRx Pharmaceuticals Inc. (NASDAQ: NRXP)" gives "NRx Pharmaceuticals Inc.";
    an alias in brackets between them is skipped ("Vycor Medical, Inc. ("Vycor") (OTCQB").

    >>> text = "One company to watch is Acme Corp. (NASDAQ: ACME), a maker of robots."
    >>> name_before(text, 0, text.index("NASDAQ")).value
    'Acme Corp.'
    """
    paren = text.rfind("(", start, ticker_start + 1)
    stop = paren if paren >= ticker_start - 2 else ticker_start
    while True:  # skip aliases: Vycor Medical, Inc. ("Vycor" or the "Company") (OTCQB ...
        alias = text.rfind("(", start, stop)
        m = _ALIAS_PAREN.match(text, alias) if alias >= 0 else None
        if m is None or m.end() < stop - 1:
            break
        stop = alias
    back = _NAME_BACK.search(text, max(start, stop - 120), stop)
    if back is None or back.end() <= back.start():
        return None
    begin = back.start()
    for role in _ROLE_OF.finditer(text, back.start(), back.end()):
        begin = role.end()  # "CEO of Marti Technologies, Inc." -> the company
    field = trim_span(text, begin, back.end())
    if field is not None and field.value.split()[0] not in COMMON_FIRST_WORDS:
        return field
    return None


def _name_before_ticker(
    text: str, start: int, limit: int, tickers: tuple[Field, ...]
) -> Field | None:
    """The name in front of the first ticker of the lead."""
    for t in tickers:
        if start <= t.start < limit:
            return name_before(text, start, t.start)
    return None


def find_issuer(
    text: str, body_start: int, lead_end: int, tickers: tuple[Field, ...], headline: str
) -> Field | None:
    """The issuer of a release, read from the top of its lead paragraph.

    The name that opens the lead when a ticker or an apposition confirms it, else the name
    in front of the lead's first ticker, else a plausible opening name.

    Args:
        text: The stored text of a release.
        body_start: Where the lead's prose starts (after its dateline, if any).
        lead_end: End of the lead paragraph.
        tickers: The release's tickers (:func:`ingest.tickers.find_tickers`).
        headline: The headline's text, or "" (a lone capitalised word it names is taken).

    Returns:
        The issuer's name and its span, or None.
    """
    found = _lead_name(text, body_start, lead_end)
    lead, cut = found if found is not None else (None, False)
    if lead is not None and not cut:
        tail = _ALIAS_PAREN.match(text, lead.end)
        after = tail.end() if tail else lead.end
        if any(lead.end <= t.start <= after + 3 for t in tickers):
            return lead
        if _APPOSITION.match(text, lead.end):
            return lead
    anchored = _name_before_ticker(text, body_start, min(lead_end, body_start + 300), tickers)
    if anchored is not None or lead is None:
        return anchored
    if cut:
        return lead
    # One capitalised word is usually just the first word of a sentence ("Research shows"):
    # take it only when it looks like a brand or the headline names it.
    words = lead.value.split()
    if not _AFTER_NAME.match(text, lead.end):
        return None
    if (
        len(words) > 1
        or re.search(r".[A-Z0-9]", words[0])
        or words[0] in headline.split()
        and _VERB.match(text, lead.end)
    ):
        return lead
    return None
