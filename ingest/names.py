"""Company names compared: the short name without its legal form, a matching key, and
whether two spellings name one company (pure).

Legal forms are cut by ``cleanco`` (its list of forms from many countries: "Inc.",
"S.p.A.", "Oyj", "GmbH & Co. KG"); names are compared with ``rapidfuzz`` so that a
misspelling ("Cellecstar Biosciences") is the same company as the usual spelling.

Example:
    >>> short_name("Cellectar Biosciences, Inc."), name_key("The Acme Corp.")
    ('Cellectar Biosciences', 'acme')
    >>> same_company("Cellectar Biosciences, Inc.", "Cellecstar Biosciences")
    True
    >>> same_company("GeoVax", "GeoVax Labs, Inc."), same_company("Acme", "Apex")
    (True, False)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cleanco import basename, prepare_default_terms
from rapidfuzz import fuzz

__all__ = ["FUZZY_THRESHOLD", "name_key", "same_company", "short_name"]

# rapidfuzz ratio (0-100) at or above which two keys of eight letters or more are one
# name: one wrong, missing or swapped letter in a name of that length scores about 90-95,
# two different names sharing a word ("acme biosciences" / "apex biosciences") below 90.
FUZZY_THRESHOLD = 92.0
_TERMS = prepare_default_terms()
_MARKS = re.compile(r"[™®©]")
_PAREN_TAIL = re.compile(r"\s*\([^)]*\)?\s*$")  # "Volvo AB (publ)"
_THE = re.compile(r"^(?:the)\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w&+]+")
_DOMAIN = re.compile(r"(?i)\.(?:com|io|ai|net|org|co)$")


@lru_cache(maxsize=65536)
def short_name(name: str) -> str:
    """The name as people say it: no legal form, no "(publ)", no trademark signs.

    >>> short_name("Volvo AB (publ)"), short_name("Catchcoin™ Inc."), short_name("Nordex SE")
    ('Volvo', 'Catchcoin', 'Nordex')
    """
    clean = _PAREN_TAIL.sub("", _MARKS.sub("", name)).strip(" ,.;:")
    cut = basename(clean, terms=_TERMS).strip(" ,.;:")
    while cut and cut != clean:  # "Acme Holdings, Inc., Ltd." -> "Acme Holdings"
        clean, cut = cut, basename(cut, terms=_TERMS).strip(" ,.;:")
    return cut or clean


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Lower-case words of the short name, accents and punctuation dropped, "the" cut.

    >>> name_key("Société Générale S.A."), name_key("XT.COM"), name_key("D-Wave Quantum Inc.")
    ('societe generale', 'xt', 'd wave quantum')
    """
    short = _THE.sub("", short_name(name))
    short = _DOMAIN.sub("", short)
    plain = unicodedata.normalize("NFKD", short).encode("ascii", "ignore").decode()
    return " ".join(_NON_WORD.sub(" ", plain.lower()).split())


def same_company(a: str, b: str) -> bool:
    """Whether two spellings name one company.

    Equal keys; or one key is the other's first words and the shorter has a word of four
    letters or more that is not a common word ("GeoVax" ~ "GeoVax Labs", never "Global"
    ~ "Global Payments"... which needs the ticker); or keys of eight letters or more within
    :data:`FUZZY_THRESHOLD` of each other.
    """
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    if long.startswith(short + " ") and _distinctive(short):
        return True
    return min(len(ka), len(kb)) >= 8 and fuzz.ratio(ka, kb) >= FUZZY_THRESHOLD


# Words that open many different company names: a name made only of these is not told
# apart from others by a shared beginning.
_GENERIC = frozenset(
    "global american national international united first new general north south east west "
    "central pacific atlantic great royal digital data smart green blue red black gold golden "
    "silver star sun solar quantum bio health medical capital group world us usa china canada "
    "canadian european asia advanced applied integrated premier pro one best top city".split()
)


def _distinctive(key: str) -> bool:
    """A key that names one company by itself: a word of four letters or more, not generic."""
    parts = key.split()
    return any(len(w) >= 4 and w not in _GENERIC for w in parts) and not all(
        w in _GENERIC for w in parts
    )
