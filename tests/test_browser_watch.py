"""The app's watched releases folder in headless Chromium: the Library tab shows the
watcher, and a file saved into the folder (no upload) appears in the library, then leaves
it when deleted. One app process (watching is on by default) over a copy of the releases.
"""

from __future__ import annotations

import shutil

import pytest

from .conftest import RELEASES, serve_app

pytest.importorskip("playwright.sync_api", reason="playwright (the dev extra) is missing")
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from .test_browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    ZENTRIX_RELEASE,
    _cell,
    _row_locator,
    _shot,
    _tab,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def watched(tmp_path_factory, real_encoder):
    """The app over a fresh copy of the bundled releases, watching it: (page, corpus)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (`make browser-deps` installs Debian's chromium)")
    from index import sync

    base = tmp_path_factory.mktemp("watched")
    corpus, index_dir = base / "releases", base / "index"
    shutil.copytree(RELEASES, corpus)
    assert not sync([corpus], index_dir, encoder=real_encoder).failed
    args = ["--index", str(index_dir), "--corpus", str(corpus)]
    with serve_app(args, base / "app.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(url)
        page.wait_for_selector("#question textarea")
        yield page, corpus
        browser.close()


def test_library_shows_the_watcher_and_files_saved_into_the_folder(watched):
    page, corpus = watched
    _tab(page, "Library")
    panel = page.locator("#watch-status")
    expect(panel).to_contain_text(f"Watching {corpus}")
    expect(panel).to_contain_text("Last sync")  # the catch-up with the folder at start
    expect(_row_locator(page)).to_have_count(3)  # the header and the two releases

    saved = corpus / "zentrix-zen-22.txt"
    saved.write_text(ZENTRIX_RELEASE, encoding="utf-8")  # saved by hand, not uploaded
    _cell(page, "Zentrix Therapeutics Completes").wait_for()
    expect(panel).to_contain_text("added 1")
    page.locator("#status .pr-stat-v", has_text="3").first.wait_for()
    _shot(page, "watch-01-saved-into-the-folder")

    broken = corpus / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not a PDF at all")
    panel.locator(".pr-line-error", has_text="broken.pdf").first.wait_for()
    assert "Traceback" not in panel.inner_text()
    _shot(page, "watch-02-an-error")

    saved.unlink()
    expect(_row_locator(page)).to_have_count(3)
    assert "Zentrix" not in page.locator("#library").inner_text()
    page.locator("#status .pr-stat-v", has_text="2").first.wait_for()
