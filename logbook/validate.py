"""Checks across records: each a small function ``(cases, config) -> diagnostics``, listed in CHECKS.

Checks of a single value live with its field reader; the ones here need more than
one record (duplicate ids, promise references).
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from .diagnostics import Diagnostic, Location, did_you_mean, error, warning
from .models import Case, Config
from .outputs import (MAX_FILE_NAME_BYTES, SITE_PAGES, agent_key, agent_page, agent_slug, case_page, folded,
                      name_too_long, parents, tag_page)
from .redact import card_numbers, may_hold_card
from .status import status_history
from .tone import outbound_tone

Check = Callable[[tuple[Case, ...], Config], Iterable[Diagnostic]]


def duplicate_case_ids(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    first_seen: dict[str, Case] = {}
    for case in cases:
        key = case.id.casefold()
        if key in first_seen:
            other = first_seen[key]
            yield error("duplicate-id", f"case id '{case.id}' is already used by {other.location.path}",
                        case.id_location, "ids are compared ignoring case; give this case its own 'id:'")
        else:
            first_seen[key] = case


def duplicate_promise_ids(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    for case in cases:
        seen: dict[str, str] = {}
        for interaction in case.interactions:
            for promise in interaction.promises:
                if promise.id is None:
                    continue
                if promise.id in seen:
                    yield error("duplicate-promise-id", f"promise id '{promise.id}' is already used in this case",
                                promise.location, f"first used at {seen[promise.id]}")
                else:
                    seen[promise.id] = f"{promise.location.path}:{promise.location.line}"


def unknown_fulfilled_promises(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    for case in cases:
        known = {p.id for i in case.interactions for p in i.promises if p.id}
        for interaction in case.interactions:
            for ref in interaction.fulfils:
                if ref.id not in known:
                    yield error("unknown-promise", f"'fulfils' names promise '{ref.id}', which no interaction of "
                                f"case '{case.id}' makes", ref.location,
                                did_you_mean(ref.id, known) or "give the promise an 'id:' where it is made")


def unredacted_card_numbers(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """A full card number in a non-private record sits in plain text in git, whatever the site masks."""
    for case in cases:
        if case.private:
            continue
        for interaction in case.interactions:
            if interaction.private or not may_hold_card(interaction.body):
                continue
            for offset, line in enumerate(interaction.body.split("\n")):
                for match in card_numbers(line):
                    digits = "".join(c for c in match[0] if c.isdigit())
                    yield warning("unredacted-card", f"a full payment card number (ending {digits[-4:]}) is stored "
                                  "in this record", Location(interaction.body_location.path,
                                                             interaction.body_location.line + offset, match.start() + 1),
                                  "keep only the last four digits; the published site masks it"
                                  + ("" if config.redact.enabled and config.redact.cards else
                                     ", but card redaction is off in logbook.toml"))


def _record_outputs(cases: tuple[Case, ...]) -> Iterator[tuple[str, str, Location, str]]:
    """(path, what, where, identity) of every page a record gives the site (outputs.py plans them);
    the same identity at the same path is one page (a tag on many cases, an agent in many interactions)."""
    for case in cases:
        if case.private:
            continue
        yield case_page(case.id), f"case '{case.id}'", case.id_location, f"case {case.id.casefold()}"
        for tag in case.tags:
            yield tag_page(tag), f"tag '{tag}'", case.location, f"tag {tag}"
        for interaction in case.interactions:
            if interaction.agent is not None and not interaction.private:
                yield (agent_page(agent_slug(interaction.agent)), f"agent '{interaction.agent.display()}'",
                       interaction.location, f"agent {agent_key(interaction.agent)}")


def output_conflicts(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """Two records published at one path (equal ignoring case: macOS and Windows disks fold it), or one
    record's page inside a folder that is another's file (a case 'index.html' under cases/index.html)."""
    files: dict[str, tuple[str, str, Location | None]] = {folded(p): (p, "the site's own page", None)
                                                          for p in SITE_PAGES}
    identities = {folded(p): "site" for p in SITE_PAGES}
    for path, what, where, identity in _record_outputs(cases):
        key = folded(path)
        clash = next(((files[k], k) for k in (*map(folded, parents(path)), key) if k in files), None)
        if clash is None:
            files[key], identities[key] = (path, what, where), identity
            continue
        (other_path, other_what, other_where), other_key = clash
        if identities[other_key] == identity or identity.startswith("case ") and identities[other_key].startswith("case "):
            continue  # the same page again, or two case ids alike (duplicate-id says so)
        source = f" ({other_where.path}:{other_where.line})" if other_where is not None else ""
        yield error("output-conflict", f"{what} would be published at '{path}', which collides with {other_what}"
                    f"{source} at '{other_path}'", where,
                    "file names are compared ignoring case; rename one of them" if other_where is not None
                    else f"'{other_path}' is the site's own page; choose another name")


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
                    yield error("name-too-long", f"attachment name {why}", attachment.location,
                                "rename the file: its exhibit's name must fit a file system")


def unknown_parties(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """An interaction's ``party:`` must be the counterparty or one of the case's ``parties``: a typo
    would silently make a message to the card issuer count as one to the merchant, or the reverse."""
    for case in cases:
        known = case.party_names()
        for interaction in case.interactions:
            if interaction.party_location is None or interaction.party in known:
                continue
            listed = f"'{case.location.path}' lists: {', '.join(known)}" if known else \
                f"'{case.location.path}' names no counterparty and no parties"
            yield error("unknown-party", f"party '{interaction.party}' is not a party of case '{case.id}' ({listed})",
                        interaction.party_location, did_you_mean(interaction.party or "", known)
                        or "add it under 'parties:' in the case, e.g. {name: …, role: card-issuer}")


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
        yield error("status-mismatch", f"the case says status '{case.status}', but its status history ends with "
                    f"'{last.status}' ({how} at {where}, {last.at:%Y-%m-%d})", case.status_location,
                    f"set 'status: {last.status}' here, or record the change to '{case.status}' with "
                    f"'status: {case.status}' on the interaction where it happened")


PLACEHOLDER_BACKGROUND = ("Background: what happened, and what you want. "
                          "(Replace this paragraph with your own words.)")


def leftover_placeholder(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    """The placeholder background that ``logbook new`` writes, still there in a case that is published."""
    for case in cases:
        if not case.private and PLACEHOLDER_BACKGROUND in case.description:
            line = next((n for n, text in enumerate(case.description.split("\n")) if PLACEHOLDER_BACKGROUND in text), 0)
            where = case.description_location
            yield warning("placeholder-text", "the case still has the placeholder background written by 'logbook new'",
                          Location(where.path, where.line + line, 1),
                          "replace it with what happened and what you want, in your own words")


SITE_CHECKS: tuple[Check, ...] = (duplicate_case_ids, output_conflicts)  # compare cases with each other
CASE_CHECKS: tuple[Check, ...] = (  # look at one case at a time (so serve re-runs them for edited cases only)
    duplicate_promise_ids,
    unknown_fulfilled_promises,
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


def case_checks(case: Case, config: Config) -> tuple[Diagnostic, ...]:
    """The CASE_CHECKS of one case."""
    return tuple(run_checks((case,), config, CASE_CHECKS))
