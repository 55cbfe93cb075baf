"""The record: immutable values that every stage after parsing works on.

Records carry their source location as a field, set when they are parsed, and
never point back at their parents.  Mappings are stored as tuples of pairs so
that records stay hashable and cannot be changed in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from logbook.core.diagnostics import Diagnostic, Location
from logbook.core.records import quick_pickle
from logbook.core.redact import RedactionRules
from logbook.core.rights import WindowRule
from logbook.core.timeparse import Moment

DEFAULT_CHANNELS = ("email", "chat", "phone", "social", "sms", "letter", "in-person", "portal", "note")
DEFAULT_STATUSES = ("open", "waiting", "escalated", "resolved", "closed")
DIRECTIONS = ("in", "out", "internal")
# Roles a party of a case can have (``party_roles`` in logbook.toml replaces the list).
DEFAULT_PARTY_ROLES = (
    "merchant",
    "customer",
    "card-issuer",
    "bank",
    "payment-provider",
    "courier",
    "marketplace",
    "insurer",
    "regulator",
    "ombudsman",
    "authority",
    "landlord",
    "other",
)
# What an ``evidence:`` mark says a record shows; the chargeback checklists read these (docs/format.md).
EVIDENCE_KINDS = (
    "order-proof",
    "delivery-date",
    "defect",
    "return-proof",
    "cancellation-proof",
    "refund-promise",
    "refusal",
)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Agent:
    name: str
    id: str | None = None

    def display(self) -> str:
        return f"{self.name} ({self.id})" if self.id else self.name


@quick_pickle
@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str

    def display(self) -> str:
        return f"{self.value} {self.currency}"


@quick_pickle
@dataclass(frozen=True, slots=True)
class Promise:
    what: str
    due: Moment | None
    by: str | None
    id: str | None
    location: Location = field(compare=False)


@quick_pickle
@dataclass(frozen=True, slots=True)
class PromiseRef:
    """A promise id named in ``fulfils``, with where it was named."""

    id: str
    location: Location = field(compare=False)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to an interaction; ``path`` is relative to the logbook root and finds the file,
    ``name`` is what it is published as (the path's last part, with any card number masked by
    redaction: it names the exhibit's file and link)."""

    path: str
    caption: str | None
    location: Location = field(compare=False)
    evidence: tuple[str, ...] = ()  # what the file shows, as EVIDENCE_KINDS marks
    name: str = ""  # "": the path's last part

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.path.rpartition("/")[2])


@quick_pickle
@dataclass(frozen=True, slots=True)
class Party:
    """Someone a case's messages are exchanged with: its counterparty, or a third party (``parties:``)."""

    name: str
    role: str
    location: Location = field(compare=False)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Interaction:
    at: Moment
    title: str | None
    channel: str
    direction: str
    sender: str | None
    recipient: str | None
    agent: Agent | None
    ref: str | None
    subject: str | None
    status: str | None
    promises: tuple[Promise, ...]
    fulfils: tuple[PromiseRef, ...]
    attachments: tuple[Attachment, ...]
    next_step: str | None
    key: bool
    private: bool
    body: str
    location: Location = field(compare=False)
    body_location: Location = field(compare=False)
    position: int = field(default=0, compare=False)  # order in its source, for stable ties
    section_key: str = field(default="", compare=False)  # single files: the section's identity in git history
    tone: bool = True  # False: the tone check skips this message
    # Whom it was exchanged with: a party's name as the case spells it; the counterparty unless
    # ``party:`` says otherwise; None for an internal note that names no party, or a case with no counterparty.
    party: str | None = None
    party_location: Location | None = field(default=None, compare=False)  # where ``party:`` was written
    expects_reply: bool = True  # False (``expects_reply: false``): an automatic acknowledgement, waiting for nothing
    evidence: tuple[str, ...] = ()  # what it shows, as EVIDENCE_KINDS marks
    status_location: Location | None = field(default=None, compare=False)  # where ``status:`` was written
    cc: str | None = None  # copied to (an imported email's Cc)
    message_id: str | None = None  # the original message's Message-ID (or hash): what makes an import idempotent


def chronology_key(interaction: Interaction) -> tuple[datetime, str, int, int]:
    """The one sort key of a chronology: the UTC instant (zones interleave, DST folds cannot confuse
    the order), then the source path and line, then the position in the file (ties keep their order)."""
    loc = interaction.location
    return (interaction.at.instant, loc.path, loc.line, interaction.position)


@quick_pickle
@dataclass(frozen=True, slots=True)
class RightsWindow:
    """A deadline of the keeper's own, counted from a date: ``{rule: card-chargeback, from: 2026-02-26}``."""

    rule: str
    start: Moment
    location: Location = field(compare=False)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Case:
    id: str
    title: str
    status: str
    opened: Moment | None
    closed: Moment | None
    summary: str | None
    counterparty: str | None
    refs: tuple[tuple[str, str], ...]
    amount: Amount | None
    tags: tuple[str, ...]
    timezone: str | None
    private: bool
    description: str
    interactions: tuple[Interaction, ...]
    form: str = field(compare=False)  # "bundle" or "single"
    location: Location = field(compare=False)
    id_location: Location = field(compare=False)
    description_location: Location = field(compare=False)
    tone: bool = True  # False: the tone check skips this case
    windows: tuple[RightsWindow, ...] = ()
    removed: tuple[tuple[str, str], ...] = ()  # acknowledged removals: (file name or heading time, reason)
    parties: tuple[Party, ...] = ()  # as listed in ``parties:`` (the counterparty too, when it is listed)
    status_location: Location | None = field(default=None, compare=False)  # where ``status:`` was written
    closed_location: Location | None = field(default=None, compare=False)  # where ``closed:`` was written

    def role_of(self, name: str | None) -> str | None:
        """The role of the party called *name*: as listed; the counterparty, unlisted, has the role 'counterparty'."""
        for party in self.parties:
            if party.name == name:
                return party.role
        return "counterparty" if name is not None and name == self.counterparty else None

    def party_names(self) -> tuple[str, ...]:
        """Every party name an interaction may give: the counterparty and the listed parties."""
        names = [self.counterparty] if self.counterparty else []
        return tuple(dict.fromkeys(names + [p.name for p in self.parties]))


@quick_pickle
@dataclass(frozen=True, slots=True)
class ToneRules:
    """``[tone]`` in logbook.toml: what the tone check of outbound messages looks for."""

    enabled: bool = True
    shouting_words: int = 3  # this many words in capitals in a row is shouting
    insults: tuple[str, ...] = ("idiot", "idiots", "incompetent", "useless", "pathetic", "clowns", "morons", "stupid")
    profanity: tuple[str, ...] = ("damn", "crap", "bloody", "hell", "shit", "fuck", "fucking")
    blame: tuple[str, ...] = (
        "your fault",
        "you people",
        "you always",
        "you never",
        "liar",
        "liars",
        "scam",
        "scammers",
        "thieves",
    )


@quick_pickle
@dataclass(frozen=True, slots=True)
class AuditSettings:
    """``[audit]`` in logbook.toml: when the periodic review calls something overdue."""

    stale_days: int = 14  # an open case with no activity for this long
    response_hours: int = 72  # an inbound message unanswered for this long
    followup_hours: int = 48  # a call not confirmed in writing within this long
    warn_days: int = 14  # a rights window or promise this close to its end


@quick_pickle
@dataclass(frozen=True, slots=True)
class GitSettings:
    """``[git]`` in logbook.toml: whether writing commands commit what they wrote (``logbook init`` turns it on)."""

    commit: bool = False


@quick_pickle
@dataclass(frozen=True, slots=True)
class Profile:
    """An export audience (``[profiles.NAME]``): what its packet holds."""

    name: str = ""
    internal: bool = True  # include internal notes
    refs: tuple[str, ...] | None = None  # None: every ref
    redact: bool | None = None  # None: as [redact] says


BUILTIN_PROFILES = (
    Profile("bank", internal=False, redact=True),
    Profile("supervisor"),
    Profile("internal", redact=False),
)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Me:
    """``[me]`` in logbook.toml: the addresses and names that are the keeper's, so an import can tell out from in."""

    addresses: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


@quick_pickle
@dataclass(frozen=True, slots=True)
class Config:
    title: str = "Logbook"
    timezone: str = "UTC"
    language: str = "en"  # the readers' language: a catalogue in logbook/locales (en is the source)
    theme: str | None = None
    keeper: str | None = None  # who keeps this logbook: named on evidence packets
    tags: tuple[tuple[str, str], ...] = ()
    channels: tuple[str, ...] = DEFAULT_CHANNELS
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    party_roles: tuple[str, ...] = DEFAULT_PARTY_ROLES
    has_tag_taxonomy: bool = False
    tone: ToneRules = field(default_factory=lambda: ToneRules())
    windows: tuple[WindowRule, ...] = ()  # custom rules from [windows]; presets are always known
    audit: AuditSettings = field(default_factory=lambda: AuditSettings())
    redact: RedactionRules = field(default_factory=lambda: RedactionRules())
    profiles: tuple[Profile, ...] = BUILTIN_PROFILES  # built-ins, then [profiles.NAME] (a same name replaces)
    git: GitSettings = field(default_factory=lambda: GitSettings())
    me: Me = field(default_factory=lambda: Me())

    def profile(self, name: str) -> Profile | None:
        return {p.name: p for p in self.profiles}.get(name)

    def tag_description(self, tag: str) -> str | None:
        return dict(self.tags).get(tag)

    def keeper_name(self) -> str:
        """How the keeper is named in a sentence: ``keeper`` up to its first comma (the rest is an address)."""
        return (self.keeper or "").split(",")[0].strip() or "you"


@quick_pickle
@dataclass(frozen=True, slots=True)
class Logbook:
    """Everything loaded from one logbook folder."""

    root: str
    config: Config
    cases: tuple[Case, ...]


@quick_pickle
@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did: its diagnostics, whether it published, where, and how much.  Here, below
    both, because the build cache keeps the last build's result to answer a build that would
    change nothing."""

    diagnostics: tuple[Diagnostic, ...]
    published: bool
    out: Path
    pages: int = 0
    files: int = 0
