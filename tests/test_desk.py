"""``ui.desk.Desk``'s actions run alone, without Gradio, over the real index."""

from __future__ import annotations

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
