"""The writing commands one by one: their options, git as the notary, and each error as a user sees it."""

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logbook.load.stage import load_logbook
from support.books import run_cli, write_tree


@pytest.fixture
def book(tmp_path, capsys, monkeypatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    code, _, err = run_cli(["init", str(tmp_path / "book"), "--timezone", "Europe/London"], capsys)
    assert code == 0, err
    assert (tmp_path / "book" / ".git").is_dir()  # its own repository, never an enclosing one
    code, _, err = run_cli(
        [
            "new",
            "SM-7781",
            "--title",
            "Kettle",
            "--counterparty",
            "ShenMart",
            "--background",
            "Paid, never came.",
            "-C",
            str(tmp_path / "book"),
        ],
        capsys,
    )
    assert code == 0, err
    return tmp_path / "book"


def cli(capsys, book: Path, *args: str) -> tuple[int, str]:
    try:
        code, out, err = run_cli([*args, "-C", str(book)], capsys)
    except SystemExit as exc:  # argparse's own usage errors
        out, err = capsys.readouterr()
        code = exc.code
    return code, out + err


def git(book: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(book), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def case(book: Path, case_id: str = "SM-7781"):
    return next(c for c in load_logbook(book).logbook.cases if c.id == case_id)


# --- new -------------------------------------------------------------------------------------


def test_new_with_amount_refs_opened_parties_and_zone(book, capsys):
    code, out = cli(
        capsys,
        book,
        "new",
        "HA-1",
        "--title",
        "Hotel",
        "--amount",
        "64.50 usd",
        "--ref",
        "order=HA-1",
        "--ref",
        "booking=B 77",
        "--opened",
        "2026-11-02",
        "--party",
        "Northbank:card-issuer",
        "--timezone",
        "America/New_York",
        "--background",
        "Overcharged.",
    )
    assert code == 0 and "opened:" not in out  # given, so nothing to say
    made = case(book, "HA-1")
    assert made.amount.display() == "64.50 USD" and made.refs == (("order", "HA-1"), ("booking", "B 77"))
    assert made.opened.date_text() == "2026-11-02" and made.timezone == "America/New_York"
    assert [(p.name, p.role) for p in made.parties] == [("Northbank", "card-issuer")]


def test_new_says_that_opened_defaults_to_today(book, capsys):
    from zoneinfo import ZoneInfo

    code, out = cli(capsys, book, "new", "X-1", "--title", "x")
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%d")  # the logbook's zone
    assert code == 0 and f"opened: {today} (today; give --opened DATE if the dispute began earlier)" in out
    assert case(book, "X-1").opened.date_text() == today


def test_new_refuses_a_tag_missing_from_tags(book, capsys):
    code, out = cli(capsys, book, "new", "X-1", "--title", "x", "--tag", "refund-delayd")
    assert code == 1 and "tag 'refund-delayd' is not one of the tags in logbook.toml's [tags]" in out
    assert "did you mean 'refund-delayed'?" in out
    assert not (book / "cases/X-1").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--amount", "64.50"], "--amount '64.50' needs a number and a currency code, e.g. --amount '64.50 USD'"),
        (["--amount", "64.50 UDS"], "'UDS' is not an ISO 4217 currency code"),
        (["--ref", "HA-1"], "--ref 'HA-1' must be NAME=NUMBER, e.g. --ref order=HA-1"),
        (["--party", "Northbank"], "--party 'Northbank' must be NAME:ROLE, e.g. --party 'Northbank:card-issuer'"),
        (["--party", "Northbank:bankk"], "role 'bankk'"),
        (["--timezone", "Asia/Shangai"], "--timezone: unknown time zone 'Asia/Shangai'; did you mean 'Asia/Shanghai'?"),
        (["--opened", "02/11/2026"], "--opened: '02/11/2026' is not a date or date-time; write it as 2026-11-09 18:40"),
    ],
)
def test_new_refusals_say_what_to_write(book, capsys, args, message):
    code, out = cli(capsys, book, "new", "X-1", "--title", "x", *args)
    assert code == 1 and message in out, out
    assert not (book / "cases/X-1").exists()


def test_the_placeholder_background_is_a_warning_until_replaced(book, capsys):
    cli(capsys, book, "new", "X-1", "--title", "x")
    cli(capsys, book, "new", "X-2", "--title", "y", "--single-file")
    (book / "cases/X-2.md").write_text(
        (book / "cases/X-2.md").read_text().replace("status: open", "status: open\nprivate: true")
    )
    warnings = [d for d in load_logbook(book).diagnostics if d.code == "placeholder-text"]
    assert [(d.location.path, d.location.line) for d in warnings] == [("cases/X-1/case.md", 7)]
    assert warnings[0].message == "the case still has the placeholder background written by 'logbook new'"


# --- add -------------------------------------------------------------------------------------


def test_add_promises_status_fulfils_key(book, capsys):
    code, out = cli(
        capsys,
        book,
        "add",
        "SM-7781",
        "--channel",
        "chat",
        "--direction",
        "in",
        "--agent",
        "Maria (A-12)",
        "--at",
        "2026-11-09 18:40",
        "--promise",
        "Refund of 64.50 USD",
        "--due",
        "2026-11-16",
        "--promise",
        "Call back tomorrow",
        "--due",
        "2026-11-10 12:00",
        "--promise-id",
        "call",
        "--by",
        "Jonas",
        "--status",
        "waiting",
        "--key",
    )
    assert code == 0 and "promise id: refund-of-64-50 (when it is kept: logbook add SM-7781 … --fulfils" in out
    (chat,) = case(book).interactions
    assert [(p.what, p.id, p.by, p.due.iso()) for p in chat.promises] == [
        ("Refund of 64.50 USD", "refund-of-64-50", "Maria (A-12)", "2026-11-16"),
        ("Call back tomorrow", "call", "Jonas", "2026-11-10T12:00:00+00:00"),
    ]
    assert chat.status == "waiting" and chat.key
    assert (
        cli(
            capsys,
            book,
            "add",
            "SM-7781",
            "--channel",
            "email",
            "--direction",
            "in",
            "--fulfils",
            "refund-of-64-50",
            "--fulfils",
            "call",
        )[0]
        == 0
    )
    assert [r.id for r in case(book).interactions[-1].fulfils] == ["refund-of-64-50", "call"]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--fulfils", "refnd"],
            "--fulfils refnd: case 'SM-7781' has no promise 'refnd'; did you mean 'refund'? (its promises: refund)",
        ),
        (["--due", "2026-11-16"], "--due must come after the --promise it belongs to"),
        (
            ["--status", "wating"],
            "status 'wating' is not one of: open, waiting, escalated, resolved, closed; did you mean 'waiting'?",
        ),
        (["--promise", "Again", "--promise-id", "refund"], "already has a promise with id 'refund'"),
        (["--evidence", "order-prof"], "--evidence order-prof: not a kind logbook knows; did you mean 'order-proof'?"),
        (["--party", "Northbnak"], "party 'Northbnak' is not a party of case 'SM-7781'"),
    ],
)
def test_add_refusals_say_what_to_write(book, capsys, args, message):
    cli(
        capsys,
        book,
        "add",
        "SM-7781",
        "--channel",
        "chat",
        "--direction",
        "in",
        "--promise",
        "Refund",
        "--promise-id",
        "refund",
    )
    before = sorted((book / "cases/SM-7781").iterdir())
    code, out = cli(capsys, book, "add", "SM-7781", "--channel", "email", "--direction", "in", *args)
    assert code in (1, 2) and message in out, out
    assert sorted((book / "cases/SM-7781").iterdir()) == before


def test_at_is_read_in_the_case_zone_and_written_with_it(book, capsys):
    cli(capsys, book, "add", "SM-7781", "--channel", "phone", "--direction", "out", "--at", "2026-11-09 18:40")
    cli(capsys, book, "add", "SM-7781", "--channel", "phone", "--direction", "out", "--at", "2026-07-09 18:40")
    cli(capsys, book, "add", "SM-7781", "--channel", "email", "--direction", "in", "--at", "2026-07-10T09:00-04:00")
    files = sorted(p.read_text() for p in (book / "cases/SM-7781").glob("2026-*.md"))
    assert "at: 2026-11-09 18:40 Europe/London\n" in files[2] and "at: 2026-07-09 18:40 Europe/London\n" in files[0]
    assert "at: 2026-07-10 09:00-04:00\n" in files[1]  # an offset given is kept as given
    shown = [i.at.display() for i in case(book).interactions]
    assert shown == [
        "2026-07-09 18:40 BST (UTC+01:00)",
        "2026-07-10 09:00 (UTC-04:00)",
        "2026-11-09 18:40 GMT (UTC+00:00)",
    ]


def test_a_time_that_happens_twice_is_written_with_its_offset(book, capsys):
    cli(capsys, book, "add", "SM-7781", "--channel", "phone", "--direction", "out", "--at", "2026-10-25 01:30")
    (record,) = (book / "cases/SM-7781").glob("2026-*.md")
    assert "at: 2026-10-25 01:30+01:00\n" in record.read_text()
    assert not [d for d in load_logbook(book).diagnostics if d.code == "ambiguous-time"]


def test_at_errors_show_the_accepted_forms(book, capsys):
    code, out = cli(capsys, book, "add", "SM-7781", "--channel", "phone", "--direction", "out", "--at", "yesterday")
    assert code == 1
    assert (
        "--at: 'yesterday' is not a date or date-time; write it as 2026-11-09 18:40 (in the case's zone), "
        "2026-11-09 18:40 Europe/London, 2026-11-09T18:40+01:00, or a date alone: 2026-11-09"
    ) in out


def test_a_wrong_case_id_gets_did_you_mean(book, capsys):
    code, out = cli(capsys, book, "add", "SM-7718", "--channel", "phone", "--direction", "out")
    assert code == 1 and "logbook: error: no case 'SM-7718'; did you mean 'SM-7781'?" in out
    for command in (["status", "SM-7718", "waiting"], ["close", "SM-7718", "--summary", "x"], ["followup", "SM-7718"]):
        assert "no case 'SM-7718'; did you mean 'SM-7781'?" in cli(capsys, book, *command)[1]
    assert "no case 'ZZ-1'; the cases are: SM-7781" in cli(capsys, book, "status", "ZZ-1", "waiting")[1]


def test_writing_commands_find_the_logbook_upward(book, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(book / "cases" / "SM-7781")
    code, _, err = run_cli(
        ["add", "SM-7781", "--channel", "note", "--direction", "internal", "-m", "from inside"], capsys
    )
    assert code == 0 and err.startswith("wrote 2026-")


def test_outside_a_logbook_the_writing_commands_say_so(book, capsys, monkeypatch, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    if any((folder / "logbook.toml").exists() or (folder / "cases").is_dir() for folder in outside.parents):
        pytest.skip(f"a folder above {outside} is a logbook, so the search upward finds it")
    code, _, err = run_cli(["status", "SM-7781", "waiting"], capsys)
    assert code == 2 and "no logbook here: neither" in err and "logbook init" in err


# --- status and close ------------------------------------------------------------------------


def test_status_is_a_note_and_keeps_the_case_in_step(book, capsys):
    code, _ = cli(capsys, book, "status", "SM-7781", "escalated", "--at", "2026-11-20 10:00", "-m", "Went to the bank.")
    assert code == 0
    made = case(book)
    assert made.status == "escalated"
    (note,) = made.interactions
    assert (note.channel, note.direction, note.status, note.body) == (
        "note",
        "internal",
        "escalated",
        "Went to the bank.",
    )
    assert "status: escalated\n" in (book / "cases/SM-7781/case.md").read_text()


def test_status_and_close_in_a_single_file_keep_its_comments(book, capsys):
    cli(
        capsys,
        book,
        "new",
        "S-1",
        "--title",
        "One file",
        "--single-file",
        "--background",
        "x",
        "--opened",
        "2026-11-01",
    )
    path = book / "cases/S-1.md"
    path.write_text(path.read_text().replace("status: open\n", "status: open   # as opened\n# my note\n"))
    git(book, "commit", "-qam", "a comment of mine")
    assert cli(capsys, book, "status", "S-1", "waiting", "--at", "2026-11-20 10:00")[0] == 0
    assert (
        cli(capsys, book, "close", "S-1", "--summary", "Settled: refund received.", "--at", "2026-11-21 10:00")[0] == 0
    )
    text = path.read_text()
    assert "status: closed   # as opened\n# my note\n" in text and "summary: 'Settled: refund received.'\n" in text
    made = case(book, "S-1")
    assert (made.status, made.closed.iso(), made.summary) == (
        "closed",
        "2026-11-21T10:00:00+00:00",
        "Settled: refund received.",
    )
    assert [i.status for i in made.interactions] == ["waiting", "closed"]


def test_status_closed_points_to_close(book, capsys):
    code, out = cli(capsys, book, "status", "SM-7781", "closed")
    assert code == 1 and "to close a case, say how it ended: logbook close SM-7781 --summary '…'" in out


def test_close_refuses_pending_promises_unless_forced(book, capsys):
    cli(
        capsys,
        book,
        "add",
        "SM-7781",
        "--channel",
        "chat",
        "--direction",
        "in",
        "--promise",
        "Refund",
        "--due",
        "2099-01-01",
        "--promise-id",
        "refund",
        "--promise",
        "A call",
        "--promise-id",
        "call",
    )
    code, out = cli(capsys, book, "close", "SM-7781", "--summary", "Gave up.")
    assert code == 1
    assert (
        "case 'SM-7781' still has promises not kept: 'refund' (pending); 'call' (open). Record that they were "
        "kept (logbook add SM-7781 … --fulfils ID), or close it anyway with --force"
    ) in out
    assert case(book).status == "open"
    assert cli(capsys, book, "close", "SM-7781", "--summary", "Gave up.", "--force")[0] == 0
    assert case(book).status == "closed" and case(book).summary == "Gave up."


# --- git as the notary -----------------------------------------------------------------------


def test_each_command_commits_exactly_its_own_files(book, capsys):
    (book / "mine.txt").write_text("staged by me\n")
    git(book, "add", "mine.txt")
    (book / "logbook.toml").write_text((book / "logbook.toml").read_text() + "\n# my change, not staged\n")
    cli(
        capsys,
        book,
        "add",
        "SM-7781",
        "--channel",
        "phone",
        "--direction",
        "out",
        "--at",
        "2026-11-09 18:40",
        "--title",
        "Called them",
    )
    shown = git(book, "show", "--stat", "--format=%s", "HEAD")
    assert shown.startswith("logbook: add SM-7781: 2026-11-09 18:40 Europe/London phone out: Called them\n")
    assert "cases/SM-7781/2026-11-09-1840-phone-out.md" in shown and "mine.txt" not in shown
    status = git(book, "status", "--porcelain")
    assert "A  mine.txt" in status and " M logbook.toml" in status  # still the user's, untouched


def test_a_single_file_with_uncommitted_changes_is_refused_first(book, capsys):
    cli(capsys, book, "new", "S-1", "--title", "One file", "--single-file", "--background", "x")
    path = book / "cases/S-1.md"
    path.write_text(path.read_text() + "\nMy own words, not committed.\n")
    code, out = cli(capsys, book, "add", "S-1", "--channel", "phone", "--direction", "out")
    assert code == 1 and "cases/S-1.md has changes that are not committed yet; commit them first" in out
    assert path.read_text().endswith("My own words, not committed.\n")


@pytest.mark.parametrize(
    "operation, what",
    [(["merge", "other"], "a merge"), (["rebase", "other"], "a rebase"), (["cherry-pick", "other"], "a cherry-pick")],
)
def test_refuses_in_the_middle_of_a_merge(book, capsys, operation, what):
    notes = book / "notes.txt"
    notes.write_text("start\n")
    git(book, "add", "notes.txt")
    git(book, "commit", "-qm", "notes")
    git(book, "checkout", "-qb", "other")
    notes.write_text("theirs\n")
    git(book, "commit", "-qam", "other")
    git(book, "checkout", "-q", "-")
    notes.write_text("mine\n")
    git(book, "commit", "-qam", "mine")
    stopped = subprocess.run(
        ["git", "-C", str(book), "-c", "user.name=t", "-c", "user.email=t@x", *operation],
        capture_output=True,
        text=True,
    )
    assert stopped.returncode != 0, stopped.stdout  # stopped on the conflict in notes.txt
    before = sorted((book / "cases/SM-7781").iterdir())
    code, out = cli(capsys, book, "add", "SM-7781", "--channel", "phone", "--direction", "out")
    assert code == 1 and f"git is in the middle of {what}; finish it (or abort it) first" in out
    assert sorted((book / "cases/SM-7781").iterdir()) == before


def test_without_git_commit_nothing_is_committed(book, capsys):
    (book / "logbook.toml").write_text((book / "logbook.toml").read_text().replace("commit = true", "commit = false"))
    git(book, "commit", "-qam", "no notary")
    code, out = cli(capsys, book, "add", "SM-7781", "--channel", "phone", "--direction", "out")
    assert code == 0 and "committed" not in out
    assert git(book, "log", "-1", "--format=%s") == "no notary\n"


# --- followup --------------------------------------------------------------------------------


def test_followup_signs_with_the_keeper_and_keeps_the_title_out(book, capsys):
    toml = book / "logbook.toml"
    toml.write_text(toml.read_text().replace('# keeper = "Your Name"', 'keeper = "Alex Morgan"'))
    git(book, "commit", "-qam", "keeper")
    cli(capsys, book, "new", "T-1", "--title", "ShenMart are crooks", "--background", "x")
    cli(
        capsys, book, "add", "T-1", "--channel", "phone", "--direction", "out", "--at", "2026-11-09", "--agent", "Maria"
    )
    code, out = cli(capsys, book, "followup", "T-1", "--record", "--at", "2026-11-10 09:00")
    assert code == 0
    letter = out.partition("recorded as")[0]
    assert "crooks" not in letter and "(time not recorded)" not in letter
    assert "when I spoke to Maria on 09 November 2026.\n" in letter
    assert letter.rstrip().endswith("Kind regards,\nAlex Morgan")
    recorded = case(book, "T-1").interactions[-1]
    assert recorded.at.iso() == "2026-11-10T09:00:00+00:00" and recorded.channel == "email"
    assert cli(capsys, book, "followup", "T-1", "--at", "2026-11-10")[0] == 2  # --at goes with --record


# --- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["init", "new", "add", "status", "close", "followup"])
def test_help_ends_with_an_example(command, capsys):
    with pytest.raises(SystemExit):
        run_cli([command, "--help"], capsys)
    out = capsys.readouterr().out
    assert f"example:\n  logbook {command} " in out


# --- errors in hand-written records ----------------------------------------------------------


def test_an_unquoted_colon_says_how_to_quote_it(tmp_path, capsys):
    root = write_tree(
        tmp_path / "b", {"cases/c.md": "---\ntitle: Called ShenMart: refund not received\nstatus: open\n---\n"}
    )
    code, out, _ = run_cli(["check", str(root)], capsys)
    assert code == 1
    assert 'put the value in quotes: title: "Called ShenMart: refund not received"' in out
    assert "mapping values" not in out


def test_a_tab_says_indent_with_spaces(tmp_path, capsys):
    root = write_tree(tmp_path / "b", {"cases/c.md": "---\ntitle: T\nstatus: open\nrefs:\n\torder: 1\n---\n"})
    code, out, _ = run_cli(["check", str(root)], capsys)
    assert code == 1 and "indent with spaces, not tabs" in out and "token" not in out


def test_a_misspelt_zone_in_a_case_gets_did_you_mean(tmp_path, capsys):
    root = write_tree(tmp_path / "b", {"cases/c.md": "---\ntitle: T\nstatus: open\ntimezone: Asia/Shangai\n---\n"})
    code, out, _ = run_cli(["check", str(root)], capsys)
    assert code == 1 and "unknown time zone 'Asia/Shangai' (did you mean 'Asia/Shanghai'?)" in out


def test_a_missing_attachment_says_where_it_looked_and_what_is_there(tmp_path, capsys):
    root = write_tree(
        tmp_path / "b",
        {
            "cases/GT-1/case.md": "---\ntitle: T\nstatus: open\n---\n",
            "cases/GT-1/2026-01-16-email.md": "---\nat: 2026-01-16\nchannel: email\ndirection: in\n"
            "attachments: [Receipt.pdf]\n---\n",
            "cases/GT-1/scans/receipt.pdf": "%PDF",
            "cases/GT-1/receipt.png": "png",
        },
    )
    code, out, _ = run_cli(["check", str(root)], capsys)
    assert code == 1
    assert (
        "attachment 'Receipt.pdf' does not exist: looked for cases/GT-1/Receipt.pdf (paths are relative to "
        "cases/GT-1/2026-01-16-email.md) (files of a similar name: "
    ) in out
    assert "receipt.png" in out and "scans/receipt.pdf" in out


def test_add_with_a_status_keeps_the_case_in_step(book, capsys):
    code, out = cli(
        capsys,
        book,
        "add",
        "SM-7781",
        "--channel",
        "email",
        "--direction",
        "out",
        "--status",
        "escalated",
        "--subject",
        "Formal complaint",
    )
    assert code == 0 and case(book).status == "escalated" and case(book).interactions[0].status == "escalated"
    assert "case.md" in out
    code, out = cli(capsys, book, "status", "SM-7781", "wating")
    assert code == 1 and "did you mean 'waiting'?" in out


def test_a_record_holding_the_record_separator_does_not_break_the_history(book, capsys):
    """git's log is read as commits separated by \\x1e: one inside a message (a pasted control character)
    split a commit in two and crashed check (found by the writer property test)."""
    assert (
        cli(
            capsys,
            book,
            "add",
            "SM-7781",
            "--channel",
            "email",
            "--direction",
            "in",
            "--at",
            "2026-11-09 18:40",
            "-m",
            "before\x1eafter\x1e",
        )[0]
        == 0
    )
    loaded = load_logbook(book)
    assert [d for d in loaded.diagnostics if d.is_error] == []
    (record,) = (book / "cases/SM-7781").glob("2026-11-09-*.md")
    assert loaded.history.file(record.relative_to(book).as_posix()) is not None


def test_a_refused_commit_leaves_the_record_and_says_so(book, capsys):
    hook = book / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'no commits on Fridays' >&2\nexit 1\n")
    hook.chmod(0o755)
    code, out = cli(
        capsys, book, "add", "SM-7781", "--channel", "phone", "--direction", "out", "--at", "2026-11-09 18:40"
    )
    assert code == 1
    assert (
        "logbook: error: written, but not committed: git commit failed: no commits on Fridays; commit the files "
        "above yourself" in out
    )
    assert (book / "cases/SM-7781/2026-11-09-1840-phone-out.md").is_file()


def test_commit_true_outside_git_is_refused_before_writing(book, capsys, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(book, copy, ignore=shutil.ignore_patterns(".git"))
    code, out = cli(capsys, copy, "add", "SM-7781", "--channel", "phone", "--direction", "out")
    assert code == 1 and "is not in a git repository, but logbook.toml says [git] commit = true" in out
    assert sorted(p.name for p in (copy / "cases/SM-7781").iterdir()) == ["case.md"]


def test_followup_without_a_keeper_says_how_to_sign(book, capsys):
    cli(capsys, book, "add", "SM-7781", "--channel", "phone", "--direction", "out", "--at", "2026-11-09 18:40")
    code, out, err = run_cli(["followup", "SM-7781", "-C", str(book)], capsys)
    assert code == 0 and out.endswith("Kind regards,\n")
    assert '(unsigned: set keeper = "Your Name" under [site] in logbook.toml to sign it)' in err
    assert "on 2026-11-09 18:40 GMT (UTC+00:00)." in out


def test_a_read_only_case_folder_is_one_line_not_a_traceback(book, capsys):
    import os

    if os.geteuid() == 0:
        folder_guard = subprocess.run(["chattr", "+i", str(book / "cases/SM-7781")], capture_output=True)
        if folder_guard.returncode != 0:
            pytest.skip("running as root, and the file system cannot make a folder immutable")
    else:
        (book / "cases/SM-7781").chmod(0o555)
    try:
        code, out = cli(capsys, book, "add", "SM-7781", "--channel", "phone", "--direction", "out")
    finally:
        subprocess.run(["chattr", "-i", str(book / "cases/SM-7781")], capture_output=True)
        (book / "cases/SM-7781").chmod(0o755)
    assert code == 1 and out.startswith("logbook: error: could not write ") and out.count("\n") == 1, out


def test_init_without_git_installed_still_makes_a_logbook(tmp_path, capsys, monkeypatch):
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no git on the PATH
    code, _, err = run_cli(["init", str(tmp_path / "book")], capsys)
    assert code == 0 and "git is not installed, so nothing is committed" in err
    assert "commit = false" in (tmp_path / "book/logbook.toml").read_text()
    assert run_cli(["new", "X-1", "--title", "x", "-C", str(tmp_path / "book")], capsys)[0] == 0


def test_init_and_add_commit_with_relative_paths(tmp_path, capsys, monkeypatch):
    """git -C ROOT reads a relative path from ROOT: `logbook init b` typed in the parent folder, and
    `add` typed in a subfolder of the logbook, must still commit the files they wrote."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["init", "b", "--timezone", "Europe/London"], capsys)
    assert code == 0 and "not committed" not in out + err, out + err
    (tmp_path / "b" / "notes").mkdir()
    monkeypatch.chdir(tmp_path / "b" / "notes")
    assert run_cli(["new", "SM-1", "--title", "Lamp", "--counterparty", "ShenMart"], capsys)[0] == 0
    code, out, err = run_cli(
        [
            "add",
            "SM-1",
            "--channel",
            "chat",
            "--direction",
            "in",
            "--at",
            "2026-11-09 18:40",
            "--status",
            "waiting",
            "-m",
            "We will look into it.",
        ],
        capsys,
    )
    assert code == 0 and "not committed" not in out + err, out + err
    log = subprocess.run(["git", "-C", str(tmp_path / "b"), "log", "--format=%s"], capture_output=True, text=True)
    assert log.stdout.splitlines()[0].startswith("logbook: add SM-1")
    assert len(log.stdout.splitlines()) == 3
    status = subprocess.run(["git", "-C", str(tmp_path / "b"), "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == "?? notes/\n" or status.stdout == ""


def test_an_interaction_before_the_opening_is_a_warning_naming_the_date_that_fits(book, capsys):
    """`new` without --opened stamps today; a dispute typed up later would seem to open after it began."""
    cli(capsys, book, "new", "X-1", "--title", "x", "--background", "typed up later")
    assert (
        cli(
            capsys,
            book,
            "add",
            "X-1",
            "--channel",
            "email",
            "--direction",
            "out",
            "--at",
            "2026-03-02 09:00",
            "-m",
            "It broke.",
        )[0]
        == 0
    )
    code, out, err = run_cli(["check", str(book)], capsys)
    out += err
    assert (
        code == 0
        and "warning[before-opening]: this interaction (2026-03-02) is earlier than the case's opening" in out
        and "set 'opened: 2026-03-02' in cases/X-1/case.md" in out
    ), out


def test_a_broken_logbook_toml_stops_the_writing_commands_before_they_write(book, capsys):
    """With logbook.toml unreadable, the defaults in its place would write in UTC and leave the record
    uncommitted ([git] commit unread): the command refuses, names the line, and says how to quote text."""
    toml = book / "logbook.toml"
    toml.write_text(toml.read_text().replace('title = "Logbook"', "title = My disputes & more"))
    before = sorted(p.relative_to(book).as_posix() for p in (book / "cases").rglob("*"))
    for args in (
        ["add", "SM-7781", "--channel", "email", "--direction", "out", "-m", "Where is it?"],
        ["status", "SM-7781", "waiting", "-m", "Waiting"],
        ["new", "SM-7782", "--title", "Lamp", "--counterparty", "ShenMart"],
    ):
        code, text = cli(capsys, book, *args)
        assert code != 0
        assert "logbook.toml has errors; fix them first (logbook check): logbook.toml:" in text, text
        assert 'invalid TOML: Invalid value (text goes in quotes: title = "My disputes"); nothing was written' in text
    assert sorted(p.relative_to(book).as_posix() for p in (book / "cases").rglob("*")) == before
    assert git(book, "status", "--porcelain") == " M logbook.toml\n"


def test_close_with_a_date_alone_on_a_day_with_timed_entries_asks_for_the_time(book, capsys):
    """Closed "on 5 November" would sort before that day's 16:00 refund email: close asks for the time,
    and a record written that way by hand gets check's ends-before-its-day warning."""
    code, text = cli(
        capsys, book, "new", "SM-7782", "--title", "Lamp", "--counterparty", "ShenMart", "--opened", "2026-11-01"
    )
    assert code == 0, text
    for at, direction in (("2026-11-05 14:00", "out"), ("2026-11-05 16:00", "in")):
        code, text = cli(
            capsys, book, "add", "SM-7782", "--channel", "email", "--direction", direction, "--at", at, "-m", "x"
        )
        assert code == 0, text
    code, text = cli(capsys, book, "close", "SM-7782", "--summary", "Refunded", "--at", "2026-11-05")
    assert code != 0
    assert "has entries later on 2026-11-05 (the last at 16:00); a date alone would close it before them" in text
    assert "--at '2026-11-05 16:00' or later" in text and case(book, "SM-7782").status != "closed"
    code, text = cli(capsys, book, "status", "SM-7782", "resolved", "--at", "2026-11-05")
    assert code != 0 and "a date alone would close it before them" in text
    code, text = cli(
        capsys,
        book,
        "add",
        "SM-7782",
        "--channel",
        "note",
        "--direction",
        "internal",
        "--status",
        "resolved",
        "--at",
        "2026-11-05",
    )
    assert code != 0 and "a date alone would close it before them" in text
    # written in another zone, the last entry's time is suggested on the case's clock, rounded up
    code, text = cli(
        capsys,
        book,
        "add",
        "SM-7782",
        "--channel",
        "email",
        "--direction",
        "in",
        "--at",
        "2026-11-05 09:20:30-08:00",
        "-m",
        "y",
    )
    assert code == 0, text
    code, text = cli(capsys, book, "close", "SM-7782", "--summary", "Refunded", "--at", "2026-11-05")
    assert (
        "(the last at 17:21); a date alone would close it before them: give the time, --at '2026-11-05 17:21'" in text
    )
    code, text = cli(capsys, book, "close", "SM-7782", "--summary", "Refunded", "--at", "2026-11-05 17:30")
    assert code == 0, text
    code, text = cli(capsys, book, "check")
    assert "ends-before-its-day" not in text
