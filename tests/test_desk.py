"""``ui.desk.Desk``'s actions run alone, without Gradio, over the real index."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from ui.desk import Desk

from .conftest import RELEASES


@pytest.fixture
def desk(real_index) -> Desk:
    return Desk(real_index, RELEASES)


def test_a_filter_that_excludes_everything_says_why(desk):
    page = desk.search("clinical trial", 5, "", "", ["Nonexistent Corp"], True)
    assert "No passage matches this question with these filters" in page
    assert "no release of &#x27;Nonexistent Corp&#x27;" in page
    page = desk.search("clinical trial", 5, "2026", "", [], True)
    assert "no release dated from 2026-01-01 (the releases run from 2014-03-04" in page


def test_ask_refuses_an_empty_question_instead_of_finding_nothing(desk):
    with pytest.raises(ValueError, match="question is empty"):
        desk.ask("  ")


def test_ask_names_the_api_argument_of_a_bad_date(desk):
    with pytest.raises(ValueError, match="date_from '2015-13' is not a date"):
        desk.ask("trial", 3, "2015-13")


def test_ask_in_keyword_mode_and_with_exact_phrases(search_index):
    desk = Desk(search_index, RELEASES)
    hits = desk.ask("Nociscan biomarkers", 3, None, None, None, None, True)
    assert hits and all(
        "nociscan" in h["text"].lower() or "biomarker" in h["text"].lower() for h in hits
    )
    exact = desk.ask('"climate risk" utilities', 3)
    assert exact and all("climate risk" in h["text"].lower() for h in exact)


def test_ask_says_when_a_quoted_phrase_occurs_nowhere(search_index):
    desk = Desk(search_index, RELEASES)
    with pytest.raises(ValueError) as info:
        desk.ask('"orbital zinc harvesting" trial', 5)
    assert str(info.value) == (
        'no release contains "orbital zinc harvesting"; a phrase in quotes must occur exactly'
    )
    with pytest.raises(ValueError, match="keyword search needs a word to search for"):
        desk.ask("what is it?", 5, keyword=True)


def test_the_page_says_when_a_quoted_phrase_occurs_nowhere(search_index):
    desk = Desk(search_index, RELEASES)
    page = html.unescape(desk.search('"orbital zinc harvesting"', 5, "", "", [], True))
    assert (
        'No passage holds the quoted phrase: no release contains "orbital zinc harvesting"' in page
    )
    page = desk.search("what is it", 5, "", "", [], True, True)
    assert "Keyword search needs a word to search for" in page
    page = desk.search("Nociscan", 5, "", "", [], True, True)
    assert "Nociscan" in page and "No passage matches" not in page


def _release(title: str, body: str) -> str:
    return f"{title}\n\nBOSTON, May 2, 2024 -- Acme Corp. (NASDAQ: ACME) {body}\n"


def test_the_upload_report_names_every_file_and_every_rename(tmp_path, corpus, real_index):
    import shutil

    index_dir = tmp_path / "idx"
    shutil.copytree(real_index, index_dir)
    desk = Desk(index_dir, corpus)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    names = [f"acme-{n}.txt" for n in range(6)] + ["Q3-resume final v2 (1).md"]
    for n, name in enumerate(names):
        (uploads / name).write_text(_release(f"Acme News {n}", f"shipped product {n}."))
    (corpus / "taken.txt").write_text(_release("Another Release", "opened a plant."))
    (uploads / "taken.txt").write_text(_release("Acme Taken", "named a chief."))
    page = desk.add_files(sorted(uploads.iterdir()))
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "and 3 more" not in text
    assert "Added 8 files:" in text
    for name in [*names[:6], "Q3-resume-final-v2-1.md", "taken-1.txt"]:
        assert name in text
    renamed = "Q3-resume final v2 (1).md was saved as Q3-resume-final-v2-1.md (a safe file name)"
    assert renamed in text
    assert "taken.txt was saved as taken-1.txt (another file named taken.txt is already" in text
    assert text.strip().endswith("chunks.")  # the index's totals come last


def test_remove_moves_the_file_to_the_trash_and_undo_brings_the_release_back(
    tmp_path, corpus, real_encoder
):
    from index import open_reader, sync

    index_dir = tmp_path / "idx"
    sync([corpus], index_dir, encoder=real_encoder)
    desk = Desk(index_dir, corpus)
    doc = next(d for d in desk.documents() if "glioblastoma" in d.path)
    original = Path(doc.path).read_bytes()
    outcome = desk.remove(doc.path)
    assert outcome.token and "Removed" in outcome.report and "Undo brings it back" in outcome.report
    assert not Path(doc.path).exists()
    assert [p.read_bytes() for p in (corpus / ".trash").rglob("*.txt")] == [original]
    assert [d.path for d in open_reader(index_dir).documents()] == [
        d.path for d in desk.documents() if d.path != doc.path
    ]
    assert len(desk.documents()) == 1

    page = desk.undo_remove(outcome.token)
    assert "Restored" in page and "holds 2 releases" in page and "Also added" not in page
    assert Path(doc.path).read_bytes() == original
    assert {d.path for d in desk.documents()} >= {doc.path}
    assert "Could not undo" in desk.undo_remove(outcome.token)  # once only
