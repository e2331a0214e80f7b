"""Text normalisation: one canonical form of a release's text, the one that is stored.

Pure functions only. The output is what offsets point into, so every later stage
(parsing, chunking, citations) works on the string returned here.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text"]

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MANY_BREAKS = re.compile(r"\n{3,}")
# A break (blank lines included) between a word or comma and a lower-case word is a
# line broken mid-sentence: "in\n\nthis trial", "in the\n\ntreatment".
_BROKEN_LINE = re.compile(r"(?<=[A-Za-z0-9,;\u2019'\)])[ ]*\n+[ ]*(?=[a-z])")
_SENTENCE_END = (".", "!", "?", ":", ";", '"', "\u201d", ")")


def _unwrap_hard_wrapped(paragraph: str) -> str:
    """Join the lines of a paragraph that was hard-wrapped at a fixed width.

    A contact block or a list keeps its line breaks; a paragraph whose lines are
    long and end mid-sentence (text from a PDF or a 72-column wire feed) is joined.
    """
    lines = paragraph.split("\n")
    if len(lines) < 2:
        return paragraph
    widths = [len(line) for line in lines[:-1]]
    mid_sentence = sum(1 for line in lines[:-1] if not line.rstrip().endswith(_SENTENCE_END))
    if min(widths) >= 40 and mid_sentence >= max(1, len(widths) // 2):
        return " ".join(line.strip() for line in lines)
    return paragraph


def normalize_text(text: str) -> str:
    """Return the canonical stored form of a release's text.

    Unifies line endings and spaces, removes control and zero-width characters,
    repairs lines broken in the middle of a sentence, and separates paragraphs
    with exactly one blank line.

    Example:
        >>> normalize_text("We look forward to working with them in\\n\\nthis trial.")
        'We look forward to working with them in this trial.'
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _MANY_BREAKS.sub("\n\n", text)
    text = _BROKEN_LINE.sub(" ", text)
    paragraphs = [_unwrap_hard_wrapped(p) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p.strip()).strip()
