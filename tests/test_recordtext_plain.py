"""The record writer's shortcut for plain values (``recordtext._simple_lines``) against PyYAML's dumper.

An import writes 10,000 records; the pure-Python emitter was a seventh of its time.  The shortcut
writes ``key: value`` lines itself when every value is a string the dumper would leave plain, and
must give exactly the dumper's bytes, or records would differ with the writer that wrote them."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from logbook.core import recordtext
from logbook.core.recordtext import _Dumper, _simple_lines, front_matter, yaml_lines

# Every character class the dumper treats specially (indicators, quotes, spaces, line breaks, controls,
# non-BMP emoji, a BOM, a NEL) mixed with letters of several scripts, digits and YAML's keywords.
SPECIAL = list("#,[]{}&*!|>'\"%@`?:-<=~ \t\n\r\\/.()+;^$_") + [
    "\x85",
    "\u2028",
    "\ufeff",
    "\x00",
    "\x7f",
    "😀",
    "\u00a0",
    "é",
    "ü",
    "—",
    "日",
    "ß",
    "\u0301",
]
WORDS = [
    "Re: Order #12: late",
    "a :b",
    "a:#",
    "#a: b",
    "a: 'b'",
    "yes",
    "No",
    "on",
    "OFF",
    "null",
    "~",
    "true",
    "12",
    "0x1F",
    "1e3",
    ".inf",
    "2025-01-01",
    "2025-01-01 09:00:20+01:00",
    "<<",
    "=",
    "- a",
    "a: b",
    "a #b",
    "a:",
    ":a",
    "'q'",
    "Re: x",
]
text = st.one_of(
    st.text(st.sampled_from(SPECIAL) | st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    st.sampled_from(WORDS),
    st.lists(st.sampled_from(WORDS + SPECIAL + ["abc", "Dé"]), max_size=5).map("".join),
)
key = st.one_of(
    st.sampled_from(["at", "channel", "from", "to", "subject", "message_id", "attachments", "y", "on"]), text
)
value = st.one_of(text, st.lists(text, max_size=4))


def _dumped(fields: dict) -> str:
    return yaml.dump(
        fields, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=float("inf")
    )


@settings(max_examples=3000, deadline=None)
@given(st.dictionaries(key, value, max_size=5))
def test_plain_lines_are_the_dumpers_bytes(fields: dict) -> None:
    simple = _simple_lines(fields)
    if simple is not None:
        assert simple == _dumped(fields)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(key, value, max_size=5))
def test_yaml_lines_is_the_dumper_whatever_the_path(fields: dict) -> None:
    try:
        expected = _dumped(fields)
    except yaml.YAMLError:
        return
    try:
        assert yaml_lines(fields) == expected
    except recordtext.ValueRefused:  # not UTF-8 (lone surrogates): refused before either path
        pass


def test_an_imported_emails_fields_take_the_shortcut() -> None:
    """The fields an email import writes, with a time that YAML would read as a timestamp (quoted by the
    dumper) and without, take the shortcut; what it leaves to the dumper is not plain."""
    fields = {
        "at": "2025-01-01 09:00 Europe/Berlin",
        "channel": "email",
        "direction": "in",
        "from": "Kundenservice <support@shop.example>",
        "to": "Alex Morgan <alex@example.org>, Bo <b@x.example>",
        "subject": "Order GT-100000 — Rückfrage 0 (2/3) 50% off; ok!",
        "message_id": "bench-0@shop.example",
        "attachments": ["email-2025-01-01-090020.eml", "photo 1.png", "Rechnung_März.pdf"],
    }
    assert _simple_lines(fields) == _dumped(fields)
    dated = {**fields, "at": "2025-01-01 09:00:20+01:00", "direction": "yes", "subject": "Re: Order #12: late"}
    assert _simple_lines(dated) == _dumped(dated)  # YAML would read a timestamp and a boolean: quoted
    assert "at: '2025-01-01 09:00:20+01:00'\n" in _simple_lines(dated)
    assert "subject: 'Re: Order #12: late'\n" in _simple_lines(dated)
    assert front_matter(dated, "hi") == f"---\n{_dumped(dated)}---\n\nhi\n"
    for odd in ("- a", "😀 x", " a", "'q", "a\tb", "a:"):
        assert _simple_lines({**fields, "subject": odd}) is None
