"""Dates as press releases and file paths write them, read with plain regular expressions.

Pure functions only.

* :func:`match_date` reads one date: "March 4, 2014", "Nov. 28, 2016", "Sept 3 2024",
  "November 22nd, 2024", "Tuesday Nov 21, 2023", "15 March 2024", "21st of June, 2025",
  "2024-03-15", US "03/15/2024". A date must name its year; "March 4" alone is not a date.
* :func:`date_from_path` reads ``2014-03-04-foo.txt`` or ``.../2024/0315/slug.md``.
* :func:`parse_date_limit` reads a typed date limit: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

The month and weekday patterns (:data:`MONTH_NAME`, :data:`WEEKDAY_NAME`) are shared with
:mod:`ingest.datelines`, which reads the dateline that opens a release.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass

__all__ = [
    "MONTH_NAME",
    "MONTH_SPELLINGS",
    "MONTH_WORDS",
    "WEEKDAY_NAME",
    "DateMatch",
    "date_from_path",
    "iso_date",
    "match_date",
    "parse_date_limit",
]

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# month name, abbreviation and abbreviation with a period, lower-cased -> month number
MONTH_WORDS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i], calendar.month_abbr[i] + ".")
}
# the spellings that stand before a day number in English prose ("Sept. 3")
MONTH_SPELLINGS = tuple(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec Jan. Feb. Mar. Apr. Jun. Jul. Aug. "
    "Sep. Sept. Oct. Nov. Dec. January February March April June July August September "
    "October November December".split()
)
MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
WEEKDAY_NAME = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
)
_YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)"
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?i)(?:(?P<wd>" + WEEKDAY_NAME + r")\.?,?\s+)?(?P<date>"
    # March 4, 2014 / Nov. 28, 2016 / November 22nd, 2024 / Sept 3 2024
    r"(?P<mon1>"
    + MONTH_NAME
    + r")\.?\s+(?P<day1>\d{1,2})"
    + _ORD
    + r"(?!\d),?\s+"
    + _YEAR
    # 15 March 2024 / 21st of June, 2025
    + r"|(?P<day2>\d{1,2})"
    + _ORD
    + r"(?:\s+of)?\s+(?P<mon2>"
    + MONTH_NAME
    + r")\.?,?\s+"
    r"(?P<year2>(?:19|20)\d{2})(?!\d)"
    # 2024-03-15
    r"|(?P<year3>(?:19|20)\d{2})-(?P<mon3>\d{2})-(?P<day3>\d{2})(?!\d)"
    # 03/15/2024
    r"|(?P<mon4>\d{1,2})/(?P<day4>\d{1,2})/(?P<year4>(?:19|20)\d{2})(?!\d)"
    r")"
)
_PATH_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})[-_/.]?(?P<m>0[1-9]|1[0-2])[-_/.]?(?P<d>[0-2]\d|3[01])(?!\d)"
)


@dataclass(frozen=True)
class DateMatch:
    """A date found in text: ``iso`` is ``YYYY-MM-DD``; ``start``/``end`` span the date only
    (a leading weekday is outside the span but inside ``match_start``/``match_end``)."""

    iso: str
    start: int
    end: int
    match_start: int
    match_end: int


def iso_date(year: int, month: int, day: int) -> str | None:
    """Return ``YYYY-MM-DD`` for a real calendar date, else None."""
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _month_number(name: str) -> int:
    """The number of a month named in English ("Sept" -> 9)."""
    return _MONTHS[name[:3].lower()]


def match_date(text: str, pos: int = 0) -> DateMatch | None:
    """Match a date (optionally preceded by a weekday) exactly at ``text[pos:]``.

    Args:
        text: The text to read.
        pos: Where the date (or its weekday) must start.

    Returns:
        The date and its span, or None when no real calendar date starts at ``pos``.

    Example:
        >>> match_date("Tuesday Nov 21, 2023 @ 6:00 PM").iso
        '2023-11-21'
    """
    m = _DATE.match(text, pos)
    if m is None:
        return None
    if m.group("mon1"):
        year, month, day = int(m["year"]), _month_number(m["mon1"]), int(m["day1"])
    elif m.group("mon2"):
        year, month, day = int(m["year2"]), _month_number(m["mon2"]), int(m["day2"])
    elif m.group("mon3"):
        year, month, day = int(m["year3"]), int(m["mon3"]), int(m["day3"])
    else:
        year, month, day = int(m["year4"]), int(m["mon4"]), int(m["day4"])
    iso = iso_date(year, month, day)
    if iso is None:
        return None
    return DateMatch(iso, m.start("date"), m.end("date"), m.start(), m.end())


def date_from_path(path: str | None) -> str | None:
    """The publication date written in a file path, if any (the last one wins).

    Args:
        path: A file path, or None.

    Returns:
        ``YYYY-MM-DD``, or None when the path names no date.

    Example:
        >>> date_from_path("releases/2024/0315/acme-results.md")
        '2024-03-15'
    """
    if not path:
        return None
    found = None
    for m in _PATH_DATE.finditer(path.replace("\\", "/")):
        iso = iso_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if iso is not None:
            found = iso
    return found


def parse_date_limit(text: str | None, *, end: bool = False, label: str = "date") -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> an ISO date (the last day when ``end``).

    Args:
        text: The typed limit; anything after a space or a "T" is ignored.
        end: Give the last day of a year or month rather than the first.
        label: What the error message calls the value ("From", "To").

    Returns:
        ``YYYY-MM-DD``, or None for an empty limit.

    Raises:
        ValueError: with a short message naming ``label``.

    Example:
        >>> parse_date_limit("2015"), parse_date_limit("2016-02", end=True), parse_date_limit("")
        ('2015-01-01', '2016-02-29', None)
    """
    text = (text or "").strip()
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]
    try:
        if re.fullmatch(r"\d{4}", text):
            return f"{text}-12-31" if end else f"{text}-01-01"
        if re.fullmatch(r"\d{4}-\d{2}", text):
            year, month = map(int, text.split("-"))
            if not 1 <= month <= 12:
                raise ValueError(text)
            day = calendar.monthrange(year, month)[1] if end else 1
            return f"{year:04d}-{month:02d}-{day:02d}"
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ValueError(f"{label} {text!r} is not a date: use YYYY-MM-DD (or YYYY, YYYY-MM)")


def display_date(iso: str | None, month: str = "%b") -> str:
    """An ISO date for people: ``2014-03-04`` -> ``Mar 4, 2014`` (``month="%B"``: ``March``);
    None -> ``undated``; anything unparsable is returned as it is.

    >>> display_date("2016-11-28"), display_date("2016-11-28", "%B"), display_date(None)
    ('Nov 28, 2016', 'November 28, 2016', 'undated')
    """
    if not iso:
        return "undated"
    try:
        day = _dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day:{month}} {day.day}, {day.year}"
