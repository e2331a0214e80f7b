"""What a web page says about itself: its published date and its headline (pure).

Read from the markup before the text is taken out: ``<meta property=
"article:published_time">`` (and the other names sites use: ``og:published_time``,
``datePublished``, ``pubdate``, ``date``, ``DC.date.issued``), JSON-LD ``datePublished``,
else the first ``<time datetime>`` of the page; and ``og:title`` for the headline of a
page whose content has no ``<h1>``.

Example:
    >>> from bs4 import BeautifulSoup
    >>> soup = BeautifulSoup('<meta property="article:published_time" '
    ...                      'content="2025-03-03T09:00:00+01:00"><p>x</p>', "lxml")
    >>> published_date(soup)
    '2025-03-03'
"""

from __future__ import annotations

import re
from datetime import date

from bs4 import BeautifulSoup
from bs4.element import Tag

__all__ = ["og_title", "published_date"]

_DATE_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "dc.date.issued",
    "dc.date",
    "date",
)
_ISO_DAY = re.compile(r"((?:19|20)\d{2})-(\d{2})-(\d{2})")
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')


def _iso_day(value: str) -> str | None:
    """``YYYY-MM-DD`` from the start of an ISO date or date-time, if it is a real day."""
    m = _ISO_DAY.match(value.strip())
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def published_date(soup: BeautifulSoup) -> str | None:
    """The page's published date, ISO ``YYYY-MM-DD``, or None when it states none."""
    found: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        key = str(meta.get("property") or meta.get("name") or meta.get("itemprop") or "")
        key = key.strip().lower()
        if key in _DATE_META and key not in found:
            day = _iso_day(str(meta.get("content") or ""))
            if day:
                found[key] = day
    for key in _DATE_META:
        if key in found:
            return found[key]
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        m = _JSON_LD_DATE.search(script.string or "")
        day = _iso_day(m[1]) if m else None
        if day:
            return day
    for tag in soup.find_all("time"):
        day = _iso_day(str(tag.get("datetime") or "")) if isinstance(tag, Tag) else None
        if day:
            return day
    return None


def og_title(soup: BeautifulSoup) -> str:
    """The page's ``og:title`` (or ``twitter:title``), "" when it has none."""
    for key in ("og:title", "twitter:title"):
        tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
        if isinstance(tag, Tag):
            value = " ".join(str(tag.get("content") or "").split())
            if value:
                return value
    return ""
