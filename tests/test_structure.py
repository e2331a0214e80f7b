"""The shape of the code: imports that follow the data, one command with documented
subcommands, and the ranking stages as pure functions (no model, no index here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from index import ChunkFilter, ChunkRow, IndexReader
from index.manifest import FORMAT_VERSION, UPGRADABLE_VERSIONS, BuildSettingsMismatch, Manifest
from index.migrations import MIGRATIONS
from ingest.companies import company_matches, is_legal_form
from pressroom.cli import COMMANDS, build_parser
from qa.ranking import Fusion, Ranked, diversify
from qa.settings import Settings, override
from qa.timeq import parse_time
from qa.windows import choose_passage, window

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return {m.split(".")[0] for m in out.stdout.split()}


def test_qa_imports_no_parser_and_no_ui():
    loaded = _modules_after("from qa import retrieve")
    assert not loaded & {"bs4", "pypdf", "markdown_it", "gradio", "lxml", "charset_normalizer"}
    assert not loaded & {"ui", "pressroom"}


def test_index_and_the_cli_import_no_ui():
    loaded = _modules_after("import index, pressroom.cli")
    assert not loaded & {"gradio", "ui", "bs4", "pypdf"}


def test_ingest_core_does_not_import_the_index():
    loaded = _modules_after("import ingest, ingest.loaders")
    assert "index" not in loaded and "qa" not in loaded


def test_every_subcommand_has_help_with_an_example(capsys):
    for name in COMMANDS:
        with pytest.raises(SystemExit) as info:
            build_parser().parse_args([name, "--help"])
        assert info.value.code == 0
        text = capsys.readouterr().out
        assert f"pressroom {name}" in text and "examples:" in text and "Exit codes" in text


@pytest.mark.parametrize(
    "argv",
    [["pressroom", "--help"], ["ingest", "--help"], ["qa", "--help"], ["app.py", "--help"]],
)
def test_entry_points_answer_help(argv):
    cmd = [sys.executable, "-m", argv[0], "--help"] if argv[0] != "app.py" else None
    cmd = cmd or [sys.executable, "app.py", "--help"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "usage:" in proc.stdout and "Traceback" not in proc.stderr


def test_chunk_filter_is_sql_with_parameters_only():
    where, params = ChunkFilter(date_from="2020-01-01", kinds=frozenset({"body"})).sql()
    assert where == "1 AND d.date >= ? AND c.kind IN (?)" and params == ["2020-01-01", "body"]
    assert ChunkFilter().is_empty() and not ChunkFilter(doc_ids=frozenset()).is_empty()


def test_manifest_names_the_build_setting_that_differs(tmp_path):
    m = Manifest("m", 4, 256, {"max_tokens": 256}, "headline\\ntext/v1")
    m.check_build(tmp_path, chunking={"max_tokens": 256}, embed_template="headline\\ntext/v1")
    with pytest.raises(BuildSettingsMismatch, match="chunking.*--rebuild") as info:
        m.check_build(tmp_path, chunking={"max_tokens": 128})
    assert info.value.setting == "chunking"
    with pytest.raises(BuildSettingsMismatch, match="analyzer"):
        m.check_build(tmp_path, analyzer="other/v9")


def test_migrations_reach_the_current_format_from_every_upgradable_one():
    assert max(MIGRATIONS) == FORMAT_VERSION
    for version in UPGRADABLE_VERSIONS:  # a format without a step of its own is skipped
        assert any(v in MIGRATIONS for v in range(version + 1, FORMAT_VERSION + 1))


def test_settings_override_casts_and_refuses_unknown_paths():
    s = override(override(Settings(), "answer.type_weight", "0.2"), "per_doc", "1")
    assert s.answer.type_weight == 0.2 and s.rank.per_doc == 1
    assert Settings().rank.per_doc == 3  # frozen: the default tree is untouched
    with pytest.raises(ValueError, match="unknown setting"):
        override(Settings(), "rank.nope", "1")
    with pytest.raises(ValueError, match="needs a int"):
        override(Settings(), "rank.per_doc", "many")


def test_fusion_normalises_both_scores_and_weighs_them():
    fuse = Fusion.of({1: 0.1, 2: 0.5, 3: 0.3}, {1: 9.0, 3: 3.0}, [1, 2, 3], 0.5)
    assert fuse(2) == pytest.approx(0.5)  # best cosine, no keyword hit
    assert fuse(1) == pytest.approx(0.5)  # worst cosine, best BM25
    assert fuse(3) == pytest.approx(0.5 * 0.5 + 0.5 * 3.0 / 9.0)  # keyword floor is 0


def _row(chunk_id: int, doc_id: int) -> ChunkRow:
    return ChunkRow(chunk_id, doc_id, 0, 0, 1, "body", None, 0.0, "x", "t", None, None, (), "p")


def test_diversify_caps_passages_per_release_and_ranks_repeats_lower():
    scored = [
        Ranked(_row(i, d), s, (0, 1), 0.0)
        for i, d, s in [(1, 1, 3.0), (2, 1, 2.9), (3, 1, 2.8), (4, 2, 2.75)]
    ]
    kept = diversify(scored, per_doc=2, penalty=0.2, k=5)
    assert [r.row.chunk_id for r in kept] == [1, 4, 2]
    assert [round(r.score, 2) for r in kept] == [3.0, 2.75, 2.7]


def test_window_and_passage_choice_prefer_near_best_neighbours():
    text = "A is one. B is two. C is three. D is four."
    spans = [(0, 9), (10, 19), (20, 31), (32, 42)]
    assert window(text, spans, (20, 31), 21) == (10, 31)  # D would not fit, B does
    # the best sentence alone (D) against a window holding two near-best ones (A, B)
    cands = {(0, 9): (0.99, 1), (10, 19): (0.99, 1), (32, 42): (1.0, 2)}
    span, answer, chunk = choose_passage(text, spans, cands, 19, 0.02)
    assert span == (0, 19) and answer in ((0, 9), (10, 19)) and chunk == 1
    span, answer, chunk = choose_passage(text, spans, cands, 19, 0.0)  # no log-sum-exp
    assert answer == (32, 42) and chunk == 2


def test_time_phrases():
    since = parse_time("Which releases mention Fast Track since March 2024?")
    assert since.date_from == "2024-03-01" and "since" not in since.text
    during = parse_time("What was revenue in Q3 2025?")
    assert (during.prefer_from, during.prefer_to) == ("2025-07-01", "2025-09-30")
    assert parse_time("What happened before the partnership?").event == "the partnership"


def test_company_names_and_legal_forms():
    assert company_matches("Cellectar", "Cellecstar Biosciences, Inc.", ())
    assert not company_matches("Acme", "Beta Corp", ("NYSE:BETA",))
    assert company_matches("beta", None, ("NYSE:BETA",))
    assert is_legal_form("L.L.C.") and not is_legal_form("Acme")


def test_reader_public_surface_has_no_sql_text():
    import inspect

    params = inspect.signature(IndexReader.allowed_chunks).parameters
    assert list(params) == ["self", "chunk_filter"]
