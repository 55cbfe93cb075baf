"""The status history states when each change happened, whatever recorded it (docs/format.md,
"Status"): a change set in an entry the reader is not shown (a private interaction on the site, an
internal note in a packet whose profile leaves them out) and a case's ``closed:`` date keep their own
time, never the opening's."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest

from support.books import run_cli, write_tree


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _status_history(page: str) -> str:
    head = "Each status the case was in, from when, and for how long Status From For "
    return _text(page).partition(head)[2].partition("Time in each status")[0].strip()


@pytest.fixture
def readme_dispute(tmp_path, capsys, monkeypatch) -> Path:
    """The README's dispute, step by step through the command line (the photo: a small file)."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.delenv("EDITOR", raising=False)
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo of a smashed lamp")
    book = tmp_path / "my-disputes"
    steps = [
        ["init", str(book), "--timezone", "Europe/London"],
        ["new", "SM-7781", "--title", "Desk lamp arrived smashed", "--counterparty", "ShenMart"]
        + ["--opened", "2026-10-28", "--amount", "64.50 GBP", "--ref", "order=HA-2026-030211"]
        + ["--party", "Northbank:card-issuer", "--background", "It arrived smashed."],
        ["add", "SM-7781", "--channel", "chat", "--direction", "in", "--agent", "Lily (SM-0932)"]
        + ["--at", "2026-11-02 10:15", "-m", "Sorry! We will refund you in full."]
        + ["--promise", "Full refund", "--due", "2026-11-09", "--promise-id", "refund"],
        ["status", "SM-7781", "escalated", "--at", "2026-11-12 09:00", "-m", "Disputing with the card issuer"],
        ["add", "SM-7781", "--channel", "portal", "--direction", "out", "--party", "Northbank"]
        + ["--at", "2026-11-12 09:20", "-m", "Chargeback request", "--attach", str(photo)],
    ]
    for n, step in enumerate(steps):
        if n:
            step = [*step, "-C", str(book)]
        code, _, err = run_cli(step, capsys)
        assert code == 0, (step, err)
    return book


def _packet_page(book: Path, tmp_path: Path, capsys, profile: str) -> str:
    target = tmp_path / f"{profile}.zip"
    args = ["export", "SM-7781", "--zip", str(target), "--for", profile, "--as-of", "2026-12-03", "-C", str(book)]
    code, _, err = run_cli(args, capsys)
    assert code == 0, err
    with zipfile.ZipFile(target) as packet:
        (name,) = [n for n in packet.namelist() if n.endswith("evidence.html")]
        return packet.read(name).decode("utf-8")


def test_the_bank_packet_states_the_escalation_its_internal_note_made(readme_dispute, tmp_path, capsys):
    page = _packet_page(readme_dispute, tmp_path, capsys, "bank")
    assert _status_history(page) == (
        "open 2026-10-28 * (time not recorded) (start) 15 days 9 h "
        "escalated 2026-11-12 09:00 GMT (set in an entry not shown here) 21 days 15 h so far"
    )
    assert "Status escalated since 2026-11-12 09:00 GMT ; opened 2026-10-28" in _text(page)
    assert "Disputing with the card issuer" not in page  # the note itself stays out of the bank's packet
    internal = _packet_page(readme_dispute, tmp_path, capsys, "internal")
    assert "escalated 2026-11-12 09:00 GMT 21 days 15 h so far" in _status_history(internal)
    assert "Disputing with the card issuer" in internal


CASE = """---
title: Kettle never came
status: {status}
opened: 2026-11-01
counterparty: ShenMart
{more}---

## 2026-11-02 10:00 Chat with ShenMart
channel: chat
direction: in

We will send another kettle.
{extra}"""

PRIVATE_CHANGE = """
## 2026-11-10 18:30 A note I keep to myself
channel: note
direction: internal
private: true
status: waiting

Waiting for the kettle; not for publishing.
"""


def _site_history(tmp_path: Path, capsys, case: str) -> str:
    book = write_tree(tmp_path / "book", {"logbook.toml": '[site]\ntimezone = "Europe/London"\n', "cases/K-1.md": case})
    code, _, err = run_cli(["build", str(book), "--as-of", "2026-12-03"], capsys)
    assert code == 0 and "0 errors, 0 warnings" in err, err
    return _status_history((book / "_site" / "cases" / "K-1" / "index.html").read_text(encoding="utf-8"))


def test_a_closed_date_alone_is_the_closing_s_day_not_the_opening_s(tmp_path, capsys):
    history = _site_history(
        tmp_path, capsys, CASE.format(status="closed", more="closed: 2026-11-30\nsummary: Refunded.\n", extra="")
    )
    assert history == (
        "open 2026-11-01 * (time not recorded) (start) 29 days closed 2026-11-30 * (time not recorded) "
        "(the case's closing date) ends the case"  # no "0 min": the end is no stay in a status
    )


def test_a_change_in_a_private_entry_keeps_its_time_without_a_link(tmp_path, capsys):
    history = _site_history(tmp_path, capsys, CASE.format(status="waiting", more="", extra=PRIVATE_CHANGE))
    assert history == (  # as of the end of 3 December
        "open 2026-11-01 * (time not recorded) (start) 9 days 18 h "
        "waiting 2026-11-10 18:30 GMT (set in an entry not shown here) 23 days 5 h so far"
    )


DATED_CHANGE = """
## 2026-11-10 A letter from ShenMart
channel: letter
direction: in
status: waiting

The kettle is on back order.
"""


def test_a_change_in_an_entry_with_a_date_alone_states_no_time(tmp_path, capsys):
    """The letter has a date, not a time: its row says so, as the entry does, not "00:00"."""
    history = _site_history(tmp_path, capsys, CASE.format(status="waiting", more="", extra=DATED_CHANGE))
    assert history == (
        "open 2026-11-01 * (time not recorded) (start) 9 days "
        "waiting 2026-11-10 * (time not recorded) 24 days so far"  # to the end of 3 December
    )


def test_an_as_of_before_the_record_gives_no_negative_length(tmp_path, capsys):
    """As of a moment before the case opened, it had been in no status for any time yet."""
    book = write_tree(
        tmp_path / "book",
        {
            "logbook.toml": '[site]\ntitle = "Disputes"\n',
            "cases/K-1.md": CASE.format(status="waiting", more="", extra=PRIVATE_CHANGE),
        },
    )
    code, _, err = run_cli(["build", str(book), "--as-of", "2026-10-01"], capsys)
    assert code == 0, err
    page = _text((book / "_site" / "cases" / "K-1" / "index.html").read_text(encoding="utf-8"))
    assert not re.search(r"-\d+ (days?|h|min)\b", page)
    assert "waiting 2026-11-10 18:30 UTC (set in an entry not shown here) 0 min so far" in page


def test_the_end_of_a_case_is_no_time_in_a_status(tmp_path, capsys):
    case = CASE.format(status="closed", more="closed: 2026-11-30\nsummary: Refunded.\n", extra="")
    _site_history(tmp_path, capsys, case)
    page = _text((tmp_path / "book/_site/cases/K-1/index.html").read_text(encoding="utf-8"))
    assert "Time in each status: open 29 days." in page


RESOLVED = """
## 2026-11-10 10:00 ShenMart refunds
channel: email
direction: in
status: resolved

We have refunded you.

## 2026-11-11 10:00 ShenMart's survey
channel: email
direction: in

How did we do?
"""


def test_a_case_resolved_then_closed_ended_when_it_was_resolved(tmp_path, capsys):
    """The first of the statuses that end the history ends the case: its length counts to it, the
    later close is no time spent, and a message after the end waits for nothing."""
    case = CASE.format(status="closed", more="closed: 2026-11-15 10:00\nsummary: Refunded.\n", extra=RESOLVED)
    history = _site_history(tmp_path, capsys, case)
    assert history == (
        "open 2026-11-01 * (time not recorded) (start) 9 days 10 h "
        "resolved 2026-11-10 10:00 GMT ends the case "
        "closed 2026-11-15 10:00 GMT (the case's closing date) after the case ended"
    )
    page = _text((tmp_path / "book/_site/cases/K-1/index.html").read_text(encoding="utf-8"))
    assert "Case lasted 9 days 10 h" in page and "Time in each status: open 9 days 10 h." in page
    assert "not answered" not in page  # the survey came after the end


REOPENED = """
## 2026-11-10 10:00 ShenMart says it is solved
channel: email
direction: in
status: resolved

Solved.

## 2026-11-10 10:00 It is not solved
channel: email
direction: out
status: open

The kettle still leaks.
"""


def test_a_resolved_status_followed_by_another_is_a_stay_not_the_end(tmp_path, capsys):
    history = _site_history(tmp_path, capsys, CASE.format(status="open", more="", extra=REOPENED))
    assert "resolved 2026-11-10 10:00 GMT 0 min open 2026-11-10 10:00 GMT 23 days 14 h so far" in history
    assert "ends the case" not in history
