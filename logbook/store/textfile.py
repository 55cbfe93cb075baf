"""Reading source files into normalised text, at the edge, without tracebacks.

A BOM and CRLF or CR line endings just work: they are removed here so that every
later stage sees ``\\n`` only, and line numbers stay the file's own.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from logbook.core.diagnostics import Diagnostic, Location, error
from logbook.core.records import quick_pickle

MAX_SOURCE_BYTES = 8 * 1024 * 1024


@quick_pickle
@dataclass(frozen=True, slots=True)
class SourceText:
    path: str  # relative to the logbook root, POSIX separators
    text: str


def decode_source(data: bytes, rel_path: str) -> SourceText | Diagnostic:
    """Turn raw bytes into text, or a diagnostic naming the first bad byte's line and column."""
    if b"\x00" in data:
        offset = data.index(b"\x00")
        return error(
            "binary-file",
            "file contains NUL bytes; it is not a text file",
            _byte_location(data, offset, rel_path),
            "attachments belong under 'attachments:', not as .md files",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return error(
            "not-utf8",
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            _byte_location(data, exc.start, rel_path),
            "save the file as UTF-8 in your editor",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return error("empty-file", "file is empty", Location(rel_path, 1, 1))
    return SourceText(rel_path, text)


class NotRegularFile(OSError):
    """A FIFO, device, socket or folder where a file was expected: opening one for reading can block
    forever (a FIFO with no writer) or have effects (a tape rewinds), so it is never read."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(errno.EINVAL, "not a regular file", str(path))


class FileTooLarge(OSError):
    def __init__(self, path: Path | str, size: int) -> None:
        super().__init__(errno.EFBIG, f"file is {size:,} bytes", str(path))
        self.size = size


def open_regular(path: Path | str) -> BinaryIO:
    """*path* opened for reading if it is a regular file, else NotRegularFile, never blocking.

    The path is looked at with stat before it is opened (so a FIFO or device is never opened), and
    the open file itself with fstat after (so a file swapped for one in between is caught); the open
    is non-blocking, which a regular file ignores and which keeps a FIFO from waiting for a writer."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise NotRegularFile(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (see open_regular); FileTooLarge past *limit* bytes, without reading them."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if limit is not None and size > limit:
            raise FileTooLarge(path, size)
        data = handle.read() if limit is None else handle.read(limit + 1)
    if limit is not None and len(data) > limit:  # it grew while being read
        raise FileTooLarge(path, len(data))
    return data


def copy_regular(source: Path | str, target: Path | str) -> None:
    """shutil.copyfile of a regular file only (copyfile itself opens and blocks on a FIFO)."""
    with open_regular(source) as handle, open(target, "wb") as out:
        shutil.copyfileobj(handle, out, 1 << 20)


def read_source(path: Path, rel_path: str) -> SourceText | Diagnostic:
    try:
        data = read_regular(path, MAX_SOURCE_BYTES)
    except NotRegularFile:
        return error("read-error", "not a regular file", Location(rel_path))
    except FileTooLarge as exc:
        return _too_large(exc.size, rel_path)
    except OSError as exc:
        return error("read-error", f"cannot read file: {exc.strerror or exc}", Location(rel_path))
    return decode_source(data, rel_path)


def source_from_bytes(data: bytes, rel_path: str) -> SourceText | Diagnostic:
    """read_source for a file's bytes read already (the build cache reads them to hash them)."""
    return _too_large(len(data), rel_path) if len(data) > MAX_SOURCE_BYTES else decode_source(data, rel_path)


def _too_large(size: int, rel_path: str) -> Diagnostic:
    return error(
        "file-too-large",
        f"file is {size:,} bytes; the limit is {MAX_SOURCE_BYTES:,}",
        Location(rel_path),
        "move large content into an attachment",
    )


def _byte_location(data: bytes, offset: int, rel_path: str) -> Location:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return Location(rel_path, data.count(b"\n", 0, offset) + 1, column)
