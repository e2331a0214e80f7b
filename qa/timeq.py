"""Time in questions: "in 2016", "since March 2024", "before 2020", "latest" (pure).

"since", "after", "before", "until" and "between" speak of release dates: they become
a date filter and are taken out of the searched text. "in 2016" or "in Q3 2025" may
as well be the date of the fact asked about ("revenue in Q3 2025" is announced in
November), so it only prefers releases of that period and stays in the searched
text. Words like "latest" or "current" ask for the newest statement first. A phrase
relative to an event ("before the partnership") is returned for the caller to date
by a search of its own.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from ingest.dates import MONTH_WORDS

__all__ = ["TimeQuery", "parse_time"]

_MONTH = r"(?P<month>" + "|".join(sorted(map(re.escape, MONTH_WORDS), key=len, reverse=True)) + r")"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WHEN = rf"(?:{_MONTH}\s+(?:\d{{1,2}},?\s+)?)?{_YEAR}"
_QUARTER = r"(?P<quarter>Q[1-4]|(?:first|second|third|fourth) quarter(?: of)?)\s+" + _YEAR

_PATTERNS = (
    ("after", re.compile(rf"\b(?:since|after|from|starting(?: in)?|as of)\s+{_WHEN}\b", re.I)),
    ("before", re.compile(rf"\b(?:before|prior to|until|till|up to|by)\s+{_WHEN}\b", re.I)),
    (
        "between",
        re.compile(r"\bbetween\s+(?P<y1>(?:19|20)\d\d)\s+and\s+(?P<y2>(?:19|20)\d\d)\b", re.I),
    ),
    ("during", re.compile(rf"\b(?:in|during|of|for)\s+(?:the\s+)?{_QUARTER}\b", re.I)),
    ("during", re.compile(rf"\b(?:in|during|throughout|for)\s+{_WHEN}\b", re.I)),
)
_RECENT = re.compile(
    r"\b(latest|most recent(?:ly)?|newest|current(?:ly)?|now|recent(?:ly)?|today|up[- ]to[- ]date"
    r"|so far|to date)\b",
    re.I,
)
_EVENT = re.compile(
    r"\b(?P<rel>before|after|since|prior to|following)\s+(?P<event>the\s+[\w\- ]{3,60}?)"
    r"(?=[?.!,;]|$)",
    re.I,
)
_QUARTER_MONTH = {
    "q1": 1,
    "first": 1,
    "q2": 4,
    "second": 4,
    "q3": 7,
    "third": 7,
    "q4": 10,
    "fourth": 10,
}


@dataclass(frozen=True)
class TimeQuery:
    """What a question says about time.

    Attributes:
        text: the question without its date-filter phrase (what is searched).
        date_from: earliest release date wanted, ISO, or None.
        date_to: latest release date wanted, ISO, or None.
        prefer_from: start of a period whose releases are preferred, ISO, or None.
        prefer_to: end of that period.
        recent: the question asks for the newest or current value.
        event: "the partnership" in "before the partnership": to be dated by a search.
        event_relation: "before" or "after" for ``event``.
    """

    text: str
    date_from: str | None = None
    date_to: str | None = None
    prefer_from: str | None = None
    prefer_to: str | None = None
    recent: bool = False
    event: str | None = None
    event_relation: str | None = None


def _bounds(match: re.Match[str]) -> tuple[str, str]:
    year = int(match.group("year"))
    groups = match.groupdict()
    if groups.get("quarter"):
        first = _QUARTER_MONTH[groups["quarter"].split()[0].lower()]
        last_day = calendar.monthrange(year, first + 2)[1]
        return f"{year}-{first:02d}-01", f"{year}-{first + 2:02d}-{last_day:02d}"
    if groups.get("month"):
        month = MONTH_WORDS[groups["month"].lower()]
        last_day = calendar.monthrange(year, month)[1]
        return f"{year}-{month:02d}-01", f"{year}-{month:02d}-{last_day:02d}"
    return f"{year}-01-01", f"{year}-12-31"


def _strip(text: str, span: tuple[int, int]) -> str:
    out = (text[: span[0]] + text[span[1] :]).strip()
    out = re.sub(r"\s{2,}", " ", out)
    return re.sub(r"\s+([?.!,;])", r"\1", out)


def parse_time(question: str) -> TimeQuery:
    """Read date constraints and recency out of a question.

    Example:
        >>> parse_time("Which releases mention Fast Track designation since March 2024?")
        TimeQuery(text='Which releases mention Fast Track designation?', date_from='2024-03-01', \
date_to=None, prefer_from=None, prefer_to=None, recent=False, event=None, event_relation=None)
    """
    recent = _RECENT.search(question) is not None
    for kind, pattern in _PATTERNS:
        match = pattern.search(question)
        if match is None:
            continue
        if kind == "during":
            first, last = _bounds(match)
            return TimeQuery(question, prefer_from=first, prefer_to=last, recent=recent)
        text = _strip(question, match.span())
        if kind == "between":
            lo, hi = sorted((int(match.group("y1")), int(match.group("y2"))))
            return TimeQuery(text, f"{lo}-01-01", f"{hi}-12-31", recent=recent)
        first, last = _bounds(match)
        if kind == "after":
            return TimeQuery(text, date_from=first, recent=recent)
        inclusive = match.group(0).split()[0].lower() in ("by", "until", "till")
        return TimeQuery(text, date_to=last if inclusive else _day_before(first), recent=recent)
    event = _EVENT.search(question)
    if event is not None:
        relation = "before" if event.group("rel").lower() in ("before", "prior to") else "after"
        return TimeQuery(
            _strip(question, event.span()),
            recent=recent,
            event=event.group("event").strip(),
            event_relation=relation,
        )
    return TimeQuery(question, recent=recent)


def _day_before(iso: str) -> str:
    year, month, day = map(int, iso.split("-"))
    if day > 1:
        return f"{year}-{month:02d}-{day - 1:02d}"
    if month > 1:
        return f"{year}-{month - 1:02d}-{calendar.monthrange(year, month - 1)[1]:02d}"
    return f"{year - 1}-12-31"
