"""One email (RFC 5322 bytes) → an ``Incoming`` interaction, with the standard library's parser.

Named ``mail`` so it never shadows the standard library's ``email`` package. The message is
parsed with the ``compat32`` policy and its headers decoded here (RFC 2047 encoded words in any
charset Python knows, RFC 2231 file names, raw UTF-8): ``policy.default``'s header objects cost
about 4 ms a message on this machine, 40 s for a 10,000-message mailbox before anything else
(see ARCHITECTURE.md). Nothing here trusts the message: undecodable bytes are replaced, an
unknown charset falls back to UTF-8 with replacement, and a part that cannot be read is
reported rather than raised.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from .model import Incoming, Origin, Payload
from .names import safe_name
from .quoting import fold_quoted
from .text import clean_text, html_to_markdown, one_line_text

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_ID = re.compile(r"<([^<>\s]+)>")
_PARSER = BytesParser(policy=policy.compat32)


class MailError(Exception):
    """A message that cannot become an interaction (no usable time, unreadable structure)."""


_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


def message_key(raw: bytes) -> str:
    """The message's Message-ID without brackets, or ``sha256:`` of its bytes when it has none.

    Only the header block is looked at (one regular expression, folded lines included), so a
    re-import of a big mailbox costs little.
    """
    end = _HEAD_END.search(raw)
    head = raw[: end.start() + 1] if end else raw
    found = _MESSAGE_ID.search(head)
    text = found[1].decode("ascii", "replace") if found else ""
    ids = _ID.findall(text)
    text = ids[0] if ids else " ".join(text.split())
    if text and " " not in text and text.isprintable():  # a control character could not be written as a field
        return text
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def read_email(raw: bytes, origin: Origin, key: str, exhibit_stem: str = "email") -> tuple[Incoming, list[str]]:
    """The interaction *raw* becomes, and warnings (e.g. the time taken from a Received header)."""
    msg = _PARSER.parsebytes(raw)
    warnings: list[str] = []
    at, how = message_time(msg)
    if at is None:
        raise MailError("it has no readable Date: header and no Received: header with a date")
    if how:
        warnings.append(how)
    sender = header(msg, "From")
    sender_raw = msg.get("From")
    subject = header(msg, "Subject")
    body_part = _body_part(msg)
    body = _body_text(body_part) if body_part is not None else ""
    attachments = tuple(_attachments(msg, body_part))
    original = Payload(safe_name(f"{exhibit_stem}-{at:%Y-%m-%d-%H%M%S}.eml"), raw)
    thread = tuple(
        dict.fromkeys(_ID.findall(" ".join(filter(None, (header(msg, "In-Reply-To"), header(msg, "References"))))))
    )
    return Incoming(
        key=key,
        origin=origin,
        at=at,
        channel="email",
        sender=sender,
        sender_ids=_people_ids(sender_raw),
        recipient=header(msg, "To"),
        cc=header(msg, "Cc"),
        subject=subject,
        body=fold_quoted(body),
        attachments=attachments,
        original=original,
        thread=thread,
        route_text=f"{subject or ''}\n{body}",
    ), warnings


def header(msg: Message, name: str) -> str | None:
    """A header decoded (RFC 2047, any declared charset), on one line, or None when absent or empty."""
    value = msg.get(name)
    if value is None:
        return None
    text = one_line_text(decode_words(value))
    return text or None


def decode_words(value: object) -> str:
    """RFC 2047 encoded words decoded by their charsets; raw 8-bit text read as UTF-8, else Windows-1252."""
    try:
        chunks = decode_header(value)  # type: ignore[arg-type]  # a header value may be an email.header.Header or str; decode_header takes both
    except Exception:  # a malformed encoded word: the text as it stands
        chunks = [(str(value), None)]
    pieces = []
    for chunk, charset in chunks:
        data = chunk.encode("utf-8", "surrogateescape") if isinstance(chunk, str) else chunk
        if charset in (None, "unknown-8bit"):
            pieces.append(_lenient(data))
        else:
            pieces.append(data.decode(_codec(charset), errors="replace"))
    return "".join(pieces)


def _lenient(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _codec(charset: str | None) -> str:
    """A Python codec for a declared charset; UTF-8 when it names none Python knows."""
    if not charset:
        return "utf-8"
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except (LookupError, ValueError):
        return "utf-8"


def _people_ids(value: object) -> tuple[str, ...]:
    """The sender's address and display name, casefolded: what ``--me`` and ``[me]`` are compared with.

    The addresses are split before the names are decoded: a decoded name may hold a comma."""
    if value is None:
        return ()
    ids: list[str] = []
    for name, address in getaddresses([str(value)]):
        ids.extend(x.strip().casefold() for x in (address, decode_words(name)) if x and x.strip())
    return tuple(ids)


def message_time(msg: Message) -> tuple[datetime | None, str | None]:
    """The ``Date:`` header with its offset; else the first ``Received:`` date, with a warning saying so."""
    date_text = header(msg, "Date")
    when = _parse_date(date_text)
    if when is not None:
        return when, None
    for received in msg.get_all("Received", []) or []:
        text = decode_words(received)
        stamp = text.rsplit(";", 1)[-1] if ";" in text else ""
        when = _parse_date(stamp.strip())
        if when is not None:
            problem = (
                "has no Date: header" if date_text is None else f"has a Date: header that is not a date ({date_text!r})"
            )
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
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # "-0000": UTC, zone unknown


def _body_part(msg: Message) -> Message | None:
    """The first text/plain part that is not an attachment, else the first such text/html part."""
    found: dict[str, Message] = {}
    for part in _leaves(msg):
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html") and kind not in found and not _is_attachment(part):
            found[kind] = part
    return found.get("text/plain") or found.get("text/html")


def _leaves(part: Message) -> Iterator[Message]:
    """The message's single parts, not looking inside forwarded messages (they are attachments)."""
    if part.get_content_type() == "message/rfc822":
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                yield from _leaves(child)
        return
    yield part


def _is_attachment(part: Message) -> bool:
    return (part.get_content_disposition() or "").lower() == "attachment" or _filename(part) is not None


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
            subject = header(inner_msg, "Subject") or "forwarded message"
            found.append(Payload(safe_name(_filename(part) or f"{subject}.eml", ".eml"), inner_msg.as_bytes()))
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                _collect(child, body, found)
        return
    if not _is_attachment(part) and part.get_content_maintype() == "text":
        return  # the other alternative of the body (text/html beside text/plain)
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    found.append(Payload(safe_name(_filename(part) or "", content_type=content_type), data))


def _filename(part: Message) -> str | None:
    """The part's file name: RFC 2231 (``filename*=``) or RFC 2047 encoded words, decoded."""
    try:
        name = part.get_filename()
    except Exception:
        return None
    if not name:
        return None
    return clean_text(decode_words(name)).strip() or None
