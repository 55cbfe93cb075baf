"""The search index: lunr.js indexes built at build time, in shards loaded on demand.

Each shard is a JavaScript file (``search/shard-N.js``) that registers itself when a
``<script>`` tag loads it, so search works opened from ``file://`` (where ``fetch`` is
refused) as well as served.  The search page loads only a tiny manifest up front; the
shards are loaded one by one when the user searches, results shown as they arrive.
"""

from __future__ import annotations

import json
import re

from .derive import CaseView, Entry, SiteView
from .lunrindex import AnalysedDocument, Field, analyse, build_index

SHARD_SIZE = 500
FIELDS = (Field("title", 3), Field("refs", 5), Field("body"), Field("people"), Field("case"))
MARKUP_RE = re.compile(r"[*_`>#\[\]()!]|https?://\S+")


def _document(view: CaseView, entry: Entry) -> dict[str, str]:
    i, case = entry.interaction, view.case
    people = " ".join(filter(None, [i.agent.display() if i.agent else None, i.sender, i.recipient, case.counterparty]))
    refs = " ".join(filter(None, [i.ref, *(v for _, v in case.refs), case.id]))
    title = i.title or i.subject or f"{i.channel} {i.direction}"
    return {"id": f"{case.id}#{entry.anchor}", "title": f"{title} {i.subject or ''}".strip(),
            "body": MARKUP_RE.sub(" ", i.body), "refs": refs, "people": people, "case": case.title}


def _stored(view: CaseView, entry: Entry) -> dict[str, str]:
    i = entry.interaction
    text = " ".join(MARKUP_RE.sub(" ", i.body).split())
    return {"t": i.title or i.subject or f"{i.channel} ({i.direction})", "c": view.case.id, "ct": view.case.title,
            "d": i.at.display(), "h": f"cases/{view.case.id}/index.html#{entry.anchor}",
            "s": text[:180] + ("…" if len(text) > 180 else "")}


def _script_json(data: object) -> str:
    """JSON safe in any script context: no '<', '>', '&' or quotes that could end a tag or string early."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


def search_document(view: CaseView, entry: Entry) -> tuple[AnalysedDocument, dict[str, str]]:
    """One interaction's index terms and its stored result card: all search needs of it."""
    document = _document(view, entry)
    return analyse(document["id"], tuple(document[f.name] for f in FIELDS)), _stored(view, entry)


def _shard_script(number: int, documents: list[tuple[AnalysedDocument, dict[str, str]]]) -> str:
    index = build_index(FIELDS, [analysed for analysed, _ in documents]) if documents else None
    payload = {"index": index, "docs": {analysed.ref: stored for analysed, stored in documents}}
    return f"window.logbookSearch.addShard({number}, {_script_json(payload)});\n"


def search_files(site: SiteView, documents: dict[tuple[str, str], tuple[AnalysedDocument, dict[str, str]]] | None = None
                 ) -> dict[str, str]:
    """Output path → JavaScript text: the manifest and every shard.

    ``documents`` holds already analysed documents by (case id, anchor); the rest are analysed here.
    """
    pairs = site.timeline()
    count = max(1, -(-len(pairs) // SHARD_SIZE))
    size = max(1, -(-len(pairs) // count))  # balanced shards, each at most SHARD_SIZE documents
    known = documents or {}
    analysed = [known.get((view.case.id, entry.anchor)) or search_document(view, entry) for view, entry in pairs]
    shards = [analysed[start:start + size] for start in range(0, len(analysed), size)] or [[]]
    files = {f"search/shard-{number}.js": _shard_script(number, shard) for number, shard in enumerate(shards)}
    manifest = {"shards": len(shards), "documents": len(pairs)}
    files["search/manifest.js"] = f"window.logbookSearchManifest = {json.dumps(manifest, sort_keys=True)};\n"
    return files
