"""Page keys (site/pagekeys.py): a one-off build takes from the site it published last every page whose
key is unchanged, linked rather than drawn, so that a day later only the pages that state the moment
are drawn; and whatever is taken, the site equals a cold build with the same --as-of, byte for byte.

A page drawn again gets a new file (a new inode); a page taken from the last site keeps its inode."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from logbook.build import as_of_instant, build
from logbook.evidence.derive import HORIZON, derive_site
from logbook.load.stage import load_logbook
from support.books import site_tree

JUDGED = "deadlines judged as of"


def _inodes(out: Path, suffix: str = ".html") -> dict[str, int]:
    return {
        str(Path(folder, name).relative_to(out)): os.lstat(Path(folder, name)).st_ino
        for folder, _, names in os.walk(out)
        for name in names
        if name.endswith(suffix)
    }


def _stating_the_moment(out: Path) -> set[str]:
    return {rel for rel in _inodes(out) if JUDGED in (out / rel).read_text(encoding="utf-8")}


def _cold(book: Path, tmp_path: Path, as_of: str) -> dict[str, bytes]:
    out = tmp_path / f"cold-{as_of}"
    shutil.rmtree(out, ignore_errors=True)
    assert build(book, out, as_of=as_of, cache=False).published
    return site_tree(out)


def _drawn_between(book: Path, out: Path, first: str, second: str) -> tuple[set[str], set[str], set[str]]:
    """(pages drawn again by the second build, pages stating the moment after the first, after the second)."""
    assert build(book, out, as_of=first).published
    before, judged_before = _inodes(out), _stating_the_moment(out)
    assert build(book, out, as_of=second).published
    after = _inodes(out)
    return {rel for rel in after if before.get(rel) != after[rel]}, judged_before, _stating_the_moment(out)


def test_a_day_later_only_the_pages_that_state_the_moment_are_drawn(sample_book, tmp_path):
    out = tmp_path / "site"
    drawn, judged_before, judged_after = _drawn_between(sample_book, out, "2026-11-01", "2026-11-02")
    assert site_tree(out) == _cold(sample_book, tmp_path, "2026-11-02")
    # exactly the pages whose statements depend on the moment, on either day
    assert drawn == judged_before | judged_after
    assert {"index.html", "attention/index.html"} <= drawn
    cases = {rel for rel in _inodes(out) if re.fullmatch(r"cases/[^/]+/index\.html", rel)}
    assert cases & drawn and cases - drawn  # open cases drawn again, settled ones taken as they were
    assert len(drawn) < len(_inodes(out)) / 3


def test_a_day_later_the_search_index_is_taken_as_it_was(sample_book, tmp_path):
    """Nothing the index is made from depends on the moment: a day later its files are the same, linked."""
    out = tmp_path / "site"
    assert build(sample_book, out, as_of="2026-11-01").published
    before = _inodes(out / "search", ".js")
    assert len(before) > 3 and "manifest.js" in before
    assert build(sample_book, out, as_of="2026-11-02").published
    assert _inodes(out / "search", ".js") == before
    assert site_tree(out) == _cold(sample_book, tmp_path, "2026-11-02")


def test_a_search_file_gone_from_the_published_site_has_the_index_made_again(sample_book, tmp_path):
    out = tmp_path / "site"
    assert build(sample_book, out, as_of="2026-11-01").published
    (out / "search" / "manifest.js").unlink()
    assert build(sample_book, out, as_of="2026-11-02").published
    assert site_tree(out) == _cold(sample_book, tmp_path, "2026-11-02")


def test_a_case_that_settles_overnight_is_drawn_again_and_states_no_moment(sample_book, tmp_path):
    """Between the two days a promise or window of some case reaches its end: its page changes (and
    is drawn), and once nothing on it can change any more it no longer states the moment."""
    loaded = load_logbook(sample_book)
    zone = loaded.logbook.config.timezone

    late = derive_site(loaded.logbook, as_of_instant("2026-10-01", zone), loaded.history)
    settled_late = {v.case.id for v in late.cases if v.judged_as_of is None}
    early = derive_site(loaded.logbook, as_of_instant("2026-06-01", zone), loaded.history)
    settling = {v.case.id for v in early.cases if v.judged_as_of is not None} & settled_late
    assert settling, "the sample has a case running in June 2026 and settled by October"
    out = tmp_path / "site"
    drawn, _, judged_after = _drawn_between(sample_book, out, "2026-06-01", "2026-10-01")
    for case_id in settling:
        assert f"cases/{case_id}/index.html" in drawn
        assert f"cases/{case_id}/index.html" not in judged_after
    assert site_tree(out) == _cold(sample_book, tmp_path, "2026-10-01")


def test_an_evidence_page_states_the_moment_unless_its_case_is_settled(sample_book, tmp_path):
    """docs/format.md, "As of": the dashboard and the attention list always state it, a case's page
    only when something on it depends on it, no other page."""
    loaded = load_logbook(sample_book)
    site = derive_site(loaded.logbook, as_of_instant("2026-11-02", loaded.logbook.config.timezone), loaded.history)
    out = tmp_path / "site"
    assert build(sample_book, out, as_of="2026-11-02", cache=False).published
    stating = _stating_the_moment(out)
    cases = {f"cases/{v.case.id}/index.html": v.judged_as_of is not None for v in site.cases}
    assert True in cases.values() and False in cases.values()
    assert stating == {"index.html", "attention/index.html"} | {page for page, judged in cases.items() if judged}


def test_the_settled_rule_is_the_horizon_rule(sample_book):
    """A view is settled exactly when its facts and promise states as of the build's moment are those
    at the horizon; an open case never is (its length grows)."""
    loaded = load_logbook(sample_book)
    site = derive_site(loaded.logbook, as_of_instant("2026-11-02", loaded.logbook.config.timezone), loaded.history)
    far = derive_site(loaded.logbook, HORIZON, loaded.history)
    for view, at_horizon in zip(site.cases, far.cases):
        same = (view.facts, view.promises) == (at_horizon.facts, at_horizon.promises)
        assert (view.judged_as_of is None) == same, view.case.id
        if view.facts.ended is None:
            assert view.judged_as_of == site.as_of, view.case.id


def test_a_page_changed_in_the_published_site_is_drawn_again(sample_book, tmp_path):
    out = tmp_path / "site"
    assert build(sample_book, out, as_of="2026-11-01").published
    tag_page = next(out.glob("tags/*/index.html"))
    tag_page.write_text("changed by hand", encoding="utf-8")  # the same inode, another size and mtime
    assert build(sample_book, out, as_of="2026-11-02").published
    assert site_tree(out) == _cold(sample_book, tmp_path, "2026-11-02")


def _exhibits(out: Path) -> dict[str, int]:
    """The published exhibits' inodes (an exhibit copied again gets a new file)."""
    return {rel: ino for rel, ino in _inodes(out / "cases", "").items() if "/exhibits/" in rel}


def test_a_day_later_the_exhibits_are_taken_as_they_were(sample_book, tmp_path):
    """An exhibit's content does not depend on the moment: a day later each is linked, not copied again."""
    out = tmp_path / "site"
    assert build(sample_book, out, as_of="2026-11-01").published
    before = _exhibits(out)
    assert len(before) >= 2
    assert build(sample_book, out, as_of="2026-11-02").published
    assert _exhibits(out) == before
    assert site_tree(out) == _cold(sample_book, tmp_path, "2026-11-02")


def test_an_exhibit_changed_at_its_source_or_in_the_site_is_copied_again(sample_book, tmp_path):
    out = tmp_path / "site"
    assert build(sample_book, out, as_of="2026-11-01").published
    before = _exhibits(out)
    source = sample_book / "cases" / "GT-1042" / "rma-5521-label.pdf"
    source.write_bytes(source.read_bytes() + b"\n% a later scan\n")  # another SHA-256, another size
    assert build(sample_book, out, as_of="2026-11-01").published
    after = _exhibits(out)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert changed == {"GT-1042/exhibits/1-rma-5521-label.pdf"}
    assert (out / "cases" / "GT-1042" / "exhibits" / "1-rma-5521-label.pdf").read_bytes() == source.read_bytes()
    assert site_tree(out) == _cold(sample_book, tmp_path, "2026-11-01")
    published = out / "cases" / "GT-1042" / "exhibits" / "2-chat-2026-03-16.png"
    published.write_bytes(b"changed by hand")  # the same inode, another size and mtime
    assert build(sample_book, out, as_of="2026-11-02").published
    assert published.read_bytes() == (sample_book / "cases" / "GT-1042" / "chat-2026-03-16.png").read_bytes()
    assert site_tree(out) == _cold(sample_book, tmp_path, "2026-11-02")


def test_an_edited_case_draws_its_pages_again(sample_book, tmp_path):
    out = tmp_path / "site"
    assert build(sample_book, out, as_of="2026-11-01").published
    before = _inodes(out)
    source = sorted((sample_book / "cases").rglob("*.md"))[-1]
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more line, written later.\n", encoding="utf-8")
    assert build(sample_book, out, as_of="2026-11-01").published
    assert site_tree(out) == _cold(sample_book, tmp_path, "2026-11-01")
    drawn = {rel for rel, ino in _inodes(out).items() if before.get(rel) != ino}
    assert any(rel.startswith("cases/") for rel in drawn) and len(drawn) < len(before)


def _theme(book: Path, template: str, old: str, new: str) -> Path:
    """*book* with a theme "changed" whose *template* is the default one with *old* replaced by *new*."""
    folder = book / "themes" / "changed" / "templates"
    folder.mkdir(parents=True)
    text = (Path(__file__).resolve().parent.parent / "themes" / "default" / "templates" / template).read_text()
    assert old in text
    (folder / template).write_text(text.replace(old, new, 1), encoding="utf-8")
    config = book / "logbook.toml"
    config.write_text(config.read_text().replace("[site]\n", '[site]\ntheme = "changed"\n', 1), encoding="utf-8")
    return book


@pytest.fixture
def moment_on_tag_pages(sample_book: Path) -> Path:
    """A theme whose tag pages print ``site.as_of`` (which the default theme never shows there)."""
    return _theme(sample_book, "tag.html", "{% block main %}", "{% block main %}<p>{{ site.as_of }}</p>")


def test_a_template_that_reads_the_moment_is_drawn_again_when_it_moves(moment_on_tag_pages, tmp_path):
    out = tmp_path / "site"
    drawn, _, _ = _drawn_between(moment_on_tag_pages, out, "2026-11-01", "2026-11-02")
    assert {rel for rel in _inodes(out) if rel.startswith("tags/") and rel != "tags/index.html"} <= drawn
    assert site_tree(out) == _cold(moment_on_tag_pages, tmp_path, "2026-11-02")


@pytest.fixture
def evidence_on_lists(sample_book: Path) -> Path:
    """A theme whose case lists show how many of each case's promises are broken (a view's evidence,
    which the default theme shows only on the evidence page)."""
    cell = '<td>{{ view.case.counterparty or "" }}</td>'
    broken = '<td>{{ view.case.counterparty or "" }} broken={{ view.promises|selectattr("state", "equalto", "broken")|list|length }}</td>'
    return _theme(sample_book, "macros.html", cell, broken)


def test_a_list_page_that_shows_promise_states_is_drawn_again_when_they_change(evidence_on_lists, tmp_path):
    out = tmp_path / "site"
    drawn, _, _ = _drawn_between(evidence_on_lists, out, "2026-03-03", "2026-03-20")
    cold = _cold(evidence_on_lists, tmp_path, "2026-03-20")
    assert site_tree(out) == cold
    assert b"broken=1" in cold["cases/index.html"] and "cases/index.html" in drawn


def test_the_search_index_of_a_logbook_without_cases_follows_its_language(logbook_dir, tmp_path):
    root = logbook_dir({"logbook.toml": '[site]\ntitle = "Empty"\ntimezone = "UTC"\n'})
    out = tmp_path / "site"
    assert build(root, out, as_of="2026-03-01").published
    (root / "logbook.toml").write_text('[site]\ntitle = "Empty"\ntimezone = "UTC"\nlanguage = "de"\n')
    assert build(root, out, as_of="2026-03-01").published
    assert site_tree(out) == _cold(root, tmp_path, "2026-03-01")
    assert '"language":"de"' in (out / "search" / "manifest.js").read_text(encoding="utf-8")


def test_the_staging_folder_never_writes_into_a_file_it_linked(tmp_path):
    """A worker's share done again in the parent draws a page it had linked: the new file must not be
    the published one (a hard link to it), or the live site would change before the swap."""
    from logbook.site.publish import Staging
    from logbook.speed.cache import file_stamp

    published = tmp_path / "site"
    (published / "tags").mkdir(parents=True)
    (published / "tags" / "index.html").write_bytes(b"the published page")
    stamp = file_stamp(published / "tags" / "index.html")
    assert stamp is not None
    staging = Staging(tmp_path / "staging")
    assert staging.link("tags/index.html", published, stamp)
    staging.write("tags/index.html", b"drawn again")
    assert (published / "tags" / "index.html").read_bytes() == b"the published page"
    assert staging.link("tags/index.html", published, stamp)  # linked again over the drawn one
    assert (tmp_path / "staging" / "tags" / "index.html").read_bytes() == b"the published page"


def test_the_watching_environment_answers_every_lookup_as_jinja_does():
    """The environment notes reads of a view's evidence on every attribute and item lookup a page
    makes; every other lookup (a slice, a missing key, an attribute through an item) is as Jinja's."""
    from logbook.speed.fragments import FragmentEnvironment

    env = FragmentEnvironment()
    env.watched_names, env.watched = frozenset({"facts"}), lambda obj, name: isinstance(obj, dict)
    page = "{{ x[1:3] }} {{ d.facts }} {{ d.other is defined }} {{ o.real }}"
    assert env.from_string(page).render(x=[1, 2, 3, 4], d={"facts": 5}, o=2) == "[2, 3] 5 False 2"
    assert env.noted
    env.noted = False
    assert env.from_string("{{ d['facts'] }}").render(d={"facts": 5}) == "5" and env.noted
