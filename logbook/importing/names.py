"""Attachment names that are safe to store in a case folder.

A name from a message is the sender's choice: it may hold a path (``../../.bashrc``), control
characters, a leading dot (which logbook would ignore), a ``.md`` suffix (which logbook would
read as a record), or be absent. What is kept is the last path component, readable, short.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]+')
MAX_BYTES = 120  # well under every file system's 255-byte limit, with room for "-2"


def safe_name(raw: str, default_suffix: str = "", content_type: str = "application/octet-stream") -> str:
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("-", name)
    name = re.sub(r"\s+", " ", name).strip(" .-_~")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = re.sub(r"[^\w-]", "", suffix)[:12]
    if not suffix:
        suffix = (default_suffix or mimetypes.guess_extension(content_type or "") or ".bin").lstrip(".")
    if suffix.lower() == "md":
        suffix = "md.txt"  # a Markdown file in a case would be read as a record
    stem = stem.strip(" .-_~") or "attachment"
    while len(f"{stem}.{suffix}".encode()) > MAX_BYTES:
        stem = stem[:-1]
    return f"{stem}.{suffix}"
