"""collector.long_lived: what a build keeps is frozen out of the cyclic collector's scans and
handed back when the outermost block ends (but a heap someone else froze stays frozen)."""

from __future__ import annotations

import gc

import pytest

from logbook import build as build_module
from logbook.evidence import derive
from logbook.speed import collector
from support.books import REPO


@pytest.fixture
def thawed():
    """A heap with nothing frozen (a serve test in this process may have frozen it)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_blocks_freeze_what_exists_and_only_the_outermost_unfreezes(thawed):
    with collector.long_lived() as settle:
        frozen_at_start = gc.get_freeze_count()
        assert frozen_at_start > 0
        kept = [[] for _ in range(1000)]  # containers the collector tracks
        settle()
        assert gc.get_freeze_count() >= frozen_at_start + len(kept)
        with collector.long_lived():
            pass
        assert gc.get_freeze_count() >= frozen_at_start + len(kept), "an inner block must not unfreeze"
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_before_the_block_stays_frozen(thawed):
    gc.freeze()  # as serve does after each rebuild
    before = gc.get_freeze_count()
    with collector.long_lived():
        pass
    assert gc.get_freeze_count() >= before > 0


def test_inactive_block_leaves_the_collector_alone(thawed):
    with collector.long_lived(active=False) as settle:
        settle()
        assert gc.get_freeze_count() == 0


def test_a_one_off_build_freezes_its_records_while_it_runs_and_hands_them_back(thawed, tmp_path, monkeypatch):
    scanned: list[bool] = []
    real_derive = derive.derive_site

    def watched(logbook, *args, **kwargs):
        assert gc.is_tracked(logbook) and gc.is_tracked(logbook.cases[0])
        ids = {id(o) for o in gc.get_objects()}  # what the collector scans (frozen objects are not listed)
        scanned.append(id(logbook) in ids or id(logbook.cases[0]) in ids)
        return real_derive(logbook, *args, **kwargs)

    monkeypatch.setattr(derive, "derive_site", watched)
    result = build_module.build(REPO / "sample_cases", tmp_path / "site", as_of="2026-01-01", cache=False)
    assert result.published
    assert scanned == [False], "the loaded records should be frozen before derive runs"
    assert gc.get_freeze_count() == 0
