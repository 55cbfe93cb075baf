"""The batch writer (logbook/batch.py): what ``logbook import`` writes many records with.

It must give the records ``add`` would give, one at a time, and keep add's promise: nothing that
fails check is written, and a refusal writes nothing at all.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logbook.authoring.batch import insert_sections, plan_batch, write_batch
from logbook.authoring.interactions import NewInteraction, WriteRefused, insert_section
from logbook.core.timeparse import Moment
from logbook.load.stage import load_logbook
from support.books import run_cli

UTC = UTC
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _case_text(minutes: list[int | None], crlf: bool, bom: bool) -> str:
    """A single-file case whose sections are at these minutes after START (None: a heading that is no time)."""
    parts = ["---\ntitle: T\nstatus: open\n---\n\nBackground.\n"]
    for n, minute in enumerate(minutes):
        heading = "not a time" if minute is None else (START + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M")
        parts.append(f"\n## {heading} Existing {n}\nchannel: note\ndirection: internal\n\nText {n}.\n")
    text = "".join(parts)
    text = text.replace("\n", "\r\n") if crlf else text
    return ("\ufeff" if bom else "") + text


@settings(max_examples=150, deadline=None)
@given(
    existing=st.lists(st.one_of(st.none(), st.integers(0, 50)), max_size=8),
    new=st.lists(st.integers(-5, 55), max_size=8),
    crlf=st.booleans(),
    bom=st.booleans(),
)
def test_sections_in_one_pass_land_where_one_at_a_time_puts_them(existing, new, crlf, bom):
    raw = _case_text(existing, crlf, bom)
    sections = [
        (
            Moment(START + timedelta(minutes=m)),
            f"## {(START + timedelta(minutes=m)):%Y-%m-%d %H:%M} New {k}\nchannel: email\ndirection: in\n\nBody.\n",
        )
        for k, m in enumerate(sorted(new))
    ]
    one_at_a_time = raw
    for moment, section in sections:
        one_at_a_time = insert_section(one_at_a_time, section, moment, UTC)
    assert insert_sections(raw, sections, UTC) == one_at_a_time


@pytest.fixture
def book(tmp_path, capsys, monkeypatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    root = tmp_path / "book"
    assert run_cli(["init", str(root)], capsys)[0] == 0
    assert run_cli(["new", "B-1", "--title", "Bundle", "-C", str(root)], capsys)[0] == 0
    assert run_cli(["new", "S-1", "--title", "Single", "--single-file", "-C", str(root)], capsys)[0] == 0
    return root


def _case(root: Path, case_id: str):
    loaded = load_logbook(root)
    return next(c for c in loaded.logbook.cases if c.id == case_id), loaded.logbook.config


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "cases").rglob("*")) if p.is_file()}


def _messages(n: int) -> list[NewInteraction]:
    order = list(range(n))
    random.Random(n).shuffle(order)  # a batch need not come in time order
    return [
        NewInteraction(
            "email",
            "in",
            at=f"2026-03-01T09:{m:02d}:30+00:00",
            sender="shop@example.org",
            subject=f"Message {m}",
            message=f"Text {m}.",
            message_id=f"m{m}@example.org",
        )
        for m in order
    ]


@pytest.mark.parametrize("case_id", ["B-1", "S-1"])
def test_a_batch_writes_what_add_writes_and_passes_check(book, capsys, case_id):
    case, config = _case(book, case_id)
    before = _files(book)
    batch = plan_batch(book, case, config, _messages(30))
    assert _files(book) == before  # planning wrote nothing
    write_batch(batch)
    loaded = load_logbook(book)
    assert not [d for d in loaded.diagnostics if d.is_error]
    written = next(c for c in loaded.logbook.cases if c.id == case_id)
    assert sorted(i.message_id for i in written.interactions) == sorted(f"m{m}@example.org" for m in range(30))
    assert [i.at.when.second for i in written.interactions] == [30] * 30  # seconds kept
    if case_id == "S-1":  # the file stays in time order
        assert [i.subject for i in written.interactions] == [f"Message {m}" for m in range(30)]


@pytest.mark.parametrize("case_id", ["B-1", "S-1"])
def test_one_bad_record_refuses_the_whole_batch_before_anything_is_written(book, case_id):
    case, config = _case(book, case_id)
    before = _files(book)
    bad = [*_messages(5), NewInteraction("email", "in", at="2026-03-01 10:00", subject="two\nlines")]
    with pytest.raises(WriteRefused, match="must be one line"):
        plan_batch(book, case, config, bad)
    wrong_channel = [*_messages(5), NewInteraction("fax", "in", at="2026-03-01 10:00")]
    with pytest.raises(WriteRefused, match="channel 'fax'"):
        plan_batch(book, case, config, wrong_channel)
    assert _files(book) == before


def test_a_batch_is_checked_as_a_whole_case_too(book, capsys):
    """Each record can be fine alone and the case not: two interactions in one bundle may not give
    the same promise id (a case-wide check), so the batch is refused."""
    case, config = _case(book, "B-1")
    extra = (("promises", [{"what": "Refund", "id": "refund"}]),)
    news = [NewInteraction("email", "in", at=f"2026-03-01 10:0{k}", extra=extra) for k in range(2)]
    before = _files(book)
    with pytest.raises(WriteRefused, match="does not pass check"):
        plan_batch(book, case, config, news)
    assert _files(book) == before
