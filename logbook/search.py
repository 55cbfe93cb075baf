"""The search index: lunr.py builds lunr.js indexes at build time, in shards loaded on demand.

Each shard is a JavaScript file (``search/shard-N.js``) that registers itself when a
``<script>`` tag loads it, so search works opened from ``file://`` (where ``fetch`` is
refused) as well as served.  The search page loads only a tiny manifest up front; the
shards are loaded one by one when the user searches, results shown as they arrive.
"""

from __future__ import annotations

import json
import re

from .derive import CaseView, Entry, SiteView

SHARD_SIZE = 1000
FIELDS = ("title", "body", "refs", "people", "case")
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


def search_files(site: SiteView) -> dict[str, str]:
    """Output path → JavaScript text: the manifest and every shard."""
    from lunr import lunr

    pairs = site.timeline()
    shards = [pairs[start:start + SHARD_SIZE] for start in range(0, len(pairs), SHARD_SIZE)] or [[]]
    files = {}
    for number, shard in enumerate(shards):
        documents = [_document(view, entry) for view, entry in shard]
        index = lunr(ref="id", fields=[{"field_name": "title", "boost": 3}, {"field_name": "refs", "boost": 5},
                                       "body", "people", "case"], documents=documents) if documents else None
        payload = {"index": index.serialize() if index else None,  # lunr.py cannot build an empty index
                   "docs": {d["id"]: _stored(v, e) for d, (v, e) in zip(documents, shard)}}
        files[f"search/shard-{number}.js"] = f"window.logbookSearch.addShard({number}, {_script_json(payload)});\n"
    manifest = {"shards": len(shards), "documents": len(pairs)}
    files["search/manifest.js"] = f"window.logbookSearchManifest = {json.dumps(manifest, sort_keys=True)};\n"
    return files
