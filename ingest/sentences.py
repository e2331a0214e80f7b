"""Sentence boundaries with exact character offsets (pure, rule-based).

Press releases are full of abbreviations ("Inc.", "Wis.", "Nov.", "U.S.", "Dr.") and
numbers ("7.5 mCi"), so a naive split on ". " cuts sentences in half. The rules here
are the usual ones: a sentence ends at ., ! or ? (optionally followed by closing quotes
or brackets) when whitespace and an upper-case letter, digit or opening quote follow,
unless the word before the period is a known abbreviation or a single initial.
A paragraph break always ends a sentence.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_ABBREVIATIONS = frozenset(
    """
    inc corp co ltd llc plc ag sa nv bv gmbh lp llp dr mr mrs ms prof sr jr st mt ft no nos
    vs etc approx est dept univ assn bros jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thurs fri sat sun ala ariz ark calif colo conn del fla ga ill ind kan
    kans ky la md mass mich minn miss mo mont neb nev okla ore pa tenn tex va vt wash wis wyo
    al ph phd md ma ba bsc msc mba u s e g i fig figs vol pp ed eds rev gen lt col sgt capt
    """.split()
)
_CANDIDATE = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
_PARAGRAPH = re.compile(r"\n\s*\n")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.\-]*)$")


def _is_abbreviation(text: str, period_at: int) -> bool:
    # The word is looked for in the 64 characters before the period: a search from the
    # start of the text tries every position before it (quadratic in a long release, and
    # 60% of ingest's time outside the model). A word reaching the window's edge may
    # start before it, so that rare case searches the whole text.
    lo = max(0, period_at - 64)
    match = _WORD_BEFORE.search(text, lo, period_at)
    if match is not None and match.start() == lo and lo > 0:
        match = _WORD_BEFORE.search(text, 0, period_at)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    last = word.split(".")[-1]
    if "." in word:  # "U.S", "e.g", "Ph.D": dotted abbreviations
        return True
    return len(last) == 1 or last in _ABBREVIATIONS


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _CANDIDATE.finditer(text, start, end):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        spans.append((begin, match.end()))
        begin = match.end()
    spans.append((begin, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences in ``text[start:end]``.

    Spans are absolute offsets into ``text``, sorted, non-overlapping, and never
    include leading or trailing whitespace.

    Example:
        >>> t = "Cellectar Biosciences, Inc. (Nasdaq:CLRB) grew. It tests 7.5 mCi."
        >>> [t[s:e] for s, e in split_sentences(t)]
        ['Cellectar Biosciences, Inc. (Nasdaq:CLRB) grew.', 'It tests 7.5 mCi.']
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _PARAGRAPH.finditer(text, start, end):
        spans.extend(_split_paragraph(text, begin, match.start()))
        begin = match.end()
    spans.extend(_split_paragraph(text, begin, end))
    return spans
