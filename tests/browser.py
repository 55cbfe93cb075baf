"""Headless Chromium for tests, through Playwright, using the system's Chromium (Debian's package).

Playwright's own browser download is not used: .ci/run installs Chromium with apt-get.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from typing import Iterator

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str:
    path = os.environ.get("LOGBOOK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is needed for browser tests: apt-get install chromium (.ci/run does this)")
    return path


@contextmanager
def browser_page() -> Iterator["object"]:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()
