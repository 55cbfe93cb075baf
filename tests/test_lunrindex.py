"""The own lunr index builder against lunr.py, the reference: the serialized indexes must be equal."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunr import lunr

from logbook.site.lunrindex import Field, analyse, ascii_blanker, blanked, build_index, index_json
from logbook.site.search import plain_words

FIELDS = (Field("title", 3), Field("refs", 5), Field("body"), Field("people"), Field("case"))
WORDS = (
    "refund",
    "refunded",
    "refunding",
    "the",
    "blender",
    "arrived",
    "broken",
    "RMA-4471",
    "don't",
    "(order)",
    "«Zürich»",
    "ÉTÉ",
    "naïve",
    "—",
    "--",
    "x",
    "a-b",
    "running",
    "happily",
    "GT-889123",
    "“quoted”",
    "42",
    "e-mail",
    "İstanbul",
    "ß",
    "...",
    "!!!",
    "__init__",
    "call-back",
    "\xa0",
    "\t",
    "\n",
    "\u2003",
    "\x1c",
    "\r\n",
)


def reference(documents: list[dict[str, str]]) -> dict[str, object]:
    index = lunr(ref="id", fields=[{"field_name": f.name, "boost": f.boost} for f in FIELDS], documents=documents)
    return json.loads(json.dumps(index.serialize()))


def ours(documents: list[dict[str, str]]) -> dict[str, object]:
    """Our index as the search shards carry it (index_json), read back; the dict form must say the same."""
    analysed = [analyse(d["id"], tuple(d[f.name] for f in FIELDS)) for d in documents]
    written = json.loads(index_json(FIELDS, analysed))
    assert written == json.loads(json.dumps(build_index(FIELDS, analysed)))
    return written


def random_documents(seed: int, count: int) -> list[dict[str, str]]:
    rng = random.Random(seed)

    def text(n: int) -> str:
        return "".join(rng.choice(WORDS) + rng.choice((" ", "-", "\n", "  ", "")) for _ in range(rng.randint(0, n)))

    return [
        {"id": f"C-{i}#e{i}", "title": text(6), "refs": text(3), "body": text(200), "people": text(4), "case": text(5)}
        for i in range(count)
    ]


@pytest.mark.parametrize("seed", range(5))
def test_equal_to_lunr_py_on_generated_documents(seed):
    documents = random_documents(seed, 60)
    assert ours(documents) == reference(documents)


def test_equal_to_lunr_py_on_the_sample_site():
    from datetime import datetime
    from pathlib import Path

    from logbook.evidence.derive import derive_site
    from logbook.load.stage import load_logbook
    from logbook.site.search import _document

    loaded = load_logbook(Path(__file__).parent.parent / "sample_cases")
    site = derive_site(loaded.logbook, datetime(2026, 6, 1, tzinfo=UTC), loaded.history)
    documents = [_document(view, entry) for view, entry in site.timeline()]
    assert len(documents) > 40
    assert ours(documents) == reference(documents)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=5))
def test_equal_to_lunr_py_on_any_text(bodies):
    documents = [
        {"id": f"d{i}", "title": body[:10], "refs": "", "body": body, "people": body[::-1], "case": "x"}
        for i, body in enumerate(bodies)
    ]
    assert ours(documents) == reference(documents)


@pytest.mark.parametrize("seed", range(3))
def test_the_index_written_straight_to_json_is_the_index_json_dumps_writes(seed):
    documents = random_documents(seed, 40)
    documents[0]["id"], documents[1]["id"] = 'Zürich "quoted" <b>', "C-10#e2"  # escaped; out of sort order
    analysed = [analyse(d["id"], tuple(d[f.name] for f in FIELDS)) for d in documents]
    odd_fields = (Field("Zeta", 2), Field("_a"), Field("body"))  # names that sort before and after "_index"
    odd = [analyse(d["id"], (d["title"], d["refs"], d["body"])) for d in documents]
    for fields, docs in ((FIELDS, analysed), (odd_fields, odd), (FIELDS, [])):
        assert index_json(fields, docs) == json.dumps(build_index(fields, docs), sort_keys=True, ensure_ascii=True)


def test_documents_need_refs_of_their_own():
    with pytest.raises(ValueError):
        build_index(FIELDS, [analyse("same", ("a",) * 5), analyse("same", ("b",) * 5)])


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.text(st.characters(codec=None), max_size=60) | st.sampled_from(WORDS),
    st.text(st.characters(max_codepoint=127), min_size=1, max_size=8),
)
def test_blanked_is_str_translate_to_spaces(text, characters):
    """Through UTF-8 bytes, for any text (surrogates and non-ASCII included), as str.translate does it."""
    table = ascii_blanker(characters)
    assert blanked(text, table) == text.translate({ord(c): " " for c in characters})


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.text(st.sampled_from("*_`>#[]()! aé€\n:/.htps") | st.characters(), max_size=80))
def test_plain_words_is_one_regex_pass(markdown):
    """The search body without Markdown punctuation or web addresses, as its docstring says."""
    assert plain_words(markdown) == re.sub(r"[*_`>#\[\]()!]|https?://\S+", " ", markdown)
