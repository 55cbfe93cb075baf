"""Reading source files into normalised text, at the edge, without tracebacks.

A BOM and CRLF or CR line endings just work: they are removed here so that every
later stage sees ``\\n`` only, and line numbers stay the file's own.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Location, error

MAX_SOURCE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceText:
    path: str  # relative to the logbook root, POSIX separators
    text: str


def decode_source(data: bytes, rel_path: str) -> SourceText | Diagnostic:
    """Turn raw bytes into text, or a diagnostic naming the first bad byte's line and column."""
    if b"\x00" in data:
        offset = data.index(b"\x00")
        return error("binary-file", "file contains NUL bytes; it is not a text file", _byte_location(data, offset, rel_path),
                     "attachments belong under 'attachments:', not as .md files")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return error("not-utf8", f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                     _byte_location(data, exc.start, rel_path), "save the file as UTF-8 in your editor")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return error("empty-file", "file is empty", Location(rel_path, 1, 1))
    return SourceText(rel_path, text)


def read_source(path: Path, rel_path: str) -> SourceText | Diagnostic:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return error("read-error", "not a regular file", Location(rel_path))
        if info.st_size > MAX_SOURCE_BYTES:
            return _too_large(info.st_size, rel_path)
        data = path.read_bytes()
    except OSError as exc:
        return error("read-error", f"cannot read file: {exc.strerror or exc}", Location(rel_path))
    return decode_source(data, rel_path)


def source_from_bytes(data: bytes, rel_path: str) -> SourceText | Diagnostic:
    """read_source for a file's bytes read already (the build cache reads them to hash them)."""
    return _too_large(len(data), rel_path) if len(data) > MAX_SOURCE_BYTES else decode_source(data, rel_path)


def _too_large(size: int, rel_path: str) -> Diagnostic:
    return error("file-too-large", f"file is {size:,} bytes; the limit is {MAX_SOURCE_BYTES:,}",
                 Location(rel_path), "move large content into an attachment")


def _byte_location(data: bytes, offset: int, rel_path: str) -> Location:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return Location(rel_path, data.count(b"\n", 0, offset) + 1, column)
