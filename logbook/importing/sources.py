"""What each SOURCE is, and its raw messages: bytes exactly as stored, never rewritten.

``auto`` decides by what the file holds, not only its name: a Maildir is a folder with
``cur``/``new``; an mbox starts with ``From ``; a WhatsApp export is a ``.zip`` holding a chat
``.txt``, or a ``.txt`` whose first message line has the export's shape; anything else that
parses as headers is one ``.eml``. A source that is not a regular file (a FIFO, a device) is
refused before it is opened, so an import never hangs on it.
"""

from __future__ import annotations

import mailbox
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from logbook.core.records import quick_pickle
from logbook.store.textfile import NotRegularFile, open_regular, read_regular

from .model import ChatExport
from .whatsapp import LINE

FORMATS = ("auto", "eml", "mbox", "maildir", "whatsapp")
MAX_SOURCE_BYTES = 4 * 1024**3  # a chat export's unpacked size above this is refused (a zip bomb)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]")


class SourceError(Exception):
    """A SOURCE that cannot be read as the format asked for (or any format, for auto)."""


@quick_pickle
@dataclass(frozen=True, slots=True)
class RawMessage:
    """One email as stored: its bytes, and its 1-based index in a mailbox (None for an .eml)."""

    data: bytes
    index: int | None
    line: int = 1


def detect_format(path: Path) -> str:
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            return "maildir"
        raise SourceError("is a folder but not a Maildir (no cur/ or new/ inside)")
    _regular(path)
    if path.suffix.lower() == ".zip":
        return "whatsapp"
    with open_regular(path) as handle:
        head = handle.read(4096)
    if head.startswith(b"From "):
        return "mbox"
    if path.suffix.lower() == ".txt" and _looks_like_chat(head):
        return "whatsapp"
    if path.suffix.lower() in (".eml", ".msg", ".mail") or _HEADER_LINE.match(head.lstrip(b"\xef\xbb\xbf")):
        return "eml"
    raise SourceError(
        "is neither an email (.eml), an mbox, a Maildir nor a WhatsApp export; name the format with --format"
    )


def _looks_like_chat(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    return any(LINE.match(line) for line in text.splitlines()[:20])


NOT_REGULAR = "is not a regular file (a pipe, a device or a socket); copy the file first"


def _regular(path: Path) -> None:
    try:
        info = path.stat()
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(NOT_REGULAR)


def _read(path: Path) -> bytes:
    """The bytes of a source file, read through the project's one regular-file reader (it looks at
    the open file again, so a file swapped for a FIFO after the check above is never waited on)."""
    try:
        return read_regular(path)
    except NotRegularFile:
        raise SourceError(NOT_REGULAR) from None
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror or exc}") from None


def read_emails(path: Path, fmt: str) -> list[RawMessage]:
    """The raw messages of an .eml, an mbox or a Maildir, in the source's order."""
    try:
        if fmt == "eml":
            return [RawMessage(_read(path), None)]
        if fmt == "mbox":
            _regular(path)
            return _mbox(path)
        if fmt == "maildir":
            return _maildir(path)
    except SourceError:
        raise
    except (OSError, mailbox.Error) as exc:
        raise SourceError(f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    raise SourceError(f"is not an email source ({fmt})")


def _mbox(path: Path) -> list[RawMessage]:
    """An mbox's messages in file order, each with the line of its ``From `` separator.

    Split as the standard library's ``mailbox.mbox`` splits (every line starting with ``From ``
    begins a message; the empty line before it belongs to no message; the ``From `` line is not
    part of the message), but with a search for each separator instead of a Python loop over
    the file's lines (tests/test_import.py holds the two to the same result).
    """
    whole = _read(path)
    starts = [0] if whole.startswith(b"From ") else []
    at = whole.find(b"\nFrom ")
    while at != -1:
        starts.append(at + 1)
        at = whole.find(b"\nFrom ", at + 1)
    if not starts and whole.strip():
        raise SourceError("is not an mbox (no line starts with 'From ')")
    found, line, offset = [], 1, 0
    for n, start in enumerate(starts, start=1):
        line += whole.count(b"\n", offset, start)
        offset = start
        stop = starts[n] if n < len(starts) else len(whole)
        if stop - start >= 2 and whole[stop - 2 : stop] == b"\n\n":
            stop -= 1  # the empty line before the next From_ line (or the end)
        body_start = whole.find(b"\n", start, stop) + 1 or stop
        found.append(RawMessage(whole[body_start:stop], n, line))
    return found


def _maildir(path: Path) -> list[RawMessage]:
    """A Maildir's messages in file-name order (delivery time first, by the Maildir naming rule)."""
    box = mailbox.Maildir(path, factory=None, create=False)
    keys = sorted(box.iterkeys(), key=lambda k: os.path.basename(box._lookup(k)))  # type: ignore[attr-defined]  # Maildir's own file-name lookup
    found = []
    for n, key in enumerate(keys, start=1):
        file = path / box._lookup(key)  # type: ignore[attr-defined]  # Maildir's own file-name lookup
        try:
            found.append(RawMessage(_read(file), n))
        except SourceError as exc:
            raise SourceError(f"message {n} ({file.name}) {exc}") from None
    return found


def read_chat(path: Path) -> ChatExport:
    """A WhatsApp export: the chat ``.txt`` itself, or a ``.zip`` holding it and the media."""
    _regular(path)
    if path.suffix.lower() != ".zip":
        return ChatExport(_decode(_read(path)), {})
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > MAX_SOURCE_BYTES:
                raise SourceError("unpacks to more than 4 GB; refused")
            chats = [
                m
                for m in members
                if m.filename.lower().endswith(".txt")
                and (Path(m.filename).name == "_chat.txt" or Path(m.filename).name.startswith("WhatsApp"))
            ]
            chats = chats or [m for m in members if m.filename.lower().endswith(".txt")]
            if len(chats) != 1:
                raise SourceError(
                    "holds no chat .txt"
                    if not chats
                    else f"holds {len(chats)} chat .txt files; unpack it and import the one you mean"
                )
            media = {}
            for member in members:
                if member is chats[0]:
                    continue
                kind = stat.S_IFMT(member.external_attr >> 16)
                if kind not in (0, stat.S_IFREG):
                    raise SourceError(f"holds {member.filename}, which is not a regular file (a link?); refused")
                media[Path(member.filename).name] = archive.read(member)
            return ChatExport(_decode(archive.read(chats[0])), media)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, NotImplementedError, RuntimeError) as exc:
        raise SourceError(f"is not a readable .zip: {exc}") from None


def _decode(data: bytes) -> str:
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        pass
    return data.decode("utf-8", errors="replace")
