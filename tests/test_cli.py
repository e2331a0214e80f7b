"""``pressroom ask`` on user mistakes and awkward pipes: exit codes and messages."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from pressroom import cli

from .conftest import ROOT


def _ask(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["ask", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "2025-13-01"], "error: --since '2025-13-01' is not a date: use YYYY-MM-DD"),
        (["--since", "2025/06/01"], "error: --since '2025/06/01' is not a date"),
        (["--since", "yesterday"], "error: --since 'yesterday' is not a date"),
        (["--until", "2016-02-30"], "error: --until '2016-02-30' is not a date"),
        (
            ["--since", "2026", "--until", "2025"],
            "error: the --since date (2026-01-01) is after the --until date (2025-12-31)",
        ),
    ],
)
def test_bad_dates_exit_2_with_the_uis_message(capsys, tmp_path, argv, message):
    # the dates are checked before the index is opened: none is needed here
    code, out, err = _ask(capsys, "trial", "--index", str(tmp_path / "none"), *argv)
    assert code == 2 and out == ""
    assert err.startswith(message) and "Traceback" not in err


def test_an_empty_question_exits_2(capsys, tmp_path):
    code, out, err = _ask(capsys, "   ", "--index", str(tmp_path / "none"))
    assert (code, out) == (2, "")
    assert "the question is empty" in err


def test_a_filter_that_excludes_everything_says_so(capsys, real_index):
    idx = str(real_index)
    code, out, err = _ask(capsys, "clinical trial", "--index", idx, "--company", "Nonexistent Corp")
    assert code == 0
    assert out.strip() == "No passage matches these filters: no release of 'Nonexistent Corp'."
    code, out, _ = _ask(capsys, "clinical trial", "--index", idx, "--since", "2026")
    assert code == 0 and "no release dated from 2026-01-01" in out
    assert "the releases run from 2014-03-04 to 2016-11-28" in out
    code, out, err = _ask(capsys, "trial", "--index", idx, "--company", "CLRB", "--until", "2010")
    assert "no release of 'CLRB' dated to 2010-12-31" in out


def test_with_json_the_reason_goes_to_stderr_and_stdout_stays_data(capsys, real_index):
    code, out, err = _ask(
        capsys, "trial", "--index", str(real_index), "--json", "--company", "Nonexistent Corp"
    )
    assert (code, out) == (0, "")
    assert "no release of 'Nonexistent Corp'" in err


def test_dates_that_fit_still_answer(capsys, real_index):
    code, out, _ = _ask(
        capsys, "Who manufactures CLR 131?", "--index", str(real_index), "--since", "2016-11"
    )
    assert code == 0 and "[1]" in out and "2016-11-28" in out


def test_a_reader_that_stops_early_ends_the_command_quietly(real_index):
    """``pressroom ask ... --json | head -c 900``: the pipe closes while we write."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "qa", "clinical trial", "-k", "10", "--json"]
            + ["--index", str(real_index)],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 0
    assert proc.stderr == ""  # no BrokenPipeError traceback, no "Exception ignored" note


def test_json_output_is_one_passage_per_line(capsys, real_index):
    code, out, _ = _ask(
        capsys, "Who manufactures CLR 131?", "-k", "2", "--index", str(real_index), "--json"
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 2 and {"text", "title", "source", "section"} <= set(rows[0])


def test_format_csv_has_one_row_per_passage(capsys, real_index):
    code, out, _ = _ask(
        capsys,
        "Who manufactures CLR 131?",
        "-k",
        "3",
        "--index",
        str(real_index),
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert code == 0 and len(rows) == 3
    assert [r["rank"] for r in rows] == ["1", "2", "3"] and "CPDC" in rows[0]["passage"]
    assert all(r["question"] == "Who manufactures CLR 131?" for r in rows)


def test_json_is_an_alias_of_format_json(capsys, real_index):
    argv = ("Who manufactures CLR 131?", "-k", "2", "--index", str(real_index))
    assert _ask(capsys, *argv, "--json") == _ask(capsys, *argv, "--format", "json")


def test_format_md_quotes_each_source(capsys, real_index):
    code, out, _ = _ask(
        capsys, "Who manufactures CLR 131?", "-k", "2", "--index", str(real_index), "--format", "md"
    )
    assert code == 0 and out.startswith("# Who manufactures CLR 131?\n")
    assert "## Sources" in out and out.count("\n   > ") == 2


def test_format_md_of_a_filter_that_excludes_everything_says_so_in_the_file(capsys, real_index):
    code, out, err = _ask(
        capsys, "trial", "--index", str(real_index), "--format", "md", "--company", "Nope Inc"
    )
    assert (code, err) == (0, "")
    assert "no release of 'Nope Inc'" in out and out.startswith("# trial")


def test_format_csv_of_a_filter_that_excludes_everything_is_a_header(capsys, real_index):
    code, out, err = _ask(
        capsys, "trial", "--index", str(real_index), "--format", "csv", "--since", "2030"
    )
    assert code == 0 and len(list(csv.reader(io.StringIO(out)))) == 1
    assert "no release dated from 2030-01-01" in err


def test_an_unknown_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["ask", "q", "--format", "xlsx"])
    assert info.value.code == 2 and "invalid choice: 'xlsx'" in capsys.readouterr().err


# -- exact and keyword search ------------------------------------------------------------------


def test_keyword_only_search(capsys, search_index):
    code, out, err = _ask(
        capsys, "Nociscan biomarkers", "--keyword", "-k", "2", "--index", str(search_index)
    )
    assert (code, err) == (0, "")
    assert "[1] Aclarion Announces Completion of First Nociscan Exams in LIFEHAB Trial" in out


def test_keyword_search_of_only_common_words_exits_2(capsys, tmp_path):
    code, out, err = _ask(capsys, "what is it?", "--keyword", "--index", str(tmp_path / "none"))
    assert (code, out) == (2, "")
    assert err.startswith("error: --keyword: the question has no word to search for")


def test_a_quoted_phrase_that_occurs_nowhere_is_said(capsys, search_index):
    idx = str(search_index)
    code, out, err = _ask(capsys, '"orbital zinc harvesting" trial', "--index", idx)
    assert (code, err) == (0, "")
    assert out.strip() == (
        'No passage holds the quoted phrase: no release contains "orbital zinc harvesting".'
    )
    code, out, err = _ask(capsys, '"orbital zinc harvesting"', "--index", idx, "--json")
    assert (code, out) == (0, "")
    assert 'no release contains "orbital zinc harvesting"' in err


def test_a_quoted_phrase_is_matched_exactly(capsys, search_index):
    code, out, _ = _ask(capsys, '"climate risk"', "--index", str(search_index), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows and all("climate risk" in r["text"].lower() for r in rows)


def test_python_m_qa_takes_keyword_too(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "qa", "the", "--keyword", "--index", str(tmp_path / "none")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "error: --keyword: the question has no word to search for" in done.stderr
    assert "Traceback" not in done.stderr
