"""Datelines: the run of place, date, wire and time of day that opens a release's lead.

Read with plain regular expressions (pure): "MADISON, Wis., March 4, 2014 (GLOBE
NEWSWIRE) --", "TEMPE, AZ, January 04, 2025 /24-7PressRelease/ --", "Salt Lake City, UT
(Newsworthy.ai) Tuesday Nov 21, 2023 @ 6:00 PM Eastern —", "SINGAPORE - Media OutReach
Newswire - 1 July 2026 -", "SAN DIEGO--(BUSINESS WIRE)--", or a line of its own ("March 4,
2014"). The dates themselves are read by :func:`ingest.dates.match_date`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.dates import MONTH_NAME, WEEKDAY_NAME, match_date
from ingest.sections import is_prose

__all__ = ["COMMON_FIRST_WORDS", "IMMEDIATE_RELEASE", "Dateline", "scan_dateline"]

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


@dataclass(frozen=True)
class Dateline:
    """What the top of one paragraph says: place, date, wire, and where the prose starts."""

    city: tuple[int, int] | None  # (start, end) of "MADISON, Wis."
    date: tuple[str, int, int] | None  # (ISO date, start, end) of "March 4, 2014"
    wire: tuple[int, int] | None  # (start, end) of "GLOBE NEWSWIRE", without its brackets
    body_start: int  # first character of the prose after the dateline
    end: int  # end of the paragraph
    name: tuple[int, int] | None = None  # (start, end) of "Acme Corp" in "/ Acme Corp /"


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


@dataclass(slots=True)
class _Scan:
    """The components of one dateline read so far, and where reading goes on."""

    text: str
    start: int  # the paragraph's first character
    end: int  # the paragraph's end
    pos: int  # where the next component may start
    city: tuple[int, int] | None = None
    date: tuple[str, int, int] | None = None
    wire: tuple[int, int] | None = None
    other: bool = False  # "FOR IMMEDIATE RELEASE", "(March 2024)", "/ Company /"
    name: tuple[int, int] | None = None  # the "/ Company /" of a dateline

    def read_component(self) -> bool:
        """Read the component at ``pos`` or after the separators there; False if none is.

        Each reader takes the position it should read at and returns where the component
        ends (recording it), or None; the first that reads wins.
        """
        text, pos = self.text, self.pos
        readers = (
            self._date,
            self._wire,
            self._marker,
            self._time_of_day,
            self._slashed_name,
            self._opening_place,
            self._later_place,
        )
        for attempt in (_WS.match(text, pos).end(), _SEPARATORS.match(text, pos).end()):
            attempt = min(attempt, self.end)
            for read in readers:
                after = read(attempt)
                if after is not None:
                    self.pos = after
                    return True
        return False

    def _date(self, at: int) -> int | None:
        """A date, bare or in brackets ("(March 4, 2014)"); only the first one is kept."""
        text, end = self.text, self.end
        paren = at < end and text[at] in "(["
        d = match_date(text, at + 1 if paren else at)
        if d is None or d.match_end > end:
            return None
        close = _WS.match(text, d.match_end).end()
        if paren and not (close < end and text[close] in ")]"):
            return None
        if self.date is None:
            self.date = (d.iso, d.start, d.end)
        return close + 1 if paren else d.match_end

    def _wire(self, at: int) -> int | None:
        """A wire name; only the first one is kept."""
        w = _wire_at(self.text, at, generic=bool(self.city or self.date))
        if w is None or w[0] > self.end:
            return None
        if self.wire is None:
            self.wire = (w[1], w[2])
        return w[0]

    def _marker(self, at: int) -> int | None:
        """A "FOR IMMEDIATE RELEASE" or a month and year in brackets ("(March 2024)")."""
        m = IMMEDIATE_RELEASE.match(self.text, at) or _MONTH_YEAR.match(self.text, at)
        if m is None:
            return None
        self.other = True
        return m.end()

    def _time_of_day(self, at: int) -> int | None:
        """A time of day ("@ 6:00 PM Eastern"), once a date or a wire has been read."""
        if self.date is None and self.wire is None:
            return None
        m = _TIME.match(self.text, at)
        if m is not None and m.end() > at and re.search(r"\d", m[0]):
            return m.end()
        return None

    def _slashed_name(self, at: int) -> int | None:
        """A name between slashes ("/ Acme Corp /"), once a date or a wire has been read."""
        if self.date is None and self.wire is None or not self.text.startswith("/", at):
            return None
        m = _BRACKETED.match(self.text, at)
        if m is None or m.lastgroup != "b" or m.end() > self.end:
            return None
        self.other = True
        if self.name is None:
            self.name = (m.start("b"), m.end("b"))
        return m.end()

    def _opening_place(self, at: int) -> int | None:
        """The place that opens the paragraph ("MADISON, Wis.")."""
        if self.city is not None or at != self.start or self.date or self.wire or self.other:
            return None
        m = _CITY.match(self.text, at)
        if m is None or m.end() > self.end:
            return None
        first = m[0].split()[0].rstrip(",")
        if first in COMMON_FIRST_WORDS or len(m[0]) > 80:
            return None
        self.city = (m.start(), m.end())
        return m.end()

    def _later_place(self, at: int) -> int | None:
        """An upper-case place after the date or the wire, before a dash.

        "(NewMediaWire) - May 13, 2025 - DALLAS — Women often face ..." gives "DALLAS".
        """
        if self.city is not None or not (self.date or self.wire):
            return None
        m = _CITY.match(self.text, at)
        if (
            m is not None
            and m[0].split()[0].rstrip(",").isupper()
            and len(m[0]) <= 50
            and _STRONG_SEP.match(self.text, m.end())
        ):
            self.city = (m.start(), m.end())
            return m.end()
        return None

    def _place_only(self) -> bool:
        """A place was read, but neither a date nor a wire."""
        return self.city is not None and self.date is None and self.wire is None

    def _rejected(self) -> bool:
        """What was read is no dateline: nothing, a title, or the start of a sentence."""
        text, city, date = self.text, self.city, self.date
        if city is None and date is None and self.wire is None and not self.other:
            return True
        if city is not None and self._place_only():
            name = text[city[0] : city[1]]
            looks_like_place = "," in name or name.isupper() and len(name) > 2
            if not (_STRONG_SEP.match(text, city[1]) and looks_like_place and len(name) <= 50):
                return True
            if not is_prose(text[self.pos : self.end]):
                return True  # "PACKS Dispensary South Los Angeles – A Beacon of Quality": a title
        if date is not None and city is None and self.wire is None:
            if re.match(r",?\s+[a-z]", text[date[2] : date[2] + 20]):
                return True  # "March 15th, 2024, marks a momentous occasion": a sentence
        return False

    def result(self) -> Dateline | None:
        """The Dateline read, or None when the paragraph does not open with one."""
        if self._rejected():
            return None
        body_start = min(_SEPARATORS.match(self.text, self.pos).end(), self.end)
        if self._place_only() and body_start == self.end:
            return None  # a short line of capitalised words, not a dateline
        return Dateline(self.city, self.date, self.wire, body_start, self.end, self.name)


def scan_dateline(text: str, start: int, end: int) -> Dateline | None:
    """Read the dateline at the top of the paragraph ``text[start:end]``, if there is one.

    The components (place, date, wire, time of day, "FOR IMMEDIATE RELEASE", "/ Company /")
    may come in any order, between separators; a place alone counts only when a dash
    follows it ("NEW YORK — Acme ..."). At most ten components within the first 400
    characters are read.

    Args:
        text: The stored text of a release.
        start: First character of the paragraph.
        end: End of the paragraph.

    Returns:
        The Dateline, or None when the paragraph does not open with one.

    Example:
        >>> d = scan_dateline("MADISON, Wis., March 4, 2014 (GLOBE NEWSWIRE) -- Acme ...", 0, 58)
        >>> d.date[0], d.city, d.wire, d.body_start
        ('2014-03-04', (0, 13), (30, 44), 49)
    """
    scan = _Scan(text, start, end, pos=start)
    limit = min(end, start + 400)
    for _ in range(10):
        if scan.pos >= limit or not scan.read_component():
            break
    return scan.result()
