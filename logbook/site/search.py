"""The search index, split by term so that a query loads only what it needs, from ``file://`` too.

Every file is a script that hands its data to ``window.__logbookSearch(kind, number, data)`` when a
``<script>`` tag loads it (``fetch`` is refused on ``file://``, and the site's CSP allows scripts from
the site itself and nothing else):

* ``search/manifest.js``: the first key of every term chunk, the number of documents, the stop words;
* ``search/terms-N.js``: a range of keys in sorted order (UTF-16 code units, as JavaScript compares),
  at most CHUNK_BYTES of them unless one key's postings alone are more.  A key is an index term
  (a stem, a Hanzi or pair of Hanzi, an identifier whole) with its postings, or a word as the logbook
  writes it pointing to its stem (so the browser looks a word up as typed and never stems);
* ``search/results-N.js``: the result cards (title, case, date, link, the text a snippet is cut
  from) of documents BLOCK·N to BLOCK·N + BLOCK − 1, loaded only for the results shown.

Postings are a string: per document, the gap from the previous document number as a base-32 varint,
then its score as one character, both in the alphabet DIGITS; ``~`` and a count after a pair
repeat it that many more times.  The score is BM25 summed over the
fields (title and subject, refs, body, people, case title; each with its boost), kept on a log scale
(``round(ln(1 + score) · 12)``, at most 63).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections.abc import Callable, Sequence
from datetime import tzinfo
from pathlib import Path

from logbook.core.clock import time_text
from logbook.core.language import ENGLISH, Language
from logbook.core.timeparse import zone_named
from logbook.evidence.derive import CaseView, Entry, SiteView
from logbook.evidence.wording import entry_name
from logbook.load.catalogues import load_language
from logbook.site.stopwords import STOP_WORDS
from logbook.site.textindex import Terms, analyse_text, analyser_language
from logbook.speed.reuse import Memo

FORMAT = 1
CHUNK_BYTES = 24_000  # a term chunk's size, about: a query loads one or two per word
BLOCK = 8  # result cards per results file
SNIPPET_SOURCE = 800  # characters of a body kept for the snippet
FIELDS = (("title", 3.0), ("refs", 5.0), ("body", 1.0), ("people", 1.0), ("case", 1.0))
K1 = 1.2
B = 0.75
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
SCORE_SCALE = 12
REPEAT_AT = 3  # a run of this many equal (gap, score) pairs is written once with a count
URL_RE = re.compile(r"https?://\S+")

Card = dict[str, str]
Document = tuple[tuple[Terms, ...], Card]


def snippet_source(markdown: str) -> str:
    """What a result's snippet is cut from: the start of the body as written (the search page leaves
    Markdown's marks and link targets out when it shows it: there it costs nothing, here it would cost
    every build), up to SNIPPET_SOURCE characters, the last word whole."""
    if len(markdown) <= SNIPPET_SOURCE:
        return markdown.strip()
    return markdown[:SNIPPET_SOURCE].rsplit(None, 1)[0].strip() + " …"


def _card(view: CaseView, entry: Entry, zone: tzinfo | None, lang: Language) -> Card:
    i = entry.interaction
    return {
        "t": entry_name(i, lang),
        "u": i.subject or "",
        "c": view.case.id,
        "ct": view.case.title,
        "d": time_text(i.at, zone, lang),
        "h": f"cases/{view.case.id}/index.html#{entry.anchor}",
        "s": snippet_source(i.body),
    }


def search_document(
    view: CaseView, entry: Entry, zone: tzinfo | None, language: str, lang: Language = ENGLISH
) -> Document:
    """One interaction's index terms per field (FIELDS' order) and its result card; *language* is the
    analyser's (textindex), *lang* the reader's, whose words name an interaction (``Email from …``)."""
    i, case = entry.interaction, view.case
    people = " ".join(filter(None, [i.agent.display() if i.agent else None, i.sender, i.recipient, i.party]))
    refs = " ".join(filter(None, [i.ref, *(v for _, v in case.refs), case.id]))
    title = f"{entry_name(i, lang)} {i.subject or ''}"
    body = URL_RE.sub(" ", i.body) if "://" in i.body else i.body
    values = (title, refs, body, people, case.title)
    return tuple(analyse_text(value, language) for value in values), _card(view, entry, zone, lang)


def _varint(number: int) -> str:
    """Base 32, most significant digit first; every digit but the last is marked by +32."""
    digits = [DIGITS[number & 31]]
    number >>= 5
    while number:
        digits.append(DIGITS[32 + (number & 31)])
        number >>= 5
    return "".join(reversed(digits))


_GAPS = [_varint(gap) for gap in range(4096)]
_SCORES = [DIGITS[min(63, q)] for q in range(200)]


def _postings(documents: Sequence[Document]) -> tuple[dict[str, list[tuple[int, float]]], dict[str, str]]:
    """Term → (document number, BM25 summed over fields), in document order; surface word → its stem."""
    count = len(documents)
    averages = [sum(sum(fields[f].counts.values()) for fields, _ in documents) / count for f in range(len(FIELDS))]
    postings: dict[str, list[tuple[int, float]]] = {}
    forms: dict[str, str] = {}
    for number, (fields, _) in enumerate(documents):
        weights: dict[str, float] = {}
        for (_, boost), average, terms in zip(FIELDS, averages, fields):
            counts = terms.counts
            norm = K1 * (1 - B + B * sum(counts.values()) / average) if average else K1
            for term, tf in counts.items():
                weights[term] = weights.get(term, 0.0) + (K1 + 1) * tf / (norm + tf) * boost
            forms.update(terms.forms)
        for term, weight in weights.items():
            found = postings.get(term)
            if found is None:
                postings[term] = [(number, weight)]
            else:
                found.append((number, weight))
    return postings, forms


def _encoded(postings: list[tuple[int, float]], count: int) -> str:
    """The postings string: per document its gap and score; a pair repeated REPEAT_AT times or more
    in a row is written once, then ``~`` and how many more times it comes (a word in most documents
    has a tiny idf, so its pairs are nearly all "gap 1, score 0")."""
    idf = math.log(1 + (count - len(postings) + 0.5) / (len(postings) + 0.5))
    previous = 0
    pairs = []
    gaps, scores, log1p = _GAPS, _SCORES, math.log1p
    for number, weight in postings:
        gap = number - previous
        pairs.append(
            (gaps[gap] if gap < 4096 else _varint(gap)) + scores[min(199, round(log1p(weight * idf) * SCORE_SCALE))]
        )
        previous = number
    parts = []
    for pair, run in itertools.groupby(pairs):
        times = sum(1 for _ in run)
        if times >= REPEAT_AT:
            parts.append(f"{pair}~{_varint(times - 1)}")
        else:
            parts.append(pair * times)
    return "".join(parts)


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _entries(documents: Sequence[Document]) -> list[tuple[str, str]]:
    """Every key and its JSON value, in JavaScript's order: ``[postings, [forms]]`` for a term,
    ``"stem"`` for a word that stems to another term, ``[postings, [forms], "stem"]`` for both
    (``[postings]`` alone when no other word stems to the term)."""
    postings, forms = _postings(documents)
    surfaces: dict[str, list[str]] = {}
    for word, term in forms.items():
        surfaces.setdefault(term, []).append(word)
    entries = []
    for key in sorted(postings.keys() | forms.keys(), key=_utf16):
        data: object = forms.get(key)
        if key in postings:
            data = [_encoded(postings[key], len(documents))]
            spelled = sorted(surfaces.get(key, ()), key=_utf16)
            if spelled or key in forms:
                data = [*data, spelled, *([forms[key]] if key in forms else [])]
        entries.append((key, _json(key) + ":" + _json(data)))
    return entries


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _script(kind: str, number: int, data_json: str) -> bytes:
    """A data file: no '<' or '>' (a script is ended by ``</script>``), JSON otherwise as made."""
    safe = data_json.replace("<", "\\u003c").replace(">", "\\u003e")
    # a lone surrogate (never in a UTF-8 source, but a str may hold one) becomes its JSON escape
    return f'window.__logbookSearch("{kind}", {number}, {safe});\n'.encode("utf-8", "backslashreplace")


def terms_path(number: int) -> str:
    return f"search/terms-{number}.js"


def results_path(number: int) -> str:
    return f"search/results-{number}.js"


def index_files(documents: Sequence[Document], language: str) -> dict[str, bytes]:
    """Output path → script: the manifest, the term chunks and the result cards."""
    files: dict[str, bytes] = {}
    firsts: list[str] = []
    chunk: list[str] = []
    size = 0
    for key, text in _entries(documents) if documents else []:
        if chunk and size + len(text) > CHUNK_BYTES:
            files[terms_path(len(firsts) - 1)] = _script("terms", len(firsts) - 1, "{" + ",".join(chunk) + "}")
            chunk, size = [], 0
        if not chunk:
            firsts.append(key)
        chunk.append(text)
        size += len(text) + 1
    if chunk:
        files[terms_path(len(firsts) - 1)] = _script("terms", len(firsts) - 1, "{" + ",".join(chunk) + "}")
    for start in range(0, len(documents), BLOCK):
        cards = [card for _, card in documents[start : start + BLOCK]]
        files[results_path(start // BLOCK)] = _script("results", start // BLOCK, _json(cards))
    manifest = {
        "block": BLOCK,
        "chunks": firsts,
        "documents": len(documents),
        "format": FORMAT,
        "language": language,
        "stop": sorted(STOP_WORDS[language]),
    }
    files["search/manifest.js"] = _script("manifest", 0, _json(manifest))
    return files


def _language(site: SiteView) -> str:
    """The analyser's language for the site's (a language with a catalogue but no stemmer yet falls
    back, so that adding a catalogue never breaks search)."""
    return analyser_language(site.config.language)


def site_documents(site: SiteView, reuse: Memo | None = None) -> list[Document]:
    """Every published interaction's document, in site order (cases by id, entries in order); with
    *reuse* (serve), a case view's documents are made once while the view lives."""
    zone = zone_named(site.config.timezone)
    language, lang = _language(site), load_language(site.config.language)

    def of_view(view: CaseView) -> list[Document]:
        return [search_document(view, entry, zone, language, lang) for entry in view.entries]

    documents: list[Document] = []
    for view in site.cases:
        if reuse is None:
            documents.extend(of_view(view))
        else:
            documents.extend(reuse.by_identity((view,), ("search", lang.code), lambda: of_view(view)))  # noqa: B023 - called at once
    return documents


def search_files(
    site: SiteView, memo: Memo | None = None, reuse: Memo | None = None, published: Path | None = None
) -> dict[str, bytes]:
    """Output path → JavaScript (UTF-8) for the whole index.  *memo* and *published* are not used: the
    index is made anew from the documents (a term's postings span the whole logbook); *reuse* (serve)
    keeps each case view's documents."""
    return index_files(site_documents(site, reuse), _language(site))


def search_jobs(
    site: SiteView, memo: Memo | None = None, published: Path | None = None
) -> list[tuple[str, Callable[[], bytes], int]]:
    """search_files as (output path, job, weight) for workers.run_jobs: the index is made here, once,
    and each job hands over one file."""
    files = search_files(site, memo, None, published)
    return [(path, functools.partial(bytes, data), 0) for path, data in files.items()]
