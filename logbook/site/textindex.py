"""Words to index terms, per language: the one tokenizer the site's search script mirrors.

A text is NFKC-normalised and lower-cased, then cut into Han runs and the rest.  In the rest a
*token* is a run of letters and digits, or several joined by one of ``- _ . / : ' ’ @ + #``
(``ha-2026-030211``, ``bob@example.com``, ``l'article``): a joined token is indexed whole, as typed
(an identifier found whole), and each of its runs as a word.  A word that is a stop word of the
language is dropped; any other is reduced to its Snowball stem.  A Han run is indexed as each of its
characters and each pair of neighbours (bigrams), so any two or more Hanzi of a phrase find it.

The browser never stems: every word the logbook uses is a key of the index, and one whose stem
differs points to its stem (see ``search``).  ``themes/default/static/search.js`` holds the same
rules (the regular expressions below are written so that JavaScript's mean the same); the browser
tests search through both.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]  # no type hints; uses PyStemmer's C code when present

from logbook.core.records import quick_pickle
from logbook.site.stopwords import STOP_WORDS

LANGUAGES = ("en", "de", "fr", "es", "zh-Hans")
SNOWBALL = {"en": "english", "de": "german", "fr": "french", "es": "spanish", "zh-Hans": "english"}
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # CJK ideographs, extensions A to H
HAN_RUNS = re.compile(f"([{HAN}]+)")
JOINERS = "-_./:'’@+#"
WORD = f"[^\\W_{HAN}]+"  # letters and digits (JavaScript: [\p{{L}}\p{{N}}]), Hanzi apart
TOKEN = re.compile(f"{WORD}(?:[{re.escape(JOINERS)}]{WORD})*")
RUN = re.compile(WORD)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Terms:
    """One text's index terms: term → count, and the surface form each word term came from."""

    counts: dict[str, int]
    forms: dict[str, str]  # a surface word → its stem, where they differ


def normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def analyser_language(code: str) -> str:
    """The language whose stemmer and stop words index a site in *code*: itself when known, else the
    known one with its primary tag (``zh-Hant`` → ``zh-Hans``), else English."""
    if code in LANGUAGES:
        return code
    primary = code.split("-")[0].lower()
    return next((known for known in LANGUAGES if known.split("-")[0].lower() == primary), "en")


@lru_cache(maxsize=8)
def _stemmer(language: str) -> object:
    return snowballstemmer.stemmer(SNOWBALL[language])


@lru_cache(maxsize=300_000)
def stem(word: str, language: str) -> str:
    """The word's Snowball stem; digits and single letters are their own."""
    if len(word) < 3 or word.isdigit():
        return word
    result: str = _stemmer(language).stemWord(word)  # type: ignore[attr-defined]
    return result


def han_terms(run: str) -> list[str]:
    """Each Hanzi and each pair of neighbours: 退款申请 → 退 款 申 请 退款 款申 申请."""
    return [*run, *(run[i : i + 2] for i in range(len(run) - 1))]


@lru_cache(maxsize=500_000)
def _piece_terms(piece: str, language: str) -> tuple[tuple[str, str | None], ...]:
    """The index terms of a stretch of text between spaces, each with the surface word it came from
    where that differs from it (a text is counted by these stretches first, at C speed, so each
    different one is analysed once)."""
    stop = STOP_WORDS[language]
    terms: list[tuple[str, str | None]] = []
    for position, part in enumerate(HAN_RUNS.split(normalised(piece))):
        if position % 2:  # a Han run
            terms.extend((term, None) for term in han_terms(part))
            continue
        for token in TOKEN.findall(part):
            runs = [token] if token.isalnum() else RUN.findall(token)
            if len(runs) > 1:
                terms.append((token, None))
            for word in runs:
                if word not in stop:
                    term = stem(word, language)
                    terms.append((term, word if term != word else None))
    return tuple(terms)


def analyse_text(text: str, language: str) -> Terms:
    """Counts of index terms in *text*, and which surface words stem to another term."""
    counts: dict[str, int] = {}
    forms: dict[str, str] = {}
    for piece, times in Counter(text.split()).items():
        for term, surface in _piece_terms(piece, language):
            counts[term] = counts.get(term, 0) + times
            if surface is not None:
                forms[surface] = term
    return Terms(counts, forms)
