"""The evidence page in German and Chinese as Chromium shows it, at 1280 and 390 px: the page's language
reaches the script's words (the copy button, the search status), long German labels and Chinese text
fit a phone, and the screenshots (test-artifacts/, copied to docs/screenshots/ for the README) are
looked at."""

from __future__ import annotations

import shutil

import pytest

from logbook.build import build
from support.books import REPO
from support.browser import CHROMIUM_ARGS, chromium_path, wait_until

pytestmark = pytest.mark.browser

ARTEFACTS = REPO / "test-artifacts"
WORDS = {"de": ("Link kopieren", "Treffer", "Kündigung"), "zh-Hans": ("复制链接", "搜索结果", "退款")}


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    built = {}
    for code in WORDS:
        root = tmp_path_factory.mktemp(code) / "book"
        shutil.copytree(REPO / "sample_cases", root, ignore=shutil.ignore_patterns("_site"))
        toml = root / "logbook.toml"
        toml.write_text(toml.read_text().replace("[site]\n", f'[site]\nlanguage = "{code}"\n', 1))
        assert build(root, root.parent / "site", as_of="2026-12-01", cache=False).published
        built[code] = root.parent / "site"
    ARTEFACTS.mkdir(exist_ok=True)
    return built


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


OVERFLOW = """() => [...document.querySelectorAll('.table-scroll, table, h1, h2, dl, p')].filter(e => e.offsetParent !== null)
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className)"""


@pytest.mark.parametrize("code", sorted(WORDS))
@pytest.mark.parametrize("width", [1280, 390])
def test_evidence_page_in_language(sites, browser, code, width):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto((sites[code] / "cases/GT-1042/index.html").as_uri())
    assert page.evaluate("document.documentElement.lang") == code
    copy = WORDS[code][0]
    assert page.get_by_role("button", name=copy, exact=True).count() == page.locator("article.entry").count() > 5
    assert page.get_by_role("button", name="Copy link", exact=True).count() == 0
    assert page.evaluate(OVERFLOW) == []
    page.screenshot(path=str(ARTEFACTS / f"evidence-{code}-{width}.png"))


@pytest.mark.parametrize("code", sorted(WORDS))
def test_search_status_in_language(sites, browser, code):
    page = browser.new_context().new_page()
    page.goto((sites[code] / "search/index.html").as_uri() + "?q=GT-1042")
    wait_until(page, "document.querySelectorAll('#search-results li').length > 0")
    wait_until(page, "!document.getElementById('search-status').textContent.includes('…')")
    status = page.locator("#search-status").text_content() or ""
    assert WORDS[code][1] in status and "result" not in status, status


FILTER_WORDS = {
    "de": ("auf dieser Seite", "im ganzen Logbuch", "angezeigt"),
    "zh-Hans": ("本页", "整个记录中共", "显示"),
}


@pytest.mark.parametrize("code", sorted(WORDS))
def test_timeline_filter_counts_in_language(sites, browser, code):
    """The month page's filter count, counted across every month from the facet index, and the month's
    own count are the page's words, not the script's English."""
    page = browser.new_context().new_page()
    page.goto((sites[code] / "timeline/index.html").as_uri() + "?channel=email")
    here, everywhere, shown = FILTER_WORDS[code]
    wait_until(page, f"document.getElementById('filter-count').textContent.includes({everywhere!r})")
    text = page.locator("#filter-count").text_content() or ""
    assert here in text and "interactions" not in text and "whole logbook" not in text, text
    counter = page.locator(".month-count").first.text_content() or ""
    assert shown in counter and "shown" not in counter, counter
    assert page.locator("#month-nav .month-total").count() > 3
