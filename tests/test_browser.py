"""The browser UI in headless Chromium (Debian's ``/usr/bin/chromium``) through Playwright.

One app process on a free port over a temporary copy of the bundled releases and a
temporary index; the tests run in file order on one page, like a journalist's session:
ask, filter, open the release, hit the no-answer and error states, then upload a release,
find it, remove it. A screenshot of each state goes to ``tests/artifacts/``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest

from .conftest import RELEASES, ROOT, serve_app

pytest.importorskip("playwright.sync_api", reason="playwright (the dev extra) is missing")
from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ENROLL = "How many patients will the glioblastoma imaging trial enroll?"
ZENTRIX_QUESTION = "How many patients did Zentrix enroll in the ZEN-22 trial?"
ZENTRIX_RELEASE = """\
Zentrix Therapeutics Completes Enrollment of Phase 2 ZEN-22 Trial in Chronic Kidney Disease

Enrollment of 417 patients completed ahead of schedule; topline data expected in 1H 2026

BOSTON, Sept. 9, 2025 (GLOBE NEWSWIRE) -- Zentrix Therapeutics, Inc. (Nasdaq: ZNTX), a
clinical-stage biotechnology company developing antibody therapies for kidney disease, today
announced that it has enrolled 417 patients in its ZEN-22 trial, a randomized, double-blind,
placebo-controlled Phase 2 study of zenoralimab in adults with chronic kidney disease and
persistent proteinuria.

The ZEN-22 trial enrolled patients at 58 sites in the United States, Canada and Germany. The
primary endpoint is the change in urine albumin-to-creatinine ratio after 24 weeks of treatment.

"Completing enrollment of ZEN-22 four months ahead of plan is a credit to the investigators and
the patients who volunteered," said Dr. Helena Marsh, chief executive officer of Zentrix
Therapeutics. "We look forward to sharing topline results in the first half of 2026."

About Zentrix Therapeutics

Zentrix Therapeutics, Inc. is a clinical-stage biotechnology company based in Boston,
Massachusetts, developing antibody therapies for chronic kidney disease.

Media Contact:
Jordan Lee
media@zentrix.example

Original/Source Press Release: https://www.globenewswire.example/news-release/2025/09/09/zen-22
"""
ZENTRIX_URL = "https://www.globenewswire.example/news-release/2025/09/09/zen-22"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (`make browser-deps` installs Debian's chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory, real_encoder):
    """The app over a fresh copy of the bundled releases: (url, corpus folder)."""
    from index import sync

    base = tmp_path_factory.mktemp("browser")
    corpus, index_dir = base / "releases", base / "index"
    shutil.copytree(RELEASES, corpus)
    report = sync([corpus], index_dir, encoder=real_encoder)
    assert not report.failed, report.failed
    args = ["--index", str(index_dir), "--corpus", str(corpus)]
    with serve_app(args, base / "app.log") as url:
        yield url, corpus


@pytest.fixture(scope="module")
def page(chromium, server):
    url, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(url)
        page.wait_for_selector("#question textarea")
        yield page
        browser.close()


# -- helpers ---------------------------------------------------------------------------------
def _results_replaced(page, action) -> str:
    """Run ``action`` and wait until the results panel shows new content; return its text."""
    page.evaluate(
        "document.querySelectorAll('#results .pr-results, #results .pr-msg')"
        ".forEach(e => e.setAttribute('data-stale', '1'))"
    )
    action()
    page.wait_for_selector("#results :is(.pr-results, .pr-msg):not([data-stale])", state="attached")
    return page.locator("#results").inner_text()


def _ask(page, question: str) -> str:
    box = page.locator("#question textarea")
    box.fill(question)
    return _results_replaced(page, lambda: box.press("Enter"))


def _cell(page, text: str):
    """The visible table cell showing ``text`` (the data grid keeps hidden copies)."""
    return page.locator("#library").get_by_text(text).filter(visible=True).first


def _row_locator(page):
    return page.locator("#library [role=row]").filter(visible=True)


def _rows(page) -> list[str]:
    """The text of the library table's visible data rows, top to bottom."""
    return [t for t in _row_locator(page).all_inner_texts() if not t.startswith("Headline")]


def _sort_by_header(page, column: str, order: str) -> None:
    """Click a library column's header (the text, not its menu) and wait for the arrow."""
    header = page.locator("#library th", has_text=column).filter(visible=True).first
    header.locator(".header-content").click()
    expect(header.locator(".sort-indicator")).to_have_attribute("aria-label", f"Sorted {order}")


def _report_line(page, report: str, start: str):
    """The line of a report that starts with ``start`` (a report's lines, not its hints:
    "Releases outside that folder are never removed" is no removal)."""
    return page.locator(f"{report} .pr-line").filter(has_text=re.compile(rf"^\W*{start}"))


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


# -- the session -----------------------------------------------------------------------------
def test_page_offers_examples_from_the_corpus(page):
    assert page.title() == "Pressroom"
    assert page.get_by_role("button", name=ENROLL).is_visible()
    _shot(page, "01-start")


def test_ask_shows_the_cited_answer_first(page):
    text = _ask(page, "What doses does the imaging trial test?")
    card = page.locator(".pr-answer-card")
    assert card.is_visible()
    answer = card.locator(".pr-answer mark").inner_text()
    assert "5 mCi and 7.5 mCi" in answer
    cite = card.locator(".pr-cite").inner_text()
    assert "[1]" in cite and "Mar 4, 2014" in cite and "CLRB" in cite
    first = page.locator("#pr-src-1")
    assert "7.5 mCi" in first.locator(".pr-passage mark").inner_text()
    assert "Sources" in text and "score" in first.inner_text()
    _shot(page, "02-answer")


def test_an_unsure_answer_shows_as_a_possible_answer(page):
    # the answer model picks the sentence naming CPDC at about 40% confidence: between
    # possible_at and answerable_at the card says so instead of claiming it
    _ask(page, "Who manufactures CLR 131?")
    card = page.locator(".pr-possible-card")
    assert card.is_visible() and not page.locator(".pr-answer-card").is_visible()
    assert "possible answer" in card.inner_text().lower()
    assert "CPDC" in card.locator(".pr-answer mark").inner_text()
    assert "CPDC" in page.locator("#pr-src-1 .pr-passage mark").inner_text()


def _download(page, label: str) -> tuple[str, str]:
    """Click a download link of the results; (suggested file name, content)."""
    with page.expect_download() as info:
        page.locator("#results a.pr-download", has_text=label).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_text(encoding="utf-8")


def test_results_download_as_csv_json_and_markdown(page):
    _ask(page, ENROLL)
    cards = page.locator("#results article.pr-hit").count()
    assert cards >= 2
    name, text = _download(page, "CSV")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert name == "pressroom-how-many-patients-will-the-glioblastoma-imaging-trial-enroll.csv"
    assert len(rows) == cards and rows[0]["question"] == ENROLL
    assert "36" in rows[0]["answer"] and rows[0]["date"] == "2014-03-04"
    first = page.locator("#pr-src-1 .pr-passage").inner_text()
    assert " ".join(rows[0]["passage"].split()) == " ".join(first.split())
    name, text = _download(page, "JSON")
    assert name.endswith(".jsonl")
    objects = [json.loads(line) for line in text.splitlines()]
    assert len(objects) == cards and objects[0]["answer"] == rows[0]["answer"]
    name, text = _download(page, "Markdown")
    assert name.endswith(".md") and text.startswith(f"# {ENROLL}")
    assert text.count("\n   > ") == cards


def test_copy_citation_puts_the_sources_citation_on_the_clipboard(page, server):
    url, _ = server
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    button = page.locator("#pr-src-1 button.pr-copy")
    button.click()
    expect(button).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    title = page.locator("#pr-src-1 .pr-title").inner_text()
    assert copied.startswith(title)
    assert "Cellecstar Biosciences, Inc. (OTCQX:CLRB), March 4, 2014." in copied  # as spelt
    assert "File: 2014-03-04-cellectar-phase-2-imaging-trial-glioblastoma.txt." in copied
    assert page.locator("#pr-src-1 a.pr-link").count() == 0  # this release names no link


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def test_keys_reach_the_question_and_walk_the_sources(page):
    page.locator("body").click(position={"x": 5, "y": 5})  # nothing focused
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.closest('#question') !== null")
    assert page.locator("#question textarea").input_value() == ENROLL  # "/" was not typed
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    assert _focused(page) == "pr-src-1"
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert _focused(page) == "pr-src-3"
    page.keyboard.press("k")
    assert _focused(page) == "pr-src-2"
    release = page.locator("#pr-src-2 details.pr-release")
    page.keyboard.press("o")
    expect(page.locator("#pr-src-2 .pr-release-text")).to_be_visible()
    assert release.evaluate("d => d.open")
    page.keyboard.press("Enter")
    assert not release.evaluate("d => d.open")
    page.keyboard.press("ArrowUp")
    assert _focused(page) == "pr-src-1"
    page.keyboard.press("c")
    expect(page.locator("#pr-src-1 button.pr-copy")).to_have_text("Copied")
    assert "Keys:" in page.locator("#results .pr-keys").inner_text()


def test_open_release_shows_the_passage_in_place(page):
    hit = page.locator("#pr-src-1")
    hit.get_by_text("Open release").click()
    box = hit.locator(".pr-release-text")
    box.wait_for(state="visible")
    full = box.inner_text()
    assert "MADISON, Wis." in full and len(full) > len(hit.locator(".pr-passage").inner_text())
    mark, frame = box.locator("mark.pr-anchor"), box.bounding_box()
    spot = mark.bounding_box()
    assert "36" in mark.inner_text()
    assert frame["y"] <= spot["y"] <= frame["y"] + frame["height"]  # scrolled into view
    assert box.locator(".pr-in-passage").count() >= 1
    _shot(page, "03-release")
    hit.get_by_text("Hide release").click()
    second = page.locator("#pr-src-2")  # a passage further down its release
    second.get_by_text("Open release").click()
    box = second.locator(".pr-release-text")
    box.wait_for(state="visible")
    frame, spot = box.bounding_box(), box.locator("mark.pr-anchor").bounding_box()
    assert frame["y"] <= spot["y"] <= frame["y"] + frame["height"]
    second.get_by_text("Hide release").click()


def test_date_filter_keeps_only_later_releases(page):
    page.locator("#date-from input, #date-from textarea").first.fill("2015-01-01")
    _results_replaced(page, lambda: page.locator("#ask").click())
    dates = page.locator("#results .pr-date").evaluate_all("els => els.map(e => e.title)")
    assert dates and all(d.startswith("2016") for d in dates)
    _shot(page, "04-filtered")
    _results_replaced(page, lambda: page.get_by_role("button", name="Clear filters").click())
    assert page.locator("#date-from input, #date-from textarea").first.input_value() == ""


def test_question_nothing_answers_is_labelled(page):
    text = _ask(page, "What is Pfizer's 2030 revenue target?")
    assert "no answer found" in text.lower() and "not answers" in text
    assert page.locator(".pr-answer-card").count() == 0
    assert page.locator(".pr-hit-weak").count() >= 1
    _shot(page, "05-no-answer")


def test_bad_filter_is_a_short_message(page):
    date_to = page.locator("#date-to input, #date-to textarea").first
    date_to.fill("2015-13-45")
    text = _results_replaced(page, lambda: date_to.press("Enter"))
    assert "Check the filters" in text and "Traceback" not in text
    _shot(page, "06-error")
    date_to.fill("")


def test_library_lists_releases_and_index_status(page):
    _tab(page, "Library")
    table = page.locator("#library")
    _cell(page, "Cellectar Biosciences Announces Partnership").wait_for()
    assert "2014-03-04" in table.inner_text() and "2016-11-28" in table.inner_text()
    status = page.locator("#status").inner_text()
    assert "RELEASES" in status.upper() and "all-MiniLM-L6-v2" in status
    assert page.locator("#status .pr-stat-v").first.inner_text() == "2"
    _shot(page, "07-library")
    _sort_by_header(page, "Date", "ascending")
    assert _rows(page)[0].startswith("Cellecstar Announces Initiation")  # 2014 first
    _sort_by_header(page, "Date", "descending")
    assert _rows(page)[0].startswith("Cellectar Biosciences Announces Partnership")
    _sort_by_header(page, "Chunks", "ascending")  # 12 chunks, then 13: one sort at a time
    assert _rows(page)[0].startswith("Cellectar Biosciences Announces Partnership")
    _sort_by_header(page, "Chunks", "descending")
    assert _rows(page)[0].startswith("Cellecstar Announces Initiation")
    search = page.locator("#library input.search-input")
    search.fill("glioblastoma")
    expect(_row_locator(page)).to_have_count(2)  # the header and one release
    assert "Glioblastoma" in _rows(page)[0]
    search.fill("")
    expect(_row_locator(page)).to_have_count(3)


def test_upload_is_searchable_then_removable(page, server, tmp_path):
    _, corpus = server
    release = tmp_path / "Zentrix ZEN-22 enrollment (final).txt"
    release.write_text(ZENTRIX_RELEASE, encoding="utf-8")
    blank = tmp_path / "blank.md"  # accepted by type, but has no text to index
    blank.write_text("   \n\n  \n", encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files([str(release), str(blank)])
    report = page.locator("#upload-report")
    _report_line(page, "#upload-report", "Added Zentrix").wait_for(timeout=60_000)
    assert "✗ blank.md" in report.inner_text() and "Traceback" not in report.inner_text()
    assert (
        "Zentrix ZEN-22 enrollment (final).txt was saved as Zentrix-ZEN-22-enrollment-final.txt"
        in report.inner_text()
    )
    saved = corpus / "Zentrix-ZEN-22-enrollment-final.txt"
    assert saved.read_text(encoding="utf-8") == ZENTRIX_RELEASE
    assert not (corpus / "blank.md").exists()
    page.locator("#status .pr-stat-v", has_text="3").first.wait_for()
    _cell(page, "Zentrix Therapeutics Completes").wait_for()
    _shot(page, "08-uploaded")

    _tab(page, "Ask")
    text = _ask(page, ZENTRIX_QUESTION)
    first = page.locator("#pr-src-1")
    # the passage holds the answer; the answer model's sentence is "enrolled patients at
    # 58 sites" (logit 6.3 against 5.4 for the lead's "enrolled 417 patients"): a known miss
    assert "Zentrix" in first.inner_text() and "417" in first.inner_text()
    assert "ZEN-22" in page.locator(".pr-answer-card").inner_text()
    assert first.locator("a.pr-link").get_attribute("href") == ZENTRIX_URL
    first.locator("button.pr-copy").click()
    expect(first.locator("button.pr-copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"Source: {ZENTRIX_URL}")
    _shot(page, "09-new-release-answer")

    _tab(page, "Library")
    _cell(page, "Zentrix-ZEN-22-enrollment-final.txt").click()
    chosen = page.locator("#remove-choice input")
    page.wait_for_function(
        "() => document.querySelector('#remove-choice input').value.includes('Zentrix')"
    )
    assert "Zentrix" in chosen.input_value()
    page.locator("#remove").click()
    _report_line(page, "#remove-report", "Removed Zentrix").wait_for(timeout=60_000)
    assert not saved.exists()
    trashed = list((corpus / ".trash").rglob(saved.name))
    assert [p.read_text(encoding="utf-8") for p in trashed] == [ZENTRIX_RELEASE]
    page.locator("#status .pr-stat-v", has_text="2").first.wait_for()
    assert "Zentrix" not in page.locator("#library").inner_text()
    _shot(page, "10-removed")

    page.locator("#undo").click()  # it was a mistake
    _report_line(page, "#remove-report", "Restored Zentrix").wait_for(timeout=60_000)
    assert saved.read_text(encoding="utf-8") == ZENTRIX_RELEASE
    page.locator("#status .pr-stat-v", has_text="3").first.wait_for()
    _cell(page, "Zentrix Therapeutics Completes").wait_for()
    expect(page.locator("#undo")).to_be_hidden()  # nothing left to undo

    _cell(page, "Zentrix-ZEN-22-enrollment-final.txt").click()
    page.wait_for_function(
        "() => document.querySelector('#remove-choice input').value.includes('Zentrix')"
    )
    page.locator("#remove").click()  # removed for good this time
    _report_line(page, "#remove-report", "Removed Zentrix").wait_for(timeout=60_000)
    page.locator("#status .pr-stat-v", has_text="2").first.wait_for()
    expect(page.locator("#undo")).to_be_visible()

    _tab(page, "Ask")
    text = _ask(page, ZENTRIX_QUESTION)
    assert "Zentrix" not in text and "417" not in text


# -- the login page ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def auth_server(chromium, tmp_path_factory, real_index):
    log = tmp_path_factory.mktemp("auth") / "app.log"
    with serve_app(["--index", str(real_index), "--auth", "desk:s3cret"], log) as url:
        yield url


def test_login_page_is_branded_and_keeps_the_username_after_a_wrong_password(page, auth_server):
    login = page.context.browser.new_page(viewport={"width": 1000, "height": 700})
    try:
        login.goto(auth_server)
        heading = login.get_by_role("heading", name="Sign in to Pressroom")
        heading.wait_for()
        expect(login).to_have_title("Pressroom · Sign in")
        assert "search the press releases" in login.locator("gradio-app").inner_text()
        user, password = login.locator("input[type=text]"), login.locator("input[type=password]")
        user.fill("desk")
        password.fill("wrong")
        login.get_by_role("button", name="Login").click()
        login.get_by_text("Incorrect Credentials").wait_for()
        expect(login.locator("input[type=text]")).to_have_value("desk")  # kept
        _shot(login, "12-login-failed")
        login.locator("input[type=password]").fill("s3cret")
        login.get_by_role("button", name="Login").click()  # the kept username signs in
        login.wait_for_selector("#question textarea")
        assert login.title() == "Pressroom"
    finally:
        login.close()


# -- a bigger upload, last: it leaves its releases in the library -----------------------------
_WATCH_PROGRESS = """() => {
  window.__progress = [];
  const report = document.querySelector('#upload-report');
  new MutationObserver(() => {
    const bar = report.querySelector('.progress-level-inner');
    if (!bar || !bar.innerText.trim()) return;
    const message = report.querySelector('.pr-msg');
    window.__progress.push([bar.innerText.trim(), message ? message.innerText.trim() : '']);
  }).observe(report, {subtree: true, childList: true, characterData: true});
}"""


def _releases(folder: Path, n: int) -> list[str]:
    """``n`` releases of a dozen paragraphs each, no two sentences alike (so that every
    chunk is embedded: identical texts would be embedded once)."""
    import random

    rng = random.Random(17)
    words = "trial patients dose cohort endpoint safety data study phase enrolled sites".split()
    paths = []
    for i in range(n):
        paragraphs = [
            " ".join(f"{rng.choice(words)}{rng.randrange(10_000)}" for _ in range(70)) + "."
            for _ in range(12)
        ]
        path = folder / f"Orbis-update-{i}.txt"
        path.write_text(
            f"Orbis Bio Reports Update {i}\n\nBOSTON, May {i + 1}, 2024 -- Orbis Bio, Inc. "
            "today reported an update.\n\n" + "\n\n".join(paragraphs) + "\n",
            encoding="utf-8",
        )
        paths.append(str(path))
    return paths


def test_upload_progress_moves_while_embedding_and_covers_no_text(page, tmp_path):
    _tab(page, "Library")
    page.evaluate(_WATCH_PROGRESS)
    page.locator("#upload input[type=file]").set_input_files(_releases(tmp_path, 6))
    _report_line(page, "#upload-report", "Added 6 files").wait_for(timeout=120_000)
    report = page.locator("#upload-report").inner_text()
    assert "more" not in report and all(f"Orbis-update-{i}.txt" in report for i in range(6))
    seen = page.evaluate("window.__progress")
    # until the report replaces it, the bar is drawn over an empty box
    working = list(itertools.takewhile(lambda record: record[1] == "", seen))
    assert len(working) >= len(seen) - 2  # the last frames may show the report arriving
    expect(page.locator("#upload-report .progress-level-inner")).to_have_count(0)
    embedding = [
        (int(m[1]), int(m[2]))
        for text, _ in working
        if (m := re.search(r"6/6 files parsed · (\d+)/(\d+) chunks embedded", text))
    ]
    assert any(0 < done < total for done, total in embedding), seen
    _shot(page, "11-bigger-upload")


# -- saved searches and alerts, after the uploads above -----------------------------------------
FAST_TRACK_QUESTION = "Which drug received FDA Fast Track designation?"
FAST_TRACK_RELEASE = """\
Acme Therapeutics Receives FDA Fast Track Designation for ACM-101 in Glioblastoma

BOSTON, May 2, 2024 -- Acme Therapeutics, Inc. (NASDAQ: ACME) today announced that the U.S.
Food and Drug Administration (FDA) has granted Fast Track designation to ACM-101, its lead
antibody candidate for the treatment of recurrent glioblastoma.

"We look forward to working closely with the FDA as we advance ACM-101 into a Phase 2 study
later this year," said Jane Doe, Chief Executive Officer of Acme Therapeutics.

About Acme Therapeutics
Acme Therapeutics, Inc. is a clinical-stage biotechnology company based in Boston.
"""
PLANT_RELEASE = """\
Acme Therapeutics Opens New Manufacturing Plant in Ohio

COLUMBUS, Ohio, June 10, 2024 -- Acme Therapeutics, Inc. (NASDAQ: ACME) today opened a
manufacturing plant in Columbus, Ohio, that will employ 250 people at full capacity in 2026.
"""


def test_a_saved_search_shows_a_badge_when_an_upload_answers_it(page, tmp_path):
    _tab(page, "Ask")
    page.locator("#question textarea").fill(FAST_TRACK_QUESTION)
    page.locator("#save-search").click()
    expect(page.locator("#save-report")).to_contain_text(f"{FAST_TRACK_QUESTION}.")
    expect(page.get_by_role("tab", name="Alerts", exact=True)).to_be_visible()  # none yet

    _tab(page, "Library")
    answers, other = tmp_path / "acme-fast-track.txt", tmp_path / "acme-plant.txt"
    answers.write_text(FAST_TRACK_RELEASE, encoding="utf-8")
    other.write_text(PLANT_RELEASE, encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files([str(answers), str(other)])
    _report_line(page, "#upload-report", "1 new alert").wait_for(timeout=120_000)
    badge = page.get_by_role("tab", name="Alerts (1)")
    expect(badge).to_be_visible()
    _shot(page, "13-alert-badge")

    badge.click()
    cards = page.locator("#alerts .pr-alert")
    expect(cards).to_have_count(1)  # the plant release answers nothing of the question
    card = cards.first
    assert "Acme Therapeutics Receives FDA Fast Track Designation" in card.inner_text()
    sentence = card.locator(".pr-passage mark").inner_text()
    # the highlighted sentence names the drug and the designation (the headline or the lead)
    assert "ACM-101" in sentence and "Fast Track" in sentence
    assert "May 2, 2024" in card.inner_text() and "NEW" in card.inner_text().upper()
    card.locator("details.pr-release summary").click()
    expect(card.locator(".pr-release-text .pr-anchor")).to_contain_text("ACM-101")
    _shot(page, "14-alerts-tab")

    page.locator("#mark-seen").click()
    expect(page.locator("#alerts-report")).to_contain_text("Marked 1 alert seen.")
    expect(page.get_by_role("tab", name="Alerts", exact=True)).to_be_visible()
    expect(page.locator("#alerts .pr-new")).to_have_count(0)

    page.locator("#saved-searches input").click()
    page.get_by_role("option", name=f"#1 {FAST_TRACK_QUESTION}").click()
    page.locator("#delete-search").click()
    expect(page.locator("#alerts-report")).to_contain_text("Deleted saved search #1")
    expect(page.locator("#alerts")).to_contain_text("No saved search yet")


@pytest.fixture(scope="module")
def login_server(chromium, tmp_path_factory, real_index):
    """The app with a login over its own copy of the index: (url, index folder)."""
    base = tmp_path_factory.mktemp("login-alerts")
    index_dir = base / "index"
    shutil.copytree(real_index, index_dir)
    with serve_app(["--index", str(index_dir), "--auth", "desk:s3cret"], base / "app.log") as url:
        yield url, index_dir


def test_with_a_login_a_saved_search_is_the_logins(page, login_server):
    from qa.alerts import searches

    url, index_dir = login_server
    desk = page.context.browser.new_page(viewport={"width": 1200, "height": 800})
    try:
        desk.goto(url)
        desk.locator("input[type=text]").fill("desk")
        desk.locator("input[type=password]").fill("s3cret")
        desk.get_by_role("button", name="Login").click()
        desk.wait_for_selector("#question textarea")
        desk.locator("#question textarea").fill(FAST_TRACK_QUESTION)
        desk.locator("#save-search").click()
        expect(desk.locator("#save-report")).to_contain_text("Saved search #1")
        desk.get_by_role("tab", name="Alerts", exact=True).click()
        expect(desk.locator("#alerts")).to_contain_text("No alert yet for your 1 saved search")
    finally:
        desk.close()
    assert [(s.user, s.question) for s in searches(index_dir, user=None)] == [
        ("desk", FAST_TRACK_QUESTION)
    ]
