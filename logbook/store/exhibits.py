"""Facts about attachment files: size, SHA-256, media type, and a safe output name."""

from __future__ import annotations

import codecs
import email
import email.message
import email.policy
import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from logbook.core.language import ENGLISH, Language
from logbook.core.records import quick_pickle
from logbook.core.redact import unredacted_cards
from logbook.store.textfile import open_regular

# A MimeTypes built from Python's own table only: the system's /etc/mime.types
# differs between machines, and the site must not.
_MIME = mimetypes.MimeTypes(filenames=())
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Exhibits never read for card numbers: pictures, sound, film, fonts, PDFs and archives (docs/format.md,
# "Redaction"); every other exhibit is read when its bytes are text.
NOT_READ = ("image/", "audio/", "video/", "font/")
NOT_READ_TYPES = frozenset({"application/pdf", "application/zip", "application/gzip", "application/x-tar"})
MAX_SCANNED_BYTES = 32 << 20  # larger exhibits are published unread (docs/format.md, "Redaction")


@quick_pickle
@dataclass(frozen=True, slots=True)
class FileFacts:
    size: int
    sha256: str
    media_type: str

    @property
    def is_image(self) -> bool:
        """Shown inline.  SVG is deliberately not: it can carry scripts."""
        return self.media_type in IMAGE_TYPES


def file_facts(path: Path) -> FileFacts:
    digest = hashlib.sha256()
    size = 0
    with open_regular(path) as handle:  # never a FIFO or device, even one swapped in after parsing
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    media_type = _MIME.guess_type(path.name, strict=False)[0] or "application/octet-stream"
    return FileFacts(size, digest.hexdigest(), media_type)


def holds_card(path: Path, facts: FileFacts) -> bool:
    """Whether a full card number, printed as cards print it, stands in the text a reader of the file
    sees (texts_of): an email and its parts, a mailbox, a chat export, a table, a log.  Pictures,
    PDFs and archives are not read (docs/format.md, "Redaction")."""
    kind = facts.media_type
    if kind.startswith(NOT_READ) or kind in NOT_READ_TYPES or facts.size > MAX_SCANNED_BYTES:
        return False
    with open_regular(path) as handle:
        data = handle.read(MAX_SCANNED_BYTES + 1)
    mail = kind == "message/rfc822" or path.suffix.lower() in (".eml", ".mbox")
    return any(_printed_card(text) for text in texts_of(data, mail))


SEPARATOR = r"(?:[^\S\r\n]{1,3}|[^\S\r\n]{0,2}[-._\u2010-\u2015\u2212][^\S\r\n]{0,2}|\r?\n)"
DIGIT_RUN = re.compile(rf"[0-9]+(?:{SEPARATOR}[0-9]+)*")  # digits and what may stand between a card's groups
GROUP = re.compile(r"[0-9]+")
LONGEST_CARD_RUN = 64  # characters: 19 digits and a CVV in six groups, up to three spaces between each


def _printed_card(text: str) -> bool:
    """A card number printed as cards print it, alone in its run of digits: groups of four or more,
    the last (or a CVV after it) of fewer (4-4-4-4, 4-6-5, 16 together), no more than six groups. So a
    table of small numbers, a row of years or a column of amounts is no card number; a run that
    spans lines is also read line by line (a column of card numbers).  redact's matcher, with its
    Luhn check, then reads each such run alone."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    for run in DIGIT_RUN.finditer(text):
        candidates = [run[0]] + (run[0].splitlines() if "\n" in run[0] else [])
        if any(_card_shaped(c) and next(unredacted_cards(c), None) is not None for c in candidates):
            return True
    return False


def _card_shaped(run: str) -> bool:
    if len(run) > LONGEST_CARD_RUN:
        return False
    groups = GROUP.findall(run)
    digits = sum(map(len, groups))
    return len(groups) <= 6 and 13 <= digits <= 23 and all(len(g) >= 4 for g in groups[:-2]) and len(groups[0]) >= 4


# Bytes a reader of a file in a legacy encoding sees as they are (printable ASCII and line breaks);
# every other byte reads as a space.
_PLAIN = bytes(b for b in range(256) if 32 <= b < 127 or b in b"\t\n\r")
_LEGACY_VIEW = bytes(b if b in _PLAIN else 32 for b in range(256))


def _as_text(data: bytes) -> str:
    """UTF-8 as it is; UTF-16 by its byte-order mark; a file in a legacy encoding (Windows-1252,
    Latin-1) as the ASCII in it, where the digits of a card number stand in every such encoding
    alike; bytes of which more than a tenth are none of these (a binary file) as no text at all."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if len(data.translate(None, _PLAIN)) * 10 > len(data):
            return ""
        return data.translate(_LEGACY_VIEW).decode("ascii")


def texts_of(data: bytes, mail: bool) -> Iterator[str]:
    """What a reader of the file sees: the file as text and, for an email or a mailbox (*mail*), each
    message's headers and every part decoded from its transfer encoding, attachments included (a
    card number in a base64 part stands in no line of the raw file).  A message the email package
    cannot read is read as its raw text alone: it never stops a build."""
    yield _as_text(data)
    if not mail:
        return
    for raw in MBOX_FROM.split(data) if data.startswith(b"From ") else [data]:
        try:
            yield from _message_texts(email.message_from_bytes(raw, policy=email.policy.default))
        except Exception:  # noqa: BLE001 - any error of the email package on a broken message: raw text only
            continue


MBOX_FROM = re.compile(rb"(?:^|\n)From [^\n]*\n")  # the line that starts each message of an mbox


def _message_texts(message: email.message.EmailMessage) -> Iterator[str]:
    """Each header and each leaf part decoded (their raw text is in the file, read already); one the
    email package cannot decode is left at that raw text, and the rest is still read."""
    for part in message.walk():
        for name, _ in part.raw_items():
            try:
                decoded = str(part[name])  # an encoded-word subject, say
            except Exception:  # noqa: BLE001 - a header the email package cannot parse: its raw text was read
                continue
            yield decoded
        if not part.is_multipart():
            try:
                payload = part.get_payload(decode=True)
            except Exception:  # noqa: BLE001 - a part that cannot be decoded: the raw file was read
                continue
            if isinstance(payload, bytes):
                yield _as_text(payload)


def human_size(size: int, lang: Language = ENGLISH) -> str:
    """``12.5 KB``; in the reader's language its decimal mark (``12,5 KB``)."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{lang.number(size)} B" if unit == "B" else f"{lang.decimal(value)} {unit}"
        value /= 1024
    return f"{lang.decimal(value)} GB"
