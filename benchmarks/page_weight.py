"""The weight of a built site's pages: the largest page's bytes and DOM nodes, and the dashboard's and
the timeline's.

    python benchmarks/page_weight.py SITE [--browser]

DOM nodes are elements, counted from the HTML (every start tag is one element: the pages write
``<tbody>`` and the other optional tags out, so the count is the browser's); ``--browser`` also
loads the dashboard, the timeline and the largest pages in Chromium from ``file://`` and counts
``document.getElementsByTagName('*')`` after the scripts ran, with the load time.
"""

from __future__ import annotations

import argparse
import json
import time
from html.parser import HTMLParser
from pathlib import Path


class _Counter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.elements += 1

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        self.elements += 1


def element_count(html: str) -> int:
    counter = _Counter()
    counter.feed(html)
    counter.close()
    return counter.elements


def page_weights(site: Path) -> dict[str, tuple[int, int]]:
    """Every HTML page of *site*: path → (bytes, elements)."""
    weights = {}
    for path in sorted(site.rglob("*.html")):
        data = path.read_bytes()
        weights[path.relative_to(site).as_posix()] = (len(data), element_count(data.decode("utf-8")))
    return weights


def report(site: Path) -> dict[str, object]:
    weights = page_weights(site)
    by_bytes = max(weights, key=lambda p: weights[p][0])
    by_nodes = max(weights, key=lambda p: weights[p][1])
    return {
        "pages": len(weights),
        "largest_bytes": [by_bytes, *weights[by_bytes]],
        "most_nodes": [by_nodes, *weights[by_nodes]],
        "dashboard": weights["index.html"],
        "timeline": weights["timeline/index.html"],
    }


def browser_report(site: Path, paths: list[str]) -> dict[str, tuple[int, float]]:
    """Elements after load and the load time (ms) of each page, in Debian's Chromium from file://."""
    import shutil

    from playwright.sync_api import sync_playwright

    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        for rel in paths:
            start = time.perf_counter()
            page.goto((site / rel).as_uri(), wait_until="load")
            elapsed = (time.perf_counter() - start) * 1000
            found[rel] = (page.evaluate("document.getElementsByTagName('*').length"), round(elapsed, 1))
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    args.site = args.site.resolve()
    found = report(args.site)
    if args.browser:
        paths = list(
            dict.fromkeys(["index.html", "timeline/index.html", found["largest_bytes"][0], found["most_nodes"][0]])
        )  # type: ignore[index]
        found["browser"] = browser_report(args.site, paths)
    print(json.dumps(found, indent=1))


if __name__ == "__main__":
    main()
