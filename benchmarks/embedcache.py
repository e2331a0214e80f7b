"""An on-disk embedding cache in front of any :class:`index.Encoder`.

Embedding is the slow part of every benchmark run (MiniLM does ~25 chunks/s on two
cores), so every vector computed is kept in a SQLite file keyed by
``sha256(model name, text)``. The wrapper satisfies the ``Encoder`` protocol and keeps
the wrapped model's ``name``/``dim``, so Pressroom's index writer and ``retrieve``
accept it as the model itself.

Example:
    >>> cache = Path("benchmarks/out/embeddings.sqlite")
    >>> enc = CachedEncoder(get_encoder(), cache)  # doctest: +SKIP
    >>> enc.encode(["Who manufactures CLR 131?"]).shape  # doctest: +SKIP
    (1, 384)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from index import Encoder

__all__ = ["CachedEncoder"]

_LOOKUP_BATCH = 500
_Item = TypeVar("_Item")  # what the model needs to compute one cached block


class CachedEncoder:
    """Encode through a persistent cache; only texts never seen before reach the model.

    Args:
        base: the real encoder.
        path: the SQLite cache file (created with its folder when missing).
        variant: what tells apart encoders that share a model name but not their vectors,
            e.g. the ``"onnx"`` int8 backend; part of every key. ``None`` is the reference
            (torch) run of the model.

    Attributes:
        hits: vectors served from the cache so far.
        misses: vectors computed by the model so far.
    """

    def __init__(self, base: Encoder, path: Path, variant: str | None = None) -> None:
        self.base = base
        self.name = base.name
        self.variant = variant
        self.dim = base.dim
        self.max_tokens = base.max_tokens
        self.hits = 0
        self.misses = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
        self._lock = threading.Lock()

    def _key(self, text: str, spans: Sequence[tuple[int, int]] | None = None) -> str:
        """The cache key of a text (and its sentence spans) under this model and variant."""
        model = self.name if self.variant is None else f"{self.name}#{self.variant}"
        payload = f"{model}\x00{text}"
        if spans is not None:  # a text encoded together with its sentence spans
            payload += "\x00spans\x00" + json.dumps([[int(s), int(e)] for s, e in spans])
        return hashlib.sha256(payload.encode()).hexdigest()

    def _store(self, rows: list[tuple[str, bytes]]) -> None:
        """Write (key, vector bytes) rows in one transaction."""
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        self._db.execute("COMMIT")

    def _lookup(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored (flat) arrays of those keys that are in the file."""
        found: dict[str, np.ndarray] = {}
        unique = sorted(set(keys))
        for i in range(0, len(unique), _LOOKUP_BATCH):
            part = unique[i : i + _LOOKUP_BATCH]
            rows = self._db.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _cached(
        self,
        keys: Sequence[str],
        items: Sequence[_Item],
        compute: Callable[[list[_Item]], Iterable[np.ndarray]],
    ) -> dict[str, np.ndarray]:
        """The cached block of every key, computing (and storing) only the missing ones.

        ``compute`` gets the items of the missing keys (the first item of each key, in
        order) and returns one array per item. Blocks read back from the file are flat.
        """
        with self._lock:
            found = self._lookup(keys)
            todo: dict[str, _Item] = {}
            for key, item in zip(keys, items, strict=True):
                if key not in found:
                    todo.setdefault(key, item)
            if todo:
                rows = []
                for key, block in zip(todo, compute(list(todo.values())), strict=True):
                    block = np.ascontiguousarray(block, dtype=np.float32)
                    found[key] = block
                    rows.append((key, block.tobytes()))
                self._store(rows)
            self.misses += len(todo)
            self.hits += len(keys) - len(todo)
        return found

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Return ``(len(texts), dim)`` unit vectors, computing only the uncached ones."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [self._key(t) for t in texts]
        found = self._cached(
            keys, texts, lambda todo: self.base.encode(todo, batch_size=batch_size)
        )
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def encode_with_sentences(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Text vectors plus one vector per character span, as the real encoder gives them.

        Cached per (text, spans): the text's vector and its span vectors are stored as one
        ``(1 + len(spans), dim)`` block.
        """
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32), []
        keys = [self._key(t, sp) for t, sp in zip(texts, spans, strict=True)]
        found = self._cached(keys, list(zip(texts, spans, strict=True)), self._blocks)
        blocks = [found[k].reshape(-1, self.dim) for k in keys]
        vectors = np.stack([b[0] for b in blocks]).astype(np.float32, copy=False)
        return vectors, [b[1:].copy() for b in blocks]

    def _blocks(self, items: list[tuple[str, Sequence[tuple[int, int]]]]) -> list[np.ndarray]:
        """The real encoder's text vector stacked on its span vectors, per (text, spans)."""
        vectors, pooled = self.base.encode_with_sentences(
            [t for t, _ in items], [sp for _, sp in items]
        )
        return [
            np.vstack([vec[None, :], np.asarray(svecs).reshape(-1, self.dim)])
            for vec, svecs in zip(vectors, pooled, strict=True)
        ]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-pieces of each text (delegated to the real encoder)."""
        return self.base.count_tokens(texts)

    def close(self) -> None:
        """Close the cache file."""
        self._db.close()
