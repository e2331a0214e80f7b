"""Keyword search internals of the reader (fake encoder: these tests are about the store)."""

import index.reader as reader_mod
from index import open_reader
from index.store import stem
from ingest import sync


def _reader(tmp_path, corpus, fake_encoder):
    sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    return open_reader(tmp_path / "idx")


def test_terms_table_matches_fts_vocabulary(tmp_path, corpus, fake_encoder):
    reader = _reader(tmp_path, corpus, fake_encoder)
    rows = reader._rows("SELECT term, df FROM terms")
    assert len(rows) > 500
    text = " ".join(r[0] for r in reader._rows("SELECT text FROM chunks_fts"))
    df = reader.doc_freqs(["glioblastoma", "cellectar", "zzzunknown"])
    assert df["zzzunknown"] == 0 and 0 < df["glioblastoma"] <= reader.n_chunks()
    assert "glioblastoma" in text.lower()
    holding = reader._rows("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'glioblastoma'")
    assert df["glioblastoma"] == holding[0][0]


def test_common_terms_are_dropped_beyond_the_postings_budget(
    tmp_path, corpus, fake_encoder, monkeypatch
):
    reader = _reader(tmp_path, corpus, fake_encoder)
    question = "glioblastoma imaging trial company patients"
    assert reader._within_budget(question.split()) == question.split()  # small index: all
    df = reader.doc_freqs([stem(t) for t in question.split()])
    by_rarity = sorted(question.split(), key=lambda t: (df[stem(t)], t))
    budget = df[stem(by_rarity[0])] + df[stem(by_rarity[1])]
    monkeypatch.setattr(reader_mod, "POSTINGS_BUDGET", budget)
    assert set(reader._within_budget(question.split())) == set(by_rarity[:2])
    assert reader.keyword(question, 5)  # still answers, from the rare terms
    monkeypatch.setattr(reader_mod, "POSTINGS_BUDGET", df[stem(by_rarity[0])] - 1)
    assert reader._within_budget(question.split()) == [] and reader.keyword(question, 5) == []


def test_broad_filter_is_applied_to_the_ranking(tmp_path, corpus, fake_encoder, monkeypatch):
    reader = _reader(tmp_path, corpus, fake_encoder)
    every = [r[0] for r in reader._rows("SELECT chunk_id FROM chunks ORDER BY chunk_id")]
    allowed = every[::2]
    in_sql = reader.keyword("glioblastoma imaging trial", 5, allowed)
    monkeypatch.setattr(reader_mod, "FILTER_IN_SQL_MAX", 1)  # force the streamed path
    streamed = reader.keyword("glioblastoma imaging trial", 5, allowed)
    assert streamed == in_sql and streamed and {i for i, _ in streamed} <= set(allowed)


def test_an_index_written_before_the_terms_table_still_works_and_gains_it(
    tmp_path, corpus, fake_encoder
):
    import sqlite3

    from index.layout import STORE, current_generation

    index_dir = tmp_path / "idx"
    sync([corpus], index_dir, encoder=fake_encoder)
    store = index_dir / current_generation(index_dir) / STORE
    with sqlite3.connect(store) as conn:  # as an older version wrote it
        conn.execute("DROP TABLE terms")
    old = open_reader(index_dir)
    assert not old._rows("SELECT 1 FROM sqlite_master WHERE name = 'terms'")
    assert old.doc_freqs(["glioblastoma"])["glioblastoma"] > 0  # from FTS5's vocabulary
    assert old.keyword("glioblastoma imaging", 5)
    (corpus / "extra.txt").write_text(
        "Acme Corp. Announces Glioblastoma Results\n\nAcme said the trial met its goal.\n",
        encoding="utf-8",
    )
    sync([corpus], index_dir, encoder=fake_encoder)  # the next update writes the table
    new = open_reader(index_dir)
    assert new._rows("SELECT count(*) FROM terms")[0][0] > 500
    assert (
        new.doc_freqs(["glioblastoma"])["glioblastoma"]
        == old.doc_freqs(["glioblastoma"])["glioblastoma"] + 1
    )
