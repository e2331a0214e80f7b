"""The trained answer model: does this sentence answer this question? (a cross-encoder).

A small BERT (cut from all-MiniLM-L6-v2 and fine-tuned here by ``training/train.py`` on the
questions of ``training/data``) reads the question together with one candidate sentence in
its context (:func:`candidate_text`: the sentence, its release's headline, the sentences
around it) and gives a logit: how likely the sentence holds the answer. It runs with
onnxruntime from the int8 file shipped in ``qa/models/`` (its SHA-256 is checked on load);
nothing is downloaded.

Example:
    >>> candidate_text(["A.", "It enrolls 36 patients.", "C."], 1, "Trial starts")
    'It enrolls 36 patients. [SEP] Trial starts [SEP] A. C.'
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["MODEL_DIR", "AnswerModel", "ModelCard", "candidate_text", "load_answer_model"]

MODEL_DIR = Path(__file__).resolve().parent / "models"
_CONTEXT_CHARS = 300  # of the sentences around the candidate, at most this much is read


def candidate_text(sentences: Sequence[str], i: int, headline: str) -> str:
    """What the model reads for sentence ``i``: the sentence first (it is never cut), then the
    headline, then its neighbours (cut first when the input is too long)."""
    before = sentences[i - 1] if i > 0 else ""
    after = sentences[i + 1] if i + 1 < len(sentences) else ""
    context = " ".join(s for s in (before, after) if s)[:_CONTEXT_CHARS]
    return f"{sentences[i]} [SEP] {headline} [SEP] {context}".strip()


@dataclass(frozen=True)
class ModelCard:
    """``card.json`` beside the model file: what it is and how it was made."""

    name: str
    file: str
    sha256: str
    max_length: int
    layers: int
    calibration: tuple[float, float]  # within a release: sigmoid(a * logit + b)
    metrics: dict
    # inside retrieve: sigmoid(a * logit + c * first-stage score + b), as (a, c, b)
    retrieve_calibration: tuple[float, float, float] | None = None

    @classmethod
    def read(cls, folder: Path) -> ModelCard:
        data = json.loads((folder / "card.json").read_text(encoding="utf-8"))
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["calibration"] = tuple(known["calibration"])
        if known.get("retrieve_calibration") is not None:
            known["retrieve_calibration"] = tuple(known["retrieve_calibration"])
        return cls(**known)


class AnswerModel:
    """The ONNX cross-encoder: ``logits(question, candidates)``; safe across threads."""

    def __init__(
        self, folder: Path = MODEL_DIR, threads: int | None = None, max_length: int | None = None
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.card = ModelCard.read(folder)
        path = folder / self.card.file
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != self.card.sha256:
            raise ValueError(f"{path}: SHA-256 {digest[:12]}... is not the card's; reinstall")
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(
            max_length=max_length or self.card.max_length,
            strategy="only_second",
            direction="right",
        )
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    @property
    def name(self) -> str:
        return self.card.name

    def logits(self, question: str, candidates: Sequence[str]) -> np.ndarray:
        """One logit per candidate (higher: more likely to answer)."""
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        encodings = self._tokenizer.encode_batch([(question, c) for c in candidates])
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        out = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        return out.reshape(-1).astype(np.float32)

    def confidence(self, logit: float, score: float | None = None) -> float:
        """The calibrated probability that a sentence with this logit answers: given the
        passage's first-stage ``score`` (and a card fitted inside ``retrieve``), that the
        passage's answer sentence is right; without, that the best sentence of its release
        answers."""
        if score is not None and self.card.retrieve_calibration is not None:
            a, c, b = self.card.retrieve_calibration
            z = a * logit + c * score + b
        else:
            a, b = self.card.calibration
            z = a * logit + b
        z = max(min(z, 50.0), -50.0)
        return float(1.0 / (1.0 + np.exp(-z)))


_MODELS: dict[tuple[Path, int | None], AnswerModel] = {}
_LOCK = threading.Lock()


def load_answer_model(folder: Path = MODEL_DIR, max_length: int | None = None) -> AnswerModel:
    """The process-wide answer model of ``folder`` (loaded once per ``max_length``: the
    tokens it reads per pair, by default its card's).

    Raises:
        FileNotFoundError: ``folder`` holds no model (``card.json``): train one with
            ``make train``, or leave ``Settings.answer.use_model`` off.
    """
    folder = Path(folder)
    if not (folder / "card.json").is_file():
        raise FileNotFoundError(
            f"{folder}: no answer model (card.json); train one with `make train` or run "
            "with Settings(answer=AnswerSettings(use_model=False))"
        )
    with _LOCK:
        key = (folder, max_length)
        if key not in _MODELS:
            _MODELS[key] = AnswerModel(folder, max_length=max_length)
        return _MODELS[key]
