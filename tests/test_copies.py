"""Wire copies and duplicates: fingerprints, release groups in the index, and retrieve
showing one member of a group with its copies listed (real release files)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from index import open_reader, sync
from ingest.copies import Member, fingerprint, group_releases, headline_overlap, is_copy
from qa import retrieve
from qa.settings import Settings, override

from .conftest import CPDC, GLIOBLASTOMA, store_rows

FAST = override(Settings(), "answer.use_model", "false")  # the first stage is enough here
HEADLINE = (
    "Cellecstar Announces Initiation of Phase II Imaging Trial With I-124-CLR1404 in "
    "Patients With Newly Diagnosed or Recurrent Glioblastoma"
)


def _wire_copy(text: str) -> str:
    """The glioblastoma release as another wire runs it: its own prefix on the headline,
    its own boilerplate at the end, and one figure changed (36 patients -> 38)."""
    assert HEADLINE in text and "36-Patient" in text
    text = text.replace(HEADLINE, "InvestorNewsBreaks – " + HEADLINE)
    text = re.sub(r"\b36\b", "38", text)
    return text + "\n\nAbout InvestorWire\n\nInvestorWire is a wire service. Please visit us.\n"


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "releases"
    folder.mkdir()
    shutil.copy(GLIOBLASTOMA, folder / "a-glioblastoma.txt")
    shutil.copy(GLIOBLASTOMA, folder / "b-glioblastoma-again.txt")  # the same file twice
    (folder / "c-glioblastoma-wire.txt").write_text(_wire_copy(GLIOBLASTOMA.read_text()))
    shutil.copy(CPDC, folder / "d-cpdc.txt")  # an unrelated release
    return folder


def _groups(index_dir: Path) -> dict[str, int]:
    reader = open_reader(index_dir)
    rows = store_rows(reader, "SELECT path, group_id FROM documents")
    return {Path(p).name: g for p, g in rows}


def test_fingerprint_reads_figures_of_the_news_text_without_its_date():
    text = GLIOBLASTOMA.read_text()
    plain = fingerprint(text)
    wire = fingerprint(_wire_copy(text))
    assert "36" in plain.figures and "38" not in plain.figures
    assert "38" in wire.figures and "36" not in wire.figures
    assert "80%" in plain.figures  # "approximately 80% of all primary malignant brain tumors"
    assert len(plain.signature) == 512


def test_a_wire_copy_is_a_copy_and_a_template_sibling_is_not():
    text = GLIOBLASTOMA.read_text()
    a = Member(1, "h1", fingerprint(text).signature, HEADLINE)
    b = Member(2, "h2", fingerprint(_wire_copy(text)).signature, "InvestorNewsBreaks – " + HEADLINE)
    assert is_copy(a, b)
    # the same text under another issue's headline: a series, not a copy
    c = Member(3, "h3", a.signature, HEADLINE.replace("I-124", "I-131"))
    assert headline_overlap(a.title, c.title) > 0.9 and not is_copy(a, c)
    d = Member(5, "h5", a.signature, "Acme Releases April Report on Its Index")
    e = Member(6, "h6", a.signature, "Acme Releases May Report on Its Index")
    assert not is_copy(d, e)
    assert (
        headline_overlap("Sell My House Fast Delaware Wins", "Sell My House Fast Nevada Wins") < 0.9
    )
    cpdc = Member(4, "h4", fingerprint(CPDC.read_text()).signature, "CPDC")
    assert group_releases([a, b, c, cpdc]) == {1: 1, 2: 1, 3: 3, 4: 4}


def test_short_texts_group_only_when_identical():
    same = [Member(5, "x", b"", "Acme"), Member(9, "x", b"", "Acme"), Member(7, "y", b"", "Acme")]
    assert group_releases(same) == {5: 5, 7: 7, 9: 5}


def test_sync_groups_copies_and_retrieve_shows_one_with_its_copies(tmp_path, fake_encoder):
    folder = _corpus(tmp_path)
    index_dir = tmp_path / "idx"
    sync([folder], index_dir, encoder=fake_encoder)
    groups = _groups(index_dir)
    assert groups["a-glioblastoma.txt"] == groups["b-glioblastoma-again.txt"]
    assert groups["a-glioblastoma.txt"] == groups["c-glioblastoma-wire.txt"]
    assert groups["d-cpdc.txt"] != groups["a-glioblastoma.txt"]

    hits = retrieve(
        "How many patients will the glioblastoma imaging trial enroll?",
        k=5,
        index_dir=index_dir,
        encoder=fake_encoder,
        settings=FAST,
    )
    names = [Path(h.source).name for h in hits]
    glio = [h for h in hits if "glioblastoma" in Path(h.source).name]
    assert len({h.doc_id for h in glio}) == 1, names  # one member of the group, never two
    shown = glio[0]
    others = {Path(c).name for c in shown.copies}
    assert Path(shown.source).name not in others and len(others) == 2
    assert others | {Path(shown.source).name} == {
        "a-glioblastoma.txt",
        "b-glioblastoma-again.txt",
        "c-glioblastoma-wire.txt",
    }
    wires = dict(store_rows(open_reader(index_dir), "SELECT path, wire FROM documents"))
    assert shown.copy_wires == tuple(wires[c] for c in shown.copies)
    assert "GLOBE NEWSWIRE" in shown.copy_wires  # the copies' datelines name it
    differing = {Path(c).name for c in shown.differing_copies}
    if Path(shown.source).name == "c-glioblastoma-wire.txt":
        assert differing == others  # both plain copies say 36 where the wire says 38
    else:
        assert differing == {"c-glioblastoma-wire.txt"}
    cpdc = [h for h in hits if Path(h.source).name == "d-cpdc.txt"]
    assert all(h.copies == () == h.differing_copies == h.copy_wires for h in cpdc)


def test_groups_follow_incremental_adds_changes_and_removals(tmp_path, fake_encoder):
    folder = _corpus(tmp_path)
    index_dir = tmp_path / "idx"
    sync([folder], index_dir, encoder=fake_encoder)
    first = _groups(index_dir)
    group = first["a-glioblastoma.txt"]

    (folder / "a-glioblastoma.txt").unlink()  # the group's first member goes
    sync([folder], index_dir, encoder=fake_encoder)
    after = _groups(index_dir)
    assert "a-glioblastoma.txt" not in after
    assert after["b-glioblastoma-again.txt"] == after["c-glioblastoma-wire.txt"] != group

    wire = folder / "c-glioblastoma-wire.txt"  # the wire copy is rewritten as another release
    wire.write_text(CPDC.read_text().replace("Cellectar", "Cellar Door"))
    sync([folder], index_dir, encoder=fake_encoder)
    changed = _groups(index_dir)
    assert changed["c-glioblastoma-wire.txt"] != changed["b-glioblastoma-again.txt"]

    shutil.copy(GLIOBLASTOMA, folder / "e-added-copy.txt")  # a new copy joins its group
    sync([folder], index_dir, encoder=fake_encoder)
    added = _groups(index_dir)
    assert added["e-added-copy.txt"] == added["b-glioblastoma-again.txt"]
    hits = retrieve(
        "glioblastoma imaging trial", k=5, index_dir=index_dir, encoder=fake_encoder, settings=FAST
    )
    # the glioblastoma group's members (c-glioblastoma-wire.txt is the CPDC release by now)
    members = {"b-glioblastoma-again.txt", "e-added-copy.txt"}
    glio = [h for h in hits if Path(h.source).name in members]
    assert len({h.doc_id for h in glio}) == 1
    assert len(glio[0].copies) == 1 and glio[0].differing_copies == ()


def test_an_index_without_groups_opens_and_is_migrated_by_the_next_update(tmp_path, fake_encoder):
    import json
    import sqlite3

    from index.layout import MANIFEST, STORE, current_generation

    folder = _corpus(tmp_path)
    index_dir = tmp_path / "idx"
    sync([folder], index_dir, encoder=fake_encoder)
    generation = index_dir / current_generation(index_dir)
    with sqlite3.connect(generation / STORE) as db:  # as format 3 stored it: no group columns
        db.execute("DROP INDEX documents_group")
        for column in ("group_id", "figures", "signature"):
            db.execute(f"ALTER TABLE documents DROP COLUMN {column}")
    manifest = json.loads((generation / MANIFEST).read_text())
    manifest["format_version"] = 3
    for key in ("files", "checksum"):  # format 4's
        manifest.pop(key)
    (generation / MANIFEST).write_text(json.dumps(manifest))

    question = "How many patients will the glioblastoma imaging trial enroll?"
    hits = retrieve(question, k=5, index_dir=index_dir, encoder=fake_encoder, settings=FAST)
    assert len({h.doc_id for h in hits}) >= 3  # each release its own group until the update
    assert all(h.copies == () for h in hits)

    report = sync([folder], index_dir, encoder=fake_encoder)  # no file changed: migrates only
    assert report.published and report.chunks_embedded == 0
    groups = _groups(index_dir)
    assert groups["a-glioblastoma.txt"] == groups["c-glioblastoma-wire.txt"]
    assert groups["d-cpdc.txt"] != groups["a-glioblastoma.txt"]
    hits = retrieve(question, k=5, index_dir=index_dir, encoder=fake_encoder, settings=FAST)
    assert len({h.doc_id for h in hits if "glio" in h.source}) == 1
