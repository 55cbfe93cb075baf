"""Timestamps as people write them, read exactly once, in the right zone.

Accepted forms (``T`` or a space between date and time; seconds optional)::

    2026-01-16T14:03:00+01:00    offset given: kept as written
    2026-01-16 14:03Z            UTC
    2026-01-16 14:03 Europe/Berlin  an IANA zone name after the time
    2026-01-16 14:03             local: read in the case's (or the site's) zone
    2026-01-16                   a date alone: shown as "time not recorded"

A local time that does not exist in its zone (a DST gap) is an error; one that
happens twice (a DST fold) is read as the first and produces a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logbook.core.records import quick_pickle

UTC = UTC
MIN_YEAR, MAX_YEAR = 1900, 2199  # beyond these, zone rules are guesses and date arithmetic can overflow

TIMESTAMP_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?:\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)|\s+(?P<zone>UTC|[A-Za-z]+(?:/[A-Za-z0-9_+-]+)+))?)?"
)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Moment:
    """A point in time as recorded: aware datetime in the zone it was written in.

    ``has_time`` is False for a date alone; ``when`` is then midnight in the zone.
    """

    when: datetime
    has_time: bool = True

    @property
    def instant(self) -> datetime:
        return self.when.astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The last moment this value covers: a date alone lasts until the next midnight."""
        if self.has_time:
            return self.instant
        return (self.when + timedelta(days=1)).astimezone(UTC)

    def date_text(self) -> str:
        return self.when.strftime("%Y-%m-%d")

    def day_in(self, zone: tzinfo | None) -> date:
        """The day this falls on in *zone* (a page's, or the audit's), where its time is shown; a date
        alone, or no zone, keeps the day as recorded."""
        return self.instant.astimezone(zone).date() if zone is not None and self.has_time else self.when.date()

    def offset_text(self) -> str:
        offset = self.when.utcoffset() or timedelta(0)
        sign = "-" if offset < timedelta(0) else "+"
        minutes = abs(int(offset.total_seconds())) // 60
        return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"

    def display(self) -> str:
        """``2026-01-16 14:03 CET (UTC+01:00)`` or ``2026-01-16 (time not recorded)``."""
        if not self.has_time:
            return f"{self.date_text()} (time not recorded)"
        fmt = "%Y-%m-%d %H:%M:%S" if self.when.second else "%Y-%m-%d %H:%M"
        name = self.when.tzname() if isinstance(self.when.tzinfo, ZoneInfo) else None
        zone = f" {name}" if name and not name.startswith(("+", "-")) and name != "UTC" else ""
        return f"{self.when.strftime(fmt)}{zone} ({self.offset_text()})"

    def iso(self) -> str:
        return self.when.isoformat() if self.has_time else self.date_text()


class TimeError(ValueError):
    """A timestamp that cannot be read; ``code`` is the diagnostic code."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.hint = hint


@quick_pickle
@dataclass(frozen=True, slots=True)
class Parsed:
    moment: Moment
    ambiguity: str | None = None  # warning text for a DST fold
    end: int = 0  # characters of the input consumed


@lru_cache(maxsize=256)
def zone_named(name: str) -> ZoneInfo:
    """The IANA zone *name*; raises TimeError for an unknown one."""
    try:
        if "\x00" in name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        close = _close_zone(name)
        raise TimeError(
            "unknown-timezone",
            f"unknown time zone '{name}'",
            f"did you mean '{close}'?" if close else "use an IANA name such as 'Europe/Berlin' or 'America/New_York'",
        ) from None


def _close_zone(name: str) -> str | None:
    """The IANA zone a misspelt *name* most likely meant (``Asia/Shangai`` → ``Asia/Shanghai``)."""
    import difflib
    from zoneinfo import available_timezones

    zones = sorted(available_timezones())
    by_fold = {z.casefold(): z for z in zones}
    if name.casefold() in by_fold:
        return by_fold[name.casefold()]
    match = difflib.get_close_matches(name.casefold(), list(by_fold), n=1, cutoff=0.8)
    return by_fold[match[0]] if match else None


def parse_moment(text: str, default_zone: tzinfo, *, prefix: bool = False) -> Parsed:
    """Read a timestamp; with ``prefix`` it may be followed by other text (a heading's title)."""
    stripped = text.strip()
    match = TIMESTAMP_RE.match(stripped)
    if not match or (not prefix and match.end() != len(stripped)):
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", stripped):
            raise TimeError(
                "invalid-datetime",
                f"'{stripped}' is a time without a date",
                "write the date too, e.g. 2026-01-16 14:03",
            )
        raise TimeError(
            "invalid-datetime",
            f"'{stripped}' is not a date or date-time",
            "use ISO 8601, e.g. 2026-01-16 or 2026-01-16 14:03 or 2026-01-16T14:03:00+01:00",
        )
    try:
        day = date.fromisoformat(match["date"])
    except ValueError as exc:
        raise TimeError("invalid-datetime", f"'{match['date']}' is not a real date ({exc})") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise TimeError(
            "invalid-datetime", f"'{match['date']}' is outside the years {MIN_YEAR}–{MAX_YEAR}", "check the year"
        )
    if match["time"] is None:
        return Parsed(Moment(datetime.combine(day, time(0), default_zone), has_time=False), end=match.end())
    hms = match["time"].split(":")
    try:
        seconds = float(hms[2]) if len(hms) > 2 else 0.0
        clock = time(int(hms[0]), int(hms[1]), int(seconds), round((seconds % 1) * 1_000_000))
    except ValueError as exc:
        raise TimeError("invalid-datetime", f"'{match['time']}' is not a real time of day ({exc})") from None
    naive = datetime.combine(day, clock)
    if match["offset"]:
        return Parsed(Moment(naive.replace(tzinfo=_offset(match["offset"]))), end=match.end())
    zone = zone_named(match["zone"]) if match["zone"] else default_zone
    moment, ambiguity = localize(naive, zone)
    return Parsed(moment, ambiguity, match.end())


def localize(naive: datetime, zone: tzinfo) -> tuple[Moment, str | None]:
    """Attach *zone* to a wall-clock time, refusing gaps and flagging folds."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    zone_name = getattr(zone, "key", None) or str(zone)
    if round_trip != naive:
        raise TimeError(
            "nonexistent-time",
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name} (clocks skip it for daylight saving)",
            "check the time, or write it with its UTC offset",
        )
    if first.utcoffset() != second.utcoffset():
        a, b = Moment(first).offset_text(), Moment(second).offset_text()
        return Moment(first), (
            f"{naive:%Y-%m-%d %H:%M} happens twice in {zone_name} ({a} and {b}); read as the first ({a})"
        )
    return Moment(first), None


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise TimeError("invalid-datetime", f"'{text}' is not a valid UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
