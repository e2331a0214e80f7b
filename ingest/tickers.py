"""Stock tickers as releases write them: ``(NASDAQ: CLRB)``, ``(OTCQB - VYCO)``,
``(TSX-V: ABC, OTC: ABCD)``, read with regular expressions (pure).

Example:
    >>> [t.value for t in find_tickers("Acme Corp. (NASDAQ: ACME, ACMEW; TSX-V: AC)")]
    ['NASDAQ:ACME', 'NASDAQ:ACMEW', 'TSXV:AC']
"""

from __future__ import annotations

import re

from ingest.types import Field

__all__ = ["find_tickers", "ticker_mentions"]

_EXCHANGE = (
    r"(?i:nasdaq(?:\s?(?:gs|gm|cm)\b|\s(?:global\sselect(?:\smarket)?|global(?:\smarket)?|"
    r"capital\smarket|stockholm|"
    r"copenhagen|helsinki|first\snorth|nordic))?|nyse(?:\s?(?:american|mkt|arca|amex))?|"
    r"otc\s?(?:qx|qb|id|bb|pk|pink|markets|mkts)|otc|pink\s?sheets|"
    r"tsx[-.\s]?v(?:enture)?(?:\sexchange)?|tsx|cboe(?:\s(?:ca|canada|bzx|australia))?|euronext"
    r"(?:\s(?:paris|amsterdam|brussels|growth|oslo))?|xetra|frankfurt|bursa|hkex|sehk)"
    r"|AMEX|CSE|CNSX|NEO|LSE|AIM|ASX|SGX|NSE|BSE|FWB|FSE|FRA|ETR|EPA|SIX|TASE|JSE|KRX|KOSDAQ"
    r"|TYO|TSE|NZX|BVC|BMV|GPW|WSE|IDX|LON|HKG|TWSE|SZSE|SSE"
)
_SYMBOL = (
    r"(?:[A-Z][A-Z0-9]{0,5}(?:[.\-][A-Z0-9]{1,3})?|\d{4,6}(?:\.[A-Z]{1,2})?|\d[A-Z][A-Z0-9]{0,4})"
    r"(?![\w-])(?!\s*:)"
)  # "ACME", "BRK.B", "226330", "9NH" (Frankfurt)
# Tickers are found from their separator backwards: a text has few colons, and one regex
# with all the exchanges tried at every position would be the slowest part of the parser.
_TICKER_SEP = re.compile(r"[:–-]\s*(?=[A-Z0-9])")
_EXCHANGE_BEFORE = re.compile(r"(?<![\w.])(?:" + _EXCHANGE + r")\Z")
_SYMBOLS = re.compile(_SYMBOL + r"(?:\s*(?:,|and|&)\s*" + _SYMBOL + r")*")
_SYMBOL_RE = re.compile(_SYMBOL)


def _exchange_name(raw: str) -> str:
    """Upper-cased exchange name, with the spellings of one exchange made one.

    Nasdaq tiers -> NASDAQ, TSX-V / TSX.V / TSX Venture -> TSXV, NYSE MKT -> NYSE AMERICAN,
    OTC QB -> OTCQB, OTC Markets / OTCMKTS -> OTC.
    """
    name = " ".join(raw.upper().split())
    if name.startswith("NASDAQ") and re.fullmatch(
        r"NASDAQ ?(?:GS|GM|CM|GLOBAL.*|CAPITAL.*)?", name
    ):
        return "NASDAQ"
    if name.startswith("TSX") and name != "TSX":
        return "TSXV"
    if name in ("NYSE MKT", "NYSE AMEX", "NYSEAMERICAN"):
        return "NYSE AMERICAN"
    if name in ("OTC MARKETS", "OTCMKTS"):
        return "OTC"
    return re.sub(r"^OTC (QX|QB|ID|BB)$", r"OTC\1", name)


def ticker_mentions(text: str) -> tuple[Field, ...]:
    """Every ``EXCHANGE:SYMBOL`` pair where the text writes it, repeats included, in text
    order (:func:`find_tickers` keeps the first of each value).

    >>> [(t.value, t.start) for t in ticker_mentions("A (NYSE: A). Again A (NYSE: A).")]
    [('NYSE:A', 3), ('NYSE:A', 22)]
    """
    found: list[Field] = []
    for sep in _TICKER_SEP.finditer(text):
        ex_end = sep.start()
        if text[ex_end] == ":":  # "NASDAQ: CLRB", "Nasdaq:CLRB"
            while ex_end > 0 and text[ex_end - 1] == " ":
                ex_end -= 1
        elif text[ex_end - 1 : ex_end] == " " and sep.end() > sep.start() + 1:
            ex_end -= 1  # "(OTCQB - VYCO)"
        else:
            continue
        ex = _EXCHANGE_BEFORE.search(text, max(0, ex_end - 40), ex_end)
        syms = _SYMBOLS.match(text, sep.end()) if ex is not None else None
        if ex is None or syms is None:
            continue
        exchange = _exchange_name(ex[0])
        for sym in _SYMBOL_RE.finditer(text, syms.start(), syms.end()):
            found.append(Field(f"{exchange}:{sym[0]}", ex.start(), sym.end()))
    return tuple(found)


def find_tickers(text: str) -> tuple[Field, ...]:
    """Every ``EXCHANGE:SYMBOL`` pair, first occurrence of each value, in text order.

    A Field spans the exchange and the symbol ("NASDAQ: CLRB"); in "(NASDAQ: SEGG, LTRYW)"
    the second Field spans "NASDAQ: SEGG, LTRYW" so that its text still names the exchange.

    Args:
        text: The stored text of a release.

    Returns:
        One Field per distinct ``EXCHANGE:SYMBOL`` value, e.g. ``NASDAQ:CLRB``.
    """
    found: dict[str, Field] = {}
    for t in ticker_mentions(text):
        found.setdefault(t.value, t)
    return tuple(found.values())
