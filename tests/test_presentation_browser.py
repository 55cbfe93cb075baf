"""What a reader sees, measured in Chromium at 1280 and 390 px: colours that agree, charts that are not
cut off and can be read, controls that cover no text, tables that fit a phone.
Screenshots go to test-artifacts/ (look at them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from logbook.build import build
from logbook.core.models import DEFAULT_STATUSES
from logbook.core.palette import status_colours
from support.books import REPO, SAMPLE
from support.browser import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.browser

ARTEFACTS = REPO / "test-artifacts"
SCENARIO = Path(__file__).parent / "fixtures" / "packet-scenario"
AS_OF = "2026-11-22"


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    built = {}
    for name, source in (("sample", SAMPLE), ("scenario", SCENARIO)):
        out = tmp_path_factory.mktemp(name) / "site"
        assert build(source, out, as_of=AS_OF).published
        built[name] = out
    ARTEFACTS.mkdir(exist_ok=True)
    return built


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str, width: int):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(url)
    return page


COLOURS = """() => {
  const out = {};
  const get = (selector, property) => [...document.querySelectorAll(selector)].map(e => getComputedStyle(e)[property]);
  for (const status of %s) {
    out[status] = {pill: get('.badge.status-' + status, 'color'), bar: get('svg rect.status-' + status, 'fill'),
                   swatch: get('.swatch.status-' + status, 'backgroundColor')};
  }
  return out;
}"""


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_each_status_has_one_colour_in_pills_charts_and_legends(sites, browser):
    expected = dict(status_colours(DEFAULT_STATUSES))
    assert len(set(expected.values())) == len(expected)  # one colour per status, no two alike
    page = open_page(browser, (sites["sample"] / "index.html").as_uri(), 1280)
    seen = page.evaluate(COLOURS % list(DEFAULT_STATUSES))
    for status, places in seen.items():
        assert places["pill"] and places["bar"] and places["swatch"], (status, places)
        assert set(places["pill"] + places["bar"] + places["swatch"]) == {rgb(expected[status])}, (status, places)
    case = open_page(browser, (sites["sample"] / "cases/GT-1042/index.html").as_uri(), 1280)
    for status, places in case.evaluate(COLOURS % list(DEFAULT_STATUSES)).items():
        assert set(places["pill"]) <= {rgb(expected[status])}, status  # the status history's pills too
    page.screenshot(path=str(ARTEFACTS / "dashboard-1280.png"), full_page=True)


CHART_TEXT = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const box = svg.viewBox.baseVal, scale = svg.getBoundingClientRect().width / box.width;
  return [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBBox();
    return {chart: svg.getAttribute('aria-labelledby'), text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale,
            inside: b.x >= box.x - 0.5 && b.y >= box.y - 0.5 && b.x + b.width <= box.x + box.width + 0.5 && b.y + b.height <= box.y + box.height + 0.5};
  });
})"""


def test_chart_labels_are_readable_and_never_cut_off_at_1280(sites, browser):
    page = open_page(browser, (sites["sample"] / "index.html").as_uri(), 1280)
    texts = page.evaluate(CHART_TEXT)
    assert len(texts) > 40
    assert [t for t in texts if not t["inside"]] == []  # nothing drawn past the chart's edge
    assert [t for t in texts if t["px"] < 11] == []
    legend = page.evaluate("""() => [...document.querySelectorAll('.chart-figure .legend li')].map(li => {
        const r = li.getBoundingClientRect(), f = li.closest('figure').getBoundingClientRect();
        return [li.textContent, r.width > 0 && r.left >= f.left && r.right <= f.right + 0.5];
    })""")
    assert legend == [[status, True] for status in DEFAULT_STATUSES]
    data = page.locator(".chart-figure details table").count()
    assert data == page.locator("svg.chart").count() == 5  # every chart keeps its data table


OVERLAPS = """() => [...document.querySelectorAll('button.copy-link')].map(button => {
  const heading = button.closest('article').querySelector('h3');
  const range = document.createRange(); range.selectNodeContents(heading);
  const b = button.getBoundingClientRect();
  const hit = [...range.getClientRects()].some(r => r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom);
  const visible = b.width > 0 && b.left >= 0 && b.right <= document.documentElement.clientWidth;
  return [heading.id, hit, visible];
})"""


@pytest.mark.parametrize("width", [1280, 390])
def test_copy_link_buttons_cover_no_heading_text(sites, browser, width):
    for name, case in (("sample", "GT-1042"), ("scenario", "SM-5521")):
        page = open_page(browser, (sites[name] / f"cases/{case}/index.html").as_uri(), width)
        found = page.evaluate(OVERLAPS)
        assert len(found) == page.locator("article.entry").count() > 5
        assert [f for f in found if f[1] or not f[2]] == [], f"{case} at {width} px"
        # its name is the text it shows (WCAG 2.5.3: a voice user says what they see); the entry describes it
        assert page.get_by_role("button", name="Copy link", exact=True).count() == len(found)
        described = page.evaluate("""() => [...document.querySelectorAll('button.copy-link')].every(b =>
            document.getElementById(b.getAttribute('aria-describedby')).tagName === 'H3')""")
        assert described
        if width == 390:
            page.screenshot(path=str(ARTEFACTS / f"phone-{case}.png"), full_page=True)


HIDDEN_SCROLL = """() => [...document.querySelectorAll('.table-scroll, table')].filter(e => e.offsetParent !== null)
  .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => (e.getAttribute('aria-label') || e.className) + ': ' + e.scrollWidth + ' > ' + e.clientWidth)"""


def test_wide_tables_fit_a_phone_without_sideways_scrolling(sites, browser):
    for name, path in (
        ("sample", "cases/GT-1042/index.html"),
        ("sample", "cases/HV-318/index.html"),
        ("scenario", "cases/SM-5521/index.html"),
        ("sample", "index.html"),
    ):
        page = open_page(browser, (sites[name] / path).as_uri(), 390)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # the charts' data too
        assert page.evaluate(HIDDEN_SCROLL) == [], path
        cells = page.evaluate("""() => [...document.querySelectorAll('table.promises td')].map(td =>
            getComputedStyle(td, '::before').content)""")
        assert path == "index.html" or {'"Promise: "', '"By: "', '"Due: "', '"State: "'} <= set(cells), path
    page.screenshot(path=str(ARTEFACTS / "phone-dashboard.png"), full_page=True)
