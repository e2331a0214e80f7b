"""ui.trash: a removed release's file moved aside and back (files only, no index)."""

from __future__ import annotations

import pytest

from ingest.loaders import iter_corpus
from ui.trash import TRASH, TrashError, move_to_trash, restore


@pytest.fixture
def folder(tmp_path):
    corpus = tmp_path / "releases"
    (corpus / "2024").mkdir(parents=True)
    (corpus / "2024" / "news.txt").write_text("Acme ships a widget.")
    (corpus / "other.txt").write_text("Beta opens a plant.")
    return corpus


def test_a_trashed_file_leaves_the_folder_and_is_never_indexed(folder):
    item = move_to_trash(folder / "2024" / "news.txt", folder)
    assert not (folder / "2024" / "news.txt").exists()
    assert item.trashed.read_text() == "Acme ships a widget."
    assert item.trashed.is_relative_to(folder / TRASH / item.token)
    assert [e.path.name for e in iter_corpus([folder])] == ["other.txt"]  # hidden: skipped


def test_restore_puts_the_file_back_where_it_was(folder):
    item = move_to_trash(folder / "2024" / "news.txt", folder)
    assert restore(item.token, folder) == folder / "2024" / "news.txt"
    assert (folder / "2024" / "news.txt").read_text() == "Acme ships a widget."
    assert list((folder / TRASH).iterdir()) == []  # its trash folder is gone
    with pytest.raises(TrashError, match="no longer in the trash"):
        restore(item.token, folder)


def test_restore_never_overwrites_a_file_that_took_the_name(folder):
    item = move_to_trash(folder / "other.txt", folder)
    (folder / "other.txt").write_text("A new release under the old name.")
    with pytest.raises(TrashError, match="has a file named other.txt again"):
        restore(item.token, folder)
    assert (folder / "other.txt").read_text() == "A new release under the old name."
    assert item.trashed.read_text() == "Beta opens a plant."


def test_refusals(folder, tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("x")
    with pytest.raises(TrashError, match="outside the releases folder"):
        move_to_trash(outside, folder)
    item = move_to_trash(folder / "other.txt", folder)
    with pytest.raises(TrashError, match="in the trash already"):
        move_to_trash(item.trashed, folder)
    with pytest.raises(TrashError, match="names nothing in the trash"):
        restore("../../etc", folder)
