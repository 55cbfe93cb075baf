"""Writing many interactions into one case at once (``logbook import``), linear in their number.

``write_interaction`` re-reads and re-parses the whole case before each write, which is right for
one ``add`` and quadratic for an import of 10,000 messages.  A batch is instead planned in full
first: a single file's new sections are each read back alone (with the case's front matter), then
the whole case as it would be after the batch is parsed and checked once, exactly as ``verify``
does for one write.  Only then is anything written, so a
batch never writes a record that fails check, and writes nothing when one would.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from logbook.authoring.interactions import (
    NewInteraction,
    WriteRefused,
    _copy_attachment,
    _fields,
    _interaction_file_name,
    _text,
    _with_names,
    at_text,
    case_zone,
    replace_file,
    section_text,
    stamp,
    verify,
)
from logbook.core.models import Case, Config
from logbook.core.records import quick_pickle
from logbook.core.recordtext import front_matter, message_text
from logbook.core.split import split_front_matter, split_sections
from logbook.core.timeparse import Moment, TimeError, parse_moment
from logbook.load.parse import parse_source
from logbook.store.discover import BundleSource, SingleSource, discover
from logbook.store.textfile import read_regular


@quick_pickle
@dataclass(frozen=True, slots=True)
class Batch:
    """A checked plan: the files to write and their texts (a bundle's new interaction files, or a
    single-file case's new text), and the attachments already stored for them."""

    case: Case
    texts: tuple[tuple[Path, str], ...]
    attachments: tuple[Path, ...]
    single: bool

    @property
    def records(self) -> tuple[Path, ...]:
        return tuple(path for path, _ in self.texts)


def plan_batch(
    root: Path, case: Case, config: Config, news: Sequence[NewInteraction], now: datetime | None = None
) -> Batch:
    """Every interaction of *news* as a checked record for *case*, or WriteRefused (nothing written).

    Attachments are expected in the case's folder already (the importer stores them first, so
    ``check`` finds them); one given from elsewhere is copied there, as ``add`` does."""
    zone = case_zone(case, config)
    case_path = root / case.location.path
    bundle = case.form == "bundle"
    folder = case_path.parent if bundle else case_path.parent / f"{case_path.stem}.attachments"
    base = case_path.parent
    planned: list[tuple[Moment, NewInteraction, dict[str, Any], str]] = []
    attachments: list[Path] = []
    for new in news:
        moment = stamp(new.at, zone, now)
        fields, _ = _fields(new, case, config, zone)
        message = _text(message_text, new.message, "the message")
        for source in new.attachments:
            if not source.is_file():
                raise WriteRefused(f"attachment {source} is not a file")
        copied = [_copy_attachment(source, folder)[0] for source in new.attachments]
        attachments.extend(copied)
        planned.append((moment, new, _with_names(fields, [p.relative_to(base).as_posix() for p in copied]), message))
    if bundle:
        texts = _bundle_texts(root, case, config, folder, planned)
    else:
        texts = ((case_path, _single_text(root, case, config, case_path, planned, zone)),)
    return Batch(case, texts, tuple(dict.fromkeys(attachments)), not bundle)


def _bundle_texts(
    root: Path,
    case: Case,
    config: Config,
    folder: Path,
    planned: list[tuple[Moment, NewInteraction, dict[str, Any], str]],
) -> tuple[tuple[Path, str], ...]:
    source = _bundle_source(root, folder)
    taken: set[str] = set()
    texts: list[tuple[Path, str]] = []
    for moment, new, fields, message in planned:
        name = _interaction_file_name(folder, moment, new, taken)
        taken.add(name)
        record = folder / name
        texts.append((record, front_matter({"at": at_text(moment), **fields}, message)))
    # Not read back one by one: the whole case is parsed once with them, any error refuses the batch, and a
    # bundle's file gives at most one interaction, so the expected count means each gives exactly one.
    contents = {path.relative_to(root).as_posix(): text.encode("utf-8") for path, text in texts}
    whole = replace(source, interaction_files=tuple(sorted({*source.interaction_files, *contents})))
    verify(root, case, config, whole, contents, len(case.interactions) + len(texts))
    return tuple(texts)


def _bundle_source(root: Path, folder: Path) -> BundleSource:
    rel_folder = folder.relative_to(root).as_posix()
    for source in discover(root)[0]:
        if isinstance(source, BundleSource) and source.folder == rel_folder:
            return source
    raise WriteRefused(f"{rel_folder} is no longer a case folder")


def _single_text(
    root: Path,
    case: Case,
    config: Config,
    path: Path,
    planned: list[tuple[Moment, NewInteraction, dict[str, Any], str]],
    zone: Any,
) -> str:
    raw = read_regular(path).decode("utf-8")  # not read_text (it would hide CRLF endings); never a FIFO
    rel = path.relative_to(root).as_posix()
    head = _front_part(raw)
    sections = []
    for moment, _, fields, message in planned:
        section = section_text(moment, fields, message, zone)
        _read_alone(root, config, SingleSource(rel), {rel: (head.rstrip("\n") + "\n\n" + section).encode("utf-8")})
        sections.append((moment, section))
    new_raw = insert_sections(raw, sections, zone)
    verify(
        root, case, config, SingleSource(rel), {rel: new_raw.encode("utf-8")}, len(case.interactions) + len(sections)
    )
    return new_raw


def _front_part(raw: str) -> str:
    """A single file up to its first section: the case alone, to read one new section with."""
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    _, sections = split_sections(split_front_matter(text).body)
    return "\n".join(text.split("\n")[: sections[0].heading_line - 1]) if sections else text


def _read_alone(root: Path, config: Config, source: BundleSource | SingleSource, contents: dict[str, bytes]) -> None:
    """One new record read back with its case file: it must parse without error as one interaction
    (the case-wide checks run once, on the whole case, in ``verify``)."""
    result = parse_source(source, root, config, contents)
    problems = [d for d in result.diagnostics if d.is_error]
    if problems:
        first = problems[0]
        hint = f" ({first.hint})" if first.hint else ""
        raise WriteRefused(
            f"this would write a record that does not pass check ({first.location.path}:"
            f"{first.location.line}: {first.message}{hint}); nothing was written"
        )
    if result.case is None or len(result.case.interactions) != 1:
        raise WriteRefused(f"a new record of {source} would not read back as one interaction; nothing was written")


def insert_sections(raw: str, sections: Sequence[tuple[Moment, str]], zone: Any) -> str:
    """*raw* with each section put before the first existing section that happened later (the same
    place ``insert_section`` gives one at a time), in one pass: the BOM and line endings are kept."""
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    crlf = "\r\n" in raw
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    _, existing = split_sections(split_front_matter(text).body)
    lines = text.split("\n")
    points: list[tuple[Any, int]] = []  # (instant, line index) of each dated section, in file order
    for section in existing:
        try:
            points.append((parse_moment(section.heading, zone, prefix=True).moment.instant, section.heading_line - 1))
        except TimeError:
            continue
    latest: list[Any] = []  # the latest instant up to each dated section: the first later section is found by bisection
    for when, _ in points:
        latest.append(max(when, latest[-1]) if latest else when)
    groups: dict[int | None, list[str]] = {}
    for moment, new_text in sorted(sections, key=lambda s: s[0].instant):
        k = bisect.bisect_right(latest, moment.instant)
        groups.setdefault(points[k][1] if k < len(points) else None, []).append(new_text)
    out, start = [], 0
    for at in sorted(k for k in groups if k is not None):
        out.append(_joined("\n".join(lines[start:at]), groups[at]) + "\n")
        start = at
    rest = "\n".join(lines[start:])
    new_text = "".join(out) + (_joined(rest, groups[None]) if None in groups else rest)
    new_text = new_text if new_text.endswith("\n") else new_text + "\n"
    return bom + (new_text.replace("\n", "\r\n") if crlf else new_text)


def _joined(before: str, sections: list[str]) -> str:
    for section in sections:
        before = before.rstrip("\n") + "\n\n" + section
    return before


def write_batch(batch: Batch) -> tuple[Path, ...]:
    """Write a checked batch: new files opened with "x" (never overwriting), a single file replaced
    atomically.  Returns the records written."""
    for path, text in batch.texts:
        if batch.single:
            replace_file(path, text)
        else:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
    return batch.records
