"""One email (RFC 5322 bytes) → an ``Incoming`` interaction, with the standard library's parser.

Named ``mail`` so it never shadows the standard library's ``email`` package. Nothing here
trusts the message: every header is decoded with replacement of what cannot be decoded, an
unknown charset falls back to UTF-8 with replacement, and a part that cannot be read is
reported rather than raised.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from .model import Incoming, Origin, Payload
from .names import safe_name
from .quoting import fold_quoted
from .text import clean_text, html_to_markdown

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_ID = re.compile(r"<([^<>\s]+)>")


class MailError(Exception):
    """A message that cannot become an interaction (no usable time, unreadable structure)."""


def message_key(raw: bytes) -> str:
    """The message's Message-ID without brackets, or ``sha256:`` of its bytes when it has none.

    Only the header block is parsed, so a re-import of a big mailbox costs little.
    """
    end = _HEAD_END.search(raw)
    head = raw[: end.end()] if end else raw
    value = BytesHeaderParser(policy=policy.compat32).parsebytes(head).get("Message-ID")
    ids = _ID.findall(str(value)) if value is not None else []
    if ids:
        return ids[0]
    text = str(value).strip() if value is not None else ""
    return text if text and " " not in text else "sha256:" + hashlib.sha256(raw).hexdigest()


def read_email(raw: bytes, origin: Origin, key: str, exhibit_stem: str = "email") -> tuple[Incoming, list[str]]:
    """The interaction *raw* becomes, and warnings (e.g. the time taken from a Received header)."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    warnings: list[str] = []
    at, how = message_time(msg)
    if at is None:
        raise MailError("it has no readable Date: header and no Received: header with a date")
    if how:
        warnings.append(how)
    sender = header(msg, "From")
    subject = header(msg, "Subject")
    body_part = _body_part(msg)
    body = _body_text(body_part) if body_part is not None else ""
    attachments = tuple(_attachments(msg, body_part))
    original = Payload(safe_name(f"{exhibit_stem}-{at:%Y-%m-%d-%H%M%S}.eml"), raw)
    thread = tuple(dict.fromkeys(_ID.findall(" ".join(filter(None, (
        header(msg, "In-Reply-To"), header(msg, "References")))))))
    return Incoming(
        key=key, origin=origin, at=at, channel="email", sender=sender, sender_ids=_people_ids(sender),
        recipient=header(msg, "To"), cc=header(msg, "Cc"), subject=subject, body=fold_quoted(body),
        attachments=attachments, original=original, thread=thread,
        route_text=f"{subject or ''}\n{body}",
    ), warnings


def header(msg: Message, name: str) -> str | None:
    """A header decoded (RFC 2047, any declared charset), on one line, or None when absent or empty."""
    try:
        value = msg.get(name)
        text = str(value) if value is not None else None
    except Exception:  # a header the parser's rich classes choke on: decode it by hand
        text = _decode_raw(msg, name)
    if text is None:
        return None
    text = clean_text(re.sub(r"\s*[\r\n]+\s*", " ", text)).strip()
    return text or None


def _decode_raw(msg: Message, name: str) -> str | None:
    from email.header import decode_header
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            pieces = []
            for chunk, charset in decode_header(str(value)):
                if isinstance(chunk, bytes):
                    pieces.append(chunk.decode(_codec(charset), errors="replace"))
                else:
                    pieces.append(chunk)
            return "".join(pieces)
    return None


def _codec(charset: str | None) -> str:
    """A Python codec for a declared charset; UTF-8 when it names none Python knows."""
    if not charset:
        return "utf-8"
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except (LookupError, ValueError):
        return "utf-8"


def _people_ids(value: str | None) -> tuple[str, ...]:
    """The sender's address and display name, casefolded: what ``--me`` and ``[me]`` are compared with."""
    if not value:
        return ()
    ids: list[str] = []
    for name, address in getaddresses([value]):
        ids.extend(x.strip().casefold() for x in (address, name) if x and x.strip())
    return tuple(ids)


def message_time(msg: Message) -> tuple[datetime | None, str | None]:
    """The ``Date:`` header with its offset; else the first ``Received:`` date, with a warning saying so."""
    date_text = header(msg, "Date") or _decode_raw(msg, "Date")  # a broken Date: reads as empty through policy.default
    when = _parse_date(date_text)
    if when is not None:
        return when, None
    for received in msg.get_all("Received", []) or []:
        stamp = str(received).rsplit(";", 1)[-1] if ";" in str(received) else ""
        when = _parse_date(stamp.strip())
        if when is not None:
            problem = "has no Date: header" if date_text is None else f"has a Date: header that is not a date ({date_text!r})"
            return when, f"it {problem}; its time is taken from the first Received: header"
        break
    return None, None


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or not 1970 <= when.year <= 2200:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)  # "-0000": UTC, zone unknown


def _body_part(msg: EmailMessage) -> EmailMessage | None:
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except Exception:
        return None
    return part if isinstance(part, EmailMessage) else None


def _body_text(part: Message) -> str:
    text = part_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_markdown(text)
    return clean_text(text).strip()


def part_text(part: Message) -> str:
    """A text part decoded by its declared charset; undecodable bytes replaced, never an error."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else str(payload or "").encode("utf-8", "replace")
    return data.decode(_codec(part.get_content_charset()), errors="replace")


def _attachments(msg: Message, body: Message | None) -> list[Payload]:
    """Every part that is not the body or a text alternative of it: files, inline images, forwarded messages."""
    found: list[Payload] = []
    _collect(msg, body, found, top=True)
    return found


def _collect(part: Message, body: Message | None, found: list[Payload], top: bool = False) -> None:
    if part is body:
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822" and not top:
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else None
        if isinstance(inner_msg, Message):
            data = inner_msg.as_bytes(policy=policy.compat32)
            subject = header(inner_msg, "Subject") or "forwarded message"
            found.append(Payload(safe_name(part.get_filename() or f"{subject}.eml", ".eml"), data))
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                _collect(child, body, found)
        return
    if top:
        return  # a single-part message is all body
    filename = _filename(part)
    disposition = (part.get_content_disposition() or "").lower()
    if filename is None and disposition != "attachment" and part.get_content_maintype() == "text":
        return  # the other alternative of the body (text/html beside text/plain)
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    found.append(Payload(safe_name(filename or "", content_type=content_type), data))


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    return clean_text(str(name)) if name else None
