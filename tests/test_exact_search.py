"""Exact phrases, names and figures, keyword-only mode and boilerplate in its place, with the
real model over the bundled releases and real archive excerpts (``search_index``)."""

from __future__ import annotations

import re

import pytest

from ingest.types import BOILERPLATE_KINDS
from qa import Filters, phrase_reason, retrieve
from qa.exact import parse


def _norm(text: str) -> str:
    """Words of ``text`` lower-cased and joined by single spaces (as phrases match)."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def _stored(index_dir, doc_id: int) -> str:
    from index import open_reader

    return open_reader(index_dir).document_text(doc_id)


# -- quoted phrases ---------------------------------------------------------------------------


def test_every_passage_holds_a_quoted_phrase_exactly(search_index):
    hits = retrieve('"climate risk" utilities', k=5, index_dir=search_index)
    assert hits
    for hit in hits:
        assert "climate risk" in hit.text.lower()
        assert _stored(search_index, hit.doc_id)[hit.start : hit.end] == hit.text


def test_a_phrase_matches_case_and_punctuation_free_but_not_stemmed(search_index):
    # "Phase II Imaging Trial" is written in the glioblastoma release's headline
    upper = retrieve('"PHASE-II imaging trial"', k=3, index_dir=search_index)
    assert upper and all("phase ii imaging trial" in _norm(h.text) for h in upper)
    # the keyword index would match the stem ("trial" ~ "trials"); exact search does not
    assert "phase ii imaging trials" not in _norm(_stored(search_index, upper[0].doc_id))
    assert retrieve('"Phase II imaging trials"', k=3, index_dir=search_index) == []


def test_curly_quotes_are_quotes_too(search_index):
    hits = retrieve("“multiple myeloma” treatment", k=3, index_dir=search_index)
    assert hits and all("multiple myeloma" in h.text.lower() for h in hits)


def test_several_phrases_are_all_required(search_index):
    hits = retrieve('"CLR 131" "multiple myeloma"', k=5, index_dir=search_index)
    assert hits
    for hit in hits:
        text = hit.text.lower()
        assert "clr 131" in text and "multiple myeloma" in text
    # the glioblastoma release names neither: no passage of it
    assert all("glioblastoma" not in h.source for h in hits)
    both_apart = '"Nociscan" "multiple myeloma"'  # each occurs, never in one release
    assert retrieve(both_apart, k=5, index_dir=search_index) == []
    assert phrase_reason(both_apart, search_index) == (
        'no release contains all of "Nociscan", "multiple myeloma"'
    )


def test_the_rest_of_the_question_still_ranks(search_index):
    hits = retrieve('Who manufactures "CLR 131"?', k=3, index_dir=search_index)
    assert "cpdc-manufacturing" in hits[0].source
    assert "clr 131" in hits[0].text.lower()


def test_a_phrase_that_occurs_nowhere_returns_nothing_and_says_so(search_index):
    question = 'What is "orbital zinc harvesting" used for?'
    assert retrieve(question, k=5, index_dir=search_index) == []
    assert phrase_reason(question, search_index) == 'no release contains "orbital zinc harvesting"'
    assert phrase_reason('"CLR 131"', search_index) == ""
    dated = Filters(date_from="2025-01-01")
    assert phrase_reason('"CLR 131"', search_index, filters=dated) == (
        'no release under these filters contains "CLR 131"'
    )


# -- names and figures by keyword -------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "release", "written"),
    [
        ("NCT06169488", "aclarion", "NCT06169488"),  # only in a link line of the release
        ("$6.5 million", "rhizome", "$6.5 million"),
        ("CLR 131", "cellectar", "CLR 131"),
        ("Nasdaq: ACON", "aclarion", "Nasdaq: ACON"),
    ],
)
def test_a_bare_identifier_or_figure_is_found_by_keyword(search_index, question, release, written):
    hits = retrieve(question, k=5, index_dir=search_index)
    assert hits and release in hits[0].source
    assert all(written.lower() in h.text.lower() for h in hits)


def test_a_figure_in_a_question_lifts_the_passage_that_holds_it(search_index):
    hits = retrieve("Who led the $6.5 million round?", k=3, index_dir=search_index)
    assert "rhizome" in hits[0].source and "$6.5 million" in hits[0].text
    assert "Base10" in hits[0].text


def test_literals_are_read_as_written():
    exact = parse("Did NCT06169488 enroll $6.5 million of CLR 131 patients in 2024?")
    assert [t.text for t in exact.literals] == ["NCT06169488", "$6.5 million", "CLR 131"]
    assert not exact.bare and not exact.phrases  # "2024" is a year, not a literal
    money = exact.literals[1]
    assert money.occurs_in("raised $6.5\nmillion") and not money.occurs_in("raised $16.5 million")


# -- keyword-only mode -----------------------------------------------------------------------


def test_keyword_mode_returns_only_passages_holding_a_word_of_the_question(search_index):
    question = "Nociscan biomarkers"
    hits = retrieve(question, k=5, index_dir=search_index, mode="keyword")
    assert hits and "aclarion" in hits[0].source
    for hit in hits:
        assert {"nociscan", "biomarkers"} & set(_norm(hit.text).split())


def test_keyword_mode_does_not_match_by_meaning(search_index):
    # no release says "sarcoma"; the hybrid search still returns its nearest passages
    assert retrieve("sarcoma", k=3, index_dir=search_index)
    assert retrieve("sarcoma", k=3, index_dir=search_index, mode="keyword") == []


def test_an_unknown_mode_is_refused(search_index):
    with pytest.raises(ValueError, match="mode must be one of hybrid, keyword, not 'dense'"):
        retrieve("trial", index_dir=search_index, mode="dense")


# -- boilerplate in its place ------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "When did patient enrollment in the LIFEHAB trial begin?",
        "How many patients have completed Nociscan exams?",
        "Who led the funding round for Rhizome Data?",
        "What role will Dr. Brandenburg take?",
    ],
)
def test_ordinary_questions_get_no_boilerplate(search_index, question):
    hits = retrieve(question, k=10, index_dir=search_index)
    assert hits
    assert not [h.kind for h in hits if h.kind in BOILERPLATE_KINDS - {"about"}]
    # an About section on a product or a disease may compete; the issuer's profile may not
    profiles = [h.section for h in hits if h.kind == "about" and h.company]
    assert not [p for p in profiles if h_names_issuer(p)], profiles
    for hit in hits:
        assert "appeared first on" not in hit.text and "first appeared on" not in hit.text
        assert "ksmith@pcgadvisory.com" not in hit.text


def h_names_issuer(section: str) -> bool:
    return any(name in section for name in ("Aclarion", "Renewal Fuels", "Cellectar", "Rhizome"))


@pytest.mark.parametrize(
    ("question", "kind", "holds"),
    [
        ("Who is the media contact for Aclarion?", "contacts", "Jodi Lamberti"),
        ("What do Aclarion's forward-looking statements say?", "safe_harbor", "forward-looking"),
        ("What is Aclarion, Inc.?", "about", "healthcare technology company"),
    ],
)
def test_boilerplate_is_there_when_the_question_asks_for_it(search_index, question, kind, holds):
    hits = retrieve(question, k=5, index_dir=search_index)
    asked = [h for h in hits if h.kind == kind and "aclarion" in h.source]
    assert asked and holds in asked[0].text


def test_an_about_section_answers_a_question_naming_its_subject(search_index):
    hits = retrieve("Which radioisotope does CLR 131 deliver?", k=5, index_dir=search_index)
    assert any(h.kind == "about" and h.section == "About CLR 131" for h in hits)
    named = retrieve("How does Aclarion use augmented intelligence?", k=5, index_dir=search_index)
    assert any(h.section == "About Aclarion, Inc." for h in named)
    unnamed = retrieve("How is augmented intelligence used?", k=10, index_dir=search_index)
    assert not any(h.section == "About Aclarion, Inc." for h in unnamed)


def test_no_script_junk_in_any_stored_text(search_index):
    from index import open_reader

    reader = open_reader(search_index)
    texts = [reader.document_text(d.doc_id) for d in reader.documents()]
    assert len(texts) == 2 + 5
    for text in texts:
        for junk in ("AdButler", "function(", "df-messenger", "z-index", "<span", "scribd"):
            assert junk not in text
    assert any("Thadani previously served as vice president" in t for t in texts)


def test_a_quoted_phrase_keeps_the_questions_time_limit(search_index):
    hits = retrieve('"Cellectar Biosciences" news since 2016', k=5, index_dir=search_index)
    assert hits and all(h.date >= "2016-01-01" for h in hits)
    assert all("cellectar biosciences" in h.text.lower() for h in hits)
