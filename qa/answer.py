"""Choosing the sentence of a passage that best answers a question (pure scoring)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np

from ingest.analysis import TOKEN, query_terms, stem, stems
from ingest.dates import MONTH_SPELLINGS

from .settings import AnswerSettings

__all__ = [
    "AnswerQuery",
    "AnswerScorer",
    "answer_candidates",
    "answer_type",
    "lexical_overlap",
    "pick_answer",
    "type_match",
]

_HEADING_WORDS = 8  # a "sentence" this short without final punctuation is a heading


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
    # "which" and the head noun of its phrase, a few words on ("which Toronto-based
    # oncology company", "at which AGC Biologics facility")
    (
        "place",
        re.compile(
            r"\b(where|headquarter|which\s+(?:[\w-]+\s+){0,3}?(city|country|state|"
            r"facility|facilities|site|plant|location|venue|hospital|campus)\b)",
            re.I,
        ),
    ),
    (
        "name",
        re.compile(
            r"\b(who|whom|whose|which\s+(?:[\w-]+\s+){0,3}?(company|companies|firm|firms|"
            r"partner|partners|organi[sz]ations?|investors?|bank|university|sponsor)\b)",
            re.I,
        ),
    ),
)
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
# fixed-width look-behinds, one per month spelling that precedes a day number
_MONTH_ABBR = "".join(f"(?<!{re.escape(m)} )" for m in MONTH_SPELLINGS)
_ANSWER_SHAPES = {
    # a count or amount: not a year, not the day of a date ("March 4"), not part of a code
    "number": re.compile(
        rf"(?=\d){_MONTH_ABBR}(?<![\w-])(?!(?:19|20)\d\d\b)\d[\d,.]*(?=[\s\-%),.;:]|$)"
        r"|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|"
        r"thousand|million|billion)\b",
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


def type_match(kind: str | None, sentence: str, question: str = "") -> bool:
    """Whether the sentence holds something of the wanted answer type that ``question``
    does not already say ("VentiV Scientific" answers no "Which VentiV Scientific board
    member ...?", "2025" no "When ... at ASGCT 2025?")."""
    return kind is not None and _has_new_shape(kind, sentence, _words(question))


def _words(text: str) -> frozenset[str]:
    return frozenset(TOKEN.findall(text.lower()))


_COUNTED = re.compile(r"\bhow (?:many|much)\s+(?:\w+\s+)?(\w+)", re.I)
_QUANTITY = re.compile(
    r"((?<![\w-])\d[\d,.]*%?(?!\w)|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    r"dozens?|hundreds?|thousands?|millions?|billions?))[\s-]+((?:\w+[\s-]+){0,2})(\w+)",
    re.I,
)


def _counted_stems(question: str) -> frozenset[str]:
    """For "how many X": the stems of X (and of the word before it, "cancer centers")."""
    m = _COUNTED.search(question)
    if m is None:
        return frozenset()
    wanted = {stem(m.group(1))}
    if m.group(0).split()[-2].lower() not in ("many", "much"):  # "how many cancer centers"
        wanted.add(stem(m.group(0).split()[-2]))
    return frozenset(wanted)


@functools.lru_cache(maxsize=65_536)
def _puts_number_before(wanted: frozenset[str], sentence: str) -> bool:
    for q in _QUANTITY.finditer(sentence):
        words = [*re.findall(r"\w+", q.group(2)), q.group(3)]
        if any(stem(w) in wanted for w in words):
            return True
    return False


def counts_the_thing(question: str, sentence: str) -> bool:
    """For "how many X", whether the sentence puts a number right before X ("36 patients")."""
    wanted = _counted_stems(question)
    return bool(wanted) and _puts_number_before(wanted, sentence)


@functools.lru_cache(maxsize=65_536)
def _has_new_shape(kind: str, sentence: str, question_words: frozenset[str]) -> bool:
    """Whether some span of the answer's shape has a word the question does not."""
    for m in _ANSWER_SHAPES[kind].finditer(sentence):
        words = TOKEN.findall(m.group(0).lower())
        if not words or not question_words.issuperset(words):
            return True
    return False


def lexical_overlap(
    question: str, sentence: str, weights: Mapping[str, float] | None = None
) -> float:
    """Share of the question's content words found in the sentence, by stem.

    With ``weights`` (e.g. inverse document frequencies by stem) rare words count
    for more than common ones, so "cancer centers" outweighs "trial".
    """
    return _overlap(_term_weights(_question_stems(question), weights), stems(sentence))


def _question_stems(question: str) -> frozenset[str]:
    return frozenset(stem(t) for t in query_terms(question))


def _term_weights(terms: Iterable[str], weights: Mapping[str, float] | None) -> dict[str, float]:
    return {t: (1.0 if weights is None else weights.get(t, 1.0)) for t in terms}


def _overlap(term_weights: Mapping[str, float], sentence_stems: AbstractSet[str]) -> float:
    total = sum(term_weights.values())
    if not term_weights or total <= 0:
        return 0.0
    return sum(w for t, w in term_weights.items() if t in sentence_stems) / total


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


@dataclass(frozen=True)
class AnswerQuery:
    """What the answer scorer reads of a question, analysed once.

    Attributes:
        kind: the answer type asked for (:func:`answer_type`), or None.
        words: every word of the question (a span repeating only these says nothing new).
        counted: for "how many X", the stems of X.
        terms: the stems of the question's content words.
    """

    kind: str | None
    words: frozenset[str]
    counted: frozenset[str]
    terms: frozenset[str]

    @classmethod
    def of(cls, question: str) -> AnswerQuery:
        """Analyse ``question``.

        >>> AnswerQuery.of("How many patients?").kind
        'number'
        """
        kind = answer_type(question)
        return cls(
            kind=kind,
            words=_words(question),
            counted=_counted_stems(question) if kind == "number" else frozenset(),
            terms=_question_stems(question),
        )


class AnswerScorer:
    """Scores sentences as answers to one question.

    A sentence's score is its embedding similarity to the question, plus word overlap
    (IDF-weighted when ``weights`` are given), plus a bonus when it holds the kind of
    answer asked for (a number for "how many", a date for "when", ...). What depends
    only on a sentence's text is computed once per question: overlapping chunks and
    sibling passages share sentences.
    """

    def __init__(self, query: AnswerQuery, settings: AnswerSettings | None = None):
        self.query = query
        self.settings = settings or AnswerSettings()
        self._memo: dict[str, tuple[frozenset[str], float]] = {}

    def _features(self, sentence: str) -> tuple[frozenset[str], float]:
        """The question's stems the sentence holds, and its answer-type bonus."""
        hit = self._memo.get(sentence)
        if hit is None:
            q = self.query
            bonus = self.settings.type_weight * (
                (q.kind is not None and _has_new_shape(q.kind, sentence, q.words))
                + (bool(q.counted) and _puts_number_before(q.counted, sentence))
            )
            hit = (q.terms & stems(sentence), bonus)
            self._memo[sentence] = hit
        return hit

    def scores(
        self,
        sentences: Sequence[str],
        similarities: np.ndarray,
        weights: Mapping[str, float] | None = None,
    ) -> list[float]:
        """The score of every sentence."""
        term_weights = _term_weights(self.query.terms, weights)
        lexical = self.settings.lexical_weight
        out = []
        for s, sim in zip(sentences, similarities, strict=True):
            found, bonus = self._features(s)
            out.append(float(sim) + lexical * _overlap(term_weights, found) + bonus)
        return out

    def pick(
        self,
        sentences: Sequence[str],
        similarities: np.ndarray,
        weights: Mapping[str, float] | None = None,
    ) -> tuple[int, float]:
        """Index and score of the best sentence."""
        if not sentences:
            raise ValueError("no sentences to choose from")
        scores = self.scores(sentences, similarities, weights)
        best = int(np.argmax(scores))
        return best, scores[best]


def pick_answer(
    question: str,
    sentences: Sequence[str],
    similarities: np.ndarray,
    settings: AnswerSettings | None = None,
    weights: Mapping[str, float] | None = None,
) -> tuple[int, float]:
    """Index and score of the best sentence (see :class:`AnswerScorer`).

    Example:
        >>> pick_answer("How many patients?", ["About us.", "It enrolls 36 patients."],
        ...             np.array([0.1, 0.6]))[0]
        1
    """
    return AnswerScorer(AnswerQuery.of(question), settings).pick(sentences, similarities, weights)
