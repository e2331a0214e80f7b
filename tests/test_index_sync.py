"""Index bookkeeping with the fake encoder (these tests are about sync, not ranking)."""

import json
import os
import sqlite3

import numpy as np
import pytest

from index import IndexLockedError, ModelMismatchError, open_reader, sync
from index.layout import current_generation, writer_lock
from index.manifest import FORMAT_VERSION

from .conftest import FakeEncoder, store_rows


def _state(index_dir):
    reader = open_reader(index_dir)
    docs = {d.path: d for d in reader.documents()}
    ids = [r[0] for r in store_rows(reader, "SELECT chunk_id FROM chunks ORDER BY chunk_id")]
    return reader, docs, ids


def test_first_sync_adds_every_release(tmp_path, corpus, fake_encoder):
    report = sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    assert len(report.added) == 2 and not report.failed and report.published
    reader, docs, ids = _state(tmp_path / "idx")
    assert len(docs) == 2 and report.chunks == len(ids) == len(reader.vectors)
    glio = next(d for d in docs.values() if "glioblastoma" in d.path)
    assert glio.date == "2014-03-04"
    assert glio.title.startswith("Cellecstar Announces Initiation of Phase II Imaging Trial")
    manifest = json.loads(
        (tmp_path / "idx" / current_generation(tmp_path / "idx") / "manifest.json").read_text()
    )
    assert manifest["model"] == fake_encoder.name and manifest["dim"] == 64
    assert manifest["format_version"] == FORMAT_VERSION and manifest["chunks"] == len(ids)


def test_unchanged_rerun_does_no_work_and_publishes_nothing(tmp_path, corpus, fake_encoder):
    sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    generation = current_generation(tmp_path / "idx")
    again = FakeEncoder()
    report = sync([corpus], tmp_path / "idx", encoder=again)
    assert report.unchanged == 2 and not report.added and not report.updated
    assert again.encoded == [] and not report.published
    assert current_generation(tmp_path / "idx") == generation


def test_touched_but_same_text_is_not_reembedded(tmp_path, corpus, fake_encoder):
    sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    path = next(corpus.glob("2014*"))
    path.write_text(path.read_text() + "\n\n\n")  # same text once normalised
    again = FakeEncoder()
    report = sync([corpus], tmp_path / "idx", encoder=again)
    assert report.unchanged == 2 and again.encoded == []


def test_changed_file_is_reindexed_with_new_ids_and_cache_reuse(tmp_path, corpus, fake_encoder):
    sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    _, _, old_ids = _state(tmp_path / "idx")
    path = next(corpus.glob("2016*"))
    path.write_text(path.read_text().replace("Hamilton, Ontario-based", "Toronto-based"))
    again = FakeEncoder()
    report = sync([corpus], tmp_path / "idx", encoder=again)
    assert report.updated == (str(path),)
    assert 1 <= len(again.encoded) <= 2  # only the edited chunks are embedded again
    assert report.chunks_reused > 0
    reader, _, new_ids = _state(tmp_path / "idx")
    fresh = set(new_ids) - set(old_ids)
    assert fresh and min(fresh) > max(old_ids)  # chunk ids are never reused
    text = "\n".join(r[0] for r in store_rows(reader, "SELECT text FROM documents"))
    assert "Toronto-based" in text and "Hamilton, Ontario-based" not in text


def test_deleted_file_is_removed_unless_kept(tmp_path, corpus, fake_encoder):
    sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    victim = next(corpus.glob("2014*"))
    victim.unlink()
    report = sync([corpus], tmp_path / "idx", encoder=fake_encoder, remove_missing=False)
    assert not report.removed and len(_state(tmp_path / "idx")[1]) == 2
    report = sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    assert report.removed == (str(victim),)
    reader, docs, ids = _state(tmp_path / "idx")
    assert list(docs) == [str(next(corpus.glob("2016*")))]
    assert len(ids) == len(reader.vectors)
    fts = store_rows(
        reader, "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'glioblastoma'"
    )
    assert fts[0][0] == 0


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path, corpus, fake_encoder):
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    report = sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    assert len(report.added) == 2
    failed = {os.path.basename(f.path): f.reason for f in report.failed}
    assert set(failed) == {"empty.txt", "binary.txt", "broken.pdf"}
    assert all(reason for reason in failed.values())


def test_a_failure_mid_update_leaves_the_old_index(tmp_path, corpus, fake_encoder):
    sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    generation = current_generation(tmp_path / "idx")
    (corpus / "new.txt").write_text("Acme Corp. announced a new drug today. " * 40)
    broken = FakeEncoder()
    broken.fail_after = 0
    with pytest.raises(RuntimeError, match="injected"):
        sync([corpus], tmp_path / "idx", encoder=broken)
    assert current_generation(tmp_path / "idx") == generation
    assert [p.name for p in (tmp_path / "idx").iterdir() if ".tmp-" in p.name] == []
    _, docs, _ = _state(tmp_path / "idx")
    assert len(docs) == 2


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path, corpus, fake_encoder):
    index_dir = tmp_path / "idx"
    lock = writer_lock(index_dir)
    try:
        with pytest.raises(IndexLockedError, match="another process is updating"):
            sync([corpus], index_dir, encoder=fake_encoder)
    finally:
        lock.release()


def test_an_index_of_another_model_is_refused(tmp_path, corpus, fake_encoder):
    sync([corpus], tmp_path / "idx", encoder=fake_encoder)

    class Other(FakeEncoder):
        name = "someone/else"

    with pytest.raises(ModelMismatchError, match="rebuild"):
        sync([corpus], tmp_path / "idx", encoder=Other())
    report = sync([corpus], tmp_path / "idx", encoder=Other(), rebuild=True)
    assert len(report.added) == 2


def test_published_store_is_consistent(tmp_path, corpus, fake_encoder):
    sync([corpus], tmp_path / "idx", encoder=fake_encoder)
    gen = tmp_path / "idx" / current_generation(tmp_path / "idx")
    db = sqlite3.connect(gen / "store.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n_chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    n_fts = db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
    assert n_chunks == n_fts
    for text, start, end in db.execute(
        'SELECT d.text, c.start, c."end" FROM chunks c JOIN documents d USING (doc_id)'
    ):
        assert 0 <= start < end <= len(text)


def test_large_index_switches_to_ivf_and_stays_consistent(
    tmp_path, corpus, fake_encoder, monkeypatch
):
    """The writer picks IVF above the size threshold (lowered here to 10 chunks)."""
    from index.settings import VectorSettings

    small = VectorSettings(exact_max=10)
    report = sync([corpus], tmp_path / "idx", encoder=fake_encoder, vector_settings=small)
    reader, docs, ids = _state(tmp_path / "idx")
    manifest = json.loads(
        (tmp_path / "idx" / current_generation(tmp_path / "idx") / "manifest.json").read_text()
    )
    assert manifest["extra"]["vectors"]["type"] == "ivf" and reader.vectors.kind == "ivf"
    assert len(reader.vectors) == report.chunks == len(ids)
    path = next(corpus.glob("2016*"))
    path.write_text(path.read_text().replace("Cellectar", "Cellectar Biosciences"))
    sync([corpus], tmp_path / "idx", encoder=FakeEncoder())
    reader, _, new_ids = _state(tmp_path / "idx")
    assert reader.vectors.kind == "ivf" and len(reader.vectors) == len(new_ids)
    gone = set(ids) - set(new_ids)
    assert gone and not gone & {int(i) for i in reader.vectors.all()[0]}
    assert np.allclose(np.linalg.norm(reader.chunk_vectors(new_ids), axis=1), 1.0, atol=1e-5)


def test_progress_moves_while_the_model_embeds(tmp_path, fake_encoder):
    """Every file parsed is not the end: the chunks embedded are reported slice by slice."""
    from index.writer import EMBED_SLICE

    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(40):
        words = " ".join(f"word{n}x{i}" for i in range(900))
        (folder / f"r{n:02d}.txt").write_text(f"Release {n} Headline\n\n{words}.\n")
    seen = []
    report = sync([folder], tmp_path / "idx", encoder=fake_encoder, progress=seen.append)
    total = report.chunks_embedded
    assert total > EMBED_SLICE  # more than one slice to embed
    after_parsing = [p for p in seen if p.files_done == p.files_total]
    embedded = [p.chunks_embedded for p in after_parsing]
    assert embedded[0] < total and embedded[-1] == total  # it moved after the files were read
    assert embedded == sorted(embedded) and len(set(embedded)) >= 2
    assert {p.chunks_to_embed for p in after_parsing} == {total}
    assert all(p.chunks_embedded <= p.chunks_to_embed for p in seen)
