"""init, new, add, followup and schema, driven through the CLI on temporary logbooks."""

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logbook.authoring.commands import AuthoringError, NewInteraction, add_interaction
from logbook.load.stage import load_logbook
from support.books import SAMPLE, run_cli


def commit_all(book: Path, message: str) -> None:
    subprocess.run(
        ["git", "-C", str(book), "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", message],
        check=True,
    )


NOW = datetime(2026, 3, 29, 0, 45, tzinfo=UTC)  # 01:45 CET, just before the DST jump


@pytest.fixture
def book(tmp_path, capsys, monkeypatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    code, _, err = run_cli(["init", str(tmp_path / "book"), "--title", "Mine", "--timezone", "Europe/Berlin"], capsys)
    assert code == 0, err
    return tmp_path / "book"


def test_init_writes_a_valid_logbook_and_a_git_repo(book, capsys):
    assert (book / "cases").is_dir() and (book / ".git").is_dir()
    assert "_site/" in (book / ".gitignore").read_text()
    config = (book / "logbook.toml").read_text()
    assert 'timezone = "Europe/Berlin"' in config and "[tags]" in config and "# [tone]" in config
    loaded = load_logbook(book)
    assert loaded.diagnostics == () and loaded.logbook.config.has_tag_taxonomy
    assert run_cli(["init", str(book)], capsys)[0] == 1  # refuses an existing logbook


def test_init_inside_a_repo_does_not_nest_git(tmp_path, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert run_cli(["init", str(tmp_path / "sub")], capsys)[0] == 0
    assert not (tmp_path / "sub" / ".git").exists()


def test_new_creates_both_forms_and_refuses_existing_ids(book, capsys):
    assert (
        run_cli(
            [
                "new",
                "GT-1",
                "--title",
                "Blender",
                "--counterparty",
                "GadgetTown",
                "--tag",
                "damaged-item",
                "-C",
                str(book),
            ],
            capsys,
        )[0]
        == 0
    )
    assert run_cli(["new", "S-2", "--title", "No: a title", "--single-file", "-C", str(book)], capsys)[0] == 0
    code, _, err = run_cli(["new", "gt-1", "--title", "x", "-C", str(book)], capsys)
    assert code == 1 and "already used by cases/GT-1/case.md" in err
    assert run_cli(["new", "s-2", "--title", "x", "--single-file", "-C", str(book)], capsys)[0] == 1
    assert run_cli(["new", "bad id", "--title", "x", "-C", str(book)], capsys)[0] == 1
    cases = {c.id: c for c in load_logbook(book).logbook.cases}
    assert cases["GT-1"].form == "bundle" and cases["GT-1"].tags == ("damaged-item",)
    assert cases["S-2"].form == "single" and cases["S-2"].title == "No: a title"


def test_add_to_a_bundle_copies_attachments_and_never_overwrites(book, capsys, tmp_path):
    run_cli(
        [
            "new",
            "GT-1",
            "--title",
            "Blender",
            "--background",
            "A broken blender.",
            "--opened",
            "2026-03-01",
            "-C",
            str(book),
        ],
        capsys,
    )
    label = tmp_path / "label.pdf"
    label.write_bytes(b"%PDF-1.4 label")
    other = tmp_path / "other" / "label.pdf"
    other.parent.mkdir()
    other.write_bytes(b"%PDF-1.4 a different label")
    new = NewInteraction(
        channel="phone", direction="out", agent="Maria (A-12)", message="Promised a label.", attachments=(label,)
    )
    first = add_interaction(book, "gt-1", new, NOW)
    second = add_interaction(
        book, "GT-1", NewInteraction(channel="email", direction="in", attachments=(label, other)), NOW
    )
    assert [p.name for p in first.paths] == ["2026-03-29-0145-phone-out.md", "label.pdf"]
    assert [p.name for p in second.paths] == ["2026-03-29-0145-email-in.md", "label.pdf", "label-2.pdf"]
    assert (book / "cases/GT-1/label.pdf").read_bytes() == b"%PDF-1.4 label"
    assert (book / "cases/GT-1/label-2.pdf").read_bytes() == b"%PDF-1.4 a different label"
    assert label.exists() and other.exists()  # copied, not moved
    third = add_interaction(book, "GT-1", new, NOW)
    assert third.paths[0].name == "2026-03-29-0145-phone-out-2.md"
    loaded = load_logbook(book)
    assert loaded.diagnostics == ()
    call = next(i for i in loaded.logbook.cases[0].interactions if i.channel == "phone")
    assert call.at.iso() == "2026-03-29T01:45:00+01:00" and call.agent.display() == "Maria (A-12)"


def test_add_to_a_single_file_keeps_chronological_order(book, capsys, tmp_path):
    run_cli(
        [
            "new",
            "S-2",
            "--title",
            "Single",
            "--single-file",
            "--background",
            "One file.",
            "--opened",
            "2026-01-01",
            "-C",
            str(book),
        ],
        capsys,
    )
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"\x89PNG")
    for at, text in (
        ("2026-01-05 10:00", "second"),
        ("2026-01-09 10:00", "fourth"),
        ("2026-01-03 10:00", "first"),
        ("2026-01-07 10:00", "third"),
    ):
        add_interaction(
            book,
            "S-2",
            NewInteraction(
                channel="email", direction="in", at=at, message=text, attachments=(shot,) if text == "third" else ()
            ),
            NOW,
        )
    loaded = load_logbook(book)
    assert loaded.diagnostics == ()
    bodies = [i.body for i in loaded.logbook.cases[0].interactions]
    assert bodies == ["first", "second", "third", "fourth"]  # source order, not just sorted output
    assert loaded.logbook.cases[0].interactions[2].attachments[0].path == "cases/S-2.attachments/shot.png"


def test_add_keeps_crlf_and_bom(book, capsys):
    run_cli(
        [
            "new",
            "S-3",
            "--title",
            "Windows",
            "--single-file",
            "--background",
            "Saved on Windows.",
            "--opened",
            "2026-01-01",
            "-C",
            str(book),
        ],
        capsys,
    )
    path = book / "cases/S-3.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    commit_all(book, "saved by a Windows editor")  # logbook commits only on top of a committed file
    add_interaction(book, "S-3", NewInteraction(channel="note", direction="internal", at="2026-01-01 10:00"), NOW)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert load_logbook(book).diagnostics == ()


def test_add_refusals(book, capsys, tmp_path):
    run_cli(["new", "GT-1", "--title", "Blender", "-C", str(book)], capsys)
    notes = tmp_path / "notes.md"
    notes.write_text("x")
    for new, message in [
        (NewInteraction(channel="pigeon", direction="in"), "channel 'pigeon'"),
        (NewInteraction(channel="email", direction="in", at="2026-03-29 02:30"), "does not exist"),
        (NewInteraction(channel="email", direction="in", attachments=(tmp_path / "missing.pdf",)), "not a file"),
        (NewInteraction(channel="email", direction="in", attachments=(notes,)), "Markdown"),
    ]:
        with pytest.raises(AuthoringError, match=message):
            add_interaction(book, "GT-1", new, NOW)
    with pytest.raises(AuthoringError, match="no case"):
        add_interaction(book, "NOPE", NewInteraction(channel="email", direction="in"), NOW)
    assert sorted(p.name for p in (book / "cases/GT-1").iterdir()) == ["case.md"]


def test_add_cli_never_opens_an_editor_without_a_terminal(book, capsys, monkeypatch):
    run_cli(["new", "GT-1", "--title", "Blender", "-C", str(book)], capsys)
    monkeypatch.setenv("EDITOR", "false-editor-that-does-not-exist")  # launching it would fail the command
    monkeypatch.chdir(book)
    code, _, err = run_cli(["add", "GT-1", "--channel", "chat", "--direction", "in", "-m", "hi"], capsys)
    assert code == 0 and err.startswith("wrote cases/GT-1/")


def test_followup_for_a_call_and_record(capsys, tmp_path):
    import shutil

    book = tmp_path / "book"
    shutil.copytree(SAMPLE, book, ignore=shutil.ignore_patterns("_site"))
    code, out, _ = run_cli(["followup", "GT-1042", "e-20260311-1520", "-C", str(book)], capsys)
    assert code == 0
    assert out.startswith("Subject: Confirming our phone conversation of 11 March 2026 (GT-889123)\n")
    assert "Maria (A-12) on 2026-03-11 16:20 CET (UTC+01:00)" in out
    assert "  - Email a prepaid RMA return label within 24 hours (Maria (A-12)), by 2026-03-12 16:20 CET" in out
    assert "  - rma: RMA-5521" in out and "  - reference: CS-77812" in out
    code, default_out, _ = run_cli(["followup", "GT-1042", "-C", str(book)], capsys)
    assert "30 March 2026" in default_out  # the last call by default
    assert run_cli(["followup", "GT-1042", "e-nope", "-C", str(book)], capsys)[0] == 1
    assert run_cli(["followup", "CP-5512", "-C", str(book)], capsys)[0] == 1  # no call in that case
    before = len(list((book / "cases/GT-1042").glob("*.md")))
    assert (
        run_cli(
            [
                "followup",
                "GT-1042",
                "e-20260311-1520",
                "--record",
                "--to",
                "support@gadgettown.example",
                "-C",
                str(book),
            ],
            capsys,
        )[0]
        == 0
    )
    assert len(list((book / "cases/GT-1042").glob("*.md"))) == before + 1
    loaded = load_logbook(book)
    assert loaded.diagnostics == ()
    recorded = [
        i
        for c in loaded.logbook.cases
        if c.id == "GT-1042"
        for i in c.interactions
        if i.title == "Written confirmation of the call"
    ]
    assert recorded and recorded[0].direction == "out" and recorded[0].channel == "email"
    assert recorded[0].subject.startswith("Confirming our phone conversation of 11 March 2026")


def test_schema_is_generated_from_the_field_tables(capsys, tmp_path):
    from logbook.load.fields import CASE_FIELDS, INTERACTION_FIELDS

    code, out, _ = run_cli(["schema", "-C", str(SAMPLE)], capsys)
    schemas = json.loads(out)
    assert code == 0 and set(schemas) == {"case", "interaction"}
    assert list(schemas["case"]["properties"]) == [f.name for f in CASE_FIELDS]
    assert list(schemas["interaction"]["properties"]) == [f.name for f in INTERACTION_FIELDS]
    assert schemas["case"]["required"] == ["title", "status"]
    assert schemas["interaction"]["properties"]["channel"]["enum"][0] == "email"
    assert "refund-delayed" in json.dumps(schemas["case"]["properties"]["tags"])  # the logbook's own taxonomy
    assert run_cli(["schema", "--out", str(tmp_path / "s"), "-C", str(SAMPLE)], capsys)[0] == 0
    assert json.loads((tmp_path / "s/case.schema.json").read_text()) == schemas["case"]


def test_schema_accepts_the_sample_front_matter():
    """Editors read front matter as YAML 1.2, where dates are strings; our own reader gives the same view."""
    import jsonschema

    from logbook.core.yamlnodes import Map, Seq, compose
    from logbook.load.schema import case_schema, interaction_schema

    def plain(node):
        if isinstance(node, Map):
            return {k.value: plain(v) for k, v in node.entries}
        if isinstance(node, Seq):
            return [plain(i) for i in node.items]
        return node.value

    config = load_logbook(SAMPLE).logbook.config
    checked = 0
    for path in (SAMPLE / "cases").rglob("*.md"):
        text = path.read_text()
        if not text.startswith("---"):
            continue
        data = plain(compose(text.split("---")[1]).root)
        checked += 1
        is_case = path.name == "case.md" or not (path.parent / "case.md").exists()
        schema = case_schema(config) if is_case else interaction_schema(config)
        jsonschema.validate(data, schema)
    assert checked >= 30
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "x", "status": "opne"}, case_schema(config))


def test_add_opens_the_editor_from_a_terminal(book, capsys, tmp_path):
    """With a terminal on stdin and stdout (a pty here) and no CI variable, $EDITOR opens the new record."""
    import os
    import pty
    import sys

    run_cli(["new", "GT-1", "--title", "Blender", "-C", str(book)], capsys)
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'a').write('Typed in the editor.\\n')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "VISUAL")}
    env["EDITOR"] = f"{sys.executable} {editor}"
    main_fd, child_fd = pty.openpty()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "logbook",
            "add",
            "GT-1",
            "--channel",
            "chat",
            "--direction",
            "in",
            "--at",
            "2026-01-02 10:00",
            "-C",
            str(book),
        ],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=env,
        timeout=60,
    )
    os.close(child_fd)
    os.close(main_fd)
    assert proc.returncode == 0
    (record,) = (book / "cases/GT-1").glob("2026-01-02-1000-chat-in.md")
    assert record.read_text().endswith("Typed in the editor.\n")
    env["CI"] = "true"
    main_fd, child_fd = pty.openpty()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "logbook",
            "add",
            "GT-1",
            "--channel",
            "chat",
            "--direction",
            "in",
            "--at",
            "2026-01-03 10:00",
            "-C",
            str(book),
        ],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=env,
        timeout=60,
    )
    os.close(child_fd)
    os.close(main_fd)
    assert "Typed" not in (book / "cases/GT-1/2026-01-03-1000-chat-in.md").read_text()
