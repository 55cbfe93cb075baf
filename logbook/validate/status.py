"""One truth for a case's status: its history, and the current status as the last of it.

The rule (docs/format.md, "Status"): the history starts when the case was opened (else at its first
interaction) with the first configured status; every interaction's ``status:`` is a change at its
time, in chronological order; a ``closed:`` date is a change to ``closed``.  The current status is
the last of these.  A case whose interactions change nothing and which has no ``closed:`` date has
been in the status ``case.md`` gives since it was opened: the record says nothing about when it
changed.  ``case.md``'s ``status:`` must agree with the current status; ``check`` says when not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from logbook.core.diagnostics import Location
from logbook.core.models import Case, Config, Interaction, chronology_key
from logbook.core.records import quick_pickle
from logbook.core.timeparse import Moment

CLOSED = "closed"
ENDING_STATUSES = ("resolved", "closed")  # a change to one of these ends the case


@quick_pickle
@dataclass(frozen=True, slots=True)
class Change:
    """The case entered *status* at *at*; *interaction* set it (None: the opening, or ``closed:``)."""

    status: str
    at: datetime
    interaction: Interaction | None
    location: Location | None  # where the change is written (None for the opening)


def status_history(case: Case, interactions: Iterable[Interaction], config: Config) -> tuple[Change, ...]:
    """The case's status changes in time order."""
    ordered = sorted(interactions, key=chronology_key)
    started = case.opened.instant if case.opened else (ordered[0].at.instant if ordered else None)
    changes = [i for i in ordered if i.status]
    if started is None:
        return ()
    if not changes and case.closed is None:
        return (Change(case.status, started, None, None),)
    history = [Change(config.statuses[0] if config.statuses else case.status, started, None, None)]
    timed: list[tuple[datetime, int, str, Interaction | None, Location]] = [
        (i.at.instant, 0, i.status, i, i.status_location or i.location) for i in changes if i.status
    ]
    if case.closed is not None and CLOSED in config.statuses:
        timed.append((case.closed.instant, 1, CLOSED, None, case.closed_location or case.location))
    for at, _, status, interaction, location in sorted(timed, key=lambda t: (t[0], t[1])):
        if status != history[-1].status:
            history.append(Change(status, max(at, started), interaction, location))
    return tuple(history)


def timed_later_that_day(interactions: Iterable[Interaction], day: Moment) -> list[Moment]:
    """The times of the entries with a time that fall on *day*, a date alone, which sorts at the start
    of it: a change to resolved or closed written so would come before them (check's
    ends-before-its-day; close and status ask for the time instead)."""
    return [i.at for i in interactions if i.at.has_time and day.instant <= i.at.instant < day.end]


def minute_after(moment: Moment, day: Moment) -> str:
    """``HH:MM`` of *moment* on *day*'s clock (the zone *day*, a date alone, was read in), rounded up
    to the minute: the earliest time a change written on that day may give to come no earlier."""
    local = moment.instant.astimezone(day.when.tzinfo)
    return f"{(local + timedelta(seconds=59, microseconds=999999)).replace(second=0, microsecond=0):%H:%M}"


def current_status(case: Case, interactions: Iterable[Interaction], config: Config) -> str:
    history = status_history(case, interactions, config)
    return history[-1].status if history else case.status
