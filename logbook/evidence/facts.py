"""Derived facts of a case: status periods, response times, gaps, key facts, rights windows.

What a reader at a disputes desk needs in a minute: who waited how long for whom,
what was never answered, which calls were never confirmed in writing, which of the
keeper's own deadlines are running out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from logbook.core.models import AuditSettings, Case, Config, RightsWindow
from logbook.core.records import quick_pickle
from logbook.core.rights import WindowRule, rules_by_name
from logbook.core.timeparse import Moment, zone_named
from logbook.validate.status import ENDING_STATUSES, status_history

CONVERSATION_CHANNELS = frozenset({"phone", "in-person", "chat"})  # answered as they happen


@quick_pickle
@dataclass(frozen=True, slots=True)
class StatusPeriod:
    status: str
    start: datetime
    end: datetime | None  # None: still in this status as of the build
    anchor: str | None  # the entry that set it, when it is shown
    set_by: str = "entry"  # "start" (the opening), "entry", "closed" (closed: date), "unshown" (entry not shown)
    moment: Moment | None = None  # the change's time as recorded (a date alone stays one): what the page states
    ending: str = ""  # "end": the change that ended the case; "after": one after it; "": a stay

    @property
    def ends_case(self) -> bool:
        """The change that ended the case (the first of the resolved or closed statuses that end the
        history): the end, which has no length."""
        return self.ending == "end"

    @property
    def after_end(self) -> bool:
        """A change after the case had ended (closed after resolved): no time spent in the case either."""
        return self.ending == "after"

    def duration(self, as_of: datetime) -> timedelta:
        """How long the case was in this status: to the next change, or "so far" to *as_of* (none yet
        when it began after an ``--as-of`` set before the record's end, never a negative length)."""
        return (self.end - self.start) if self.end else _elapsed(self.start, as_of)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Response:
    """A message that waited for an answer: by its party (``theirs``) or by the keeper."""

    anchor: str
    at: Moment
    channel: str
    theirs: bool  # True: the keeper sent it and waited for *party* to answer
    reply_anchor: str | None
    waited: timedelta | None  # None: not answered (yet)
    party: str | None = None  # whom it was exchanged with
    reply_channel: str | None = None


@quick_pickle
@dataclass(frozen=True, slots=True)
class WindowState:
    rule: WindowRule
    window: RightsWindow
    ends: datetime  # in the case's zone: the window's days are that zone's calendar days
    state: str  # deadline: open, closing, passed; opens: not-yet, open

    def days_left(self, as_of: datetime) -> int:
        return (self.ends - as_of).days

    @property
    def day(self) -> date:
        """The day a calendar or an audit line names: a deadline's last day, or the day a window opens."""
        return (self.ends - timedelta(microseconds=1)).date() if self.rule.kind == "deadline" else self.ends.date()


@quick_pickle
@dataclass(frozen=True, slots=True)
class CaseFacts:
    status_periods: tuple[StatusPeriod, ...]
    time_in_status: tuple[tuple[str, timedelta], ...]
    responses: tuple[Response, ...]
    unconfirmed_calls: tuple[str, ...]  # anchors of calls past the follow-up time, not confirmed in writing
    key_facts: tuple[str, ...]  # anchors
    windows: tuple[WindowState, ...]
    started: datetime | None
    ended: datetime | None
    duration: timedelta | None
    calls_to_confirm: tuple[str, ...] = ()  # anchors of calls not confirmed yet, inside the follow-up time

    @property
    def longest_wait(self) -> Response | None:
        answered = [(r.waited, n, r) for n, r in enumerate(self.responses) if r.waited is not None]
        return max(answered, key=lambda item: (item[0], -item[1]))[2] if answered else None

    @property
    def unanswered(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.waited is None)


def case_facts(case: Case, entries: Sequence[Any], config: Config, as_of: datetime) -> CaseFacts:
    """*entries* are the case's published entries in chronological order (derive.Entry)."""
    started = case.opened.instant if case.opened else (entries[0].interaction.at.instant if entries else None)
    periods = _status_periods(case, entries, config)
    ended = next((p.start for p in periods if p.ends_case), None)
    calls = _unconfirmed_calls(entries, config.audit, as_of)
    totals: dict[str, timedelta] = defaultdict(timedelta)
    for period in periods:
        if not period.ending:  # the end is no time spent: "closed 0 min" would read as a stay
            totals[period.status] += period.duration(as_of)
    return CaseFacts(
        status_periods=tuple(periods),
        time_in_status=tuple(
            sorted(
                totals.items(),
                key=lambda item: config.statuses.index(item[0]) if item[0] in config.statuses else len(config.statuses),
            )
        ),
        responses=tuple(_responses(entries, ended)),
        unconfirmed_calls=tuple(a for a, late in calls if late),
        calls_to_confirm=tuple(a for a, late in calls if not late),
        key_facts=tuple(e.anchor for e in entries if e.interaction.key),
        windows=tuple(_windows(case, config, as_of)),
        started=started,
        ended=ended,
        duration=((ended - started) if ended else _elapsed(started, as_of)) if started else None,
    )


def _elapsed(start: datetime, as_of: datetime) -> timedelta:
    """The time from *start* to *as_of*, none when *as_of* comes first: never a negative length."""
    return max(as_of - start, timedelta(0))


def _status_periods(case: Case, entries: Sequence[Any], config: Config) -> list[StatusPeriod]:
    """The status history (validate/status.py) as periods; the resolved or closed statuses that end it end
    the case (the first of them is the end; a later one, closed after resolved, comes after it), so
    their periods have no length; a resolved status followed by another is a stay like any other.  The history is the whole record's, private interactions included (their
    changes show without a link), so that the published status is the one ``check`` holds true."""
    anchors = {id(e.interaction): e.anchor for e in entries}
    history = status_history(case, case.interactions, config)
    periods = []
    for n, (change, following) in enumerate(zip(history, (*history[1:], None))):
        end = following.at if following else (change.at if change.status in ENDING_STATUSES else None)
        anchor = anchors.get(id(change.interaction)) if change.interaction is not None else None
        if n == 0:
            set_by, moment = "start", case.opened
        elif change.interaction is None:
            set_by, moment = "closed", case.closed
        else:
            set_by, moment = ("entry" if anchor else "unshown"), change.interaction.at
        periods.append(StatusPeriod(change.status, change.at, end, anchor, set_by, moment))
    final = len(periods)
    while final and periods[final - 1].status in ENDING_STATUSES:
        final -= 1
    return [
        replace(period, ending="" if n < final else ("end" if n == final else "after"))
        for n, period in enumerate(periods)
    ]


def _is_conversation(entry: Any) -> bool:
    return entry.interaction.channel in CONVERSATION_CHANNELS


def _answers(message: Any, later: Any) -> bool:
    """Whether *later* answers *message* (docs/format.md, "Replies"): an exchange with the same
    party, on any channel, that comes from the other side, or is a conversation (a call, a chat,
    a meeting) carrying both sides."""
    m, r = message.interaction, later.interaction
    if r.direction == "internal" or r.party != m.party:
        return False
    return r.direction != m.direction or _is_conversation(later)


def _responses(entries: Sequence[Any], ended: datetime | None) -> list[Response]:
    """Every message that waits for an answer, with the answer found for it.

    A conversation (call, chat, meeting) waits for nothing: it was answered as it happened.  An
    internal note is no message, and a message marked ``expects_reply: false`` (an automatic
    acknowledgement) asks for nothing.  A message sent once the case had ended, or the one that ended it
    (its ``status:`` is resolved or closed), waits for nothing either: nobody owes an answer to a
    closing message."""
    responses = []
    for index, entry in enumerate(entries):
        i = entry.interaction
        if i.direction == "internal" or _is_conversation(entry) or i.status in ENDING_STATUSES or not i.expects_reply:
            continue
        if ended is not None and i.at.instant >= ended:
            continue
        reply = next((e for e in entries[index + 1 :] if _answers(entry, e)), None)
        responses.append(
            Response(
                entry.anchor,
                i.at,
                i.channel,
                i.direction == "out",
                reply.anchor if reply else None,
                (reply.interaction.at.instant - i.at.instant) if reply else None,
                i.party,
                reply.interaction.channel if reply else None,
            )
        )
    return responses


def _unconfirmed_calls(entries: Sequence[Any], audit: AuditSettings, as_of: datetime) -> list[tuple[str, bool]]:
    """Calls with no written outbound message to the same party within the follow-up time, each
    with whether that time has passed (by *as_of*)."""
    limit = timedelta(hours=audit.followup_hours)
    found = []
    for index, entry in enumerate(entries):
        call = entry.interaction
        if call.channel != "phone" or call.direction == "internal":
            continue
        deadline = call.at.instant + limit
        confirmed = any(
            e.interaction.direction == "out"
            and e.interaction.channel not in CONVERSATION_CHANNELS
            and e.interaction.party == call.party
            and e.interaction.at.instant <= deadline
            for e in entries[index + 1 :]
        )
        if not confirmed and call.at.instant <= as_of:
            found.append((entry.anchor, as_of > deadline))
    return found


def window_end(start: Moment, days: int, zone: tzinfo) -> datetime:
    """*days* calendar days after *start* in *zone* (a date alone from the end of that day): counted on
    the wall clock, so a window that spans a change to or from summer time still ends at the hour it
    began, not an hour off as a count in UTC would."""
    if not start.has_time:
        day = start.when.date() + timedelta(days=days + 1)
        return datetime(day.year, day.month, day.day, tzinfo=start.when.tzinfo)
    return start.when.astimezone(zone) + timedelta(days=days)


def _windows(case: Case, config: Config, as_of: datetime) -> list[WindowState]:
    rules = rules_by_name(config.windows)
    zone = zone_named(case.timezone or config.timezone)
    states = []
    for window in case.windows:
        rule = rules[window.rule]
        ends = window_end(window.start, rule.days, zone)
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
