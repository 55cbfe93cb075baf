"""logbook build: the published site, its safety, determinism and atomicity."""

import os
from pathlib import Path

import pytest

from logbook.build import build
from logbook.site.publish import MARKER, PublishError
from support.books import SAMPLE, site_tree
from support.sitecheck import broken_links, parse_page

AS_OF = "2026-11-22"
CASE = "---\ntitle: T\nstatus: open\n---\n"


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "site"
    result = build(SAMPLE, out, as_of=AS_OF)
    assert result.published and result.diagnostics == ()
    return out


def test_sample_site_has_every_page(sample_site):
    files = set(site_tree(sample_site))
    for page in [
        "index.html",
        "cases/index.html",
        "timeline/index.html",
        "timeline/oldest/index.html",
        "tags/index.html",
        "tags/refund-delayed/index.html",
        "cases/GT-1042/index.html",
        "cases/SKY-PIR-12345/index.html",
        "cases/GT-1042/exhibits/1-rma-5521-label.pdf",
        "cases/GT-1042/exhibits/2-chat-2026-03-16.png",
        "assets/style.css",
        MARKER,
    ]:
        assert page in files, page


def test_sample_site_has_no_broken_internal_link(sample_site):
    assert broken_links(sample_site) == []


def test_sample_has_what_the_brief_requires():
    from logbook.load.stage import load_logbook

    logbook = load_logbook(SAMPLE).logbook
    interactions = [i for c in logbook.cases for i in c.interactions]
    assert len(logbook.cases) >= 6 and len(interactions) >= 50
    assert {c.form for c in logbook.cases} == {"bundle", "single"}
    assert {i.channel for i in interactions} == set(logbook.config.channels)
    assert {i.direction for i in interactions} == {"in", "out", "internal"}
    assert any(c.status == "closed" and c.summary for c in logbook.cases)
    offsets = {i.at.when.utcoffset() for c in logbook.cases if c.timezone == "America/New_York" for i in c.interactions}
    assert len(offsets) == 2  # both sides of the US DST change


def test_evidence_page_content(sample_site):
    html = (sample_site / "cases/GT-1042/index.html").read_text()
    assert "2026-03-30 09:40 CEST" in html and "2026-03-24 08:15 CET" in html  # the case's zone (docs/format.md)
    assert '<span class="state state-broken">broken</span>' in html
    assert "22 days 12 h late" in html  # refund promised by 23 March, issued 15 April 13:47
    digest = __import__("hashlib").sha256((SAMPLE / "cases/GT-1042/rma-5521-label.pdf").read_bytes()).hexdigest()
    assert digest in html
    assert '<img src="exhibits/2-chat-2026-03-16.png"' in html
    ids = parse_page(sample_site / "cases/GT-1042/index.html").ids
    assert {"e-20260302-1745", "e-20260414", "exhibit-1", "exhibit-2"} <= ids


def test_chronology_is_ordered_by_instant_across_zones(sample_site):
    import re
    from datetime import datetime
    from zoneinfo import ZoneInfo

    html = (sample_site / "cases/CP-5512/index.html").read_text()
    stamps = re.findall(r'<h3 id="[^"]+"><time datetime="([^"]+)">', html)
    instants = [
        datetime.fromisoformat(s) if "T" in s else datetime.fromisoformat(s).replace(tzinfo=ZoneInfo("Europe/Berlin"))
        for s in stamps
    ]
    assert len(instants) == 6 and instants == sorted(instants)
    # 15:10 +05:30 (09:40 UTC) sits between 11:34 +02:00 (09:34 UTC) and 09:30 +05:30 two days later
    assert stamps[1:4] == ["2026-06-03T11:34:00+02:00", "2026-06-03T15:10:00+05:30", "2026-06-05T09:30:00+05:30"]


@pytest.mark.pdf
def test_private_cases_and_interactions_never_reach_the_output(sample_site, logbook_dir, tmp_path):
    for path, content in site_tree(sample_site).items():
        assert b"CONFIDENTIAL-NEIGHBOUR-NOTE" not in content and b"neighbour-parcel" not in content, path
    root = logbook_dir(
        {
            "cases/a.md": CASE + "\n## 2026-01-01 10:00\nchannel: note\ndirection: internal\nprivate: true\n\n"
            "SECRET-LINE\n\n## 2026-01-02 10:00\nchannel: note\ndirection: internal\n\nvisible\n"
        }
    )
    out = tmp_path / "out"
    assert build(root, out, as_of=AS_OF).published
    blob = b"".join(site_tree(out).values())
    assert b"SECRET-LINE" not in blob and b"visible" in blob
    from logbook.cli import main

    assert (
        main(["export", "a", "--zip", str(tmp_path / "a.zip"), "--pdf", str(tmp_path / "a.pdf"), "-C", str(root)]) == 0
    )
    import zipfile

    archive = zipfile.ZipFile(tmp_path / "a.zip")
    assert all(b"SECRET-LINE" not in archive.read(name) for name in archive.namelist())
    from pypdf import PdfReader

    pdf_text = "".join(page.extract_text() for page in PdfReader(tmp_path / "a.pdf").pages)
    assert "SECRET-LINE" not in pdf_text and "visible" in pdf_text


def test_rebuild_is_byte_identical(sample_site, tmp_path):
    again = tmp_path / "again"
    assert build(SAMPLE, again, as_of=AS_OF).published
    assert site_tree(again) == site_tree(sample_site)
    assert build(SAMPLE, again, as_of=AS_OF).published  # over its own previous output
    assert site_tree(again) == site_tree(sample_site)


def test_field_values_are_escaped(logbook_dir, tmp_path):
    root = logbook_dir(
        {
            "cases/x.md": "---\ntitle: <script>alert('t')</script>\nstatus: open\n"
            "counterparty: '\" onmouseover=\"alert(1)'\n---\n"
            "\n## 2026-01-01 10:00 <img src=x onerror=alert(1)>\nchannel: email\ndirection: in\n"
            "from: javascript:alert(1)\n\nbody\n"
        }
    )
    out = tmp_path / "out"
    assert build(root, out, as_of=AS_OF).published
    for content in site_tree(out).values():
        text = content.decode("utf-8", "replace")
        assert "<script>alert" not in text and "<img src=x" not in text and '" onmouseover="' not in text
        assert 'href="javascript' not in text


def test_failed_build_leaves_the_previous_site_intact(logbook_dir, tmp_path):
    root = logbook_dir({"cases/a.md": CASE})
    out = tmp_path / "out"
    assert build(root, out, as_of=AS_OF).published
    before = site_tree(out)
    (root / "cases/a.md").write_text("---\ntitle: broken\nstatus: nonsense\n---\n")
    result = build(root, out, as_of=AS_OF)
    assert not result.published and [d.code for d in result.diagnostics] == ["unknown-status"]
    assert site_tree(out) == before
    assert [p.name for p in out.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name] == []


def test_interrupted_swap_is_recovered(logbook_dir, tmp_path):
    root = logbook_dir({"cases/a.md": CASE})
    out = tmp_path / "out"
    assert build(root, out, as_of=AS_OF).published
    before = site_tree(out)
    os.rename(out, tmp_path / ".out.old-999")  # as if killed between the two renames
    assert build(root, out, as_of=AS_OF).published
    assert site_tree(out) == before and not (tmp_path / ".out.old-999").exists()


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda root, out: None, "is the logbook"),
        (lambda root, out: (out / ".git").mkdir(parents=True), "git repository"),
        (lambda root, out: (out.mkdir(), (out / "thesis.docx").write_text("mine")), "did not write"),
        (lambda root, out: None, "inside cases/"),
    ],
)
def test_dangerous_output_folders_are_refused(logbook_dir, tmp_path, setup, message):
    root = logbook_dir({"cases/a.md": CASE})
    out = {"is the logbook": root, "inside cases/": root / "cases" / "site"}.get(message, tmp_path / "mine")
    setup(root, out)
    before = site_tree(root)
    with pytest.raises(PublishError, match=message):
        build(root, out, as_of=AS_OF)
    assert site_tree(root) == before
    if message == "did not write":
        assert (out / "thesis.docx").read_text() == "mine"


def test_print_stylesheet_hides_navigation_and_keeps_exhibits(sample_site):
    css = (sample_site / "assets/style.css").read_text()
    print_rules = css[css.index("@media print") :]
    assert ".site-header" in print_rules and "display: none" in print_rules
    assert ".exhibit img" in print_rules and "tr" in print_rules  # pictures printed, table rows kept whole


def test_atom_feed_and_agent_pages(sample_site):
    import xml.etree.ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(sample_site / "feed.xml").getroot()
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 50
    updated = [e.find("a:updated", ns).text for e in entries]
    assert updated == sorted(updated, reverse=True)
    for entry in entries:
        page, anchor = entry.find("a:link", ns).get("href").split("#")
        assert anchor in parse_page(sample_site / page).ids
    assert "<script" not in (sample_site / "feed.xml").read_text()
    maria = (sample_site / "agents/a-12/index.html").read_text()
    assert "Agent: Maria (A-12)" in maria and "cases/GT-1042/index.html#e-20260311-1520" in maria


def _build_on_a_terminal(book, out, after: str) -> str:
    """Run ``logbook build`` with stderr on a pty; what the terminal showed."""
    import os
    import pty
    import select
    import subprocess
    import sys

    env = {**os.environ, "LOGBOOK_PROGRESS_AFTER": after}
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "logbook", "build", str(book), "--out", str(out), "--no-cache", "--as-of", "2026-06-01"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=child_fd,
        env=env,
    )
    os.close(child_fd)
    shown = b""
    while True:
        ready, _, _ = select.select([main_fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    proc.wait(timeout=60)
    os.close(main_fd)
    assert proc.returncode == 0
    return shown.decode("utf-8", "replace")


def test_a_long_build_shows_its_stage_on_a_terminal_and_erases_the_line(tmp_path):
    from support.books import SAMPLE

    shown = _build_on_a_terminal(SAMPLE, tmp_path / "site", after="0")
    import re

    stages = re.findall(r"logbook: ([a-z ]+) … \d+ s", shown)
    assert stages and set(stages) <= {"starting", "reading cases", "deriving facts", "rendering pages", "publishing"}
    assert "\r\x1b[K" in shown.split("logbook:")[-1]  # the line is erased before the summary
    assert "built " in shown


def test_a_short_build_and_a_pipe_show_no_progress(tmp_path):
    from support.books import SAMPLE

    assert "logbook:" not in _build_on_a_terminal(SAMPLE, tmp_path / "site", after="60")
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "logbook", "build", str(SAMPLE), "--out", str(tmp_path / "p"), "--no-cache"],
        capture_output=True,
        text=True,
        env={**os.environ, "LOGBOOK_PROGRESS_AFTER": "0"},
    )
    assert proc.returncode == 0 and "logbook:" not in proc.stderr
