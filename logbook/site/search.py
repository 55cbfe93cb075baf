"""The search index: lunr.js indexes built at build time, in shards loaded on demand.

Each shard is a JavaScript file (``search/shard-N.js``) that registers itself when a
``<script>`` tag loads it, so search works opened from ``file://`` (where ``fetch`` is
refused) as well as served.  The search page loads only a tiny manifest up front; the
shards are loaded one by one when the user searches, results shown as they arrive.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

from logbook.core.clock import time_text
from logbook.core.timeparse import zone_named
from logbook.evidence.derive import CaseView, Entry, SiteView
from logbook.evidence.wording import entry_name
from logbook.site.lunrindex import AnalysedDocument, Field, analyse, ascii_blanker, blanked, index_json
from logbook.speed.cache import digest_text
from logbook.speed.reuse import Memo
from logbook.store.textfile import read_regular

SHARD_SIZE = 100  # documents; an edit re-indexes one shard, a search loads them one by one
FIELDS = (Field("title", 3), Field("refs", 5), Field("body"), Field("people"), Field("case"))
URL_RE = re.compile(r"https?://\S+")
MARKUP_CHARS = ascii_blanker("*_`>#[]()!")


def plain_words(markdown: str) -> str:
    """A body without Markdown punctuation or web addresses (same as one pass of
    ``[*_`>#\\[\\]()!]|https?://\\S+`` → space, in two cheap steps)."""
    if "://" in markdown:
        markdown = URL_RE.sub(" ", markdown)
    return blanked(markdown, MARKUP_CHARS)


def _document(view: CaseView, entry: Entry, body: str | None = None) -> dict[str, str]:
    """One interaction as lunr indexes it; *body* is its plain_words, when already made."""
    i, case = entry.interaction, view.case
    people = " ".join(filter(None, [i.agent.display() if i.agent else None, i.sender, i.recipient, i.party]))
    refs = " ".join(filter(None, [i.ref, *(v for _, v in case.refs), case.id]))
    title = entry_name(i)
    return {
        "id": f"{case.id}#{entry.anchor}",
        "title": f"{title} {i.subject or ''}".strip(),
        "body": plain_words(i.body) if body is None else body,
        "refs": refs,
        "people": people,
        "case": case.title,
    }


def _stored(view: CaseView, entry: Entry, body: str, zone: tzinfo | None) -> dict[str, str]:
    """The result card a search shows for one interaction (*body*: its plain_words), its time in the
    search page's zone (the site's)."""
    i = entry.interaction
    text = " ".join(body.split())
    return {
        "t": entry_name(i),
        "c": view.case.id,
        "ct": view.case.title,
        "d": time_text(i.at, zone),
        "h": f"cases/{view.case.id}/index.html#{entry.anchor}",
        "s": text[:180] + ("…" if len(text) > 180 else ""),
    }


def _script_safe(json_text: str) -> str:
    """JSON safe in any script context: no '<', '>', '&' or quotes that could end a tag or string early."""
    return json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


def _document_parts(
    view: CaseView, entry: Entry, zone: tzinfo | None = None
) -> tuple[str, tuple[str, ...], dict[str, str], str]:
    """One interaction's reference, field values and stored result card, and a key for all three."""
    body = plain_words(entry.interaction.body)
    document = _document(view, entry, body)
    values = tuple(document[f.name] for f in FIELDS)
    stored = _stored(view, entry, body, zone)
    key = digest_text(document["id"], *values, *(f"{k}={v}" for k, v in sorted(stored.items())))
    return document["id"], values, stored, key


def search_document(
    view: CaseView, entry: Entry, memo: Memo | None = None, zone: tzinfo | None = None
) -> tuple[AnalysedDocument, dict[str, str], str]:
    """One interaction's index terms, its stored result card, and a key for both (all search needs of it)."""
    ref, values, stored, key = _document_parts(view, entry, zone)
    if memo is None:
        return analyse(ref, values), stored, key
    return memo.get(key, lambda: analyse(ref, values)), stored, key


def _shard_script(number: int, documents: list[tuple[AnalysedDocument, dict[str, str], str]]) -> str:
    """The script of one shard: ``{"docs": …, "index": …}``, keys sorted as ``json.dumps`` sorts them."""
    index = index_json(FIELDS, [analysed for analysed, _, _ in documents]) if documents else "null"
    docs = json.dumps({analysed.ref: stored for analysed, stored, _ in documents}, ensure_ascii=True, sort_keys=True)
    payload = '{"docs": ' + docs + ', "index": ' + index + "}"
    return f"window.logbookSearch.addShard({number}, {_script_safe(payload)});\n"


def shard_groups(site: SiteView) -> list[list[CaseView]]:
    """Whole cases, in id order, packed into shards of at most SHARD_SIZE documents (a bigger case
    gets a shard of its own): an edit to one case changes one shard, so one is indexed again."""
    shards: list[list[CaseView]] = [[]]
    size = 0
    for view in site.cases:
        if shards[-1] and size + len(view.entries) > SHARD_SIZE:
            shards.append([])
            size = 0
        shards[-1].append(view)
        size += len(view.entries)
    return shards


def shard_path(number: int) -> str:
    return f"search/shard-{number}.js"


def search_jobs(
    site: SiteView, memo: Memo | None = None, published: Path | None = None
) -> list[tuple[str, Callable[[], bytes], int]]:
    """What search_files makes, as (output path, job, weight) for workers.run_jobs: a job per shard."""
    zone = zone_named(site.config.timezone)

    def shard(number: int, views: list[CaseView]) -> bytes:
        parts = [_document_parts(view, entry, zone) for view in views for entry in view.entries]
        return _shard_bytes(
            number,
            [key for *_, key in parts],  # documents analysed only if the shard is new
            lambda: [(analyse(ref, values), stored, key) for ref, values, stored, key in parts],
            memo,
            published,
        )

    groups = shard_groups(site)
    jobs = [
        (shard_path(number), functools.partial(shard, number, views), sum(len(view.entries) for view in views))
        for number, views in enumerate(groups)
    ]
    manifest = _manifest(len(groups), sum(len(view.entries) for view in site.cases))
    return [*jobs, ("search/manifest.js", lambda: manifest, 0)]


def _shard_bytes(
    number: int,
    keys: list[str],
    documents: Callable[[], list[tuple[AnalysedDocument, dict[str, str], str]]],
    memo: Memo | None,
    published: Path | None = None,
) -> bytes:
    """A shard's script.  With a *memo*, a shard whose documents (by their *keys*) are all unchanged is
    not indexed again, nor are its *documents* made: the memo keeps the script's SHA-256, and the script
    is read back from the *published* site (the last one built into the output folder) while that copy
    still has this SHA-256.  So the cache holds no copy of the index (a third of a site's bytes)."""

    def script() -> bytes:
        return _shard_script(number, documents()).encode()

    if memo is None:
        return script()
    found: list[bytes] = []
    made: list[bytes] = []

    def still_published(digest: str) -> bool:
        data = _published_file(published / shard_path(number)) if published is not None else None
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            return False
        found.append(data)
        return True

    def digest_of_new() -> str:
        made.append(script())
        return hashlib.sha256(made[0]).hexdigest()

    memo.get(digest_text("shard", str(number), *keys), digest_of_new, still_published)
    return (made or found or [script()])[0]  # neither: the same shard asked for twice in one build


def _published_file(path: Path) -> bytes | None:
    try:
        return read_regular(path)
    except OSError:
        return None


def _manifest(shards: int, documents: int) -> bytes:
    manifest = {"shards": shards, "documents": documents}
    return f"window.logbookSearchManifest = {json.dumps(manifest, sort_keys=True)};\n".encode()


def search_files(
    site: SiteView, memo: Memo | None = None, reuse: Memo | None = None, published: Path | None = None
) -> dict[str, bytes]:
    """Output path → JavaScript (UTF-8): the manifest and every shard.

    With a *memo*, analysed documents and whole shards whose documents are all unchanged are reused (a
    shard from the *published* site, see _shard_bytes); with *reuse* (serve), a case view's documents and
    a shard of unchanged views are not even looked up.
    """
    zone = zone_named(site.config.timezone)

    def documents(view: CaseView) -> list[tuple[AnalysedDocument, dict[str, str], str]]:
        return [search_document(view, entry, memo, zone) for entry in view.entries]

    files = {}
    groups = shard_groups(site)
    for number, views in enumerate(groups):

        def script(number: int = number, views: list[CaseView] = views) -> bytes:
            shard = [
                doc
                for view in views
                for doc in (
                    reuse.by_identity((view,), "search", lambda: documents(view))  # noqa: B023 - called at once
                    if reuse is not None
                    else documents(view)
                )
            ]
            return _shard_bytes(number, [key for _, _, key in shard], lambda: shard, memo, published)

        files[shard_path(number)] = (
            script() if reuse is None else reuse.by_identity(tuple(views), ("shard", number), script)
        )
    files["search/manifest.js"] = _manifest(len(groups), sum(len(view.entries) for view in site.cases))
    return files
