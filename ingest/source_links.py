"""A release's own source link: where the wire published it (pure).

Releases of the newswire archive carry a block of links, one of them labelled
"Original/Source Press Release" (the others are pickups, summaries and social posts);
a saved web page names its address in ``<link rel="canonical">`` or ``og:url``. The
link is read from the file as it was written (Markdown and HTML lose their link targets
when they become text), so :func:`source_url` takes the decoded file, not the stored text.

Example:
    >>> source_url("[Original/Source Press Release](https://wire.example/news/x-1)\\n", "md")
    'https://wire.example/news/x-1'
    >>> source_url("Acme ships. [Reddit Post](https://reddit.com/r/x)", "md") is None
    True
"""

from __future__ import annotations

import re

__all__ = ["source_url"]

_URL = r"https?://[^\s<>\"')\]]+"
_LABEL = r"(?:original\s*/\s*source|original|source)\s+press\s+release"
# [Original/Source Press Release](https://...), in Markdown (or Markdown saved as text)
_MD_LINK = re.compile(rf"\[\s*{_LABEL}\s*\]\(\s*<?({_URL})>?\s*\)", re.IGNORECASE)
# Original/Source Press Release: https://... on a line of a text file
_TEXT_LINE = re.compile(
    rf"^[ \t]*{_LABEL}[ \t]*[:\-–—]?[ \t]*({_URL})", re.IGNORECASE | re.MULTILINE
)
_HTML_ANCHOR = re.compile(
    rf"<a\b[^>]*?\bhref\s*=\s*[\"']({_URL})[\"'][^>]*>\s*{_LABEL}\s*</a>", re.IGNORECASE
)
_HTML_TAG = re.compile(r"<(?:link|meta)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_TRAILING = ".,;:!?"


def _clean(url: str) -> str | None:
    url = url.strip().rstrip(_TRAILING)
    return url if re.fullmatch(_URL, url) and len(url) <= 2048 else None


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        url = _clean(match.group(1))
        if url:
            return url
    return None


def _page_address(html: str) -> str | None:
    """The page's ``<link rel="canonical" href>``, else its ``og:url``."""
    canonical = og = None
    for tag in _HTML_TAG.finditer(html):
        attrs = {m[0].lower(): m[1] or m[2] or m[3] for m in _ATTR.findall(tag.group(0))}
        if canonical is None and "canonical" in attrs.get("rel", "").lower().split():
            canonical = _clean(attrs.get("href", ""))
        elif og is None and attrs.get("property", "").lower() == "og:url":
            og = _clean(attrs.get("content", ""))
    return canonical or og


def source_url(source: str, fmt: str) -> str | None:
    """The canonical link of the release in ``source`` (a decoded file of format ``fmt``:
    txt, md, html or pdf text), or None when it names none. Only http(s) links count.
    """
    if fmt == "html":
        return _first(_HTML_ANCHOR, source) or _page_address(source)
    return _first(_MD_LINK, source) or _first(_TEXT_LINE, source)
