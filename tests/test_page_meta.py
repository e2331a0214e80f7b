"""Headlines and dates of PDF and HTML releases: read from the content (PDF layout, HTML
metadata), not the file name. PDFs are made with fpdf2; the record is what ``prepare``
stores (a word-count stands in for the tokenizer: this is about metadata)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from ingest.chunking import ChunkSettings
from ingest.loaders import load_file
from ingest.pdf_layout import Piece, paragraph_text
from ingest.prepare import prepare

HEADLINE = "Nordex Group Receives Order for 120 MW from Germany"
LEAD = (
    "Hamburg - The Nordex Group has received an order from a German utility for the "
    "supply of 20 turbines of the N163/6.X type with a total output of 120 MW. The turbines "
    "will be installed in Lower Saxony in the second half of 2026."
)


def _record(path: Path):
    doc, _ = prepare(
        load_file(path),
        count_tokens=lambda texts: [len(t.split()) for t in texts],
        max_tokens=256,
        settings=ChunkSettings(),
    )
    return doc


def _pdf(path: Path, *, headline_size: int = 18) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", size=headline_size)
    pdf.multi_cell(0, 9, HEADLINE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "March 3, 2025", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 6, LEAD, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 6, "About the Nordex Group", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        6,
        "The Nordex Group has installed more than 57 GW of wind power.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    path.write_bytes(bytes(pdf.output()))
    return path


def test_pdf_release_gets_its_headline_and_date(tmp_path) -> None:
    doc = _record(_pdf(tmp_path / "scan_0042.pdf"))
    assert doc.title == HEADLINE  # not "scan_0042"
    assert doc.date == "2025-03-03"
    assert doc.company == "Nordex Group"
    assert doc.text.startswith(f"{HEADLINE}\n\nMarch 3, 2025\n\nHamburg - The Nordex Group")


def test_pdf_headline_in_the_body_font_is_split_by_the_gap(tmp_path) -> None:
    doc = _record(_pdf(tmp_path / "order.pdf", headline_size=11))
    assert doc.title == HEADLINE and doc.date == "2025-03-03"


def test_layout_breaks_paragraphs_at_size_changes_and_wide_gaps() -> None:
    pieces = [
        Piece("Big ", 800, 20),
        Piece("Headline", 800, 20),  # one line: the same baseline
        Piece("Body line one", 770, 10),  # smaller: a new paragraph
        Piece("body line two", 758, 10),
        Piece("Next paragraph", 735, 10),  # a gap about twice the spacing
        Piece("  ", 720, 10),
    ]
    assert paragraph_text(pieces) == (
        "Big Headline\n\nBody line one\nbody line two\n\nNext paragraph"
    )
    assert paragraph_text([]) == ""


PAGE = """<!doctype html><html><head><title>News | Example Wire</title>
<meta property="og:title" content="Acme Robotics Opens Plant in Ohio">
<meta property="article:published_time" content="2025-03-03T09:30:00-05:00">
</head><body><nav><a href="/">Home</a></nav><article>
<p>Acme Robotics, Inc. (NASDAQ: ACMR) opened its new plant in Dayton on Monday. The plant
will employ 300 people.</p><p>Acme Robotics makes warehouse robots.</p></article></body></html>
"""


def test_html_release_dated_by_its_metadata_and_titled_by_og_title(tmp_path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = _record(path)
    assert doc.title == "Acme Robotics Opens Plant in Ohio"  # og:title, not "News | ..."
    assert doc.date == "2025-03-03"
    assert doc.company == "Acme Robotics, Inc." and doc.tickers == ("NASDAQ:ACMR",)


def test_html_time_tag_and_a_date_in_the_text_comes_first(tmp_path) -> None:
    timed = PAGE.replace(
        '<meta property="article:published_time" content="2025-03-03T09:30:00-05:00">', ""
    ).replace("<article>", '<article><time datetime="2025-02-14">Feb 14</time>')
    (tmp_path / "a.html").write_text(timed, encoding="utf-8")
    assert _record(tmp_path / "a.html").date == "2025-02-14"
    dated = PAGE.replace(
        "<p>Acme Robotics, Inc.", "<p>DAYTON, Ohio, March 1, 2025 -- Acme Robotics, Inc."
    )
    (tmp_path / "b.html").write_text(dated, encoding="utf-8")
    assert _record(tmp_path / "b.html").date == "2025-03-01"  # the text's own dateline
    bare = PAGE.replace(
        '<meta property="article:published_time" content="2025-03-03T09:30:00-05:00">', ""
    )
    (tmp_path / "2024-05-06-c.html").write_text(bare, encoding="utf-8")
    assert _record(tmp_path / "2024-05-06-c.html").date == "2024-05-06"  # the path, last
