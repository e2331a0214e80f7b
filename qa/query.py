"""A question analysed once: what every ranking stage reads of it.

:func:`analyse` takes the text to search (the question without its date-filter phrase)
and the index it will be searched in: content words for the keyword query, the indexed
spelling variants of its names, the inverse chunk frequency of each stem for word
overlap, and the answer type for the answer scorer. Nothing downstream tokenises the
question again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from index import IndexReader
from ingest.analysis import query_terms, stem

from .answer import AnswerQuery
from .boilerplate import asked_kinds

__all__ = ["Query", "analyse", "is_list_question"]

# a capitalised name not at a sentence start, or a code mixing digits and letters
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w-]{4,}|\b\w*\d\w*[A-Za-z]\w*\b")
# a question asking for releases or companies as such, not a fact inside one: "which" or
# "what" before a plural of issuers, releases or announced events as the subject ("Which
# brands does X own?" asks a fact of one release), or
# "list"/"show me all" leading the question
_ISSUERS = (
    r"companies|firms|startups|start-ups|businesses|organi[sz]ations|brands|banks|insurers"
    r"|manufacturers|makers|retailers|restaurants|hospitals|clinics|universities|schools"
    r"|agencies|funds|issuers|sponsors|biotechs|developers|providers|vendors|suppliers"
    r"|miners|producers|operators|platforms|nonprofits|non-profits|charities|teams|groups"
    r"|law firms|practices|dealers|dealerships|agents|brokers|lenders|exchanges|projects"
)
_RELEASES = r"(?:press\s+)?(?:releases|announcements|news releases|statements)"
_EVENTS = (
    r"acquisitions|mergers|deals|partnerships|collaborations|alliances|funding rounds"
    r"|financings|investments|launches|product launches|designations|approvals|clearances"
    r"|appointments|hires|awards|contracts|agreements|offerings|listings|recalls|lawsuits"
    r"|settlements|grants|expansions|openings|results|trials"
)
_HEADS = (
    r"program|programme|ceremony|event|show|competition|contest|list|ranking|category|index"
    r"|fund|platform|project|initiative|campaign|series|company|firm|group|network|agency"
    r"|publication|magazine|outlet|team|committee|organi[sz]ation|body|association|council"
)
_LIST_QUESTION = re.compile(
    rf"\b(?:which|what)\s+(?!(?:two|three|four|five|\d+)\b)(?:[\w-]+\s+){{0,2}}?(?:{_ISSUERS}|{_RELEASES}|{_EVENTS})\b"
    # a singular verb after the plural: the plural is the object ("Which brands does X own?",
    # "Which firms has she worked with?"), the question is about one subject
    r"(?!\s+(?:does|do|did|has|is|was)\b)"
    # ... or a singular head noun after it: the plural is a modifier ("Which awards program
    # named X its winner?", "Which deals team ..."): a question about one thing
    rf"(?!\s+(?:{_HEADS})\b)"
    r"|^\W*(?:please\s+)?(?:list|enumerate|show(?:\s+me)?\s+(?:all|every|the)"
    r"|find\s+(?:all|every)|name\s+(?:all|every|the\s+\w+\s+that))\b"
    rf"|^\W*(?:all\s+)?(?:the\s+)?{_RELEASES}\s+(?:about|on|of|announcing|mentioning|from)\b",
    re.I,
)


@dataclass(frozen=True)
class Query:
    """The searched text of a question and what the stages read of it.

    Attributes:
        text: what is searched.
        terms: its content words, lower-cased, in order (the keyword query).
        variants: indexed spelling variants of its names ("Cellectar" ~ "Cellecstar").
        weights: inverse chunk frequency of each stem of ``terms``, from the index.
        answer: what the answer scorer reads (answer type, words, counted thing).
        prefer: a period whose releases are preferred (ISO first and last day), or None.
        asks_for: the boilerplate kinds the question asks for by name (contacts, safe
            harbor, links: :func:`qa.boilerplate.asked_kinds`).
    """

    text: str
    terms: tuple[str, ...]
    variants: tuple[str, ...]
    weights: Mapping[str, float]
    answer: AnswerQuery
    prefer: tuple[str, str] | None = None
    asks_for: frozenset[str] = frozenset()

    @property
    def keyword_terms(self) -> list[str]:
        """The words the keyword query ORs: the terms, then the spelling variants."""
        return list(dict.fromkeys([*self.terms, *self.variants]))


def name_variants(reader: IndexReader, text: str) -> list[str]:
    """Indexed spelling variants of the names in ``text`` (one edit, names of 6+ letters)."""
    out: list[str] = []
    for name in dict.fromkeys(m.group(0) for m in _NAME.finditer(text)):
        if len(name) >= 6:
            out.extend(reader.similar_terms(name, 1))
    return out


def analyse(reader: IndexReader, text: str, prefer: tuple[str, str] | None = None) -> Query:
    """Analyse ``text`` for a search of ``reader``'s index."""
    terms = tuple(query_terms(text))
    return Query(
        text=text,
        terms=terms,
        variants=tuple(name_variants(reader, text)),
        weights=reader.idf([stem(t) for t in terms]),
        answer=AnswerQuery.of(text),
        prefer=prefer,
        asks_for=asked_kinds(text),
    )


def is_list_question(question: str) -> bool:
    """Whether the question asks for releases or companies ("Which companies ...").

    >>> is_list_question("Which companies announced acquisitions?")
    True
    >>> is_list_question("List the Fast Track designations since 2024")
    True
    >>> is_list_question("Which company makes CLR 131?")
    False
    >>> is_list_question("Which brands does Snap Dock's new partner own?")
    False
    >>> is_list_question("What doses does the imaging trial test?")
    False
    >>> is_list_question("Which organizations has the new vice president worked with?")
    False
    >>> is_list_question("Which awards program named the agency its 2024 winner?")
    False
    """
    return _LIST_QUESTION.search(question) is not None
