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
# cleanco's legal forms, by their last word: a name is given to cleanco only with the
# forms that can end it (cleanco tries all of its ~370 forms on every name otherwise).
_TERMS_BY_LAST: dict[str, list[tuple[int, list[str]]]] = {}
for _term in prepare_default_terms():
    _TERMS_BY_LAST.setdefault(_term[1][-1], []).append(_term)
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
    while True:  # "Acme Holdings, Inc., Ltd." -> "Acme Holdings"
        parts = clean.split()
        last = (
            parts[-1].casefold().replace(".", "").replace(",", "").replace("-", "") if parts else ""
        )
        terms = _TERMS_BY_LAST.get(last)
        if terms is None or len(parts) < 2:
            return clean
        cut = basename(clean, terms=terms).strip(" ,.;:")
        if not cut or cut == clean:
            return clean
        clean = cut


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

    Equal keys; or one key is the other's first words and the shorter is distinctive
    ("GeoVax" ~ "GeoVax Labs", "Cellectar Biosciences" ~ "Cellectar Biosciences
    Holdings"; not "Bitcoin" ~ "Bitcoin Vault": only a ticker joins those); or keys of
    eight letters or more within :data:`FUZZY_THRESHOLD` of each other.
    """
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    (short, shorter_name), (long, _) = sorted(((ka, a), (kb, b)), key=lambda p: len(p[0]))
    if long.startswith(short + " ") and _distinctive(short, shorter_name):
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


_COINED = re.compile(r"[A-Za-z]+[A-Z0-9][\w]*|[A-Z0-9]{3,}")  # "GeoVax", "ABVC", "D-Wave"


def _distinctive(key: str, name: str) -> bool:
    """A key that names one company by itself, so that a longer name it begins is the same
    company: two words or more with one of four letters or more that is not generic, or
    one coined word ("GeoVax", "ABVC"; not "Bitcoin", "Copper", "Quantum")."""
    parts = key.split()
    if all(w in _GENERIC for w in parts) or not any(len(w) >= 4 for w in parts):
        return False
    if len(parts) > 1:
        return True
    first = short_name(name).split()
    return bool(first) and _COINED.fullmatch(first[-1].strip(".,")) is not None
