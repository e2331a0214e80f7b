"""Late pooling: a unit vector per character span, from a text's own token embeddings.

Both encoder backends read each chunk once and pool each of its sentences from the
chunk's contextual token embeddings (no extra model time); a model whose pooling is not
a plain mean encodes each span on its own instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .encoder import Encoder

__all__ = ["encode_spans_separately", "pool_spans"]


def encode_spans_separately(
    encoder: Encoder,
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    batch_size: int = 32,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """``encode_with_sentences`` for models that cannot pool spans: each span encoded alone."""
    return encoder.encode(texts, batch_size), [
        encoder.encode([t[s:e] for s, e in sp]) if sp else np.zeros((0, encoder.dim), "f4")
        for t, sp in zip(texts, spans, strict=True)
    ]


def pool_spans(
    tokens: np.ndarray, offsets: np.ndarray, mask: np.ndarray, spans: Sequence[tuple[int, int]]
) -> np.ndarray:
    """Unit mean vectors of the tokens inside each character span (zeros when none are)."""
    out = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    real = mask & (offsets[:, 1] > offsets[:, 0])  # no padding, no special tokens
    for j, (s, e) in enumerate(spans):
        inside = real & (offsets[:, 0] >= s) & (offsets[:, 1] <= e)
        if inside.any():
            v = tokens[inside].mean(axis=0)
            out[j] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out
