"""No pasted payload runs in a real browser, and no page ever contacts a third party."""

import json
from pathlib import Path

import pytest

from logbook.build import build
from support.books import write_tree
from support.browser import browser_page

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>alert('script-tag')</script>",
    "<img src=x onerror=\"alert('onerror')\">",
    "<svg onload=\"alert('svg-onload')\"></svg>",
    "<a href=\"javascript:alert('href')\">raw link</a>",
    "[md link](javascript:alert('md-js'))",
    "[upper](JAVASCRIPT:alert('upper'))",
    "[entity](jav&#x61;script:alert('entity'))",
    "[tab](java\tscript:alert('tab'))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YScpPC9zY3JpcHQ+)",
    "![data img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![pixel](https://tracker.example/pixel.gif?case=1)",
    '<img src="https://tracker.example/open.gif">',
    "[proto](//evil.example/x)",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{background:url(https://tracker.example/css.gif)}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert("svg-exhibit")</script></svg>'
HTML_ATTACHMENT = b"<html><body><script>alert('html-exhibit')</script></body></html>"


def hostile_logbook(root: Path) -> Path:
    field = json.dumps("<script>alert('field')</script>\" onmouseover=\"alert('attr')")
    body = "\n\n".join(PAYLOADS)
    return write_tree(
        root,
        {
            "cases/X-1/case.md": f"---\ntitle: {field}\nstatus: open\ncounterparty: {field}\nrefs: {{order: {field}}}\n"
            f"tags: [t1]\n---\n{body}\n",
            "cases/X-1/mail.md": f"---\nat: 2026-01-02 10:00Z\ntitle: {field}\nchannel: email\ndirection: in\n"
            f"agent: {field}\nsubject: {field}\nfrom: {field}\nref: {field}\n"
            f"promises:\n  - {{what: {field}, due: 2026-02-01, by: {field}}}\n"
            f"attachments:\n  - {{file: drawing.svg, caption: {field}}}\n  - page.html\n---\n{body}\n",
            "cases/X-1/drawing.svg": SVG,
            "cases/X-1/page.html": HTML_ATTACHMENT,
        },
    )


def test_no_payload_executes_and_nothing_remote_is_requested(tmp_path):
    root = hostile_logbook(tmp_path / "book")
    out = tmp_path / "site"
    result = build(root, out, as_of="2026-01-10")
    assert result.published, result.diagnostics
    pages = sorted(out.rglob("*.html"))
    exhibits = sorted((out / "cases/X-1/exhibits").iterdir())
    assert [p.name for p in exhibits] == ["1-drawing.svg.txt", "2-page.html.txt"]  # shown as text, never run
    dialogs, remote = [], []
    with browser_page() as page:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "request", lambda request: remote.append(request.url) if not request.url.startswith("file://") else None
        )
        for target in [*pages, *exhibits]:
            page.goto(target.as_uri())
            page.wait_for_timeout(50)
            for link in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
                assert not link.lower().lstrip().startswith(("javascript:", "data:", "vbscript:")), link
            if target.suffix == ".html":
                assert page.evaluate("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]') !== null")
        page.goto((out / "cases/X-1/index.html").as_uri())
        page.hover("h1")
        page.wait_for_timeout(100)
    assert dialogs == []
    assert remote == []


def test_content_security_policy_blocks_what_slips_through(tmp_path):
    """Defence in depth: even a script or remote image injected into a built page is blocked by its CSP."""
    root = write_tree(tmp_path / "book", {"cases/a.md": "---\ntitle: T\nstatus: open\n---\n"})
    out = tmp_path / "site"
    assert build(root, out, as_of="2026-01-10").published
    page_file = out / "cases/a/index.html"
    html = page_file.read_text()
    page_file.write_text(
        html.replace("</main>", "<script>alert('inline')</script><img src='https://tracker.example/p.gif'></main>")
    )
    dialogs, remote = [], []
    with browser_page() as page:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "requestfinished", lambda request: remote.append(request.url) if request.url.startswith("http") else None
        )
        page.goto(page_file.as_uri())
        page.wait_for_timeout(200)
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "flex"  # own CSS ok
    assert dialogs == [] and remote == []
