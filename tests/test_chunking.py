from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import ChunkSettings, chunk_release, estimate_tokens
from ingest.normalize import normalize_text
from ingest.release import parse_release
from ingest.sentences import split_sentences
from ingest.types import BOILERPLATE_KINDS

from .conftest import CPDC, GLIOBLASTOMA


def _chunks(path, max_tokens=120):
    text = normalize_text(path.read_text())
    meta = parse_release(text, path=str(path))
    return text, chunk_release(text, meta.sections, ChunkSettings(max_tokens=max_tokens))


def test_bundled_releases_chunk_exactly_and_within_budget():
    for path in (GLIOBLASTOMA, CPDC):
        text, chunks = _chunks(path)
        assert len(chunks) >= 5
        for c in chunks:
            assert text[c.start : c.end] == c.text
            assert estimate_tokens([c.text])[0] <= 120 + 2 * c.text.count("\n\n")


def test_no_sentence_is_cut_and_every_sentence_is_in_a_chunk():
    text, chunks = _chunks(GLIOBLASTOMA)
    for s, e in split_sentences(text):
        containing = [c for c in chunks if c.start <= s and e <= c.end]
        assert containing, text[s:e]
    for c in chunks:
        assert (c.start, c.end) != (0, 0)
        starts = {s for s, _ in split_sentences(text)}
        ends = {e for _, e in split_sentences(text)}
        assert c.start in starts and c.end in ends


def test_consecutive_chunks_overlap_by_a_sentence():
    _, chunks = _chunks(GLIOBLASTOMA)
    body = [c for c in chunks if c.kind not in BOILERPLATE_KINDS]
    assert any(a.end > b.start for a, b in zip(body, body[1:], strict=False))


def test_boilerplate_is_chunked_apart_from_news():
    text, chunks = _chunks(CPDC, max_tokens=400)
    about = [c for c in chunks if c.kind == "about"]
    assert about, [c.kind for c in chunks]
    news = [c for c in chunks if c.kind in ("body", "quote")]
    assert all("About CPDC" not in c.text for c in news)
    assert any(c.kind == "safe_harbor" for c in chunks)


def test_an_overlong_sentence_is_split_at_words():
    text = "word " * 500 + "end."
    chunks = chunk_release(text.strip(), settings=ChunkSettings(max_tokens=50))
    assert len(chunks) > 5
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert estimate_tokens([c.text])[0] <= 50


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("Ab c. d!\n\n?e,f 12 \u00e9"), min_size=0, max_size=600),
    st.integers(min_value=5, max_value=80),
    st.integers(min_value=0, max_value=3),
)
def test_every_chunk_is_its_span_of_the_stored_text(raw, max_tokens, overlap):
    text = normalize_text(raw)
    meta = parse_release(text)
    chunks = chunk_release(text, meta.sections, ChunkSettings(max_tokens, overlap))
    for i, c in enumerate(chunks):
        assert c.ordinal == i
        assert text[c.start : c.end] == c.text
        assert c.text.strip() == c.text and c.text
    words = set(text.split())
    assert words == set(" ".join(c.text for c in chunks).split())
