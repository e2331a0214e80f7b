"""qa.render: the HTML of answers, sources and whole releases (pure, no index needed)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from qa import Filters, Passage
from ui.panels import example_questions, format_bytes, render_report, render_status
from ui.render import (
    describe_filters,
    format_date,
    render_message,
    render_release,
    render_results,
)

RELEASE = (
    "Acme <Labs> Starts Trial\n\nBOSTON, May 2, 2024 -- Acme Labs & Co. began a trial. "
    "It will enroll 36 patients. Results are due in 2025.\n\nAbout Acme\n\nAcme makes drugs."
)


def _hit(text: str = RELEASE, sentence: str = "It will enroll 36 patients.", **kw) -> Passage:
    start = text.index("BOSTON")
    end = text.index("\n\nAbout")
    a = text.index(sentence)
    fields = dict(
        text=text[start:end],
        score=0.9,
        doc_id=7,
        chunk_id=70,
        title="Acme <Labs> Starts Trial",
        date="2024-05-02",
        source="/corpus/acme.txt",
        start=start,
        end=end,
        answer=sentence,
        answer_start=a,
        answer_end=a + len(sentence),
        company="Acme Labs & Co.",
        tickers=("NASDAQ:ACME",),
        kind="body",
        confidence=0.93,
        answerable=True,
    )
    fields.update(kw)
    return Passage(**fields)


class _Checker(HTMLParser):
    """Collects text and checks that every opened tag is closed in order."""

    VOID = {"br", "hr", "img", "input", "meta", "link"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _parse(markup: str) -> _Checker:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert not checker.stack, checker.stack
    return checker


def test_answer_card_comes_first_with_numbered_citation():
    page = render_results("How many?", [_hit()], {7: RELEASE})
    assert page.index("pr-answer-card") < page.index("pr-hit")
    card = page[page.index("pr-answer-card") : page.index("pr-sources-h")]
    assert "It will enroll 36 patients." in card and "[1]" in card
    assert "May 2, 2024" in card and "NASDAQ:ACME" in card
    assert "Acme &lt;Labs&gt; Starts Trial" in card
    _parse(page)


def test_all_release_text_is_escaped():
    page = render_results("q", [_hit()], {7: RELEASE})
    assert "<Labs>" not in page and "&lt;Labs&gt;" in page
    assert "Labs & Co." not in page and "Labs &amp; Co." in page
    assert "<script" not in render_results("<script>", [_hit(title="<script>x</script>")])
    assert render_message("<b>oops</b>") == (
        "<div class='pr-msg pr-msg-error' role='status'>&lt;b&gt;oops&lt;/b&gt;</div>"
    )


def test_passage_highlights_exactly_the_answer_sentence():
    page = render_results("q", [_hit()])
    passage = re.search(r"<div class='pr-passage'>(.*?)</div>", page, re.S).group(1)
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", passage) == ["It will enroll 36 patients."]
    assert "".join(_parse(passage).text) == _hit().text


def test_whole_release_marks_passage_and_answer_in_place():
    hit = _hit()
    markup = render_release(RELEASE, hit)
    checker = _parse(markup)
    assert "".join(checker.text).replace("\n", "") == RELEASE.replace("\n", "")
    passage = markup[markup.index("<span class='pr-in-passage'>") :]
    assert passage.index(hit.answer) < passage.index("About Acme")
    assert re.findall(r"<mark class='pr-hl pr-anchor'>(.*?)</mark>", markup) == [hit.answer]
    assert markup.index("pr-in-passage") < markup.index("pr-anchor")


def test_whole_release_unmarked_when_offsets_no_longer_fit():
    markup = render_release("A different release text entirely.", _hit())
    assert "<mark" not in markup and "pr-in-passage" not in markup


@given(st.text(alphabet="ab<&\n .", min_size=1, max_size=60), st.data())
def test_marking_keeps_the_text_and_nests_tags(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    a = data.draw(st.integers(start, end - 1))
    b = data.draw(st.integers(a + 1, end))
    hit = Passage(
        text=text[start:end],
        score=0.5,
        doc_id=1,
        chunk_id=1,
        title="t",
        date=None,
        source="s.txt",
        start=start,
        end=end,
        answer=text[a:b],
        answer_start=a,
        answer_end=b,
    )
    for markup in (render_release(text, hit), render_results("q", [hit])):
        shown = "".join(_parse(markup).text)  # well nested, and no text lost
        assert re.sub(r"\s+", "", text[start:end]) in re.sub(r"\s+", "", shown)


def test_no_answer_state_labels_nearest_passages():
    weak = _hit(answerable=False, confidence=0.2)
    page = render_results("What is Pfizer's revenue target?", [weak, weak])
    assert "No answer found" in page and "not answers" in page
    assert "pr-answer-card" not in page
    assert page.count("not an answer") == 2
    assert "pr-hl-weak" in page


def test_lower_hits_that_do_not_answer_are_highlighted_weakly():
    page = render_results("q", [_hit(), _hit(doc_id=8, answerable=False, confidence=0.1)])
    assert page.count("pr-hl-weak") == 1


def test_empty_question_and_no_hits():
    assert "Type a question" in render_results("  ", [])
    assert "No passage matches" in render_results("q", [])
    page = render_results("q", [], filters=Filters(date_from="2030-01-01"))
    assert "from Jan 1, 2030" in page and "widening" in page


def test_filters_are_named_above_the_sources():
    page = render_results("q", [_hit()], filters=Filters(companies=("Acme",)))
    assert "filtered: Acme" in page
    assert describe_filters(Filters()) == ""
    assert describe_filters(Filters(date_to="2016-12-31", exclude_boilerplate=True)) == (
        "to Dec 31, 2016 · no boilerplate"
    )


def test_boilerplate_sections_are_labelled():
    page = render_results("q", [_hit(kind="about", section="About Acme")])
    assert "About Acme · boilerplate" in page


def test_open_release_only_when_text_is_known():
    assert "Open release" in render_results("q", [_hit()], {7: RELEASE})
    assert "Open release" not in render_results("q", [_hit()], {})


def test_formats():
    assert format_date("2016-11-28") == "Nov 28, 2016" and format_date("soon") == "soon"
    assert format_bytes(0) == "0 B" and format_bytes(1536) == "1.5 KB"
    assert format_bytes(5 * 1024**3) == "5.0 GB"


def test_status_panel():
    html = render_status(
        documents=1234,
        chunks=25,
        model="all-MiniLM-L6-v2",
        size_bytes=2 * 1024 * 1024,
        updated="2026-11-21T11:09:00+00:00",
        index_dir="/idx",
        corpus_dir="/rel<eases>",
    )
    assert "1,234" in html and "2.0 MB" in html and "2026-11-21 11:09 UTC" in html
    assert "all-MiniLM-L6-v2" in html and "/rel&lt;eases&gt;" in html
    _parse(html)


def test_example_questions_are_deterministic_and_distinct():
    releases = [
        ("Zeta Q3 results", "2025-10-30", "Zeta Inc."),
        ("Acme ships X", "2024-05-02", "Acme Corp"),
        ("Acme again", "2025-01-01", "Acme Corp"),
        (
            "A headline without a company that is rather long, longer than seventy characters",
            None,
            None,
        ),
        ("Beta deal", "2023-02-02", "Beta AG"),
        ("Old", "2001-01-01", "Gamma Holdings, Inc."),
    ]
    first = example_questions(releases)
    assert first == example_questions(list(reversed(releases)))
    assert first == [
        "What did Zeta announce in October 2025?",
        "What did Acme announce in January 2025?",  # its newest release
        "What did Beta announce in February 2023?",
        "What did Gamma announce in January 2001?",
    ]
    assert example_questions(releases, n=9)[-1] == (
        'What does "A headline without a company that is rather long, longer than seven..." report?'
    )
    assert example_questions([("t", None, "Inc.")]) == ["What did Inc. announce?"]
    assert example_questions([]) == []
    assert len(example_questions(releases, n=2)) == 2


def test_report_marks_each_line_and_escapes():
    html = render_report(
        [("ok", "Added <a>.txt"), ("error", "b.md: empty"), ("info", "3 releases")]
    )
    assert "pr-msg-mixed" in html and "&lt;a&gt;" in html and "<a>" not in html
    assert [k for k in ("pr-line-ok", "pr-line-error", "pr-line-info") if k in html] == [
        "pr-line-ok",
        "pr-line-error",
        "pr-line-info",
    ]
    assert "pr-msg-error" in render_report([("error", "x")])
    assert "pr-msg-ok" in render_report([("ok", "x"), ("info", "y")])
    _parse(html)


def test_several_passages_of_one_release_are_counted_and_linked():
    hits = [_hit(), _hit(doc_id=8, chunk_id=80), _hit(chunk_id=71, score=0.7)]
    page = render_results("How many?", hits, {7: RELEASE})
    assert "3 passages from 2 releases, best first" in page
    third = page[page.index("id='pr-src-3'") :]
    assert "same release as [1]" in third
    assert "same release as" not in page[page.index("id='pr-src-1'") : page.index("id='pr-src-3'")]
    one_each = render_results("How many?", hits[:2], {7: RELEASE})
    assert "2 releases, best first" in one_each and "same release as" not in one_each
    _parse(page)


def test_a_low_confidence_first_hit_is_a_possible_answer_not_an_answer():
    from ui.render import POSSIBLE_AT

    maybe = _hit(answerable=False, confidence=POSSIBLE_AT + 0.05)
    page = render_results("How many patients?", [maybe])
    assert "Possible answer" in page and "Low confidence" in page
    assert "pr-answer-card" not in page and "No answer found" not in page
    below = render_results("How many patients?", [_hit(answerable=False, confidence=0.1)])
    assert "No answer found" in below and "Possible answer" not in below


def _downloads(page: str) -> dict[str, tuple[str, str]]:
    """format -> (file name, decoded content) of each download link in a results page."""
    import base64

    out = {}
    for tag in re.findall(r"<a class='pr-download'[^>]*>", page):
        attrs = dict(re.findall(r"(\w[\w-]*)='([^']*)'", tag))
        data = html.unescape(attrs["href"]).split("base64,", 1)[1]
        out[attrs["data-format"]] = (attrs["download"], base64.b64decode(data).decode())
    return out


def test_results_carry_their_downloads_as_csv_json_and_markdown():
    import csv
    import io
    import json

    hits = [_hit(), _hit(sentence="Results are due in 2025.", chunk_id=71)]
    page = render_results("How many will Acme enroll?", hits, filters=Filters(date_from="2024"))
    files = _downloads(page)
    assert set(files) == {"csv", "json", "md"}
    assert files["csv"][0] == "pressroom-how-many-will-acme-enroll.csv"
    rows = list(csv.DictReader(io.StringIO(files["csv"][1], newline="")))
    assert len(rows) == 2 and rows[0]["passage"] == hits[0].text  # unescaped, exact
    assert [json.loads(x)["chunk_id"] for x in files["json"][1].splitlines()] == [70, 71]
    md = files["md"][1]
    assert md.startswith("# How many will Acme enroll?") and "Filtered: from 2024" in md
    assert render_results("q", []).count("pr-download") == 0


def test_each_source_has_a_copy_citation_button_and_its_source_link():
    from qa.export import citation

    hit = _hit(url="https://wire.example/acme?a=1&b=2")
    page = render_results("q", [hit, _hit(chunk_id=71, url="javascript:alert(1)")])
    cites = re.findall(r"data-cite='([^']*)'", page)
    assert len(cites) == 2
    assert html.unescape(cites[0]) == citation(hit)
    assert "Acme &lt;Labs&gt;" in cites[0]  # escaped in the attribute
    assert page.count("class='pr-link'") == 1  # only an http(s) link is shown
    assert "href='https://wire.example/acme?a=1&amp;b=2'" in page
    assert "href='javascript:" not in page


def test_a_result_lists_its_copies_with_their_wires_and_marks_other_figures():
    hit = _hit(
        copies=("/r/keycrew/2025/acme-copy.md", "/r/nmw/2025/acme.md"),
        differing_copies=("/r/keycrew/2025/acme-copy.md",),
        copy_wires=("keycrew", None),
    )
    page = render_results("How many?", [hit], {7: RELEASE})
    block = re.search(r"<details class='pr-copyset'>.*?</details>", page).group(0)
    assert "Also ran as 2 copies (1 with other figures)" in block
    items = re.findall(r"<li class='([^']+)'[^>]*>(.*?)</li>", block)
    assert items == [
        ("pr-copy-item pr-copy-differs", "keycrew · acme-copy.md <em>figures differ</em>"),
        ("pr-copy-item", "wire not named · acme.md"),
    ]
    assert "pr-copyset" not in render_results("How many?", [_hit()], {7: RELEASE})
