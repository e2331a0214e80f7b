"""Fields cut from text: a span with separators and markup trimmed off both ends (pure).

Example:
    >>> trim_span("  (GLOBE NEWSWIRE) --", 0, 21, TRIM_CHARS + ")]")
    Field(value='GLOBE NEWSWIRE', start=3, end=17)
"""

from __future__ import annotations

from ingest.types import Field

__all__ = ["TRIM_CHARS", "trim_span"]

# what a value read from a release never starts or ends with: separators and markdown
TRIM_CHARS = " \t\n,;:-–—(/[#*_"


def trim_span(text: str, start: int, end: int, chars: str = TRIM_CHARS) -> Field | None:
    """A Field for ``text[start:end]`` with ``chars`` and any other whitespace (as
    ``str.isspace`` reads it: also the information separators ``\\x1c``-``\\x1f``) trimmed off
    both ends, so a Field's value is always its own ``strip()``.

    Args:
        text: The stored text of a release.
        start: First character of the span.
        end: End of the span (exclusive).
        chars: The characters to trim.

    Returns:
        The trimmed Field, or None when nothing is left.
    """
    while start < end and (text[start] in chars or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in chars or text[end - 1].isspace()):
        end -= 1
    return Field(text[start:end], start, end) if end > start else None
