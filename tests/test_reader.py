"""Keyword search internals of the reader (fake encoder: these tests are about the store)."""

import re
import sqlite3

import numpy as np
import pytest

from index import IndexUpgradeNeeded, open_reader, sync
from index.layout import STORE, current_generation
from index.manifest import FORMAT_VERSION
from index.settings import KeywordSettings
from ingest.analysis import stem

from .conftest import FakeEncoder, as_format_2, store_rows


def _reader(tmp_path, corpus, fake_encoder):
    sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    return open_reader(tmp_path / "idx")


def test_terms_table_matches_fts_vocabulary(tmp_path, corpus, fake_encoder):
    reader = _reader(tmp_path, corpus, fake_encoder)
    rows = store_rows(reader, "SELECT term, df FROM terms")
    assert len(rows) > 500
    text = " ".join(r[0] for r in store_rows(reader, "SELECT text FROM chunks_fts"))
    df = reader.doc_freqs(["glioblastoma", "cellectar", "zzzunknown"])
    assert df["zzzunknown"] == 0 and 0 < df["glioblastoma"] <= reader.n_chunks()
    assert "glioblastoma" in text.lower()
    holding = store_rows(reader, "SELECT count(*) FROM chunks_fts WHERE text MATCH 'glioblastoma'")
    assert df["glioblastoma"] == holding[0][0]


def test_common_terms_are_dropped_beyond_the_postings_budget(
    tmp_path, corpus, fake_encoder, monkeypatch
):
    reader = _reader(tmp_path, corpus, fake_encoder)
    question = "glioblastoma imaging trial company patients"
    assert reader.within_budget(question.split(), 4000) == question.split()  # small: all
    # the cost of a term is its rows in either column: a headline word is in every
    # chunk of its release, whether or not the chunk's own text has it
    n = reader.postings([stem(t) for t in question.split()])
    df = reader.doc_freqs([stem(t) for t in question.split()])
    assert all(n[s] >= df[s] for s in n) and any(n[s] > df[s] for s in n)
    for s in n:
        rows = store_rows(reader, "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", [s])
        assert n[s] == rows[0][0]
    by_rarity = sorted(question.split(), key=lambda t: (n[stem(t)], t))
    budget = n[stem(by_rarity[0])] + n[stem(by_rarity[1])]
    assert set(reader.within_budget(question.split(), budget)) == set(by_rarity[:2])
    settings = KeywordSettings(postings_budget=budget)
    assert reader.keyword(question.split(), 5, settings=settings)  # from the rare terms
    too_small = KeywordSettings(postings_budget=n[stem(by_rarity[0])] - 1)
    assert reader.within_budget(question.split(), too_small.postings_budget) == []
    assert reader.keyword(question.split(), 5, settings=too_small) == []


def test_broad_filter_is_applied_to_the_ranking(tmp_path, corpus, fake_encoder, monkeypatch):
    reader = _reader(tmp_path, corpus, fake_encoder)
    every = [r[0] for r in store_rows(reader, "SELECT chunk_id FROM chunks ORDER BY chunk_id")]
    allowed = every[::2]
    terms = ["glioblastoma", "imaging", "trial"]
    in_sql = reader.keyword(terms, 5, allowed)
    streamed = reader.keyword(terms, 5, allowed, KeywordSettings(filter_in_sql_max=1))
    assert streamed == in_sql and streamed and {i for i, _ in streamed} <= set(allowed)


def _keyword_texts(index_dir):
    """What the keyword index holds for each chunk, read from the store as it is on disk."""
    store = index_dir / current_generation(index_dir) / STORE
    with sqlite3.connect(store) as conn:
        rows = conn.execute(
            "SELECT d.path, c.ordinal, f.* FROM chunks c JOIN documents d USING (doc_id) "
            "JOIN chunks_fts f ON f.rowid = c.chunk_id"
        ).fetchall()
    return {(path, ordinal): tuple(columns) for path, ordinal, *columns in rows}


def test_every_chunk_is_keyword_indexed_with_its_release_headline(tmp_path, corpus, fake_encoder):
    reader = _reader(tmp_path, corpus, fake_encoder)
    glio = next(d for d in reader.documents() if "glioblastoma" in d.path)
    rows = reader.chunks(reader.chunks_of([glio.doc_id]))
    later = max(rows.values(), key=lambda r: r.ordinal)
    # a headline word that a later chunk's own text lacks still finds that chunk
    word = next(
        w
        for w in re.findall(r"[A-Za-z]{6,}", glio.title)
        if stem(w) not in {stem(x) for x in re.findall(r"\w+", later.text)}
    )
    assert later.ordinal > 0 and later.chunk_id in {
        i for i, _ in reader.keyword([word.lower()], 1000)
    }
    texts = _keyword_texts(tmp_path / "idx")
    for row in reader.chunks(list(range(1, reader.n_chunks() + 1))).values():
        doc = next(d for d in reader.documents() if d.doc_id == row.doc_id)
        headline = "" if row.text.startswith(doc.title) else doc.title
        assert texts[(doc.path, row.ordinal)] == (row.text, headline)
    # how rare a word is comes from the chunks' own text: the headline, read with every
    # chunk of its release, does not make its words look common
    holding = store_rows(reader, "SELECT count(*) FROM chunks_fts WHERE text MATCH ?", [stem(word)])
    assert reader.doc_freqs([stem(word)])[stem(word)] == holding[0][0] < len(rows)


def test_a_format_2_index_is_upgraded_in_place_without_embedding(tmp_path, corpus, fake_encoder):
    old_dir, fresh_dir = tmp_path / "old", tmp_path / "fresh"
    sync([corpus], old_dir, encoder=fake_encoder)
    sync([corpus], fresh_dir, encoder=FakeEncoder())
    as_format_2(old_dir)  # (before the first open: readers are cached per generation)
    with sqlite3.connect(old_dir / current_generation(old_dir) / STORE) as conn:
        conn.execute("DROP TABLE terms")  # as format 2 was first written
    with pytest.raises(IndexUpgradeNeeded, match="python -m ingest") as raised:
        open_reader(old_dir)
    assert raised.value.model == fake_encoder.name
    assert _keyword_texts(old_dir) != _keyword_texts(fresh_dir)

    again = FakeEncoder()
    report = sync([], old_dir, encoder=again)  # any update converts it; nothing else changes
    assert report.published and again.encoded == [] and report.documents == 2
    reader = open_reader(old_dir)
    assert reader.manifest.format_version == FORMAT_VERSION
    assert _keyword_texts(old_dir) == _keyword_texts(fresh_dir)
    ids = list(range(1, reader.n_chunks() + 1))
    assert np.array_equal(reader.chunk_vectors(ids), open_reader(fresh_dir).chunk_vectors(ids))
    assert store_rows(reader, "SELECT * FROM terms") == open_reader(fresh_dir)._rows(
        "SELECT * FROM terms"
    )
