"""The values an import passes between its stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from logbook.core.records import quick_pickle


@quick_pickle
@dataclass(frozen=True, slots=True)
class Payload:
    """A file to store in the case: a sanitised name and its bytes."""

    name: str
    data: bytes


@quick_pickle
@dataclass(frozen=True, slots=True)
class Origin:
    """Where a message came from: the SOURCE as the user named it, and its 1-based position there."""

    source: str
    index: int | None = None  # None: the source holds one message (an .eml file)
    line: int = 1  # where the message starts in the source (an mbox's From_ line, a chat's message line)

    def describe(self) -> str:
        return self.source if self.index is None else f"{self.source}, message {self.index}"

    def within(self) -> str:
        """How a diagnostic located in the source names the message: by its index, when there are several."""
        return "the message" if self.index is None else f"message {self.index}"


@quick_pickle
@dataclass(frozen=True, slots=True)
class Incoming:
    """One message read from a source, ready to become an interaction.

    ``at`` is aware for email (the Date header's offset); for a chat export it is naive and
    read in the case's zone when written (an export carries no offsets).
    """

    key: str  # Message-ID, or a hash of the message: what makes an import idempotent
    origin: Origin
    at: datetime
    channel: str
    sender: str | None
    sender_ids: tuple[str, ...]  # the sender's address and name, casefolded, to compare with "me"
    recipient: str | None
    cc: str | None
    subject: str | None
    body: str
    attachments: tuple[Payload, ...]
    original: Payload | None  # the message as received (.eml), stored as an exhibit
    thread: tuple[str, ...] = ()  # Message-IDs this one replies to (In-Reply-To, References)
    route_text: str = ""  # where refs are looked for: subject and body

    def at_text(self) -> str:
        """The time as the writer reads it: with its offset, or local (chat) when it has none."""
        clock = "%H:%M:%S" if self.at.second else "%H:%M"
        text = self.at.strftime(f"%Y-%m-%d {clock}")
        offset = self.at.strftime("%z")
        return text + (f"{offset[:3]}:{offset[3:]}" if offset else "")


@quick_pickle
@dataclass(frozen=True, slots=True)
class ChatExport:
    """A chat export: its text and the media files beside it (from the .zip), by file name."""

    text: str
    media: dict[str, bytes]
