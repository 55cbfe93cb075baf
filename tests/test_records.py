"""quick_pickle: the records a build pickles in bulk come back equal, through their own state, without
the per-object field lookup, and a record packed by the generic dataclass state still loads."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from logbook.build import check
from logbook.core.diagnostics import Location
from logbook.core.records import quick_pickle
from logbook.evidence.derive import derive_site
from support.books import REPO


@pytest.fixture(scope="module")
def sample_site():
    loaded = check(REPO / "sample_cases")
    assert not loaded.has_errors
    return loaded, derive_site(loaded.logbook, datetime(2026, 1, 1, tzinfo=UTC), loaded.history)


def test_the_sample_logbook_and_its_views_survive_pickling(sample_site):
    loaded, site = sample_site
    for value in (loaded.logbook, site.cases):
        assert pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) == value


def test_a_record_state_is_its_field_values_in_order(sample_site):
    loaded, site = sample_site
    view = site.cases[0]
    interaction = view.case.interactions[0]
    for record in (view, view.entries[0], interaction, interaction.at, view.case, view.facts):
        names = [field.name for field in dataclasses.fields(record)]
        assert record.__getstate__() == tuple(getattr(record, name) for name in names)


def test_pickling_no_longer_looks_up_the_fields(sample_site, monkeypatch):
    _, site = sample_site
    calls: list[object] = []
    real = dataclasses.fields

    def counted(cls):
        calls.append(cls)
        return real(cls)

    monkeypatch.setattr(dataclasses, "fields", counted)
    data = pickle.dumps(site.cases, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.loads(data)
    assert calls == []


def test_a_generic_dataclass_state_still_loads():
    """A record packed before (dataclasses' state is a list of the values) loads into the new class."""
    record = Location("cases/a/case.md", 3, 4)
    restored = Location.__new__(Location)
    restored.__setstate__([record.path, record.line, record.column])
    assert restored == record


def test_only_slotted_dataclasses_with_fields():
    @dataclass
    class Loose:
        value: int

    @dataclass(frozen=True, slots=True)
    class Empty:
        pass

    for cls in (Loose, Empty):
        with pytest.raises(TypeError):
            quick_pickle(cls)


def test_one_field_records_pickle_too():
    @dataclass(frozen=True, slots=True)
    class One:
        value: str

    One.__qualname__ = One.__name__  # picklable by name from this module
    globals()["One"] = quick_pickle(One)
    assert One("x").__getstate__() == ("x",)
    assert pickle.loads(pickle.dumps(One("x"))) == One("x")
