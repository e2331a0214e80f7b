"""Text analysis shared by the keyword index, the query and the answer scorer (pure).

One place for what a "word" is, which words carry no content, their Porter stems (the
form FTS5's ``porter unicode61`` tokenizer holds) and spelling distance. The index
records :data:`ANALYZER` in its manifest: a change here that alters stems or tokens
must bump it, and an index built with another analyzer is refused until rebuilt.

Example:
    >>> query_terms("How many patients will the trial enroll?")
    ['patients', 'trial', 'enroll']
    >>> sorted(stems("Patients enrolled"))
    ['enrol', 'patient']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

__all__ = [
    "ANALYZER",
    "STOPWORDS",
    "TOKEN",
    "edit_distance",
    "query_terms",
    "stem",
    "stem_words",
    "stems",
    "words",
]

ANALYZER = "porter-unicode61/v1"  # recorded in the manifest; bump when tokens or stems change

TOKEN = re.compile(r"[^\W_]+")  # a run of letters or digits, as unicode61 splits text

STOPWORDS = frozenset(
    """
    a an and are as at be been but by can could did do does for from had has have how i if in
    into is it its of on or our so than that the their them then there these they this those to
    was we were what when where which while who whom whose why will with would you your about
    any all also after before did does doing just more most other over same some such only own
    tell me much many give list show find
    """.split()
)


def words(text: str) -> list[str]:
    """The lower-cased letter-and-digit runs of ``text``, in order."""
    return TOKEN.findall(text.lower())


def query_terms(text: str) -> list[str]:
    """Content words of a question, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for tok in words(text):
        if tok not in STOPWORDS and (len(tok) > 1 or tok.isdigit()):
            seen.setdefault(tok, None)
    return list(seen)


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Porter stem of a word, lower-cased: the form the FTS5 index holds."""
    return _porter().stemWord(word.lower())


def stem_words(tokens: Sequence[str]) -> list[str]:
    """:func:`stem` of many lower-cased words at once (one call into the C stemmer)."""
    return _porter().stemWords(tokens)


@functools.lru_cache(maxsize=32_768)
def stems(text: str) -> frozenset[str]:
    """Porter stems of the words of a text (cached: related questions share sentences)."""
    return frozenset(stem_words(words(text)))


@functools.lru_cache(maxsize=1)
def _porter():  # noqa: ANN202 - snowballstemmer has no type hints
    import snowballstemmer

    return snowballstemmer.stemmer("porter")


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of two words, or ``limit + 1`` once it is known to exceed ``limit``.

    >>> edit_distance("cellectar", "cellecstar", 1), edit_distance("cat", "dog", 1)
    (1, 2)
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
