from hypothesis import given
from hypothesis import strategies as st

from ingest.sentences import split_sentences


def _split(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_and_decimals_do_not_split():
    text = (
        "MADISON, Wis., Nov. 28, 2016 (GLOBE NEWSWIRE) -- Cellectar Biosciences, Inc. "
        "(Nasdaq:CLRB) announced a deal. It tests 5 mCi and 7.5 mCi doses in the U.S. "
        "Dr. Kuo said so."
    )
    assert _split(text) == [
        "MADISON, Wis., Nov. 28, 2016 (GLOBE NEWSWIRE) -- Cellectar Biosciences, Inc. "
        "(Nasdaq:CLRB) announced a deal.",
        "It tests 5 mCi and 7.5 mCi doses in the U.S. Dr. Kuo said so.",
    ]


def test_quotes_and_paragraphs():
    text = '"It works," he said. "We agree."\n\nHeading\n\nNext one!'
    assert _split(text) == ['"It works," he said.', '"We agree."', "Heading", "Next one!"]


@given(st.text(alphabet=st.sampled_from('ab .!?\n"A1'), max_size=200))
def test_spans_are_ordered_trimmed_and_inside_the_text(text):
    spans = split_sentences(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        last = e
    covered = "".join(text[s:e] for s, e in spans)
    assert "".join(covered.split()) == "".join(text.split())


def test_a_word_longer_than_the_lookback_window_is_read_whole():
    # the word before a period is searched for in a 64-character window; a longer word
    # must still be read whole: a dotted one is an abbreviation wherever its dot is
    dotted = "Made by " + "a." + "b" * 70 + ". Then it shipped."
    assert len(split_sentences(dotted)) == 1
    plain = "Made by " + "b" * 70 + ". Then it shipped."
    assert [plain[s:e] for s, e in split_sentences(plain)][1] == "Then it shipped."
