"""Facts about attachment files: size, SHA-256, media type, and a safe output name."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from .textfile import open_regular

# A MimeTypes built from Python's own table only: the system's /etc/mime.types
# differs between machines, and the site must not.
_MIME = mimetypes.MimeTypes(filenames=())
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


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


# File types a browser would run scripts in when opened directly (file:// has no headers
# to stop them): published with ".txt" appended, so they display as text. The content,
# and so the SHA-256, is unchanged.
ACTIVE_SUFFIXES = frozenset(
    {".svg", ".svgz", ".html", ".htm", ".xhtml", ".xht", ".xml", ".xsl", ".xslt", ".js", ".mjs", ".swf", ".shtml"}
)


def published_name(name: str) -> str:
    safe = safe_file_name(name)
    return f"{safe}.txt" if Path(safe).suffix.lower() in ACTIVE_SUFFIXES else safe


def safe_file_name(name: str) -> str:
    """A file name that is safe in a URL and on every file system."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    clean_stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or "file"
    clean_suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix).lower()
    return f"{clean_stem}.{clean_suffix}" if clean_suffix else clean_stem


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
