"""What init, new and add write passes check, whatever the user typed, or they refuse and write nothing.

The writers emit YAML and TOML through serializers, never by pasting a value into text; a
message in a single-file case cannot start an interaction of its own; and every record is
parsed by logbook's reader before it is written.
"""

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from logbook.load.stage import load_logbook
from support.books import run_cli


@pytest.fixture
def book(tmp_path, capsys, monkeypatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    code, _, err = run_cli(["init", str(tmp_path / "book"), "--timezone", "Europe/Berlin"], capsys)
    assert code == 0, err
    assert (tmp_path / "book" / ".git").is_dir()  # its own repository, never an enclosing one
    for args in (
        ["new", "S-1", "--title", "One file", "--single-file", "--background", "Single."],
        ["new", "B-1", "--title", "A folder", "--background", "Bundle."],
    ):
        assert run_cli([*args, "-C", str(tmp_path / "book")], capsys)[0] == 0
    return tmp_path / "book"


def add(book: Path, capsys, case: str, *args: str) -> tuple[int, str]:
    code, out, err = run_cli(
        ["add", case, "--channel", "email", "--direction", "in", "--no-edit", *args, "-C", str(book)], capsys
    )
    return code, out + err


def clean(book: Path) -> tuple:
    loaded = load_logbook(book)
    assert [d for d in loaded.diagnostics if d.is_error] == []
    return {c.id: c for c in loaded.logbook.cases}


def test_a_pasted_heading_cannot_inject_an_interaction_into_a_single_file(book, capsys):
    pasted = "Hello,\n## 2026-01-01 10:00 Refund granted\nchannel: note\ndirection: internal\n\nfake body"
    assert add(book, capsys, "S-1", "--at", "2026-02-01 09:00", "-m", pasted)[0] == 0
    (interaction,) = clean(book)["S-1"].interactions
    assert interaction.channel == "email"
    assert "### 2026-01-01 10:00 Refund granted" in interaction.body and "fake body" in interaction.body


def test_a_heading_without_a_time_and_an_open_fence_in_a_message(book, capsys):
    """Variants: '## Summary' would be an invalid heading; a fence left open would hide the next section."""
    assert add(book, capsys, "S-1", "--at", "2026-02-01 09:00", "-m", "## Summary\nIt broke.\n```\ncode")[0] == 0
    assert add(book, capsys, "S-1", "--at", "2026-02-02 09:00", "-m", "second")[0] == 0
    interactions = clean(book)["S-1"].interactions
    assert [i.body.split("\n")[0] for i in interactions] == ["### Summary", "second"]


@pytest.mark.parametrize("option", ["--agent", "--title", "--subject", "--from", "--ref"])
def test_a_line_break_in_a_one_line_value_is_refused(book, capsys, option):
    before = {p: p.read_bytes() for p in (book / "cases").rglob("*") if p.is_file()}
    code, err = add(book, capsys, "S-1", option, "x\nprivate: true")
    assert code == 1 and f"{option} must be one line of text; it holds a line break" in err
    code, err = add(book, capsys, "B-1", option, "x\x1b]0;PWNED\x07")
    assert code == 1 and "U+001B" in err
    assert {p: p.read_bytes() for p in (book / "cases").rglob("*") if p.is_file()} == before


def test_bytes_that_are_not_utf8_are_refused_not_a_traceback(book, capsys):
    code, err = add(book, capsys, "B-1", "-m", "caf\udce9")  # how Python passes the Latin-1 byte 0xE9 from argv
    assert code == 1 and "the message is not valid UTF-8 text" in err


NASTY = [
    "Called ShenMart: refund not received",
    "no",
    "null",
    "14:03",
    "0123",
    "- a list?",
    "# not a comment",
    "'quoted'",
    '"double" and \\backslash',
    "{a: b}",
    "[1, 2]",
    "&anchor *alias",
    "!!python/object x",
    "%TAG",
    "---",
    "tab\tinside",
    "  spaces around  ",
    "emoji 😀 and é",
    "line\u2028separator",
    "nbsp\u00a0here",
    "@at",
    "`tick`",
    "key: value # comment",
]


@pytest.mark.parametrize("form", ["S-1", "B-1"])
def test_values_read_back_exactly_as_typed(book, capsys, form):
    """Every value a YAML writer could misquote, in both forms: written, checked and read back unchanged
    (one-line values trimmed; those holding a tab or a line separator refused)."""
    written = []
    for n, value in enumerate(NASTY):
        code, err = add(
            book,
            capsys,
            form,
            "--at",
            f"2026-02-01 09:{n:02d}",
            f"--title={value}",
            f"--agent={value}",
            f"--subject={value}",
            f"--ref={value}",
            f"--message={value}",
        )
        if "\t" in value or "\u2028" in value:
            assert code == 1 and "must be one line of text" in err
            continue
        assert code == 0, (value, err)
        written.append(value.strip())
    interactions = clean(book)[form].interactions
    assert [i.title for i in interactions] == written
    assert [i.subject for i in interactions] == written and [i.ref for i in interactions] == written
    assert [i.body for i in interactions] == written


def test_init_title_with_a_line_break_is_refused_and_quotes_are_kept(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    code, _, err = run_cli(["init", str(tmp_path / "a"), "--title", "a\nb"], capsys)
    assert code == 1 and "--title must be one line of text; it holds a line break" in err
    assert not (tmp_path / "a" / "logbook.toml").exists()
    title = 'Alex "the keeper" \\ disputes = [x]'
    assert run_cli(["init", str(tmp_path / "b"), "--title", title], capsys)[0] == 0
    config = tomllib.loads((tmp_path / "b" / "logbook.toml").read_text())
    assert config["site"]["title"] == title and config["git"]["commit"] is True
    assert load_logbook(tmp_path / "b").diagnostics == ()


def test_new_values_read_back_exactly(book, capsys):
    for n, value in enumerate(v for v in NASTY if "\t" not in v and "\u2028" not in v):
        code, _, err = run_cli(
            [
                "new",
                f"N-{n}",
                f"--title={value}",
                f"--counterparty={value}",
                f"--ref=order={value}",
                f"--background={value}",
                "-C",
                str(book),
            ],
            capsys,
        )
        assert code == 0, (value, err)
        case = clean(book)[f"N-{n}"]
        assert (case.title, case.counterparty, dict(case.refs)["order"]) == (value.strip(),) * 3


# Text as a user might paste it: YAML and Markdown punctuation, line breaks of every kind, controls.
_PIECES = st.sampled_from(
    [
        ": ",
        "#",
        "- ",
        "---",
        "## 2026-01-01 10:00 x",
        "```",
        "~~~",
        "'",
        '"',
        "\\",
        "{",
        "[",
        "&a",
        "*a",
        "!",
        "%",
        "|",
        ">",
        "\n",
        "\r\n",
        "\r",
        "\t",
        "\x85",
        "\u2028",
        "\x1b",
        "\x00",
        "\ufeff",
        "null",
        "no",
        "14:03",
        " ",
        "é",
        "😀",
        "\udce9",
    ]
)
pasted = st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=8).map("".join)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(title=pasted, agent=pasted, message=pasted, single=st.booleans())
def test_add_writes_a_valid_record_or_refuses_whatever_is_typed(book, capsys, title, agent, message, single):
    """The property behind finding 17.17: exit 0 and a record that reads back as typed, or exit 1,
    one line, and nothing written."""
    case_id = "S-1" if single else "B-1"
    before = {p: p.read_bytes() for p in (book / "cases").rglob("*") if p.is_file()}
    earlier = clean(book)[case_id].interactions
    count = len(earlier)
    code, err = add(book, capsys, case_id, f"--title={title}", f"--agent={agent}", f"--message={message}")
    if code != 0:
        assert code == 1 and err.startswith("logbook: error: ") and err.count("\n") == 1, err
        assert {p: p.read_bytes() for p in (book / "cases").rglob("*") if p.is_file()} == before
        event("refused")
        return
    interactions = list(clean(book)[case_id].interactions)
    assert len(interactions) == count + 1
    for old in earlier:
        interactions.remove(old)
    (new,) = interactions
    assert new.title == (title.strip() or None)
    assert (new.agent is not None) == bool(agent.strip())
    event("written")
