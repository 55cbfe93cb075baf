"""A link checker for built sites: every relative href/src must reach a file, and every #fragment an id."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def parse_page(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> list[str]:
    pages = {p.relative_to(site).as_posix(): parse_page(p) for p in site.rglob("*.html")}
    problems = []
    for page, parsed in sorted(pages.items()):
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            if parts.scheme or link.startswith("//"):
                problems.append(f"{page}: non-relative link {link}")
                continue
            target = (
                page
                if not parts.path
                else posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
            )
            if target.startswith("..") or not (site / target).is_file():
                problems.append(f"{page}: {link} → missing {target}")
                continue
            if parts.fragment and target.endswith(".html") and parts.fragment not in pages[target].ids:
                problems.append(f"{page}: {link} → no id '{parts.fragment}' in {target}")
    return problems
