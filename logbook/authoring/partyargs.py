"""``--party`` and ``--evidence`` on the command line, turned into the fields they write.

``new --party "Northbank:card-issuer"`` adds ``{name, role}`` to the case's ``parties``;
``add --party NAME`` says which party an interaction was with, and ``--evidence KIND``
marks what it proves.  They write fields of the record, so they are offered only where
the record knows those fields (the field tables in ``load/fields.py``).
"""

from __future__ import annotations

from typing import Any

from logbook.authoring.commands import AuthoringError
from logbook.core.recordtext import ValueRefused, one_line


def _known(field: str, table: str) -> bool:
    from logbook.load.fields import CASE_FIELDS, INTERACTION_FIELDS

    specs = CASE_FIELDS if table == "case" else INTERACTION_FIELDS
    return any(spec.name == field for spec in specs)


def _line(value: str, option: str) -> str:
    try:
        return one_line(value, option)
    except ValueRefused as exc:
        raise AuthoringError(str(exc)) from None


def party_fields(given: list[str]) -> tuple[tuple[str, Any], ...]:
    """``parties:`` for ``new``: each ``NAME:ROLE`` (the role after the last colon)."""
    if not given:
        return ()
    if not _known("parties", "case"):
        raise AuthoringError("--party needs a version of logbook whose cases have 'parties'")
    parties = []
    for item in given:
        name, sep, role = _line(item, "--party").rpartition(":")
        if not sep or not name.strip() or not role.strip():
            raise AuthoringError(f"--party '{item}' must be NAME:ROLE, e.g. --party 'Northbank:card-issuer'")
        parties.append({"name": name.strip(), "role": role.strip()})
    return (("parties", parties),)


def interaction_fields(party: str | None, evidence: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    """``party:`` and ``evidence:`` for ``add``."""
    fields: list[tuple[str, Any]] = []
    if party:
        if not _known("party", "interaction"):
            raise AuthoringError("--party needs a version of logbook whose interactions have 'party'")
        fields.append(("party", _line(party, "--party")))
    if evidence:
        if not _known("evidence", "interaction"):
            raise AuthoringError("--evidence needs a version of logbook whose interactions have 'evidence'")
        from logbook.core.diagnostics import did_you_mean
        from logbook.core.models import EVIDENCE_KINDS

        kinds = [_line(kind, "--evidence") for kind in evidence]
        for kind in kinds:
            if kind not in EVIDENCE_KINDS:
                raise AuthoringError(
                    f"--evidence {kind}: not a kind logbook knows; "
                    + (did_you_mean(kind, EVIDENCE_KINDS) or f"one of: {', '.join(EVIDENCE_KINDS)}")
                )
        fields.append(("evidence", kinds))
    return tuple(fields)
