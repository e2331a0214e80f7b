"""Turning the answer model's questions into (question, candidate sentence) pairs.

The candidates are exactly what ``qa.retrieve`` scores at query time: the stored text of
the release as Pressroom ingests it (loaded, normalised, chunked by ``ingest.prepare``),
each chunk's sentences, and of those the ones ``qa.answer.answer_candidates`` keeps. A
candidate is positive when it holds one of the question's answer strings. The input the
model reads for a candidate is :func:`qa.answer_model.candidate_text`: the sentence, then
its release's headline and the sentences around it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from ingest.analysis import query_terms, stem, stems
from ingest.chunking import ChunkSettings
from ingest.loaders import load_file
from ingest.normalize import normalize_text
from ingest.prepare import prepare
from qa.answer import answer_candidates
from qa.answer_model import candidate_text

__all__ = ["Example", "Release", "examples_for", "read_release"]


@dataclass(frozen=True)
class Release:
    """A release as the index stores it: its text, headline and candidate sentences."""

    text: str
    headline: str
    sentences: tuple[tuple[int, int], ...]  # every sentence, in order
    candidates: tuple[int, ...]  # indexes of the sentences that may answer


@dataclass(frozen=True)
class Example:
    question: str
    candidate: str  # what the model reads (candidate_text)
    label: float
    qid: str
    sentence: str  # the candidate sentence alone


def read_release(path: Path, count_tokens) -> Release:
    """Load and prepare one release file as ``index.sync`` does."""
    doc, chunks = prepare(
        load_file(path), count_tokens=count_tokens, max_tokens=256, settings=ChunkSettings()
    )
    spans = sorted({(s, e) for c in chunks for s, e, _ in c.sentences})
    keep: set[int] = set()
    for c in chunks:
        local = [(s, e) for s, e, _ in c.sentences]
        chunk_text = doc.text[c.start : c.end]
        rel = [(s - c.start, e - c.start) for s, e in local]
        for i in answer_candidates(chunk_text, rel, doc.title):
            keep.add(spans.index(local[i]))
    return Release(doc.text, doc.title or "", tuple(spans), tuple(sorted(keep)))


def _overlap(question: str, sentence: str) -> float:
    terms = {stem(t) for t in query_terms(question)}
    return len(terms & stems(sentence)) / max(len(terms), 1)


def examples_for(
    record: dict, release: Release, rng: random.Random, hard: int = 4, easy: int = 3
) -> list[Example]:
    """The positive candidates of a question and ``hard`` + ``easy`` negatives.

    Hard negatives are the candidates that share the most words with the question (the
    sentences that restate it); easy ones are drawn at random from the rest. An
    unanswerable question has negatives only. A question whose answer no candidate holds
    gives nothing (the caller counts those).
    """
    texts = [release.text[s:e] for s, e in release.sentences]
    answers = [normalize_text(a) for a in record.get("answers") or ()]
    positive = [
        i
        for i in release.candidates
        if record["answerable"] and any(a in texts[i] for a in answers)
    ]
    if record["answerable"] and not positive:
        return []
    rest = [i for i in release.candidates if i not in positive]
    rest.sort(key=lambda i: -_overlap(record["question"], texts[i]))
    negatives = rest[:hard]
    others = rest[hard:]
    negatives += rng.sample(others, min(easy, len(others)))

    def example(i: int, label: float) -> Example:
        return Example(
            question=record["question"],
            candidate=candidate_text(texts, i, release.headline),
            label=label,
            qid=record["id"],
            sentence=texts[i],
        )

    return [example(i, 1.0) for i in positive] + [example(i, 0.0) for i in negatives]


def all_candidates(record: dict, release: Release) -> tuple[list[str], list[bool]]:
    """Every candidate of a question's release as the model reads it, and which answer."""
    texts = [release.text[s:e] for s, e in release.sentences]
    answers = [normalize_text(a) for a in record.get("answers") or ()]
    inputs = [candidate_text(texts, i, release.headline) for i in release.candidates]
    gold = [
        bool(record["answerable"]) and any(a in texts[i] for a in answers)
        for i in release.candidates
    ]
    return inputs, gold
