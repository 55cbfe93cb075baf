"""Redaction at publish time: masked in every output byte, intact in the source, opt-outs honoured."""

import html
import json
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from logbook.core import redact
from logbook.core.redact import RedactionRules, redact_text
from support.books import run_cli, site_tree

ALL = RedactionRules(emails=True, phones=True)
CARD, IBAN, EMAIL, PHONE = (
    "4111 1111 1111 1111",
    "GB82 WEST 1234 5698 7654 32",
    "jane.doe@example.org",
    "+44 20 7946 0958",
)


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"card {CARD} used", "card •••• •••• •••• 1111 used"),
        ("card 4111-1111-1111-1111.", "card •••• •••• •••• 1111."),
        (f"IBAN {IBAN}", "IBAN GB•• •••• … 5432"),
        (f"write to {EMAIL}", "write to j•••@example.org"),
        (f"call {PHONE} now", "call +••••••••••58 now"),
    ],
)
def test_masks(text, expected):
    assert redact_text(text, ALL) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order GT-889123",
        "4111 1111 1111 1112 fails Luhn",
        "on 2026-03-16 14:03",
        "tracking 00340434 1234",
        "GB00 WEST 1234 5698 7654 32 bad checksum",
        "ref CS-77812",
    ],
)
def test_leaves_non_matches_alone(text):
    assert redact_text(text, RedactionRules(phones=False, emails=True)) == text


def _every_pattern(text: str, rules: RedactionRules) -> str:
    """redact_text without its quick pre-tests: every pattern run over every text's reader's view."""
    return redact._masked(text, redact._every_pattern(rules)) if rules.enabled and text else text


PIECES = st.sampled_from(
    [
        CARD,
        IBAN,
        EMAIL,
        PHONE,
        "4111-1111-1111-1111",
        "DE89370400440532013000",
        "12",
        "7",
        " ",
        "-",
        "(",
        ")",
        ".",
        "+",
        "@",
        "GB",
        "x",
        "\n",
        "2026-03-16",
        "NO9386011117947",
        "4222222222222",
        "4222 2222 22222",
        "&nbsp;",
        "\u00a0",
        "\u2009",
        "\\-",
        "**",
        "_",
        "`",
        "&#52;",
        "gb82 west",
        "\uff14",
        "\u00ad",
        "&amp;",
        "&#64;",
        "\uff20",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(PIECES, st.text(alphabet="0123456789 -ABZ@.+x٤４é*_\\&;#\u00a0", max_size=20)), max_size=12),
    st.sampled_from([ALL, RedactionRules(), RedactionRules(cards=False), RedactionRules(ibans=False)]),
)
@example(["2026-03-16", "٤"], ALL)  # nine digits, one of them not ASCII: a phone number to mask
def test_the_quick_pre_tests_never_skip_a_match(pieces, rules):
    text = "".join(pieces)
    assert redact_text(text, rules) == _every_pattern(text, rules)


def test_off_switches():
    assert redact_text(f"{CARD} {EMAIL}", RedactionRules(enabled=False, emails=True)) == f"{CARD} {EMAIL}"
    assert redact_text(EMAIL, RedactionRules()) == EMAIL  # emails are off by default


SOURCE = (
    "---\ntitle: Card {card}\nstatus: open\ncounterparty: Shop ({email})\nrefs: {{iban: '{iban}'}}\n---\n"
    "\n## 2026-01-01 10:00Z\nchannel: email\ndirection: in\nfrom: {email}\nto: {phone}\n"
    "promises:\n  - {{what: 'Refund to {iban}', due: 2026-02-01}}\n\nCharged {card}; call {phone}.\n"
)


def test_no_raw_value_reaches_any_output_and_the_source_stays(logbook_dir, tmp_path, capsys):
    text = SOURCE.format(card=CARD, iban=IBAN, email=EMAIL, phone=PHONE)
    root = logbook_dir({"logbook.toml": "[redact]\nemails = true\nphones = true\n", "cases/c.md": text})
    code, _, err = run_cli(["build", str(root), "--out", str(tmp_path / "s"), "--as-of", "2026-01-10"], capsys)
    assert code == 0 and "warning[unredacted-card]" in err
    blob = b"".join(site_tree(tmp_path / "s").values()).decode("utf-8", "replace")
    for raw in (CARD, IBAN, IBAN.replace(" ", ""), EMAIL, PHONE, "4111111111111111"):
        assert raw not in blob
    assert "•••• •••• •••• 1111" in blob and "j•••@example.org" in blob
    assert (root / "cases/c.md").read_text() == text
    assert (
        run_cli(
            [
                "export",
                "c",
                "--zip",
                str(tmp_path / "bank.zip"),
                "--for",
                "bank",
                "--as-of",
                "2026-01-10",
                "-C",
                str(root),
            ],
            capsys,
        )[0]
        == 0
    )
    assert CARD not in zipfile.ZipFile(tmp_path / "bank.zip").read("c-evidence/evidence.html").decode()
    assert (
        run_cli(
            [
                "export",
                "c",
                "--zip",
                str(tmp_path / "internal.zip"),
                "--for",
                "internal",
                "--as-of",
                "2026-01-10",
                "-C",
                str(root),
            ],
            capsys,
        )[0]
        == 0
    )
    assert CARD in zipfile.ZipFile(tmp_path / "internal.zip").read("c-evidence/evidence.html").decode()


def test_per_field_opt_out(logbook_dir, tmp_path, capsys):
    text = SOURCE.format(card=CARD, iban=IBAN, email=EMAIL, phone=PHONE)
    root = logbook_dir({"logbook.toml": '[redact]\nemails = true\nkeep_fields = ["from"]\n', "cases/c.md": text})
    assert run_cli(["build", str(root), "--out", str(tmp_path / "s"), "--as-of", "2026-01-10"], capsys)[0] == 0
    page = (tmp_path / "s/cases/c/index.html").read_text()
    assert f"<dt>From</dt><dd>{EMAIL}</dd>" in page  # kept by the opt-out
    assert f"Shop ({EMAIL})" not in page  # counterparty still redacted


# ---------------------------------------------------------------------------------------------
# What a reader sees: every shape in which a number reads as a card number or IBAN, through every
# published output (site files and their names, ZIP members and their names, the PDF's text).


def luhn_card(n: int) -> str:
    """A distinct 16-digit number passing Luhn for each *n* below 100 (its first 12 digits and its last four name it)."""
    body = f"4{n:03d}7{n:03d}58{n:02d}{n:03d}"
    return body + luhn.calc_check_digit(body)


def spaced(digits: str, sep: str) -> str:
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


def fullwidth(text: str) -> str:
    return "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in text)


CARD_SHAPES = {  # how the number is written in the source → shape name
    "nbsp-entity": lambda d: spaced(d, "&nbsp;"),
    "nbsp": lambda d: spaced(d, "\u00a0"),
    "thin-space": lambda d: spaced(d, "\u2009"),
    "narrow-nbsp": lambda d: spaced(d, "\u202f"),
    "dots": lambda d: spaced(d, "."),
    "fullwidth": lambda d: fullwidth(spaced(d, " ")),
    "escaped-dashes": lambda d: spaced(d, "\\-"),
    "bold-last-group": lambda d: spaced(d[:12], " ") + f" **{d[12:]}**",
    "emphasis-inside": lambda d: f"{d[:4]} _{d[4:8]}_ {d[8:12]} *{d[12:]}*",
    "numeric-entities": lambda d: "".join(f"&#{ord(c)};" for c in d[:8]) + d[8:],
    "en-dashes": lambda d: spaced(d, "\u2013"),
    "soft-hyphens": lambda d: spaced(d, "\u00ad"),
    "then-cvv": lambda d: spaced(d, " ") + " 123",
}
IBANS = {"lowercase": "gb82 west 1234 5698 7654 32", "nbsp": "DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000"}


def _reader_digits(data: bytes) -> str:
    """Published bytes as a reader would take them in, digits run together: entities and JSON escapes
    decoded, compatibility forms folded, every separator and Markdown marker dropped."""
    text = data.decode("utf-8", "replace")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
    text = unicodedata.normalize("NFKC", html.unescape(text))
    return re.sub(r"[\s.\-_*\\`~\u00ad\u2010-\u2015]", "", text).upper()


def _hostile_book(logbook_dir) -> tuple[Path, list[str]]:
    cards = [luhn_card(n) for n in range(len(CARD_SHAPES) + 9)]
    lines = [f"- {name}: {shape(card)}" for (name, shape), card in zip(CARD_SHAPES.items(), cards)]
    lines += [f"- iban {name}: {iban}" for name, iban in IBANS.items()]
    extra = cards[len(CARD_SHAPES) :]
    files = {
        "logbook.toml": (
            f"[site]\ntitle = 'Disputes of card {spaced(extra[6], chr(0x2009))}'\n"
            f"keeper = 'Jo (card {spaced(extra[7], '.')})'\n"
        ),
        "cases/c/case.md": f"---\ntitle: Charge on {spaced(extra[0], chr(0xA0))}\nstatus: open\n---\nAbout the charge.\n",
        "cases/c/01-email.md": (
            "---\nat: 2026-01-02 10:00Z\nchannel: email\ndirection: in\n"
            f"subject: card {spaced(extra[1], '&nbsp;')}\n"
            f"agent: {{name: Maria, id: '{spaced(extra[2], '-')}'}}\n"
            f"attachments:\n  - receipt {spaced(extra[3], ' ')}.png\n  - card_{extra[4]}.pdf\n"
            "---\n" + "\n".join(lines) + "\n"
        ),
        "cases/c/02-call.md": (
            f"---\nat: 2026-01-03 10:00Z\nchannel: phone\ndirection: out\nagent: Sam ({extra[2]})\n---\nCalled back.\n"
        ),
        "cases/c/04-chat.md": (
            "---\nat: 2026-01-05 10:00Z\nchannel: chat\ndirection: in\n"
            f"agent: '{spaced(extra[8], chr(0xA0))}'\n---\nAn agent named by a number.\n"
        ),
        f"cases/c/03-{extra[5]}.md": "---\nat: 2026-01-04 10:00Z\nchannel: note\ndirection: internal\n---\nNamed by a number.\n",
        f"cases/c/receipt {spaced(extra[3], ' ')}.png": b"\x89PNG\r\n\x1a\n not really",
        f"cases/c/card_{extra[4]}.pdf": b"%PDF-1.4 not really",
    }
    return logbook_dir(files), cards


def _leaks(blobs: dict[str, bytes], secrets: list[str]) -> list[tuple[str, str]]:
    """(secret, where) for each secret's masked part found in a file name or content."""
    found = []
    for name, data in blobs.items():
        seen = _reader_digits(name.encode()) + "\n" + _reader_digits(data)
        found += [(secret, name) for secret in secrets if secret in seen]
    return found


def _secrets(cards: list[str]) -> list[str]:
    ibans = [re.sub(r"\s", "", i).upper() for i in IBANS.values()]
    return [card[:12] for card in cards] + [iban[4:-4] for iban in ibans]


def test_no_shape_of_a_number_reaches_any_published_file_or_name(logbook_dir, tmp_path, capsys):
    root, cards = _hostile_book(logbook_dir)
    code, _, err = run_cli(["build", str(root), "--out", str(tmp_path / "s"), "--as-of", "2026-01-10"], capsys)
    assert code == 0, err
    site = site_tree(tmp_path / "s")
    assert any(name.startswith("cases/c/exhibits/") for name in site)
    assert _leaks(site, _secrets(cards)) == []
    assert f"•••• •••• •••• {cards[0][-4:]}" in site["cases/c/index.html"].decode()


@pytest.mark.pdf
def test_no_shape_of_a_number_reaches_the_zip_or_the_pdf(logbook_dir, tmp_path, capsys):
    root, cards = _hostile_book(logbook_dir)
    zip_path, pdf_path = tmp_path / "c.zip", tmp_path / "c.pdf"
    for flag, target in (("--zip", zip_path), ("--pdf", pdf_path)):
        code, _, err = run_cli(["export", "c", flag, str(target), "--as-of", "2026-01-10", "-C", str(root)], capsys)
        assert code == 0, err
    with zipfile.ZipFile(zip_path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert len(members) > 3 and _leaks(members, _secrets(cards)) == []
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, check=True).stdout
    assert b"About the charge" in text
    assert _leaks({"c.pdf": text}, _secrets(cards)) == []


def test_check_warns_for_each_card_number_wherever_it_stands(logbook_dir, capsys):
    root, cards = _hostile_book(logbook_dir)
    code, out, _ = run_cli(["check", str(root), "--format", "json"], capsys)
    warned = [d for d in json.loads(out) if d["code"] == "unredacted-card"]
    by_ending = {}
    for d in warned:
        by_ending.setdefault(d["message"].split("(ending ")[1][:4], []).append(d)
    assert set(by_ending) == {card[-4:] for card in cards}
    body_lines = {d["line"] for d in warned if d["file"].endswith("01-email.md") and "in this record" in d["message"]}
    assert body_lines == set(range(11, 11 + len(CARD_SHAPES)))  # one per line of the list, at its line
    shape_line = 11 + list(CARD_SHAPES).index("bold-last-group")
    assert next(d for d in warned if d["line"] == shape_line)["column"] == len("- bold-last-group: ") + 1
    assert {"'agent.name'", "'agent.id'", "'attachments.file'", "'subject'"} <= {
        quoted for d in warned for quoted in re.findall(r"'[a-z.]+'", d["message"])
    }
    assert any(d["file"].endswith("case.md") and "'title'" in d["message"] for d in warned)
    assert {d["message"].split("'")[1] for d in warned if d["file"].endswith("logbook.toml")} == {
        "site.title",
        "site.keeper",
    }
    assert [
        d["line"]
        for d in warned
        if "file's name" in d["message"] and d["file"].endswith(f"03-{cards[len(CARD_SHAPES) + 5]}.md")
    ] == [1]


@pytest.mark.parametrize("name, shape", CARD_SHAPES.items())
def test_each_shape_is_masked_in_place(name, shape):
    card = luhn_card(7)
    text = f"Paid with {shape(card)} yesterday."
    masked = redact_text(text, RedactionRules())
    assert masked.startswith("Paid with •••• •••• •••• ") and masked.endswith(" yesterday.")
    assert card[:12] not in _reader_digits(masked.encode())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("to gb82 west 1234 5698 7654 32.", "to GB•• •••• … 5432."),
        ("IBAN GB82\u00a0WEST\u00a01234\u00a05698\u00a07654\u00a032 thanks", "IBAN GB•• •••• … 5432 thanks"),
        ("**4111 1111 1111 1111**", "**•••• •••• •••• 1111**"),  # emphasis around the whole number stays
        ("4111 1111 1111 1111 is mine", "•••• •••• •••• 1111 is mine"),
        ("two: 4111111111111111\n5555555555554444", "two: •••• •••• •••• 1111\n•••• •••• •••• 4444"),
        ("mail jane_doe&#64;example.org", "mail j•••@example.org"),
    ],
)
def test_reader_view_variants(text, expected):
    assert redact_text(text, ALL) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order GT-8891234567",
        "v1.2.3 and 2026.01.02",
        "a_b_c",
        "**bold** &amp; _it_",
        "１２３",
        "sha 3b1f0e9a",
        "4111 1111 1111 1112 (fails Luhn)",
    ],
)
def test_reader_view_leaves_other_text_alone(text):
    assert redact_text(text, RedactionRules(emails=True)) == text


def test_removed_interactions_are_listed_redacted(tmp_path):
    """A deleted interaction is listed by its file name, with the reason the case gives: both published."""
    from logbook.build import build
    from support.books import write_tree
    from support.gitrepo import commit_all, init

    deleted, reason = luhn_card(40), luhn_card(41)
    repo = write_tree(
        init(tmp_path / "repo"),
        {
            "cases/B-1/case.md": "---\ntitle: Blender\nstatus: open\n---\n",
            f"cases/B-1/card-{deleted}.md": "---\nat: 2026-01-02 10:00Z\nchannel: email\ndirection: in\n---\nHello.\n",
        },
    )
    commit_all(repo, "first", "2026-06-01T10:00:00+00:00")
    (repo / f"cases/B-1/card-{deleted}.md").unlink()
    (repo / "cases/B-1/case.md").write_text(
        "---\ntitle: Blender\nstatus: open\nremoved:\n"
        f"  - {{record: card-{deleted}.md, reason: 'card {spaced(reason, chr(0xA0))}'}}\n---\n"
    )
    commit_all(repo, "remove", "2026-07-01T10:00:00+00:00")
    assert build(repo, tmp_path / "s", as_of="2026-08-01").published
    site = site_tree(tmp_path / "s")
    page = site["cases/B-1/index.html"].decode()
    assert "Removed from the record" in page and f"card-•••• •••• •••• {deleted[-4:]}.md" in page
    assert _leaks(site, [deleted[:12], reason[:12]]) == []


SEPARATORS = [
    " ",
    "  ",
    "\u00a0",
    "&nbsp;",
    "&#160;",
    "\u2009",
    "\u202f",
    ".",
    "-",
    "\\-",
    " - ",
    "\u2013",
    "\u2212",
    "\u00ad",
    "\u200b",
    "_",
    "\n",
    "\\.",
]


@settings(max_examples=300, deadline=None)
@example([" ", " ", " "], "", "", " 123", 73, False)  # 4073707358730731123 passes Luhn too
@given(
    st.lists(st.sampled_from(SEPARATORS), min_size=3, max_size=3),
    st.sampled_from(["", "**", "*", "`", "~~", "_"]),
    st.sampled_from(["", "card ", "(", "> ", "**"]),
    st.sampled_from(["", ".", " thanks", ")", " 123", "**"]),
    st.integers(0, 99),
    st.booleans(),
)
def test_a_card_number_in_any_reader_shape_is_masked(seps, wrap, before, after, n, wide):
    card = luhn_card(n)
    groups = [fullwidth(card[i : i + 4]) if wide else card[i : i + 4] for i in range(0, 16, 4)]
    text = f"{before}{groups[0]}{seps[0]}{groups[1]}{seps[1]}{groups[2]}{seps[2]}{wrap}{groups[3]}{wrap}{after}"
    masked = redact_text(text, RedactionRules())
    assert card[:12] not in _reader_digits(masked.encode()) and masked.count("••••") == 3
    # a CVV after the number may be read as the end of a 19-digit card number (both pass Luhn): masked either way
    assert masked.startswith(before.rstrip("*")) and re.search(f"•••• •••• •••• ({card[-4:]}|{card[-1]}123)", masked)


def test_check_says_a_card_number_in_a_case_id_is_published(logbook_dir, capsys):
    card = luhn_card(50)
    root = logbook_dir({f"cases/{spaced(card, '-')}.md": "---\ntitle: x\nstatus: open\n---\n"})
    found = json.loads(run_cli(["check", str(root), "--format", "json"], capsys)[1])
    assert [
        (d["code"], d["line"], "'id' of this case" in d["message"], d["hint"].startswith("ids are published"))
        for d in found
    ] == [("unredacted-card", 1, True, True)]


def _email_with_card() -> bytes:
    """A real email as a mail client saves it: the body base64-encoded, so the number stands in no
    line of the raw file."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "ShenMart <help@shenmart.example>", "me@example.org", "Refund"
    message.set_content(f"We will refund the card {CARD} within 7 days.\n", cte="base64")
    return bytes(message)


EMAIL_CASE = """---
title: Lamp
status: open
---

## 2026-01-05 10:00
channel: email
direction: in
attachments: [refund.eml, receipt.txt]

We will refund [the card](refund.eml).
"""


def test_an_exhibit_that_holds_a_card_number_is_listed_but_not_published(logbook_dir, tmp_path, capsys):
    """The page masks the number in the message; the email file itself would give it away. Listed
    with its SHA-256 (the original's), it is copied into neither the site nor the bank's packet; the
    internal packet, whose profile does not redact, carries it."""
    import hashlib

    eml = _email_with_card()
    assert CARD.encode() not in eml and b"4111111111111111" not in eml  # base64: only a decoder sees it
    root = logbook_dir(
        {"cases/l.md": EMAIL_CASE, "cases/refund.eml": eml, "cases/receipt.txt": "Paid 64.50 GBP, card ending 1111.\n"}
    )
    out = tmp_path / "s"
    assert run_cli(["build", str(root), "--out", str(out), "--as-of", "2026-01-10"], capsys)[0] == 0
    names = set(site_tree(out))
    assert any(n.endswith("receipt.txt") for n in names) and not any(n.endswith("refund.eml") for n in names)
    page = (out / "cases/l/index.html").read_text()
    assert 'refund.eml <span class="withheld">(withheld from publication: the file holds a full card number)' in page
    assert hashlib.sha256(eml).hexdigest() in page
    assert 'href="exhibit-1' not in page.split("We will refund")[1].split("</p>")[0]  # the link is plain text
    for profile, carried in (("bank", False), ("internal", True)):
        target = tmp_path / f"{profile}.zip"
        args = ["export", "l", "--zip", str(target), "--for", profile, "--as-of", "2026-01-10", "-C", str(root)]
        assert run_cli(args, capsys)[0] == 0
        members = zipfile.ZipFile(target).namelist()
        assert any(m.endswith(".eml") for m in members) == carried, members
        manifest = zipfile.ZipFile(target).read(next(m for m in members if m.endswith("MANIFEST.sha256"))).decode()
        assert (hashlib.sha256(eml).hexdigest() in manifest) == carried


def _attachment_email() -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["Subject"] = "bank@example.org", "Your statement"
    message.set_content("Your statement is attached.")
    message.add_attachment(f"Card {CARD}\n".encode(), maintype="application", subtype="octet-stream", filename="s.txt")
    return bytes(message)


@pytest.mark.parametrize(
    ("name", "data", "withheld"),
    [
        ("att.eml", _attachment_email(), True),  # the number in an attachment part, base64
        ("broken.eml", f"From: a@b\nMessage-ID: <[\nSubject: hi\n\nCard {CARD}\n".encode(), True),
        ("unreadable.eml", b"From: a@b\nMessage-ID: <[\nSubject: hi\n\nhello\n", False),  # read, not crashed on
        ("chat.mbox", f"From a@b Mon Jan  5 10:00:00 2026\nFrom: a@b\n\nCard {CARD}\n".encode(), True),
        ("utf16.txt", f"Card {CARD}".encode("utf-16"), True),
        ("server.log", f"charged {CARD.replace(' ', '-')}\n".encode(), True),
        ("amex.txt", b"Amex 3782 822463 10005", True),
        ("dates.txt", b"01 12 2026  12 50  0 00  1 234 56\n" * 200, False),  # small numbers, not a card
        ("years.txt", " ".join(str(2000 + n % 30) for n in range(5000)).encode(), False),  # a row of years
        ("digits.txt", b"1 2 3 4 5 6 7 8 9 0 " * 50000, False),  # a megabyte of digits, read in well under a second
        ("photo.png", b"\x89PNG " + CARD.encode(), False),  # pictures are not read
    ],
)
def test_which_exhibits_hold_a_card_number(tmp_path, name, data, withheld):
    from logbook.store.exhibits import file_facts, holds_card

    path = tmp_path / name
    path.write_bytes(data)
    assert holds_card(path, file_facts(path)) is withheld


def test_a_withheld_exhibit_supplies_no_checklist_item(logbook_dir, tmp_path, capsys):
    case = EMAIL_CASE.replace(
        "attachments: [refund.eml, receipt.txt]", "attachments:\n  - {file: refund.eml, evidence: [cancellation-proof]}"
    )
    root = logbook_dir({"cases/l.md": case, "cases/refund.eml": _email_with_card()})
    target = tmp_path / "bank.zip"
    args = ["export", "l", "--zip", str(target), "--for", "bank", "--reason", "credit-not-processed"]
    assert run_cli([*args, "--as-of", "2026-01-10", "-C", str(root)], capsys)[0] == 0
    page = zipfile.ZipFile(target).read("l-evidence/evidence.html").decode()
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "exhibit 1 (refund.eml)" not in text
    # the two items the exhibit would have supplied (its mark, and any document), each not shown
    assert "Return or cancellation made — not shown" in text
    assert "Documents (labels, receipts, confirmations) — not shown" in text
