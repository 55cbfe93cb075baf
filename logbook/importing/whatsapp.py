"""A WhatsApp "Export chat" → one ``Incoming`` interaction per message.

Both shapes the app writes are read::

    12/03/2026, 14:05 - Name: text          (Android)
    [12/03/2026, 14:05:33] Name: text       (iOS)

with 12- or 24-hour clocks (``2:05 PM``), two- or four-digit years, ``/``, ``.`` or ``-``
between date parts. Whether a date is day-first or month-first is decided from the whole
file (a part above 12, then the order that keeps the chat in time order), or by
``--date-order``. A line without that prefix continues the message before it. Lines
without a sender (the encryption notice, "X added Y") are system lines: counted, not
imported. Each message is its own interaction (a run of one sender is not merged: each
message keeps its own time, and a re-export imports only what is new). The export has no
offsets: its times are read in the case's zone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from logbook.core.records import quick_pickle

from .model import ChatExport, Incoming, Origin, Payload
from .names import safe_name
from .text import clean_text, one_line_text

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"
LINE = re.compile(
    rf"^[{_MARKS}]*\[?(?P<date>\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}})\.?,?\s+"
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)(?:[\s\u202f\u00a0]*(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?"
    r"(?:\]\s*|\s+-\s+)(?P<rest>.*)$"
)
_SENDER = re.compile(rf"^[{_MARKS}]*(?P<name>[^:]{{1,80}}?):\s(?P<text>.*)$", re.DOTALL)
_FILE_TOKEN = re.compile(r"[\w.\-]+\.\w{2,5}")
DATE_ORDERS = ("dmy", "mdy", "ymd")


class ChatError(Exception):
    """A chat export that cannot be read as one: no message lines, dates that fit no order."""


@quick_pickle
@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    date: tuple[int, int, int]
    clock: tuple[int, int, int]
    rest: str


@quick_pickle
@dataclass(frozen=True, slots=True)
class ChatResult:
    messages: tuple[Incoming, ...]
    system_lines: int
    date_order: str


def read_chat_export(export: ChatExport, source: str, date_order: str | None = None) -> ChatResult:
    lines, continuation = _split(export.text)
    if not lines:
        raise ChatError("has no line in a WhatsApp export's shape ('12/03/2026, 14:05 - Name: text')")
    order = date_order or decide_date_order(lines)
    messages: list[Incoming] = []
    system = 0
    seen: dict[str, int] = {}
    used_media: set[str] = set()
    for position, line in enumerate(lines, start=1):
        text = "\n".join([line.rest, *continuation.get(line.number, [])])
        match = _SENDER.match(text)
        if match is None:
            system += 1
            continue
        at = _moment(line, order, source)
        name, body = one_line_text(match["name"]), clean_text(match["text"]).strip()
        ident = f"{at.isoformat()}\n{name}\n{body}"
        seen[ident] = seen.get(ident, 0) + 1
        key = "whatsapp:" + hashlib.sha256(f"{ident}\n{seen[ident]}".encode()).hexdigest()[:32]
        media = _media(body, export.media, used_media)
        messages.append(
            Incoming(
                key=key,
                origin=Origin(source, position, line.number),
                at=at,
                channel="chat",
                sender=name,
                sender_ids=(name.casefold(),),
                recipient=None,
                cc=None,
                subject=None,
                body=body,
                attachments=media,
                original=None,
                route_text=body,
            )
        )
    return ChatResult(tuple(messages), system, order)


def _split(text: str) -> tuple[list[_Line], dict[int, list[str]]]:
    """Message lines, and the continuation lines of each (keyed by its line number)."""
    lines: list[_Line] = []
    continuation: dict[int, list[str]] = {}
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        match = LINE.match(raw)
        if match is None:
            if lines:
                continuation.setdefault(lines[-1].number, []).append(raw.strip(_MARKS))
            continue
        parts = tuple(int(p) for p in re.split(r"[./-]", match["date"]))
        clock = [int(p) for p in re.split(r"[:.]", match["time"])] + [0]
        hour = clock[0]
        if match["ampm"]:
            pm = match["ampm"][0].lower() == "p"
            hour = (hour % 12) + (12 if pm else 0)
        lines.append(_Line(number, parts, (hour, clock[1], clock[2]), match["rest"]))  # type: ignore[arg-type]  # parts is a tuple of three ints: the date pattern has three fields
    return lines, continuation


def decide_date_order(lines: list[_Line]) -> str:
    """Day-first or month-first, from every date in the file: a part above 12 decides; else the
    order that keeps the messages in time order; else the dates read the same either way."""
    if all(len(str(line.date[0])) == 4 or line.date[0] > 31 for line in lines):
        return "ymd"
    possible = [order for order in ("dmy", "mdy") if all(_valid(line.date, order) for line in lines)]
    if not possible:
        raise ChatError("has dates that are neither all day-first nor all month-first")
    if len(possible) == 1:
        return possible[0]
    in_order = [o for o in possible if _chronological(lines, o)]
    if len(in_order) == 1:
        return in_order[0]
    if all(line.date[0] == line.date[1] for line in lines):
        return "dmy"  # every date reads the same either way
    raise ChatError("has dates that could be day-first or month-first; say which with --date-order dmy or mdy")


def _ymd(date: tuple[int, int, int], order: str) -> tuple[int, int, int]:
    a, b, c = date
    year, month, day = (a, b, c) if order == "ymd" else (c, b, a) if order == "dmy" else (c, a, b)
    return (year + 2000 if year < 100 else year), month, day


def _valid(date: tuple[int, int, int], order: str) -> bool:
    year, month, day = _ymd(date, order)
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return True


def _chronological(lines: list[_Line], order: str) -> bool:
    stamps = [(_ymd(line.date, order), line.clock) for line in lines]
    return all(a <= b for a, b in zip(stamps, stamps[1:]))


def _moment(line: _Line, order: str, source: str) -> datetime:
    year, month, day = _ymd(line.date, order)
    try:
        return datetime(year, month, day, *line.clock)
    except ValueError:
        raise ChatError(
            f"line {line.number}: '{'/'.join(map(str, line.date))}' is not a date read as {order}"
        ) from None


def _media(body: str, files: dict[str, bytes], used: set[str]) -> tuple[Payload, ...]:
    """The export's media files this message names ("IMG-….jpg (file attached)", "<attached: …>")."""
    found = []
    for token in _FILE_TOKEN.findall(body):
        if token in files and token not in used:
            used.add(token)
            found.append(Payload(safe_name(token), files[token]))
    return tuple(found)
