"""Script and style junk never reaches the stored text, for every format, on real archive
excerpts (``tests/fixtures/search``, see its SOURCES.md); a sync re-reads what an older
ingest stored."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from fpdf import FPDF

from ingest.chunking import ChunkSettings, estimate_tokens
from ingest.junk import strip_code
from ingest.loaders import load_file
from ingest.prepare import prepare

from .conftest import SEARCH_FIXTURES

ADBUTLER = (
    'if (!window.AdButler){(function(){var s = document.createElement("script"); '
    "s.async = true; s.type = \"text/javascript\"; s.src = 'https://servedbyadbutler.com/app.js'; "
    'var n = document.getElementsByTagName("script")[0]; n.parentNode.insertBefore(s, n);}());} '
    "var AdButler = AdButler || {}; AdButler.ads = AdButler.ads || []; var abkw = window.abkw "
    "|| ''; var plc850155 = window.plc850155 || 0; document.write('<'+'div id=\"placement_850155_'"
    "+plc850155+'\"></'+'div>'); AdButler.ads.push({handler: function(opt){ AdButler.register("
    "165345, 850155, [300,250], 'placement_850155_'+opt.place, opt); }, opt: { place: "
    "plc850155++, keywords: abkw, domain: 'servedbyadbutler.com', click: 'CLICK_MACRO_PLACEHOLDER'"
    " }});"
)
JUNK = (
    "AdButler",
    "function(",
    "document.",
    "window.",
    "df-messenger",
    "z-index",
    "<span",
    "scribd",
    "@context",
    "servedbyadbutler",
)


def _stored(path) -> str:
    doc, _ = prepare(
        load_file(path), count_tokens=estimate_tokens, max_tokens=256, settings=ChunkSettings()
    )
    return doc.text


# -- the pure pass ----------------------------------------------------------------------------


def test_adbutler_code_run_into_a_sentence_is_cut_and_the_sentence_kept():
    text = f"Intro said.\n\n{ADBUTLER} Thadani previously served as vice president."
    assert (
        strip_code(text).split()
        == "Intro said. Thadani previously served as vice president.".split()
    )


def test_a_css_rule_glued_to_the_next_line_is_cut():
    text = (
        "Source: Renewal Fuels, Inc.\n\ndf-messenger { z-index: 999; position: fixed; "
        "--df-messenger-font-family: Google Sans; bottom: 50px; right: 30px; }The post X "
        "first appeared on Prism Media Wire."
    )
    out = strip_code(text)
    assert "z-index" not in out and "df-messenger" not in out
    assert out.split("\n\n")[1].strip() == "The post X first appeared on Prism Media Wire."


@pytest.mark.parametrize(
    "junk",
    [
        "<script>var _gaq = _gaq || []; _gaq.push(['_setAccount', 'UA-1']);</script>",
        "<style>.ad { display: none; } p { margin: 0; }</style>",
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "X"}',
        '<img src="https://px.example.com/t.gif" width="1" height="1" alt="">',
        '<iframe width="560" height="315" src="https://www.youtube.com/embed/x"></iframe>',
        '<span class="mce_SELRES_start" style="display: inline-block; width: 0px;"></span>',
        "(function() { var s = document.createElement('script'); s.async = true; })();",
        "window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}",
    ],
)
def test_each_kind_of_junk_is_cut(junk):
    assert (
        strip_code(f"Acme grew. {junk} Sales rose 5%.").split()
        == "Acme grew. Sales rose 5%.".split()
    )


@pytest.mark.parametrize(
    "prose",
    [
        "Revenue rose (see table 2) by 5%; margins held at 40%.",
        "The var iable {x} stays; let it be.",
        "Patients (n = 36) received 5 mCi; function was preserved in all of them.",
        "Contact us at ir@acme.com; call (555) 123-4567.",
        "Use p < 0.05 and x > 3 for significance.",
        "The fund {Series A} closed; investors: Acme, Beta.",
        "Window of opportunity: document the results, then push (hard) for approval.",
    ],
)
def test_prose_with_brackets_and_semicolons_is_left_alone(prose):
    assert strip_code(prose) == prose


# -- every format ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "citybiz-2025-0523-rhizome.md",  # AdButler JavaScript inside a passage
        "citybiz-2025-0523-rhizome.txt",  # the same as plain text
        "citybiz-2025-0523-rhizome.html",  # <script>, <style>, JSON-LD, pixels, code as text
        "citybiz-2025-0428-woodvale.md",  # a scribd embed script
        "prism-2026-0206-renewal-fuels.md",  # a chat widget's CSS
        "noticiasnewswire-2026-0129-mhvtt.md",  # an editor's <span style=...>
    ],
)
def test_no_junk_reaches_the_stored_text(name):
    text = _stored(SEARCH_FIXTURES / name)
    for junk in JUNK:
        assert junk not in text, (name, junk)
    assert len(text) > 1000  # the release itself is all there


def test_the_text_around_the_code_is_kept_in_every_format():
    for name in (
        "citybiz-2025-0523-rhizome.md",
        "citybiz-2025-0523-rhizome.txt",
        "citybiz-2025-0523-rhizome.html",
    ):
        text = _stored(SEARCH_FIXTURES / name)
        assert "Thadani previously served as vice president of Strategy and Policy" in text
        assert "has raised $6.5 million led by Base10 Partners" in text


def test_pdf_text_loses_its_script_too(tmp_path):
    lines = [
        "Rhizome Data Raises $6.5 Million",
        "Rhizome Data has raised $6.5 million led by Base10 Partners.",
        ADBUTLER + " Thadani previously served as vice president of Strategy and Policy.",
        "The company's SaaS platform quantifies the impacts of infrastructure investments.",
    ]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.multi_cell(0, 5, line)
        pdf.ln(4)
    path = tmp_path / "rhizome.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert "AdButler" in load_file(path).text  # the PDF holds it as text
    text = _stored(path)
    assert "AdButler" not in text and "function" not in text and "document." not in text
    assert "Thadani previously served" in " ".join(text.split())


# -- an index built by an older ingest ------------------------------------------------------------


def test_a_sync_reads_again_what_an_older_ingest_stored(tmp_path, fake_encoder, monkeypatch):
    # fake encoder: this test is about which files a sync reads, not about retrieval
    import importlib

    from index import open_reader, sync

    writer = importlib.import_module("index.writer")
    preparing = importlib.import_module("ingest.prepare")  # the module, not the function

    corpus = tmp_path / "releases"
    corpus.mkdir()
    for name in ("citybiz-2025-0523-rhizome.md", "newmediawire-2024-0910-aclarion.md"):
        shutil.copy(SEARCH_FIXTURES / name, corpus / name)
    idx = tmp_path / "idx"
    with monkeypatch.context() as old:  # the ingest of version 1: no junk pass
        old.setattr(preparing, "PREPARED", 1)
        old.setattr(writer, "PREPARED", 1)
        old.setattr(preparing, "strip_code", lambda text: text)
        first = sync([corpus], idx, encoder=fake_encoder)
    assert len(first.added) == 2
    reader = open_reader(idx)
    assert any("AdButler" in reader.document_text(d.doc_id) for d in reader.documents())

    again = sync([corpus], idx, encoder=fake_encoder)  # the files did not change
    # re-indexed, reported as refreshed, not as changed (saved searches skip them)
    assert len(again.refreshed) == 2 and not again.updated and again.unchanged == 0
    reader = open_reader(idx)
    assert not any("AdButler" in reader.document_text(d.doc_id) for d in reader.documents())
    store = idx / (idx / "CURRENT").read_text().strip() / "store.sqlite"
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        stamps = [json.loads(m)["prepared"] for (m,) in db.execute("SELECT meta FROM documents")]
    assert stamps == [preparing.PREPARED] * 2

    third = sync([corpus], idx, encoder=fake_encoder)  # now nothing to do
    assert third.unchanged == 2 and not third.updated and not third.published
