"""qa.export: citations and the CSV, JSON and Markdown exports (pure, no index needed)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, replace

import pytest

from qa import Passage
from qa.export import CSV_COLUMNS, FORMATS, citation, export, to_csv, to_json_lines, to_markdown

WIRE = "https://www.globenewswire.com/news-release/2016/11/28/cellectar-cpdc.html"


def _hit(n: int = 1, **kw) -> Passage:
    text = f'Passage {n}: "CPDC", a GMP maker, will produce CLR 131,\nat scale.'
    fields = dict(
        text=text,
        score=1.0 - n / 10,
        doc_id=n,
        chunk_id=10 * n,
        title=f"Cellectar Picks CPDC [{n}]",
        date="2016-11-28",
        source=f"/home/me/releases/cellectar-{n}.txt",
        start=100,
        end=100 + len(text),
        answer=text.split(",")[0],
        answer_start=100,
        answer_end=110,
        company="Cellectar Biosciences, Inc.",
        tickers=("NASDAQ:CLRB",),
        kind="body",
        section=None,
        url=WIRE,
        confidence=0.87,
        answerable=True,
    )
    fields.update(kw)
    return Passage(**fields)


HITS = [_hit(1), _hit(2, kind="about", section="About CPDC", url=None), _hit(3, company=None)]


def test_citation_names_headline_company_date_file_and_source_link():
    assert citation(_hit()) == (
        "Cellectar Picks CPDC [1]. Cellectar Biosciences, Inc. (NASDAQ:CLRB), November 28, "
        f"2016. File: cellectar-1.txt. Source: {WIRE}"
    )


def test_citation_without_link_company_or_date():
    bare = _hit(title="Who Makes CLR 131?", company=None, tickers=(), date=None, url=None)
    assert citation(bare) == "Who Makes CLR 131? undated. File: cellectar-1.txt."
    assert citation(_hit(company=None)).startswith("Cellectar Picks CPDC [1]. NASDAQ:CLRB, Nov")


def test_csv_opens_with_the_csv_module_one_row_per_result():
    text = to_csv('Who makes "CLR 131", at scale?', HITS)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + len(HITS)
    records = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["rank"] for r in records] == ["1", "2", "3"]
    first = records[0]
    assert first["question"] == 'Who makes "CLR 131", at scale?'
    assert first["passage"] == HITS[0].text  # quotes, commas and the line break survive
    assert first["url"] == WIRE and records[1]["url"] == ""
    assert first["citation"] == citation(HITS[0])
    assert (first["tickers"], first["answerable"], first["file"]) == (
        "NASDAQ:CLRB",
        "yes",
        HITS[0].source,
    )
    assert records[1]["section"] == "About CPDC" and records[2]["company"] == ""


def test_csv_of_no_results_is_its_header():
    assert list(csv.reader(io.StringIO(to_csv("q", [])))) == [list(CSV_COLUMNS)]


def test_json_lines_are_the_passages_fields():
    lines = to_json_lines(HITS).splitlines()
    assert len(lines) == len(HITS)
    for line, hit in zip(lines, HITS, strict=True):
        data = json.loads(line)
        assert data == json.loads(json.dumps(asdict(hit)))
        tuples = {k: tuple(v) for k, v in data.items() if isinstance(v, list)}  # JSON arrays
        assert Passage(**{**data, **tuples}) == hit


def test_markdown_has_the_question_the_answer_and_numbered_quoted_sources():
    md = to_markdown("Who makes CLR 131?", HITS, filters="from November 1, 2016")
    lines = md.splitlines()
    assert lines[0] == "# Who makes CLR 131?"
    assert "Filtered: from November 1, 2016" in lines
    assert lines.index("## Sources") > lines.index('**Answer:** Passage 1: "CPDC" [1]')
    numbered = [x for x in lines if x[:3] in ("1. ", "2. ", "3. ")]
    assert len(numbered) == 3
    assert numbered[0].startswith(r"1. **Cellectar Picks CPDC \[1\]** · Cellectar Biosciences")
    assert sum(x.startswith("   > ") for x in lines) == 3  # each passage quoted, on one line
    assert f"[source](<{WIRE}>)" in md and md.count("[source](") == 2
    assert "About CPDC" in md  # a boilerplate section is named


def test_markdown_says_when_nothing_answers():
    weak = [replace(h, answerable=False, confidence=0.05) for h in HITS]
    md = to_markdown("What is Pfizer's 2030 revenue target?", weak)
    assert "**No answer found.**" in md and "**Answer:**" not in md and "## Sources" in md
    assert "No passage matches" in to_markdown("q", [])


def test_markdown_escapes_what_would_become_markup():
    hit = _hit(title="Acme *Bold* <script>x</script> [link](http://evil)", text="a_b_c `x`")
    md = to_markdown("q", [hit])
    assert r"Acme \*Bold\* \<script\>x\</script\> \[link\](http://evil)" in md
    assert r"a\_b\_c \`x\`" in md


def test_export_dispatches_and_refuses_other_formats():
    assert FORMATS == ("csv", "json", "md")
    assert export("csv", "q", HITS) == to_csv("q", HITS)
    assert export("json", "q", HITS) == to_json_lines(HITS)
    assert export("md", "q", HITS, filters="x") == to_markdown("q", HITS, filters="x")
    with pytest.raises(ValueError, match="unknown export format 'xlsx'"):
        export("xlsx", "q", HITS)
