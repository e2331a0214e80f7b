"""Saved searches and alerts (``qa.alerts``, ``pressroom alerts``, the Alerts tab's actions)
over the real model: a saved question lists the new releases that answer it after a sync,
and only those, across processes, per user; a damaged alerts file is one line."""

from __future__ import annotations

import html
import json
import os
import queue
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from index import sync
from qa import Filters
from qa.alerts import (
    AlertsError,
    after_sync,
    alerts,
    alerts_path,
    delete_search,
    mark_seen,
    save_search,
    searches,
    unseen_count,
)
from ui.alert_desk import AlertDesk
from ui.desk import Desk

from .conftest import ROOT

FAST_TRACK_QUESTION = "Which drug received FDA Fast Track designation?"

ACME_FAST_TRACK = """\
Acme Therapeutics Receives FDA Fast Track Designation for ACM-101 in Glioblastoma

BOSTON, May 2, 2024 -- Acme Therapeutics, Inc. (NASDAQ: ACME) today announced that the U.S.
Food and Drug Administration (FDA) has granted Fast Track designation to ACM-101, its lead
antibody candidate for the treatment of recurrent glioblastoma.

"Fast Track designation recognizes the serious unmet need of patients with recurrent
glioblastoma," said Jane Doe, Chief Executive Officer of Acme Therapeutics. "We look forward to
working closely with the FDA as we advance ACM-101 into a Phase 2 study later this year."

Fast Track is a process designed to facilitate the development and expedite the review of drugs
that treat serious conditions and fill an unmet medical need.

About Acme Therapeutics
Acme Therapeutics, Inc. is a clinical-stage biotechnology company based in Boston developing
antibody therapies for brain cancers.
"""

ACME_PLANT = """\
Acme Therapeutics Opens New Manufacturing Plant in Ohio

COLUMBUS, Ohio, June 10, 2024 -- Acme Therapeutics, Inc. (NASDAQ: ACME) today opened a
120,000 square foot manufacturing plant in Columbus, Ohio, that will employ 250 people when it
reaches full capacity in 2026.

"The Columbus plant lets us make our antibodies at commercial scale," said John Roe, Chief
Operating Officer. The plant cost $85 million to build and includes four production lines.

About Acme Therapeutics
Acme Therapeutics, Inc. is a clinical-stage biotechnology company based in Boston developing
antibody therapies for brain cancers.
"""

ZENITH_FAST_TRACK = """\
Zenith Bio Granted FDA Fast Track Designation for ZB-7 in Pancreatic Cancer

SAN DIEGO, May 20, 2024 -- Zenith Bio Corp. (NYSE: ZNTH) today announced that the U.S. Food
and Drug Administration has granted Fast Track designation to ZB-7, an oral inhibitor in
development for metastatic pancreatic cancer.

"This designation allows us to work more closely with the FDA," said Mary Major, President of
Zenith Bio. ZB-7 is being studied in a Phase 1b trial at twelve sites in the United States.

About Zenith Bio
Zenith Bio Corp. develops small-molecule drugs for gastrointestinal cancers.
"""


@pytest.fixture
def index_dir(tmp_path, real_index) -> Path:
    """A writable copy of the real index over the bundled releases."""
    target = tmp_path / "idx"
    shutil.copytree(real_index, target)
    return target


def _write(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / n for n in files]


def _names(found) -> set[str]:
    return {Path(a.source).name for a in found}


def test_a_saved_search_lists_the_new_release_that_answers_it_and_not_the_others(
    tmp_path, index_dir, real_encoder
):
    anyone = save_search(index_dir, FAST_TRACK_QUESTION)
    zenith_only = save_search(index_dir, "Fast Track designation", Filters(companies=("Zenith",)))
    before_2024 = save_search(index_dir, FAST_TRACK_QUESTION + " ", Filters(date_to="2023-12-31"))
    assert before_2024.id != anyone.id  # other filters: another search
    assert save_search(index_dir, "  Which drug received FDA  Fast Track designation?") == anyone
    news = tmp_path / "news"
    _write(news, {"acme-fast-track.txt": ACME_FAST_TRACK, "acme-plant.txt": ACME_PLANT})
    report = sync([news], index_dir, encoder=real_encoder)
    assert len(report.added) == 2

    new = after_sync(index_dir, report, encoder=real_encoder)
    by_search = {s.id: _names(a for a in new if a.search_id == s.id) for s in searches(index_dir)}
    assert by_search == {
        anyone.id: {"acme-fast-track.txt"},
        zenith_only.id: set(),
        before_2024.id: set(),
    }
    alert = next(a for a in new if a.search_id == anyone.id)
    # the sentence that names the drug and the designation (the headline or the lead)
    assert "ACM-101" in alert.answer and "Fast Track" in alert.answer
    assert alert.answer in alert.passage
    assert alert.title.startswith("Acme Therapeutics Receives FDA Fast Track")
    assert (alert.company, alert.tickers, alert.date) == (
        "Acme Therapeutics, Inc.",
        ("NASDAQ:ACME",),
        "2024-05-02",
    )
    assert 0.5 <= alert.score <= 1 and not alert.seen and alert.user == "default"

    # the same sync reported again (the watcher and an upload, say) adds nothing
    assert after_sync(index_dir, report, encoder=real_encoder) == []
    # a release of the company the second search names alerts it; the first one too
    _write(news, {"zenith-fast-track.txt": ZENITH_FAST_TRACK})
    report = sync([news], index_dir, encoder=real_encoder)
    assert [Path(p).name for p in report.added] == ["zenith-fast-track.txt"]
    new = after_sync(index_dir, report, encoder=real_encoder)
    assert {(a.search_id, Path(a.source).name) for a in new} >= {
        (zenith_only.id, "zenith-fast-track.txt")
    }
    assert all(a.search_id != before_2024.id for a in new)
    # a changed release alerts again; an untouched one does not
    seen = len(alerts(index_dir))
    (news / "acme-fast-track.txt").write_text(
        ACME_FAST_TRACK.replace("Phase 2 study", "Phase 2 study at 30 sites"), encoding="utf-8"
    )
    report = sync([news], index_dir, encoder=real_encoder)
    assert [Path(p).name for p in report.updated] == ["acme-fast-track.txt"]
    new = after_sync(index_dir, report, encoder=real_encoder)
    assert [(a.search_id, Path(a.source).name) for a in new] == [(anyone.id, "acme-fast-track.txt")]
    assert len(alerts(index_dir)) == seen + 1


def test_the_watched_folder_runs_the_saved_searches(tmp_path, index_dir, real_encoder):
    from watch import Watcher

    save_search(index_dir, FAST_TRACK_QUESTION)
    folder = tmp_path / "watched"
    folder.mkdir()
    reports: queue.Queue = queue.Queue()
    watcher = Watcher(
        folder, index_dir, encoder=real_encoder, settle=0.3, on_sync=lambda r, s: reports.put(r)
    )
    watcher.start()
    added: set[str] = set()
    try:
        reports.get(timeout=60)  # the catch-up of the (empty) folder
        _write(folder, {"acme-fast-track.md": ACME_FAST_TRACK, "acme-plant.md": ACME_PLANT})
        while len(added) < 2:  # saved together: one sync, or two on a slow machine
            added |= {Path(p).name for p in reports.get(timeout=60).added}
    finally:
        watcher.stop()
    # on_sync comes after the watcher ran the saved searches over the sync's releases
    assert _names(alerts(index_dir)) == {"acme-fast-track.md"}


def test_filters_sources_restrict_retrieval_to_those_files(real_index):
    from qa import retrieve

    from .conftest import CPDC, GLIOBLASTOMA

    only = Filters(sources=(str(GLIOBLASTOMA),))
    hits = retrieve("Who manufactures CLR 131?", k=5, index_dir=real_index, filters=only)
    assert hits and {h.source for h in hits} == {str(GLIOBLASTOMA)}
    hits = retrieve("Who manufactures CLR 131?", k=5, index_dir=real_index)
    assert str(CPDC) in {h.source for h in hits}  # unrestricted, the answer's release leads
    both = Filters(sources=(str(GLIOBLASTOMA),), companies=("Nonexistent Corp",))
    assert retrieve("CLR 131", k=5, index_dir=real_index, filters=both) == []


def test_no_saved_search_creates_no_alerts_file(tmp_path, index_dir, real_encoder):
    news = _write(tmp_path / "news", {"acme-plant.txt": ACME_PLANT})
    report = sync(news, index_dir, encoder=real_encoder)
    assert after_sync(index_dir, report, encoder=real_encoder) == []
    assert not alerts_path(index_dir).exists()
    assert alerts(index_dir) == [] and searches(index_dir) == []


def test_searches_and_seen_marks_are_per_user(tmp_path, index_dir, real_encoder):
    ann = save_search(index_dir, FAST_TRACK_QUESTION, user="ann")
    bob = save_search(index_dir, "How many people will the new plant employ?", user="bob")
    strict = save_search(index_dir, FAST_TRACK_QUESTION, user="carl", min_confidence=0.99)
    assert strict.min_confidence == 0.99 and searches(index_dir, user="carl") == [strict]
    news = tmp_path / "news"
    _write(news, {"acme-fast-track.txt": ACME_FAST_TRACK, "acme-plant.txt": ACME_PLANT})
    after_sync(index_dir, sync([news], index_dir, encoder=real_encoder), encoder=real_encoder)

    assert [s.id for s in searches(index_dir, user="ann")] == [ann.id]
    assert _names(alerts(index_dir, user="ann")) == {"acme-fast-track.txt"}
    assert _names(alerts(index_dir, user="bob")) == {"acme-plant.txt"}
    assert alerts(index_dir) == []  # the default user saved nothing
    assert alerts(index_dir, user="carl") == []  # the model is not 99% sure of ACM-101
    assert unseen_count(index_dir, user="ann") == unseen_count(index_dir, user="bob") == 1
    assert mark_seen(index_dir, user="ann") == 1
    assert unseen_count(index_dir, user="ann") == 0 and unseen_count(index_dir, user="bob") == 1
    assert [a.seen for a in alerts(index_dir, user="ann", unseen_only=False)] == [True]
    assert not delete_search(index_dir, bob.id, user="ann")  # not hers
    assert delete_search(index_dir, bob.id, user="bob")
    assert alerts(index_dir, user="bob", unseen_only=False) == []  # its alerts went with it

    # the Alerts tab's actions, for the user of the request
    tab = AlertDesk(index_dir)
    assert tab.label("ann") == "Alerts" and "granted Fast Track designation" in tab.page("ann")
    assert "No alert yet for your 1 saved search" in tab.page("carl")
    assert "No saved search yet" in tab.page("dana")
    # a keyword-only question is not saved (saved searches run the full search)
    refused = tab.save(FAST_TRACK_QUESTION, "", "", [], True, "dana", keyword=True)
    assert "Not saved" in refused and "keyword-only" in refused
    assert searches(index_dir, user="dana") == []


def _cli(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pressroom", *argv],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_alerts_survive_a_restart_and_print_as_json_lines(tmp_path, index_dir):
    """Each step is its own process: save, ingest (the real model), list, mark seen."""
    idx = str(index_dir)
    saved = _cli("alerts", "save", FAST_TRACK_QUESTION, "--since", "2024", "--index", idx)
    assert saved.returncode == 0, saved.stderr
    search = json.loads(saved.stdout)
    assert (search["question"], search["since"], search["user"]) == (
        FAST_TRACK_QUESTION,
        "2024-01-01",
        "default",
    )
    listed = _cli("alerts", "list", "--index", idx)
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [search["id"]]

    news = tmp_path / "news"
    _write(news, {"acme-fast-track.txt": ACME_FAST_TRACK, "acme-plant.txt": ACME_PLANT})
    ingest = _cli("ingest", str(news), "--index", idx, "-q")
    assert ingest.returncode == 0, ingest.stderr
    assert "1 new alert(s) for saved searches" in ingest.stdout

    shown = _cli("alerts", "--index", idx, "--mark-seen")
    assert shown.returncode == 0 and shown.stderr == ""
    lines = [json.loads(line) for line in shown.stdout.splitlines()]
    assert [Path(a["source"]).name for a in lines] == ["acme-fast-track.txt"]
    fields = {"id", "search_id", "user", "question", "doc_id", "source", "title", "company"}
    fields |= {"tickers", "date", "url", "answer", "passage", "score", "found_at", "seen"}
    assert set(lines[0]) == fields
    assert lines[0]["search_id"] == search["id"] and lines[0]["seen"] is False
    again = _cli("alerts", "--index", idx)
    assert (again.returncode, again.stdout) == (0, "")
    every = _cli("alerts", "--all", "--index", idx)
    assert [json.loads(line)["seen"] for line in every.stdout.splitlines()] == [True]
    # the login's name is the user when PRESSROOM_AUTH sets one
    theirs = _cli("alerts", "--all", "--index", idx, env={"PRESSROOM_AUTH": "desk:pw"})
    assert (theirs.returncode, theirs.stdout) == (0, "")

    gone = _cli("alerts", "delete", str(search["id"] + 7), "--index", idx)
    assert gone.returncode == 2 and gone.stderr.startswith("error: default has no saved search")
    deleted = _cli("alerts", "delete", str(search["id"]), "--index", idx)
    assert deleted.returncode == 0
    assert _cli("alerts", "--all", "--index", idx).stdout == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["save", "  "], "error: the question is empty"),
        (["save", "Who?"], "error: {idx}: no index here to save a search for"),
        (
            ["save", "Who?", "--min-confidence", "1.5"],
            "error: the minimum confidence (1.5) is not between 0 and 1",
        ),
        (["save", "Who?", "--since", "2025-13"], "error: --since '2025-13' is not a date"),
        (
            ["save", "Who?", "--since", "2026", "--until", "2025"],
            "error: the --since date (2026-01-01) is after the --until date (2025-12-31)",
        ),
    ],
)
def test_a_bad_saved_search_exits_2(capsys, tmp_path, argv, message):
    from pressroom import cli

    (tmp_path / "idx").mkdir()
    code = cli.main(["alerts", *argv, "--index", str(tmp_path / "idx")])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(message.format(idx=tmp_path / "idx")) and "Traceback" not in err
    assert not alerts_path(tmp_path / "idx").exists()


def test_a_damaged_alerts_file_is_one_line_and_never_harms_the_index(
    tmp_path, index_dir, real_encoder
):
    save_search(index_dir, FAST_TRACK_QUESTION)
    path = alerts_path(index_dir)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)

    shown = _cli("alerts", "--index", str(index_dir))
    assert shown.returncode == 3 and shown.stdout == ""
    assert shown.stderr.startswith(f"error: {path}: damaged")
    assert len(shown.stderr.splitlines()) == 1 and "Traceback" not in shown.stderr

    news = _write(tmp_path / "news", {"acme-fast-track.txt": ACME_FAST_TRACK})
    ingest = _cli("ingest", str(news[0]), "--index", str(index_dir), "-q")
    assert ingest.returncode == 0, ingest.stderr  # the index was updated all the same
    assert f"warning: saved searches not run: {path}: damaged" in ingest.stderr
    assert "Traceback" not in ingest.stderr
    asked = _cli("ask", FAST_TRACK_QUESTION, "--index", str(index_dir), "--json", "-k", "1")
    assert asked.returncode == 0 and "acme-fast-track.txt" in asked.stdout

    # the upload's report says it in one line too
    desk = Desk(index_dir, tmp_path / "corpus")
    report = sync([_write(tmp_path / "more", {"z.txt": ZENITH_FAST_TRACK})[0]], index_dir)
    [(kind, line)] = desk.run_alerts(report)
    assert kind == "error" and line.startswith(f"Saved searches not run: {path}: damaged")
    with pytest.raises(AlertsError) as caught:
        alerts(index_dir)
    assert caught.value.exit_code == 3 and caught.value.path == path


def test_an_alerts_file_of_another_schema_version_is_refused(tmp_path, index_dir):
    save_search(index_dir, FAST_TRACK_QUESTION)
    with sqlite3.connect(alerts_path(index_dir)) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    shown = _cli("alerts", "list", "--index", str(index_dir))
    assert shown.returncode == 2
    assert "schema version '99', this Pressroom reads version 1" in shown.stderr


def test_an_upload_reports_its_alerts_and_the_tab_counts_them(tmp_path, index_dir, corpus):
    desk, tab = Desk(index_dir, corpus), AlertDesk(index_dir)
    assert "Saved search #1" in tab.save(FAST_TRACK_QUESTION, "", "", [], True, "default")
    refused = html.unescape(tab.save("x", "2024-13", "", [], True, "u"))
    assert "Not saved: From '2024-13' is not a date" in refused
    uploads = _write(tmp_path / "up", {"acme-fast-track.txt": ACME_FAST_TRACK})
    page = desk.add_files(uploads)
    assert "1 new alert for saved searches (Alerts tab)" in page
    assert tab.label("default") == "Alerts (1)" and tab.label("someone") == "Alerts"
    listing = tab.page("default")
    assert "Acme Therapeutics Receives FDA Fast Track Designation" in listing
    assert "Open release" in listing and "pr-anchor" in listing  # the sentence marked in place
    assert "Marked 1 alert seen." in tab.mark_all_seen("default")
    assert tab.label("default") == "Alerts"
    assert [label for label, _ in tab.choices("default")] == [f"#1 {FAST_TRACK_QUESTION}"]


@pytest.mark.slow  # a local Ray cluster and its workers' models: about 50 s
@pytest.mark.cluster
def test_the_ray_ingest_runs_the_saved_searches_too(tmp_path, index_dir):
    pytest.importorskip("ray")
    save_search(index_dir, FAST_TRACK_QUESTION)
    news = tmp_path / "news"
    _write(news, {"acme-fast-track.txt": ACME_FAST_TRACK, "acme-plant.txt": ACME_PLANT})
    ingest = _cli("ingest", str(news), "--index", str(index_dir), "--ray", "local", "--json")
    assert ingest.returncode == 0, ingest.stderr
    assert json.loads(ingest.stdout.splitlines()[-1])["alerts"] == 1
    assert _names(alerts(index_dir)) == {"acme-fast-track.txt"}
