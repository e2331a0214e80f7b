from hypothesis import given
from hypothesis import strategies as st

from ingest.normalize import normalize_text

from .conftest import CPDC, GLIOBLASTOMA


def test_repairs_lines_broken_mid_sentence_in_bundled_releases():
    glio = normalize_text(GLIOBLASTOMA.read_text())
    cpdc = normalize_text(CPDC.read_text())
    assert "other investigators in this trial to more fully" in glio
    assert "characteristics of cancer cells to" in glio
    assert "orphan drug designation for CLR 131 in the treatment of multiple myeloma" in cpdc
    assert "in\n\nthis" not in glio and "the\n\ntreatment" not in cpdc


def test_keeps_paragraphs_and_short_lines():
    text = "Headline Here\n\n\n\nFirst paragraph.\nKate McNeil, VP of IR,\nPR & Communications\n"
    assert normalize_text(text) == (
        "Headline Here\n\nFirst paragraph.\nKate McNeil, VP of IR,\nPR & Communications"
    )


def test_unifies_spaces_and_line_endings():
    text = "A\u00a0B\tC  D\r\nE\u200bF\r\rG"
    assert normalize_text(text) == "A B C D\nEF\n\nG"


def test_unwraps_hard_wrapped_paragraphs():
    text = (
        "The company announced today that it has completed enrollment in the\n"
        "Phase 2 trial of its lead candidate for the treatment of patients with\n"
        "advanced solid tumors."
    )
    assert "\n" not in normalize_text(text)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
