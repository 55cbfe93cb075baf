"""A whole dispute recorded through the command line alone, in a fresh logbook, no file edited by hand.

new → add with a promise → status → a call → followup --record → add --fulfils → close; then
the record passes check, the evidence page states the promise, its maker and its state, the
status history and the closing summary, every entry entered the record (its git commit)
less than a minute after it happened, and git holds one commit per command.
"""

import html
import re
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logbook.evidence.derive import derive_site
from logbook.load.stage import load_logbook
from support.books import run_cli


@pytest.fixture
def book(tmp_path, capsys, monkeypatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")  # no identity: logbook commits as 'logbook'
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    code, _, err = run_cli(
        ["init", str(tmp_path / "book"), "--title", "Alex's disputes", "--timezone", "Europe/London"], capsys
    )
    assert code == 0, err
    assert (tmp_path / "book" / ".git").is_dir()  # its own repository, never an enclosing one
    return tmp_path / "book"


def _clear_of_a_minute_boundary() -> None:
    """A command stamps the current minute and commits a moment later: start it well inside a minute,
    so 'recorded less than a minute after' measures logbook, not the clock's second hand."""
    if datetime.now(UTC).second >= 50:
        time.sleep(61 - datetime.now(UTC).second)


def cli(capsys, *args: str) -> str:
    _clear_of_a_minute_boundary()
    code, out, err = run_cli(list(args), capsys)
    assert code == 0, err
    return out + err


def git_log(book: Path) -> list[str]:
    return subprocess.run(
        ["git", "-C", str(book), "log", "--format=%s"], capture_output=True, text=True, check=True
    ).stdout.splitlines()


def test_a_whole_dispute_through_the_cli(book, capsys, monkeypatch):
    monkeypatch.chdir(book)
    cli(
        capsys,
        "new",
        "SM-7781",
        "--title",
        "Called ShenMart: refund not received",
        "--counterparty",
        "ShenMart",
        "--amount",
        "64.50 USD",
        "--ref",
        "order=HA-1",
        "--party",
        "Northbank:card-issuer",
        "--background",
        "ShenMart charged 64.50 USD for a kettle that never came. I want the money back.",
    )
    monkeypatch.chdir(book / "cases" / "SM-7781")  # found upward from inside the case, like git
    out = cli(
        capsys,
        "add",
        "SM-7781",
        "--channel",
        "chat",
        "--direction",
        "in",
        "--agent",
        "Maria (A-12)",
        "-m",
        "Maria approved the refund.",
        "--promise",
        "Refund of 64.50 USD to the card",
        "--due",
        "2026-12-31",
        "--promise-id",
        "refund",
        "--key",
        "--evidence",
        "refund-promise",
    )
    assert "committed" in out
    cli(capsys, "status", "SM-7781", "waiting", "-m", "Waiting for the refund.")
    cli(
        capsys,
        "add",
        "SM-7781",
        "--channel",
        "phone",
        "--direction",
        "out",
        "--agent",
        "Jonas (4471)",
        "-m",
        "Jonas said the refund is on its way.",
    )
    text = cli(capsys, "followup", "SM-7781", "--record", "--to", "support@shenmart.example")
    assert "Jonas (4471)" in text
    cli(
        capsys,
        "add",
        "SM-7781",
        "--channel",
        "email",
        "--direction",
        "in",
        "--fulfils",
        "refund",
        "--subject",
        "Your refund",
        "-m",
        "We have refunded 64.50 USD.",
    )
    cli(capsys, "close", "SM-7781", "--summary", "Refund of 64.50 USD received.")

    code, out, err = run_cli(["check", str(book), "--strict"], capsys)
    assert code == 0 and out == "" and "0 errors, 0 warnings" in err, out + err
    assert run_cli(["build", str(book)], capsys)[0] == 0
    page = html.unescape(re.sub(r"<[^>]+>", " ", (book / "_site/cases/SM-7781/index.html").read_text()))
    page = " ".join(page.split())
    assert "“Refund of 64.50 USD to the card” Maria (A-12)" in page  # the promise and its maker
    assert re.search(r"Refund of 64\.50 USD to the card” Maria \(A-12\) .{0,80} kept", page)
    status_history = page.partition("Status history")[2]
    assert re.search(r"open .*waiting .*closed", status_history)
    assert "Summary Refund of 64.50 USD received." in page

    loaded = load_logbook(book)
    site = derive_site(loaded.logbook, datetime.now(UTC), loaded.history)
    (view,) = site.cases
    assert len(view.entries) == 6
    for entry in view.entries:
        assert entry.provenance is not None, entry.anchor
        assert 0 <= entry.recording_lag.total_seconds() < 60, (entry.anchor, entry.recording_lag)
    messages = git_log(book)
    assert len(messages) == 8  # init, then one per command
    assert messages[-1] == "logbook: start the logbook"
    assert all("SM-7781" in m for m in messages[:-1])
    assert messages[0].startswith("logbook: close SM-7781: closed (")
    assert re.fullmatch(r"logbook: add SM-7781: \d{4}-\d\d-\d\d \d\d:\d\d Europe/London chat in", messages[5])
    status = subprocess.run(["git", "-C", str(book), "status", "--porcelain"], capture_output=True, text=True).stdout
    assert status == ""  # everything written is committed
