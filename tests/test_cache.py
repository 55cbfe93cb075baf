"""The build cache: each kind of change invalidates what it must, and the result always equals a cold build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from logbook.build import build
from logbook.speed.cache import open_cache
from support.books import REPO, site_tree, write_tree

AS_OF = "2026-06-01"


@pytest.fixture
def book(sample_book: Path) -> Path:
    return sample_book


def cold(book: Path, tmp_path: Path) -> dict:
    out = tmp_path / "cold-site"
    shutil.rmtree(out, ignore_errors=True)
    result = build(book, out, as_of=AS_OF, cache=False)
    return {"published": result.published, "diagnostics": result.diagnostics, "tree": site_tree(out)}


def warm(book: Path, out: Path) -> dict:
    result = build(book, out, as_of=AS_OF)
    return {"published": result.published, "diagnostics": result.diagnostics, "tree": site_tree(out)}


def _misses(book: Path, out: Path) -> dict[str, int]:
    """Build (it must publish) and count what the build computed instead of reusing."""
    from logbook.speed.cache import BuildCache
    from logbook.speed.policy import DiskReuse

    cache = open_cache(book.resolve())
    counts: dict[str, int] = {}
    original = BuildCache.roll_over

    def spy(self: BuildCache, prune: bool = True, lazy: bool = False) -> None:
        counts.update({name: getattr(self, name).misses for name in ("parsed", "messages", "analysed")})
        original(self, prune, lazy)

    BuildCache.roll_over = spy  # type: ignore[method-assign]
    try:
        result = build(book, out, as_of=AS_OF, cache=DiskReuse(cache))
    finally:
        BuildCache.roll_over = original  # type: ignore[method-assign]
    assert result.published, result.diagnostics
    return counts


EDITS = {
    "a message body": lambda b: _append(b / "cases/GT-1042/2026-03-02-1932-email-out.md", "\nOne more sentence.\n"),
    "a single-file case": lambda b: _append(_single(b), "\nA note.\n"),
    "the configuration": lambda b: (b / "logbook.toml").write_text(
        (b / "logbook.toml").read_text().replace("Alex Morgan's dispute log", "Disputes", 1)
    ),
    "a comment in the configuration": lambda b: _append(b / "logbook.toml", "\n# changes nothing shown\n"),
    "a template": lambda b: _own_case_template(b),
    "an attachment": lambda b: (b / "cases/GT-1042/chat-2026-03-16.png").write_bytes(
        (b / "cases/GT-1042/chat-2026-03-16.png").read_bytes() + b"\x00"
    ),
    "a deleted interaction file": lambda b: (b / "cases/GT-1042/2026-03-02-1910-note.md").unlink(),
    "a new interaction file": lambda b: write_tree(
        b,
        {
            "cases/GT-1042/2026-04-20-1000-email-in.md": "---\nat: 2026-04-20 10:00\nchannel: email\ndirection: in\n"
            "---\nA new reply.\n"
        },
    ),
}


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def _single(book: Path) -> Path:
    return next(p for p in sorted((book / "cases").glob("*.md")))


def _own_case_template(book: Path) -> None:
    write_tree(
        book,
        {
            "themes/mine/templates/case.html": '{% extends "default/case.html" %}{% block title %}Mine: {{ super() }}{% endblock %}'
        },
    )
    text = (book / "logbook.toml").read_text()
    (book / "logbook.toml").write_text(text.replace("[site]", '[site]\ntheme = "mine"', 1))


@pytest.mark.parametrize("change", sorted(EDITS))
def test_a_change_gives_the_same_site_as_a_cold_build(book, tmp_path, change):
    out = tmp_path / "site"
    assert warm(book, out)["published"]
    assert _misses(book, out) == {}  # unchanged inputs: the build is skipped outright
    EDITS[change](book)
    counts = _misses(book, out)
    expected = cold(book, tmp_path)
    assert expected["published"]
    assert site_tree(out) == expected["tree"]
    sources = sum(1 for _ in (book / "cases").iterdir())
    if change in (
        "a message body",
        "a single-file case",
        "a deleted interaction file",
        "a new interaction file",
        "an attachment",
    ):
        assert counts["parsed"] == 1, counts  # only the changed case is parsed again
        assert counts["messages"] <= 1, counts  # one entry per case: the changed case
    elif change == "a comment in the configuration":
        assert counts == {"parsed": 0, "messages": 0, "analysed": 0}, counts  # the same Config: all reused
    elif change == "the configuration":
        assert counts["parsed"] == sources, counts  # the configuration shapes every case
        assert counts["messages"] == 0, counts  # but no message text changed
    else:
        assert counts["parsed"] == sources and counts["messages"] == 0, counts


def test_a_broken_edit_keeps_the_last_site_and_the_cache(book, tmp_path):
    out = tmp_path / "site"
    assert warm(book, out)["published"]
    good = site_tree(out)
    path = book / "cases/GT-1042/2026-03-02-1932-email-out.md"
    text = path.read_text()
    path.write_text(text.replace("channel: email", "channel: pigeon"))
    assert not warm(book, out)["published"]
    assert site_tree(out) == good
    path.write_text(text)
    counts = _misses(book, out)
    assert counts == {"parsed": 0, "messages": 0, "analysed": 0}  # the good version was still cached
    assert site_tree(out) == good


def test_a_replaced_or_removed_site_is_built_again(book, tmp_path):
    out = tmp_path / "site"
    assert warm(book, out)["published"]
    good = site_tree(out)
    shutil.rmtree(out)
    assert warm(book, out)["tree"] == good


def test_a_commit_changes_the_provenance_shown(book, tmp_path):
    git = ["git", "-C", str(book), "-c", "user.name=T", "-c", "user.email=t@example.net"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run(
        [*git, "commit", "-qm", "one"],
        check=True,
        env={
            "GIT_COMMITTER_DATE": "2026-05-01T10:00:00Z",
            "GIT_AUTHOR_DATE": "2026-05-01T10:00:00Z",
            "PATH": "/usr/bin:/bin",
        },
    )
    out = tmp_path / "site"
    first = warm(book, out)["tree"]
    _append(book / "cases/GT-1042/2026-03-02-1932-email-out.md", "\nAmended.\n")
    second = warm(book, out)["tree"]
    assert second != first and second == cold(book, tmp_path)["tree"]  # "with uncommitted changes" now
    subprocess.run(
        [*git, "commit", "-qam", "two"],
        check=True,
        env={
            "GIT_COMMITTER_DATE": "2026-05-02T10:00:00Z",
            "GIT_AUTHOR_DATE": "2026-05-02T10:00:00Z",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert warm(book, out)["tree"] == cold(book, tmp_path)["tree"]


def test_a_corrupt_cache_only_costs_time(book, tmp_path):
    from logbook.speed.cache import cache_file

    out = tmp_path / "site"
    expected = warm(book, out)["tree"]
    path = cache_file(book.resolve())
    path.write_bytes(b"not a pickle")
    path.with_name("site.pickle").write_bytes(b"\x80\x04garbage")
    shutil.rmtree(out)
    assert warm(book, out)["tree"] == expected


def test_a_cache_of_an_earlier_format_is_not_read(book, tmp_path):
    """Entries change shape between formats (version 2 keeps Markdown HTML compressed): an older
    cache whose keys all match must be passed over, not decoded."""
    import pickle

    from logbook.speed.cache import FORMAT, cache_file

    out = tmp_path / "site"
    expected = warm(book, out)["tree"]
    path = cache_file(book.resolve())
    state = pickle.loads(path.read_bytes())
    assert state["format"] == FORMAT and state["messages"]
    state["format"] = FORMAT - 1
    state["messages"] = {key: "<p>stale HTML from an older logbook</p>" for key in state["messages"]}
    path.write_bytes(pickle.dumps(state))
    shutil.rmtree(out)
    assert warm(book, out)["tree"] == expected


def test_a_cache_made_with_another_markdown_library_is_not_read(book, tmp_path):
    """The cache keeps markdown-it-py's HTML (and pages drawn with Jinja and Babel): after an upgrade of
    one of them, what it kept may no longer be what they make, so the whole cache is passed over."""
    import pickle
    import zlib

    from logbook.speed.cache import cache_file

    out = tmp_path / "site"
    expected = warm(book, out)["tree"]
    path = cache_file(book.resolve())
    state = pickle.loads(path.read_bytes())
    assert dict(state["libraries"])["markdown-it-py"]
    state["libraries"] = tuple((name, "0.0" if name == "markdown-it-py" else v) for name, v in state["libraries"])
    stale = zlib.compress(b"<p>HTML an older markdown-it-py made</p>")  # an entry as the memo keeps one
    state["messages"] = {key: stale for key in state["messages"]}
    path.write_bytes(pickle.dumps(state))
    shutil.rmtree(out)
    assert warm(book, out)["tree"] == expected


def test_a_cache_made_by_other_code_of_the_same_version_is_not_read(book, tmp_path):
    """After a ``git pull`` in a clone, or an edit in an editable install, the version is the same but
    the code is not: what the cache kept may be the old code's sentences, so it is passed over."""
    import os
    import pickle
    import zlib

    import logbook.evidence.facts
    from logbook.speed.cache import cache_file, code_stamp

    out = tmp_path / "site"
    expected = warm(book, out)["tree"]
    path = cache_file(book.resolve())
    state = pickle.loads(path.read_bytes())
    assert state["code"] == code_stamp()
    module = Path(logbook.evidence.facts.__file__)
    before = module.stat()
    try:  # the stamp follows the modules' files: a module touched is other code
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
        code_stamp.cache_clear()
        assert code_stamp() != state["code"]
    finally:
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))
        code_stamp.cache_clear()
    assert code_stamp() == state["code"]
    state["code"] = "0" * 64
    stale = zlib.compress(b"<p>HTML older code made</p>")
    state["messages"] = {key: stale for key in state["messages"]}
    path.write_bytes(pickle.dumps(state))
    shutil.rmtree(out)
    assert warm(book, out)["tree"] == expected


def test_library_versions_are_those_importlib_metadata_reports():
    """The cache's record of the libraries it was made with is read from the dist-info folders'
    names (cheaper than importlib.metadata): it must name the same versions."""
    from importlib import metadata

    from logbook.speed.cache import LIBRARIES, libraries

    def installed(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return ""

    assert libraries() == tuple((name, installed(name)) for name in LIBRARIES)
    assert all(version for _, version in libraries())  # every one is a dependency: none is missing


def test_library_versions_follow_importlib_metadata_s_search_order(tmp_path, monkeypatch):
    """Read from folder names, the first installation on the path wins, as importlib.metadata finds
    it; a library first found as an egg-info is left to importlib.metadata."""
    import sys
    from importlib import metadata

    from logbook.speed.cache import dist_info_versions

    def install(folder: Path, entry: str, name: str, version: str) -> None:
        (folder / entry).mkdir(parents=True)
        for info in ("METADATA", "PKG-INFO"):
            (folder / entry / info).write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")

    first, second = tmp_path / "first", tmp_path / "second"
    install(first, "Jinja2-3.0.0.dist-info", "Jinja2", "3.0.0")
    install(second, "jinja2-3.1.6.dist-info", "jinja2", "3.1.6")  # shadowed by the first
    install(first, "PyYAML-5.4.egg-info", "PyYAML", "5.4")
    install(second, "PyYAML-6.0.4.dist-info", "PyYAML", "6.0.4")  # shadowed by the egg-info
    install(second, "markdown_it_py-4.3.0.dist-info", "markdown-it-py", "4.3.0")
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "absent"), str(second)])
    found = dist_info_versions()
    assert found == {"jinja2": "3.0.0", "markdown-it-py": "4.3.0"}
    assert {name: metadata.version(name) for name in found} == found
    assert metadata.version("PyYAML") == "5.4"  # what libraries() then asks importlib.metadata for


def test_compressed_memo_entries_give_back_what_was_made():
    import zlib

    from logbook.speed.reuse import Memo

    memo = Memo()
    made = []

    def compute() -> bytes:
        made.append(1)
        return b"<p>" + b"refund " * 200 + b"</p>"

    first = memo.get_compressed("k", compute)
    assert first == compute() and len(made) == 2
    assert zlib.decompress(memo.new["k"]) == first and len(memo.new["k"]) < len(first) // 10
    memo.roll_over()
    assert memo.get_compressed("k", compute) == first and len(made) == 2  # from the entry, not made again
    assert memo.hits == 1


def test_parse_results_are_kept_packed_and_unpack_to_a_fresh_parse(book, tmp_path):
    """The parsed table holds bytes made where each source was parsed (so saving only writes bytes),
    and each unpacks to exactly what parsing the source again gives."""
    import pickle

    from logbook.load.config import load_config
    from logbook.load.parse import parse_source
    from logbook.speed.cache import cache_file, unpack
    from logbook.store.discover import discover

    warm(book, tmp_path / "site")
    state = pickle.loads(cache_file(book.resolve()).read_bytes())
    assert all(isinstance(blob, bytes) for blob, _ in state["parsed"].values())
    packed = {result.files: result for result in (unpack(blob) for blob, _ in state["parsed"].values())}
    config = load_config(book.resolve())[0]
    sources, _ = discover(book.resolve())
    assert len(packed) == len(sources) > 5
    for source in sources:
        fresh = parse_source(source, book.resolve(), config)
        assert packed[fresh.files] == fresh


def _index(out: Path) -> dict[str, bytes]:
    return {path: content for path, content in site_tree(out).items() if path.startswith("search/")}


def test_the_search_index_after_an_edit_equals_a_cold_builds(tmp_path):
    """A term's postings span the whole logbook, so the index is made anew on every build from the
    cases' analysed documents (the cache keeps those, not the index); after an edit it equals a cold
    build's, byte for byte, and it holds the new words."""
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from gen_corpus import generate

    book = tmp_path / "corpus"
    generate(book, 40, 6, seed=3)
    out = tmp_path / "site"
    assert warm(book, out)["published"]
    before = _index(out)
    first = sorted((book / "cases").iterdir())[0]
    message = sorted(first.glob("0*.md"))[0]
    _append(message, "\nA sentence about the zeppelin.\n")
    assert _misses(book, out)["analysed"] == 1  # only the edited case is analysed again
    after = _index(out)
    assert after != before and any(b'"zeppelin"' in script for script in after.values())
    assert site_tree(out) == cold(book, tmp_path)["tree"]


def _analysed_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The case ids search.analysed_case is really called for (in this process: one worker)."""
    from logbook.site import search

    calls: list[str] = []
    original = search.analysed_case

    def counted(view, *args):  # type: ignore[no-untyped-def]
        calls.append(view.case.id)
        return original(view, *args)

    monkeypatch.setattr(search, "analysed_case", counted)
    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    return calls


def _corpus(tmp_path: Path, cases: int = 30) -> Path:
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from gen_corpus import generate

    book = tmp_path / "corpus"
    generate(book, cases, 5, seed=11)
    return book


def test_after_an_edit_only_the_changed_case_is_analysed_and_the_index_is_a_cold_builds(tmp_path, monkeypatch):
    book = _corpus(tmp_path)
    calls = _analysed_calls(monkeypatch)
    out = tmp_path / "site"
    assert warm(book, out)["published"]
    assert len(calls) == 30  # the first build analyses every case
    case = sorted((book / "cases").iterdir())[4]
    _append(sorted(case.glob("0*.md"))[1], "\nThe courier left it with a neighbour.\n")
    calls.clear()
    assert warm(book, out)["published"]
    assert calls == [case.name]
    assert _index(out) == _index_of(cold(book, tmp_path)["tree"])
    assert any(b'"neighbour"' in script for script in _index(out).values())


@pytest.mark.parametrize(
    "setting, value",
    [("timezone", '"America/New_York"'), ("language", '"de"'), ("title", '"Another title"')],
)
def test_a_setting_the_documents_depend_on_analyses_every_case_again(tmp_path, monkeypatch, setting, value):
    """The zone (the cards' dates) and the language (stems, the words naming an entry) are part of
    each case's key; a setting the documents do not use (the site's title) analyses nothing."""
    book = _corpus(tmp_path, 12)
    calls = _analysed_calls(monkeypatch)
    out = tmp_path / "site"
    assert warm(book, out)["published"]
    config = book / "logbook.toml"
    text = config.read_text()
    line = next((ln for ln in text.splitlines() if ln.startswith(f"{setting} =")), None)
    config.write_text(
        text.replace(line, f"{setting} = {value}")
        if line
        else text.replace("[site]", f"[site]\n{setting} = {value}", 1)
    )
    calls.clear()
    assert warm(book, out)["published"]
    assert len(calls) == (0 if setting == "title" else 12)
    assert _index(out) == _index_of(cold(book, tmp_path)["tree"])


def test_a_damaged_analysed_entry_is_made_again(tmp_path, monkeypatch):
    """An entry that does not unpack (a damaged cache file) costs only the time to analyse anew."""
    from logbook.speed.cache import BuildCache
    from logbook.speed.policy import DiskReuse

    book = _corpus(tmp_path, 8)
    cache = BuildCache(None)
    out = tmp_path / "site"
    assert build(book, out, as_of=AS_OF, cache=DiskReuse(cache)).published
    first = next(iter(cache.analysed.old))
    cache.analysed.old[first] = (cache.analysed.old[first][0], b"not zlib")
    calls = _analysed_calls(monkeypatch)
    _append(sorted(sorted((book / "cases").iterdir())[2].glob("0*.md"))[0], "\nOne more line.\n")
    assert build(book, out, as_of=AS_OF, cache=DiskReuse(cache)).published
    assert len(calls) == 1 + 8  # the edited case, then every case anew once the damaged entry is met
    assert _index(out) == _index_of(cold(book, tmp_path)["tree"])


def _index_of(tree: dict[str, bytes]) -> dict[str, bytes]:
    return {path: content for path, content in tree.items() if path.startswith("search/")}


def test_the_parent_keeps_the_records_it_parsed(book, tmp_path, monkeypatch):
    """A cold load does not unpack again what this process parsed itself; what a worker parsed
    travels packed only (the record stays in the worker)."""
    import pickle

    from logbook.load import stage as load
    from logbook.speed import parses

    unpacked = []
    monkeypatch.setattr(parses, "unpack", lambda blob: unpacked.append(blob))
    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    assert warm(book, tmp_path / "site")["published"]
    assert unpacked == []
    root = book.resolve()
    config = load.load_config(root)[0]
    share = parses.keyed_parse(load.discover(root)[0][0], load._parsing(root, config), open_cache(root))
    assert share.result is not None and share.entry is not None
    travelled = pickle.loads(pickle.dumps(share))
    assert travelled.result is None and (travelled.key, travelled.entry) == (share.key, share.entry)


def test_a_case_s_messages_are_one_memo_entry(book, tmp_path):
    """Markdown HTML is kept by case (compressed together); the site is the same as without a cache."""
    from logbook.build import check
    from logbook.speed.cache import BuildCache
    from logbook.speed.policy import DiskReuse

    cache = BuildCache(None)
    out = tmp_path / "site"
    assert build(book, out, as_of=AS_OF, cache=DiskReuse(cache)).published
    published = [case for case in check(book).logbook.cases if not case.private]  # a private case has no page
    assert len(cache.messages.old) == len(published) == 6
    assert site_tree(out) == cold(book, tmp_path)["tree"]


def test_a_cold_build_reads_each_source_once(book, tmp_path, monkeypatch):
    """The bytes hashed for a source's cache key are the bytes parsed: each file is read once."""
    from collections import Counter

    from logbook.store import textfile

    reads: Counter[str] = Counter()
    original = textfile.open_regular  # every read of a logbook file goes through it

    def counted(path):
        reads[str(path)] += 1
        return original(path)

    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    monkeypatch.setattr(textfile, "open_regular", counted)
    assert warm(book, tmp_path / "site")["published"]
    sources = {str(path) for path in (book.resolve() / "cases").rglob("*.md")}
    assert len(sources) > 30 and {path: reads[path] for path in sources} == dict.fromkeys(sources, 1)
