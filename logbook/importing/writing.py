"""Carrying out an import plan: attachments stored, each case's records planned and checked as one
batch (``logbook.authoring.batch``), then written, and, with ``[git] commit = true``, committed in one commit.

Each attachment is stored in the case folder first, under its sanitised name, never replacing
a file (a name taken by other bytes gets ``-2``, ``-3``…); bytes already stored in the case
under any name are not stored again: the interaction names the file that holds them.  Every
record is then checked before any is written (a refusal removes the files this import stored,
and the case it created), so an import writes nothing that fails check.  After writing (and
committing), the logbook is loaded again and any problem in a written file is returned (none is
expected); that load also saves the build cache, so that a re-import finds the records parsed.
"""

from __future__ import annotations

import hashlib
import re
import stat
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path

from logbook.authoring.batch import Batch, plan_batch, write_batch
from logbook.authoring.commands import AuthoringError, Written, find_case, new_case, notarised
from logbook.authoring.interactions import NewInteraction, WriteRefused
from logbook.core.diagnostics import Diagnostic
from logbook.core.models import Case
from logbook.core.records import quick_pickle
from logbook.store.textfile import read_regular

from .model import Payload
from .plan import ImportPlan, Planned, load_cached, time_order


@quick_pickle
@dataclass(frozen=True, slots=True)
class WriteResult:
    records: tuple[Path, ...]  # interaction files (bundles) or case files (single files) written
    files: tuple[Path, ...]  # attachments stored
    diagnostics: tuple[Diagnostic, ...]  # problems ``check`` finds in what was written (none expected)
    commit: str | None = None  # the commit holding them, with [git] commit = true
    commit_error: str | None = None  # written, but git did not commit them


class _Store:
    """The files of one case folder by SHA-256 and by name, so the same bytes are stored once and a
    taken name is found without trying it (a mailbox where every photo is "image.png")."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.by_digest: dict[str, Path] | None = None  # built on first use: a re-import adding nothing hashes nothing
        self.names: set[str] = set()
        self.fresh: list[Path] = []  # files this import stored, removed again if the import is refused

    def put(self, payload: Payload) -> Path:
        """The case's file holding these bytes: one already there, or a new one under a free name."""
        digest = hashlib.sha256(payload.data).hexdigest()
        known = self._index().get(digest)
        if known is not None:
            return known
        if "/" in payload.name or payload.name.startswith(".") or not payload.name:
            raise AuthoringError(f"attachment name '{payload.name}' would leave or hide in the case folder; refused")
        self.folder.mkdir(parents=True, exist_ok=True)
        stem, dot, suffix = payload.name.rpartition(".")
        name, n = payload.name, 1
        while True:
            if name not in self.names:
                try:
                    with (self.folder / name).open("xb") as handle:  # "x": never replaces anything, a FIFO included
                        handle.write(payload.data)
                    break
                except FileExistsError:
                    pass
            self.names.add(name)
            n += 1
            name = f"{stem}-{n}.{suffix}" if dot else f"{payload.name}-{n}"
        self.names.add(name)
        self._index()[digest] = self.folder / name
        self.fresh.append(self.folder / name)
        return self.folder / name

    def remove_fresh(self) -> None:
        for path in self.fresh:
            path.unlink(missing_ok=True)

    def _index(self) -> dict[str, Path]:
        if self.by_digest is None:
            self.by_digest = {}
            if self.folder.is_dir():
                for path in sorted(self.folder.iterdir()):
                    self.names.add(path.name)
                    if path.suffix != ".md" and stat.S_ISREG(path.lstat().st_mode):
                        self.by_digest.setdefault(hashlib.sha256(read_regular(path)).hexdigest(), path)
        return self.by_digest


def write_plan(root: Path, plan: ImportPlan) -> WriteResult:
    """Write the plan; with ``[git] commit = true`` refuse first when git could not commit exactly
    the import's files (notary.preflight), and commit them in one commit naming the cases."""
    root = root.resolve()
    changing = tuple(root / c.location.path for c in plan.cases.values() if c.form == "single")
    ids = sorted({p.case_id for p in plan.planned})
    count = len(plan.planned)
    message = f"logbook: import {count} message{'s' if count != 1 else ''} into {', '.join(ids)}"
    results: list[WriteResult] = []

    def write() -> Written:
        results.append(_write(root, plan))
        made = results[0]
        return Written((*made.records, *made.files), message=message)

    written = notarised(root, plan.config, changing, message, write)
    made = results[0]
    # Loaded again after the commit, not before: the cache saved then holds the stat of every file
    # written (a file changed in the last 2 s is not trusted, cache.RACY_NS), so that a re-import reads
    # and hashes none of them again; and the history it checks holds the import's commit.
    problems = _problems(root, list(made.records), list(made.files))
    return replace(made, diagnostics=problems, commit=written.commit, commit_error=written.commit_error)


def _write(root: Path, plan: ImportPlan) -> WriteResult:
    cases = dict(plan.cases)
    created: list[Path] = []
    if plan.new_case and plan.planned:
        case_id, title = plan.new_case
        created.extend(new_case(root, case_id, title, commit=False).paths)
        cases[case_id] = find_case(root, case_id)[0]
    stores: dict[str, _Store] = {}
    batches: list[Batch] = []
    try:
        ordered = sorted(plan.planned, key=lambda p: (p.case_id, time_order(p.message)))
        for case_id, items in groupby(ordered, key=lambda p: p.case_id):
            case = cases[case_id]
            store = stores.setdefault(case.id, _Store(_attachment_folder(root, case)))
            news = [_new_interaction(item, case, [store.put(p) for p in _payloads(item)]) for item in items]
            batches.append(plan_batch(root, case, plan.config, news))
    except (WriteRefused, AuthoringError) as exc:
        for store in stores.values():
            store.remove_fresh()
        for path in created:
            path.unlink(missing_ok=True)
            if path.parent.name != "cases" and not any(path.parent.iterdir()):
                path.parent.rmdir()
        raise AuthoringError(str(exc)) from None
    records = [path for batch in batches for path in write_batch(batch)]
    files = [path for store in stores.values() for path in store.fresh]
    return WriteResult(tuple(dict.fromkeys([*created, *records])), tuple(dict.fromkeys(files)), ())


def _payloads(item: Planned) -> list[Payload]:
    return [p for p in (item.message.original, *item.message.attachments) if p is not None]


def _attachment_folder(root: Path, case: Case) -> Path:
    case_path = root / case.location.path
    return case_path.parent if case.form == "bundle" else case_path.parent / f"{case_path.stem}.attachments"


def _new_interaction(item: Planned, case: Case, attachments: list[Path]) -> NewInteraction:
    message = item.message
    body = message.body if case.form == "bundle" else _no_headings(message.body)
    return NewInteraction(
        channel=message.channel,
        direction=item.direction,
        at=message.at_text(),
        sender=message.sender,
        recipient=message.recipient,
        subject=message.subject,
        message=body,
        attachments=tuple(attachments),
        cc=message.cc,
        message_id=message.key,
    )


def _no_headings(body: str) -> str:
    """In a single-file case a ``## `` line starts the next interaction: escape it so it stays text."""
    return re.sub(r"(?m)^( {0,3})(##)(?=\s|$)", r"\1\\\2", body)


def _problems(root: Path, records: list[Path], files: list[Path]) -> tuple[Diagnostic, ...]:
    if not records:
        return ()
    written = {p.relative_to(root).as_posix() for p in (*records, *files)}
    return tuple(d for d in load_cached(root, save=True).diagnostics if d.is_error and d.location.path in written)
