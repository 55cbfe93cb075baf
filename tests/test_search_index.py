"""The term-partitioned search index: words to terms per language, chunks, manifest, postings."""

from __future__ import annotations

import json
import math
import os
import re

import pytest

from logbook.load.config import load_config
from logbook.site import search
from logbook.site.search import BLOCK, CHUNK_BYTES, DIGITS, index_files
from logbook.site.textindex import Terms, analyse_text, stem
from support.books import write_tree

FIELD_NAMES = [name for name, _ in search.FIELDS]


def document(number: int, language: str = "en", **fields: str) -> search.Document:
    terms = tuple(analyse_text(fields.get(name, ""), language) for name in FIELD_NAMES)
    card = {"t": f"doc {number}", "u": "", "c": "C", "ct": "", "d": "", "h": f"#{number}", "s": fields.get("body", "")}
    return terms, card


def data(script: bytes) -> tuple[str, int, object]:
    found = re.fullmatch(rb'window\.__logbookSearch\("(\w+)", (\d+), (.*)\);\n', script, re.S)
    assert found, script[:80]
    return found[1].decode(), int(found[2]), json.loads(found[3])


def keys(files: dict[str, bytes]) -> dict[str, object]:
    """Every key of every term chunk → its value (what the browser sees, chunk by chunk)."""
    out: dict[str, object] = {}
    for path, script in files.items():
        if path.startswith("search/terms-"):
            out.update(data(script)[2])  # type: ignore[arg-type]
    return out


def decoded(postings: str) -> dict[int, float]:
    """search.js's decode, in Python: document number → score."""
    scores: dict[int, float] = {}
    number, i, gap, score = 0, 0, 0, 0.0

    def varint() -> int:
        nonlocal i
        value = 0
        while True:
            digit = DIGITS.index(postings[i])
            i += 1
            value = value * 32 + (digit & 31)
            if digit < 32:
                return value

    while i < len(postings):
        if postings[i] == "~":
            i += 1
            for _ in range(varint()):
                number += gap
                scores[number] = score
            continue
        gap = varint()
        number += gap
        score = math.exp(DIGITS.index(postings[i]) / 12) - 1
        scores[number] = score
        i += 1
    return scores


def chunk_of(firsts: list[str], key: str) -> int:
    """search.js's chunkOf: the last chunk whose first key is at most *key* (UTF-16 order)."""
    utf16 = key.encode("utf-16-be")
    return max((n for n, first in enumerate(firsts) if first.encode("utf-16-be") <= utf16), default=-1)


def test_an_identifier_is_a_term_whole_and_by_its_parts():
    terms = analyse_text("Order HA-2026-030211 (ref ZD-526106), mail bob@example.com.", "en")
    assert {"ha-2026-030211", "ha", "2026", "030211", "zd-526106", "zd", "526106", "bob@example.com"} <= set(
        terms.counts
    )
    assert terms.counts["order"] == 1 and "(ref" not in terms.counts


def test_stop_words_are_dropped_and_words_stemmed_per_language():
    english = analyse_text("The refunds were refunded", "en")
    assert english.counts == {"refund": 2}  # "the" and "were" are stop words
    assert english.forms == {"refunds": "refund", "refunded": "refund"}
    german = analyse_text("Die Rückerstattung und die Rückerstattungen wurden nicht überwiesen", "de")
    assert stem("rückerstattung", "de") == stem("rückerstattungen", "de")
    assert german.counts[stem("rückerstattung", "de")] == 2
    assert not {"die", "und", "nicht"} & set(german.counts)
    french = analyse_text("Le remboursement et les remboursements", "fr")
    assert list(french.counts) == [stem("remboursement", "fr")] and french.counts[stem("remboursement", "fr")] == 2
    spanish = analyse_text("El reembolso de los reembolsos", "es")
    assert list(spanish.counts) == [stem("reembolso", "es")]
    assert analyse_text("the", "de").counts == {"the": 1}  # an English stop word is a word in German


def test_chinese_is_indexed_by_characters_and_pairs():
    terms = analyse_text("我的退款申请没有处理。订单GT-889123", "zh-Hans")
    assert {"退款", "款申", "申请", "退", "处理", "订单", "gt-889123", "889123"} <= set(terms.counts)
    assert "退款申请" not in terms.counts  # a longer phrase is found by its pairs, all of which must match


def test_chunks_are_bounded_and_the_manifest_names_their_first_keys():
    words = [f"word{n:05d}x" for n in range(6000)]
    documents = [document(n, body=" ".join(words[n * 7 % 6000 : n * 7 % 6000 + 40])) for n in range(400)]
    files = index_files(documents, "en")
    kind, _, manifest = data(files["search/manifest.js"])
    assert kind == "manifest" and manifest["documents"] == 400 and manifest["block"] == BLOCK  # type: ignore[index]
    firsts = manifest["chunks"]  # type: ignore[index]
    assert len(firsts) >= 3 and firsts == sorted(firsts, key=lambda k: k.encode("utf-16-be"))
    assert "the" in manifest["stop"] and manifest["language"] == "en"  # type: ignore[index]
    for number, first in enumerate(firsts):
        kind, n, chunk = data(files[f"search/terms-{number}.js"])
        assert (kind, n) == ("terms", number) and next(iter(chunk)) == first  # type: ignore[call-overload]
        assert len(files[f"search/terms-{number}.js"]) <= CHUNK_BYTES + 200 or len(chunk) == 1  # type: ignore[arg-type]
    assert sorted(p for p in files if p.startswith("search/results-")) == sorted(
        f"search/results-{n}.js" for n in range(400 // BLOCK)
    )


def test_a_prefix_finds_its_keys_in_the_chunk_range_from_its_start_to_its_end():
    words = [f"{stem}{n:04d}" for stem in ("alpha", "bravo", "charlie") for n in range(1500)]
    documents = [document(n, body=" ".join(words[n * 11 % 4500 :][:60])) for n in range(600)]
    files = index_files(documents, "en")
    firsts = data(files["search/manifest.js"])[2]["chunks"]  # type: ignore[index]
    first, last = chunk_of(firsts, "bravo"), chunk_of(firsts, "bravo\uffff")
    assert last > first  # the prefix spans several chunks
    in_range = set()
    for number in range(first, last + 1):
        in_range |= set(data(files[f"search/terms-{number}.js"])[2])  # type: ignore[arg-type]
    everywhere = keys(files)
    assert {k for k in everywhere if k.startswith("bravo")} <= in_range
    assert {k for k in everywhere if k.startswith("bravo")} == {w for w in words if w.startswith("bravo")} & set(
        everywhere
    )


def test_a_word_points_to_its_stem_and_the_stem_lists_its_words():
    documents = [document(0, body="refunded twice"), document(1, body="a refund"), document(2, body="no refunds yet")]
    found = keys(index_files(documents, "en"))
    assert found["refunded"] == "refund" and found["refunds"] == "refund"
    postings, forms = found["refund"]  # type: ignore[misc]
    assert sorted(decoded(postings)) == [0, 1, 2] and forms == ["refunded", "refunds"]
    assert "a" not in found and "no" not in found  # stop words are not keys


def test_bm25_ranks_a_ref_above_a_body_mention_and_a_rare_word_above_a_common_one():
    documents = [
        document(0, refs="C-1", body="the parcel for order ZD-526106 is late"),
        document(1, refs="ZD-526106 C-2", body="the parcel"),
        *(document(n, refs=f"C-{n}", body="the parcel arrived") for n in range(2, 20)),
    ]
    found = keys(index_files(documents, "en"))
    identifier = decoded(found["zd-526106"][0])  # type: ignore[index]
    assert sorted(identifier) == [0, 1] and identifier[1] > identifier[0]  # refs weigh 5, body 1
    parcel = decoded(found["parcel"][0])  # type: ignore[index]
    assert len(parcel) == 20 and max(parcel.values()) < identifier[0]


def test_the_same_documents_give_byte_identical_files_in_any_dictionary_order():
    documents = [document(n, body=f"refund {n} parcel ZD-{n} 退款申请") for n in range(50)]
    files = index_files(documents, "zh-Hans")
    shuffled = [
        (tuple(Terms(dict(reversed(t.counts.items())), dict(reversed(t.forms.items()))) for t in fields), card)
        for fields, card in documents
    ]
    assert index_files(shuffled, "zh-Hans") == files
    assert all(b"</" not in script and b"<" not in script for script in files.values())


def test_text_that_could_end_a_script_is_escaped():
    files = index_files([document(0, body="</script><script>alert(1)</script> & more")], "en")
    assert all(b"<" not in script for script in files.values())
    assert "</script>" in data(files["search/results-0.js"])[2][0]["s"]  # type: ignore[index]


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "zh-Hans"])
def test_site_language_is_read(tmp_path, language):
    root = write_tree(tmp_path / "b", {"logbook.toml": f'[site]\nlanguage = "{language}"\n'})
    config, diagnostics = load_config(root)
    assert config.language == language and diagnostics == []


def test_an_unknown_language_is_a_located_diagnostic(tmp_path):
    root = write_tree(tmp_path / "b", {"logbook.toml": '[site]\ntitle = "T"\nlanguage = "klingon"\n'})
    config, diagnostics = load_config(root)
    assert config.language == "en"
    assert [(d.code, d.location.line) for d in diagnostics] == [("config-invalid", 3)]
    assert "zh-Hans" in (diagnostics[0].hint or "")


def test_a_word_in_nearly_every_document_costs_a_few_bytes():
    documents = [document(n, refs=f"C-{n}", body="the parcel" + (" arrived" if n % 50 else "")) for n in range(3000)]
    found = keys(index_files(documents, "en"))
    parcel, arrived = found["parcel"][0], found["arriv"][0]  # type: ignore[index]
    assert sorted(decoded(parcel)) == list(range(3000)) and len(parcel) < 20  # one pair, repeated
    assert sorted(decoded(arrived)) == [n for n in range(3000) if n % 50] and len(arrived) < 60 * 8


def test_a_lone_surrogate_is_written_as_its_json_escape():
    files = index_files([document(0, body="broken \udc80 text")], "en")
    assert data(files["search/results-0.js"])[2][0]["s"] == "broken \udc80 text"  # type: ignore[index]


def test_an_index_updated_with_the_changed_documents_equals_one_made_anew():
    """serve's way: the documents that are new objects are re-scored, the rest kept; the files are
    those of an index made from nothing, whether words come into use, go out of it or move."""
    import random

    from logbook.site.search import _Index

    rng = random.Random(5)
    vocabulary = ["refund", "refunded", "refunds", "parcel", "late", "ZD-526106", "退款", "promised", "jug"]

    def text() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(30))

    documents = [document(n, refs=f"C-{n % 7}", body=text()) for n in range(200)]
    index = _Index.made(documents)
    kept = 0
    for round_ in range(12):
        documents = list(documents)
        for n in rng.sample(range(200), 3):
            body = text() if round_ % 3 else "refunding " + " ".join(text().split()[:29])  # a new word too
            documents[n] = document(n, refs=f"C-{n % 7}", body=body)
        updated = index.updated(documents)
        assert updated.files("en") == _Index.made(documents).files("en"), round_
        kept += updated is index
        index = updated
    assert kept >= 6  # most rounds updated in place (the rest changed an average length)
    assert index.updated(list(documents)) is index  # the same documents: kept, nothing re-scored


def test_a_damaged_entry_met_in_a_worker_is_analysed_again_in_the_parent(sample_book, monkeypatch):
    """The index job may run in a forked worker, whose memo entries the parent does not take for
    keys it holds already: meeting a damaged entry there, the job fails, the parent runs it again,
    and the memo then holds each case's entry made anew, so the cache is whole again."""
    from logbook.build import as_of_instant
    from logbook.evidence.derive import derive_site
    from logbook.load.stage import load_logbook
    from logbook.speed import workers
    from logbook.speed.reuse import Memo

    monkeypatch.setenv("LOGBOOK_WORKERS", "2")
    loaded = load_logbook(sample_book)
    site = derive_site(loaded.logbook, as_of_instant("2026-06-01", loaded.logbook.config.timezone), loaded.history)
    memo = Memo()
    expected = dict(search.index_job(site, memo)[0]())
    memo.old, memo.new = {**memo.old, **memo.new}, {}
    damaged = next(iter(memo.old))
    memo.old[damaged] = (memo.old[damaged][0], b"not zlib")
    files, _ = search.index_job(site, memo)
    pids = []

    def heavy() -> int:  # the heaviest job goes to the parent, the index job to the worker
        pids.append(os.getpid())
        return os.getpid()

    made = workers.run_jobs([heavy, lambda: dict(files())], [workers.MIN_WEIGHT * 2, 1], [memo])
    assert made[1] == expected
    assert len(pids) == 1 and workers.can_fork()  # the heavy job ran once, in this process
    assert memo.new[damaged][1] != b"not zlib" and all(value[1] != b"not zlib" for value in memo.new.values())


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_a_builds_index_made_case_by_case_equals_serves_made_at_once(sample_book, language, monkeypatch):
    """index_job (a build: each case analysed on its own, packed for the cache or not, the index
    made a case at a time) gives the very bytes of index_files over every document (serve's way)."""
    from logbook.build import as_of_instant
    from logbook.evidence.derive import derive_site
    from logbook.load.stage import load_logbook
    from logbook.speed.reuse import Memo

    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    config = sample_book / "logbook.toml"
    config.write_text(config.read_text().replace("[site]", f'[site]\nlanguage = "{language}"', 1))
    loaded = load_logbook(sample_book)
    site = derive_site(loaded.logbook, as_of_instant("2026-06-01", loaded.logbook.config.timezone), loaded.history)
    expected = index_files(search.site_documents(site), search._language(site))
    memo = Memo()
    for kept in (None, memo, memo):  # no cache; the cache filled; the cache read
        files = dict(search.index_job(site, kept)[0]())
        assert files == expected
        memo.old, memo.new = {**memo.old, **memo.new}, {}
    assert memo.hits == len(site.cases) and memo.misses == len(site.cases)


def test_a_builds_index_gives_results_files_before_it_has_read_every_case(sample_book, monkeypatch):
    """streamed_files hands each results file on as soon as its cards are in, so a build never holds
    every card of the logbook: with the last case's entry unreadable, results files have already
    come when the error is met."""
    from logbook.build import as_of_instant
    from logbook.evidence.derive import derive_site
    from logbook.load.stage import load_logbook
    from logbook.speed.cache import CacheUnreadable

    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    loaded = load_logbook(sample_book)
    site = derive_site(loaded.logbook, as_of_instant("2026-06-01", loaded.logbook.config.timezone), loaded.history)
    cases = search.analysed_cases(site)
    assert sum(len(lengths) for lengths, _ in cases[:-1]) >= BLOCK  # enough cards before the last case for a file
    given = []
    with pytest.raises(CacheUnreadable):
        for path, _ in search.streamed_files([*cases[:-1], (cases[-1][0], b"not zlib")], "en"):
            given.append(path)
    assert given and all(path.startswith("search/results-") for path in given)
