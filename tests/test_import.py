"""logbook import: emails (.eml, mbox, Maildir) and WhatsApp exports, driven through the CLI.

The messages are made with the standard library's email package (tests/mailgen.py), not
written by hand, and read back through logbook's own loader and site.
"""

from __future__ import annotations

import hashlib
import mailbox
import os
import re
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from pathlib import Path

import pytest

from logbook.load.stage import load_logbook
from support import mailgen
from support.books import run_cli, site_tree


@pytest.fixture
def book(tmp_path, capsys, monkeypatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    root = tmp_path / "book"
    assert run_cli(["init", str(root), "--timezone", "Europe/Berlin"], capsys)[0] == 0
    return root


def _new(root: Path, capsys, case_id: str, refs: dict[str, str] | None = None, single: bool = False) -> Path:
    args = ["new", case_id, "--title", f"Case {case_id}", "-C", str(root)] + (["--single-file"] if single else [])
    assert run_cli(args, capsys)[0] == 0
    path = root / "cases" / (f"{case_id}.md" if single else f"{case_id}/case.md")
    if refs:
        lines = "".join(f"  {k}: {v}\n" for k, v in refs.items())
        path.write_text(path.read_text().replace("status: open\n", f"status: open\nrefs:\n{lines}", 1))
    return path


def _interactions(root: Path, case_id: str):
    loaded = load_logbook(root)
    assert not [d for d in loaded.diagnostics if d.is_error], loaded.diagnostics
    case = next(c for c in loaded.logbook.cases if c.id == case_id)
    return sorted(case.interactions, key=lambda i: i.at.instant), loaded


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "cases").rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def varied_mbox(tmp_path_factory) -> tuple[Path, list[bytes]]:
    messages = mailgen.varied()
    path = tmp_path_factory.mktemp("mail") / "Takeout.mbox"
    path.write_bytes(mailgen.mbox_bytes(messages))
    return path, messages


def test_varied_mbox_becomes_one_interaction_per_message(book, capsys, varied_mbox):
    path, messages = varied_mbox
    code, _, err = run_cli(
        [
            "import",
            str(path),
            "--new-case",
            "SHOP-1",
            "--title",
            "Damaged parcel",
            "--me",
            "alex@example.org",
            "-C",
            str(book),
        ],
        capsys,
    )
    assert code == 0, err
    assert "imported 11 message(s) into SHOP-1" in err
    interactions, _ = _interactions(book, "SHOP-1")
    assert len(interactions) == len(messages) == 11
    by_id = {i.message_id: i for i in interactions}
    alt = by_id["alt-1@shop.example"]
    assert (alt.channel, alt.direction, alt.at.when.isoformat()) == ("email", "in", "2026-03-09T10:00:00+01:00")
    assert alt.cc == "Billing <billing@shop.example>" and alt.body.startswith("Thank you for your order GT-889123.")
    assert "<b>" not in alt.body  # text/plain chosen over its HTML alternative
    mixed = by_id["mixed-2@example.org"]
    assert mixed.direction == "out" and mixed.recipient == "Kundenservice <support@shop.example>"
    names = [Path(a.path).name for a in mixed.attachments]
    assert names == ["email-2026-03-10-100000.eml", "invoice.pdf", "damage.png"]
    folder = book / "cases" / "SHOP-1"
    assert (folder / "invoice.pdf").read_bytes() == mailgen.pdf_bytes("invoice 1")
    assert (folder / "damage.png").read_bytes() == mailgen.png_bytes(1)
    assert (
        mixed.body.index("The parcel arrived damaged")
        < mixed.body.index("Quoted history:")
        < mixed.body.index("> On Mon, 9 Mar 2026")
    )
    assert by_id["qp-3@shop.example"].subject == "Erstattung für Bestellung Rückgabe"
    assert "Grüße aus Köln" in by_id["qp-3@shop.example"].body
    sjis = by_id["sjis-4@shop.example"]
    assert (sjis.subject, sjis.sender, sjis.body) == (
        "ご注文の確認",
        "山田 太郎 <yamada@shop.example>",
        "ご注文の商品は発送されました。",
    )
    html = by_id["html-5@shop.example"].body
    assert "**89.99 EUR**" in html and "- Order GT-889123" in html and "[Help](https://shop.example/help)" in html
    assert "alert" not in html and "tracker.example" not in html and "<" not in html
    forwarded = by_id["fwd-6@example.org"]
    assert len(forwarded.attachments) == 2 and forwarded.attachments[1].path.endswith(".eml")
    assert by_id["nodate-7@shop.example"].at.when.isoformat() == "2026-03-15T10:00:00+01:00"
    assert by_id["baddate-8@shop.example"].at.when.isoformat() == "2026-03-16T10:00:00+01:00"
    assert "message 7: it has no Date: header; its time is taken from the first Received: header" in err
    assert "message 8: it has a Date: header that is not a date ('Tuesday, the 31st of Februaryish')" in err
    named = [Path(a.path).name for a in by_id["names-9@shop.example"].attachments]
    assert named[1:] == ["Schäden – Küche 📷.png", "領収書.pdf", "notes.md.txt"]
    big = by_id["big-10@shop.example"]
    assert (folder / "defect.mp4").stat().st_size == 15 * 1024 * 1024
    assert (
        hashlib.sha256((folder / "defect.mp4").read_bytes()).hexdigest()
        == hashlib.sha256((bytes(range(256)) * 61441)[: 15 * 1024 * 1024]).hexdigest()
    )
    assert Path(big.attachments[1].path).name == "defect.mp4"
    assert (folder / "credit-note.pdf").read_bytes() == mailgen.pdf_bytes("credit note")
    assert not list(book.glob(".logbook-import-*"))  # the staging folder is gone


def test_eml_exhibits_are_byte_identical_and_the_evidence_page_lists_them_in_time_order(book, capsys, varied_mbox):
    path, messages = varied_mbox
    shuffled = path.parent / "shuffled.mbox"
    shuffled.write_bytes(mailgen.mbox_bytes(messages[::-1]))  # the mbox's order is not the messages' order
    assert run_cli(["import", str(shuffled), "--new-case", "SHOP-1", "--title", "T", "-C", str(book)], capsys)[0] == 0
    interactions, _ = _interactions(book, "SHOP-1")
    source_digests = {hashlib.sha256(m).hexdigest() for m in messages}
    exhibit_digests = [hashlib.sha256((book / i.attachments[0].path).read_bytes()).hexdigest() for i in interactions]
    assert set(exhibit_digests) == source_digests
    code, _, err = run_cli(["build", str(book), "--as-of", "2026-04-01"], capsys)
    assert code == 0, err
    page = (book / "_site" / "cases" / "SHOP-1" / "index.html").read_text()
    times = re.findall(r'<h3 id="[^"]+"><time datetime="([^"]+)"', page)
    assert len(times) == 11 and times == sorted(times, key=lambda t: datetime.fromisoformat(t))
    for digest in source_digests:
        assert f'<code class="hash">{digest}</code>' in page
    assert '<details class="quoted-history"><summary>Quoted history</summary>' in page


def test_a_single_eml_file_is_byte_identical_too(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    raw = mailgen.mixed_pdf_png(datetime(2026, 3, 10, 9, 30, 12, tzinfo=UTC)).replace(b"\n", b"\r\n")
    source = tmp_path / "saved.eml"
    source.write_bytes(raw)  # as a mail program saves it: CRLF line ends
    assert run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)[0] == 0
    (interaction,), _ = _interactions(book, "GT-1")
    assert (book / interaction.attachments[0].path).read_bytes() == raw
    assert interaction.at.when.isoformat() == "2026-03-10T09:30:12+00:00"


def test_reimport_adds_nothing_and_says_how_many_are_recorded(book, capsys, varied_mbox, tmp_path):
    path, messages = varied_mbox
    run_cli(["import", str(path), "--new-case", "SHOP-1", "--title", "T", "-C", str(book)], capsys)
    before = _tree(book)
    code, _, err = run_cli(["import", str(path), "--case", "SHOP-1", "-C", str(book)], capsys)
    assert code == 0 and "nothing new to import; 11 already recorded" in err
    assert _tree(book) == before
    more = tmp_path / "more.mbox"
    extra = mailgen.alternative(datetime(2026, 3, 25, 8, 0, tzinfo=UTC)).replace(b"alt-1@", b"alt-99@")
    more.write_bytes(mailgen.mbox_bytes([*messages[:3], extra]))
    code, _, err = run_cli(["import", str(more), "--case", "SHOP-1", "-C", str(book)], capsys)
    assert code == 0 and "imported 1 message(s) into SHOP-1" in err and "3 already recorded" in err


def test_a_message_without_message_id_is_recognised_by_its_bytes(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    raw = re.sub(rb"Message-ID: [^\n]+\n", b"", mailgen.alternative(datetime(2026, 3, 1, tzinfo=UTC)))
    source = tmp_path / "a.eml"
    source.write_bytes(raw)
    assert run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)[0] == 0
    (interaction,), _ = _interactions(book, "GT-1")
    assert interaction.message_id == "sha256:" + hashlib.sha256(raw).hexdigest()
    code, _, err = run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)
    assert "1 already recorded" in err


def test_attachments_same_bytes_stored_once_same_name_other_bytes_renamed(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    when = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    raws = []
    for n, (name, data) in enumerate(
        [("scan.pdf", b"%PDF first"), ("copy of scan.pdf", b"%PDF first"), ("scan.pdf", b"%PDF second")]
    ):
        msg = mailgen._base(f"Scan {n}", when + timedelta(hours=n), msgid=f"scan-{n}@x")
        msg.set_content("scan")
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
        raws.append(msg.as_bytes())
    source = tmp_path / "scans.mbox"
    source.write_bytes(mailgen.mbox_bytes(raws))
    assert run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)[0] == 0
    interactions, _ = _interactions(book, "GT-1")
    assert [Path(i.attachments[1].path).name for i in interactions] == ["scan.pdf", "scan.pdf", "scan-2.pdf"]
    folder = book / "cases" / "GT-1"
    assert (folder / "scan.pdf").read_bytes() == b"%PDF first" and (
        folder / "scan-2.pdf"
    ).read_bytes() == b"%PDF second"
    assert not (folder / "copy of scan.pdf").exists()


def test_routing_by_thread_then_refs_unmatched_and_ambiguous_listed(book, capsys, tmp_path):
    _new(book, capsys, "GT-1", {"order": "GT-889123"})
    _new(book, capsys, "BANK-7", {"their_case": "CS-77812"})
    t = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def mail(n: int, subject: str, body: str, **headers: str) -> bytes:
        msg = mailgen._base(subject, t + timedelta(hours=n), msgid=f"r{n}@x", **headers)
        msg.set_content(body)
        return msg.as_bytes()

    raws = [
        mail(1, "Order GT-889123 shipped", "Tracking follows."),
        mail(2, "Re: shipped", "Where is it?", In_Reply_To="<r1@x>"),
        mail(3, "Your dispute", "We opened case cs-77812 for you."),
        mail(4, "Both", "About GT-889123 and CS-77812."),
        mail(5, "Newsletter", "Nothing to do with anything."),
        mail(6, "Re: Re: shipped", "Still waiting.", References="<r1@x> <r2@x>"),
    ]
    source = tmp_path / "inbox.mbox"
    source.write_bytes(mailgen.mbox_bytes(raws))
    before = _tree(book)
    code, _, err = run_cli(["import", str(source), "--dry-run", "-C", str(book)], capsys)
    assert code == 1 and _tree(book) == before  # a dry run writes nothing, and says some would be left out
    assert re.search(r"message 1 \(.*\) -> GT-1 \(ref GT-889123, in\)", err)
    assert re.search(r"message 2 \(.*\) -> GT-1 \(thread, in\)", err)
    assert re.search(r"message 3 \(.*\) -> BANK-7 \(ref cs-77812, in\)", err)
    assert re.search(r"not imported: .*message 4 .*refs of several cases appear in it: BANK-7, GT-1", err)
    assert re.search(r"not imported: .*message 5 .*no case's thread or refs match it", err)
    assert re.search(r"message 6 \(.*\) -> GT-1 \(thread, in\)", err)
    assert run_cli(["import", str(source), "-C", str(book)], capsys)[0] == 1
    assert [i.message_id for i in _interactions(book, "GT-1")[0]] == ["r1@x", "r2@x", "r6@x"]
    assert [i.message_id for i in _interactions(book, "BANK-7")[0]] == ["r3@x"]
    reply = mail(7, "Re: dispute", "Thanks.", In_Reply_To="<r3@x>")  # a later import follows the recorded thread
    source.write_bytes(mailgen.mbox_bytes([reply]))
    assert run_cli(["import", str(source), "-C", str(book)], capsys)[0] == 0
    assert [i.message_id for i in _interactions(book, "BANK-7")[0]] == ["r3@x", "r7@x"]


def test_maildir_and_me_from_logbook_toml(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    config = book / "logbook.toml"
    config.write_text(config.read_text().replace("[site]", '[me]\naddresses = ["alex@example.org"]\n\n[site]', 1))
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    t = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for raw in (mailgen.alternative(t), mailgen.mixed_pdf_png(t + timedelta(hours=1))):
        box.add(raw)
    code, _, err = run_cli(["import", str(tmp_path / "Maildir"), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 0, err
    assert [i.direction for i in _interactions(book, "GT-1")[0]] == ["in", "out"]


def test_single_file_case_keeps_a_message_heading_as_text(book, capsys, tmp_path):
    _new(book, capsys, "GT-1", single=True)
    msg = mailgen._base("Headings", datetime(2026, 3, 1, 9, 0, tzinfo=UTC), msgid="h@x")
    msg.set_content("Intro\n## 2026-01-01 Not an interaction\nmore\n")
    msg.add_attachment(b"%PDF x", maintype="application", subtype="pdf", filename="x.pdf")
    source = tmp_path / "h.eml"
    source.write_bytes(msg.as_bytes())
    assert run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)[0] == 0
    (interaction,), _ = _interactions(book, "GT-1")
    assert "\\## 2026-01-01 Not an interaction" in interaction.body
    assert (book / "cases" / "GT-1.attachments" / "x.pdf").read_bytes() == b"%PDF x"


def test_undecodable_headers_and_bodies_are_replaced_never_a_crash(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    raw = (
        b"From: =?x-unknown?b?//79?= <a@b.example>\nTo: me@example.org\nSubject: =?utf-8?b?/w==?= caf\xe9 \xff\n"
        b"Date: Sun, 01 Mar 2026 10:00:00 +0000\nMessage-ID: <u@x>\n"
        b"Content-Type: text/plain; charset=no-such-charset\n\nbody \xff\xfe bytes\n"
    )
    source = tmp_path / "u.eml"
    source.write_bytes(raw)
    code, _, err = run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 0, err
    (interaction,), _ = _interactions(book, "GT-1")
    assert "body" in interaction.body and "bytes" in interaction.body and "\ufffd" in interaction.body
    assert interaction.subject and "caf" in interaction.subject


def test_bad_messages_are_named_by_file_and_index_and_the_rest_imported(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    t = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    hopeless = b"From: x@y\nSubject: no time at all\nMessage-ID: <none@x>\n\nno Date, no Received\n"
    source = tmp_path / "mixed.mbox"
    source.write_bytes(mailgen.mbox_bytes([mailgen.alternative(t), hopeless, os.urandom(3000).replace(b"\n", b" ")]))
    code, out, err = run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 1 and "Traceback" not in err + out
    assert re.search(
        r"mixed\.mbox:28:1: error\[import-bad-message\]: message 2: it has no readable "
        r"Date: header",
        err,
    )
    assert "message 3" in err
    assert [i.message_id for i in _interactions(book, "GT-1")[0]] == ["alt-1@shop.example"]


def test_sources_that_are_not_files_refuse_the_whole_import(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    good = tmp_path / "good.eml"
    good.write_bytes(mailgen.alternative(datetime(2026, 3, 1, tzinfo=UTC)))
    fifo = tmp_path / "pipe.eml"
    os.mkfifo(fifo)
    before = _tree(book)
    code, _, err = run_cli(["import", str(good), str(fifo), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 1 and "pipe.eml is not a regular file" in err and _tree(book) == before
    (tmp_path / "folder").mkdir()
    code, _, err = run_cli(["import", str(tmp_path / "folder"), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 1 and "not a Maildir" in err
    assert run_cli(["import", str(good), "--case", "NOPE", "-C", str(book)], capsys)[0] == 1
    assert run_cli(["import", str(good), "--new-case", "X", "-C", str(book)], capsys)[0] == 2  # no --title


def test_attachment_names_cannot_leave_the_case_or_hide(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    msg = mailgen._base("Names", datetime(2026, 3, 1, tzinfo=UTC), msgid="n@x")
    msg.set_content("files")
    for name in ("../../../etc/evil.sh", ".hidden", "_draft.txt", "back~", "a\\b\\c.txt", "", "con:sole?.txt"):
        msg.add_attachment(name.encode() or b"nameless", maintype="application", subtype="octet-stream", filename=name)
    source = tmp_path / "n.eml"
    source.write_bytes(msg.as_bytes())
    assert run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)[0] == 0
    (interaction,), loaded = _interactions(book, "GT-1")
    folder = (book / "cases" / "GT-1").resolve()
    names = [Path(a.path).name for a in interaction.attachments[1:]]
    assert names == ["evil.sh", "hidden.bin", "draft.txt", "back.bin", "c.txt", "attachment.bin", "con-sole.txt"]
    assert all((book / a.path).resolve().parent == folder for a in interaction.attachments)
    assert not [d for d in loaded.diagnostics if d.code == "unreferenced-file"]


def test_an_import_into_a_logbook_with_errors_is_refused(book, capsys, tmp_path):
    case = _new(book, capsys, "GT-1")
    case.write_text(case.read_text().replace("status: open", "status: nonsense"))
    good = tmp_path / "good.eml"
    good.write_bytes(mailgen.alternative(datetime(2026, 3, 1, tzinfo=UTC)))
    before = _tree(book)
    code, _, err = run_cli(["import", str(good), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 1 and "fix them first (logbook check)" in err and _tree(book) == before


# --- WhatsApp ---------------------------------------------------------------------------------

ANDROID = """12/03/2026, 14:05 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.
12/03/2026, 14:05 - Shop Support: Hello, how can we help?
12/03/2026, 14:06 - Alex: My parcel GT-889123 arrived damaged.
The box was crushed
and the lamp is broken.
12/03/2026, 14:07 - Alex: IMG-20260312-WA0001.jpg (file attached)
13/03/2026, 09:15 - Shop Support: <Media omitted>
13/03/2026, 09:16 - Shop Support: This message was deleted
"""

IOS = """[3/12/26, 2:05:33 PM] Shop Support: \u200eMessages and calls are end-to-end encrypted.
[3/12/26, 2:05:40 PM] Shop Support: Hello, how can we help?
[3/12/26, 2:06:01 PM] Alex: My parcel arrived damaged.
Second line.
[3/12/26, 2:07:10 PM] Alex: \u200e<attached: 00000012-PHOTO-2026-03-12-14-07-10.jpg>
[3/13/26, 9:15:00 AM] Shop Support: Refund approved.
"""


def _zip(path: Path, chat_name: str, text: str, media: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(chat_name, text)
        for name, data in media.items():
            archive.writestr(name, data)
    return path


def test_whatsapp_android_export_with_media(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    photo = mailgen.png_bytes(7)
    source = _zip(
        tmp_path / "WhatsApp Chat with Shop Support.zip",
        "WhatsApp Chat with Shop Support.txt",
        ANDROID,
        {"IMG-20260312-WA0001.jpg": photo},
    )
    code, _, err = run_cli(["import", str(source), "--case", "GT-1", "--me", "Alex", "-C", str(book)], capsys)
    assert code == 0, err
    assert "1 system line(s) of the chat skipped" in err  # the encryption notice
    interactions, _ = _interactions(book, "GT-1")
    assert [(i.at.when.isoformat(), i.direction, i.sender) for i in interactions] == [
        ("2026-03-12T14:05:00+01:00", "in", "Shop Support"),
        ("2026-03-12T14:06:00+01:00", "out", "Alex"),
        ("2026-03-12T14:07:00+01:00", "out", "Alex"),
        ("2026-03-13T09:15:00+01:00", "in", "Shop Support"),
        ("2026-03-13T09:16:00+01:00", "in", "Shop Support"),
    ]
    assert interactions[1].body == "My parcel GT-889123 arrived damaged.\nThe box was crushed\nand the lamp is broken."
    assert all(i.channel == "chat" for i in interactions)
    assert (book / interactions[2].attachments[0].path).read_bytes() == photo
    assert interactions[3].body == "<Media omitted>" and interactions[4].body == "This message was deleted"
    code, _, err = run_cli(["import", str(source), "--case", "GT-1", "--me", "Alex", "-C", str(book)], capsys)
    assert "5 already recorded" in err and "1 system line(s) of the chat skipped" in err


def test_whatsapp_ios_export_12_hour_month_first(book, capsys, tmp_path):
    case = _new(book, capsys, "GT-1")
    case.write_text(case.read_text().replace("status: open", "status: open\ntimezone: America/New_York"))
    photo = mailgen.png_bytes(9)
    source = _zip(tmp_path / "chat.zip", "_chat.txt", IOS, {"00000012-PHOTO-2026-03-12-14-07-10.jpg": photo})
    code, _, err = run_cli(["import", str(source), "--case", "GT-1", "--me", "alex", "-C", str(book)], capsys)
    assert code == 0, err
    interactions, _ = _interactions(book, "GT-1")
    # month-first (13 as a day), PM read, and the times in the case's zone (EDT since 8 March)
    assert [i.at.when.isoformat() for i in interactions] == [
        "2026-03-12T14:05:33-04:00",
        "2026-03-12T14:05:40-04:00",
        "2026-03-12T14:06:01-04:00",
        "2026-03-12T14:07:10-04:00",
        "2026-03-13T09:15:00-04:00",
    ]
    assert [i.direction for i in interactions] == ["in", "in", "out", "out", "in"]
    assert interactions[2].body == "My parcel arrived damaged.\nSecond line."
    assert (book / interactions[3].attachments[0].path).read_bytes() == photo


def test_whatsapp_plain_txt_and_the_date_order(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    ambiguous = "01/02/2026, 10:00 - Ann: first\n01/03/2026, 10:00 - Ann: second\n02/03/2026, 10:00 - Ann: third\n"
    source = tmp_path / "chat.txt"
    source.write_text(ambiguous)
    code, _, err = run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 1 and "--date-order" in err  # both orders keep it in time order: the user must say
    code, _, err = run_cli(["import", str(source), "--case", "GT-1", "--date-order", "mdy", "-C", str(book)], capsys)
    assert code == 0, err
    assert [i.at.when.date().isoformat() for i in _interactions(book, "GT-1")[0]] == [
        "2026-01-02",
        "2026-01-03",
        "2026-02-03",
    ]
    decided = "05/03/2026, 10:00 - Ann: a\n28/03/2026, 10:00 - Ann: b\n"  # 28 can only be a day
    source.write_text(decided)
    assert run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)[0] == 0
    assert "2026-03-05" in [i.at.when.date().isoformat() for i in _interactions(book, "GT-1")[0]]


def test_whatsapp_zip_with_a_link_member_is_refused(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", "12/03/2026, 14:05 - Ann: hi\n")
        link = zipfile.ZipInfo("IMG-1.jpg")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    before = _tree(book)
    code, _, err = run_cli(["import", str(path), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 1 and "not a regular file" in err and _tree(book) == before


def test_imported_site_is_deterministic(book, capsys, varied_mbox, tmp_path):
    path, _ = varied_mbox
    run_cli(["import", str(path), "--new-case", "SHOP-1", "--title", "T", "-C", str(book)], capsys)
    run_cli(["build", str(book), "--as-of", "2026-04-01", "--out", str(tmp_path / "a")], capsys)
    run_cli(["build", str(book), "--as-of", "2026-04-01", "--out", str(tmp_path / "b"), "--no-cache"], capsys)
    assert site_tree(tmp_path / "a") == site_tree(tmp_path / "b")


def test_import_codes_are_reported(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    good = tmp_path / "good.eml"
    good.write_bytes(mailgen.alternative(datetime(2026, 3, 1, tzinfo=UTC)))
    code, _, err = run_cli(["import", str(good), "--case", "gt-2", "-C", str(book)], capsys)
    assert code == 1 and "error[import-no-case]: no case with id 'gt-2'" in err
    code, _, err = run_cli(["import", str(good), "--new-case", "gt-1", "--title", "T", "-C", str(book)], capsys)
    assert code == 1 and "error[import-case-exists]: case 'gt-1' already exists" in err
    code, _, err = run_cli(["import", str(good), "--case", "gt-1", "-C", str(book)], capsys)  # ids ignore case
    assert code == 0 and "warning[import-no-me]" in err
    assert _interactions(book, "GT-1")[0][0].direction == "in"


def test_a_chat_is_routed_as_a_whole_by_the_refs_it_names(book, capsys, tmp_path):
    _new(book, capsys, "GT-1", {"order": "GT-889123"})
    _new(book, capsys, "OTHER-2", {"order": "ZZ-123456"})
    source = tmp_path / "WhatsApp Chat with Shop.txt"
    source.write_text(ANDROID)  # only the third message names GT-889123
    code, _, err = run_cli(["import", str(source), "--me", "Alex", "-C", str(book)], capsys)
    assert code == 0, err
    assert len(_interactions(book, "GT-1")[0]) == 5 and not _interactions(book, "OTHER-2")[0]
    other = tmp_path / "other.txt"
    other.write_text("13/03/2026, 14:05 - Ann: nothing to see\n")
    code, _, err = run_cli(["import", str(other), "-C", str(book)], capsys)
    assert code == 1 and "no case's thread or refs match it, read over the whole chat" in err


def test_a_chat_time_the_clocks_skip_is_reported_not_written(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")  # Europe/Berlin: 29 March 2026, 02:00-03:00 does not exist
    source = tmp_path / "chat.txt"
    source.write_text(
        "29/03/2026, 01:59 - Ann: before\n29/03/2026, 02:30 - Ann: in the gap\n29/03/2026, 03:01 - Ann: after\n"
    )
    code, _, err = run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 1 and re.search(
        r"chat\.txt:2:1: error\[import-bad-message\]: message 2: its time "
        r"2026-03-29 02:30 cannot be recorded in Europe/Berlin",
        err,
    )
    assert [i.body for i in _interactions(book, "GT-1")[0]] == ["before", "after"]


def test_mbox_is_split_as_the_standard_library_splits_it(tmp_path, varied_mbox):
    from logbook.importing.sources import read_emails

    path, messages = varied_mbox
    crlf = tmp_path / "crlf.mbox"
    crlf.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    odd = tmp_path / "odd.mbox"  # no empty line between messages, text before the first, no final newline
    odd.write_bytes(b"junk\nFrom a\nSubject: 1\n\nx\nFrom b\nSubject: 2\n\n\n\nFrom c\nSubject: 3\n\nlast")
    for source in (path, crlf, odd):
        box = mailbox.mbox(source, create=False)
        expected = [box.get_bytes(key) for key in box.iterkeys()]
        box.close()  # left open, the file is a ResourceWarning (an error in these tests)
        assert [m.data for m in read_emails(source, "mbox")] == expected, source.name
    assert [m.data for m in read_emails(path, "mbox")] == [m.rstrip(b"\n") + b"\n" for m in messages]


def test_me_in_logbook_toml_is_checked_like_every_setting(book, capsys):
    config = book / "logbook.toml"
    config.write_text(
        config.read_text().replace("[site]", '[me]\naddresses = "alex@example.org"\nnmaes = ["A"]\n\n[site]', 1)
    )
    code, out, _ = run_cli(["check", str(book)], capsys)
    assert code == 1 and "error[config-invalid]: [me] addresses must be a list of words or names" in out
    assert "warning[unknown-config-key]: unknown key 'nmaes' in [me] (did you mean 'names'?)" in out


def test_a_later_export_of_a_chat_follows_its_earlier_messages(book, capsys, tmp_path):
    _new(book, capsys, "GT-1", {"order": "GT-889123"})
    source = tmp_path / "chat.txt"
    source.write_text(ANDROID)
    assert run_cli(["import", str(source), "-C", str(book)], capsys)[0] == 0
    source.write_text(ANDROID + "14/03/2026, 10:00 - Shop Support: Any news?\n")  # no ref in the new message
    code, _, err = run_cli(["import", str(source), "-C", str(book)], capsys)
    assert code == 0 and "5 already recorded" in err
    assert _interactions(book, "GT-1")[0][-1].body == "Any news?"


def test_html_nested_too_deep_for_the_converter_keeps_its_text(book, capsys, tmp_path):
    _new(book, capsys, "GT-1")
    msg = mailgen._base("Deep", datetime(2026, 3, 1, tzinfo=UTC), msgid="deep@x")
    msg.set_content("<div>" * 20000 + "the text" + "</div>" * 20000, subtype="html")
    source = tmp_path / "deep.eml"
    source.write_bytes(msg.as_bytes())
    code, out, err = run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 0 and "Traceback" not in out + err, err
    assert _interactions(book, "GT-1")[0][0].body == "the text"


# --- git as the notary, the batch writer, one-line fields ---------------------------------------


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 or args[0] == "merge", done.stderr
    return done.stdout


def _case_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / "cases").rglob("*") if p.is_file()}


def test_an_import_is_one_commit_of_exactly_its_files(book, capsys, varied_mbox):
    path, _ = varied_mbox
    _new(book, capsys, "GT-1", single=True)
    (book / "unrelated.txt").write_text("staged, not mine to commit\n")
    _git(book, "add", "unrelated.txt")
    head, before = _git(book, "rev-parse", "HEAD").strip(), _case_files(book)
    code, _, err = run_cli(
        [
            "import",
            str(path),
            "--new-case",
            "SHOP-1",
            "--title",
            "Damaged parcel",
            "--me",
            "alex@example.org",
            "-C",
            str(book),
        ],
        capsys,
    )
    assert code == 0 and "imported 11 message(s) into SHOP-1" in err and "committed " in err
    assert _git(book, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    assert _git(book, "log", "-1", "--format=%s") == "logbook: import 11 messages into SHOP-1\n"
    committed = set(
        _git(book, "-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD").split("\n")
    ) - {""}
    assert committed == _case_files(book) - before and "cases/SHOP-1/case.md" in committed
    assert _git(book, "status", "--porcelain", "--", "cases") == ""  # nothing written left out of the commit
    assert _git(book, "diff", "--cached", "--name-only") == "unrelated.txt\n"  # what the user staged stays staged
    # a single-file case: its file is the one record, committed with the attachments
    more = book.parent / "one.eml"
    raw = mailgen.mixed_pdf_png(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    more.write_bytes(raw.replace(b"Message-ID: <", b"Message-ID: <again-"))
    files_before = _case_files(book)
    code, _, err = run_cli(["import", str(more), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 0 and "committed " in err, err
    assert _git(book, "log", "-1", "--format=%s") == "logbook: import 1 message into GT-1\n"
    committed = set(
        _git(book, "-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD").split("\n")
    ) - {""}
    assert committed == {"cases/GT-1.md"} | (_case_files(book) - files_before)
    assert len(committed) == 4  # the case file, the .eml, the PDF, the PNG


def test_an_import_mid_merge_is_refused_and_writes_nothing(book, capsys, varied_mbox):
    path, _ = varied_mbox
    _new(book, capsys, "GT-1")
    notes = book / "notes.txt"
    notes.write_text("start\n")
    _git(book, "add", "notes.txt")
    _git(book, "commit", "-qm", "notes")
    _git(book, "checkout", "-qb", "other")
    notes.write_text("theirs\n")
    _git(book, "commit", "-qam", "other")
    _git(book, "checkout", "-q", "-")
    notes.write_text("mine\n")
    _git(book, "commit", "-qam", "mine")
    _git(book, "merge", "other")  # stops on the conflict in notes.txt
    before, head = _tree(book), _git(book, "rev-parse", "HEAD")
    for target in (["--case", "GT-1"], ["--new-case", "SHOP-1", "--title", "T"]):
        code, _, err = run_cli(["import", str(path), *target, "-C", str(book)], capsys)
        assert code == 1 and "git is in the middle of a merge; finish it (or abort it) first" in err
        assert "Traceback" not in err and _tree(book) == before and _git(book, "rev-parse", "HEAD") == head


def test_an_import_into_a_changed_single_file_case_is_refused(book, capsys, tmp_path):
    case = _new(book, capsys, "GT-1", single=True)  # committed by new
    case.write_text(case.read_text() + "\nA line I have not committed.\n")
    source = tmp_path / "a.eml"
    source.write_bytes(mailgen.alternative(datetime(2026, 3, 1, tzinfo=UTC)))
    before = _tree(book)
    code, _, err = run_cli(["import", str(source), "--case", "GT-1", "-C", str(book)], capsys)
    assert code == 1 and "cases/GT-1.md has changes that are not committed yet" in err
    assert _tree(book) == before


@pytest.mark.parametrize("single", [False, True])
def test_headers_and_chat_names_with_any_line_break_are_imported_on_one_line(book, capsys, tmp_path, single):
    """The writer refuses a one-line field holding a line break or control character; the importer
    makes headers and chat names one line (U+2028, NEL, C1 controls, a BOM included), so one odd
    message neither refuses the whole import nor is written broken."""
    _new(book, capsys, "GT-1", single=single)
    when = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    odd = []
    for n, subject in enumerate(
        ["Refund\u2028approved", "Refund\x85approved", "Refund\u2029\x9b approved", "\ufeffRefund approved"]
    ):
        msgid = f"odd-{n}@shop.example" + ("\x07" if n == 3 else "")
        odd.append(
            (
                "From: " + Header("Shop\u2028Support", "utf-8").encode() + f" <s{n}@shop.example>\n"
                f"To: alex@example.org\nSubject: {Header(subject, 'utf-8').encode()}\n"
                f"Date: {format_datetime(when + timedelta(minutes=n))}\nMessage-ID: <{msgid}>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                "Body line one\u2028body line two.\n"
            ).encode("utf-8")
        )
    source = tmp_path / "odd.mbox"
    source.write_bytes(mailgen.mbox_bytes(odd))
    chat = tmp_path / "WhatsApp Chat with Shop.txt"
    chat.write_text("13/03/2026, 14:05 - Shop\x1b[31m Support: Hello\n13/03/2026, 14:06 - Alex: Hi\n")
    code, _, err = run_cli(
        ["import", str(source), str(chat), "--case", "GT-1", "--me", "Alex", "-C", str(book)], capsys
    )
    assert code == 0, err
    interactions, _ = _interactions(book, "GT-1")
    emails = [i for i in interactions if i.channel == "email"]
    assert [i.subject for i in emails] == ["Refund approved"] * 4
    assert {i.sender for i in emails} == {f"Shop Support <s{n}@shop.example>" for n in range(4)}
    assert all(i.body == "Body line one\nbody line two." for i in emails)
    assert emails[3].message_id.startswith("sha256:")  # an id with a control character is not a field value
    assert [i.sender for i in interactions if i.channel == "chat"] == ["Shop [31m Support", "Alex"]
    code, _, err = run_cli(["import", str(source), str(chat), "--case", "GT-1", "-C", str(book)], capsys)
    assert "6 already recorded" in err


def test_the_notary_commits_more_files_than_a_command_line_can_hold(tmp_path):
    """An import of a big mailbox writes tens of thousands of files; passed as arguments they
    exceed the kernel's limit (E2BIG) and nothing was committed. Names with glob characters are
    committed as themselves, not as patterns."""
    from logbook.store import notary

    root = tmp_path / "r"
    root.mkdir()
    _git(root, "init", "-q")
    folder = root / "cases" / "BIG-1"
    folder.mkdir(parents=True)
    limit = os.sysconf("SC_ARG_MAX")
    paths = []
    for n in range(limit // 200 + 100):  # each absolute path is over 200 bytes
        path = folder / f"{n:06d}-{'x' * 190}.txt"
        path.write_text(f"{n}\n")
        paths.append(path)
    literal, pattern = folder / "a[1].pdf", folder / "a1.pdf"
    literal.write_text("mine\n")
    pattern.write_text("not mine\n")
    assert sum(len(str(p)) + 1 for p in paths) > limit
    assert notary.commit(root, [*paths, literal], "logbook: import")
    committed = _git(root, "-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD").split("\n")
    assert len([c for c in committed if c]) == len(paths) + 1 and "cases/BIG-1/a1.pdf" not in committed
    assert _git(root, "status", "--porcelain") == "?? cases/BIG-1/a1.pdf\n"
