"""Derived facts of a case: status periods, response times, gaps, key facts, rights windows.

What a reader at a disputes desk needs in a minute: who waited how long for whom,
what was never answered, which calls were never confirmed in writing, which of the
keeper's own deadlines are running out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from .models import AuditSettings, Case, Config, RightsWindow
from .rights import WindowRule, rules_by_name
from .timeparse import Moment

CONVERSATION_CHANNELS = frozenset({"phone", "in-person", "chat"})  # answered as they happen


@dataclass(frozen=True, slots=True)
class StatusPeriod:
    status: str
    start: datetime
    end: datetime | None  # None: still in this status as of the build
    anchor: str | None  # the entry that set it; None for the initial status

    def duration(self, as_of: datetime) -> timedelta:
        return (self.end or as_of) - self.start


@dataclass(frozen=True, slots=True)
class Response:
    """A message that waited for an answer: by the other side (``theirs``) or by the keeper."""

    anchor: str
    at: Moment
    channel: str
    theirs: bool  # True: the keeper sent it and waited for the counterparty
    reply_anchor: str | None
    waited: timedelta | None  # None: never answered


@dataclass(frozen=True, slots=True)
class WindowState:
    rule: WindowRule
    window: RightsWindow
    ends: datetime
    state: str  # deadline: open, closing, passed; opens: not-yet, open

    def days_left(self, as_of: datetime) -> int:
        return (self.ends - as_of).days


@dataclass(frozen=True, slots=True)
class CaseFacts:
    status_periods: tuple[StatusPeriod, ...]
    time_in_status: tuple[tuple[str, timedelta], ...]
    responses: tuple[Response, ...]
    unconfirmed_calls: tuple[str, ...]  # anchors
    key_facts: tuple[str, ...]  # anchors
    windows: tuple[WindowState, ...]
    started: datetime | None
    ended: datetime | None
    duration: timedelta | None

    @property
    def longest_wait(self) -> Response | None:
        answered = [(r.waited, n, r) for n, r in enumerate(self.responses) if r.waited is not None]
        return max(answered, key=lambda item: (item[0], -item[1]))[2] if answered else None

    @property
    def unanswered(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.waited is None)


def case_facts(case: Case, entries: Sequence, config: Config, as_of: datetime) -> CaseFacts:
    """*entries* are the case's published entries in chronological order (derive.Entry)."""
    started = case.opened.instant if case.opened else (entries[0].interaction.at.instant if entries else None)
    ended = _ended(case, entries)
    periods = _status_periods(case, entries, config, started, case.closed.end if case.closed else None)
    totals: dict[str, timedelta] = defaultdict(timedelta)
    for period in periods:
        totals[period.status] += period.duration(as_of)
    return CaseFacts(
        status_periods=tuple(periods),
        time_in_status=tuple(sorted(totals.items(), key=lambda item: config.statuses.index(item[0])
                                    if item[0] in config.statuses else len(config.statuses))),
        responses=tuple(r for r in _responses(entries) if r.waited is not None or ended is None
                        or r.at.instant < ended),
        unconfirmed_calls=tuple(_unconfirmed_calls(entries, config.audit, as_of)),
        key_facts=tuple(e.anchor for e in entries if e.interaction.key),
        windows=tuple(_windows(case, config, as_of)),
        started=started,
        ended=ended,
        duration=((ended or as_of) - started) if started else None,
    )


def _ended(case: Case, entries: Sequence) -> datetime | None:
    """When the case ended: its closing date, or when it last moved to its current resolved/closed status."""
    if case.closed:
        return case.closed.end
    if case.status in ("resolved", "closed"):
        changes = [e.interaction.at.instant for e in entries if e.interaction.status == case.status]
        return changes[-1] if changes else None
    return None


def _status_periods(case: Case, entries: Sequence, config: Config, started: datetime | None,
                    ended: datetime | None) -> list[StatusPeriod]:
    changes = [(e.interaction.at.instant, e.interaction.status, e.anchor) for e in entries if e.interaction.status]
    if started is None:
        return []
    initial = config.statuses[0] if config.statuses else "open"
    periods: list[StatusPeriod] = []
    current, since, anchor = initial, started, None
    for when, status, change_anchor in changes:
        if status == current:
            continue
        periods.append(StatusPeriod(current, since, max(when, since), anchor))
        current, since, anchor = status, max(when, since), change_anchor
    periods.append(StatusPeriod(current, since, ended, anchor))
    return periods


def _responses(entries: Sequence) -> list[Response]:
    responses = []
    for index, entry in enumerate(entries):
        i = entry.interaction
        if i.direction == "internal" or i.channel in CONVERSATION_CHANNELS:
            continue
        wanted = "in" if i.direction == "out" else "out"
        reply = next((e for e in entries[index + 1:] if e.interaction.direction == wanted), None)
        responses.append(Response(entry.anchor, i.at, i.channel, i.direction == "out",
                                  reply.anchor if reply else None,
                                  (reply.interaction.at.instant - i.at.instant) if reply else None))
    return responses


def _unconfirmed_calls(entries: Sequence, audit: AuditSettings, as_of: datetime) -> list[str]:
    """Calls with no written outbound message within the follow-up time (and the time has passed)."""
    limit = timedelta(hours=audit.followup_hours)
    found = []
    for index, entry in enumerate(entries):
        call = entry.interaction
        if call.channel != "phone" or call.direction == "internal":
            continue
        deadline = call.at.instant + limit
        confirmed = any(e.interaction.direction == "out" and e.interaction.channel not in CONVERSATION_CHANNELS
                        and e.interaction.at.instant <= deadline for e in entries[index + 1:])
        if not confirmed and as_of > deadline:
            found.append(entry.anchor)
    return found


def _windows(case: Case, config: Config, as_of: datetime) -> list[WindowState]:
    rules = rules_by_name(config.windows)
    states = []
    for window in case.windows:
        rule = rules[window.rule]
        ends = window.start.end + timedelta(days=rule.days) if not window.start.has_time \
            else window.start.instant + timedelta(days=rule.days)
        if rule.kind == "opens":
            state = "open" if as_of >= ends else "not-yet"
        elif as_of >= ends:
            state = "passed"
        elif ends - as_of <= timedelta(days=config.audit.warn_days):
            state = "closing"
        else:
            state = "open"
        states.append(WindowState(rule, window, ends, state))
    return states
