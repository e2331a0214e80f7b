"""What a member release of a list question must announce: the question without its frame.

"Which companies announced a new chief financial officer?" asks for every release that
*announces* a new chief financial officer; "List the Fast Track designations" for every
release reporting one. :func:`predicate` strips the list frame (the "which"/"what" and a
generic subject such as "companies" or "releases", a leading "List the"), keeping the
subject's own modifiers ("mineral exploration companies" -> "mineral exploration"), and
names the predicate's head terms: its content words less the frame's (announce, report,
new, ...). The period words are already gone (:func:`qa.timeq.parse_time`).

Example:
    >>> p = predicate("Which companies announced a new chief financial officer?")
    >>> p.text, p.heads
    ('announced a new chief financial officer', ('chief', 'financial', 'officer'))
    >>> predicate("List the Fast Track designations").text
    'Fast Track designations'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.analysis import query_terms

__all__ = ["Predicate", "predicate"]

# who is asked for: the generic subjects (their modifiers are kept)
_SUBJECTS = (
    r"companies|company|firms|startups|start-ups|businesses|organi[sz]ations|issuers"
    r"|releases|press releases|news releases|announcements|statements|stories|news|items"
    r"|entities|players|ones"
)
_WHICH = re.compile(
    rf"^\W*(?:in\s+\w+\s*,\s*)?(?:which|what)\s+((?:[\w&'-]+\s+){{0,3}}?)(?:{_SUBJECTS})\b\s*",
    re.I,
)
_WH = re.compile(r"^\W*(?:which|what|where|who)\s+", re.I)
_LIST = re.compile(
    r"^\W*(?:please\s+)?(?:list|enumerate|show(?:\s+me)?|find|name|give(?:\s+me)?)"
    r"\s+(?:all\s+|every\s+)?(?:of\s+)?(?:the\s+)?",
    re.I,
)
# words of the frame, not of the event: never head terms
_FRAME = frozenset(
    """
    announce announced announces announcing announcement announcements report reported reports
    reporting release releases released publicize publicized published publish concern
    concerns new specific such including include e g etc which what where who company
    companies firm firms organization organizations organisation organisations business
    businesses list listed public private other their its have has been were was are is
    been did do does any all
    """.split()
)


@dataclass(frozen=True)
class Predicate:
    """What a list question's member release announces.

    Attributes:
        text: the question less its frame ("announced a new chief financial officer").
        heads: its content words less the frame's, lower-cased, in order.
    """

    text: str
    heads: tuple[str, ...]


def predicate(question: str) -> Predicate:
    """The predicate of a list question (its period words already removed).

    >>> predicate("Which mineral exploration companies announced drill results?").text
    'mineral exploration announced drill results'
    >>> predicate("What releases report a company's quarterly results?").heads
    ('quarterly', 'results')
    >>> predicate("Which acquisitions or mergers were announced?").text
    'acquisitions or mergers were announced'
    """
    q = question.strip().rstrip("?.! ")
    m = _WHICH.match(q)
    if m:
        rest = (m.group(1) + q[m.end() :]).strip()
    elif _LIST.match(q):
        rest = q[_LIST.match(q).end() :]
    else:
        rest = _WH.sub("", q)
    rest = re.sub(r"^\s*(?:,\s*)?(?:have|has|were|was|did|do|does)\s+", "", rest, flags=re.I)
    rest = re.sub(r"\s+", " ", rest).strip(" ,") or q
    heads = tuple(
        dict.fromkeys(t for t in query_terms(rest) if t.lower() not in _FRAME and not t.isdigit())
    )
    return Predicate(rest, tuple(h.lower() for h in heads))
