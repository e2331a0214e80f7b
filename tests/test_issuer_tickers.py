"""The issuer's own tickers and the spelling it shows (ingest.identity, ingest.tickers) on
real archive releases the scorer was trained on (tests/fixtures/issuers_train/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

from ingest.identity import candidate_rows, issuer_tickers
from ingest.loaders import load_file
from ingest.normalize import normalize_text
from ingest.release import issuer_arguments, parse_release
from ingest.tickers import find_tickers, ticker_mentions

FIXTURES = Path(__file__).parent / "fixtures" / "issuers_train"


def text_of(name: str) -> str:
    return normalize_text(load_file(FIXTURES / name).text)


def tickers_if_issuer(name: str, starts: str) -> list[str]:
    """The tickers the release would get with the candidate whose shown name starts with
    ``starts`` as its issuer (whatever the model's confidence)."""
    args = issuer_arguments(text_of(name))
    text, _, _, tickers, headline, sections, headline_end, _ = args
    rows = candidate_rows(*args)
    pools = [pool for pool, _, _ in rows]
    pool, shown = next((p, s) for p, s, _ in rows if s.value.startswith(starts))
    own = issuer_tickers(text, tickers, headline, headline_end, sections, pools, pool, shown)
    return [t.value for t in own]


def test_ticker_mentions_are_every_place_and_find_tickers_the_first_of_each() -> None:
    text = text_of("ibn-2025-1008-izotropic.md")
    mentions = [t.value for t in ticker_mentions(text)]
    assert mentions.count("CSE:IZO") >= 2  # the headline's and the lead's
    firsts = find_tickers(text)
    assert [t.value for t in firsts] == list(dict.fromkeys(mentions))
    for t in ticker_mentions(text):
        assert t.value.split(":")[1] in text[t.start : t.end]


def test_a_ticker_the_lead_adds_to_the_headlines_is_the_issuers() -> None:
    # headline "Izotropic Corp. (CSE: IZO) (OTCQB: IZOZF) ...", lead "Izotropic (CSE: IZO)
    # (OTCQB: IZOZF) (FSE: 1R3), a leading ...": the run in the lead reaches FSE: 1R3
    text = text_of("ibn-2025-1008-izotropic.md")
    assert "Izotropic (CSE: IZO) (OTCQB: IZOZF) (FSE: 1R3)" in text
    assert tickers_if_issuer("ibn-2025-1008-izotropic.md", "Izotropic") == [
        "CSE:IZO",
        "OTCQB:IZOZF",
        "FSE:1R3",
    ]
    meta = parse_release(text)
    assert meta.company is not None and meta.company.value.startswith("Izotropic")
    assert [t.value for t in meta.tickers] == ["CSE:IZO", "OTCQB:IZOZF", "FSE:1R3"]


def test_security_numbers_between_a_name_and_its_ticker_are_skipped() -> None:
    text = text_of("newmediawire-2026-0701-circus.md")
    assert "Circus SE (WKN: A2YN35 / ISIN: DE000A2YN355 / XETRA: CA1)" in text
    assert tickers_if_issuer("newmediawire-2026-0701-circus.md", "Circus") == ["XETRA:CA1"]


def test_a_headline_ticker_after_another_companys_name_is_not_the_issuers() -> None:
    # "Stonegate Attends ICR 2026, Highlighted by Fireside Chat with Nu Skin (NASDAQ: NUS)"
    name = "reportable-2026-0114-stonegate-icr.md"
    assert "Fireside Chat with Nu Skin (NASDAQ: NUS)" in text_of(name)
    assert tickers_if_issuer(name, "Stonegate") == []
    assert tickers_if_issuer(name, "Nu Skin") == ["NASDAQ:NUS"]  # Nu Skin's own, if it were


def test_a_generic_otc_listing_is_dropped_beside_its_tier() -> None:
    # headline "(TSX.V: BAY) (OTCQB: ATBHF)", body "Aston Bay (TSX.V: BAY) (OTC: ATBHF)"
    name = "ibn-2025-0409-aston-bay.md"
    assert "Aston Bay (TSX.V: BAY) (OTC: ATBHF)" in text_of(name)
    assert tickers_if_issuer(name, "Aston Bay") == ["TSXV:BAY", "OTCQB:ATBHF"]


def test_a_headline_run_on_is_not_the_shown_spelling() -> None:
    # headline "RATWIFHAT Fair Launch Coming Soon on PinkSale": the pool holds "RATWIFHAT"
    # (the body's) and "RATWIFHAT Fair" (the headline's start cut at its verb)
    rows = candidate_rows(*issuer_arguments(text_of("blockchainwire-2024-0726-ratwifhat.md")))
    pool, shown = next((p, s) for p, s, _ in rows if s.value.startswith("RATWIFHAT"))
    assert any(s.value != "RATWIFHAT" for s in pool.spellings)
    assert shown.value == "RATWIFHAT"
