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

import bisect
import functools
import json
import math
import operator
import os
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
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
from logbook.speed.cache import CacheUnreadable, digest_text, pack, unpack
from logbook.speed.policy import EachCase
from logbook.speed.reuse import Memo
from logbook.speed.workers import run_jobs

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
Postings = tuple["array[int]", "array[float]"]  # document numbers in order, and each one's weight


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
    fields = tuple(analyse_text(value, language) for value in _texts(view, entry, lang))
    return fields, _card(view, entry, zone, lang)


def _texts(view: CaseView, entry: Entry, lang: Language) -> tuple[str, ...]:
    """The text of each field (FIELDS' order) that an interaction is found by."""
    i, case = entry.interaction, view.case
    people = " ".join(filter(None, [i.agent.display() if i.agent else None, i.sender, i.recipient, i.party]))
    refs = " ".join(filter(None, [i.ref, *(v for _, v in case.refs), case.id]))
    title = f"{entry_name(i, lang)} {i.subject or ''}"
    body = URL_RE.sub(" ", i.body) if "://" in i.body else i.body
    return title, refs, body, people, case.title


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


def _lengths(fields: tuple[Terms, ...]) -> tuple[int, ...]:
    return tuple(sum(terms.counts.values()) for terms in fields)


def _counted(counts: tuple[dict[str, int], ...]) -> tuple[int, ...]:
    return tuple(sum(field.values()) for field in counts)


def _averages(lengths: Sequence[tuple[int, ...]]) -> tuple[float, ...]:
    """Each field's average length, rounded to a tenth: BM25 needs only about it, and a rounded
    average stays the same through most edits, so serve re-scores only the documents that changed."""
    return _rounded(_totals(lengths), len(lengths))


def _totals(lengths: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    return tuple(sum(length[f] for length in lengths) for f in range(len(FIELDS)))


def _rounded(totals: tuple[int, ...], count: int) -> tuple[float, ...]:
    """The averages of fields that hold *totals* words over *count* documents (see _averages)."""
    return tuple(round(total / count, 1) if count else 0.0 for total in totals)


def _weights(
    fields: tuple[dict[str, int], ...], lengths: tuple[int, ...], averages: tuple[float, ...]
) -> dict[str, float]:
    """A document's BM25 weight per term, summed over the fields with their boosts (no idf yet), in
    FIELDS' order (float sums depend on it).  The body, by far the longest field, is one dict
    comprehension; the short fields are added to it term by term."""
    before: dict[str, float] = {}  # the fields before the body, summed
    weights: dict[str, float] = before
    for f, ((_, boost), average, counts, length) in enumerate(zip(FIELDS, averages, fields, lengths)):
        norm = K1 * (1 - B + B * length / average) if average else K1
        if f == _BODY:
            weights = {term: (K1 + 1) * tf / (norm + tf) * boost for term, tf in counts.items()}
            for term, weight in before.items():  # a + b is b + a: the sum is the one made field by field
                weights[term] = weight + weights.get(term, 0.0)
            continue
        get = weights.get
        for term, tf in counts.items():
            weights[term] = get(term, 0.0) + (K1 + 1) * tf / (norm + tf) * boost
    return weights


_BODY = [name for name, _ in FIELDS].index("body")


def _idf(count: int, having: int) -> float:
    return math.log(1 + (count - having + 0.5) / (having + 0.5))


def _score(score: float) -> str:
    return _SCORES[min(199, round(math.log1p(score) * SCORE_SCALE))]


def _encoded(numbers: Sequence[int], weights: Sequence[float], count: int) -> str:
    """The postings string: per document its gap and score; a pair repeated REPEAT_AT times or more
    in a row is written once, then ``~`` and how many more times it comes (a word in most documents
    has a tiny idf, so its pairs are nearly all "gap 1, score 0").  Made with maps and comprehensions:
    this runs for every (term, document) pair of the logbook."""
    idf = _idf(count, len(numbers))
    gaps = list(map(operator.sub, numbers, [0, *numbers[:-1]]))
    gap_texts = list(map(_GAPS.__getitem__, gaps)) if max(gaps) < len(_GAPS) else list(map(_gap, gaps))
    scores, log1p = _SCORES, math.log1p
    score_of = {w: scores[min(199, round(log1p(w * idf) * SCORE_SCALE))] for w in set(weights)}  # weights repeat
    pairs = ",".join(map(operator.add, gap_texts, map(score_of.__getitem__, weights)))
    return _RUN.sub(_run, pairs).replace(",", "") if len(numbers) >= REPEAT_AT else pairs.replace(",", "")


# REPEAT_AT or more equal pairs in a row, in the pairs joined by commas (a pair is never cut: a run
# starts after a comma or at the start, and ends before one or at the end)
_RUN = re.compile(f"(?<![^,])([^,]+)(?:,\\1){{{REPEAT_AT - 1},}}(?![^,])")


def _run(match: re.Match[str]) -> str:
    pair = match[1]
    times = (len(match[0]) + 1) // (len(pair) + 1)
    return f"{pair}~{_varint(times - 1)}"


def _gap(gap: int) -> str:
    return _GAPS[gap] if gap < len(_GAPS) else _varint(gap)


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


@dataclass
class _Index:
    """An index in the making: the postings, each key's entry as JSON, and the documents (serve's
    index keeps them, to re-score the ones that change; a build's streams them and keeps none of
    them, see streamed_files).  serve keeps the last one and makes the next from the documents
    that changed (the result is the same as made anew: tests/test_incremental.py compares every file)."""

    documents: list[Document]  # serve: every document; a build's index: none
    count: int  # how many documents
    lengths: list[tuple[int, ...]]
    averages: tuple[float, ...]
    postings: dict[str, Postings]
    uses: Counter[str]  # a word whose stem differs → how many fields use it (serve)
    stems: dict[str, str]  # such a word → its stem
    spellings: dict[str, set[str]]  # a stem → the words of it in use
    texts: dict[str, str] = field(default_factory=dict)  # key → its entry as JSON
    order: list[str] = field(default_factory=list)  # the keys in JavaScript's order
    blocks: dict[int, bytes] = field(default_factory=dict)  # a results file made, while its cards hold
    chunks: dict[tuple[int, tuple[str, ...]], bytes] = field(default_factory=dict)  # serve: terms files made
    totals: tuple[int, ...] = ()  # serve: each field's words over all documents (for the averages)

    @classmethod
    def made(cls, documents: Sequence[Document]) -> _Index:
        lengths = [_lengths(fields) for fields, _ in documents]
        averages = _averages(lengths)
        index = cls(list(documents), len(documents), lengths, averages, {}, Counter(), {}, {})
        index.totals = _totals(lengths)
        for number, ((fields, _), length) in enumerate(zip(documents, lengths)):
            index._post(number, _weights(tuple(terms.counts for terms in fields), length, averages))
            index._count_words(fields, 1)
        index._finish()
        return index

    def _post(self, number: int, weights: dict[str, float]) -> None:
        """Add a document's weights to the postings (documents come in order)."""
        postings = self.postings
        for term, weight in weights.items():
            found = postings.get(term)
            if found is None:
                postings[term] = (array("i", (number,)), array("d", (weight,)))
            else:
                found[0].append(number)
                found[1].append(weight)

    def _finish(self) -> None:
        keys = self.postings.keys() | self.stems.keys()
        self.texts = {key: self._text(key) for key in keys}
        self.order = sorted(keys, key=_utf16)

    def _count_words(self, fields: tuple[Terms, ...], step: int) -> set[str]:
        """Count the words of *fields* whose stem differs in (+1) or out (−1); the keys whose entries
        that changed (a word coming into use or going out of it, and its stem)."""
        touched = set()
        for terms in fields:
            for word, stem in terms.forms.items():
                before = self.uses[word]
                self.uses[word] = before + step
                if before == 0 or before + step == 0:
                    touched |= {word, stem}
                    if step > 0:
                        self.stems[word] = stem
                        self.spellings.setdefault(stem, set()).add(word)
                    else:
                        del self.uses[word], self.stems[word]
                        self.spellings[stem].discard(word)
        return touched

    def _text(self, key: str) -> str:
        """The key's entry: ``[postings, [words], "stem"]``, the last two left out when empty; a word
        with no postings of its own, only its stem as a string."""
        data: object = self.stems.get(key)
        if key in self.postings:
            data = [_encoded(*self.postings[key], self.count)]
            spelled = sorted(self.spellings.get(key, ()), key=_utf16)
            if spelled or key in self.stems:
                data = [*data, spelled, *([self.stems[key]] if key in self.stems else [])]
        return _json(key) + ":" + _json(data)

    def updated(self, documents: Sequence[Document]) -> _Index:
        """The index of *documents*: this one with the documents that are not the same objects as its
        own re-scored, or made anew when their number or the average lengths changed."""
        if len(documents) != len(self.documents):
            return _Index.made(documents)
        changed = [n for n, document in enumerate(documents) if document is not self.documents[n]]
        lengths, totals = list(self.lengths), list(self.totals or _totals(self.lengths))
        for n in changed:
            length, lengths[n] = lengths[n], _lengths(documents[n][0])
            for f, (was, now) in enumerate(zip(length, lengths[n])):
                totals[f] += now - was
        if _rounded(tuple(totals), len(lengths)) != self.averages or len(changed) > len(documents) // 4:
            return _Index.made(documents)
        touched: set[str] = set()
        for n in changed:
            old = {term for terms in self.documents[n][0] for term in terms.counts}
            new = _weights(tuple(terms.counts for terms in documents[n][0]), lengths[n], self.averages)
            for term in old:
                numbers, weights = self.postings[term]
                at = bisect.bisect_left(numbers, n)
                if term in new:  # still there: the entry changes only if the score character does
                    before, weights[at] = weights[at], new[term]
                    idf = _idf(self.count, len(numbers))
                    if _score(before * idf) != _score(new[term] * idf):
                        touched.add(term)
                    continue
                del numbers[at], weights[at]
                touched.add(term)
                if not numbers:
                    del self.postings[term]
            for term, weight in new.items():
                if term not in old:
                    numbers, weights = self.postings.setdefault(term, (array("i"), array("d")))
                    at = bisect.bisect_left(numbers, n)
                    numbers.insert(at, n)
                    weights.insert(at, weight)
                    touched.add(term)
            touched |= self._count_words(self.documents[n][0], -1) | self._count_words(documents[n][0], 1)
            self.documents[n] = documents[n]
            self.blocks.pop(n // BLOCK, None)
        self.lengths, self.totals = lengths, tuple(totals)
        for key in touched:
            was = key in self.texts
            if key in self.postings or key in self.stems:
                self.texts[key] = self._text(key)
            else:
                self.texts.pop(key, None)
            if was != (key in self.texts):
                self._reorder(key, was)
        return self

    def _reorder(self, key: str, was: bool) -> None:
        """*key* taken out of the keys in JavaScript's order (it *was* there), or put in its place."""
        at = bisect.bisect_left(self.order, _utf16(key), key=_utf16)
        if was:
            del self.order[at]
        else:
            self.order.insert(at, key)

    def files(self, language: str) -> dict[str, bytes]:
        """Output path → script: the manifest, the term chunks and the result cards (serve's index
        keeps each results file while its cards are the same objects)."""
        files = dict(self.term_files(language))
        for start in range(0, self.count, BLOCK):
            block = self.blocks.get(start // BLOCK)
            if block is None:
                block = self.blocks[start // BLOCK] = _results(
                    start // BLOCK, [c for _, c in self.documents[start : start + BLOCK]]
                )
            files[results_path(start // BLOCK)] = block
        return files

    def term_files(self, language: str) -> Iterator[tuple[str, bytes]]:
        """(output path, script) of the term chunks, then the manifest."""
        firsts: list[str] = []
        chunk: list[str] = []
        size = 0
        made, self.chunks = self.chunks, {}
        for key in self.order:
            text = self.texts[key]
            if chunk and size + len(text) > CHUNK_BYTES:
                yield terms_path(len(firsts) - 1), self._terms(len(firsts) - 1, tuple(chunk), made)
                chunk, size = [], 0
            if not chunk:
                firsts.append(key)
            chunk.append(text)
            size += len(text) + 1
        if chunk:
            yield terms_path(len(firsts) - 1), self._terms(len(firsts) - 1, tuple(chunk), made)
        manifest = {
            "block": BLOCK,
            "chunks": firsts,
            "documents": self.count,
            "format": FORMAT,
            "language": language,
            "stop": sorted(STOP_WORDS[language]),
        }
        yield "search/manifest.js", _script("manifest", 0, _json(manifest))

    def _terms(self, number: int, entries: tuple[str, ...], made: dict[tuple[int, tuple[str, ...]], bytes]) -> bytes:
        """Terms file *number* of *entries*: the one made last time while they are the same (serve
        rewrites only the chunks an edit touched), kept for next time."""
        key = (number, entries)
        script = made.get(key)
        if script is None:
            script = _script("terms", number, "{" + ",".join(entries) + "}")
        self.chunks[key] = script
        return script


def _results(number: int, cards: list[Card]) -> bytes:
    return _script("results", number, _json(cards))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _script(kind: str, number: int, data_json: str) -> bytes:
    """A data file: no '<' or '>' (a script is ended by ``</script>``), JSON otherwise as made."""
    safe = data_json.replace("<", "\\u003c").replace(">", "\\u003e")
    # a lone surrogate (never in a UTF-8 source, but a str may hold one) becomes its JSON escape
    return f'window.__logbookSearch("{kind}", {number}, {safe});\n'.encode("utf-8", "backslashreplace")


SEARCH_FILES = re.compile(r"search/(?:manifest|terms-\d+|results-\d+)\.js")  # every file of the index


def terms_path(number: int) -> str:
    return f"search/terms-{number}.js"


def results_path(number: int) -> str:
    return f"search/results-{number}.js"


def index_files(documents: Sequence[Document], language: str) -> dict[str, bytes]:
    """Output path → script: the manifest, the term chunks and the result cards."""
    return _Index.made(documents).files(language)


def _language(site: SiteView) -> str:
    """The analyser's language for the site's (a language with a catalogue but no stemmer yet falls
    back, so that adding a catalogue never breaks search)."""
    return analyser_language(site.config.language)


def site_documents(site: SiteView, each: EachCase | None = None) -> list[Document]:
    """Every published interaction's document, in site order (cases by id, entries in order); *each*
    makes a value for every case view (serve's makes it again only for the views that changed)."""
    zone = zone_named(site.config.timezone)
    language, lang = _language(site), load_language(site.config.language)

    def of_view(view: CaseView) -> list[Document]:
        return [search_document(view, entry, zone, language, lang) for entry in view.entries]

    per_case = (
        each("search", of_view, (language, lang.code, site.config.timezone)) if each else map(of_view, site.cases)
    )
    return [document for documents in per_case for document in documents]


def search_files(
    site: SiteView,
    memo: Memo | None = None,
    reuse: Memo | None = None,
    published: Path | None = None,
    each: EachCase | None = None,
) -> dict[str, bytes]:
    """Output path → JavaScript (UTF-8) for the whole index.  *memo* and *published* are not used: the
    index is made from the documents (a term's postings span the whole logbook); with *reuse*
    (serve), the last index is updated with the documents that changed (*each*: how serve keeps
    each case view's).  A build uses index_job (the same files)."""
    documents = site_documents(site, each)
    if reuse is None:
        return index_files(documents, _language(site))
    last: list[_Index] = reuse.get(("search index", _language(site)), list)  # the same list every build
    index = last[0].updated(documents) if last else _Index.made(documents)
    last[:] = [index]
    return index.files(_language(site))


def index_job(
    site: SiteView, memo: Memo | None = None, keys: Sequence[str] | None = None
) -> tuple[Callable[[], Iterator[tuple[str, bytes]]], int]:
    """A build's way to the index, as (job, weight) for workers.run_jobs: each case's documents are
    analysed on every core now (and kept in *memo*, the build cache's ``analysed`` table, by their
    content, so that the next build analyses only the cases that changed); the job then makes the
    index from what came back, a case at a time, and gives (output path, file) as each is made.  It runs beside the
    pages, so that weighing and posting every document costs no time of its own.  *keys*:
    case_keys, when worked out already."""
    cases = analysed_cases(site, memo, keys=keys)
    here = os.getpid()

    def files() -> Iterator[tuple[str, bytes]]:
        try:
            yield from streamed_files(cases, _language(site))
        except CacheUnreadable:  # a damaged entry in the cache: every case analysed anew
            if os.getpid() != here:
                raise  # in a worker, whose memo entries would not reach the cache: run again in the parent
            yield from streamed_files(analysed_cases(site, memo, fresh=True, keys=keys), _language(site))

    return files, sum(len(view.entries) for view in site.cases) // 2 + 1  # about the time of half a page per entry


def case_keys(site: SiteView) -> list[str]:
    """Each case's _case_key, in site order: what its documents are made from."""
    language, lang = _language(site), load_language(site.config.language)
    return [_case_key(view, site.config.timezone, language, lang) for view in site.cases]


def index_key(site: SiteView, keys: Sequence[str]) -> str:
    """A digest of everything the index is made from (the cases' *keys*, and the languages its
    manifest names even without cases): the same key, the same files, so that a build can take them
    from the site it published last."""
    return digest_text("index", str(FORMAT), _language(site), site.config.language, *keys)


CaseDocuments = tuple[list[tuple[tuple[dict[str, int], ...], Card]], dict[str, str]]
"""A case's documents as the index is made from them: each one's term counts per field and result
card, and every word of the case whose stem differs → its stem."""
AnalysedCase = tuple[tuple[tuple[int, ...], ...], CaseDocuments | bytes]
"""A case's CaseDocuments with each document's field lengths apart (every document's are needed
before any can be weighed: BM25 divides by the average); as the build cache keeps them, packed
(zlib-compressed, by the worker that made them)."""


def analysed_case(view: CaseView, zone: tzinfo | None, language: str, lang: Language, packed: bool) -> AnalysedCase:
    """One case's documents (search_document), made compact: a worker sends them back cheaply."""
    documents: list[tuple[tuple[dict[str, int], ...], Card]] = []
    forms: dict[str, str] = {}
    for entry in view.entries:
        fields, card = search_document(view, entry, zone, language, lang)
        for terms in fields:
            forms.update(terms.forms)
        documents.append((tuple(terms.counts for terms in fields), card))
    lengths = tuple(_counted(counts) for counts, _ in documents)
    return lengths, pack((documents, forms)) if packed else (documents, forms)


def analysed_cases(
    site: SiteView, memo: Memo | None = None, fresh: bool = False, keys: Sequence[str] | None = None
) -> list[AnalysedCase]:
    """Every case's AnalysedCase, in site order: from *memo* where it holds the case's content (unless
    *fresh*), the others made on every core and put in it (*keys*: case_keys, when known)."""
    zone = zone_named(site.config.timezone)
    language, lang = _language(site), load_language(site.config.language)
    views = site.cases
    if memo is None:
        keys = []
    elif keys is None:
        keys = case_keys(site)
    found: list[AnalysedCase | None] = [None] * len(views)
    if memo is not None and not fresh:
        for n, key in enumerate(keys):
            if memo.holds(key):
                found[n] = memo.get(key, _never)
    todo = [n for n, value in enumerate(found) if value is None]
    made = run_jobs(
        [functools.partial(analysed_case, views[n], zone, language, lang, memo is not None) for n in todo],
        [len(views[n].entries) + 1 for n in todo],
    )
    for n, value in zip(todo, made):
        found[n] = value
        if memo is not None:
            memo.misses += 1
            memo.new[keys[n]] = value
    return found  # type: ignore[return-value]  # every None was filled in just now


def _never() -> AnalysedCase:
    raise AssertionError("looked up only when held")


def _case_key(view: CaseView, zone_name: str, language: str, lang: Language) -> str:
    """Everything a case's AnalysedCase is made from: per entry the texts of its fields, its anchor,
    time and subject and body (the card); the analyser's language, the reader's (the words naming an
    entry, a date's form) and the time zone (the card's date); and this format.  The logbook version
    is the cache's (a cache of another version is not read)."""
    parts = [str(FORMAT), language, lang.code, zone_name, view.case.id, view.case.title]
    for entry in view.entries:
        i = entry.interaction
        parts.extend((entry.anchor, repr(i.at.when), str(i.at.has_time), i.subject or "", i.body))
        parts.extend(_texts(view, entry, lang))
    return digest_text(*parts)


def streamed_files(cases: Sequence[AnalysedCase], language: str) -> Iterator[tuple[str, bytes]]:
    """The index of a build as (output path, script): the cases' documents weighed and posted one
    case at a time, so that only one case's are unpacked at once, and each results file given as soon
    as its cards are in (none is kept: at 100,000 interactions they are about 100 MB); then the term
    chunks and the manifest, once every document is posted."""
    lengths = [length for of_case, _ in cases for length in of_case]
    averages = _averages(lengths)
    index = _Index([], len(lengths), [], averages, {}, Counter(), {}, {})
    number, cards = 0, []
    for _, kept in cases:
        documents, forms = unpack(kept) if isinstance(kept, bytes) else kept
        index.stems.update(forms)
        for counts, card in documents:
            index._post(number, _weights(counts, lengths[number], averages))
            number += 1
            cards.append(card)
            if len(cards) == BLOCK:
                yield results_path(number // BLOCK - 1), _results(number // BLOCK - 1, cards)
                cards = []
    if cards:
        yield results_path(number // BLOCK), _results(number // BLOCK, cards)
    del lengths  # every document's field lengths: not needed for the term files
    for word, stem in index.stems.items():
        index.spellings.setdefault(stem, set()).add(word)
    index._finish()
    yield from index.term_files(language)
