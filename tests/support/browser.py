"""Headless Chromium for tests, through Playwright, using the system's Chromium (Debian's package).

Playwright's own browser download is not used: .ci/run installs Chromium with apt-get.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager

from support import tiers

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    tiers.require("browser")
    path = os.environ.get("LOGBOOK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is needed for browser tests: apt-get install chromium (.ci/run does this)")
    return path


@contextmanager
def browser_page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def wait_until(page: object, expression: str, timeout: float = 15.0) -> None:
    """Poll *expression* in the page until it is true.  Not ``page.wait_for_function``: when its first
    check fails it polls by compiling the expression inside the page, which the site's
    Content-Security-Policy (no 'unsafe-eval') forbids; ``evaluate`` goes through the debugger."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):  # type: ignore[attr-defined]
                return
        except Error:  # the page is navigating (a reload): ask again
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)
