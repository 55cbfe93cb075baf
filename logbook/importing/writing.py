"""Carrying out an import plan through the writer ``logbook add`` uses.

Each attachment is stored in the case folder first, under its sanitised name, never replacing
a file (a name taken by other bytes gets ``-2``, ``-3``…); bytes already stored in the case
under any name are not stored again: the interaction names the file that holds them. The
writer then finds each file already in place. After writing, the logbook is loaded again and
any problem in a written file is returned, so an import cannot leave the record broken
without saying so.
"""

from __future__ import annotations

import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from ..authoring import AuthoringError, NewInteraction, find_case, new_case, write_interaction
from ..diagnostics import Diagnostic
from ..models import Case
from .model import Payload
from .plan import ImportPlan, Planned, load_cached, time_order


@dataclass(frozen=True, slots=True)
class WriteResult:
    records: tuple[Path, ...]  # interaction files (bundles) or case files (single files) written
    files: tuple[Path, ...]  # attachments stored
    diagnostics: tuple[Diagnostic, ...]  # problems ``check`` finds in what was written (none expected)


class _Store:
    """The files of one case folder by SHA-256 and by name, so the same bytes are stored once and a
    taken name is found without trying it (a mailbox where every photo is "image.png")."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.by_digest: dict[str, Path] | None = None  # built on first use: a re-import adding nothing hashes nothing
        self.names: set[str] = set()

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
        return self.folder / name

    def _index(self) -> dict[str, Path]:
        if self.by_digest is None:
            self.by_digest = {}
            if self.folder.is_dir():
                for path in sorted(self.folder.iterdir()):
                    self.names.add(path.name)
                    if path.suffix != ".md" and stat.S_ISREG(path.lstat().st_mode):
                        self.by_digest.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
        return self.by_digest


def write_plan(root: Path, plan: ImportPlan) -> WriteResult:
    root = root.resolve()
    cases = dict(plan.cases)
    if plan.new_case and plan.planned:
        case_id, title = plan.new_case
        new_case(root, case_id, title)
        cases[case_id] = find_case(root, case_id)[0]
    records: list[Path] = []
    files: list[Path] = []
    stores: dict[str, _Store] = {}
    for item in sorted(plan.planned, key=lambda p: (p.case_id, time_order(p.message))):
        case = cases[item.case_id]
        store = stores.setdefault(case.id, _Store(_attachment_folder(root, case)))
        payloads = [p for p in (item.message.original, *item.message.attachments) if p is not None]
        stored = [store.put(payload) for payload in payloads]
        written = write_interaction(root, case, plan.config, _new_interaction(item, case, stored))
        records.append(written.paths[0])
        files.extend(stored)
    return WriteResult(tuple(dict.fromkeys(records)), tuple(dict.fromkeys(files)), _problems(root, records, files))


def _attachment_folder(root: Path, case: Case) -> Path:
    case_path = root / case.location.path
    return case_path.parent if case.form == "bundle" else case_path.parent / f"{case_path.stem}.attachments"


def _new_interaction(item: Planned, case: Case, attachments: list[Path]) -> NewInteraction:
    message = item.message
    body = message.body if case.form == "bundle" else _no_headings(message.body)
    return NewInteraction(channel=message.channel, direction=item.direction, at=message.at_text(),
                          sender=message.sender, recipient=message.recipient, subject=message.subject,
                          message=body, attachments=tuple(attachments), cc=message.cc, message_id=message.key)


def _no_headings(body: str) -> str:
    """In a single-file case a ``## `` line starts the next interaction: escape it so it stays text."""
    return re.sub(r"(?m)^( {0,3})(##)(?=\s|$)", r"\1\\\2", body)


def _problems(root: Path, records: list[Path], files: list[Path]) -> tuple[Diagnostic, ...]:
    if not records:
        return ()
    written = {p.relative_to(root).as_posix() for p in (*records, *files)}
    return tuple(d for d in load_cached(root, save=True).diagnostics if d.is_error and d.location.path in written)
