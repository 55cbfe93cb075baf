"""serve's incremental rebuilds: one in-memory cache across a run of edits; after each, the published
folder equals a cold build's byte for byte, and only the files that differ were written."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from test_cache import EDITS, _append

from logbook.build import build
from logbook.core.models import Agent
from logbook.core.timeparse import Moment
from logbook.speed.cache import BuildCache, quiet_paths
from logbook.speed.policy import ServeReuse
from logbook.speed.reuse import BIG_PIECE, Memo, Ref, context_token, encode_pieces, token
from support.books import generated_book, site_tree, write_tree


@pytest.fixture
def book(sample_book: Path) -> Path:
    return sample_book


AS_OF = "2026-06-01"
CASE = "cases/GT-1042/case.md"


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


MORE_EDITS = {
    "a case title": lambda b: _replace_in(b / CASE, "title: PowerBlend", "title: Renamed PowerBlend"),
    "a case status": lambda b: (
        _replace_in(b / CASE, "status: resolved", "status: waiting"),  # and the change itself
        _replace_in(b / "cases/GT-1042/2026-04-15-1347-email-in.md", "status: resolved", "status: waiting"),
    ),
    "a case's tags and counterparty": lambda b: (
        _replace_in(
            b / CASE, "tags: [damaged-item, refund-delayed, chargeback-candidate]", "tags: [damaged-item, outage]"
        ),
        _replace_in(b / CASE, "counterparty: GadgetTown GmbH", "counterparty: GadgetTown AG"),
    ),  # the timeline's filters and facets, the dashboard's charts
    "an interaction's channel and time": lambda b: _replace_in(
        b / "cases/GT-1042/2026-03-02-1932-email-out.md",
        "at: 2026-03-02 19:32\ntitle: Complaint — arrived broken\nchannel: email",
        "at: 2026-01-02 19:32\ntitle: Complaint — arrived broken\nchannel: letter",
    ),  # a month's facets, an older month, the charts' months
    "a new case": lambda b: write_tree(
        b,
        {
            "cases/NEW-1/case.md": "---\nid: NEW-1\ntitle: A new one\nstatus: open\n"
            "opened: 2026-05-01\n---\nStarted.\n",
            "cases/NEW-1/2026-05-02-0900-email-in.md": "---\nat: 2026-05-02 09:00\nchannel: email\ndirection: in\n---\nHello.\n",
        },
    ),
    "a deleted case": lambda b: shutil.rmtree(b / "cases/NEW-1"),
}


def _cold(book: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "cold-site"
    shutil.rmtree(out, ignore_errors=True)
    assert build(book, out, as_of=AS_OF, cache=False).published
    return site_tree(out)


def test_a_run_of_edits_gives_a_cold_builds_site_after_each(book, tmp_path):
    cache = ServeReuse(BuildCache(None))
    out = tmp_path / "site"
    assert build(book, out, as_of=AS_OF, cache=cache, persist=False).published
    assert cache.written is None  # the first build publishes the whole site
    before = site_tree(out)
    edits = [*sorted(EDITS), *MORE_EDITS]
    for name in edits:
        (EDITS.get(name) or MORE_EDITS[name])(book)
        result = build(book, out, as_of=AS_OF, cache=cache, persist=False)
        assert result.published, (name, result.diagnostics)
        after = site_tree(out)
        assert after == _cold(book, tmp_path), name
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        assert set(cache.written) == changed - {".logbook-site"}, name  # exactly what differs
        assert bool(changed) != (name == "a comment in the configuration"), name  # each shows, but the comment
        before = after


def test_an_unchanged_rebuild_writes_nothing_and_renders_nothing(book, tmp_path):
    cache = ServeReuse(BuildCache(None))
    out = tmp_path / "site"
    build(book, out, as_of=AS_OF, cache=cache, persist=False)
    seen = {}
    original = BuildCache.roll_over

    def spy(self: BuildCache, prune: bool = True, lazy: bool = False) -> None:
        seen.update(
            pages=self.pages.misses,
            fragments=self.fragments.misses,
            derived=self.derived.misses,
            parsed=self.parsed.misses,
        )
        original(self, prune, lazy)

    BuildCache.roll_over = spy  # type: ignore[method-assign]
    try:
        touched = book / "cases/GT-1042/2026-03-02-1932-email-out.md"
        os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))  # not changed
        assert build(book, out, as_of=AS_OF, cache=cache, persist=False).published
        assert cache.written == ()
        assert seen == {"pages": 0, "fragments": 0, "derived": 0, "parsed": 0}
        _append(book / "cases/GT-1042/2026-03-02-1932-email-out.md", "\nOne more line.\n")
        assert build(book, out, as_of=AS_OF, cache=cache, persist=False).published
        assert seen["derived"] == 1 and seen["parsed"] == 1  # one case parsed (and so checked) and derived again
        assert 0 < seen["pages"] < 20  # its page, lists that show it, feed, search; not all 60+
    finally:
        BuildCache.roll_over = original  # type: ignore[method-assign]


def test_a_file_saved_just_now_is_not_rendered_again_by_later_rebuilds(book, tmp_path, monkeypatch):
    """A save seconds ago has a stat the cache cannot trust yet (cache.settled), so the source is keyed
    again on each rebuild; the case it gives must still be the same record, or its pages would be drawn
    again on every rebuild after it (each save adding one more case to draw)."""
    cache = ServeReuse(BuildCache(None))
    out = tmp_path / "site"
    assert build(book, out, as_of=AS_OF, cache=cache, persist=False).published
    edited = "cases/GT-1042/2026-03-02-1932-email-out.md"
    _append(book / edited, "\nOne more line.\n")
    assert build(book, out, as_of=AS_OF, cache=cache, persist=False, touched=frozenset({edited})).published
    seen: dict[str, int] = {}
    original = BuildCache.roll_over

    def spy(self: BuildCache, prune: bool = True, lazy: bool = False) -> None:
        seen.update(pages=self.pages.misses, derived=self.derived.misses)
        original(self, prune, lazy)

    monkeypatch.setattr(BuildCache, "roll_over", spy)
    for touched in (frozenset(), None):  # the watcher saw nothing; nothing known (every file looked at)
        assert build(book, out, as_of=AS_OF, cache=cache, persist=False, touched=touched).published
        assert seen == {"pages": 0, "derived": 0}, touched


def test_a_broken_edit_publishes_nothing_and_the_next_good_one_catches_up(book, tmp_path):
    cache = ServeReuse(BuildCache(None))
    out = tmp_path / "site"
    build(book, out, as_of=AS_OF, cache=cache, persist=False)
    good = site_tree(out)
    path = book / "cases/GT-1042/2026-03-02-1932-email-out.md"
    text = path.read_text()
    path.write_text(text.replace("channel: email", "channel: pigeon"))
    assert not build(book, out, as_of=AS_OF, cache=cache, persist=False).published
    assert site_tree(out) == good
    path.write_text(text + "\nFixed.\n")
    assert build(book, out, as_of=AS_OF, cache=cache, persist=False).published
    assert site_tree(out) == _cold(book, tmp_path)


def test_a_site_replaced_behind_serves_back_is_published_whole(book, tmp_path):
    cache = ServeReuse(BuildCache(None))
    out = tmp_path / "site"
    build(book, out, as_of=AS_OF, cache=cache, persist=False)
    assert build(book, out, as_of=AS_OF, cache=False).published  # `logbook build` swaps in a new folder
    (out / "index.html").write_text("hand-edited")  # and someone edits it
    _append(book / "cases/GT-1042/2026-03-02-1932-email-out.md", "\nMore.\n")
    build(book, out, as_of=AS_OF, cache=cache, persist=False)
    assert cache.written is None  # not the folder serve wrote: published whole
    assert site_tree(out) == _cold(book, tmp_path)


def test_commits_change_the_provenance_shown(book, tmp_path):
    git = ["git", "-C", str(book), "-c", "user.name=T", "-c", "user.email=t@example.net"]
    env = {
        "GIT_COMMITTER_DATE": "2026-05-01T10:00:00Z",
        "GIT_AUTHOR_DATE": "2026-05-01T10:00:00Z",
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True, env=env)
    cache = ServeReuse(BuildCache(None))
    out = tmp_path / "site"
    build(book, out, as_of=AS_OF, cache=cache, persist=False)
    _append(book / "cases/GT-1042/2026-03-02-1932-email-out.md", "\nAmended.\n")
    build(book, out, as_of=AS_OF, cache=cache, persist=False)
    assert site_tree(out) == _cold(book, tmp_path)  # "with uncommitted changes"
    subprocess.run(
        [*git, "commit", "-qam", "two"], check=True, env={**env, "GIT_COMMITTER_DATE": "2026-05-02T10:00:00Z"}
    )
    build(book, out, as_of=AS_OF, cache=cache, persist=False)
    assert site_tree(out) == _cold(book, tmp_path)  # amended in commit two
    subprocess.run([*git, "rm", "-q", "cases/GT-1042/2026-03-02-1910-note.md"], check=True)
    subprocess.run(
        [*git, "commit", "-qm", "three"], check=True, env={**env, "GIT_COMMITTER_DATE": "2026-05-03T10:00:00Z"}
    )
    build(book, out, as_of=AS_OF, cache=cache, persist=False)
    assert site_tree(out) == _cold(book, tmp_path)  # the deletion is listed


def test_tokens_tell_apart_what_renders_differently():
    berlin = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    london = berlin.astimezone(ZoneInfo("Europe/London"))
    assert berlin == london and token(berlin) != token(london)  # same instant, printed differently
    assert token(Moment(berlin)) != token(Moment(london))
    assert token(Moment(berlin)) == token(Moment(berlin.replace()))
    assert token(Agent("Sam", "A1")) == token(Agent("Sam", "A1")) != token(Agent("Sam", None))
    assert token(Markup("<b>x</b>")) != token("<b>x</b>")  # one is escaped when printed, the other not
    assert len({token(1), token(1.0), token(True)}) == 3  # equal, but printed 1, 1.0 and True
    a, b = object(), object()
    assert token([a, (a, "x")]) == token([a, (a, "x")]) and token([a]) != token([b])
    assert token([a]) != token((a,))  # printed [..] and (..)
    assert token({"k": a}) != token({"k": b})
    assert Ref(a) == Ref(a) and Ref(a) != Ref(b)


def test_a_context_token_is_the_token_and_makes_a_shared_container_once():
    a, b = object(), object()
    nav = tuple((f"2026-{m:02d}", m, f"timeline/2026-{m:02d}/index.html") for m in range(1, 13)) * 2
    filters = {f"tag-{n}": n for n in range(40)}
    first, second = {"months": nav, "filters": filters, "rows": [a]}, {"months": nav, "filters": filters, "rows": [b]}
    seen: dict = {}
    assert context_token(first, seen) == token(first) and context_token(second, seen) == token(second)
    kept = [value for value, _ in seen.values()]
    assert kept == [nav, filters, first["rows"], second["rows"]]  # each container tokened once, and kept
    assert kept[2] is first["rows"] and kept[3] is second["rows"]  # by identity: equal lists stay apart
    assert context_token(first, seen) != context_token(second, seen)
    changed = {**first, "months": (*nav[:-1], ("2027-01", 1, "x"))}  # an equal-length, different value
    assert context_token(changed, seen) == token(changed) != token(first)


def test_per_cases_makes_again_only_what_a_changed_record_gives_and_combined_keeps_an_equal_whole():
    reuse, made = ServeReuse(BuildCache(None)), []

    def length(record: list[str]) -> int:
        made.append(record)
        return len(record)

    a, b, c, d = ["x"], ["y", "y"], ["z"], ["w", "w", "w"]
    assert reuse.per_cases("lengths", (a, b, c), length) == [1, 2, 1] and made == [a, b, c]
    made.clear()
    b2 = ["y", "y"]  # equal to b, but another record: made again
    assert reuse.per_cases("lengths", (a, b2, c), length) == [1, 2, 1] and made == [b2]
    made.clear()
    assert reuse.per_cases("lengths", (a, d, c, b2), length) == [1, 3, 1, 2] and made == [d]  # one more: by identity
    made.clear()
    assert reuse.per_cases("lengths", (a, d, c, b2), length, extra="other") == [1, 3, 1, 2] and made == [a, d, c, b2]
    made.clear()
    got = reuse.per_cases("lengths", (d, a, b2, c), length, extra="other")  # sorted otherwise: none made again
    assert got == [3, 1, 2, 1] and made == []
    got[0] = 99  # the list handed out is the caller's
    assert reuse.per_cases("lengths", (d, a, b2, c), length, extra="other") == [3, 1, 2, 1] and made == []
    combined = []
    whole = reuse.combined("sum", lambda: [1, (2, 3)], lambda: combined.append(1) or "first")
    again = reuse.combined("sum", lambda: [1, (2, 3)], lambda: combined.append(2) or "second")  # equal parts
    changed = reuse.combined("sum", lambda: [1, (2, 4)], lambda: combined.append(3) or "third")
    assert (whole, again, changed) == ("first", "first", "third") and combined == [1, 3]


def test_a_memo_keeps_only_what_the_last_build_used():
    memo = Memo()
    assert memo.get("a", lambda: 1) == 1 and memo.get("b", lambda: 2) == 2
    memo.roll_over()
    assert memo.get("a", lambda: 99) == 1 and memo.hits == 1
    memo.roll_over()
    assert memo.get("b", lambda: 3) == 3 and memo.misses == 1  # "b" unused last time: dropped
    record = object()
    assert memo.by_identity((record,), "x", lambda: "first") == "first"
    assert memo.by_identity((object(),), "x", lambda: "other") == "other"


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.lists(st.sampled_from(["", "a", "·", "€ " * 3000, "x" * 5000, "\U0001f600" * 2100]), max_size=8), st.booleans()
)
def test_a_page_encoded_in_pieces_is_the_page_encoded_whole(pieces, reuse_them):
    """Big pieces kept from the last drawing (the same strings) or not, the bytes are the whole text's."""
    _, before = encode_pieces(pieces) if reuse_them else (b"", ())
    content, big = encode_pieces(pieces, before)
    assert content == "".join(pieces).encode("utf-8")
    assert [text for text, _ in big] == [p for p in pieces if len(p) >= BIG_PIECE]
    assert all(data == text.encode("utf-8") for text, data in big)


def test_serve_draws_again_only_the_timeline_month_an_edit_changed(tmp_path):
    """The timeline is a page per month: a rebuild after an edit that moves no entry draws again the
    edited month's pages (in both orders, and the front page when it shows that month) and keeps every
    other month's page as it was; the site is a cold build's."""
    book = generated_book(tmp_path / "book", 40, 6, seed=11)
    cache = ServeReuse(BuildCache(None))
    out = tmp_path / "site"
    assert build(book, out, as_of=AS_OF, cache=cache, persist=False).published
    timeline = {path: drawn for path, drawn in cache.cache.pages.old.items() if path.startswith("timeline/")}
    assert len(timeline) > 20  # two orders of a dozen months and more
    edited = sorted(sorted((book / "cases").iterdir())[3].glob("0*.md"))[2]
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: Renamed ", 1), encoding="utf-8")
    assert build(book, out, as_of=AS_OF, cache=cache, persist=False).published
    redrawn = {path for path, drawn in timeline.items() if cache.cache.pages.old[path] is not drawn}
    months = {part for path in redrawn for part in path.split("/") if len(part) == 7 and part[4] == "-"}
    assert len(months) == 1, redrawn
    (month,) = months
    assert {f"timeline/{month}/index.html", f"timeline/oldest/{month}/index.html"} <= redrawn
    assert redrawn <= {
        f"timeline/{month}/index.html",
        f"timeline/oldest/{month}/index.html",
        "timeline/index.html",
        "timeline/oldest/index.html",
    }
    assert site_tree(out) == _cold(book, tmp_path)


def test_quiet_paths_are_those_in_cases_the_watcher_did_not_report(tmp_path):
    quiet = quiet_paths(tmp_path, frozenset({"cases/A/x.png"}))
    assert quiet(f"{tmp_path}/cases/B/y.png") and quiet(f"{tmp_path}/cases/A/z.png") and quiet(f"{tmp_path}/cases/B")
    assert not quiet(f"{tmp_path}/cases/A/x.png") and not quiet(f"{tmp_path}/cases/A")  # the file and its folder
    assert not quiet(f"{tmp_path}/cases") and not quiet(f"{tmp_path}/evidence/y.png")  # not watched to any depth
    assert not quiet(f"{tmp_path}/cases-old/y.png") and not quiet(f"{tmp_path}/logbook.toml")
    assert not quiet_paths(tmp_path, None)(f"{tmp_path}/cases/B/y.png")  # nothing reported: nothing vouched for


def test_a_rebuild_after_one_save_looks_at_no_other_attachment(tmp_path, monkeypatch):
    """With the watcher's report, serve neither stats every attachment for the parse nor every exhibit
    for the publication (thousands of stats in a logbook with exhibits); the site is a cold build's."""
    from logbook.site import publish
    from logbook.speed import cache as cache_module

    book = generated_book(tmp_path / "book", 40, 3, seed=13, labels=True)
    cache = ServeReuse(BuildCache(None))
    out = tmp_path / "site"
    assert build(book, out, as_of=AS_OF, cache=cache, persist=False).published
    looked_at: list[str] = []
    from logbook.site import render

    real_stamp, real_source_stamp = cache_module.file_stamp, publish._source_stamp
    for module in (cache_module, publish, render):  # each stat of a file, wherever it is asked for
        monkeypatch.setattr(module, "file_stamp", lambda path: (looked_at.append(str(path)), real_stamp(path))[1])
    monkeypatch.setattr(
        publish, "_source_stamp", lambda path: (looked_at.append(str(path)), real_source_stamp(path))[1]
    )
    edited = sorted(sorted((book / "cases").iterdir())[5].glob("0*.md"))[1]
    for touched in (frozenset({edited.relative_to(book).as_posix()}), None):
        looked_at.clear()
        with edited.open("a") as handle:
            handle.write("\nSaved again.\n")
        assert build(book, out, as_of=AS_OF, cache=cache, persist=False, touched=touched).published
        labels = [path for path in looked_at if "/label-" in path]
        if touched is not None:  # only the edited case's own, parsed again
            assert labels and all(path.endswith("/label-5.txt") for path in labels), labels
        else:
            assert len(labels) >= 40 * 2, len(labels)
        assert site_tree(out) == _cold(book, tmp_path)
