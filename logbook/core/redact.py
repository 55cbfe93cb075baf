"""Redaction at publish time: card numbers, IBANs, emails and phone numbers masked in output.

The source files stay intact; the derive stage hands the renderers redacted copies of the
records (bodies, titles, subjects, agent ids, attachment names: every text a record holds
that is published), so every output (site, feed, calendar, search index, exports, paths and
URLs) gets the same masking.  IBANs are matched before card numbers (a card pattern matches
inside an IBAN); card numbers must pass the Luhn check and IBANs their checksum
(python-stdnum), so order numbers and dates are left alone.

Matching runs over what a reader sees, not over the source: see ``reader_view``.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal

from logbook.core.records import quick_pickle

IBAN_RE = re.compile(r"\b[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?\b")
# A run of digit groups, as a reader would group a card number: spaces, one dash, dot or
# underscore (with spaces around it), or a line break (a soft break reads as a space).
SEPARATOR = r"(?:[ ]{0,2}[._-][ ]{0,2}|[ ]{1,3}|[ ]{0,2}\n[ ]{0,2})"
DIGIT_RUN = re.compile(rf"(?<![^\W_])[0-9]+(?:{SEPARATOR}[0-9]+)*(?![^\W_])")
GROUP = re.compile(r"[0-9]+")
MOST_GROUPS = 6  # a card number written in more pieces than this is only found as a whole run
EMAIL_RE = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
PHONE_RE = re.compile(r"(?<![\w+])\+?[0-9][0-9 ().-]{7,}[0-9](?!\w)")
MASK = "•"
# Quick tests on a text's stand-in view (``_gate_text``): no view is made for a text failing them.
# Both go by the text's runs of digits (few, and found fast) rather than by a pattern tried at
# every character.
DIGITS = re.compile(r"\d+")
HIDDEN_GAP = 8  # a stand-in keeps a little more between digits than the view (invisible characters)
LETTER_OR_DIGIT = re.compile(r"[^\W_]")
# IBAN_RE's first twelve characters but \b, written digits first: the engine then looks only at
# digits for where a match may start, not at every letter
IBAN_HINT = re.compile(r"[0-9][0-9](?<=[A-Za-z][A-Za-z][0-9][0-9])(?: ?[A-Za-z0-9]{4}){2}")
# 13 characters that a stretch of 13 digits could be in a stand-in: digits, a view's separators,
# anything not ASCII (invisible characters, dashes, spaces and digits of other scripts)
THIRTEEN_OF_A_RUN = re.compile(r"\d[0-9 .\n\-\x80-\U0010ffff]{12}")
THIRTEEN_OF_A_RUN_ASCII = re.compile(r"[0-9][0-9 .\n-]{12}")  # the same of an ASCII text, and faster
ANY_DIGIT = re.compile(r"\d")


@quick_pickle
@dataclass(frozen=True, slots=True)
class RedactionRules:
    """``[redact]`` in logbook.toml."""

    enabled: bool = True
    cards: bool = True
    ibans: bool = True
    emails: bool = False
    phones: bool = False
    keep_fields: tuple[str, ...] = ()  # field names never redacted, e.g. ("from", "to")


# ---------------------------------------------------------------------------------------------
# What a reader sees.  The site shows a text after Markdown and the browser have had their say:
# "&nbsp;" is a space, "4111\-1111" reads "4111-1111", "**1111**" reads "1111" in bold, a
# fullwidth "４" is a 4, a thin space is a space.  Matching on the source would let all of those
# through, so the patterns run over a *reader's view* of the text, each of whose characters knows
# the span of the source it came from; a match is replaced in the source over the span its view
# characters cover, so the mask lands on exactly what the reader would have seen.

SPECIAL = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"  # an HTML character reference
    r"|\\[!-/:-@\[-`{-~]"  # a Markdown backslash escape: the punctuation it escapes is shown
    r"|[*_~`]"  # emphasis, strike-through and code markers: they style, they are not shown
    r"|[^\x00-\x7f]+"
)  # not ASCII: compatibility forms (NFKC), spaces, dashes, digits of any script
MARKERS = "*_~`"
MARKUP = re.compile(r"[*_~`\\]")


@quick_pickle
@dataclass(frozen=True, slots=True)
class ReaderView:
    """*text* as a reader sees it, and where its characters came from in the source: ``changes``
    holds, in order, each stretch of the view that is not a copy of the source as (view start,
    view end, source start, source end); between them the view copies the source one for one.
    (Kept as stretches, not a span per character: most of a text is copied.)"""

    text: str
    changes: tuple[tuple[int, int, int, int], ...] = ()

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the source that the view's characters *start*..*end* (exclusive) came from."""
        return self._source(start)[0], self._source(end - 1)[1]

    def _source(self, index: int) -> tuple[int, int]:
        at = bisect.bisect_right(self.changes, (index, float("inf"))) - 1
        if at < 0:
            return index, index + 1
        view_start, view_end, source_start, source_end = self.changes[at]
        if index < view_end:  # a changed stretch: each of its characters stands for all of it
            return source_start, source_end
        source = source_end + index - view_end
        return source, source + 1


def _seen(chars: str) -> str:
    """Source characters (or a decoded reference) as a reader sees them, for matching."""
    shown = []
    for c in unicodedata.normalize("NFKC", chars):
        category = unicodedata.category(c)
        if category == "Cf":  # soft hyphens, zero-width spaces and joiners: invisible
            continue
        if category == "Zs" or c == "\t":
            shown.append(" ")
        elif category == "Pd" or c == "\u2212":  # every dash, and the minus sign, reads as a dash
            shown.append("-")
        elif category == "Nd":
            shown.append(str(unicodedata.digit(c)))
        else:
            shown.append(c)
    return "".join(shown)


def _is_plain(text: str) -> bool:
    """ASCII with no reference, escape or marker: its own reader's view."""
    return (
        text.isascii()
        and "&" not in text
        and "\\" not in text
        and "*" not in text
        and "_" not in text
        and "~" not in text
        and "`" not in text
    )


def reader_view(text: str) -> ReaderView:
    """The reader's view of *text* (see above)."""
    if _is_plain(text):
        return ReaderView(text)
    pieces: list[str] = []
    changes: list[tuple[int, int, int, int]] = []
    last = length = 0  # in the source; the view's length so far
    for match in SPECIAL.finditer(text):
        start, end = match.span()
        pieces.append(text[last:start])
        length += start - last
        for shown, source_start, source_end in _shown(text, match):
            if shown != text[source_start:source_end]:
                changes.append((length, length + len(shown), source_start, source_end))
            pieces.append(shown)
            length += len(shown)
        last = end
    pieces.append(text[last:])
    return ReaderView("".join(pieces), tuple(changes))


def _shown(text: str, match: re.Match[str]) -> list[tuple[str, int, int]]:
    """What a reader sees of one SPECIAL match, piece by piece with the source span of each."""
    raw, (start, end) = match[0], match.span()
    if raw == "_":  # inside a word an underscore is shown (CommonMark); elsewhere it marks emphasis
        inside = 0 < start and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
        return [("_" if inside else "", start, end)]
    if raw in MARKERS:
        return [("", start, end)]
    if raw[0] == "&":
        decoded = html.unescape(raw)
        return [(raw if decoded == raw else _seen(decoded), start, end)]
    if raw[0] == "\\" and len(raw) == 2:
        return [(raw[1], start, end)]
    if _seen(raw) == raw:  # letters of other scripts, typographic quotes: shown as they are
        return [(raw, start, end)]
    return [(_seen(c), start + i, start + i + 1) for i, c in enumerate(raw)]


def _gate_text(text: str) -> str:
    """A cheap stand-in for the reader's view (no spans), for the quick tests: same digits, letters
    and '@' as the view; a text whose stand-in cannot match is not given a view at all."""
    if _is_plain(text):
        return text
    if "&" in text:
        text = html.unescape(text)
    return MARKUP.sub("", unicodedata.normalize("NFKC", text))


def may_hold_card(gate: str) -> bool:
    """Whether 13 digits stand in *gate* with nothing but a few separators between each and the next
    (what DIGIT_RUN needs of the view); False says no card number can be found."""
    if not (THIRTEEN_OF_A_RUN_ASCII if gate.isascii() else THIRTEEN_OF_A_RUN).search(gate):
        return False
    count = end = 0
    for run in DIGITS.finditer(gate):
        gap = gate[end : run.start()]
        joined = len(gap) <= HIDDEN_GAP and not LETTER_OR_DIGIT.search(gap)
        count = count + len(run[0]) if joined else len(run[0])
        if count >= 13:
            return True
        end = run.end()
    return False


def may_hold_iban(gate: str) -> bool:
    """Whether IBAN_RE can match in *gate*."""
    return IBAN_HINT.search(gate) is not None


def _digit_count(text: str) -> int:
    if text.isascii():  # bytes.translate deletes through a table in C: ~10x faster than str.count per digit
        return len(text) - len(text.encode("ascii").translate(None, b"0123456789"))
    return len(ANY_DIGIT.findall(text))


# ---------------------------------------------------------------------------------------------
# The patterns, over a view's text.  Each yields (start, end, mask) spans of the view.

Span = tuple[int, int, str]


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def card_spans(view: str) -> Iterator[Span]:
    """Card numbers: a whole run of digit groups with 13-19 digits passing Luhn, or else the longest
    such stretch of up to MOST_GROUPS groups in it (a card number followed by a CVV, say)."""
    for run in DIGIT_RUN.finditer(view):
        if run.end() - run.start() < 13:
            continue
        groups = [(m.start() + run.start(), m.end() + run.start(), m[0]) for m in GROUP.finditer(run[0])]
        if sum(len(g[2]) for g in groups) < 13:
            continue
        whole = "".join(g[2] for g in groups)
        if 13 <= len(whole) <= 19 and _luhn_valid(whole):
            yield run.start(), run.end(), _card_mask(whole)
            continue
        yield from _card_stretches(groups)


def _card_stretches(groups: list[tuple[int, int, str]]) -> Iterator[Span]:
    first = 0
    while first < len(groups):
        for last in range(min(len(groups), first + MOST_GROUPS), first, -1):
            digits = "".join(g[2] for g in groups[first:last])
            if 13 <= len(digits) <= 19 and _luhn_valid(digits):
                yield groups[first][0], groups[last - 1][1], _card_mask(digits)
                first = last
                break
        else:
            first += 1


def _luhn_valid(digits: str) -> bool:
    """python-stdnum's Luhn check, imported when first needed: it costs a build with nothing
    changed (which redacts nothing) about 30 ms to import."""
    from stdnum import luhn

    return bool(luhn.is_valid(digits))


def _iban_valid(compact: str) -> bool:
    """python-stdnum's IBAN checksum (imported when first needed, as ``_luhn_valid``)."""
    from stdnum import iban

    return bool(iban.is_valid(compact))


def _card_mask(digits: str) -> str:
    return f"{MASK * 4} {MASK * 4} {MASK * 4} {digits[-4:]}"


def iban_spans(view: str) -> Iterator[Span]:
    """IBANs in any letter case; one that fails its checksum is tried without its last groups
    (the pattern may have run on into the next word)."""
    for match in IBAN_RE.finditer(view):
        raw = match[0]
        for end in sorted({len(raw), *(m.start() for m in re.finditer(" ", raw))}, reverse=True):
            compact = raw[:end].replace(" ", "")
            if len(compact) >= 15 and _iban_valid(compact):
                yield match.start(), match.start() + end, f"{compact[:2].upper()}{MASK * 2} {MASK * 4} … {compact[-4:]}"
                break


def email_spans(view: str) -> Iterator[Span]:
    for match in EMAIL_RE.finditer(view):
        yield match.start(), match.end(), f"{match[1]}{MASK * 3}@{match[2]}"


def phone_spans(view: str) -> Iterator[Span]:
    for match in PHONE_RE.finditer(view):
        digits = _digits(match[0])
        if 9 <= len(digits) <= 15:  # fewer or more digits: not a phone number
            mask = f"{'+' if match[0].startswith('+') else ''}{MASK * (len(digits) - 2)}{digits[-2:]}"
            yield match.start(), match.end(), mask


def _patterns(gate: str, rules: RedactionRules) -> list[Callable[[str], Iterator[Span]]]:
    """The patterns that can match in a text whose stand-in view is *gate* (each needs some digits)."""
    digits = _digit_count(gate)
    chosen: list[Callable[[str], Iterator[Span]]] = []
    if rules.ibans and digits >= 2 and may_hold_iban(gate):
        chosen.append(iban_spans)
    if rules.cards and digits >= 13 and may_hold_card(gate):
        chosen.append(card_spans)
    if rules.emails and "@" in gate:
        chosen.append(email_spans)
    if rules.phones and digits >= 9:
        chosen.append(phone_spans)
    return chosen


def _every_pattern(rules: RedactionRules) -> list[Callable[[str], Iterator[Span]]]:
    return [
        p
        for p, on in (
            (iban_spans, rules.ibans),
            (card_spans, rules.cards),
            (email_spans, rules.emails),
            (phone_spans, rules.phones),
        )
        if on
    ]


def found_spans(view: ReaderView, patterns: list[Callable[[str], Iterator[Span]]]) -> list[Span]:
    """What each pattern finds in the view, in turn; text one pattern found is hidden from the next
    (a card number inside an IBAN is part of the IBAN)."""
    text, found = view.text, []
    for pattern in patterns:
        for start, end, mask in list(pattern(text)):
            found.append((start, end, mask))
            text = text[:start] + MASK * (end - start) + text[end:]
    return sorted(found)


def redact_text(text: str, rules: RedactionRules) -> str:
    """*text* with each number the rules name masked where a reader would see it (see reader_view)."""
    if not rules.enabled or not text:
        return text
    patterns = _patterns(_gate_text(text), rules)
    return _masked(text, patterns) if patterns else text


def _masked(text: str, patterns: list[Callable[[str], Iterator[Span]]]) -> str:
    view = reader_view(text)
    pieces, last = [], 0
    for start, end, mask in found_spans(view, patterns):
        source_start, source_end = _whole_markup(text, *view.source_span(start, end))
        source_start = max(source_start, last)  # markup (or a reference) shared with the previous match
        pieces.append(text[last:source_start])
        pieces.append(mask)
        last = max(source_end, last)
    return "".join(pieces) + text[last:]


def _whole_markup(text: str, start: int, end: int) -> tuple[int, int]:
    """A match with emphasis markers inside it takes the markers right around it too, so that no
    lone '**' is left to run on into the text after the mask."""
    if not any(c in text[start:end] for c in MARKERS):
        return start, end
    while start > 0 and text[start - 1] in MARKERS:
        start -= 1
    while end < len(text) and text[end] in MARKERS:
        end += 1
    return start, end


def unredacted_cards(text: str) -> Iterator[tuple[int, str]]:
    """Where full card numbers stand in *text* as a reader sees it: (offset in *text*, last four)."""
    if text.isascii() and _digit_count(text) < 13:  # every digit a reader sees is one here, or in a reference
        return
    gate = _gate_text(text)
    if _digit_count(gate) < 13 or not may_hold_card(gate):
        return
    view = reader_view(text)
    for start, end, mask in card_spans(view.text):
        yield view.source_span(start, end)[0], mask[-4:]


# ---------------------------------------------------------------------------------------------
# Records.

# Field names as users write them, mapped to the record's attribute names.
FIELD_NAMES = {"from": "sender", "to": "recipient", "next": "next_step", "message": "body"}
# Identifiers and paths: never touched (they find files and link records).  An attachment is
# published under its ``name``, which is redacted; its ``path`` only finds the file.
NEVER = frozenset(
    {
        "id",
        "case_id",
        "status",
        "channel",
        "direction",
        "form",
        "timezone",
        "section_key",
        "rule",
        "path",
        "message_id",
        "location",
        "body_location",
        "id_location",
        "description_location",
    }
)
# Record types whose ``id`` is a published label, not a key: an agent's id (a staff number) is shown
# and names the agent's page, and links nothing.
LABEL_IDS = frozenset({"Agent"})


def redact_settings(config: object) -> object:
    """A configuration (logbook.toml) with the texts it publishes redacted by its own ``[redact]``:
    the site title, the keeper's name, tag descriptions.  The same object when none changes (the
    renderers key their reuse on it)."""
    rules: RedactionRules = config.redact  # type: ignore[attr-defined]  # config is a models.Config, typed object: redact.py may not import models
    if not rules.enabled:
        return config
    title, keeper = (redact_text(v, rules) if v else v for v in (config.title, config.keeper))  # type: ignore[attr-defined]  # config is a models.Config, typed object: redact.py may not import models
    tags = tuple((tag, redact_text(text, rules)) for tag, text in config.tags)  # type: ignore[attr-defined]  # config is a models.Config, typed object: redact.py may not import models
    if (title, keeper, tags) == (config.title, config.keeper, config.tags):  # type: ignore[attr-defined]  # config is a models.Config, typed object: redact.py may not import models
        return config
    return replace(config, title=title, keeper=keeper, tags=tags)  # type: ignore[type-var]  # every record here is a frozen dataclass, typed object


def redact_record(record: object, rules: RedactionRules) -> object:
    """A copy of a frozen record, nested records included, with every text field redacted except ``keep_fields``."""
    if not rules.enabled:
        return record
    changes = {}
    for name in _redacted_fields(type(record), rules.keep_fields):  # type: ignore[arg-type]  # every record here is a frozen dataclass, typed object
        value = getattr(record, name)
        new = _redact_value(value, rules)
        if new is not value:
            changes[name] = new
    return replace(record, **changes) if changes else record  # type: ignore[type-var]  # every record here is a frozen dataclass, typed object


@functools.lru_cache(maxsize=256)
def _redacted_fields(record_type: type, keep_fields: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of a record type that redaction looks at."""
    never = NEVER - {"id"} if record_type.__name__ in LABEL_IDS else NEVER
    keep = never | {FIELD_NAMES.get(name, name) for name in keep_fields}
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
    if _is_record(kind):  # type: ignore[arg-type]  # every record here is a frozen dataclass, typed object
        return redact_record(value, rules)
    return value


_PLAIN = frozenset({bool, int, float, Decimal})  # never text, never holding any


@functools.lru_cache(maxsize=256)
def _is_record(kind: type) -> bool:
    """Whether values of *kind* are records of logbook.core.models (redacted field by field)."""
    return is_dataclass(kind) and kind.__module__.startswith("logbook.core.models")
