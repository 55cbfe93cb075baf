"""The text logbook writes into records: YAML front matter, TOML strings, message bodies.

Every writer (``init``, ``new``, ``add``, ``status``, ``close``, ``followup --record``, the
email importer) goes through these functions, never through string concatenation of a
user's value, so that a value can never become more than a value:

* YAML is emitted by PyYAML's serializer; any string holding a line break, a control
  character or surrounding spaces is double-quoted and escaped, so it stays on one line
  (a single-file case's fields end at the first blank line, which a folded scalar has);
* one-line values (titles, names, refs) refuse line breaks and control characters with a
  message that names the option, rather than writing something the reader would misread;
* a message written into a single-file case cannot start a new interaction: its ``## ``
  lines are demoted to ``### `` and a code fence it leaves open is closed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import yaml

from logbook.core.split import FENCE_RE, HEADING_RE


class ValueRefused(ValueError):
    """A value that cannot be written as given; the message says what to change."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that double-quotes any string YAML could fold, trim or misread."""


def _needs_escape(value: str) -> bool:
    return value != value.strip() or any(_is_control(ch) for ch in value)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in "\ufeff\x85"


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _needs_escape(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def yaml_lines(fields: dict[str, Any]) -> str:
    """``key: value`` lines in the given order; every value on the lines it owns, no blank line."""
    for key, value in fields.items():
        _check_text(value, key)
    simple = _simple_lines(fields)
    if simple is not None:
        return simple
    text = yaml.dump(
        fields, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=float("inf")
    )
    return text


# A string the dumper writes as it is (plain style): no indicator first, none of ": ", " #", a trailing
# ":", quotes, backslashes or control characters anywhere; word characters of any script and the
# printable characters of the Basic Multilingual Plane above U+00A0 (but the line and paragraph
# separators and the BOM), which the emitter prints as they are with allow_unicode.  Whether it would read back as another
# type ("yes", "12", a timestamp) is the resolver's call, as in the dumper's.
_WORD = "\\w\xa1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
_REST = _WORD + "<>()+/=.,@$~^;&*!%-"
_PLAIN = re.compile(f"[{_WORD}<(][ {_REST}]*(?::[{_REST}]+[ {_REST}]*)*")
_INDICATED = re.compile(f"[{_WORD}<(][ :#{_REST}]*")
_RESOLVER = yaml.resolver.Resolver()


def _scalar(value: object) -> str | None:
    """*value* as the dumper writes it, for a string of _PLAIN's characters: as it is, or in single
    quotes when it would read back as another type ("yes", "12", "2025-01-01 09:00:20+01:00"); None
    for anything else."""
    if type(value) is not str or value != value.strip():
        return None
    if _PLAIN.fullmatch(value) is None or " #" in value:
        # ": " or " #" (a reply's "Re: …") makes an indicator; of these characters, the dumper quotes it
        return f"'{value}'" if _INDICATED.fullmatch(value) and (": " in value or " #" in value) else None
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]  # PyYAML stubs leave Resolver.resolve untyped
    return value if tag == _STR_TAG else f"'{value}'"


_STR_TAG = "tag:yaml.org,2002:str"


def _simple_lines(fields: dict[str, Any]) -> str | None:
    """The dumper's own output for a mapping of plain strings and lists of them, without the dumper
    (its pure-Python emitter took a seventh of an import's time); None for anything else, which the dumper
    writes.  ``tests/test_recordtext_plain.py`` holds the two equal on generated mappings."""
    lines = []
    for key, value in fields.items():
        name = _scalar(key)
        if name is None or name != key:
            return None
        if type(value) is list and value:
            items = [_scalar(item) for item in value]
            if None in items:
                return None
            lines.append(f"{key}:\n" + "".join(f"- {item}\n" for item in items))
        else:
            scalar = _scalar(value)
            if scalar is None:
                return None
            lines.append(f"{key}: {scalar}\n")
    return "".join(lines) if lines else None


def front_matter(fields: dict[str, Any], body: str = "") -> str:
    """A whole record: ``---``, the fields, ``---``, then the body (a bundle file or a case file)."""
    text = f"---\n{yaml_lines(fields)}---\n"
    return text + (f"\n{body.strip()}\n" if body.strip() else "")


def toml_string(value: str, option: str) -> str:
    """A TOML basic string. JSON's string escapes are a subset of TOML's (``\\"``, ``\\\\``,
    ``\\n``, ``\\uXXXX``; JSON never writes ``\\/``), so ``json.dumps`` is a correct TOML writer
    for one string, and the standard library has none."""
    return json.dumps(one_line(value, option), ensure_ascii=False)


def one_line(value: str, option: str) -> str:
    """*value* trimmed; refused when it holds a line break or another control character."""
    _check_text(value, option)
    value = value.strip()
    bad = next((ch for ch in value if _is_control(ch)), None)
    if bad is not None:
        what = (
            "a line break"
            if bad in "\n\r\x85\u2028\u2029"
            else ("a tab" if bad == "\t" else f"the control character U+{ord(bad):04X}")
        )
        raise ValueRefused(f"{option} must be one line of text; it holds {what}")
    return value


def message_text(value: str, option: str = "the message") -> str:
    """A message body: any text but NUL (it would make the file binary) and invalid UTF-8."""
    _check_text(value, option)
    if "\x00" in value:
        raise ValueRefused(f"{option} holds a NUL character; remove it (a record is a text file)")
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_text(value: Any, option: str) -> None:
    """Refuse what cannot be written as UTF-8 (bytes of another encoding reach argv as surrogates)."""
    texts = value if isinstance(value, (list, tuple)) else [value]
    for text in texts:
        if isinstance(text, dict):
            for item in text.values():
                _check_text(item, option)
        elif isinstance(text, str):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueRefused(f"{option} is not valid UTF-8 text; check your terminal's encoding") from None


def section_body(message: str) -> str:
    """A message made safe to sit under a ``## `` heading of a single-file case.

    A ``## `` line would start a new interaction (or fail as a heading without a time),
    so it becomes ``### ``, still a heading, one level down; a code fence left open would
    hide the interactions below it, so it is closed. Text inside fences is left alone,
    exactly as the reader skips it.
    """
    lines = message.split("\n")
    fence: str | None = None
    out = []
    for line in lines:
        match = FENCE_RE.match(line)
        if fence is None and match:
            fence = match[1]
        elif fence is not None:
            if match and match[1][0] == fence[0] and len(match[1]) >= len(fence) and not line.strip().lstrip(fence[0]):
                fence = None
        elif HEADING_RE.match(line):
            indent = len(line) - len(line.lstrip(" "))
            line = line[:indent] + "#" + line[indent:]
        out.append(line)
    if fence is not None:
        out.append(fence)
    return "\n".join(out)
