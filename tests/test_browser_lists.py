"""The list-question table and the Companies view in headless Chromium (Playwright).

One app process over a copy of ``tests/fixtures/lists`` (eight short releases: four
acquisitions, two funding rounds, an appointment, a warehouse opening) and a fresh index
built with the real model; the tests run in file order on one page. Screenshots go to
``tests/artifacts/``.
"""

from __future__ import annotations

import shutil

import pytest

from .conftest import ROOT, serve_app
from .test_browser import CHROMIUM, CHROMIUM_ARGS, _ask, _results_replaced, _shot, _tab

pytest.importorskip("playwright.sync_api", reason="playwright (the dev extra) is missing")
from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

LISTS = ROOT / "tests" / "fixtures" / "lists"
QUESTION = "Which companies announced acquisitions in 2025?"


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_encoder):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (`make browser-deps` installs Debian's chromium)")
    from index import sync

    base = tmp_path_factory.mktemp("browser-lists")
    corpus, index_dir = base / "releases", base / "index"
    shutil.copytree(LISTS, corpus)
    report = sync([corpus], index_dir, encoder=real_encoder)
    assert not report.failed, report.failed
    with serve_app(["--index", str(index_dir), "--corpus", str(corpus)], base / "app.log") as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(server)
        page.wait_for_selector("#question textarea")
        yield page
        browser.close()


def _companies(page) -> list[str]:
    return page.locator("#results .pr-list-company").all_inner_texts()


def test_a_list_question_is_answered_by_a_table_with_its_period_chip(page):
    text = _ask(page, QUESTION)
    rows = page.locator("#results .pr-list-row")
    expect(rows.first).to_be_visible()
    listed = set(_companies(page))  # the 2025 acquisitions the combiner lists (tests/test_lists.py)
    assert {"Northwind Logistics, Inc.", "Brightline Analytics, Inc."} <= listed
    assert listed <= {"Vela Foods Corp.", "Northwind Logistics, Inc.", "Brightline Analytics, Inc."}
    assert f"{len(listed)} releases answer" in text and "in 2025: 2025-01-01 to 2025-12-31" in text
    headers = page.locator("#results .pr-list-table th").all_inner_texts()
    assert headers == ["#", "Company", "Date", "Headline", "Answering sentence"]
    chip = page.locator("#period-chip")
    expect(chip).to_be_visible()
    assert "in 2025" in chip.inner_text()
    expect(page.locator("#list-more")).to_be_hidden()  # every row fits on the first page
    assert page.locator(".pr-answer-card").count() == 0  # a table, not a passage list
    _shot(page, "lists-01-table")


def test_a_row_opens_its_release_with_the_sentence_marked(page):
    row = page.locator("#results .pr-list-row", has_text="Northwind")
    row.locator("details.pr-release summary").click()
    box = row.locator(".pr-release-text")
    expect(box).to_be_visible()
    assert "Harbor Freight Systems" in box.locator("mark").inner_text()
    assert "About Northwind Logistics" in box.inner_text()  # the whole release
    _shot(page, "lists-02-opened")


def test_removing_the_chip_reruns_without_the_period(page):
    text = _results_replaced(page, lambda: page.locator("#period-chip").click())
    assert page.locator("#results .pr-list-row").count() >= 3
    assert "Orion Marine Group, Inc." in _companies(page)  # of 2024: listed without the period
    assert "Period read from the question" not in text
    expect(page.locator("#period-chip")).to_be_hidden()
    _shot(page, "lists-03-no-period")


def test_a_fact_question_still_gets_cited_passages(page):
    _ask(page, "How much did Vela Foods pay for GreenLeaf Bakeries?")
    expect(page.locator(".pr-answer-card")).to_be_visible()
    assert "$120 million" in page.locator(".pr-answer-card .pr-answer mark").inner_text().lower()
    assert page.locator("#results .pr-list-table").count() == 0
    expect(page.locator("#period-chip")).to_be_hidden()


def test_companies_view_shows_a_companys_releases_on_a_timeline(page):
    _tab(page, "Companies")
    box = page.locator("#timeline-company input")
    box.fill("Northwind")
    box.press("Enter")
    page.locator("#timeline-show").click()
    items = page.locator("#timeline .pr-timeline-item")
    expect(items).to_have_count(2)
    titles = page.locator("#timeline .pr-timeline-title").all_inner_texts()
    assert titles == [
        "Northwind Logistics Acquires Harbor Freight Systems to Expand West Coast Network",
        "Northwind Logistics Opens 400,000-Square-Foot Warehouse in Reno",
    ]  # newest first
    months = page.locator("#timeline .pr-timeline-month").all_inner_texts()
    assert months == ["May 2025", "Nov 2024"]
    assert "2 releases of Northwind" in page.locator("#timeline").inner_text()
    items.nth(1).locator("details.pr-release summary").click()
    opened = items.nth(1).locator(".pr-release-text")
    expect(opened).to_be_visible()
    assert "400,000-square-foot fulfillment warehouse" in opened.inner_text()
    _shot(page, "lists-04-timeline")
