"""Carrying out an import plan through the writer ``logbook add`` uses.

Each attachment is staged in a temporary folder inside the logbook and handed to the writer,
which copies it into the case and never replaces a different file of the same name (it takes
a new name). Bytes already stored in the case under any name are not stored again: the
interaction names the file that holds them. After writing, the logbook is loaded again and
any problem in a written file is returned, so an import cannot leave the record broken
without saying so.
"""

from __future__ import annotations

import hashlib
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..authoring import AuthoringError, NewInteraction, find_case, new_case, write_interaction
from ..diagnostics import Diagnostic
from ..load import load_logbook
from ..models import Case
from .model import Payload
from .plan import ImportPlan, Planned, time_order


@dataclass(frozen=True, slots=True)
class WriteResult:
    records: tuple[Path, ...]  # interaction files (bundles) or case files (single files) written
    files: tuple[Path, ...]  # attachments stored
    diagnostics: tuple[Diagnostic, ...]  # problems ``check`` finds in what was written (none expected)


class _Store:
    """The files of one case folder by SHA-256, so the same bytes are stored once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.by_digest: dict[str, Path] | None = None  # built on first use: a re-import adding nothing hashes nothing

    def existing(self, digest: str) -> Path | None:
        if self.by_digest is None:
            self.by_digest = {}
            if self.folder.is_dir():
                for path in sorted(self.folder.iterdir()):
                    if path.suffix != ".md" and stat.S_ISREG(path.lstat().st_mode):
                        self.by_digest.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
        return self.by_digest.get(digest)

    def remember(self, digest: str, path: Path) -> None:
        if self.by_digest is not None:
            self.by_digest.setdefault(digest, path)


def write_plan(root: Path, plan: ImportPlan) -> WriteResult:
    root = root.resolve()
    cases = dict(plan.cases)
    if plan.new_case and plan.planned:
        case_id, title = plan.new_case
        new_case(root, case_id, title)
        cases[case_id] = find_case(root, case_id)[0]
    records: list[Path] = []
    files: list[Path] = []
    with tempfile.TemporaryDirectory(dir=root, prefix=".logbook-import-") as staging:
        stores: dict[str, _Store] = {}
        for number, item in enumerate(sorted(plan.planned, key=lambda p: (p.case_id, time_order(p.message)))):
            case = cases[item.case_id]
            store = stores.setdefault(case.id, _Store(_attachment_folder(root, case)))
            payloads = [p for p in (item.message.original, *item.message.attachments) if p is not None]
            sources = [_staged(Path(staging) / str(number) / str(k), payload, store) for k, payload in enumerate(payloads)]
            written = write_interaction(root, case, plan.config, _new_interaction(item, case, sources))
            records.append(written.paths[0])
            for payload, stored in zip(payloads, written.paths[1:]):
                store.remember(hashlib.sha256(payload.data).hexdigest(), stored)
                files.append(stored)
    return WriteResult(tuple(dict.fromkeys(records)), tuple(dict.fromkeys(files)), _problems(root, records, files))


def _attachment_folder(root: Path, case: Case) -> Path:
    case_path = root / case.location.path
    return case_path.parent if case.form == "bundle" else case_path.parent / f"{case_path.stem}.attachments"


def _staged(folder: Path, payload: Payload, store: _Store) -> Path:
    """A file the writer can copy: the case's own copy of these bytes when it has one, else a staged copy."""
    digest = hashlib.sha256(payload.data).hexdigest()
    existing = store.existing(digest)
    if existing is not None:
        return existing
    if "/" in payload.name or payload.name in ("", ".", ".."):
        raise AuthoringError(f"attachment name '{payload.name}' would leave the case folder; refused")
    folder.mkdir(parents=True)
    target = folder / payload.name
    with target.open("xb") as handle:
        handle.write(payload.data)
    return target


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
    return tuple(d for d in load_logbook(root).diagnostics if d.is_error and d.location.path in written)
