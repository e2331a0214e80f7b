"""Sentence-aware chunking with overlap and exact offsets (pure).

A chunk is a run of whole sentences that fits the encoder's window, so every word a
chunk can return as evidence is also a word the model has read. Chunks do not cross
from news text into boilerplate (About, safe harbor, contacts, links) or between two
boilerplate sections, so boilerplate can be tagged and ranked on its own.
Consecutive chunks of a region share their last/first sentences (the overlap), so a
fact stated across a sentence boundary is whole in at least one chunk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .sentences import split_sentences
from .types import BODY, CONTACTS, HEADER, LINKS, QUOTE, Chunk, Section

__all__ = ["ChunkSettings", "chunk_release", "estimate_tokens"]

_WORDISH = re.compile(r"\w+|[^\w\s]")


def estimate_tokens(texts: Sequence[str]) -> list[int]:
    """A conservative word-piece estimate: words and punctuation marks, plus long-word splits."""
    return [sum(1 + len(tok) // 8 for tok in _WORDISH.findall(text)) for text in texts]


@dataclass(frozen=True)
class ChunkSettings:
    """Chunk size in word-pieces and overlap in sentences (stored in the index manifest)."""

    max_tokens: int = 200
    overlap_sentences: int = 1


# Sections of one group are chunked together; any other section is a region of its own.
_GROUP = {HEADER: "news", BODY: "news", QUOTE: "news", CONTACTS: "end", LINKS: "end"}


def _regions(text: str, sections: Sequence[Section]) -> list[tuple[int, int, list[Section]]]:
    """Group sections into chunking regions: news text together, each boilerplate apart."""
    if not sections:
        return [(0, len(text), [Section(BODY, 0, len(text))])] if text.strip() else []
    regions: list[tuple[int, int, list[Section]]] = []
    for section in sections:
        group = _GROUP.get(section.kind)
        if regions and group is not None and _GROUP.get(regions[-1][2][-1].kind) == group:
            start, _, members = regions[-1]
            regions[-1] = (start, section.end, [*members, section])
        else:
            regions.append((section.start, section.end, [section]))
    return regions


def _dominant_kind(members: Sequence[Section], start: int, end: int) -> str:
    best, best_len = BODY, -1
    for s in members:
        overlap = min(end, s.end) - max(start, s.start)
        kind = BODY if s.kind == HEADER else s.kind
        if overlap > best_len:
            best, best_len = kind, overlap
    return best


def _split_long(
    text: str, start: int, end: int, limit: int, count: Callable[[Sequence[str]], list[int]]
) -> list[tuple[int, int, int]]:
    """Cut an over-long sentence at word boundaries into pieces of at most ``limit``."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    sizes = count([text[a:b] for a, b in words])
    pieces: list[tuple[int, int, int]] = []
    piece_start, piece_end, total = words[0][0], words[0][1], sizes[0]
    for (ws, we), n in zip(words[1:], sizes[1:], strict=True):
        if total + n > limit:
            pieces.append((piece_start, piece_end, total))
            piece_start, total = ws, 0
        piece_end, total = we, total + n
    pieces.append((piece_start, piece_end, total))
    return pieces


def _extend(sizes: Sequence[int], i: int, limit: int) -> int:
    """Index one past the last sentence that still fits in a window starting at ``i``."""
    j, total = i + 1, sizes[i]
    while j < len(sizes) and total + sizes[j] <= limit:
        total += sizes[j]
        j += 1
    return j


def chunk_release(
    text: str,
    sections: Sequence[Section] = (),
    settings: ChunkSettings | None = None,
    count_tokens: Callable[[Sequence[str]], list[int]] = estimate_tokens,
    max_tokens: int | None = None,
) -> list[Chunk]:
    """Split a release's stored text into chunks of whole sentences.

    Args:
        text: the stored (normalised) text.
        sections: the release's sections (from ``parse_release``); none means all body.
        settings: size and overlap.
        count_tokens: word-pieces of each of a batch of strings (the encoder's tokenizer).
            A window's size is the sum of its sentences' sizes.
        max_tokens: overrides ``settings.max_tokens`` (e.g. less room beside a long headline).

    Returns:
        Chunks in text order, each with ``text[chunk.start:chunk.end] == chunk.text``.

    Example:
        >>> [c.text for c in chunk_release("One fact. Another fact.")]
        ['One fact. Another fact.']
    """
    settings = settings or ChunkSettings()
    limit = settings.max_tokens if max_tokens is None else max_tokens
    chunks: list[Chunk] = []
    for r_start, r_end, members in _regions(text, sections):
        spans = split_sentences(text, r_start, r_end)
        sentences: list[tuple[int, int]] = []
        sizes: list[int] = []
        for (s, e), n in zip(spans, count_tokens([text[s:e] for s, e in spans]), strict=True):
            if n > limit:
                for ps, pe, pn in _split_long(text, s, e, limit, count_tokens):
                    sentences.append((ps, pe))
                    sizes.append(pn)
            else:
                sentences.append((s, e))
                sizes.append(n)
        if not sentences:
            continue
        windows: list[tuple[int, int]] = []  # indexes into sentences, inclusive-exclusive
        i, done = 0, 0
        while done < len(sentences):
            j = _extend(sizes, i, limit)
            if j <= done:  # the overlap left no room for a new sentence: start afresh
                i = done
                j = _extend(sizes, i, limit)
            windows.append((i, j))
            done = j
            i = max(j - settings.overlap_sentences, i + 1)
        for a, b in windows:
            start, end = sentences[a][0], sentences[b - 1][1]
            kind = _dominant_kind(members, start, end)
            chunks.append(Chunk(len(chunks), start, end, text[start:end], kind))
    return chunks
