"""The derive stage: from the loaded record to what the site shows.

Chronology is sorted on one key, ``(UTC instant, source path, line)``:
the instant so that entries written in different zones interleave correctly
(and DST folds cannot confuse the order); the path and line so that ties keep
the order in which they were written.  Private cases and interactions are
dropped here, before anything is rendered, so no later stage can leak them.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from logbook.core.models import Attachment, Case, Config, Interaction, Logbook, Promise, chronology_key
from logbook.core.outputs import exhibit_name
from logbook.core.records import quick_pickle
from logbook.core.redact import redact_record, redact_settings
from logbook.core.timeparse import Moment
from logbook.evidence.facts import CaseFacts, case_facts
from logbook.load.provenance import RemovedRecord, removed_records
from logbook.speed.reuse import Memo
from logbook.speed.workers import run_jobs
from logbook.store.exhibits import FileFacts, file_facts, holds_card
from logbook.store.history import History, Record

NO_HISTORY = History(False, "not read")
# A moment past every deadline, promise and window a record can name: a case whose facts and promise
# states read the same at this moment as at the build's is settled, and its page states no "as of"
# (docs/format.md, "As of"): each rule that reads the moment is a threshold passed once or a length
# that grows, so what is the same now and at the horizon is the same at every moment between.
HORIZON = datetime(9000, 1, 1, tzinfo=UTC)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Exhibit:
    number: int
    attachment: Attachment
    facts: FileFacts
    output_name: str  # relative to the case page's folder
    entry_anchor: str  # where it was first attached
    entry_at: Moment
    provenance: Record | None = None
    withheld: bool = False  # holds a full card number the redaction rules mask: listed, never published

    @property
    def file_name(self) -> str:
        return self.attachment.name  # as published: redacted with the record


@quick_pickle
@dataclass(frozen=True, slots=True)
class PromiseState:
    promise: Promise
    made_at: Moment
    made_in: str  # anchor of the entry making the promise
    state: str  # kept (late when late_by is set), broken, pending, open (no due date): the rule in docs/format.md
    kept_in: str | None = None
    kept_at: Moment | None = None
    late_by: timedelta | None = None


@quick_pickle
@dataclass(frozen=True, slots=True)
class Entry:
    interaction: Interaction
    anchor: str
    exhibits: tuple[Exhibit, ...]
    provenance: Record | None = None  # None: not committed yet, or no git

    @property
    def recording_lag(self) -> timedelta | None:
        """How long after the event it entered the record (first commit).  For a date alone the time of
        the event is not known, only its day: none while the commit falls within that day, else
        counted from the day's end (or, negative, to its start); never a precision the record lacks."""
        if self.provenance is None:
            return None
        at, committed = self.interaction.at, self.provenance.first.date
        if at.has_time or committed < at.instant:
            return committed - at.instant
        return max(committed - at.end, timedelta(0))


@quick_pickle
@dataclass(frozen=True, slots=True)
class StatusChange:
    at: Moment
    status: str
    anchor: str


@quick_pickle
@dataclass(frozen=True, slots=True)
class CaseView:
    case: Case
    entries: tuple[Entry, ...]  # chronological
    exhibits: tuple[Exhibit, ...]
    promises: tuple[PromiseState, ...]
    status_changes: tuple[StatusChange, ...]
    facts: CaseFacts
    removed: tuple[RemovedRecord, ...] = ()
    withdrawn_exhibits: tuple[int, ...] = ()  # numbers of exhibits deleted after being committed
    judged_as_of: datetime | None = None  # the moment its facts are judged at; None: none depends on it

    def entry(self, anchor: str) -> Entry:
        return next(e for e in self.entries if e.anchor == anchor)

    @property
    def last_entry(self) -> Entry | None:
        return self.entries[-1] if self.entries else None

    @property
    def next_step(self) -> str | None:
        for entry in reversed(self.entries):
            if entry.interaction.next_step:
                return entry.interaction.next_step
        return None

    @property
    def last_activity(self) -> datetime | None:
        return self.entries[-1].interaction.at.instant if self.entries else None


@quick_pickle
@dataclass(frozen=True, slots=True)
class SiteView:
    root: str  # the logbook folder
    config: Config
    as_of: datetime
    cases: tuple[CaseView, ...]  # by id
    tags: tuple[tuple[str, tuple[CaseView, ...]], ...]  # by tag name
    history: History = NO_HISTORY

    def timeline(self) -> list[tuple[CaseView, Entry]]:
        """Every published entry of every case, oldest first (same key as a case's chronology)."""
        return list(merge_timeline(self.cases, None).pairs)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Timeline:
    """Every published entry, oldest first, with each one's sort key (for merging in later edits)."""

    views: tuple[CaseView, ...]
    keys: tuple[tuple[tuple[datetime, str, int, int], str], ...]
    pairs: tuple[tuple[CaseView, Entry], ...]


def _timeline_key(view: CaseView, entry: Entry) -> tuple[tuple[datetime, str, int, int], str]:
    return chronology_key(entry.interaction), view.case.id  # unique: no two entries share path and line


@quick_pickle
@dataclass(frozen=True, slots=True)
class Grouped:
    """Published entries grouped by a name (a month, an agent), each group oldest first."""

    views: tuple[CaseView, ...]
    groups: dict[str, tuple[tuple[CaseView, Entry], ...]]  # by name, sorted
    keys: dict[str, tuple[tuple[tuple[datetime, str, int, int], str], ...]]
    names_of: dict[int, frozenset[str]]  # id(view) → the groups its entries are in


def merge_groups(
    views: tuple[CaseView, ...], previous: Grouped | None, group_of: Callable[[CaseView, Entry], str | None]
) -> Grouped:
    """Group every entry (None: in no group); from *previous*, only the groups that new or gone
    views touch are made again, and every other group is the very same object as before."""
    known = {id(v) for v in previous.views} if previous is not None else set()
    current = {id(v) for v in views}
    added = [v for v in views if id(v) not in known]
    if len(added) > 100:  # most cases changed (a new configuration): group from scratch
        previous, known, added = None, set(), list(views)
    gone = [v for v in previous.views if id(v) not in current] if previous is not None else []
    names_of = {} if previous is None else {i: n for i, n in previous.names_of.items() if i in current}
    fresh: dict[str, list[tuple[tuple[tuple[datetime, str, int, int], str], CaseView, Entry]]] = {}
    for view in views if previous is None else added:
        names = []
        for entry in view.entries:
            name = group_of(view, entry)
            if name is not None:
                fresh.setdefault(name, []).append((_timeline_key(view, entry), view, entry))
                names.append(name)
        names_of[id(view)] = frozenset(names)
    if previous is None:
        groups, keys = {}, {}
        for name, items in fresh.items():
            items.sort(key=lambda item: item[0])
            groups[name], keys[name] = tuple((v, e) for _, v, e in items), tuple(k for k, _, _ in items)
    else:
        groups, keys = dict(previous.groups), dict(previous.keys)
        stale = {name for v in gone for name in previous.names_of.get(id(v), ())}
        for name in stale | fresh.keys():
            pairs, order = list(groups.get(name, ())), list(keys.get(name, ()))
            if name in stale:
                kept = [(k, p) for k, p in zip(order, pairs) if id(p[0]) in current]
                order, pairs = [k for k, _ in kept], [p for _, p in kept]
            for key, view, entry in fresh.get(name, ()):
                at = bisect.bisect_left(order, key)
                order.insert(at, key)
                pairs.insert(at, (view, entry))
            if pairs:
                groups[name], keys[name] = tuple(pairs), tuple(order)
            else:
                groups.pop(name, None)
                keys.pop(name, None)
    return Grouped(views, dict(sorted(groups.items())), keys, names_of)


def merge_timeline(views: tuple[CaseView, ...], previous: Timeline | None) -> Timeline:
    """The timeline of *views*; from *previous* (an earlier build's), only the entries of views that
    are new or gone are inserted or dropped, so a one-case edit costs a few binary searches."""
    known = {id(v) for v in previous.views} if previous is not None else set()
    added = [v for v in views if id(v) not in known]
    if previous is None or len(added) > 100:
        keyed = sorted(
            (_timeline_key(view, entry), n, view, entry) for n, view in enumerate(views) for entry in view.entries
        )
        return Timeline(views, tuple(k for k, _, _, _ in keyed), tuple((v, e) for _, _, v, e in keyed))
    current = {id(v) for v in views}
    keys, pairs = list(previous.keys), list(previous.pairs)
    for view in previous.views:
        if id(view) not in current:  # replaced or removed: find its entries by their keys
            for entry in view.entries:
                at = bisect.bisect_left(keys, _timeline_key(view, entry))
                if at == len(pairs) or pairs[at][1] is not entry:  # cannot happen with unique keys
                    return merge_timeline(views, None)
                del keys[at], pairs[at]
    for view in added:
        for entry in view.entries:
            key = _timeline_key(view, entry)
            at = bisect.bisect_left(keys, key)
            keys.insert(at, key)
            pairs.insert(at, (view, entry))
    return Timeline(views, tuple(keys), tuple(pairs))


def entry_anchor(moment: Moment) -> str:
    instant = moment.instant
    if not moment.has_time:
        return f"e-{moment.when:%Y%m%d}"
    return f"e-{instant:%Y%m%d-%H%M}" + (f"{instant:%S}" if instant.second else "")


def derive_site(
    logbook: Logbook,
    as_of: datetime,
    history: History = NO_HISTORY,
    include_private: bool = False,
    memo: Memo | None = None,
) -> SiteView:
    """What is published; ``include_private`` only for the keeper's own terminal views (audit, export).

    With a *memo* (serve), a case whose record, configuration and git records are the same objects as
    last time keeps its view (the same object, so later stages can reuse what they made of it)."""
    root = Path(logbook.root)
    removed = removed_records(logbook.cases, history)

    def view(case: Case, published: Case | None) -> CaseView:
        def derive() -> CaseView:
            return derive_case(
                case, root, as_of, logbook.config, history, removed.get(case.id, ()), include_private, published
            )

        if memo is None:
            return derive()
        view: CaseView = memo.by_identity(
            (case, logbook.config, history.files, history.sections),
            (as_of, removed.get(case.id, ()), include_private, logbook.root),
            derive,
        )
        return view

    cases = [
        case for case in sorted(logbook.cases, key=lambda c: c.id.casefold()) if include_private or not case.private
    ]
    published = _redacted(cases, logbook.config) if memo is None else [None] * len(cases)  # serve: per case, kept
    views = tuple(view(case, redacted) for case, redacted in zip(cases, published))
    tag_names = sorted({tag for view in views for tag in view.case.tags})
    tags = tuple((tag, tuple(v for v in views if tag in v.case.tags)) for tag in tag_names)
    return SiteView(logbook.root, redact_settings(logbook.config), as_of, views, tags, history)  # type: ignore[arg-type]  # redact_settings keeps the Config type but is typed on object (redact.py may not import models)


def _redacted(cases: list[Case], config: Config) -> list[Case]:
    """Each case as published, redacted on every core: a worker hands back only the cases redaction
    changed (few), so the others stay the records already in memory, not copies.  With redaction off
    there is nothing to share out."""
    if not config.redact.enabled:
        return cases
    changed = run_jobs(
        [functools.partial(_changed_by_redaction, case, config) for case in cases],
        [len(case.interactions) + 1 for case in cases],
    )
    return [case if new is None else new for case, new in zip(cases, changed)]


def _changed_by_redaction(case: Case, config: Config) -> Case | None:
    new = redact_record(case, config.redact)
    return None if new is case else new  # type: ignore[return-value]  # redact_record returns the record's own type, typed object (see redact.py)


def derive_case(
    case: Case,
    root: Path,
    as_of: datetime,
    config: Config = Config(),
    history: History = NO_HISTORY,
    removed: tuple[RemovedRecord, ...] = (),
    include_private: bool = False,
    published: Case | None = None,
    internal: bool = True,
) -> CaseView:
    """The view of one case; *published* is the case already redacted, when it has been.  Without
    *internal* (a packet's profile may leave internal notes out) the internal notes are not entries,
    but, as a private interaction's, their status changes are still the case's history."""
    case = published if published is not None else redact_record(case, config.redact)  # type: ignore[assignment]  # redact_record returns the record's own type, typed object (see redact.py)
    removed = tuple(redact_record(r, config.redact) for r in removed)  # type: ignore[misc]  # file names, reasons
    interactions = sorted(
        (
            i
            for i in case.interactions
            if (include_private or not i.private) and (internal or i.direction != "internal")
        ),
        key=chronology_key,
    )
    anchors = _anchors(interactions)
    numbers, withdrawn = _exhibit_numbers(case, interactions, history)
    exhibits_by_path: dict[str, Exhibit] = {}
    entries = []
    for interaction, anchor in zip(interactions, anchors):
        own = []
        for attachment in interaction.attachments:
            exhibit = exhibits_by_path.get(attachment.path)
            if exhibit is None:
                number = numbers[attachment.path]
                file = file_facts(root / attachment.path)
                exhibit = Exhibit(
                    number,
                    attachment,
                    file,
                    exhibit_name(number, attachment.name),
                    anchor,
                    interaction.at,
                    history.file(attachment.path),
                    _withheld(root / attachment.path, file, config),
                )
                exhibits_by_path[attachment.path] = exhibit
            own.append(exhibit)
        entries.append(Entry(interaction, anchor, tuple(own), _provenance(case, interaction, history)))
    facts = case_facts(case, entries, config, as_of)
    promises = _promise_states(entries, as_of)
    settled = case_facts(case, entries, config, HORIZON) == facts and _promise_states(entries, HORIZON) == promises
    # One truth for status (docs/format.md, "Status"): every page shows the last of the history.
    case = replace(case, status=facts.status_periods[-1].status) if facts.status_periods else case
    return CaseView(
        case,
        tuple(entries),
        tuple(sorted(exhibits_by_path.values(), key=lambda x: x.number)),
        promises,
        tuple(StatusChange(e.interaction.at, e.interaction.status, e.anchor) for e in entries if e.interaction.status),
        facts,
        removed,
        withdrawn,
        None if settled else as_of,
    )


def _withheld(path: Path, file: FileFacts, config: Config) -> bool:
    """An exhibit is withheld where card numbers are masked and one stands in it (docs/format.md,
    "Redaction"): its bytes are the evidence, so they are listed with their SHA-256, never altered."""
    return config.redact.enabled and config.redact.cards and holds_card(path, file)


def _provenance(case: Case, interaction: Interaction, history: History) -> Record | None:
    if case.form == "bundle":
        return history.file(interaction.location.path)
    return history.section(interaction.location.path, interaction.section_key)


def _exhibit_numbers(
    case: Case, interactions: list[Interaction], history: History
) -> tuple[dict[str, int], tuple[int, ...]]:
    """Exhibit numbers that never change once committed (Bates-style).

    Exhibits are numbered in the order they entered the record (first commit; ties by
    chronology, then path); uncommitted ones follow in chronological order.  An
    attachment deleted from a bundle after being committed keeps its number, shown as
    withdrawn, so later exhibits are not renumbered.  Without git: chronological order.
    """
    order: dict[str, tuple[int, float, int, str]] = {}
    for position, interaction in enumerate(interactions):
        for attachment in interaction.attachments:
            if attachment.path in order:
                continue
            record = history.file(attachment.path)
            order[attachment.path] = (
                (0, record.first.date.timestamp(), position, attachment.path)
                if record
                else (1, 0.0, position, attachment.path)
            )
    deleted: set[str] = set()
    if case.form == "bundle" and history.available:
        folder = str(Path(case.location.path).parent) + "/"
        for path, record in history.deleted_exhibits:  # why not history.files: that is every file, for every case
            if path.startswith(folder) and path not in order:
                order[path] = (0, record.first.date.timestamp(), len(interactions), path)
                deleted.add(path)
    ranked = sorted(order, key=order.__getitem__)
    numbers = {path: n for n, path in enumerate(ranked, start=1)}
    return numbers, tuple(sorted(numbers[p] for p in deleted))


def _anchors(interactions: list[Interaction]) -> list[str]:
    seen: dict[str, int] = {}
    anchors = []
    for interaction in interactions:
        base = entry_anchor(interaction.at)
        seen[base] = seen.get(base, 0) + 1
        anchors.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return anchors


def _promise_states(entries: list[Entry], as_of: datetime) -> tuple[PromiseState, ...]:
    """Each promise's state by the rule of docs/format.md: kept by the first entry that ``fulfils`` it
    no earlier than it was made (``check`` reports an earlier one)."""
    keepers: dict[str, list[Entry]] = {}
    for entry in entries:
        for ref in entry.interaction.fulfils:
            keepers.setdefault(ref.id, []).append(entry)
    states = []
    for entry in entries:
        for promise in entry.interaction.promises:
            made_at = entry.interaction.at
            keeper = next(
                (k for k in keepers.get(promise.id or "", ()) if k.interaction.at.end >= made_at.instant), None
            )
            if keeper is not None:
                kept_at = keeper.interaction.at
                late = kept_at.instant - promise.due.end if promise.due else None
                states.append(
                    PromiseState(
                        promise,
                        made_at,
                        entry.anchor,
                        "kept",
                        keeper.anchor,
                        kept_at,
                        late if late and late > timedelta(0) else None,
                    )
                )
            elif promise.due is None:
                states.append(PromiseState(promise, made_at, entry.anchor, "open"))
            elif as_of >= promise.due.end:
                states.append(PromiseState(promise, made_at, entry.anchor, "broken"))
            else:
                states.append(PromiseState(promise, made_at, entry.anchor, "pending"))
    return tuple(states)
