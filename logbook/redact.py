"""Redaction at publish time: card numbers, IBANs, emails and phone numbers masked in output.

The source files stay intact; the derive stage hands the renderers redacted copies,
so every output (site, feed, calendar, exports) gets the same masking.  IBANs are
matched before card numbers (a card pattern matches inside an IBAN); card numbers
must pass the Luhn check and IBANs their checksum (python-stdnum), so order numbers
and dates are left alone.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal
from typing import Iterator

from stdnum import iban as iban_number
from stdnum import luhn

IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
CARD_RE = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
EMAIL_RE = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
PHONE_RE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{7,}\d(?!\w)")
MASK = "•"
# Cheap tests a text must pass before the patterns above can match in it (most texts fail them).
# Each comes twice: ``\d`` is any Unicode digit, as in the patterns, but testing every character's
# category takes twice as long as ``[0-9]``, which says the same of an ASCII text (``str.isascii``
# costs nothing: CPython knows it of every string).
IBAN_HINT = re.compile(r"[A-Z][A-Z]\d\d")  # how IBAN_RE begins
IBAN_HINT_ASCII = re.compile(r"[A-Z][A-Z][0-9][0-9]")
CARD_HINT = re.compile(r"\d[\d -]{11}")  # CARD_RE's matches are at least 13 characters of these
CARD_HINT_ASCII = re.compile(r"[0-9][0-9 -]{11}")
NOT_DIGITS = str.maketrans("", "", "0123456789")
ANY_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class RedactionRules:
    """``[redact]`` in logbook.toml."""

    enabled: bool = True
    cards: bool = True
    ibans: bool = True
    emails: bool = False
    phones: bool = False
    keep_fields: tuple[str, ...] = ()  # field names never redacted, e.g. ("from", "to")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def may_hold_card(text: str) -> bool:
    """False when CARD_RE cannot match anywhere in *text* (a quick test; True says only "look")."""
    return (CARD_HINT_ASCII if text.isascii() else CARD_HINT).search(text) is not None


def may_hold_iban(text: str) -> bool:
    """False when IBAN_RE cannot match anywhere in *text*."""
    return (IBAN_HINT_ASCII if text.isascii() else IBAN_HINT).search(text) is not None


def card_numbers(text: str) -> Iterator[re.Match[str]]:
    for match in CARD_RE.finditer(text):
        digits = _digits(match[0])
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            yield match


def _mask_iban(match: re.Match[str]) -> str:
    raw = match[0]
    if not iban_number.is_valid(raw):
        return raw
    compact = raw.replace(" ", "")
    return f"{compact[:2]}{MASK * 2} {MASK * 4} … {compact[-4:]}"


def _mask_card(text: str) -> str:
    pieces, last = [], 0
    for match in card_numbers(text):
        pieces.append(text[last:match.start()])
        pieces.append(f"{MASK * 4} {MASK * 4} {MASK * 4} {_digits(match[0])[-4:]}")
        last = match.end()
    return "".join(pieces) + text[last:]


def _mask_phone(match: re.Match[str]) -> str:
    digits = _digits(match[0])
    if not 9 <= len(digits) <= 15:
        return match[0]
    return f"{'+' if match[0].startswith('+') else ''}{MASK * (len(digits) - 2)}{digits[-2:]}"


def redact_text(text: str, rules: RedactionRules) -> str:
    if not rules.enabled or not text:
        return text
    # each pattern needs some digits (\d: any script's): skip those that cannot match
    digits = len(text) - len(text.translate(NOT_DIGITS)) if text.isascii() else len(ANY_DIGIT.findall(text))
    if rules.ibans and digits >= 2 and may_hold_iban(text):
        text = IBAN_RE.sub(_mask_iban, text)
    if rules.cards and digits >= 13 and may_hold_card(text):
        text = _mask_card(text)
    if rules.emails and "@" in text:
        text = EMAIL_RE.sub(lambda m: f"{m[1]}{MASK * 3}@{m[2]}", text)
    if rules.phones and digits >= 9:  # _mask_phone keeps numbers of fewer digits
        text = PHONE_RE.sub(_mask_phone, text)
    return text


# Field names as users write them, mapped to the record's attribute names.
FIELD_NAMES = {"from": "sender", "to": "recipient", "next": "next_step", "message": "body"}
# Identifiers and paths: never touched (they build URLs and find files).
NEVER = frozenset({"id", "status", "channel", "direction", "form", "timezone", "section_key", "rule", "path", "message_id",
                   "location", "body_location", "id_location", "description_location"})


def redact_record(record: object, rules: RedactionRules) -> object:
    """A copy of a frozen record, nested records included, with every text field redacted except ``keep_fields``."""
    if not rules.enabled:
        return record
    changes = {}
    for name in _redacted_fields(type(record), rules.keep_fields):  # type: ignore[arg-type]
        value = getattr(record, name)
        new = _redact_value(value, rules)
        if new is not value:
            changes[name] = new
    return replace(record, **changes) if changes else record  # type: ignore[type-var]


@functools.lru_cache(maxsize=256)
def _redacted_fields(record_type: type, keep_fields: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of a record type that redaction looks at."""
    keep = NEVER | {FIELD_NAMES.get(name, name) for name in keep_fields}
    return tuple(field.name for field in fields(record_type) if field.name not in keep)


def _redact_value(value: object, rules: RedactionRules) -> object:
    kind = type(value)  # most values are exactly one of these: no isinstance chain for them
    if kind is not str and kind is not tuple and (value is None or kind in _PLAIN):
        return value
    if isinstance(value, str):
        redacted = redact_text(value, rules)
        return redacted if redacted != value else value
    if isinstance(value, tuple):
        items = tuple(_redact_value(v, rules) for v in value)
        return items if any(a is not b for a, b in zip(items, value)) else value
    if _is_record(kind):  # type: ignore[arg-type]
        return redact_record(value, rules)
    return value


_PLAIN = frozenset({bool, int, float, Decimal})  # never text, never holding any


@functools.lru_cache(maxsize=256)
def _is_record(kind: type) -> bool:
    """Whether values of *kind* are records of logbook.models (redacted field by field)."""
    return is_dataclass(kind) and kind is not type and kind.__module__.startswith("logbook.models")
