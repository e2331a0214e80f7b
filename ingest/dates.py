"""Dates and datelines as press releases write them, read with plain regular expressions.

Pure functions only.

* :func:`match_date` reads one date: "March 4, 2014", "Nov. 28, 2016", "Sept 3 2024",
  "November 22nd, 2024", "Tuesday Nov 21, 2023", "15 March 2024", "21st of June, 2025",
  "2024-03-15", US "03/15/2024". A date must name its year; "March 4" alone is not a date.
* :func:`scan_dateline` reads the run of place, date, wire and time of day that opens a
  release's lead paragraph: "MADISON, Wis., March 4, 2014 (GLOBE NEWSWIRE) --",
  "TEMPE, AZ, January 04, 2025 /24-7PressRelease/ --", "Salt Lake City, UT (Newsworthy.ai)
  Tuesday Nov 21, 2023 @ 6:00 PM Eastern —", "SINGAPORE - Media OutReach Newswire - 1 July
  2026 -", "SAN DIEGO--(BUSINESS WIRE)--", or a line of its own ("March 4, 2014").
* :func:`date_from_path` reads ``2014-03-04-foo.txt`` or ``.../2024/0315/slug.md``.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass

__all__ = [
    "COMMON_FIRST_WORDS",
    "MONTH_SPELLINGS",
    "MONTH_WORDS",
    "DateMatch",
    "Dateline",
    "date_from_path",
    "iso_date",
    "match_date",
    "parse_date_limit",
    "scan_dateline",
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
    return _MONTHS[name[:3].lower()]


def match_date(text: str, pos: int = 0) -> DateMatch | None:
    """Match a date (optionally preceded by a weekday) exactly at ``text[pos:]``.

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


# --- datelines ------------------------------------------------------------------------------

_WIRE_WORDS = (
    r"news\s?wire|media\s?wire|presswire|press\s?release|\w*wire\b|PRWeb|Newsfile|"
    r"News\s?Direct|Newsworthy(?:\.ai)?|NewsUSA|PR\s?Karma|Media\s?OutReach|\bIBN\b|"
    r"\bCNW\b|Cision|PRLog|Send2Press|Reportable"
)
_WIRE_VOCAB = re.compile(r"(?i)" + _WIRE_WORDS)
# A wire name in brackets, slashes or dashes: (GLOBE NEWSWIRE), /24-7PressRelease/, [Noticias
# Newswire], --(BUSINESS WIRE)--, / ACCESSWIRE /.
_BRACKETED = re.compile(
    r"\(\s*(?P<a>[^()\n]{2,60}?)\s*\)"
    r"|/\s*(?P<b>[^/\n]{2,60}?)\s*/"
    r"|\[\s*(?P<c>[^\[\]\n]{2,60}?)\s*\]"
)
_BARE_WIRE = re.compile(
    r"(?i)(?P<w>GLOBE\s?NEWSWIRE|PR\s?Newswire|Business\s?Wire|ACCESS\s?(?:WIRE|Newswire)|"
    r"News\s?Direct|Newsworthy\.ai|NewMediaWire|Media\s?OutReach\s?Newswire|PRISM\s?MediaWire|"
    r"EIN\s?Presswire|PRWeb|Newsfile(?:\s?Corp\.?)?|InvestorWire|Noticias\s?Newswire|"
    r"24-7\s?PressRelease|PR\s?Karma|NewsUSA|Marketwired|TheNewswire|Send2Press)(?![\w])"
)
_GENERIC_WIRE = re.compile(
    r"(?P<w>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?\s?(?:News\s?wire|Media\s?Wire|Press\s?Wire))(?!\w)"
)
_MD_LINK_TARGET = re.compile(r"\(\s*(?:https?://|www\.)[^()\s]*\)")  # [Name](url) in markdown
_AFTER_BARE_WIRE = re.compile(r"\s*(?:[-–—|/(:]|$)")
_TIME = re.compile(
    r"(?i)(?:@|at)?\s*\d{1,2}(?::\d{2}|\s*[ap]\.?m\b\.?)(?:\s*[ap]\.?m\b\.?)?"
    r"(?:\s+(?:US/)?(?:eastern|pacific|central|mountain|[ECMP][SD]?T|GMT|UTC|BST|CET|CEST|IST)"
    r"(?:\s+(?:standard|daylight))?(?:\s+time)?)?"
)
IMMEDIATE_RELEASE = re.compile(r"(?i)for\s+immediate\s+release\b")
_MONTH_YEAR = re.compile(r"(?i)\(\s*" + MONTH_NAME + r"\.?,?\s+(?:19|20)\d{2}\s*\)")
# Capitalised words that open sentences rather than names of places or companies.
COMMON_FIRST_WORDS = frozenset(
    "On In As At By For From Since Until Through During Effective Beginning Starting Today "
    "Yesterday Dated Last This These Those Between Before After Earlier Later Throughout Over "
    "The A An Also And But When While Following Prior Our We It Its Their They Many Most Some "
    "Every Each With Despite Amid Why How What Where Who If Is Are Here There Now Just Recently "
    "According Roughly Nearly About Approximately Dear Please Join Watch Meet "
    "Introducing Announcing Presenting Dr Dr. Mr Mr. Ms Ms. Mrs Mrs. Prof Prof. Key Highlights "
    "Summary Note WHEN WHERE WHAT WHO "
    "WHY HOW DATE TIME Date Time When Where What Who Location Venue Event Register".split()
)
_CONNECTOR = r"(?:and|&|de|del|la|of|upon|am|on|sur|en|y|do|da)"
_CITY_TOKEN = (
    r"(?!(?i:" + MONTH_NAME + r")\.?\s+\d)(?!(?i:" + WEEKDAY_NAME + r")\b)"
    r"(?:(?:[A-Z]\.){2,}|[A-Z][\w'’]*\.?(?:[-/][\w'’]+\.?)*)"
)
_CITY = re.compile(
    _CITY_TOKEN + r"(?:(?:\s?,\s*|\s+)(?:" + _CONNECTOR + r"\s+)?" + _CITY_TOKEN + r"){0,7}"
)
_STRONG_SEP = re.compile(r"\s*(?:--|—|–|\s-\s|\|)")
_SEPARATORS = re.compile(r"[\s,;:|.\-–—/)\]]*")
_WS = re.compile(r"\s*")
_TICKERISH = re.compile(r":\s*[A-Z]{1,6}\b")  # "(NASDAQ: ACME)" is a ticker, not a wire


def _reads_as_prose(p: str) -> bool:
    """Running text rather than a title: long, or ending like a sentence."""
    return len(p) >= 250 or len(p) >= 60 and bool(re.search(r"[\w%)][.!?][”\"’)]?$", p))


@dataclass(frozen=True)
class Dateline:
    """What the top of one paragraph says: place, date, wire, and where the prose starts."""

    city: tuple[int, int] | None  # (start, end) of "MADISON, Wis."
    date: tuple[str, int, int] | None  # (ISO date, start, end) of "March 4, 2014"
    wire: tuple[int, int] | None  # (start, end) of "GLOBE NEWSWIRE", without its brackets
    body_start: int  # first character of the prose after the dateline
    end: int  # end of the paragraph


def _wire_at(text: str, pos: int, *, generic: bool = False) -> tuple[int, int, int] | None:
    """A wire name at ``pos``: (end of the match, name start, name end).

    ``generic`` also accepts an unknown "<Name> Newswire" without brackets (only inside a
    dateline that already has a place or a date: "New York, NY – March 17th, 2025 – Qwoted
    Newswire – ...").
    """
    m = _BRACKETED.match(text, pos)
    if m is not None:
        group = m.lastgroup or "a"
        if _WIRE_VOCAB.search(m[group]) and not _TICKERISH.search(m[group]):
            link = _MD_LINK_TARGET.match(text, m.end()) if group == "c" else None
            return (link.end() if link else m.end()), m.start(group), m.end(group)
        return None
    m = _BARE_WIRE.match(text, pos) or (_GENERIC_WIRE.match(text, pos) if generic else None)
    if m is not None and _AFTER_BARE_WIRE.match(text, m.end()):
        return m.end(), m.start("w"), m.end("w")
    return None


def scan_dateline(text: str, start: int, end: int) -> Dateline | None:
    """Read the dateline at the top of the paragraph ``text[start:end]``, if there is one.

    The components (place, date, wire, time of day, "FOR IMMEDIATE RELEASE", "/ Company /")
    may come in any order, between separators; a place alone counts only when a dash
    follows it ("NEW YORK — Acme ..."). Returns None when the paragraph does not open so.

    Example:
        >>> d = scan_dateline("MADISON, Wis., March 4, 2014 (GLOBE NEWSWIRE) -- Acme ...", 0, 58)
        >>> d.date[0], d.city, d.wire, d.body_start
        ('2014-03-04', (0, 13), (30, 44), 49)
    """
    city: tuple[int, int] | None = None
    date: tuple[str, int, int] | None = None
    wire: tuple[int, int] | None = None
    other = False  # "FOR IMMEDIATE RELEASE", "/ Company /", a time of day
    pos = start
    limit = min(end, start + 400)
    for _ in range(10):
        if pos >= limit:
            break
        matched = False
        for attempt in (_WS.match(text, pos).end(), _SEPARATORS.match(text, pos).end()):
            attempt = min(attempt, end)
            paren = attempt < end and text[attempt] in "(["
            d = match_date(text, attempt + 1 if paren else attempt)
            if d is not None and d.match_end <= end:
                close = _WS.match(text, d.match_end).end()
                if not paren or (close < end and text[close] in ")]"):
                    if date is None:
                        date = (d.iso, d.start, d.end)
                    pos = close + 1 if paren else d.match_end
                    matched = True
                    break
            w = _wire_at(text, attempt, generic=bool(city or date))
            if w is not None and w[0] <= end:
                if wire is None:
                    wire = (w[1], w[2])
                pos, matched = w[0], True
                break
            m = IMMEDIATE_RELEASE.match(text, attempt) or _MONTH_YEAR.match(text, attempt)
            if m is not None:
                pos, matched, other = m.end(), True, True
                break
            if date is not None or wire is not None:
                m = _TIME.match(text, attempt)
                if m is not None and m.end() > attempt and re.search(r"\d", m[0]):
                    pos, matched = m.end(), True
                    break
                if text.startswith("/", attempt):
                    m = _BRACKETED.match(text, attempt)
                    if m is not None and m.lastgroup == "b" and m.end() <= end:
                        pos, matched, other = m.end(), True, True
                        break
            if city is None and attempt == start and not (date or wire or other):
                m = _CITY.match(text, attempt)
                if m is not None and m.end() <= end:
                    first = m[0].split()[0].rstrip(",")
                    if first not in COMMON_FIRST_WORDS and len(m[0]) <= 80:
                        city = (m.start(), m.end())
                        pos, matched = m.end(), True
                        break
            elif city is None and (date or wire):
                # "(NewMediaWire) - May 13, 2025 - DALLAS — Women often face ..."
                m = _CITY.match(text, attempt)
                if (
                    m is not None
                    and m[0].split()[0].rstrip(",").isupper()
                    and len(m[0]) <= 50
                    and _STRONG_SEP.match(text, m.end())
                ):
                    city = (m.start(), m.end())
                    pos, matched = m.end(), True
                    break
        if not matched:
            break
    if city is None and date is None and wire is None and not other:
        return None
    if city is not None and date is None and wire is None:
        name = text[city[0] : city[1]]
        looks_like_place = "," in name or name.isupper() and len(name) > 2
        if not (_STRONG_SEP.match(text, city[1]) and looks_like_place and len(name) <= 50):
            return None
        if not _reads_as_prose(text[pos:end]):
            return None  # "PACKS Dispensary South Los Angeles – A Beacon of Quality": a title
    if date is not None and city is None and wire is None:
        if re.match(r",?\s+[a-z]", text[date[2] : date[2] + 20]):
            return None  # "March 15th, 2024, marks a momentous occasion": a sentence
    body_start = min(_SEPARATORS.match(text, pos).end(), end)
    if city is not None and date is None and wire is None and body_start == end:
        return None  # a short line of capitalised words, not a dateline
    return Dateline(city, date, wire, body_start, end)


def parse_date_limit(text: str | None, *, end: bool = False, label: str = "date") -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> an ISO date (the last day when ``end``).

    Raises:
        ValueError: with a short message naming ``label``.

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
