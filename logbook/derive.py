"""The derive stage: from the loaded record to what the site shows.

Chronology is sorted on one key, ``(UTC instant, source path, line)``:
the instant so that entries written in different zones interleave correctly
(and DST folds cannot confuse the order); the path and line so that ties keep
the order in which they were written.  Private cases and interactions are
dropped here, before anything is rendered, so no later stage can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .exhibits import FileFacts, file_facts, safe_file_name
from .models import Attachment, Case, Config, Interaction, Logbook, Promise
from .timeparse import Moment


@dataclass(frozen=True, slots=True)
class Exhibit:
    number: int
    attachment: Attachment
    facts: FileFacts
    output_name: str  # relative to the case page's folder
    entry_anchor: str  # where it was first attached
    entry_at: Moment

    @property
    def file_name(self) -> str:
        return Path(self.attachment.path).name


@dataclass(frozen=True, slots=True)
class PromiseState:
    promise: Promise
    made_at: Moment
    made_in: str  # anchor of the entry making the promise
    state: str  # kept, broken, pending, open (no due date)
    kept_in: str | None = None
    kept_at: Moment | None = None
    late_by: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    interaction: Interaction
    anchor: str
    exhibits: tuple[Exhibit, ...]


@dataclass(frozen=True, slots=True)
class StatusChange:
    at: Moment
    status: str
    anchor: str


@dataclass(frozen=True, slots=True)
class CaseView:
    case: Case
    entries: tuple[Entry, ...]  # chronological
    exhibits: tuple[Exhibit, ...]
    promises: tuple[PromiseState, ...]
    status_changes: tuple[StatusChange, ...]

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


@dataclass(frozen=True, slots=True)
class SiteView:
    root: str  # the logbook folder
    config: Config
    as_of: datetime
    cases: tuple[CaseView, ...]  # by id
    tags: tuple[tuple[str, tuple[CaseView, ...]], ...]  # by tag name

    def timeline(self) -> list[tuple[CaseView, Entry]]:
        """Every published entry of every case, oldest first (same key as a case's chronology)."""
        pairs = [(view, entry) for view in self.cases for entry in view.entries]
        pairs.sort(key=lambda pair: (chronology_key(pair[1].interaction), pair[0].case.id))
        return pairs


def chronology_key(interaction: Interaction) -> tuple[datetime, str, int, int]:
    loc = interaction.location
    return (interaction.at.instant, loc.path, loc.line, interaction.position)


def entry_anchor(moment: Moment) -> str:
    instant = moment.instant
    if not moment.has_time:
        return f"e-{moment.when:%Y%m%d}"
    return f"e-{instant:%Y%m%d-%H%M}" + (f"{instant:%S}" if instant.second else "")


def derive_site(logbook: Logbook, as_of: datetime) -> SiteView:
    root = Path(logbook.root)
    views = tuple(derive_case(case, root, as_of)
                  for case in sorted(logbook.cases, key=lambda c: c.id.casefold()) if not case.private)
    tag_names = sorted({tag for view in views for tag in view.case.tags})
    tags = tuple((tag, tuple(v for v in views if tag in v.case.tags)) for tag in tag_names)
    return SiteView(logbook.root, logbook.config, as_of, views, tags)


def derive_case(case: Case, root: Path, as_of: datetime) -> CaseView:
    interactions = sorted((i for i in case.interactions if not i.private), key=chronology_key)
    anchors = _anchors(interactions)
    exhibits_by_path: dict[str, Exhibit] = {}
    entries = []
    for interaction, anchor in zip(interactions, anchors):
        own = []
        for attachment in interaction.attachments:
            exhibit = exhibits_by_path.get(attachment.path)
            if exhibit is None:
                number = len(exhibits_by_path) + 1
                exhibit = Exhibit(number, attachment, file_facts(root / attachment.path),
                                  f"exhibits/{number}-{safe_file_name(Path(attachment.path).name)}", anchor,
                                  interaction.at)
                exhibits_by_path[attachment.path] = exhibit
            own.append(exhibit)
        entries.append(Entry(interaction, anchor, tuple(own)))
    return CaseView(case, tuple(entries), tuple(exhibits_by_path.values()), _promise_states(entries, as_of),
                    tuple(StatusChange(e.interaction.at, e.interaction.status, e.anchor)
                          for e in entries if e.interaction.status))


def _anchors(interactions: list[Interaction]) -> list[str]:
    seen: dict[str, int] = {}
    anchors = []
    for interaction in interactions:
        base = entry_anchor(interaction.at)
        seen[base] = seen.get(base, 0) + 1
        anchors.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return anchors


def _promise_states(entries: list[Entry], as_of: datetime) -> tuple[PromiseState, ...]:
    keepers: dict[str, Entry] = {}
    for entry in entries:
        for ref in entry.interaction.fulfils:
            keepers.setdefault(ref.id, entry)
    states = []
    for entry in entries:
        for promise in entry.interaction.promises:
            keeper = keepers.get(promise.id) if promise.id else None
            made_at = entry.interaction.at
            if keeper is not None:
                kept_at = keeper.interaction.at
                late = kept_at.instant - promise.due.end if promise.due else None
                states.append(PromiseState(promise, made_at, entry.anchor, "kept", keeper.anchor, kept_at,
                                           late if late and late > timedelta(0) else None))
            elif promise.due is None:
                states.append(PromiseState(promise, made_at, entry.anchor, "open"))
            elif as_of >= promise.due.end:
                states.append(PromiseState(promise, made_at, entry.anchor, "broken"))
            else:
                states.append(PromiseState(promise, made_at, entry.anchor, "pending"))
    return tuple(states)
