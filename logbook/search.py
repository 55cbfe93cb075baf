"""The search index: lunr.py builds lunr.js indexes at build time, in shards loaded on demand.

Each shard is a JavaScript file (``search/shard-N.js``) that registers itself when a
``<script>`` tag loads it, so search works opened from ``file://`` (where ``fetch`` is
refused) as well as served.  The search page loads only a tiny manifest up front; the
shards are loaded one by one when the user searches, results shown as they arrive.
"""

from __future__ import annotations

import json
import os
import re

from .derive import CaseView, Entry, SiteView

SHARD_SIZE = 500
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


def _shard_script(number: int, documents: list[dict[str, str]], stored: dict[str, dict[str, str]]) -> str:
    from lunr import lunr

    index = lunr(ref="id", fields=[{"field_name": "title", "boost": 3}, {"field_name": "refs", "boost": 5},
                                   "body", "people", "case"], documents=documents) if documents else None
    payload = {"index": index.serialize() if index else None,  # lunr.py cannot build an empty index
               "docs": stored}
    return f"window.logbookSearch.addShard({number}, {_script_json(payload)});\n"


def search_files(site: SiteView) -> dict[str, str]:
    """Output path → JavaScript text: the manifest and every shard (shards indexed in parallel)."""
    pairs = site.timeline()
    count = max(1, -(-len(pairs) // SHARD_SIZE))
    size = max(1, -(-len(pairs) // count))  # balanced shards, each at most SHARD_SIZE documents
    shards = [pairs[start:start + size] for start in range(0, len(pairs), size)] or [[]]
    jobs = []
    for number, shard in enumerate(shards):
        documents = [_document(view, entry) for view, entry in shard]
        jobs.append((number, documents, {d["id"]: _stored(v, e) for d, (v, e) in zip(documents, shard)}))
    if len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
            scripts = list(pool.map(_shard_script, *zip(*jobs)))
    else:
        scripts = [_shard_script(*job) for job in jobs]
    files = {f"search/shard-{number}.js": script for (number, _, _), script in zip(jobs, scripts)}
    manifest = {"shards": len(shards), "documents": len(pairs)}
    files["search/manifest.js"] = f"window.logbookSearchManifest = {json.dumps(manifest, sort_keys=True)};\n"
    return files
