"""Passage windows: the run of whole sentences around an answer, chosen per release (pure).

Example:
    >>> text = "One. Two is here. Three."
    >>> spans = [(0, 4), (5, 17), (18, 24)]
    >>> window(text, spans, (5, 17), 17)
    (0, 17)
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence

__all__ = ["choose_passage", "window", "window_at"]


def window(
    text: str, spans: Sequence[tuple[int, int]], answer: tuple[int, int], max_chars: int
) -> tuple[int, int]:
    """The run of whole, contiguous sentences around ``answer`` of at most ``max_chars``.

    Sentences are added alternately after and before the answer while they fit, so
    the answer sits in its context rather than at a chunk's edge.
    """
    spans = sorted(set(spans) | {answer})
    lo, hi = window_at(text, spans, spans.index(answer), max_chars)
    return spans[lo][0], spans[hi][1]


def window_at(
    text: str, spans: Sequence[tuple[int, int]], i: int, max_chars: int
) -> tuple[int, int]:
    """:func:`window` around ``spans[i]`` (``spans`` sorted): first and last index."""
    lo = hi = i
    start, end = spans[i]
    grew = True
    while grew:
        grew = False
        if hi + 1 < len(spans) and not text[end : spans[hi + 1][0]].strip():
            if spans[hi + 1][1] - start <= max_chars:
                hi += 1
                end = spans[hi][1]
                grew = True
        if lo > 0 and not text[spans[lo - 1][1] : start].strip():
            if end - spans[lo - 1][0] <= max_chars:
                lo -= 1
                start = spans[lo][0]
                grew = True
    return lo, hi


def choose_passage(
    text: str,
    spans: Sequence[tuple[int, int]],
    candidates: Mapping[tuple[int, int], tuple[float, int]],
    max_chars: int,
    temperature: float,
) -> tuple[tuple[int, int], tuple[int, int], int]:
    """The passage of a release: ``(window, answer sentence, chunk id of the answer)``.

    ``spans`` are the release's sentences, sorted; ``candidates`` maps those that may
    answer to their score and chunk. Every candidate's window (see :func:`window`) is
    scored by the log-sum-exp at ``temperature`` of the candidates inside it, so a window
    holding the best sentence and other near-best ones beats one around the best
    sentence alone; with ``temperature`` 0 the best sentence's window wins. The answer
    is the best candidate of the window.
    """
    index = {sp: j for j, sp in enumerate(spans)}
    scored = sorted((index[sp], v) for sp, (v, _) in candidates.items())
    positions = [j for j, _ in scored]
    best = max(scored, key=lambda t: (t[1], -t[0]))
    choice = (-math.inf, (best[0], best[0]), best)
    # a window can only win if it holds a sentence within T*log(n) of the best one
    margin = best[1] - temperature * math.log(len(scored))
    near = [spans[j][0] for j, v in scored if v >= margin]
    for j, _ in scored if temperature > 0 else [best]:
        if min(abs(spans[j][0] - s) for s in near) > max_chars:
            continue
        lo, hi = window_at(text, spans, j, max_chars)
        inside = scored[bisect_left(positions, lo) : bisect_right(positions, hi)]
        top = max(inside, key=lambda t: (t[1], -t[0]))
        mass = sum(math.exp((u - top[1]) / temperature) for _, u in inside) if temperature else 1
        value = top[1] + temperature * math.log(mass)
        if value > choice[0]:
            choice = (value, (lo, hi), top)
    _, (lo, hi), (a, _) = choice
    return (spans[lo][0], spans[hi][1]), spans[a], candidates[spans[a]][1]
