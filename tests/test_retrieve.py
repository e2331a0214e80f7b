"""End to end with the real MiniLM model over the bundled releases."""

import json
import subprocess
import sys
from collections import Counter
from dataclasses import FrozenInstanceError

import pytest

from index import open_reader
from qa import Filters, Passage, retrieve

from .conftest import ROOT


def _stored(index_dir, hit: Passage) -> str:
    return open_reader(index_dir).document_text(hit.doc_id)


def test_glioblastoma_enrollment_question_finds_the_36_passage(real_index):
    hits = retrieve(
        "How many patients will the glioblastoma imaging trial enroll?", k=5, index_dir=real_index
    )
    assert "36" in hits[0].text and "36" in hits[0].answer
    assert hits[0].date == "2014-03-04"
    # the model's answer is the headline's "36-Patient ... Trial", but it is unsure of it
    # (0.23 on 2026-12-01: the body's sentence ends "... in approximately 36 patients",
    # past the 96 tokens the model reads)


def test_dose_question_is_answered_with_the_doses_sentence(real_index):
    # the first stage flagged this one unanswerable (0.27); the answer model is sure
    hits = retrieve("What doses does the imaging trial test?", k=5, index_dir=real_index)
    assert "5 mCi and 7.5 mCi" in hits[0].answer
    assert hits[0].answerable


def test_radioisotope_question_finds_iodine_131_first(real_index):
    hits = retrieve("Which radioisotope is the payload of CLR 131?", k=5, index_dir=real_index)
    assert "iodine-131" in hits[0].text
    assert "iodine-131" in hits[0].answer
    assert hits[0].date == "2016-11-28"


def test_manufacturer_question_names_cpdc(real_index):
    hits = retrieve("Who manufactures CLR 131?", k=5, index_dir=real_index)
    assert "CPDC" in hits[0].text or "Centre for Probe Development" in hits[0].text
    assert hits[0].source.endswith("2016-11-28-cellectar-cpdc-manufacturing-partnership.txt")


def test_doses_question(real_index):
    hits = retrieve("What doses does the imaging trial test?", k=3, index_dir=real_index)
    assert "5 mCi and 7.5 mCi" in hits[0].answer


def test_every_hit_is_cited_exactly(real_index):
    hits = retrieve("phospholipid ether platform", k=5, index_dir=real_index)
    assert hits
    for hit in hits:
        text = _stored(real_index, hit)
        assert text[hit.start : hit.end] == hit.text
        assert text[hit.answer_start : hit.answer_end] == hit.answer
        assert hit.start <= hit.answer_start < hit.answer_end <= hit.end
        assert hit.title and hit.source.endswith(".txt") and hit.date
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    with pytest.raises(FrozenInstanceError):
        hits[0].score = 1.0


def test_releases_share_the_list_up_to_three_passages_each(real_index):
    from qa import RankSettings, Settings

    # two bundled releases and k=5: by default a release may give up to three passages,
    # its later ones ranked with a penalty, so both releases appear
    hits = retrieve("Cellectar clinical trial", k=5, index_dir=real_index)
    per_release = Counter(h.doc_id for h in hits)
    assert len(per_release) == 2 and max(per_release.values()) <= 3 and len(hits) == 5
    one = retrieve(
        "Cellectar clinical trial",
        k=5,
        index_dir=real_index,
        settings=Settings(rank=RankSettings(per_doc=1)),
    )
    assert len({h.doc_id for h in one}) == len(one) == 2


def test_a_question_asking_for_releases_gets_one_passage_each(real_index):
    from qa import RankSettings, Settings

    hits = retrieve("Which releases mention CLR 131?", k=5, index_dir=real_index)
    assert len({h.doc_id for h in hits}) == len(hits) == 2
    # a setting, not a rule over the caller's settings
    more = retrieve(
        "Which releases mention CLR 131?",
        k=5,
        index_dir=real_index,
        settings=Settings(rank=RankSettings(list_question_per_doc=3)),
    )
    assert len({h.doc_id for h in more}) == 2 and len(more) == 5


def test_a_releases_later_passages_pay_the_repeat_penalty(real_index):
    from qa import RankSettings, Settings

    question = "Who manufactures CLR 131?"
    free = retrieve(
        question,
        k=6,
        index_dir=real_index,
        settings=Settings(rank=RankSettings(per_doc=3, release_repeat_penalty=0.0)),
    )
    strict = retrieve(
        question,
        k=6,
        index_dir=real_index,
        settings=Settings(rank=RankSettings(per_doc=3, release_repeat_penalty=100.0)),
    )
    # with a prohibitive penalty each release's first passage comes before any second one
    firsts = {}
    for i, h in enumerate(strict):
        firsts.setdefault(h.doc_id, i)
    assert sorted(firsts.values()) == list(range(len(firsts)))
    assert [h.score for h in free] == sorted((h.score for h in free), reverse=True)
    assert {(h.doc_id, h.start) for h in free} == {(h.doc_id, h.start) for h in strict}


def test_filters_apply_before_ranking(real_index):
    question = "How many patients will the glioblastoma imaging trial enroll?"
    hits = retrieve(question, k=3, index_dir=real_index, filters=Filters(date_from="2015-01-01"))
    assert hits and all(h.date >= "2015-01-01" for h in hits)
    hits = retrieve(question, k=3, index_dir=real_index, filters=Filters(companies=("nomatch",)))
    assert hits == []
    hits = retrieve(
        "forward-looking statements",
        k=5,
        index_dir=real_index,
        filters=Filters(exclude_boilerplate=True),
    )
    assert hits, "the news text still answers once boilerplate is excluded"
    assert all(h.kind not in ("about", "safe_harbor", "contacts", "links") for h in hits)


def test_empty_question_returns_nothing(real_index):
    assert retrieve("   ", index_dir=real_index) == []


def test_out_of_corpus_question_is_not_answerable(real_index):
    hits = retrieve("What is Pfizer's 2030 revenue target?", k=3, index_dir=real_index)
    assert hits and not hits[0].answerable


def test_default_index_from_environment(real_index, monkeypatch):
    monkeypatch.setenv("PRESSROOM_INDEX", str(real_index))
    hits = retrieve("Who manufactures CLR 131?", k=1)
    assert len(hits) == 1


def test_qa_command_line_prints_json(real_index):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "qa",
            "Who manufactures CLR 131?",
            "-k",
            "2",
            "--json",
            "--index",
            str(real_index),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 2 and {
        "text",
        "score",
        "title",
        "date",
        "source",
        "start",
        "end",
        "answer",
    } <= set(rows[0])


def test_missing_index_is_a_clear_error(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "qa", "anything", "--index", str(tmp_path / "none")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "no index yet" in out.stderr and "Traceback" not in out.stderr


def test_misspelt_company_finds_both_spellings(real_index):
    from qa import Filters

    hits = retrieve("What did Cellecstar say about CPDC?", k=3, index_dir=real_index)
    assert any("CPDC" in h.text for h in hits)
    both = retrieve("imaging", k=5, index_dir=real_index, filters=Filters(companies=("Cellectar",)))
    assert {h.date for h in both} == {"2014-03-04", "2016-11-28"}
    by_ticker = retrieve("imaging", k=5, index_dir=real_index, filters=Filters(companies=("CLRB",)))
    assert len({h.doc_id for h in by_ticker}) == 2


def test_time_phrases_become_date_filters(real_index):
    hits = retrieve(
        "Which releases mention orphan drug designation since 2015?", k=5, index_dir=real_index
    )
    assert hits and all(h.date >= "2015-01-01" for h in hits)
    hits = retrieve("What did the company announce before 2015?", k=5, index_dir=real_index)
    assert hits and all(h.date < "2015-01-01" for h in hits)


def test_before_an_event_is_dated_by_its_release(real_index):
    hits = retrieve(
        "In how many animal models had the compound been tested before the partnership?",
        k=3,
        index_dir=real_index,
    )
    assert hits and all(h.date < "2016-11-28" for h in hits)
    assert "over 60 animal models" in hits[0].text


def test_latest_value_comes_newest_first():
    from qa.search import newest_first

    def hit(n: int, date: str | None, answerable: bool) -> Passage:
        return Passage("t", 1.0, n, n, "h", date, "s", 0, 1, "t", 0, 1, answerable=answerable)

    hits = [hit(1, "2014-03-04", True), hit(2, None, False), hit(3, "2016-11-28", True)]
    assert [h.doc_id for h in newest_first(hits)] == [3, 1, 2]
    assert newest_first([hit(1, "2014-01-01", False), hit(2, "2016-01-01", False)])[0].doc_id == 1


def test_boilerplate_is_still_found_when_asked_about(real_index):
    contact = retrieve("Who is the investor contact at Cellectar?", k=1, index_dir=real_index)
    assert contact[0].kind == "contacts" and "INVESTOR CONTACT" in contact[0].text
    risks = retrieve(
        "What risks do the forward-looking statements mention?", k=1, index_dir=real_index
    )
    assert risks[0].kind == "safe_harbor"


def test_body_questions_do_not_get_boilerplate_first(real_index):
    for question in (
        "Who manufactures CLR 131?",
        "What doses does the imaging trial test?",
        "How many patients will the glioblastoma imaging trial enroll?",
    ):
        assert retrieve(question, k=1, index_dir=real_index)[0].kind in ("body", "quote")


def test_dates_read_from_the_question_never_leave_nothing(real_index):
    hits = retrieve("What happened before 1914?", k=3, index_dir=real_index)
    assert hits  # no release is that old: the question's date limit is dropped
    from qa import Filters

    explicit = retrieve("imaging", k=3, index_dir=real_index, filters=Filters(date_to="1914-01-01"))
    assert explicit == []  # an explicit filter is kept


def test_two_passages_of_one_release_do_not_overlap(real_index):
    from qa import RankSettings, Settings

    hits = retrieve(
        "What doses of I-124-CLR1404 are evaluated in the glioblastoma imaging trial?",
        k=4,
        index_dir=real_index,
        settings=Settings(rank=RankSettings(per_doc=2)),
    )
    by_doc: dict[int, list[Passage]] = {}
    for h in hits:
        by_doc.setdefault(h.doc_id, []).append(h)
    assert any(len(v) == 2 for v in by_doc.values())
    for a, *rest in by_doc.values():
        for b in rest:
            assert a.end <= b.start or b.end <= a.start
            assert a.start <= a.answer_start < a.end and b.start <= b.answer_start < b.end
