"""Exact matches in a question: quoted phrases (required) and names and figures (pure).

A phrase in quotes (``"Fast Track designation"``, ``“CLR 131”``) must occur in every
result exactly: the same words in the same order, case-insensitive, with any run of
spaces and punctuation between them standing for any other (as the keyword index
splits text into words), and no stemming ("enrolled" is not "enrolls"). Several quoted
phrases are all required.

Outside quotes, the *literals* of a question are its identifiers and figures: a code
mixing letters and digits (``NCT01234567``, ``COVID-19``), a capitalised name followed
by a number (``CLR 131``), an amount (``$6.5 million``, ``€12M``, ``6.5%``), an
exchange-qualified ticker (``NASDAQ: CLRB``), and, when the question is nothing else, a
bare ticker (``CLRB``). A literal matches as written (its punctuation included, spaces
as any space). Passages holding one rank higher; a question that is only literals (a
bare string) keeps to the passages that hold them, when some do.

Example:
    >>> e = parse('"Fast Track" designation for CLR 131')
    >>> [p.text for p in e.phrases], [lit.text for lit in e.literals], e.bare
    (['Fast Track'], ['CLR 131'], False)
    >>> parse("$6.5 million").bare
    True
    >>> [m for m in e.phrases[0].find("It won FAST-TRACK status; fast tracked.")]
    [(7, 17)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.analysis import STOPWORDS, words

__all__ = ["Exact", "Term", "parse"]

# "..." and “...” (and ‘...’ is left alone: it is an apostrophe as often as a quote)
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^“”]+)”")
_LITERAL = re.compile(
    r"""(?x)
    (?:[$€£¥]|\b(?:US|C|A|HK)\$)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|trillion|thousand|
        mn|bn|[MBK])\b)?                                        # $6.5 million, €12M
  | (?<![\w.])\d[\d,]*\.\d+\s?(?:%|percent\b|million\b|billion\b)  # 6.5%, 2.5 million
  | \b(?i:NASDAQ|NYSE|NYSE\s?American|OTC\w*|TSXV?|CSE|ASX|LSE|AMEX)\s?:\s?[A-Z][A-Z.]{0,5}\b
  | \b[A-Z]{2,}[A-Za-z]{0,8}[-\s](?!(?:19|20)\d\d\b)\d{1,5}[A-Za-z]?\b(?![.,]\d)  # CLR 131, GLP-1
  | \b(?=[A-Za-z\d-]*\d)(?=[A-Za-z\d-]*[A-Za-z])[A-Za-z\d][A-Za-z\d-]{3,}\b  # NCT01234567
    """
)
_TICKER = re.compile(r"[A-Z]{2,5}")
_YEARISH = re.compile(r"(?i)(?:fy|q[1-4]|h[12])?\d{2,4}s?")  # 2024, FY2025, 1990s: no literal


@dataclass(frozen=True)
class Term:
    """A phrase or literal of the question and how it matches a text.

    Attributes:
        text: as the question wrote it.
        tokens: its words, lower-cased (the keyword index's phrase query).
        pattern: the exact match (case-insensitive).
    """

    text: str
    tokens: tuple[str, ...]
    pattern: re.Pattern[str]

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """The spans of ``text`` where this term occurs."""
        return (m.span() for m in self.pattern.finditer(text))

    def occurs_in(self, text: str) -> bool:
        return self.pattern.search(text) is not None


@dataclass(frozen=True)
class Exact:
    """What a question asks to match exactly.

    Attributes:
        phrases: the quoted phrases; every result holds each of them.
        literals: the identifiers and figures outside quotes.
        rest: the question without its quotation marks (what the ranking reads).
        bare: the question is its literals and nothing else ("NCT01234567").
    """

    phrases: tuple[Term, ...] = ()
    literals: tuple[Term, ...] = ()
    rest: str = ""
    bare: bool = False


def phrase_term(text: str) -> Term | None:
    """A quoted phrase: its words in order, spaces and punctuation between them free."""
    tokens = tuple(words(text))
    if not tokens:
        return None
    body = r"[\W_]+".join(re.escape(t) for t in tokens)
    return Term(text.strip(), tokens, re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.I))


def literal_term(text: str) -> Term | None:
    """A literal: its characters as written, any run of spaces matching any other."""
    tokens = tuple(words(text))
    if not tokens:
        return None
    parts = re.findall(r"\s+|\S+", text.strip())
    pieces = []
    for i, part in enumerate(parts):
        if not part.isspace():
            pieces.append(re.escape(part))
        else:  # "NASDAQ: CLRB" is also "NASDAQ:CLRB"; "CLR 131" is not "CLR131"
            loose = not parts[i - 1][-1].isalnum() or not parts[i + 1][0].isalnum()
            pieces.append(r"\s*" if loose else r"\s+")
    body = "".join(pieces)
    start = r"(?<![^\W_])" if text[:1].isalnum() else ""
    end = r"(?![^\W_])" if text[-1:].isalnum() else ""
    return Term(text.strip(), tokens, re.compile(start + body + end, re.I))


def parse(question: str) -> Exact:
    """The quoted phrases and the literals of ``question``."""
    phrases: list[Term] = []
    for m in _QUOTED.finditer(question):
        term = phrase_term(m.group(1) or m.group(2))
        if term is not None and term.tokens not in [p.tokens for p in phrases]:
            phrases.append(term)
    outside = _QUOTED.sub(" ", question)
    rest = _QUOTED.sub(lambda m: m.group(1) or m.group(2), question)
    literals = _literals(outside)
    covered = {t for lit in literals for t in lit.tokens}
    content = [w for w in words(outside) if w not in STOPWORDS]
    if not literals and len(content) == 1 and _TICKER.fullmatch(outside.strip(" ?.!")):
        literals = [t for t in [literal_term(outside.strip(" ?.!"))] if t is not None]
        covered = set(content)
    bare = bool(literals) and not phrases and all(w in covered for w in content)
    return Exact(tuple(phrases), tuple(literals), rest, bare)


def _literals(text: str) -> list[Term]:
    out: list[Term] = []
    for m in _LITERAL.finditer(text):
        found = m.group(0).strip()
        if _YEARISH.fullmatch(found):
            continue
        term = literal_term(found)
        if term is not None and term.text.lower() not in [t.text.lower() for t in out]:
            out.append(term)
    return out
