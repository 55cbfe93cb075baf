"""Facts about attachment files: size, SHA-256, media type, and a safe output name."""

from __future__ import annotations

import email
import email.policy
import hashlib
import mimetypes
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
# Exhibits whose text a reader sees as it is (an email, a chat export, a table): read for card numbers.
TEXT_TYPES = frozenset({"message/rfc822", "application/json", "application/xml", "application/mbox"})
MAX_SCANNED_BYTES = 32 << 20  # larger text exhibits are published unread (docs/format.md, "Redaction")


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
    """Whether a full card number stands in the text a reader of the file sees (texts_of): an email,
    a chat export, a table.  Images and PDFs are not read (docs/format.md, "Redaction")."""
    kind = facts.media_type
    if not (kind.startswith("text/") or kind in TEXT_TYPES) or facts.size > MAX_SCANNED_BYTES:
        return False
    with open_regular(path) as handle:
        data = handle.read(MAX_SCANNED_BYTES + 1)
    return any(next(unredacted_cards(text), None) is not None for text in texts_of(data, kind))


# Bytes a reader of a file in a legacy encoding sees as they are (printable ASCII and line breaks);
# every other byte reads as a space.
_PLAIN = bytes(b for b in range(256) if 32 <= b < 127 or b in b"\t\n\r")
_LEGACY_VIEW = bytes(b if b in _PLAIN else 32 for b in range(256))


def _as_text(data: bytes) -> str:
    """UTF-8 as it is; a file in a legacy encoding (Windows-1252, Latin-1) as the ASCII in it, where
    the digits of a card number stand in every such encoding alike; bytes of which more than a tenth
    are neither (a binary file named .txt) as no text at all, as a reader sees none in them."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if len(data.translate(None, _PLAIN)) * 10 > len(data):
            return ""
        return data.translate(_LEGACY_VIEW).decode("ascii")


def texts_of(data: bytes, media_type: str) -> Iterator[str]:
    """What a reader of the file sees: the file as text and, for an email, each header and each text
    part decoded from its transfer encoding (a card number in a base64 or quoted-printable body
    stands in no line of the raw file)."""
    yield _as_text(data)
    if media_type != "message/rfc822":
        return
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        for _, value in part.items():
            yield str(value)
        if part.get_content_maintype() == "text":
            try:
                yield part.get_content()
            except (LookupError, ValueError, AssertionError):  # an unknown charset or a broken part
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    yield payload.decode("utf-8", errors="replace")


def human_size(size: int, lang: Language = ENGLISH) -> str:
    """``12.5 KB``; in the reader's language its decimal mark (``12,5 KB``)."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{lang.number(size)} B" if unit == "B" else f"{lang.decimal(value)} {unit}"
        value /= 1024
    return f"{lang.decimal(value)} GB"
