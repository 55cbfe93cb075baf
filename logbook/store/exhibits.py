"""Facts about attachment files: size, SHA-256, media type, and a safe output name."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from logbook.core.language import ENGLISH, Language
from logbook.core.records import quick_pickle
from logbook.store.textfile import open_regular

# A MimeTypes built from Python's own table only: the system's /etc/mime.types
# differs between machines, and the site must not.
_MIME = mimetypes.MimeTypes(filenames=())
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


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


def human_size(size: int, lang: Language = ENGLISH) -> str:
    """``12.5 KB``; in the reader's language its decimal mark (``12,5 KB``)."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{lang.number(size)} B" if unit == "B" else f"{lang.decimal(value)} {unit}"
        value /= 1024
    return f"{lang.decimal(value)} GB"
