"""Joining git history to the record: which interactions were removed after being committed.

Deleting or rewriting what was recorded weakens a record in front of a disputes desk,
so it is never silent: ``check`` warns, and the evidence page lists what was removed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from logbook.core.diagnostics import Diagnostic, Location, warning
from logbook.core.models import Case
from logbook.core.records import quick_pickle
from logbook.store.history import History, Record


@quick_pickle
@dataclass(frozen=True, slots=True)
class RemovedRecord:
    case_id: str
    path: str
    label: str  # file name (bundles) or section heading key (single files)
    record: Record
    reason: str | None = None  # the case's own note on why it was removed


def removed_records(cases: tuple[Case, ...], history: History) -> dict[str, tuple[RemovedRecord, ...]]:
    if not history.available:
        return {}
    removed: dict[str, list[RemovedRecord]] = {}
    for case in cases:
        path = case.location.path
        if case.form == "bundle":
            deleted = history.deleted_files.get(path.rpartition("/")[0], ())
            found = [
                RemovedRecord(case.id, file_path, file_path.rpartition("/")[2], record) for file_path, record in deleted
            ]
        else:
            found = [
                RemovedRecord(case.id, path, key, record) for key, record in history.deleted_sections.get(path, ())
            ]
        if found:
            reasons = dict(case.removed)
            removed[case.id] = [replace(r, reason=reasons.get(r.label)) for r in found]
    return {case_id: tuple(records) for case_id, records in removed.items()}


def deleted_interaction_diagnostics(cases: tuple[Case, ...], history: History) -> list[Diagnostic]:
    by_id = {case.id: case for case in cases}
    diagnostics = []
    for case_id, records in removed_records(cases, history).items():
        for removed in records:
            if removed.reason:
                continue  # acknowledged in the case's 'removed' field
            record = removed.record
            deleted = record.deleted
            assert deleted is not None
            what = (
                f"interaction '{removed.label}'"
                if by_id[case_id].form == "bundle"
                else f"the interaction headed '## {removed.label}'"
            )
            diagnostics.append(
                warning(
                    "deleted-interaction",
                    f"{what} was recorded in commit {record.first.short} ({record.first.date:%Y-%m-%d}) and deleted in "
                    f"commit {deleted.short} ({deleted.date:%Y-%m-%d})",
                    Location(by_id[case_id].location.path),
                    "restore it with git if the deletion was a mistake, or record why under 'removed:' in the case",
                )
            )
    return diagnostics
