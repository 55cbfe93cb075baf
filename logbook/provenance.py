"""Joining git history to the record: which interactions were removed after being committed.

Deleting or rewriting what was recorded weakens a record in front of a disputes desk,
so it is never silent: ``check`` warns, and the evidence page lists what was removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from .diagnostics import Diagnostic, Location, warning
from .discover import CASE_FILE
from .history import History, Record
from .models import Case


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
    deleted_files: dict[str, list[tuple[str, Record]]] = {}  # folder → deleted interaction files in it
    for file_path, record in sorted(history.files.items()):
        name = PurePosixPath(file_path).name
        if record.deleted and file_path.endswith(".md") and name != CASE_FILE:
            deleted_files.setdefault(str(PurePosixPath(file_path).parent), []).append((file_path, record))
    deleted_sections: dict[str, list[tuple[str, Record]]] = {}  # single file → its deleted sections
    for (file_path, key), record in sorted(history.sections.items()):
        if record.deleted:
            deleted_sections.setdefault(file_path, []).append((key, record))
    removed: dict[str, list[RemovedRecord]] = {}
    for case in cases:
        path = case.location.path
        reasons = dict(case.removed)
        if case.form == "bundle":
            for file_path, record in deleted_files.get(str(PurePosixPath(path).parent), ()):
                name = PurePosixPath(file_path).name
                removed.setdefault(case.id, []).append(RemovedRecord(case.id, file_path, name, record, reasons.get(name)))
        else:
            for key, record in deleted_sections.get(path, ()):
                removed.setdefault(case.id, []).append(RemovedRecord(case.id, path, key, record, reasons.get(key)))
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
            what = f"interaction '{removed.label}'" if by_id[case_id].form == "bundle" else \
                f"the interaction headed '## {removed.label}'"
            diagnostics.append(warning(
                "deleted-interaction",
                f"{what} was recorded in commit {record.first.short} ({record.first.date:%Y-%m-%d}) and deleted in "
                f"commit {deleted.short} ({deleted.date:%Y-%m-%d})",
                Location(by_id[case_id].location.path),
                "restore it with git if the deletion was a mistake, or record why under 'removed:' in the case"))
    return diagnostics


