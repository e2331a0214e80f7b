"""Choosing the sentence of a passage that best answers a question (pure scoring)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from index.store import query_terms

__all__ = ["answer_candidates", "answer_type", "lexical_overlap", "pick_answer", "type_match"]

_HEADING_WORDS = 8  # a "sentence" this short without final punctuation is a heading
_TOKEN = re.compile(r"[^\W_]+")


# What kind of answer a question wants, and what a sentence offering one looks like.
_QUESTION_TYPES = (
    (
        "number",
        re.compile(
            r"\b(how (many|much|large|big|long|often)|what (percent|percentage|"
            r"share|number|amount|dose|doses|size|price)|how much)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(r"\b(when|what (date|day|month|year|time)|which (date|year|month))\b", re.I),
    ),
    ("place", re.compile(r"\b(where|which (city|country|state)|headquarter)", re.I)),
    (
        "name",
        re.compile(r"\b(who|whom|whose|which (company|firm|partner|organi[sz]ation))\b", re.I),
    ),
)
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_ANSWER_SHAPES = {
    "number": re.compile(
        r"(?<![\w-])\d[\d,.]*(?=[\s\-%),.;:]|$)|\b(one|two|three|four|five|six|seven|eight|"
        r"nine|ten|eleven|twelve|dozen|hundred|thousand|million|billion)\b",
        re.I,
    ),
    "date": re.compile(rf"\b({_MONTH}\s+\d{{1,2}}|(19|20)\d\d|\bQ[1-4]\b|quarter)", re.I),
    "place": re.compile(
        r"\b[A-Z][A-Za-z]+,\s+(?!Inc\b|Corp\b|Ltd\b|LLC\b|Co\b|Plc\b|S\.?A\b|AG\b)"
        r"(?:[A-Z][a-z]{1,4}\.|[A-Z]{2}\b|[A-Z][a-z]+)|\b(based|headquartered|located) in\b"
    ),
    "name": re.compile(r"\b[A-Z][a-z]+\s+[A-Z][a-zA-Z]+"),
}


def answer_type(question: str) -> str | None:
    """``number``, ``date``, ``place`` or ``name`` when the question asks for one."""
    for kind, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def type_match(kind: str | None, sentence: str) -> bool:
    """Whether the sentence holds something of the wanted answer type."""
    return kind is not None and _ANSWER_SHAPES[kind].search(sentence) is not None


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def lexical_overlap(question: str, sentence: str) -> float:
    """Share of the question's content words (crudely stemmed) found in the sentence."""
    terms = {_stem(t) for t in query_terms(question)}
    if not terms:
        return 0.0
    words = {_stem(w) for w in _TOKEN.findall(sentence.lower())}
    return len(terms & words) / len(terms)


def answer_candidates(
    text: str, spans: Sequence[tuple[int, int]], headline: str | None = None
) -> list[int]:
    """Indexes of the sentences (spans of ``text``) that can be an answer.

    Section headings and the release headline (which the encoder reads with every
    passage) are left out unless nothing else is there.
    """
    full = [
        i
        for i, (s, e) in enumerate(spans)
        if (text[e - 1] in ".!?\"')\u201d" or len(text[s:e].split()) > _HEADING_WORDS)
        and text[s:e] != headline
    ]
    return full or list(range(len(spans)))


def pick_answer(
    question: str,
    sentences: Sequence[str],
    similarities: np.ndarray,
    lexical_weight: float = 0.35,
    type_weight: float = 0.1,
) -> tuple[int, float]:
    """Index and score of the best sentence.

    The score is the sentence's embedding similarity to the question, plus word
    overlap, plus a bonus when it holds the kind of answer asked for (a number for
    "how many", a date for "when", ...).

    Example:
        >>> pick_answer("How many patients?", ["About us.", "It enrolls 36 patients."],
        ...             np.array([0.1, 0.6]))[0]
        1
    """
    if not sentences:
        raise ValueError("no sentences to choose from")
    kind = answer_type(question)
    scores = [
        float(sim)
        + lexical_weight * lexical_overlap(question, s)
        + type_weight * type_match(kind, s)
        for s, sim in zip(sentences, similarities, strict=True)
    ]
    best = int(np.argmax(scores))
    return best, scores[best]
