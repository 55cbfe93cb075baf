"""No value from a logbook acts on the terminal or forges a line of a report: control characters,
newlines and bidirectional controls in file names and fields are escaped in every output format."""

import json
import re

import pytest

from support.books import run_cli

HOSTILE_STATUS = '"\\e]0;PWNED\\a\\e[2Jopen"'  # YAML escapes: ESC ] 0 ; PWNED BEL ESC [ 2 J
FORGED = "x\nfake.md:1:1: error[forged]: injected"
EVIL_NAME = "evil\n::error file=forged.md,line=1::injected.md"
TEXT_LINE = re.compile(r"^.+:\d+:\d+: (error|warning)\[[a-z-]+\]: ")
ACTING = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # all but our \n


def _book(logbook_dir):
    return logbook_dir(
        {
            "cases/a.md": f"---\ntitle: A\nstatus: {HOSTILE_STATUS}\n---\n",
            "cases/b.md": f"---\ntitle: B\nstatus: {json.dumps(FORGED)}\n---\n",
            "cases/c.md": '---\ntitle: C\nstatus: "\\u202eopen\\x9b2J"\n---\n',  # bidi override, 8-bit CSI
            f"cases/{EVIL_NAME}": "no front matter here\n",
        }
    )


def _diagnostics(root, capsys) -> list[dict]:
    return json.loads(run_cli(["check", str(root), "--format", "json"], capsys)[1])


def test_text_format_escapes_terminal_controls_and_newlines(logbook_dir, capsys):
    root = _book(logbook_dir)
    count = len(_diagnostics(root, capsys))
    code, out, err = run_cli(["check", str(root)], capsys)
    assert code == 1 and count >= 4
    assert not ACTING.search(out + err)
    lines = out.splitlines()
    assert len(lines) == count and all(TEXT_LINE.match(line) for line in lines)  # no forged line
    assert not any(line.startswith("fake.md") for line in lines)
    assert "\\x1b]0;PWNED\\x07\\x1b[2Jopen" in out and "x\\nfake.md:1:1" in out
    assert "evil\\n::error file=forged.md" in out


def test_github_format_escapes_file_names_and_messages(logbook_dir, capsys):
    root = _book(logbook_dir)
    count = len(_diagnostics(root, capsys))
    code, out, _ = run_cli(["check", str(root), "--format", "github"], capsys)
    lines = out.splitlines()
    assert len(lines) == count and all(
        re.match(r"::(error|warning) file=[^:,]*,line=\d+,col=\d+,title=[a-z-]+::", line) for line in lines
    )
    assert not ACTING.search(out)
    evil = next(line for line in lines if "evil" in line)
    assert "cases/evil\\n%3A%3Aerror file=forged.md%2Cline=1%3A%3Ainjected.md," in evil


def test_json_format_keeps_values_but_escapes_every_control(logbook_dir, capsys):
    root = _book(logbook_dir)
    code, out, _ = run_cli(["check", str(root), "--format", "json"], capsys)
    assert not ACTING.search(out)
    found = json.loads(out)
    assert any(EVIL_NAME in d["file"] for d in found)  # the value itself, decoded, is unchanged
    assert any("\x1b]0;PWNED\x07" in d["message"] for d in found)
    assert "\\u202eopen\\u009b2J" in out


def test_audit_and_errors_escape_values(logbook_dir, capsys):
    root = logbook_dir(
        {
            "cases/a.md": "---\ntitle: A\nstatus: open\nopened: 2026-01-01\n---\n\n"
            "## 2026-01-02 10:00Z\nchannel: email\ndirection: in\n"
            'promises:\n  - {what: "refund\\nfake.md:1: forged \\e[2J", due: 2026-01-03}\n\nPay me.\n'
        }
    )
    code, out, _ = run_cli(["audit", str(root), "--as-of", "2026-02-01"], capsys)
    assert "refund" in out and not ACTING.search(out)
    assert not any(line.startswith("fake.md") for line in out.splitlines())
    code, out, _ = run_cli(["audit", str(root), "--as-of", "2026-02-01", "--format", "json"], capsys)
    assert not ACTING.search(out) and "refund\nfake.md" in json.dumps(json.loads(out), ensure_ascii=False).replace(
        "\\n", "\n"
    )
    code, _, err = run_cli(["export", "no\x1b[2Jsuch", "--zip", "x.zip", "-C", str(root)], capsys)
    assert code != 0 and "\\x1b[2J" in err and not ACTING.search(err) and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "value, shown",
    [
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("a\nb", "a\\nb"),
        ("a\u202eb", "a\\u202eb"),
        ("a\x9bb", "a\\x9bb"),
        ("tab\there", "tab\\there"),
        ("plain é", "plain é"),
    ],
)
def test_printable(value, shown):
    from logbook.core.diagnostics import printable

    assert printable(value) == shown
