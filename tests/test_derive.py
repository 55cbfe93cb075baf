"""The derive stage: chronology across zones and DST, anchors, promise states."""

from datetime import UTC, datetime

from logbook.evidence.derive import derive_case
from logbook.load.stage import load_logbook

CASE = "---\ntitle: T\nstatus: open\ntimezone: Europe/Berlin\n---\n"


def section(at: str, extra: str = "") -> str:
    return f"\n## {at}\nchannel: note\ndirection: internal\n{extra}\nBody {at}\n"


def test_order_is_by_instant_across_zones_and_the_dst_fold(logbook_dir):
    root = logbook_dir(
        {
            "cases/c.md": CASE
            + section("2026-10-25 02:30+01:00")  # second 02:30 (01:30 UTC)
            + section("2026-10-25 02:10+02:00")  # first 02:10 (00:10 UTC)
            + section("2026-10-25 00:45 UTC")  # between them
            + section("2026-10-24 20:00 America/New_York")  # 00:00 UTC
            + section("2026-10-25 02:10+02:00", "title: same instant, later in the file\n")
        }
    )
    result = load_logbook(root)
    assert result.diagnostics == ()
    view = derive_case(result.logbook.cases[0], root, datetime(2026, 11, 1, tzinfo=UTC))
    times = [e.interaction.at.iso() for e in view.entries]
    assert times == [
        "2026-10-24T20:00:00-04:00",
        "2026-10-25T02:10:00+02:00",
        "2026-10-25T02:10:00+02:00",
        "2026-10-25T00:45:00+00:00",
        "2026-10-25T02:30:00+01:00",
    ]
    assert view.entries[2].interaction.title == "same instant, later in the file"
    assert [e.anchor for e in view.entries] == [
        "e-20261025-0000",
        "e-20261025-0010",
        "e-20261025-0010-2",
        "e-20261025-0045",
        "e-20261025-0130",
    ]


def test_promise_states_as_of(logbook_dir):
    promises = (
        "promises:\n  - {what: kept late, due: 2026-01-02, id: a}\n  - {what: broken, due: 2026-01-03 12:00}\n"
        "  - {what: pending, due: 2026-02-01}\n  - {what: no date}\n"
    )
    root = logbook_dir(
        {"cases/c.md": CASE + section("2026-01-01 10:00", promises) + section("2026-01-04 10:00", "fulfils: a\n")}
    )
    case = load_logbook(root).logbook.cases[0]
    view = derive_case(case, root, datetime(2026, 1, 10, tzinfo=UTC))
    states = {p.promise.what: p for p in view.promises}
    assert {k: v.state for k, v in states.items()} == {
        "kept late": "kept",
        "broken": "broken",
        "pending": "pending",
        "no date": "open",
    }
    kept = states["kept late"]
    assert kept.kept_in == "e-20260104-0900" and str(kept.late_by) == "1 day, 10:00:00"
    earlier = derive_case(case, root, datetime(2026, 1, 3, 10, 59, tzinfo=UTC))
    assert {p.promise.what: p.state for p in earlier.promises}["broken"] == "pending"


def test_an_entry_earlier_than_the_promise_does_not_keep_it(logbook_dir):
    """``check`` stops the build on such a ``fulfils`` (fulfils-before-promise); the derive stage holds
    the rule on its own: the first keeper no earlier than the promise counts, none earlier."""
    early = section("2026-01-10 09:00", "fulfils: refund\n")
    promise = section("2026-01-16 14:00", "promises:\n  - {what: Refund, id: refund, due: 2026-01-20}\n")
    later = section("2026-01-22 10:00", "fulfils: refund\n")
    for body, expected in ((early + promise, ("broken", None)), (early + promise + later, ("kept", "2026-01-22"))):
        root = logbook_dir({"cases/c.md": CASE + body})
        view = derive_case(load_logbook(root).logbook.cases[0], root, datetime(2026, 2, 1, tzinfo=UTC))
        (state,) = view.promises
        assert (state.state, state.kept_at and state.kept_at.date_text()) == expected


def test_a_date_more_than_a_day_ahead_of_the_clock_is_a_future_date(logbook_dir):
    from datetime import timedelta

    from logbook.validate.checks import future_dates

    root = logbook_dir({"cases/c.md": CASE + section("2026-03-02 10:00") + section("2026-03-05 10:00")})
    loaded = load_logbook(root).logbook
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    found = list(future_dates(loaded.cases, loaded.config, now))
    assert [(d.code, d.location.line) for d in found] == [("future-date", 13)]  # its heading
    assert found[0].message == "this interaction is dated 2026-03-05, in the future"
    assert list(future_dates(loaded.cases, loaded.config, now + timedelta(days=2))) == []
