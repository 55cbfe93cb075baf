"""Checks across records: each a small function ``(cases, config) -> diagnostics``, listed in CHECKS.

Checks of a single value live with its field reader; the ones here need more than
one record (duplicate ids, promise references).
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from .diagnostics import Diagnostic, Location, did_you_mean, error, warning
from .models import Case, Config
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


SITE_CHECKS: tuple[Check, ...] = (duplicate_case_ids,)  # compare cases with each other
CASE_CHECKS: tuple[Check, ...] = (  # look at one case at a time (so serve re-runs them for edited cases only)
    duplicate_promise_ids,
    unknown_fulfilled_promises,
    unknown_parties,
    status_disagrees,
    outbound_tone,
    unredacted_card_numbers,
)
CHECKS: tuple[Check, ...] = SITE_CHECKS + CASE_CHECKS


def run_checks(cases: tuple[Case, ...], config: Config, checks: tuple[Check, ...] = CHECKS) -> list[Diagnostic]:
    return [diagnostic for check in checks for diagnostic in check(cases, config)]


def case_checks(case: Case, config: Config) -> tuple[Diagnostic, ...]:
    """The CASE_CHECKS of one case."""
    return tuple(run_checks((case,), config, CASE_CHECKS))
