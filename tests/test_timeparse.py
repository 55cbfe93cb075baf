"""Timestamps: every accepted form, DST gaps refused, folds flagged."""

from datetime import timedelta, timezone

import pytest

from logbook.core.timeparse import TimeError, parse_moment, zone_named

BERLIN = zone_named("Europe/Berlin")


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2026-01-16T14:03:00+01:00", "2026-01-16T14:03:00+01:00"),
        ("2026-01-16 14:03Z", "2026-01-16T14:03:00+00:00"),
        ("2026-01-16 14:03 -0500", "2026-01-16T14:03:00-05:00"),
        ("2026-01-16 14:03", "2026-01-16T14:03:00+01:00"),
        ("2026-07-16 14:03:30", "2026-07-16T14:03:30+02:00"),
        ("2026-07-16 9:05 America/New_York", "2026-07-16T09:05:00-04:00"),
        ("2026-01-16", "2026-01-16"),
    ],
)
def test_accepted_forms(text, iso):
    assert parse_moment(text, BERLIN).moment.iso() == iso


def test_date_alone_has_no_time_and_lasts_the_day():
    moment = parse_moment("2026-01-16", BERLIN).moment
    assert not moment.has_time and moment.display() == "2026-01-16 (time not recorded)"
    assert moment.end - moment.instant == timedelta(days=1)


def test_dst_gap_is_an_error():
    with pytest.raises(TimeError) as exc:
        parse_moment("2026-03-29 02:30", BERLIN)
    assert exc.value.code == "nonexistent-time"


def test_dst_fold_is_read_as_first_with_a_warning():
    parsed = parse_moment("2026-10-25 02:30", BERLIN)
    assert parsed.ambiguity and parsed.moment.when.utcoffset() == timedelta(hours=2)
    explicit = parse_moment("2026-10-25 02:30+01:00", BERLIN)
    assert explicit.ambiguity is None and explicit.moment.instant > parsed.moment.instant


@pytest.mark.parametrize(
    "text, code",
    [
        ("14:03", "invalid-datetime"),
        ("2026-02-30", "invalid-datetime"),
        ("2026-01-16 25:00", "invalid-datetime"),
        ("yesterday", "invalid-datetime"),
        ("2026-01-16 10:00 Mars/Base", "unknown-timezone"),
        ("2026-01-16 10:00+24:00", "invalid-datetime"),
    ],
)
def test_rejected(text, code):
    with pytest.raises(TimeError) as exc:
        parse_moment(text, BERLIN)
    assert exc.value.code == code


def test_display_names_zone_and_offset():
    assert parse_moment("2026-01-16 14:03", BERLIN).moment.display() == "2026-01-16 14:03 CET (UTC+01:00)"
    fixed = parse_moment("2026-01-16T14:03:00+05:30", BERLIN).moment
    assert fixed.display() == "2026-01-16 14:03 (UTC+05:30)"
    assert fixed.when.tzinfo == timezone(timedelta(hours=5, minutes=30))
