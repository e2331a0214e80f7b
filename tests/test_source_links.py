"""A release's own source link: read from its file at ingest, kept through updates and the
format-3 upgrade, and returned with every passage (fake encoder: this is about
bookkeeping, not ranking)."""

from __future__ import annotations

import os

import pytest

from index import open_reader, sync
from ingest.loaders import load_file
from ingest.source_links import source_url
from qa import retrieve

from .conftest import FakeEncoder, as_format_3

WIRE = "https://www.newmediawire.com/news/acme-ships-the-widget-7087232"
ARCHIVE_RELEASE = f"""# Acme Ships the Widget

NEW YORK, June 18, 2026 /NewMediaWire/ -- Acme Corp. (NASDAQ: ACME) today shipped its first
widget to customers in twelve countries, the company announced.

[Original/Source Press Release]({WIRE})

[Newsramp.com TLDR](https://newsramp.com/curated-news/acme-widget/4f15f1df306c685b)

Pickup - [https://fishervista.com/en](https://fishervista.com/en/acme-ships-widget)

[Reddit Post](https://www.reddit.com/r/newsramp/comments/1e6iz94/acme/)

![Blockchain Registration](https://cdn.newsramp.app/newmediawire/qrcode/266/19/seek.webp)
"""


@pytest.mark.parametrize(
    ("source", "fmt", "url"),
    [
        (ARCHIVE_RELEASE, "md", WIRE),
        (ARCHIVE_RELEASE, "txt", WIRE),  # Markdown saved as text
        (f"Acme ships.\n\nOriginal/Source Press Release: {WIRE}.\n", "txt", WIRE),
        (f"Acme ships.\n\nSource press release - {WIRE}\n", "pdf", WIRE),
        (f"[original press release](<{WIRE}>)", "md", WIRE),
        ("Pickup - [fishervista.com](https://fishervista.com/en/x)", "md", None),
        ("[Original/Source Press Release](javascript:alert(1))", "md", None),
        ("Acme ships. Read more at https://acme.example/news.", "txt", None),
        (
            f'<html><head><link href="{WIRE}" rel="canonical"></head><body>x</body></html>',
            "html",
            WIRE,
        ),
        (f"<html><head><meta property='og:url' content='{WIRE}'></head></html>", "html", WIRE),
        (
            '<link rel="canonical" href="https://a.example/x">'
            f'<p><a class="src" href="{WIRE}">Original/Source Press Release</a></p>',
            "html",
            WIRE,  # the labelled link names the release's origin; the page may be a copy
        ),
        ('<a href="https://reddit.com/r/x">Reddit Post</a>', "html", None),
    ],
)
def test_source_url(source, fmt, url):
    assert source_url(source, fmt) == url


def test_a_markdown_release_keeps_its_link_though_its_text_does_not(tmp_path):
    path = tmp_path / "acme.md"
    path.write_text(ARCHIVE_RELEASE, encoding="utf-8")
    loaded = load_file(path)
    assert loaded.url == WIRE and WIRE not in loaded.text
    assert "Original/Source Press Release" in loaded.text


def _folder(tmp_path):
    folder = tmp_path / "releases"
    folder.mkdir()
    (folder / "acme.md").write_text(ARCHIVE_RELEASE, encoding="utf-8")
    (folder / "plain.txt").write_text(
        "Beta Opens a Plant\n\nBOSTON, May 2, 2024 -- Beta Inc. opened a plant in Ohio.\n",
        encoding="utf-8",
    )
    return folder


def test_the_link_is_stored_and_returned_with_each_passage(tmp_path):
    folder, idx = _folder(tmp_path), tmp_path / "idx"
    encoder = FakeEncoder()
    sync([folder], idx, encoder=encoder)
    urls = {os.path.basename(d.path): d.url for d in open_reader(idx).documents()}
    assert urls == {"acme.md": WIRE, "plain.txt": None}
    hits = retrieve("Acme widget shipped", k=3, index_dir=idx, encoder=encoder)
    assert hits and {h.url for h in hits if h.source.endswith("acme.md")} == {WIRE}
    assert all(h.url is None for h in hits if h.source.endswith("plain.txt"))


def test_a_changed_link_is_recorded_though_the_text_is_the_same(tmp_path):
    folder, idx = _folder(tmp_path), tmp_path / "idx"
    sync([folder], idx, encoder=FakeEncoder())
    moved = "https://www.newmediawire.com/news/acme-ships-the-widget-v2"
    (folder / "acme.md").write_text(ARCHIVE_RELEASE.replace(WIRE, moved), encoding="utf-8")
    again = FakeEncoder()
    report = sync([folder], idx, encoder=again)
    assert report.unchanged == 2 and again.encoded == []  # the text is the same
    assert {d.url for d in open_reader(idx).documents()} == {moved, None}


def test_a_format_3_index_gains_the_links_on_its_next_sync_without_embedding(tmp_path):
    folder, idx = _folder(tmp_path), tmp_path / "idx"
    sync([folder], idx, encoder=FakeEncoder())
    as_format_3(idx)  # before the first open: readers are cached per generation
    again = FakeEncoder()
    report = sync([folder], idx, encoder=again)
    assert report.published and again.encoded == [] and report.unchanged == 2
    reader = open_reader(idx)
    assert {os.path.basename(d.path): d.url for d in reader.documents()} == {
        "acme.md": WIRE,
        "plain.txt": None,
    }
    # the files were read again once; the next sync skips them unread
    assert sync([folder], idx, encoder=FakeEncoder()).published is False


def test_repair_gives_an_index_without_links_its_column(tmp_path):
    from index.repair import repair_index

    folder, idx = _folder(tmp_path), tmp_path / "idx"
    sync([folder], idx, encoder=FakeEncoder())
    as_format_3(idx)
    report = repair_index(idx, use_model=False)  # republished as the current format
    assert report.complete
    assert {d.url for d in open_reader(idx).documents()} == {None}  # the files tell it
    again = FakeEncoder()
    sync([folder], idx, encoder=again)
    assert again.encoded == [] and WIRE in {d.url for d in open_reader(idx).documents()}
