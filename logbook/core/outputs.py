"""Where each record is published: the one plan of output paths, shared by render and check.

render writes a case's page, a tag's page, an agent's page and an exhibit at the paths made
here, and ``check`` (validate.output_conflicts, validate.overlong_names) looks at the same
plan before anything is built, so a collision or a name no file system can hold is an error
naming its source, never a crash halfway through a build.

Two outputs collide when their paths are equal ignoring case (the site is copied to macOS and
Windows disks, which fold case), or when one would be a file where the other needs a folder
(a case called ``index.html`` wants the folder ``cases/index.html/`` where the list of cases is).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from logbook.core.models import Agent

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # a case id, a tag, a promise id: safe as one folder of a URL
MAX_NAME_BYTES = 100  # a case id or a tag: one folder of the site's URLs (and of export file names)
MAX_FILE_NAME_BYTES = 200  # an attachment's name: published as "<number>-<name>[.txt]", within 255 bytes
SLUG_CHARS = 60  # the readable part of an agent's page name

# Pages the site always has (render.render_site draws them); a record's output may not be one of them
# nor need one of them to be a folder.
SITE_PAGES = (
    "index.html",
    "cases/index.html",
    "timeline/index.html",
    "timeline/oldest/index.html",
    "search/index.html",
    "tags/index.html",
    "agents/index.html",
    "feed.xml",
    "calendar.ics",
)


def case_page(case_id: str) -> str:
    return f"cases/{case_id}/index.html"


def tag_page(tag: str) -> str:
    return f"tags/{tag}/index.html"


def agent_page(slug: str) -> str:
    return f"agents/{slug}/index.html"


def exhibit_name(number: int, file_name: str) -> str:
    """An exhibit's path relative to its case's folder."""
    return f"exhibits/{number}-{published_name(file_name)}"


def name_too_long(name: str, limit: int = MAX_NAME_BYTES) -> str | None:
    """Why *name* cannot be part of a path (its UTF-8 is over *limit* bytes), or None.

    File systems hold 255 bytes per name; a case id is also part of export file names
    (``<id>_<date>_<channel>_exhibit-<n>.pdf``), hence the lower bound for ids and tags."""
    size = len(name.encode("utf-8", "surrogatepass"))
    return f"is {size:,} bytes long; the limit is {limit:,}" if size > limit else None


@functools.lru_cache(maxsize=4096)
def agent_key(agent: Agent) -> str:
    """Who an agent is: their id when they have one, else their name, compared ignoring case, Unicode
    compatibility forms and runs of spaces (``Maria`` and ``maria`` are one person; ``A-12`` and ``a_12``
    are two)."""
    text = unicodedata.normalize("NFKC", agent.id or agent.name).casefold()
    return " ".join(text.split())


@functools.lru_cache(maxsize=4096)
def agent_slug(agent: Agent) -> str:
    """The name of an agent's page: stable (it depends on this agent alone, so a new agent elsewhere never
    moves another's page) and distinct for distinct agents.  A key that is already a plain slug
    (``a-12``, ``tom``) is used as it is; any other gets its readable part and the first 8 hex digits of the
    key's SHA-256 (``a-12-…`` for ``a_12``, ``agent-…`` for a name with no Latin letters), and never more
    than SLUG_CHARS + 9 characters, whatever the name's length."""
    key = agent_key(agent)
    ascii_text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    readable = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:SLUG_CHARS].strip("-")
    if readable == key:
        return readable
    return f"{readable or 'agent'}-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def folded(path: str) -> str:
    """A path as a case-insensitive file system compares it."""
    return unicodedata.normalize("NFC", path).casefold()


def parents(path: str) -> Iterable[str]:
    """The folders a file at *path* needs: ``a/b/c`` → ``a``, ``a/b``."""
    parts = path.split("/")
    return ("/".join(parts[:n]) for n in range(1, len(parts)))


def case_id_unpublishable(case_id: str) -> str | None:
    """Why a case id, valid as text, cannot be published (too long, or the name of a page the site has),
    or None: what `logbook new` refuses before writing a case that check would refuse."""
    too_long = name_too_long(case_id)
    if too_long is not None:
        return f"case id {too_long}"
    page = case_page(case_id)
    if any(folded(folder) == folded(site_page) for folder in parents(page) for site_page in SITE_PAGES):
        return (
            f"a case called '{case_id}' would need the folder '{case_page(case_id).rpartition('/')[0]}', "
            "which is a page of the site"
        )
    return None


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
