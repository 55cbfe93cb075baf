"""The reload channel reaching a real page: headless Chromium watching `logbook serve`."""

import shutil

import pytest

from support.books import FIXTURES, REPO
from support.browser import browser_page, wait_until
from support.serving import ServeProcess

pytestmark = [pytest.mark.browser, pytest.mark.serve]

ARTEFACTS = REPO / "test-artifacts"


def test_page_reloads_after_a_save_and_shows_then_clears_the_error_overlay(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "forms-bundle", book)
    server = ServeProcess(book, "--as-of", "2026-04-10")
    try:
        with browser_page() as page:
            page.goto(server.url + "cases/CASE-1/index.html")
            wait_until(page, "window.__logbookState && window.__logbookState.generation === 1")
            page.evaluate("window.__marker = 'before-reload'")
            target = book / "cases/CASE-1/a.md"
            original = target.read_text()
            target.write_text(original.replace("Please refund me.", "Please refund me, RELOADED."))
            page.wait_for_selector("text=Please refund me, RELOADED.", timeout=15000)
            assert page.evaluate("window.__marker") is None  # a real reload, not a patch of the old page
            assert page.evaluate("window.__logbookState.generation") == 2

            target.write_text(original.replace("channel: email", "channel: emial"))
            overlay = page.wait_for_selector("#logbook-overlay", timeout=15000)
            assert "a.md:4:10: error[unknown-channel]" in overlay.inner_text()
            assert page.is_visible("text=Please refund me, RELOADED.")  # the last good page stays
            ARTEFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / "serve-error-overlay.png"))

            target.write_text(original)
            page.wait_for_selector("text=Please refund me.", timeout=15000)
            wait_until(page, "window.__logbookState && window.__logbookState.ok")
            assert page.query_selector("#logbook-overlay") is None
    finally:
        server.stop()
