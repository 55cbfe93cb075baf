"""Redaction at publish time: masked in every output byte, intact in the source, opt-outs honoured."""

import zipfile

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logbook import redact
from logbook.redact import RedactionRules, redact_text

from conftest import run_cli, site_tree

ALL = RedactionRules(emails=True, phones=True)
CARD, IBAN, EMAIL, PHONE = "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32", "jane.doe@example.org", "+44 20 7946 0958"


@pytest.mark.parametrize("text, expected", [
    (f"card {CARD} used", "card •••• •••• •••• 1111 used"),
    ("card 4111-1111-1111-1111.", "card •••• •••• •••• 1111."),
    (f"IBAN {IBAN}", "IBAN GB•• •••• … 5432"),
    (f"write to {EMAIL}", "write to j•••@example.org"),
    (f"call {PHONE} now", "call +••••••••••58 now"),
])
def test_masks(text, expected):
    assert redact_text(text, ALL) == expected


@pytest.mark.parametrize("text", [
    "order GT-889123", "4111 1111 1111 1112 fails Luhn", "on 2026-03-16 14:03", "tracking 00340434 1234",
    "GB00 WEST 1234 5698 7654 32 bad checksum", "ref CS-77812",
])
def test_leaves_non_matches_alone(text):
    assert redact_text(text, RedactionRules(phones=False, emails=True)) == text


def _every_pattern(text: str, rules: RedactionRules) -> str:
    """redact_text without its quick pre-tests: every pattern run over every text."""
    if rules.ibans:
        text = redact.IBAN_RE.sub(redact._mask_iban, text)
    if rules.cards:
        text = redact._mask_card(text)
    if rules.emails:
        text = redact.EMAIL_RE.sub(lambda m: f"{m[1]}{redact.MASK * 3}@{m[2]}", text)
    if rules.phones:
        text = redact.PHONE_RE.sub(redact._mask_phone, text)
    return text


PIECES = st.sampled_from([CARD, IBAN, EMAIL, PHONE, "4111-1111-1111-1111", "DE89370400440532013000", "12", "7",
                          " ", "-", "(", ")", ".", "+", "@", "GB", "x", "\n", "2026-03-16", "NO9386011117947", "4222222222222", "4222 2222 22222"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(alphabet="0123456789 -ABZ@.+x٤４é", max_size=20)), max_size=12),
       st.sampled_from([ALL, RedactionRules(), RedactionRules(cards=False), RedactionRules(ibans=False)]))
@example(["2026-03-16", "٤"], ALL)  # nine digits, one of them not ASCII: a phone number to mask
def test_the_quick_pre_tests_never_skip_a_match(pieces, rules):
    text = "".join(pieces)
    assert redact_text(text, rules) == _every_pattern(text, rules)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(alphabet="0123456789 -ABZ@.+x٤４é", max_size=20)), max_size=12))
def test_the_quick_tests_say_look_wherever_a_pattern_matches(pieces):
    text = "".join(pieces)  # ASCII and not: each has its own quick test
    assert redact.may_hold_card(text) or not redact.CARD_RE.search(text)
    assert redact.may_hold_iban(text) or not redact.IBAN_RE.search(text)


def test_off_switches():
    assert redact_text(f"{CARD} {EMAIL}", RedactionRules(enabled=False, emails=True)) == f"{CARD} {EMAIL}"
    assert redact_text(EMAIL, RedactionRules()) == EMAIL  # emails are off by default


SOURCE = ("---\ntitle: Card {card}\nstatus: open\ncounterparty: Shop ({email})\nrefs: {{iban: '{iban}'}}\n---\n"
          "\n## 2026-01-01 10:00Z\nchannel: email\ndirection: in\nfrom: {email}\nto: {phone}\n"
          "promises:\n  - {{what: 'Refund to {iban}', due: 2026-02-01}}\n\nCharged {card}; call {phone}.\n")


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
    assert run_cli(["export", "c", "--zip", str(tmp_path / "bank.zip"), "--for", "bank", "--as-of", "2026-01-10",
                    "-C", str(root)], capsys)[0] == 0
    assert CARD not in zipfile.ZipFile(tmp_path / "bank.zip").read("c-evidence/evidence.html").decode()
    assert run_cli(["export", "c", "--zip", str(tmp_path / "internal.zip"), "--for", "internal", "--as-of",
                    "2026-01-10", "-C", str(root)], capsys)[0] == 0
    assert CARD in zipfile.ZipFile(tmp_path / "internal.zip").read("c-evidence/evidence.html").decode()


def test_per_field_opt_out(logbook_dir, tmp_path, capsys):
    text = SOURCE.format(card=CARD, iban=IBAN, email=EMAIL, phone=PHONE)
    root = logbook_dir({"logbook.toml": '[redact]\nemails = true\nkeep_fields = ["from"]\n', "cases/c.md": text})
    assert run_cli(["build", str(root), "--out", str(tmp_path / "s"), "--as-of", "2026-01-10"], capsys)[0] == 0
    page = (tmp_path / "s/cases/c/index.html").read_text()
    assert f"<dt>From</dt><dd>{EMAIL}</dd>" in page  # kept by the opt-out
    assert f"Shop ({EMAIL})" not in page  # counterparty still redacted
