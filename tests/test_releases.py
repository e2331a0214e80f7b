"""``qa.releases`` and ``pressroom releases``: a timeline newest first, one per release
group, over real release files (one of them indexed three times: two identical files and a
wire copy)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import sync
from index.reader import DocumentRow, GroupMember
from pressroom.cli import main
from qa import Release, releases
from qa.releases import timeline

from .test_copies import _corpus


@pytest.fixture
def index_dir(tmp_path, fake_encoder) -> Path:
    folder = _corpus(tmp_path)
    out = tmp_path / "idx"
    sync([folder], out, encoder=fake_encoder)
    return out


def _names(paths) -> set[str]:
    return {Path(p).name for p in paths}


def test_releases_newest_first_one_per_group_with_copies(index_dir):
    found = releases(index_dir=index_dir)
    assert all(isinstance(r, Release) for r in found)
    assert [r.date for r in found] == ["2016-11-28", "2014-03-04"]
    cpdc, glio = found
    assert Path(cpdc.source).name == "d-cpdc.txt" and cpdc.copies == ()
    assert "Glioblastoma" in glio.title and glio.tickers == ("OTCQX:CLRB",)
    group = _names(glio.copies) | {Path(glio.source).name}
    assert group == {"a-glioblastoma.txt", "b-glioblastoma-again.txt", "c-glioblastoma-wire.txt"}
    assert len(glio.copies) == 2


def test_releases_filter_by_company_period_and_words(index_dir):
    assert releases(company="Acme Robotics", index_dir=index_dir) == []
    assert [r.date for r in releases(company="CLRB", index_dir=index_dir)] == [
        "2016-11-28",
        "2014-03-04",
    ]
    assert [r.date for r in releases(date_from="2015", index_dir=index_dir)] == ["2016-11-28"]
    assert [r.date for r in releases(date_to="2014-12", index_dir=index_dir)] == ["2014-03-04"]
    only = releases(query="glioblastoma imaging", index_dir=index_dir)
    assert [r.date for r in only] == ["2014-03-04"] and len(only[0].copies) == 2
    assert releases(query="glioblastoma manufacturing partnership zebra", index_dir=index_dir) == []
    with pytest.raises(ValueError, match="from"):
        releases(date_from="March", index_dir=index_dir)


def test_timeline_shows_the_earliest_member_and_lists_undated_last():
    def row(doc_id, date, group, title="T", company=None):
        return DocumentRow(
            doc_id, f"/r/{doc_id}.txt", title, date, company, (), None, 1, "", group_id=group
        )

    docs = [row(1, "2020-01-02", 1), row(2, "2020-01-01", 1), row(3, None, 3), row(4, "2021", 4)]
    members = {
        1: [
            GroupMember(2, "/r/2.txt", None, "2020-01-01", ()),
            GroupMember(1, "/r/1.txt", None, "2020-01-02", ()),
        ]
    }
    out = timeline(docs, members)
    assert [r.doc_id for r in out] == [4, 2, 3]
    assert out[1].copies == ("/r/1.txt",)


def test_cli_lists_releases_as_text_and_json(index_dir, capsys):
    assert main(["releases", "--company", "CLRB", "--index", str(index_dir)]) == 0
    text = capsys.readouterr().out
    assert text.index("2016-11-28") < text.index("2014-03-04") and text.count("also: ") == 2
    assert main(["releases", "--since", "2015", "--json", "--index", str(index_dir)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["date"] for r in rows] == ["2016-11-28"] and rows[0]["copies"] == []


def test_cli_refuses_a_bad_date_with_exit_code_2(index_dir, capsys):
    assert main(["releases", "--since", "soon", "--index", str(index_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err
