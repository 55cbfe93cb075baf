"""Checks across records: each a small function ``(cases, config) -> diagnostics``, listed in CHECKS.

Checks of a single value live with its field reader; the ones here need more than
one record (duplicate ids, promise references).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields as dataclass_fields
from dataclasses import is_dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from logbook.core.diagnostics import Diagnostic, Location, did_you_mean, error, warning
from logbook.core.models import Agent, Case, Config, Interaction, Promise
from logbook.core.outputs import (
    MAX_FILE_NAME_BYTES,
    SITE_PAGES,
    agent_key,
    agent_page,
    agent_slug,
    case_page,
    folded,
    name_too_long,
    parents,
    tag_page,
)
from logbook.core.redact import unredacted_cards
from logbook.core.timeparse import TimeError, zone_named
from logbook.validate.status import ENDING_STATUSES, minute_after, status_history, timed_later_that_day
from logbook.validate.tone import outbound_tone

Check = Callable[[tuple[Case, ...], Config], Iterable[Diagnostic]]


def duplicate_case_ids(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    first_seen: dict[str, Case] = {}
    for case in cases:
        key = case.id.casefold()
        if key in first_seen:
            other = first_seen[key]
            yield error(
                "duplicate-id",
                f"case id '{case.id}' is already used by {other.location.path}",
                case.id_location,
                "ids are compared ignoring case; give this case its own 'id:'",
            )
        else:
            first_seen[key] = case


def before_opening(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """An interaction earlier than the case's ``opened:``: the status history starts at the opening
    (docs/format.md, "Status"), so the case would seem to open after what happened in it (``logbook
    new`` stamps today when no ``--opened`` is given, and disputes are often typed up later)."""
    for case in cases:
        if case.opened is None:
            continue
        before = [i for i in case.interactions if i.at.end < case.opened.instant]  # a date alone: all that day
        if before:
            first = min(before, key=lambda i: i.at.instant)
            zone, zone_name = _dates_zone(case, config)
            day = first.at.instant.astimezone(zone).strftime("%Y-%m-%d")
            yield warning(
                "before-opening",
                f"this interaction ({day}{'' if day == first.at.date_text() else f' in {zone_name}'}) is "
                f"earlier than the case's opening ({case.opened.date_text()})",
                first.location,
                f"set 'opened: {day}' in {case.location.path} (the first contact), or correct this interaction's 'at'",
            )


def ends_before_its_day(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """A case resolved or closed with a date alone ends at the start of that day (a date alone sorts
    there, docs/format.md "Times"): entries with a time later that day would seem to come after it
    ended, waiting for nothing, and the case's length would stop short of them."""
    for case in cases:
        for change in status_history(case, case.interactions, config)[1:]:
            moment = change.interaction.at if change.interaction is not None else case.closed
            if change.status not in ENDING_STATUSES or moment is None or moment.has_time:
                continue
            later = timed_later_that_day(case.interactions, moment)
            if later and change.location is not None:
                last = max(later, key=lambda at: at.instant)
                field = "closed:" if change.interaction is None else "at:"
                yield warning(
                    "ends-before-its-day",
                    f"the case is {change.status} on {moment.date_text()} with a date alone, which sorts at the start"
                    f" of that day, before {len(later)} entr{'y' if len(later) == 1 else 'ies'} of the same day",
                    change.location,
                    f"give the time it ended, no earlier than the last of them: {field} {moment.date_text()}"
                    f" {minute_after(last, moment)}",
                )


FUTURE_GRACE = timedelta(days=1)  # a date of today in a zone ahead of the machine's clock is no typo


def future_dates(cases: tuple[Case, ...], config: Config, now: datetime | None = None) -> Iterator[Diagnostic]:
    """An interaction, or a case's ``opened:`` or ``closed:``, after the present (a day's grace): most
    often a typo in the year (2062 for 2026), which would put the entry last in the chronology and
    judge every wait and promise around it wrongly.  A promise's due date may well be in the future.
    A site check (run on every load, never kept in the cache): the present moves, the record does not."""
    limit = (now or datetime.now(UTC)) + FUTURE_GRACE
    for case in cases:
        dated = [
            (case.opened, "opened:", case.location),
            (case.closed, "closed:", case.closed_location or case.location),
        ]
        dated += [(i.at, "this interaction", i.location) for i in case.interactions]
        for moment, what, location in dated:
            if moment is not None and moment.instant > limit:
                yield warning(
                    "future-date",
                    f"{what} is dated {moment.date_text()}, in the future",
                    location,
                    "correct the year or the date; only a promise's 'due' may be in the future",
                )


def _dates_zone(case: Case, config: Config) -> tuple[tzinfo, str]:
    """The zone a date alone in *case* is read in, as the parser chooses it (the case's, else the
    logbook's, else UTC), and its name: ``opened: 2026-03-01`` starts at midnight there, so the
    suggested date is the interaction's there (written ``06:53+10:00`` it may be a day ahead)."""
    for name in (case.timezone, config.timezone):
        if name:
            try:
                return zone_named(name.strip()), name.strip()
            except TimeError:
                continue  # reported where the zone is named
    return UTC, "UTC"


def duplicate_promise_ids(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    for case in cases:
        seen: dict[str, str] = {}
        for interaction in case.interactions:
            for promise in interaction.promises:
                if promise.id is None:
                    continue
                if promise.id in seen:
                    yield error(
                        "duplicate-promise-id",
                        f"promise id '{promise.id}' is already used in this case",
                        promise.location,
                        f"first used at {seen[promise.id]}",
                    )
                else:
                    seen[promise.id] = f"{promise.location.path}:{promise.location.line}"


def unknown_fulfilled_promises(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """A ``fulfils:`` must name a promise the case makes, and come no earlier than it: a promise
    cannot be kept before it was made, and the page would call it kept."""
    for case in cases:
        made: dict[str, tuple[Interaction, Promise]] = {}
        for i in case.interactions:
            for p in i.promises:
                if p.id:
                    made.setdefault(p.id, (i, p))
        for interaction in case.interactions:
            for ref in interaction.fulfils:
                if ref.id not in made:
                    yield error(
                        "unknown-promise",
                        f"'fulfils' names promise '{ref.id}', which no interaction of case '{case.id}' makes",
                        ref.location,
                        did_you_mean(ref.id, set(made)) or "give the promise an 'id:' where it is made",
                    )
                    continue
                maker, promise = made[ref.id]
                if interaction.at.end < maker.at.instant:
                    yield error(
                        "fulfils-before-promise",
                        f"'fulfils' names promise '{ref.id}', which is made later, on {maker.at.display()} at"
                        f" {promise.location.path}:{promise.location.line}: a promise cannot be kept before it is made",
                        ref.location,
                        "put 'fulfils' on the entry that kept the promise, or correct one of the two dates",
                    )


def unredacted_card_numbers(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """A full card number in a non-private record sits in plain text in git, whatever the site masks:
    looked for in every text the record holds (body, title, agent, attachment names, ids, …) as a
    reader would see it (``&nbsp;``, escapes, emphasis and fullwidth digits read through)."""
    hint = "keep only the last four digits; the published site masks it" + (
        "" if config.redact.enabled and config.redact.cards else ", but card redaction is off in logbook.toml"
    )
    for case in cases:
        if case.private:
            continue
        records = [(case, "case")] + [(i, "interaction") for i in case.interactions if not i.private]
        for path in sorted({record.location.path for record, _ in records}):  # each file once
            name = path.rpartition("/")[2]
            if name.removesuffix(".md").casefold() == case.id.casefold():
                continue  # the case's id, named by its file: warned about as the id
            start = Location(path)
            for _, last_four in unredacted_cards(name):
                yield warning(
                    "unredacted-card",
                    f"a full payment card number (ending {last_four}) is in this file's name",
                    start,
                    "rename the file (git keeps the old name in its history)",
                )
        for record, kind in records:
            for field, text, base, multiline in record_texts(record, record.location):
                for offset, last_four in unredacted_cards(text):
                    where = "in this record" if field in ("body", "description") else f"in '{field}' of this {kind}"
                    yield warning(
                        "unredacted-card",
                        f"a full payment card number (ending {last_four}) is stored {where}",
                        _located(base, text, offset, multiline),
                        ID_HINT if field in KEYS else hint,
                    )


Claim = tuple[str, str, str, tuple[Location, ...]]
"""A page a case's records give the site: (path, what, identity, where each record asks for it)."""


def page_claims(case: Case) -> tuple[Claim, ...]:
    """Every page one case's records give the site (outputs.py plans them), each (path, what,
    identity) once with the places that ask for it, in the order they first do: the same identity
    at the same path is one page (a tag on many cases, an agent in many interactions).  Made for one
    case, so that serve makes it again only for the cases that changed."""
    if case.private:
        return ()
    claims: dict[tuple[str, str, str], list[Location]] = {}
    claims[case_page(case.id), f"case '{case.id}'", f"case {case.id.casefold()}"] = [case.id_location]
    for tag in case.tags:
        claims.setdefault((tag_page(tag), f"tag '{tag}'", f"tag {tag}"), []).append(case.location)
    agents: dict[Agent, tuple[str, str, str]] = {}  # a case has few agents, each in many interactions
    for interaction in case.interactions:
        agent = interaction.agent
        if agent is not None and not interaction.private:
            if agent not in agents:
                agents[agent] = (
                    agent_page(agent_slug(agent)),
                    f"agent '{agent.display()}'",
                    f"agent {agent_key(agent)}",
                )
            claims.setdefault(agents[agent], []).append(interaction.location)
    return tuple((path, what, identity, tuple(places)) for (path, what, identity), places in claims.items())


def output_conflicts(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """Two records published at one path (equal ignoring case: macOS and Windows disks fold it), or one
    record's page inside a folder that is another's file (a case 'index.html' under cases/index.html)."""
    return page_conflicts([page_claims(case) for case in cases])


def page_conflicts(claims: Iterable[tuple[Claim, ...]]) -> Iterator[Diagnostic]:
    """output_conflicts among the cases' page *claims*, in site order: the first to ask for a path
    has it; every other record asking for it is told where.  The diagnostics follow from the claims
    alone (serve keeps them while the claims are the same)."""
    files: dict[str, tuple[str, str, Location | None]] = {
        folded(p): (p, "the site's own page", None) for p in SITE_PAGES
    }
    identities = {folded(p): "site" for p in SITE_PAGES}
    known: dict[str, tuple[str, ...]] = {}  # path → its folded parents and itself (an agent's comes again and again)
    for of_case in claims:
        for path, what, identity, places in of_case:
            keys = known.get(path)
            if keys is None:
                keys = known[path] = (*map(folded, parents(path)), folded(path))
            for other_key in keys:
                if other_key in files:
                    break
            else:
                files[keys[-1]], identities[keys[-1]] = (path, what, places[0]), identity
                continue
            other_path, other_what, other_where = files[other_key]
            if (
                identities[other_key] == identity
                or identity.startswith("case ")
                and identities[other_key].startswith("case ")
            ):
                continue  # the same page again, or two case ids alike (duplicate-id says so)
            source = f" ({other_where.path}:{other_where.line})" if other_where is not None else ""
            for where in places:
                yield error(
                    "output-conflict",
                    f"{what} would be published at '{path}', which collides with {other_what}{source} at '{other_path}'",
                    where,
                    "file names are compared ignoring case; rename one of them"
                    if other_where is not None
                    else f"'{other_path}' is the site's own page; choose another name",
                )


def overlong_names(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """Names that become file names (case ids, tags, attachments' names) over what a file system holds."""
    for case in cases:
        if (why := name_too_long(case.id)) is not None:
            yield error("name-too-long", f"case id {why}", case.id_location, "use a short id, e.g. 2026-acme-refund")
        for tag in case.tags:
            if (why := name_too_long(tag)) is not None:
                yield error("name-too-long", f"tag '{tag[:40]}…' {why}", case.location, "use a short tag")
        for interaction in case.interactions:
            for attachment in interaction.attachments:
                name = attachment.path.rpartition("/")[2]
                if (why := name_too_long(name, MAX_FILE_NAME_BYTES)) is not None:
                    yield error(
                        "name-too-long",
                        f"attachment name {why}",
                        attachment.location,
                        "rename the file: its exhibit's name must fit a file system",
                    )


def unknown_parties(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """An interaction's ``party:`` must be the counterparty or one of the case's ``parties``: a typo
    would silently make a message to the card issuer count as one to the merchant, or the reverse."""
    for case in cases:
        known = case.party_names()
        for interaction in case.interactions:
            if interaction.party_location is None or interaction.party in known:
                continue
            listed = (
                f"'{case.location.path}' lists: {', '.join(known)}"
                if known
                else f"'{case.location.path}' names no counterparty and no parties"
            )
            yield error(
                "unknown-party",
                f"party '{interaction.party}' is not a party of case '{case.id}' ({listed})",
                interaction.party_location,
                did_you_mean(interaction.party or "", known)
                or "add it under 'parties:' in the case, e.g. {name: …, role: card-issuer}",
            )


def status_disagrees(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """``status:`` in the case must be the last of its status history (status.py), or the header
    and the status history would tell a reader two different things."""
    for case in cases:
        history = status_history(case, case.interactions, config)
        if not history or history[-1].status == case.status or case.status_location is None:
            continue
        last = history[-1]
        where = f"{last.location.path}:{last.location.line}" if last.location else case.location.path
        how = "'closed:'" if last.interaction is None else "'status:'"
        yield error(
            "status-mismatch",
            f"the case says status '{case.status}', but its status history ends with "
            f"'{last.status}' ({how} at {where}, {last.at:%Y-%m-%d})",
            case.status_location,
            f"set 'status: {last.status}' here, or record the change to '{case.status}' with "
            f"'status: {case.status}' on the interaction where it happened",
        )


PLACEHOLDER_BACKGROUND = "Background: what happened, and what you want. (Replace this paragraph with your own words.)"


def leftover_placeholder(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """The placeholder background that ``logbook new`` writes, still there in a case that is published."""
    for case in cases:
        if not case.private and PLACEHOLDER_BACKGROUND in case.description:
            line = next((n for n, text in enumerate(case.description.split("\n")) if PLACEHOLDER_BACKGROUND in text), 0)
            where = case.description_location
            yield warning(
                "placeholder-text",
                "the case still has the placeholder background written by 'logbook new'",
                Location(where.path, where.line + line, 1),
                "replace it with what happened and what you want, in your own words",
            )


def unredacted_card_numbers_in_settings(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """logbook.toml's published texts (the site title, the keeper, tag descriptions) are masked like
    records, and kept in git like them."""
    texts = [("site.title", config.title), ("site.keeper", config.keeper or "")]
    texts += [(f"tags.{tag}", text) for tag, text in config.tags]
    for key, text in texts:
        for _, last_four in unredacted_cards(text):
            yield warning(
                "unredacted-card",
                f"a full payment card number (ending {last_four}) is stored in '{key}'",
                Location("logbook.toml"),
                "keep only the last four digits; the published site masks it",
            )


# Ids that link records are published as they are, never masked.
KEYS = frozenset({"id", "promises.id", "fulfils.id"})
ID_HINT = "ids are published as they are, since they name pages and link records: choose another id"
# Fields holding no free text.
NO_TEXT = frozenset({"status", "channel", "direction", "form", "timezone", "section_key", "rule", "interactions"})


def record_texts(record: object, location: Location, prefix: str = "") -> Iterator[tuple[str, str, Location, bool]]:
    """Every text in a record and the records inside it: (field, text, where it starts, whether the
    text spans lines from there).  Texts with a ``<field>_location`` start there; others at the
    nearest record's own location (a field's own line is not kept)."""
    own = getattr(record, "location", None)
    here = own if isinstance(own, Location) else location
    kind: type = type(record)
    for name, label, start_field in _text_fields(kind):
        start = getattr(record, start_field) if start_field else None
        yield from _texts_in(getattr(record, name), prefix + label, start or here, start is not None)


@functools.lru_cache(maxsize=64)
def _text_fields(record_type: type) -> tuple[tuple[str, str, str | None], ...]:
    """(field, label, the field holding where it starts) for the fields of a record type that may hold text."""
    names = [field.name for field in dataclass_fields(record_type)]
    if "path" in names:  # an attachment's name is the end of its path: looked at there
        names.remove("name")
    return tuple(
        (name, FIELD_LABELS.get(name, name), f"{name}_location" if f"{name}_location" in names else None)
        for name in names
        if name not in NO_TEXT and not name.endswith("location")
    )


def _texts_in(
    value: object, field: str, location: Location, multiline: bool
) -> Iterator[tuple[str, str, Location, bool]]:
    if type(value) is str:
        if value:
            yield field, value, location, multiline
    elif type(value) is tuple:
        for item in value:
            yield from _texts_in(item, field, location, multiline)
    elif type(value).__module__ == "logbook.core.models" and is_dataclass(value):  # records, not times or amounts
        yield from record_texts(value, location, field + ".")


FIELD_LABELS = {"sender": "from", "recipient": "to", "next_step": "next", "attachments": "attachments", "path": "file"}


def _located(base: Location, text: str, offset: int, multiline: bool) -> Location:
    if not multiline:
        return base
    before = text[:offset]
    line = before.count("\n")
    column = offset - (before.rfind("\n") + 1) + 1
    return Location(base.path, base.line + line, (base.column - 1 if line == 0 else 0) + column)


SITE_CHECKS: tuple[Check, ...] = (
    duplicate_case_ids,
    output_conflicts,  # compare cases with each other
    unredacted_card_numbers_in_settings,  # and logbook.toml's published texts
    future_dates,  # against the clock, so never cached with a case's parse
)
CASE_CHECKS: tuple[Check, ...] = (  # look at one case at a time (so serve re-runs them for edited cases only)
    duplicate_promise_ids,
    unknown_fulfilled_promises,
    before_opening,
    ends_before_its_day,
    unknown_parties,
    status_disagrees,
    outbound_tone,
    unredacted_card_numbers,
    overlong_names,
    leftover_placeholder,
)
CHECKS: tuple[Check, ...] = SITE_CHECKS + CASE_CHECKS


def run_checks(cases: tuple[Case, ...], config: Config, checks: tuple[Check, ...] = CHECKS) -> list[Diagnostic]:
    return [diagnostic for check in checks for diagnostic in check(cases, config)]


def site_checks(
    cases: tuple[Case, ...], config: Config, conflicts: Iterable[Diagnostic] | None = None
) -> list[Diagnostic]:
    """The SITE_CHECKS; *conflicts*: the output_conflicts when found already (serve keeps them)."""
    return [
        diagnostic
        for check in SITE_CHECKS
        for diagnostic in (conflicts if check is output_conflicts and conflicts is not None else check(cases, config))
    ]


def case_checks(case: Case, config: Config) -> tuple[Diagnostic, ...]:
    """The CASE_CHECKS of one case."""
    return tuple(run_checks((case,), config, CASE_CHECKS))
