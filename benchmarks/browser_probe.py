"""What a built site costs its reader, measured in Debian's Chromium from ``file://``.

    python benchmarks/browser_probe.py SITE [--order NUMBER] [--word refund] [--phrase "refund promised"]
        [--runs 3] [--label M] [--pagefind HUGO_SITE]

For three searches (an order number, found in the site's first case page unless given; a common
word; a two-word phrase): the bytes the search page loaded (the page, its CSS and scripts, the
index files), the time from submitting the query to the first result drawn and to the first page of
results complete (each a new browser context, so nothing is cached; the median of ``--runs``).
Then the search page's weight before any query, the largest page's bytes and DOM nodes, and the
load times of the dashboard and the timeline.  Prints a Markdown table.

``--pagefind`` runs the same three searches with Pagefind over a site it indexed (Hugo's build of
the same corpus, see run.py), served over HTTP by Python's http.server (Pagefind cannot run from
``file://``): its JavaScript API's search, then the data of the first ten results, as its UI shows
them; the time counts from the import of ``pagefind.js``, so its start-up is included.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

CHROMIUM = "/usr/bin/chromium"
LOAD_TIMEOUT = 180  # seconds
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
WATCH = """() => {
  const list = document.getElementById('search-results');
  window.__probe = {};
  new MutationObserver(() => {
    const now = performance.now();
    if (!window.__probe.first && list.querySelector('li')) window.__probe.first = now;
    if (!window.__probe.done && list.getAttribute('data-complete') === 'true') window.__probe.done = now;
  }).observe(list, {childList: true, attributes: true});
}"""
SUBMIT = """(query) => {
  document.getElementById('search-input').value = query;
  window.__probe.start = performance.now();
  document.getElementById('search-form').requestSubmit();
}"""


def local_size(url: str) -> int:
    path = Path(unquote(urlparse(url).path))
    return path.stat().st_size if path.is_file() else 0


def an_order_number(site: Path) -> str:
    """The first order-like reference (two or more capitals, a dash, four or more digits) in the first
    case page that has one."""
    for page in sorted((site / "cases").glob("*/index.html")):
        found = re.search(r"\b[A-Z]{2,5}-\d{4,}\b", page.read_text(encoding="utf-8"))
        if found:
            return found[0]
    raise SystemExit(f"no order number found in {site}/cases: give one with --order")


def search_once(browser: object, site: Path, query: str) -> dict[str, float]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    page.goto((site / "search/index.html").as_uri())
    page.wait_for_load_state("load")
    up_front = sum(local_size(url) for url in loaded)
    page.evaluate(WATCH)
    page.evaluate(SUBMIT, query)
    for _ in range(600):
        probe = page.evaluate("window.__probe")
        if probe.get("done"):
            break
        page.wait_for_timeout(10)
    else:
        raise SystemExit(f"search for {query!r} did not complete: {page.inner_text('#search-status')}")
    page.wait_for_timeout(50)  # a request finished after the last draw is still counted
    status = page.inner_text("#search-status")
    result = {
        "bytes": sum(local_size(url) for url in loaded),
        "scripts": sum(1 for url in loaded if "/search/" in url and url.endswith(".js")),
        "first": probe.get("first", probe["done"]) - probe["start"],
        "done": probe["done"] - probe["start"],
        "up_front": up_front,
        "results": float(status.split()[0].replace(",", "")) if status[:1].isdigit() else 0.0,
    }
    context.close()
    return result


PAGEFIND = """async (query) => {
  const start = performance.now();
  const pagefind = await import('/pagefind/pagefind.js');
  await pagefind.init();
  const search = await pagefind.search(query);
  const first = await search.results[0]?.data();
  const firstAt = performance.now();
  await Promise.all(search.results.slice(0, 10).map((result) => result.data()));
  return {first: firstAt - start, done: performance.now() - start, results: search.results.length, ok: !!first};
}"""


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


def pagefind_once(browser: object, root: str, folder: Path, query: str) -> dict[str, float]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{root}/index.html")
    page.wait_for_load_state("load")
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    result = page.evaluate(PAGEFIND, query)
    page.wait_for_timeout(50)
    context.close()
    size = sum((folder / unquote(urlparse(url).path).lstrip("/")).stat().st_size for url in loaded)
    return {"bytes": size, "scripts": len(loaded), **result}


def page_load(browser: object, page_path: Path) -> tuple[str, str]:
    """The time to the load event and the DOM's element count, as table cells (a page that has not
    loaded in LOAD_TIMEOUT seconds says so)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(page_path.as_uri(), timeout=LOAD_TIMEOUT * 1000)
        timing = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        nodes = page.evaluate("document.getElementsByTagName('*').length")
        return f"load {timing:,.0f} ms", f"{nodes:,} DOM nodes"
    except PlaywrightTimeout:
        return f"not loaded in {LOAD_TIMEOUT} s", "?"
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--order", help="an order number to search for (default: one from the site)")
    parser.add_argument("--word", default="refund")
    parser.add_argument("--phrase", default="refund promised")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="", help="a name for the site in the table (e.g. M)")
    parser.add_argument("--pagefind", type=Path, help="a site Pagefind indexed, searched the same way over HTTP")
    args = parser.parse_args()
    site = args.site.resolve()
    if not (site / "search/index.html").is_file():
        parser.error(f"{site} is not a built logbook site (no search/index.html)")
    from playwright.sync_api import sync_playwright

    queries = [("order number", args.order or an_order_number(site)), ("common word", args.word)]
    queries.append(("two-word phrase", args.phrase))
    pages = sorted(site.rglob("*.html"), key=lambda p: p.stat().st_size)
    label = f" ({args.label})" if args.label else ""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(f"| what{label} | results | bytes loaded | scripts | first result | complete |")
        print("|---|---:|---:|---:|---:|---:|")
        up_front = 0.0
        for name, query in queries:
            runs = [search_once(browser, site, query) for _ in range(args.runs)]
            median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            up_front = median["up_front"]
            print(
                f"| search {name} `{query}` | {median['results']:,.0f} | {median['bytes'] / 1024:,.0f} KB | "
                f"{median['scripts']:.0f} | {median['first']:,.0f} ms | {median['done']:,.0f} ms |"
            )
        print(f"| search page before a query | | {up_front / 1024:,.0f} KB | | | |")
        largest = pages[-1]
        load, nodes = page_load(browser, largest)
        print(
            f"| largest page `{largest.relative_to(site)}` | | {largest.stat().st_size / 1024:,.0f} KB | {nodes} | {load} | |"
        )
        for name, path in (("dashboard", "index.html"), ("timeline", "timeline/index.html")):
            load, nodes = page_load(browser, site / path)
            size = (site / path).stat().st_size
            print(f"| {name} | | {size / 1024:,.0f} KB | {nodes} | {load} | |")
        if args.pagefind:
            with served(args.pagefind.resolve()) as root:
                for name, query in queries:
                    runs = [pagefind_once(browser, root, args.pagefind.resolve(), query) for _ in range(args.runs)]
                    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
                    print(
                        f"| Pagefind over HTTP: {name} `{query}` | {median['results']:,.0f} | "
                        f"{median['bytes'] / 1024:,.0f} KB | {median['scripts']:.0f} files | "
                        f"{median['first']:,.0f} ms | {median['done']:,.0f} ms |"
                    )
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
