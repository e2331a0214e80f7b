"""Time in questions: "in 2016", "since March 2024", "before 2020", "latest" (pure).

"since", "after", "before", "until" and "between" speak of release dates: they become
a date filter and are taken out of the searched text. "in 2016" or "in Q3 2025" may
as well be the date of the fact asked about ("revenue in Q3 2025" is announced in
November), so it only prefers releases of that period and stays in the searched
text, unless the caller says the question asks for the releases of a period
(``limits=True``: "Which companies announced acquisitions in Q2 2025?"), when it is a
limit like the others. Words relative to the newest release (``newest``): "this year",
"last quarter", "last month", "in the past six months", "since March", "in March" are
read as the periods they name. Words like "latest" or "current" ask for the newest
statement first. A phrase relative to an event ("before the partnership") is returned
for the caller to date by a search of its own. ``TimeQuery.words`` is the phrase read
as a period, to show the user.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ingest.dates import MONTH_WORDS

__all__ = ["TimeQuery", "parse_time"]

_MONTH = r"(?P<month>" + "|".join(sorted(map(re.escape, MONTH_WORDS), key=len, reverse=True)) + r")"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WHEN = rf"(?:{_MONTH}\s+(?:\d{{1,2}},?\s+)?)?{_YEAR}"
_QUARTER = (
    r"(?P<quarter>Q[1-4]|(?:first|second|third|fourth) quarter(?: of)?"
    r"|H[12]|(?:first|second) half(?: of)?)\s+" + _YEAR
)
_MONTH_NAMES = "|".join(sorted(map(re.escape, MONTH_WORDS), key=len, reverse=True))
# "between July and December 2024", "from March to June 2025", "from May 2024 to March 2025"
_MONTHS_SPAN = (
    rf"(?P<m1>{_MONTH_NAMES})(?:\s+(?P<y1>(?:19|20)\d\d))?\s+(?:and|to|through|until|-)\s+"
    rf"(?P<m2>{_MONTH_NAMES})\s+(?P<y2>(?:19|20)\d\d)"
)
_NUMBER_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty-four": 24,
}
_N = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_IN = r"(?:(?:in|during|over|for|within|from)\s+)?"
# a month named without its year ("since March"): the latest one up to the newest release
_MONTH_ONLY = _MONTH + r"(?!\s*(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d\d)\b"
_RELATIVE = (
    (
        "rolling",
        re.compile(
            rf"\b{_IN}the\s+(?:past|last|previous)\s+{_N}?\s*"
            r"(?P<unit>days?|weeks?|months?|quarters?|years?)\b",
            re.I,
        ),
    ),
    (
        "rolling",
        re.compile(
            rf"\b{_IN}(?:past|last|previous)\s+{_N}\s+"
            r"(?P<unit>days?|weeks?|months?|quarters?|years?)\b",
            re.I,
        ),
    ),
    (
        "this",
        re.compile(
            rf"\b{_IN}(?:this|the current)\s+(?P<unit>year|quarter|month)\b"
            r"|\b(?P<ytd>year[- ]to[- ]date)\b",
            re.I,
        ),
    ),
    ("last", re.compile(rf"\b{_IN}(?:last|previous)\s+(?P<unit>year|quarter|month)\b", re.I)),
    ("since_month", re.compile(rf"\b(?:since|after|from|starting(?: in)?)\s+{_MONTH_ONLY}", re.I)),
    ("in_month", re.compile(rf"\b(?:in|during)\s+{_MONTH_ONLY}", re.I)),
)

_PATTERNS = (
    ("months", re.compile(rf"\b(?:between|from)\s+{_MONTHS_SPAN}\b", re.I)),
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
        words: the words read as a period or date limit ("in Q2 2025", "last quarter"),
            to show the user; None when none were.
    """

    text: str
    date_from: str | None = None
    date_to: str | None = None
    prefer_from: str | None = None
    prefer_to: str | None = None
    recent: bool = False
    event: str | None = None
    event_relation: str | None = None
    words: str | None = None

    @property
    def limited(self) -> bool:
        """Whether the question limits the release dates."""
        return bool(self.date_from or self.date_to)


def _bounds(match: re.Match[str]) -> tuple[str, str]:
    year = int(match.group("year"))
    groups = match.groupdict()
    if groups.get("quarter"):
        word = groups["quarter"].split()[0].lower()
        if word in ("h1", "h2") or "half" in groups["quarter"].lower():
            first = 1 if word in ("h1", "first") else 7
            months = 6
        else:
            first, months = _QUARTER_MONTH[word], 3
        return _months_span(year, first, months)
    if groups.get("month"):
        month = MONTH_WORDS[groups["month"].lower()]
        last_day = calendar.monthrange(year, month)[1]
        return f"{year}-{month:02d}-01", f"{year}-{month:02d}-{last_day:02d}"
    return f"{year}-01-01", f"{year}-12-31"


def _months_span(year: int, first: int, months: int) -> tuple[str, str]:
    """The first and last day of ``months`` months from ``first`` of ``year``."""
    last = first + months - 1
    last_day = calendar.monthrange(year, last)[1]
    return f"{year}-{first:02d}-01", f"{year}-{last:02d}-{last_day:02d}"


def _unit_span(unit: str, day: date, back: int = 0) -> tuple[str, str]:
    """The calendar year, quarter or month holding ``day``, or the one ``back`` before."""
    if unit == "year":
        return f"{day.year - back}-01-01", f"{day.year - back}-12-31"
    size = 3 if unit == "quarter" else 1
    index = day.year * 12 + (day.month - 1) // size * size - back * size
    return _months_span(index // 12, index % 12 + 1, size)


def _latest_month(month: int, newest: date) -> int:
    """The year of the latest ``month`` that starts on or before ``newest``."""
    return newest.year if month <= newest.month else newest.year - 1


def _relative(kind: str, match: re.Match[str], newest: date) -> tuple[str, str | None]:
    """The first and last day (None: open) of a period relative to ``newest``."""
    groups = match.groupdict()
    if kind in ("since_month", "in_month"):
        month = MONTH_WORDS[groups["month"].lower()]
        year = _latest_month(month, newest)
        if kind == "since_month":
            return f"{year}-{month:02d}-01", None
        return _months_span(year, month, 1)
    if kind == "this":
        if groups.get("ytd"):
            return f"{newest.year}-01-01", newest.isoformat()
        return _unit_span(groups["unit"].lower(), newest)
    if kind == "last":
        return _unit_span(groups["unit"].lower(), newest, back=1)
    raw = (groups.get("n") or "1").lower()
    n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    unit = groups["unit"].lower().rstrip("s")
    if unit in ("day", "week"):
        first = newest - timedelta(days=n * (7 if unit == "week" else 1))
    else:
        months = n * {"month": 1, "quarter": 3, "year": 12}[unit]
        index = newest.year * 12 + newest.month - 1 - months
        year, month = divmod(index, 12)
        day = min(newest.day, calendar.monthrange(year, month + 1)[1])
        first = date(year, month + 1, day) + timedelta(days=1)
    return first.isoformat(), newest.isoformat()


def _is_month(match: re.Match[str]) -> bool:
    """A month named alone is one only when capitalised ("since March", not "in may")."""
    month = match.groupdict().get("month")
    return month is None or month[:1].isupper()


def _strip(text: str, span: tuple[int, int]) -> str:
    out = (text[: span[0]] + text[span[1] :]).strip()
    out = re.sub(r"\s{2,}", " ", out)
    return re.sub(r"\s+([?.!,;])", r"\1", out)


def parse_time(question: str, newest: str | None = None, limits: bool = False) -> TimeQuery:
    """Read date constraints and recency out of a question.

    Args:
        question: the question.
        newest: the date of the newest release (ISO): words relative to it ("last
            quarter", "this year", "since March") are read only when it is given.
        limits: the question asks for the releases of a period, so "in 2025", "in Q2
            2025" or "last quarter" limit the release dates (else they only prefer them).

    Example:
        >>> parse_time("Which releases mention Fast Track designation since March 2024?")
        TimeQuery(text='Which releases mention Fast Track designation?', date_from='2024-03-01', \
date_to=None, prefer_from=None, prefer_to=None, recent=False, event=None, event_relation=None, \
words='since March 2024')
        >>> q = parse_time("Which startups raised funding last quarter?", "2025-11-20", limits=True)
        >>> q.text, q.date_from, q.date_to, q.words
        ('Which startups raised funding?', '2025-07-01', '2025-09-30', 'last quarter')
    """
    recent = _RECENT.search(question) is not None
    found = _absolute(question, recent)
    if found is None and newest:
        found = _relative_query(question, date.fromisoformat(newest[:10]), recent)
    if found is not None:
        if limits and found.prefer_from and not found.limited:
            return replace(
                found,
                text=_strip(question, found_span(question, found.words)),
                date_from=found.prefer_from,
                date_to=found.prefer_to,
                prefer_from=None,
                prefer_to=None,
            )
        return found
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


def found_span(question: str, words: str | None) -> tuple[int, int]:
    """Where ``words`` stand in ``question`` (the empty span at 0 when nowhere)."""
    at = question.find(words) if words else -1
    return (at, at + len(words or "")) if at >= 0 else (0, 0)


def _absolute(question: str, recent: bool) -> TimeQuery | None:
    for kind, pattern in _PATTERNS:
        match = pattern.search(question)
        if match is None:
            continue
        words = match.group(0)
        if kind == "during":
            first, last = _bounds(match)
            return TimeQuery(
                question, prefer_from=first, prefer_to=last, recent=recent, words=words
            )
        text = _strip(question, match.span())
        if kind == "between":
            lo, hi = sorted((int(match.group("y1")), int(match.group("y2"))))
            return TimeQuery(text, f"{lo}-01-01", f"{hi}-12-31", recent=recent, words=words)
        if kind == "months":
            m1, m2 = MONTH_WORDS[match["m1"].lower()], MONTH_WORDS[match["m2"].lower()]
            y2 = int(match["y2"])
            y1 = int(match["y1"]) if match["y1"] else (y2 if m1 <= m2 else y2 - 1)
            first, last = _months_span(y1, m1, 1)[0], _months_span(y2, m2, 1)[1]
            if first > last:
                first, last = last, first
            return TimeQuery(text, first, last, recent=recent, words=words)
        first, last = _bounds(match)
        if kind == "after":
            return TimeQuery(text, date_from=first, recent=recent, words=words)
        inclusive = words.split()[0].lower() in ("by", "until", "till")
        to = last if inclusive else _day_before(first)
        return TimeQuery(text, date_to=to, recent=recent, words=words)
    return None


def _relative_query(question: str, newest: date, recent: bool) -> TimeQuery | None:
    for kind, pattern in _RELATIVE:
        match = next((m for m in pattern.finditer(question) if _is_month(m)), None)
        if match is None:
            continue
        words = match.group(0).strip()
        first, last = _relative(kind, match, newest)
        if kind == "since_month":
            text = _strip(question, match.span())
            return TimeQuery(text, date_from=first, recent=recent, words=words)
        return TimeQuery(question, prefer_from=first, prefer_to=last, recent=recent, words=words)
    return None


def _day_before(iso: str) -> str:
    year, month, day = map(int, iso.split("-"))
    if day > 1:
        return f"{year}-{month:02d}-{day - 1:02d}"
    if month > 1:
        return f"{year}-{month - 1:02d}-{calendar.monthrange(year, month - 1)[1]:02d}"
    return f"{year - 1}-12-31"
