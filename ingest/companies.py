"""Company names as releases write them: legal forms, name words, matching (pure).

One list of legal forms (:data:`LEGAL_FORMS`) serves splitting a typed list of companies
("Cellectar Biosciences, Inc., NASDAQ:ACME"), comparing names word by word, and showing a
name without its legal form; :data:`NAME_END` is the pattern the release parser accepts
as the end of an issuer's name in running text.

Example:
    >>> strip_legal_form("Acme Biosciences, Inc."), strip_legal_form("Gamma Holdings, Inc.")
    ('Acme Biosciences', 'Gamma')
    >>> name_words("The Acme Corp.")
    ['acme']
"""

from __future__ import annotations

import re

from .analysis import edit_distance, words

__all__ = [
    "LEGAL_FORMS",
    "NAME_END",
    "company_matches",
    "is_legal_form",
    "name_words",
    "strip_legal_form",
]

# Legal forms, lower-case, as written after a name (periods optional where shown).
LEGAL_FORMS = (
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "l.l.c.",
    "lp",
    "l.p.",
    "llp",
    "plc",
    "p.l.c.",
    "sa",
    "s.a.",
    "ag",
    "nv",
    "n.v.",
    "se",
    "gmbh",
    "ab",
    "asa",
    "oyj",
    "s.p.a.",
    "pty",
)
_FORM = "|".join(re.escape(f).replace(r"\.", r"\.?") for f in sorted(LEGAL_FORMS, key=len)[::-1])
_LEGAL_PIECE = re.compile(rf"^(?:{_FORM})\.?$", re.IGNORECASE)
# what a shown name drops besides legal forms ("Acme Holdings, Inc." -> "Acme")
_DESCRIPTORS = ("holdings",)
_LEGAL_TAIL = re.compile(rf",?\s+(?:{_FORM}|{'|'.join(_DESCRIPTORS)})\.?$", re.IGNORECASE)
_LEGAL_WORDS = frozenset(w for f in LEGAL_FORMS for w in words(f) if len(w) > 1) | {"the"}

# The end of an issuer's name in running text ("Acme Group Holdings, Inc."), for the
# release parser: case as releases write it.
NAME_END = (
    r"(?:Inc|Corp|Corporation|LLC|L\.L\.C|Ltd|Limited|L\.P|LP|LLP|plc|PLC|Co|S\.A|N\.V|AG|SE"
    r"|GmbH|S\.p\.A|Pty|Group|Holdings)\.?"
)


def is_legal_form(piece: str) -> bool:
    """Whether ``piece`` is only a legal form ("Inc.", "S.A.").

    >>> is_legal_form("Inc."), is_legal_form("Acme")
    (True, False)
    """
    return _LEGAL_PIECE.match(piece.strip()) is not None


def strip_legal_form(name: str) -> str:
    """The name without its trailing legal forms (and "Holdings"), for display."""
    short = name.strip()
    while (cut := _LEGAL_TAIL.sub("", short)) != short and cut:
        short = cut
    return short


def name_words(name: str) -> list[str]:
    """The words of a name that tell companies apart (no legal forms, no "the")."""
    return [w for w in words(name) if w not in _LEGAL_WORDS]


def company_matches(wanted: str, company: str | None, tickers: tuple[str, ...]) -> bool:
    """Whether a company name or ticker the user typed names this issuer.

    Tickers match exactly ("CLRB" or "NASDAQ:CLRB"); names match word by word with one
    typo allowed in words of five letters or more, so "Cellectar" also finds the
    releases that spell it "Cellecstar".

    >>> company_matches("cellectar", "Cellecstar Biosciences, Inc.", ())
    True
    >>> company_matches("clrb", None, ("NASDAQ:CLRB",))
    True
    """
    wanted = wanted.strip()
    if not wanted:
        return False
    for ticker in tickers:
        if wanted.upper() in (ticker.upper(), ticker.split(":")[-1].upper()):
            return True
    have = name_words(company or "")
    wanted_words = name_words(wanted)
    for word in wanted_words:
        limit = 1 if len(word) >= 5 else 0
        if not any(edit_distance(word, h, limit) <= limit for h in have):
            return False
    return bool(wanted_words)
