"""Which boilerplate a question asks for (pure).

A release's boilerplate (ingest's section kinds ``about``, ``safe_harbor``, ``contacts`` and
``links``: the company profile, forward-looking statements and disclaimers, media and
investor contacts, source links, "The post ... appeared first on ...", subscription lines)
takes no source slot of a result unless the question asks for it: :func:`wanted_kinds`
reads the question's intent, and the ranking leaves every other boilerplate kind out of the
candidates, as a filter would. Of the About sections, only the issuer's own profile
("About Cellectar Biosciences, Inc." in a Cellectar release, or any About section of a
release whose company is unknown) is boilerplate, and it is admitted when the question
names it ("Cellectar") or asks about a company; an About section on a product, a trial, a
disease or a partner ("About CLR 131", "About Glioblastoma", "About CPDC") is background
the release gives, and competes as before (:func:`admits`).

Example:
    >>> sorted(wanted_kinds("Who is the media contact for the offering?"))
    ['contacts']
    >>> sorted(wanted_kinds("What does the forward-looking statement say about risks?"))
    ['safe_harbor']
    >>> sorted(wanted_kinds("What is Cellectar Biosciences?"))
    ['about']
    >>> sorted(wanted_kinds("How many patients will the trial enroll?"))
    []
    >>> sorted(wanted_kinds("Who sponsors the Ten West Link transmission line?"))
    []
"""

from __future__ import annotations

import functools
import re

from ingest.analysis import STOPWORDS, stems, words
from ingest.companies import company_matches, is_legal_form
from ingest.types import ABOUT, BOILERPLATE_KINDS, CONTACTS, LINKS, SAFE_HARBOR

__all__ = ["admits", "asked_kinds", "excluded_kinds", "wanted_kinds"]

_INTENT = {
    CONTACTS: re.compile(
        r"(?i)\b(?:contacts?|media\s+relations|investor\s+relations|press\s+office|"
        r"spokes(?:person|man|woman)|e-?mail(?:\s+address)?|phone|telephone|call\s+whom|"
        r"reach\s+(?:the|them|their|him|her)|inquir\w*|enquir\w*|\bIR\b)"
    ),
    SAFE_HARBOR: re.compile(
        r"(?i)\b(?:forward[-\s]looking|safe\s+harbou?r|cautionary|disclaim\w*|risk\s+factors|"
        r"risks?\s+and\s+uncertaint\w*|uncertainties|securities\s+litigation\s+reform)"
    ),
    LINKS: re.compile(
        # "link" in lower case only: "Ten West Link" or "LinkedIn Corp." names a thing
        r"(?i)\b(?:source\s+link|original\s+(?:release|link|source)|urls?|(?-i:links?)|web\s?site|"
        r"web\s+page|appeared\s+first|first\s+appeared|published\s+(?:on|at|by)|"
        r"follow\s+\w+\s+on|twitter|linkedin|facebook|instagram|newsletter|subscri\w+)\b"
    ),
    # the company itself: what or who it is, what it does, where and since when
    ABOUT: re.compile(
        r"(?i)\b(?:about\s+(?:the\s+)?(?:company|firm|issuer|sponsor)|what\s+(?:is|are|was|"
        r"were)\b|what\s+(?:does|do|did)\s+[\w.&'’ -]{1,60}?\s+(?:do|make|develop|offer|"
        r"provide|sell|focus)|describe|profile|headquarter\w*|based\s+in|located|"
        r"where\s+is|founded|established|employees|staff|offices|mission|specializ\w*|"
        r"speciali[sz]\w*|focus(?:es|ed)?\s+on|business(?:es)?|pipeline|portfolio|"
        r"platforms?|products?|customers|clients|subsidiar\w*|parent\s+company|listed|"
        r"traded|exchange|ticker|owns?|owned)"
    ),
}


def wanted_kinds(question: str) -> frozenset[str]:
    """The boilerplate kinds ``question`` asks for (none for an ordinary question)."""
    return frozenset(kind for kind, pattern in _INTENT.items() if pattern.search(question))


def asked_kinds(question: str) -> frozenset[str]:
    """The boilerplate kinds ``question`` asks for by name ("media contact", "forward-looking
    statements", "source link"): their passages rank first (the About intent is too broad
    for that: it only lets About passages compete).

    >>> sorted(asked_kinds("Who is the media contact? What is the company?"))
    ['contacts']
    """
    return wanted_kinds(question) - {ABOUT}


def excluded_kinds(question: str) -> frozenset[str]:
    """The boilerplate kinds that take no source slot for ``question``.

    >>> sorted(excluded_kinds("Who is the investor relations contact?"))
    ['about', 'links', 'safe_harbor']
    """
    return BOILERPLATE_KINDS - wanted_kinds(question)


def admits(
    kind: str,
    section: str | None,
    company: str | None,
    question: str,
    excluded: frozenset[str],
) -> bool:
    """Whether a passage of ``kind`` (under the heading ``section``, in a release of
    ``company``) may take a slot for ``question``, given the kinds it excludes
    (:func:`excluded_kinds`).

    >>> q = "How long did the trial run?"
    >>> admits("about", "About Acme Corp.", "Acme Corp.", q, excluded_kinds(q))
    False
    >>> admits("about", "About Acme Corp.", "Acme Corp.", "Where is Acme based?", excluded_kinds(q))
    True
    >>> admits("about", "About CLR 131", "Cellectar Biosciences, Inc.", q, excluded_kinds(q))
    True
    >>> admits("contacts", "Media Contact", "Acme Corp.", q, excluded_kinds(q))
    False
    """
    if kind not in excluded:
        return True
    if kind != ABOUT or not section:
        return False
    if not _is_profile(section, company):
        return True  # background on a product, a trial, a disease or a partner
    return bool(_subject(section) & stems(question))


@functools.lru_cache(maxsize=4096)
def _is_profile(section: str, company: str | None) -> bool:
    """Whether an "About X" heading names the release's own company (unknown: assume so)."""
    if not company:
        return True
    subject = re.sub(r"(?i)^\W*about\s+(?:the\s+)?", "", section)
    return company_matches(company, subject, ()) or company_matches(subject, company, ())


def _subject(section: str) -> frozenset[str]:
    """The name words of an "About X" heading's X, as stems."""
    named = [
        w
        for w in words(re.sub(r"(?i)^\W*about\s+", "", section))
        if w not in STOPWORDS and not is_legal_form(w) and (len(w) >= 3 or w.isdigit())
    ]
    return stems(" ".join(named))
