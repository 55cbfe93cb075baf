"""Issue 3's derived facts, audit, export and calendar, on fixture repos with real git commits at chosen dates."""

import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from logbook.evidence.derive import derive_site
from logbook.load.stage import load_logbook
from support.books import SAMPLE, run_cli, write_tree
from support.gitrepo import commit_all, init

CASE = (
    "---\ntitle: Kettle refund\nstatus: {status}\nopened: 2026-01-01\ncounterparty: ShopCo\n"
    "refs: {{order: SC-1, rma: R-9}}\namount: 30.00 EUR\nwindows:\n  - {{rule: card-chargeback, from: 2026-01-01}}\n"
    "  - {{rule: uk-ombudsman, from: 2026-01-05}}\n---\nBackground.\n"
)


def section(at: str, channel: str, direction: str, extra: str = "", body: str = "text") -> str:
    return f"\n## {at}\nchannel: {channel}\ndirection: {direction}\n{extra}\n{body}\n"


KETTLE = (
    CASE.format(status="escalated")
    + section("2026-01-02 10:00Z", "email", "out", "key: true\n", "My kettle leaks. Please refund.")
    + section(
        "2026-01-06 10:00Z",
        "email",
        "in",
        "promises:\n  - {what: Refund within 7 days, due: 2026-01-13, by: ShopCo, id: refund}\nstatus: waiting\n",
        "We will refund you.",
    )
    + section("2026-01-08 09:00Z", "phone", "out", "", "Called: they said the refund is on its way.")
    + section("2026-01-20 10:00Z", "email", "out", "status: escalated\n", "Where is my refund?")
)


@pytest.fixture
def book(tmp_path) -> Path:
    root = init(tmp_path / "book")
    write_tree(root, {"cases/kettle.md": KETTLE})
    commit_all(root, "record", "2026-01-20T12:00:00+00:00")
    return root


def view_at(root: Path, as_of: datetime):
    loaded = load_logbook(root)
    return derive_site(loaded.logbook, as_of, loaded.history).cases[0]


def test_status_periods_response_times_gaps_and_key_facts(book):
    view = view_at(book, datetime(2026, 2, 1, tzinfo=UTC))
    facts = view.facts
    assert [(p.status, p.duration(datetime(2026, 2, 1, tzinfo=UTC)).days) for p in facts.status_periods] == [
        ("open", 5),
        ("waiting", 14),
        ("escalated", 11),
    ]
    assert dict(facts.time_in_status)["waiting"] == timedelta(days=14)
    first, second, third = facts.responses  # phone calls are conversations, not waits
    assert (first.theirs, first.waited) == (True, timedelta(days=4))  # ShopCo took 4 days
    assert (second.theirs, second.waited) == (False, timedelta(days=1, hours=23))  # answered by the call
    assert (third.theirs, third.waited) == (True, None)  # never answered
    assert facts.longest_wait is first
    assert facts.unconfirmed_calls == (view.entries[2].anchor,)
    assert facts.key_facts == (view.entries[0].anchor,)
    windows = {w.rule.name: w.state for w in facts.windows}
    assert windows == {"card-chargeback": "open", "uk-ombudsman": "not-yet"}
    assert facts.duration == timedelta(days=31)


def test_windows_close_and_pass(book):
    late = {w.rule.name: w.state for w in view_at(book, datetime(2026, 4, 25, tzinfo=UTC)).facts.windows}
    assert late["card-chargeback"] == "closing"  # ends 2026-05-02, within 14 days
    passed = {w.rule.name: w.state for w in view_at(book, datetime(2026, 6, 1, tzinfo=UTC)).facts.windows}
    assert passed["card-chargeback"] == "passed"
    early = {w.rule.name: w.state for w in view_at(book, datetime(2026, 1, 10, tzinfo=UTC)).facts.windows}
    assert early["uk-ombudsman"] == "not-yet"


def test_evidence_page_says_it_plainly(book, tmp_path, capsys):
    assert run_cli(["build", str(book), "--out", str(tmp_path / "s"), "--as-of", "2026-02-01"], capsys)[0] == 0
    page = (tmp_path / "s/cases/kettle/index.html").read_text()
    assert "ShopCo took 4 days to answer your email of" in page
    assert "ShopCo has not answered your email of" in page
    assert "Calls never confirmed in writing" in page and "Key facts" in page
    assert "Card chargeback" in page and "Recorded about" not in page
    assert "Recorded 18 days 2 h after the event" in page  # the 2 Jan email entered git on 20 Jan


def test_audit_text_json_and_exit_codes(book, capsys):
    code, out, _ = run_cli(["audit", str(book), "--as-of", "2026-02-01"], capsys)
    assert code == 1
    assert "broken-promise: “Refund within 7 days” (ShopCo), due 2026-01-13" in out
    assert "stale-case: no activity for 12 days" not in out  # 14-day limit not reached
    code, out, _ = run_cli(["audit", str(book), "--as-of", "2026-02-01", "--format", "json"], capsys)
    data = json.loads(out)
    kinds = sorted((f["severity"], f["kind"]) for f in data["findings"])
    # past their targets (72 h for an answer, 48 h for a call's confirmation): overdue, not "due soon"
    assert kinds == [("overdue", "broken-promise"), ("overdue", "no-reply"), ("overdue", "unconfirmed-call")]
    assert data["overdue"] == sum(f["severity"] == "overdue" for f in data["findings"])
    code, out, _ = run_cli(["audit", str(book), "--as-of", "2026-01-07", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and [(f["severity"], f["kind"]) for f in data["findings"]] == [("attention", "promise-due-soon")]
    (book / "logbook.toml").write_text("[audit]\nstale_days = 3\n")
    code, out, _ = run_cli(["audit", str(book), "--as-of", "2026-01-26"], capsys)
    assert code == 1 and "stale-case: no activity for 6 days (limit 3)" in out


def test_audit_lists_missing_summaries_and_attachments(tmp_path, capsys):
    root = write_tree(
        tmp_path / "b",
        {
            "cases/a.md": "---\ntitle: A\nstatus: closed\nclosed: 2026-01-02\n---\n",
            "cases/b.md": "---\ntitle: B\nstatus: open\n---\n"
            + section("2026-01-01 10:00Z", "email", "in", "attachments: [gone.pdf]\n"),
        },
    )
    code, out, _ = run_cli(["audit", str(root), "--as-of", "2026-01-05", "--format", "json"], capsys)
    kinds = {f["kind"]: f for f in json.loads(out)["findings"]}
    assert code == 1 and kinds["missing-summary"]["path"] == "cases/a.md"
    assert kinds["missing-attachment"]["path"] == "cases/b.md"


def test_dashboard_and_calendar(book, tmp_path, capsys):
    from icalendar import Calendar

    assert run_cli(["build", str(book), "--out", str(tmp_path / "s"), "--as-of", "2026-01-07"], capsys)[0] == 0
    dashboard = (tmp_path / "s/index.html").read_text()
    assert (
        "Needs attention" in dashboard
        and "promise due soon: “Refund within 7 days” (ShopCo), due 2026-01-13" in dashboard
    )
    calendar = Calendar.from_ical((tmp_path / "s/calendar.ics").read_bytes())
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "[kettle] due: Refund within 7 days (ShopCo)",
        "[kettle] card-chargeback ends",
        "[kettle] uk-ombudsman opens",
    }
    assert events["[kettle] due: Refund within 7 days (ShopCo)"].decoded("dtstart").isoformat() == "2026-01-13"
    # 120 days from 1 January: the last day is 1 May (the window ends at its midnight)
    assert events["[kettle] card-chargeback ends"].decoded("dtstart").isoformat() == "2026-05-01"


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample") / "book"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("_site", "._site.lock"))
    return root


def test_zip_packet_checks_with_sha256sum(sample_copy, tmp_path, capsys):
    target = tmp_path / "gt.zip"
    assert (
        run_cli(["export", "GT-1042", "--zip", str(target), "--as-of", "2026-11-22", "-C", str(sample_copy)], capsys)[0]
        == 0
    )
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unzipped")
    assert names == [
        "GT-1042-evidence/evidence.html",
        "GT-1042-evidence/exhibits/GT-1042_2026-03-12_email_exhibit-1.pdf",
        "GT-1042-evidence/exhibits/GT-1042_2026-03-16_chat_exhibit-2.png",
        "GT-1042-evidence/style.css",
        "MANIFEST.sha256",
    ]
    check = subprocess.run(
        ["sha256sum", "-c", "MANIFEST.sha256"], cwd=tmp_path / "unzipped", capture_output=True, text=True
    )
    assert check.returncode == 0 and check.stdout.count(": OK") == 4
    page = (tmp_path / "unzipped/GT-1042-evidence/evidence.html").read_text()
    assert 'src="exhibits/GT-1042_2026-03-16_chat_exhibit-2.png"' in page and "Unboxing" in page
    again = tmp_path / "again.zip"
    run_cli(["export", "GT-1042", "--zip", str(again), "--as-of", "2026-11-22", "-C", str(sample_copy)], capsys)
    assert again.read_bytes() == target.read_bytes()


@pytest.mark.pdf
def test_pdf_packet_reads_back(sample_copy, tmp_path, capsys):
    from pypdf import PdfReader

    target = tmp_path / "gt.pdf"
    assert (
        run_cli(
            [
                "export",
                "GT-1042",
                "--pdf",
                str(target),
                "--for",
                "bank",
                "--reason",
                "credit-not-processed",
                "--as-of",
                "2026-11-22",
                "-C",
                str(sample_copy),
            ],
            capsys,
        )[0]
        == 0
    )
    reader = PdfReader(target)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert 5 <= len(reader.pages) <= 15
    assert "Evidence packet · case GT-1042" in text and "Evidence checklist: Credit not processed" in text
    assert "Page 1 of" in text and "Case GT-1042 · evidence packet (bank)" in text
    assert "Unboxing" not in text  # the bank profile leaves internal notes out
    digest = __import__("hashlib").sha256((sample_copy / "cases/GT-1042/rma-5521-label.pdf").read_bytes()).hexdigest()
    assert digest[:16] in text.replace("\n", "")
    assert any("/XObject" in str(page.get("/Resources", {})) for page in reader.pages)  # the screenshot is printed
    rendered = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(target), str(tmp_path / "p")], capture_output=True
    )
    assert rendered.returncode == 0, rendered.stderr  # .ci/run installs poppler-utils
    (image,) = tmp_path.glob("p-*1.png")
    assert image.stat().st_size > 2000


def test_export_refusals(sample_copy, tmp_path, capsys):
    code, _, err = run_cli(
        ["export", "neighbour-parcel-notes", "--zip", str(tmp_path / "p.zip"), "-C", str(sample_copy)], capsys
    )
    assert code == 1 and "is private" in err and not (tmp_path / "p.zip").exists()
    assert (
        run_cli(
            [
                "export",
                "neighbour-parcel-notes",
                "--zip",
                str(tmp_path / "p.zip"),
                "--include-private",
                "-C",
                str(sample_copy),
            ],
            capsys,
        )[0]
        == 0
    )
    assert run_cli(["export", "GT-1042", "-C", str(sample_copy)], capsys)[0] == 2
    assert (
        "no profile 'judge'"
        in run_cli(
            ["export", "GT-1042", "--zip", str(tmp_path / "x.zip"), "--for", "judge", "-C", str(sample_copy)], capsys
        )[2]
    )
    assert "no case" in run_cli(["export", "NOPE", "--zip", str(tmp_path / "x.zip"), "-C", str(sample_copy)], capsys)[2]


def test_checklists_mark_present_and_missing(sample_copy):
    from logbook.evidence.checklists import CHECKLISTS

    loaded = load_logbook(sample_copy)
    site = derive_site(loaded.logbook, datetime(2026, 11, 22, tzinfo=UTC), loaded.history)
    views = {v.case.id: v for v in site.cases}
    gt = CHECKLISTS["not-as-described"](views["GT-1042"])
    assert all(item.present for item in gt.items)
    assert "exhibit 2 (chat-2026-03-16.png)" in next(i.evidence for i in gt.items if i.label.startswith("Photos"))
    hv = {i.label: i for i in CHECKLISTS["not-received"](views["HV-318"]).items}
    assert hv["Promised or expected delivery date"].present
    sky = {i.label: i for i in CHECKLISTS["not-as-described"](views["SKY-PIR-12345"]).items}
    assert not sky["Photos or screenshots of the problem"].present


def test_custom_profile_limits_refs(sample_copy, tmp_path, capsys):
    config = sample_copy / "logbook.toml"
    original = config.read_text()
    config.write_text(original + '\n[profiles.regulator]\ninternal = false\nrefs = ["order"]\n')
    try:
        assert (
            run_cli(
                ["export", "GT-1042", "--zip", str(tmp_path / "o.zip"), "--for", "regulator", "-C", str(sample_copy)],
                capsys,
            )[0]
            == 0
        )
        page = zipfile.ZipFile(tmp_path / "o.zip").read("GT-1042-evidence/evidence.html").decode()
        assert "GT-889123" in page and "<dt>Ref: rma</dt>" not in page
    finally:
        config.write_text(original)


BERLIN_CASE = (
    "---\ntitle: Toaster\nstatus: open\nopened: 2026-03-01\ncounterparty: ShopCo\ntimezone: Europe/Berlin\n"
    "windows:\n  - {rule: uk-short-term-reject, from: 2026-03-01}\n"
    "  - {rule: eu-withdrawal, from: '2026-03-20 15:30'}\n---\nBackground.\n"
) + section("2026-03-02 10:00", "email", "out", "", "It does not heat.")


def test_windows_are_counted_in_the_cases_calendar_days(tmp_path, capsys):
    """Across the change to summer time (29 March in Berlin) a window still ends at midnight, or at the
    hour it began: counted on the case's wall clock, not in UTC (which put it an hour late)."""
    root = init(tmp_path / "book")
    write_tree(root, {"cases/toaster.md": BERLIN_CASE})
    commit_all(root, "record", "2026-03-02T12:00:00+00:00")
    view = view_at(root, datetime(2026, 3, 25, tzinfo=UTC))
    ends = {w.rule.name: (w.ends.isoformat(), w.day.isoformat()) for w in view.facts.windows}
    assert ends == {
        "uk-short-term-reject": ("2026-04-01T00:00:00+02:00", "2026-03-31"),
        "eu-withdrawal": ("2026-04-03T15:30:00+02:00", "2026-04-03"),
    }
    out = tmp_path / "s"
    assert run_cli(["build", str(root), "--out", str(out), "--as-of", "2026-03-25"], capsys)[0] == 0
    page = (out / "cases/toaster/index.html").read_text()
    assert 'ends on <time datetime="2026-04-01T00:00:00+02:00">' in page
    calendar = (out / "calendar.ics").read_text()
    assert "DTSTART;VALUE=DATE:20260331" in calendar and "DTSTART;VALUE=DATE:20260403" in calendar
    code, text, _ = run_cli(["audit", str(root), "--as-of", "2026-03-25"], capsys)
    assert "within 30 days of delivery: ends 2026-03-31 (5 days left)" in text


def test_the_strip_of_entries_names_the_days_of_the_cases_zone(tmp_path, capsys):
    """Late-evening entries in New York fall on the next day in UTC: the strip names the days the
    entries themselves show."""
    case = (
        "---\ntitle: Blender\nstatus: open\nopened: 2026-03-02\ncounterparty: ShopCo\n"
        "timezone: America/New_York\n---\nBackground.\n"
        + section("2026-03-02 21:30", "email", "out", "", "It is broken.")
        + section("2026-03-09 22:15", "email", "in", "", "Send it back.")
    )
    root = init(tmp_path / "book")
    write_tree(root, {"cases/blender.md": case})
    commit_all(root, "record", "2026-03-10T12:00:00+00:00")
    out = tmp_path / "s"
    assert run_cli(["build", str(root), "--out", str(out), "--as-of", "2026-03-12"], capsys)[0] == 0
    page = (out / "cases/blender/index.html").read_text()
    # 6 d 23 h 45 min apart: the clocks went forward on 8 March
    assert "2 entries from 2026-03-02 to 2026-03-09; the longest gap is 6 days, after 2026-03-02" in page
    assert '<text x="12" y="42" class="strip-label">2026-03-02</text>' in page
    assert 'class="strip-label">2026-03-09</text>' in page


def test_audit_never_says_nothing_overdue_over_a_record_it_cannot_read(book, tmp_path, capsys):
    """For cron: a case file with a YAML error is not audited at all, so it is an overdue finding that
    names the file and line, and the exit code is 1; so is a folder that holds no logbook."""
    (book / "cases/broken.md").write_text("---\ntitle: [unclosed\n---\n")
    code, out, _ = run_cli(["audit", str(book), "--as-of", "2026-01-03"], capsys)
    assert code == 1
    assert "record-error: not audited in full, the record has an error (yaml-syntax:" in out
    assert "cases/broken.md:2" in out
    code, out, _ = run_cli(["audit", str(tmp_path), "--format", "json"], capsys)
    assert code == 1 and [f["kind"] for f in json.loads(out)["findings"]] == ["record-error"]


def test_a_case_that_has_ended_owes_nothing_in_audit_or_on_the_dashboard(tmp_path, capsys):
    """The refund promise was broken, then the case was resolved (the card issuer paid): the page still
    says the promise was broken, but neither audit nor "Needs attention" calls it overdue."""
    resolved = KETTLE.replace("status: escalated\nopened", "status: resolved\nopened") + section(
        "2026-01-25 10:00Z", "note", "internal", "status: resolved\n", "The card issuer refunded me."
    )
    root = init(tmp_path / "book")
    write_tree(root, {"cases/kettle.md": resolved})
    commit_all(root, "record", "2026-01-25T12:00:00+00:00")
    code, out, _ = run_cli(["audit", str(root), "--as-of", "2026-02-01", "--format", "json"], capsys)
    assert (code, json.loads(out)["findings"]) == (0, [])
    out_dir = tmp_path / "s"
    assert run_cli(["build", str(root), "--out", str(out_dir), "--as-of", "2026-02-01"], capsys)[0] == 0
    assert "broken-promise" not in (out_dir / "index.html").read_text()
    assert "Promises: 0 kept (0 late), <strong>1 broken</strong>" in (out_dir / "cases/kettle/index.html").read_text()


def test_a_promise_due_yesterday_is_not_kept_by_the_end_of_that_day(book, capsys):
    """A build without --as-of is as of the end of yesterday: a promise due yesterday is then broken,
    and the audit says it was not kept by the end of that day, never "0 min overdue"."""
    code, out, _ = run_cli(["audit", str(book), "--as-of", "2026-01-13"], capsys)
    assert code == 1
    assert "broken-promise: “Refund within 7 days” (ShopCo), due 2026-01-13*: not kept by the end of that day" in out
    assert "0 min overdue" not in out
    code, out, _ = run_cli(["audit", str(book), "--as-of", "2026-01-14"], capsys)
    assert "due 2026-01-13*: 1 day overdue" in out


def test_a_silence_is_dated_in_the_zone_of_the_page_or_the_audit_that_states_it(tmp_path, capsys):
    """07:30 in Shanghai on 30 November is 23:30 on 29 November in London: the audit (in the site's
    zone) says 29 November, the evidence page (in the case's) 30 November, each as its other times."""
    case = (
        "---\ntitle: Tea set\nstatus: open\nopened: 2026-11-20\ncounterparty: TaoShop\ntimezone: Asia/Shanghai\n---\n"
        "Background.\n" + section("2026-11-30 07:30", "email", "out", "", "Where is my refund?")
    )
    root = init(tmp_path / "book")
    write_tree(root, {"logbook.toml": '[site]\ntimezone = "Europe/London"\n', "cases/tea.md": case})
    commit_all(root, "record", "2026-11-30T12:00:00+00:00")
    code, out, _ = run_cli(["audit", str(root), "--as-of", "2026-11-29", "--format", "json"], capsys)
    (finding,) = json.loads(out)["findings"]
    assert finding["message"].startswith("TaoShop has not answered your email of 29 November 2026 (waiting 30 min")
    site = tmp_path / "s"
    assert run_cli(["build", str(root), "--out", str(site), "--as-of", "2026-11-29"], capsys)[0] == 0
    assert "TaoShop has not answered your email of 29 November 2026" in (site / "index.html").read_text()
    page = (site / "cases/tea/index.html").read_text()
    assert 'TaoShop has not answered your email of <a href="#e-20261129-2330">30 November 2026</a>' in page


def test_a_window_ending_within_a_day_says_less_than_a_day_left(tmp_path, capsys):
    """Ending at midnight after 16 h more, the window has not "0 days left"."""
    root = init(tmp_path / "book")
    write_tree(root, {"cases/toaster.md": BERLIN_CASE})
    commit_all(root, "record", "2026-03-02T12:00:00+00:00")
    out = tmp_path / "s"
    as_of = "2026-03-31 06:00Z"  # the 30-day window ends 2026-04-01 00:00 CEST, 16 h later
    assert run_cli(["build", str(root), "--out", str(out), "--as-of", as_of], capsys)[0] == 0
    page = (out / "cases/toaster/index.html").read_text()
    assert '<span class="state state-closing">less than a day left</span>' in page and "0 days left" not in page
    code, text, _ = run_cli(["audit", str(root), "--as-of", as_of], capsys)
    assert "within 30 days of delivery: ends 2026-03-31 (less than a day left)" in text
