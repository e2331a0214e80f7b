"""Paragraphs of a PDF page from where its text sits: the breaks pypdf's text lacks.

pypdf gives a page's text line by line, with no blank line between paragraphs, so a
release's headline, its date line and its lead would read as one paragraph. While it
extracts the text it also reports each piece's position and font size
(``visitor_text``); :func:`paragraph_text` groups the pieces into lines and starts a new
paragraph where the font size changes (a headline set larger than the body) or the gap
to the line above is clearly wider than the page's usual line spacing (pure).

Example:
    >>> pieces = [Piece("Acme Wins", 800, 18), Piece("March 3, 2025", 770, 11),
    ...           Piece("BOSTON - Acme won a prize.", 748, 11), Piece("It was big.", 735, 11)]
    >>> paragraph_text(pieces)
    'Acme Wins\\n\\nMarch 3, 2025\\n\\nBOSTON - Acme won a prize.\\nIt was big.'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Piece", "paragraph_text"]

_SAME_LINE = 1.0  # points: pieces whose baselines differ less are one line
_SIZE_CHANGE = 1.15  # a font this much larger or smaller starts a paragraph
_WIDE_GAP = 1.25  # a gap this many times the usual line spacing starts a paragraph


@dataclass(frozen=True)
class Piece:
    """A run of text pypdf placed on the page: its text, baseline height and font size."""

    text: str
    y: float
    size: float


def _lines(pieces: list[Piece]) -> list[tuple[str, float, float]]:
    """(text, y, size) per line: consecutive pieces on one baseline joined."""
    lines: list[list] = []
    for p in pieces:
        if lines and abs(lines[-1][1] - p.y) < _SAME_LINE:
            lines[-1][0] += p.text
            lines[-1][2] = max(lines[-1][2], p.size)
        else:
            lines.append([p.text, p.y, p.size])
    return [(" ".join(t.split()), y, s) for t, y, s in lines if t.strip()]


def paragraph_text(pieces: list[Piece]) -> str:
    """The page's text, lines in the order given, a blank line between paragraphs."""
    lines = _lines(pieces)
    if not lines:
        return ""
    gaps = sorted(
        a[1] - b[1]
        for a, b in zip(lines, lines[1:], strict=False)
        if 0 < a[1] - b[1] and abs(a[2] - b[2]) < 0.5
    )
    usual = gaps[len(gaps) // 4] if gaps else 0.0  # the spacing inside paragraphs
    out = [lines[0][0]]
    for (_, y0, s0), (text, y1, s1) in zip(lines, lines[1:], strict=False):
        bigger, smaller = max(s0, s1), max(min(s0, s1), 0.1)
        gap = y0 - y1
        new = bigger / smaller >= _SIZE_CHANGE or gap < 0 or usual and gap > _WIDE_GAP * usual
        out.append("\n\n" if new else "\n")
        out.append(text)
    return "".join(out)
