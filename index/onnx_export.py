"""Exporting a sentence-transformers model to ONNX (fp32 and int8), once per model folder.

The export runs ``torch.onnx.export`` on the transformer's token embeddings, checks the
graph against torch, and quantises the weights of every ``MatMul`` to int8 (dynamic, per
output channel). ``index.onnx_encoder`` caches the files by :func:`model_fingerprint` and
runs them; torch is imported only here, and only when an export is needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "FP32_FILE",
    "INFO_FILE",
    "INT8_FILE",
    "QUANTIZATION",
    "RECIPE_VERSION",
    "export",
    "import_onnxruntime",
    "is_complete",
    "model_fingerprint",
    "read_json",
    "read_pipeline",
]

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


def import_onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError as exc:
        raise ImportError(f"OnnxEncoder needs onnxruntime: {_ONNX_EXTRA}") from exc
    return onnxruntime


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def model_fingerprint(model_dir: Path) -> str:
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


def read_pipeline(model_dir: Path) -> tuple[Path, str, int | None]:
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
    for module in read_json(modules_file):
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        folder = model_dir / module.get("path", "")
        if kind not in _SUPPORTED_MODULES:
            raise ValueError(f"OnnxEncoder cannot reproduce the module {module.get('type')!r}")
        if kind == "Transformer":
            hf_dir = folder
        elif kind == "Pooling" and (folder / "config.json").is_file():
            config = read_json(folder / "config.json")
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


def is_complete(export_dir: Path) -> bool:
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


def _torch_modules() -> tuple[Any, Any]:
    """torch and transformers' AutoModel, needed once per model for the export."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise ImportError(
            "exporting a model to ONNX needs torch and transformers (installed with "
            "sentence-transformers); later runs use the cached export only"
        ) from exc
    return torch, AutoModel


def _trace(model_dir: Path, fp32_path: Path) -> tuple[Any, Any, np.ndarray]:
    """Export the transformer's token embeddings to ``fp32_path``; the sample batch (ids,
    mask) and torch's own output for it, to check the export against."""
    torch, auto_model = _torch_modules()
    model = auto_model.from_pretrained(str(model_dir), attn_implementation="eager").eval()

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
    # Two rows of different lengths, so the check covers padding too.
    ids = torch.randint(1000, 2000, (2, 24), generator=torch.Generator().manual_seed(0))
    mask = torch.ones_like(ids)
    mask[1, 9:] = 0
    ids[1, 9:] = 0
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
    return ids.numpy(), mask.numpy(), expected


def _quantize(fp32_path: Path, int8_path: Path) -> None:
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:  # onnx itself is missing
        raise ImportError(f"quantising needs the onnx package: {_ONNX_EXTRA}") from exc
    with _quiet_root_logger():
        quantize_dynamic(
            str(fp32_path),
            str(int8_path),
            weight_type=getattr(QuantType, QUANTIZATION["weight_type"]),
            per_channel=QUANTIZATION["per_channel"],
            reduce_range=QUANTIZATION["reduce_range"],
            op_types_to_quantize=QUANTIZATION["op_types_to_quantize"],
        )


def export(model_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Export ``model_dir``'s transformer to ``out_dir`` (fp32 and int8) and check it.

    Returns:
        Facts about the export, written to ``export.json``.

    Raises:
        ImportError: torch/transformers (needed once, for the export) or onnxruntime is missing.
        RuntimeError: the exported graph does not reproduce torch's output.
    """
    ort = import_onnxruntime()
    started = time.perf_counter()
    fp32_path = out_dir / FP32_FILE
    ids, mask, expected = _trace(model_dir, fp32_path)
    session = ort.InferenceSession(str(fp32_path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    keep = mask.astype(bool)
    error = float(np.abs(got[keep] - expected[keep]).max())
    if error > 1e-3:
        raise RuntimeError(f"the ONNX export of {model_dir} differs from torch by {error:.2e}")
    _quantize(fp32_path, out_dir / INT8_FILE)
    seconds = round(time.perf_counter() - started, 2)
    logger.info("exported %s to ONNX in %.1f s", model_dir, seconds)
    return {
        "recipe": RECIPE_VERSION,
        "source": str(model_dir),
        "opset": OPSET,
        "quantization": QUANTIZATION,
        "max_abs_error_fp32": error,
        "export_seconds": seconds,
        "torch": _torch_modules()[0].__version__,
        "onnxruntime": ort.__version__,
    }
