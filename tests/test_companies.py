"""One company per issuer across the corpus (qa.companies): spellings merged by ticker and
name, canonical names and aliases for the company filter, releases() and the UI's list."""

from __future__ import annotations

import shutil
from pathlib import Path

from index import open_reader, sync
from qa import releases
from qa.companies import company_directory
from ui.desk import Desk

BUNDLED = Path(__file__).resolve().parents[1] / "data" / "releases"


def test_spellings_and_tickers_merge_into_one_company() -> None:
    d = company_directory(
        [
            (1, "Cellectar Biosciences, Inc.", ("NASDAQ:CLRB",)),
            (2, "Cellecstar Biosciences, Inc.", ("OTCQX:CLRB",)),  # a typo, an older exchange
            (3, "Cellectar Biosciences", ()),
            (4, None, ("NASDAQ:CLRB",)),  # only the ticker
            (5, "SolarBank Corporation", ("NASDAQ:SUUN",)),
            (6, "PowerBank Corporation", ("NASDAQ:SUUN",)),  # renamed: the ticker joins them
            (7, "Bitcoin", ()),
            (8, "Bitcoin Vault", ()),  # a plain word beginning two names joins neither
            (10, "Bitcoin Miner SATO Technologies", ()),
            (11, "Stonegate", ()),  # ... and the one name it begins
            (12, "Stonegate Capital Partners", ()),
            (9, None, ()),
        ]
    )
    cellectar = d.by_doc[1]
    assert all(d.by_doc[i] is cellectar for i in (2, 3, 4))
    assert cellectar.name == "Cellectar Biosciences, Inc."
    assert set(cellectar.tickers) == {"NASDAQ:CLRB", "OTCQX:CLRB"}
    assert {"Cellectar Biosciences", "Cellecstar Biosciences, Inc.", "CLRB"} <= set(
        cellectar.aliases
    )
    assert d.by_doc[5] is d.by_doc[6]
    assert len({id(d.by_doc[i]) for i in (7, 8, 10)}) == 3
    assert d.by_doc[11] is d.by_doc[12] and d.by_doc[11].name == "Stonegate Capital Partners"
    assert 9 not in d.by_doc
    assert len(d.companies) == 6
    for wanted in ("Cellectar", "CLRB", "NASDAQ:CLRB", "cellecstar", "Cellectar Biosciences"):
        assert d.matching(wanted) == {1, 2, 3, 4}, wanted
    assert d.matching("PowerBank") == {5, 6}


def test_names_that_only_share_a_generic_word_stay_apart() -> None:
    d = company_directory(
        [(1, "Global Payments Inc.", ()), (2, "Global Industries", ()), (3, "Acme Corp.", ())]
    )
    assert len({id(d.by_doc[i]) for i in (1, 2, 3)}) == 3


def test_releases_and_the_company_list_use_the_merged_company(tmp_path, fake_encoder) -> None:
    """The bundled releases spell the issuer "Cellecstar" (2014) and "Cellectar" (2016), on
    two exchanges. (A fake encoder: this test is about metadata, not retrieval.)"""
    folder = tmp_path / "releases"
    shutil.copytree(BUNDLED, folder)
    index_dir = tmp_path / "idx"
    sync([folder], index_dir, encoder=fake_encoder)
    for wanted in ("Cellectar", "Cellecstar", "CLRB", "OTCQX:CLRB"):
        found = releases(company=wanted, index_dir=index_dir)
        assert [r.date for r in found] == ["2016-11-28", "2014-03-04"], wanted
        assert {r.company for r in found} == {"Cellectar Biosciences, Inc."}
    assert releases(company="Nordex", index_dir=index_dir) == []
    docs = open_reader(index_dir).documents()
    assert Desk.company_choices(docs) == [
        ("Cellectar Biosciences, Inc. (NASDAQ:CLRB, OTCQX:CLRB)", "Cellectar Biosciences, Inc.")
    ]


def test_a_format_6_index_gets_its_issuers_read_again_without_embedding(tmp_path, fake_encoder):
    """m007: the stored company and tickers of an index written by the older parser are
    re-read from the stored texts by the next update; nothing is embedded again."""
    import json
    import sqlite3

    from index.integrity import digest_files
    from index.layout import MANIFEST, STORE, current_generation
    from index.manifest import _checksum

    folder = tmp_path / "releases"
    shutil.copytree(BUNDLED, folder)
    index_dir = tmp_path / "idx"
    sync([folder], index_dir, encoder=fake_encoder)
    generation = index_dir / current_generation(index_dir)
    with sqlite3.connect(generation / STORE) as db:  # what an older parser stored
        db.execute(
            "UPDATE documents SET company = 'First-time Nebraska', tickers = '[\"NASDAQ:TZUP\"]'"
        )
    manifest = json.loads((generation / MANIFEST).read_text())
    manifest.pop("checksum")
    manifest["format_version"] = 6
    manifest["files"] = digest_files(generation)  # the store changed: its digest too
    manifest["checksum"] = _checksum(manifest)
    (generation / MANIFEST).write_text(json.dumps(manifest))

    old = open_reader(index_dir).documents()  # format 6 opens as it is
    assert {d.company for d in old} == {"First-time Nebraska"}
    report = sync([folder], index_dir, encoder=fake_encoder)  # no file changed: migrates only
    assert report.published and report.chunks_embedded == 0
    reader = open_reader(index_dir)
    assert reader.manifest.format_version == 7
    docs = {Path(d.path).name[:4]: d for d in reader.documents()}
    assert docs["2014"].company == "Cellecstar Biosciences, Inc."
    assert docs["2014"].tickers == ("OTCQX:CLRB",)
    assert docs["2016"].company == "Cellectar Biosciences, Inc."
    assert docs["2016"].tickers == ("NASDAQ:CLRB",)
    with sqlite3.connect(index_dir / current_generation(index_dir) / STORE) as db:
        metas = [json.loads(m) for (m,) in db.execute("SELECT meta FROM documents")]
    assert sorted(m["company"]["value"] for m in metas) == [
        "Cellecstar Biosciences, Inc.",
        "Cellectar Biosciences, Inc.",
    ]
    assert {a for m in metas for a in m["aliases"]} >= {"Cellectar Biosciences"}


def _brute_releases_of(documents, wanted) -> set[int]:
    """``releases_of`` as it was: the directory, then company_matches on every release."""
    from ingest.companies import company_matches

    directory = company_directory((d.doc_id, d.company, d.tickers, d.date) for d in documents)
    out: set[int] = set()
    for w in wanted:
        out |= directory.matching(w)
    for d in documents:
        if d.doc_id not in out and any(
            company_matches(w, d.company or d.title, d.tickers) for w in wanted
        ):
            out.add(d.doc_id)
    return out


def test_the_indexed_company_match_accepts_what_matching_each_release_accepts() -> None:
    """The labelled issuers of 300 archive releases as a corpus (some without a company,
    matched by headline), asked for by names, short names, typos, tickers and odd strings."""
    import json
    import random

    from index import DocumentRow
    from qa.companies import releases_of

    from .conftest import ROOT

    labels = ROOT / "benchmarks" / "data" / "issuers_train" / "labels.jsonl"
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(5)
    docs = []
    for i, row in enumerate(rows):
        tickers = tuple(f"{t['exchange']}:{t['symbol']}" for t in row["tickers"])
        title = Path(row["path"]).stem.replace("-", " ")
        company = row["issuer"] if rng.random() < 0.8 else None
        date = f"2025-{1 + i % 12:02d}-01"
        docs.append(DocumentRow(i + 1, row["path"], title, date, company, tickers, None, 1, ""))
    asked = ["", "  ", "the", "Inc.", "zzzz", "NASDAQ", "press release"]
    for row in rng.sample(rows, 60):
        name = row["issuer"] or "none"
        word = max(name.split(), key=len)
        asked += [name, name.lower(), word, word[:-1], word[1:], word[:2] + "x" + word[3:]]
        asked += [t["symbol"] for t in row["tickers"]] + row["aliases"][:1]
    assert sum(1 for d in docs if d.tickers) > 20 and sum(1 for d in docs if not d.company) > 30
    found_some = 0
    for w in asked:
        got = releases_of(docs, [w])
        assert got == _brute_releases_of(docs, [w]), w
        found_some += bool(got)
    assert found_some > 150
    pair = [asked[8], asked[20]]
    assert releases_of(docs, pair) == _brute_releases_of(docs, pair)
