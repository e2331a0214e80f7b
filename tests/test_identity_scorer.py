"""The learned issuer scorer (ingest.candidates, ingest.issuer_scorer, ingest.identity) on
real archive releases it was trained on (tests/fixtures/issuers_train/SOURCES.md), the
model file it ships with, and the re-read of stored issuers when the reader changes."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from ingest.candidates import find_candidates
from ingest.identity import Issuer, candidate_rows, read_issuer, scored_candidates
from ingest.issuer_scorer import FEATURES, MODEL_PATH, load_scorer
from ingest.loaders import load_file
from ingest.normalize import normalize_text
from ingest.release import issuer_arguments, parse_release

FIXTURES = Path(__file__).parent / "fixtures" / "issuers_train"
SEARCH_FIXTURES = Path(__file__).parent / "fixtures" / "search"


def text_of(name: str) -> str:
    return normalize_text(load_file(FIXTURES / name).text)


def pools_of(name: str):
    return find_candidates(*issuer_arguments(text_of(name)))


def test_the_shipped_model_matches_the_features_and_records_its_training() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURES
    assert len(data["weights"]) == len(FEATURES) == len(data["mean"]) == len(data["scale"])
    assert data["trained"]["script"] == "training/train_issuers.py"
    assert data["trained"]["cv"]["precision"] >= 0.9  # cross-validated, not in-sample
    scorer = load_scorer()
    assert 0.5 <= scorer.threshold < 1.0


def test_a_model_file_of_other_features_is_refused(tmp_path) -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    bad = tmp_path / "issuer_scorer.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="trained on other features"):
        load_scorer(bad)


def test_an_analysts_coverage_update_is_issued_by_the_analyst_without_the_covered_ticker():
    # "Stonegate Capital Partners Updates Coverage On GoHealth Inc. (NASDAQ: GOCO)": the
    # covered company is named first in the lead and followed by its ticker
    meta = parse_release(text_of("reportable-2025-0515-stonegate.md"))
    assert meta.company is not None and meta.company.value == "Stonegate Capital Partners"
    assert meta.tickers == ()
    pools = pools_of("reportable-2025-0515-stonegate.md")
    covered = [p for p in pools if any(s.value == "GoHealth Inc." for s in p.spellings)]
    assert covered and "coverage" not in covered[0].sources  # a candidate, not the issuer


def test_a_name_defined_in_unheaded_boilerplate_is_a_candidate() -> None:
    # 24-7 Press Release runs the release into one paragraph: "FivePoint is a California
    # company that designs and develops ..." closes it, with no About heading
    pools = pools_of("247pressrelease-2024-0321-valencia.md")
    five = [p for p in pools if any(s.value == "FivePoint" for s in p.spellings)]
    assert five and "defined" in five[0].sources


def test_an_about_heading_inside_a_paragraph_is_cut_to_the_name() -> None:
    # "...  About Stephenson Rife Law Firm Stephenson Rife is ..." (two spaces, no break)
    text = text_of("247pressrelease-2024-0516-stephenson.md")
    assert "About Stephenson Rife Law Firm Stephenson Rife" in text
    pools = find_candidates(*issuer_arguments(text))
    spellings = {s.value for p in pools for s in p.spellings}
    assert "Stephenson Rife Law Firm" in spellings
    assert not any("Stephenson Rife Law Firm Stephenson" in s for s in spellings)
    meta = parse_release(text)
    assert meta.company is not None and meta.company.value.startswith("Stephenson Rife")


def test_the_site_it_appeared_first_on_is_a_candidate() -> None:
    # a citybiz roundup names no company; "The post ... appeared first on citybiz."
    pools = pools_of("citybiz-2025-0826-oyster.md")
    assert any(p.sources == {"wire"} and p.spellings[0].value == "citybiz" for p in pools)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.md")))
def test_every_candidate_spelling_is_where_the_text_writes_it(name: str) -> None:
    text = text_of(name)
    for pool, shown, x in candidate_rows(*issuer_arguments(text)):
        assert len(x) == len(FEATURES)
        assert shown in pool.spellings
        for s in pool.spellings:
            assert text[s.start : s.end] == s.value and "\n" not in s.value


def test_the_issuer_is_the_best_scored_candidate_or_none() -> None:
    args = issuer_arguments(text_of("reportable-2025-0515-stonegate.md"))
    scored = scored_candidates(*args)
    best = max(scored, key=lambda c: c.score)
    assert read_issuer(*args).name == best.shown
    # a text whose only candidate is a weak one gets no issuer rather than a wrong one
    text = "Explore the Latest\n\nExplore the latest in home design at the show this week."
    assert parse_release(text).company is None
    assert read_issuer(text, 20, len(text), (), "Explore the Latest", (), 18) == Issuer()


def test_a_sync_reads_again_the_issuers_an_older_reader_stored(
    tmp_path, fake_encoder, monkeypatch
) -> None:
    # fake encoder: this test is about which files a sync reads again, not about retrieval
    import importlib

    from index import open_reader, sync

    writer = importlib.import_module("index.writer")
    preparing = importlib.import_module("ingest.prepare")
    release = importlib.import_module("ingest.release")
    corpus = tmp_path / "releases"
    corpus.mkdir()
    shutil.copy(FIXTURES / "reportable-2025-0515-stonegate.md", corpus / "stonegate.md")
    shutil.copy(SEARCH_FIXTURES / "citybiz-2025-0523-rhizome.md", corpus / "rhizome.md")
    idx = tmp_path / "idx"
    with monkeypatch.context() as old:  # an older ingest (PREPARED 2) that read no issuer
        old.setattr(preparing, "PREPARED", 2)
        old.setattr(writer, "PREPARED", 2)
        old.setattr(release, "read_issuer", lambda *args: Issuer())
        first = sync([corpus], idx, encoder=fake_encoder)
    assert len(first.added) == 2
    assert {d.company for d in open_reader(idx).documents()} == {None}
    again = sync([corpus], idx, encoder=fake_encoder)  # no file changed
    assert len(again.refreshed) == 2 and again.chunks_embedded == 0
    companies = {Path(d.path).stem: d.company for d in open_reader(idx).documents()}
    assert companies["stonegate"] == "Stonegate Capital Partners"
    store = idx / (idx / "CURRENT").read_text().strip() / "store.sqlite"
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        stamps = {json.loads(m)["prepared"] for (m,) in db.execute("SELECT meta FROM documents")}
    assert stamps == {preparing.PREPARED}
