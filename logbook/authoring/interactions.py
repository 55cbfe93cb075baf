"""Writing one interaction into a case: a new file in a bundle, a new section in a single file.

``write_interaction`` is the one writer of interactions (``add``, ``status``, ``close``,
``followup --record`` and the email importer use it).  It never overwrites: a bundle gets
a new file opened with "x"; a single file is rewritten atomically with the new section
put in chronological order.  Before anything is written the new record is parsed by
logbook's own reader, and refused if it would not pass ``check`` or would not add exactly
one interaction; so what it writes is what is read.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from logbook.core.models import Case, Config
from logbook.core.records import quick_pickle
from logbook.core.recordtext import ValueRefused, front_matter, message_text, one_line, section_body, yaml_lines
from logbook.core.split import split_front_matter, split_sections
from logbook.core.timeparse import TIMESTAMP_RE, Moment, TimeError, parse_moment, zone_named
from logbook.load.parse import parse_source
from logbook.store.discover import BundleSource, SingleSource
from logbook.store.textfile import copy_regular, read_regular
from logbook.validate.checks import case_checks


class WriteRefused(Exception):
    """What was asked cannot be written as a valid record; nothing has been written."""


@quick_pickle
@dataclass(frozen=True, slots=True)
class PromiseGiven:
    """A promise as given on the command line (``--promise … --due … --promise-id … --by …``)."""

    what: str
    due: str | None = None
    id: str | None = None
    by: str | None = None


@quick_pickle
@dataclass(frozen=True, slots=True)
class NewInteraction:
    """An interaction to record, as the user gave it (text, not yet parsed)."""

    channel: str
    direction: str
    at: str | None = None
    title: str | None = None
    agent: str | None = None
    sender: str | None = None
    recipient: str | None = None
    cc: str | None = None  # who was copied (an imported email's Cc)
    ref: str | None = None
    subject: str | None = None
    message: str = ""
    attachments: tuple[Path, ...] = ()
    promises: tuple[PromiseGiven, ...] = ()
    status: str | None = None
    fulfils: tuple[str, ...] = ()
    key: bool = False
    extra: tuple[tuple[str, Any], ...] = ()  # further fields, already in their YAML form (party, evidence)
    message_id: str | None = None  # an imported message's id (logbook import skips what is recorded)


ACCEPTED_FORMS = (
    "2026-11-09 18:40 (in the case's zone), 2026-11-09 18:40 Europe/London, "
    "2026-11-09T18:40+01:00, or a date alone: 2026-11-09"
)


def stamp(moment_text: str | None, zone: Any, now: datetime | None = None, option: str = "--at") -> Moment:
    """``--at`` as given (local times in the case's zone), or the current minute in that zone."""
    if moment_text:
        try:
            return parse_moment(moment_text, zone).moment
        except TimeError as exc:
            raise WriteRefused(f"{option}: {exc}; write it as {ACCEPTED_FORMS}") from None
    current = (now or datetime.now(UTC)).astimezone(zone).replace(second=0, microsecond=0)
    return Moment(current)


_ZONE_ONLY = re.compile(r"UTC|[A-Za-z]+(?:/[A-Za-z0-9_+-]+)+")


def at_text(moment: Moment) -> str:
    """How a time is written: local time with its zone's name (``2026-11-09 18:40 Europe/London``),
    so it reads back in that zone and shows its name; with the UTC offset instead when the zone
    has no name logbook can read, or when the local time happens twice (a daylight-saving fold)."""
    if not moment.has_time:
        return moment.date_text()
    when = moment.when
    fmt = "%Y-%m-%d %H:%M:%S" if when.second or when.microsecond else "%Y-%m-%d %H:%M"
    if when.microsecond:
        fmt += f".{when.microsecond:06d}"
    zone = when.tzinfo
    folds = when.replace(fold=0).utcoffset() != when.replace(fold=1).utcoffset()
    if isinstance(zone, ZoneInfo) and zone.key and _ZONE_ONLY.fullmatch(zone.key) and not folds:
        return when.strftime(fmt) + f" {zone.key}"
    offset = when.strftime("%z")
    return when.strftime(fmt) + f"{offset[:3]}:{offset[3:]}"


def case_zone(case: Case, config: Config) -> Any:
    return zone_named(case.timezone or config.timezone)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Recorded:
    """One interaction written: the record file first, then the attachments copied."""

    paths: tuple[Path, ...]
    moment: Moment
    label: str  # e.g. "2026-11-09 18:40 phone out: Called ShenMart", for messages and commits
    promise_ids: tuple[str, ...] = ()


def write_interaction(
    root: Path,
    case: Case,
    config: Config,
    new: NewInteraction,
    now: datetime | None = None,
    edit_case_file: Callable[[str], str] | None = None,
) -> Recorded:
    """Record *new* in *case* (loaded from *root*, resolved), or raise WriteRefused having written nothing.

    *edit_case_file* changes the case file's text in the same step (``status``/``close`` keep its
    ``status:`` in step with the new interaction): the interaction and the edited case file are
    checked together, because either one alone would disagree with the other."""
    zone = case_zone(case, config)
    moment = stamp(new.at, zone, now)
    fields, promise_ids = _fields(new, case, config, zone)
    message = _text(message_text, new.message, "the message")
    for source in new.attachments:
        if not source.is_file():
            raise WriteRefused(f"attachment {source} is not a file")
        if source.suffix.lower() == ".md":
            raise WriteRefused(f"{source.name}: Markdown files would be read as records; attach it as .txt")
    label = f"{at_text(moment)} {new.channel} {new.direction}" + (f": {fields['title']}" if fields.get("title") else "")
    case_path = root / case.location.path
    if case.form == "bundle":
        folder = case_path.parent
        record = folder / _interaction_file_name(folder, moment, new)
        paths = _with_attachments(
            root,
            case,
            config,
            new,
            folder,
            folder,
            lambda names: _bundle_write(
                root, case, config, record, at_text(moment), fields, message, names, edit_case_file
            ),
        )
    else:
        folder = case_path.parent / f"{case_path.stem}.attachments"
        paths = _with_attachments(
            root,
            case,
            config,
            new,
            folder,
            case_path.parent,
            lambda names: _single_write(root, case, config, case_path, moment, fields, message, names, edit_case_file),
        )
    return Recorded(paths, moment, label, promise_ids)


def _text(check: Callable[[str, str], str], value: str, option: str) -> str:
    try:
        return check(value, option)
    except ValueRefused as exc:
        raise WriteRefused(str(exc)) from None


ONE_LINE_OPTIONS = (
    ("title", "--title"),
    ("from", "--from"),
    ("to", "--to"),
    ("cc", "the Cc"),
    ("agent", "--agent"),
    ("ref", "--ref"),
    ("subject", "--subject"),
    ("message_id", "the Message-ID"),
)


def _fields(new: NewInteraction, case: Case, config: Config, zone: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
    if new.channel not in config.channels:
        raise WriteRefused(f"channel '{new.channel}' is not one of: {', '.join(config.channels)}")
    if new.direction not in ("in", "out", "internal"):
        raise WriteRefused("direction must be in, out or internal")
    given = {
        "title": new.title,
        "from": new.sender,
        "to": new.recipient,
        "cc": new.cc,
        "agent": new.agent,
        "ref": new.ref,
        "subject": new.subject,
        "message_id": new.message_id,
    }
    fields: dict[str, Any] = {}
    for key, option in ONE_LINE_OPTIONS:
        value = given[key]
        if value is not None and value.strip():
            fields[key] = _text(one_line, value, option)
        if key == "title":
            fields.update(channel=new.channel, direction=new.direction)
    if new.status is not None:
        fields["status"] = _status(new.status, config)
    promises, ids = _promises(new, case, zone)
    if promises:
        fields["promises"] = promises
    if new.fulfils:
        fields["fulfils"] = list(_fulfils(new.fulfils, case, ids))
    if new.key:
        fields["key"] = "true"
    for key, value in new.extra:
        fields[key] = value
    return fields, ids


def _status(status: str, config: Config) -> str:
    from logbook.core.diagnostics import did_you_mean

    status = _text(one_line, status, "the status")
    if status not in config.statuses:
        hint = did_you_mean(status, config.statuses)
        raise WriteRefused(
            f"status '{status}' is not one of: {', '.join(config.statuses)}" + (f"; {hint}" if hint else "")
        )
    return status


def _promises(new: NewInteraction, case: Case, zone: Any) -> tuple[list[dict[str, str]], tuple[str, ...]]:
    """The promises as records; each gets an id (given, or made from its words) so it can be kept later."""
    taken = {p.id.casefold() for i in case.interactions for p in i.promises if p.id}
    written, ids = [], []
    for given in new.promises:
        what = _text(one_line, given.what, "--promise")
        if not what:
            raise WriteRefused("--promise needs the words of the promise, e.g. --promise 'Refund within 5 days'")
        promise: dict[str, str] = {"what": what}
        if given.due:
            due = stamp(given.due, zone, option="--due")
            promise["due"] = at_text(due)
        if given.by and given.by.strip():  # else the model's default maker (docs/format.md, Parties)
            promise["by"] = _text(one_line, given.by, "--by")
        ident = _text(one_line, given.id, "--promise-id") if given.id else _promise_id(what, taken)
        from logbook.core.outputs import ID_RE

        if not ID_RE.fullmatch(ident):
            raise WriteRefused(f"--promise-id '{ident}' may only hold letters, digits, '.', '_' and '-'")
        if ident.casefold() in taken:
            raise WriteRefused(f"case '{case.id}' already has a promise with id '{ident}'; choose another --promise-id")
        taken.add(ident.casefold())
        promise["id"] = ident
        written.append(promise)
        ids.append(ident)
    return written, tuple(ids)


def _promise_id(what: str, taken: set[str]) -> str:
    """An id from the promise's first words (``Refund of 64.50 USD`` → ``refund-of-64-50``), made unique."""
    words = re.findall(r"[A-Za-z0-9]+", what.lower())[:4] or ["promise"]
    base = "-".join(words)[:40].strip("-") or "promise"
    ident, n = base, 1
    while ident.casefold() in taken:
        n += 1
        ident = f"{base}-{n}"
    return ident


def _fulfils(names: tuple[str, ...], case: Case, new_ids: tuple[str, ...]) -> list[str]:
    known = {p.id: p for i in case.interactions for p in i.promises if p.id}
    out = []
    for name in names:
        name = _text(one_line, name, "--fulfils")
        if name not in known and name not in new_ids:
            from logbook.core.diagnostics import did_you_mean

            hint = did_you_mean(name, known) if known else None
            listed = f"its promises: {', '.join(sorted(known))}" if known else "it has no promises with an id"
            raise WriteRefused(
                f"--fulfils {name}: case '{case.id}' has no promise '{name}'; "
                + (f"{hint} ({listed})" if hint else listed)
            )
        out.append(name)
    return out


def _interaction_file_name(folder: Path, moment: Moment, new: NewInteraction, taken: set[str] | None = None) -> str:
    """A free file name from the time, channel and direction; *taken* holds names a batch has
    planned but not written yet."""
    base = (
        f"{moment.when:%Y-%m-%d-%H%M}-{new.channel}-{new.direction}"
        if moment.has_time
        else f"{moment.date_text()}-{new.channel}-{new.direction}"
    )
    taken = taken if taken is not None else set()
    name, n = f"{base}.md", 1
    while name in taken or (folder / name).exists():
        n += 1
        name = f"{base}-{n}.md"
    return name


def _with_attachments(
    root: Path,
    case: Case,
    config: Config,
    new: NewInteraction,
    folder: Path,
    base: Path,
    write: Callable[[list[str]], Path],
) -> tuple[Path, ...]:
    """Copy the attachments, then write the record naming them; if the record is refused, remove the
    copies this call made (and only those), so a refusal leaves the case as it was."""
    made: list[Path] = []
    copied = []
    try:
        for source in new.attachments:
            target, fresh = _copy_attachment(source, folder)
            copied.append(target)
            if fresh:
                made.append(target)
        record = write([p.relative_to(base).as_posix() for p in copied])
    except BaseException:
        for path in made:
            path.unlink(missing_ok=True)
        if made and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        raise
    return (record, *copied)


def _copy_attachment(source: Path, folder: Path) -> tuple[Path, bool]:
    """Copy *source* into *folder*; an identical file already there is reused, a different one never replaced
    (a file already in place, as the importer stores them, is its own copy)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = source.stem, source.suffix
    target, n = folder / source.name, 1
    while target.exists():
        if target.is_file() and (os.path.samefile(source, target) or filecmp.cmp(source, target, shallow=False)):
            return target, False
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    copy_regular(source, target)  # never opens a FIFO or device named as an attachment
    shutil.copystat(source, target)
    return target, True


def _with_names(fields: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {**fields, "attachments": names} if names else fields


def _bundle_write(
    root: Path,
    case: Case,
    config: Config,
    record: Path,
    at: str,
    fields: dict[str, Any],
    message: str,
    names: list[str],
    edit_case_file: Callable[[str], str] | None = None,
) -> Path:
    text = front_matter({"at": at, **_with_names(fields, names)}, message)
    folder = record.parent
    rel = record.relative_to(root).as_posix()
    source = _bundle_source(root, folder, rel)
    contents = {rel: text.encode("utf-8")}
    case_path = root / case.location.path
    if edit_case_file is not None:
        edited = edit_case_file(read_regular(case_path).decode("utf-8"))
        contents[case.location.path] = edited.encode("utf-8")
    verify(root, case, config, source, contents, len(case.interactions) + 1)
    with record.open("x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    if edit_case_file is not None:
        replace_file(case_path, edited)
    return record


def _bundle_source(root: Path, folder: Path, new_file: str) -> BundleSource:
    from logbook.store.discover import discover

    rel_folder = folder.relative_to(root).as_posix()
    for source in discover(root)[0]:
        if isinstance(source, BundleSource) and source.folder == rel_folder:
            return replace(source, interaction_files=tuple(sorted({*source.interaction_files, new_file})))
    raise WriteRefused(f"{rel_folder} is no longer a case folder")


def verify(
    root: Path,
    case: Case,
    config: Config,
    source: BundleSource | SingleSource,
    contents: dict[str, bytes],
    interactions: int,
) -> Case:
    """Parse what is about to be written; refuse it unless it passes check with the expected interactions."""
    result = parse_source(source, root, config, contents)
    problems = [d for d in result.diagnostics if d.is_error]
    if result.case is not None:
        problems += [d for d in case_checks(result.case, config) if d.is_error]
    if problems:
        first = problems[0]
        hint = f" ({first.hint})" if first.hint else ""
        raise WriteRefused(
            f"this would write a record that does not pass check ({first.location.path}:"
            f"{first.location.line}: {first.message}{hint}); nothing was written"
        )
    assert result.case is not None
    if len(result.case.interactions) != interactions:
        raise WriteRefused(
            f"this would leave case '{case.id}' with {len(result.case.interactions)} interactions "
            f"instead of {interactions}; nothing was written"
        )
    return result.case


def _single_write(
    root: Path,
    case: Case,
    config: Config,
    path: Path,
    moment: Moment,
    fields: dict[str, Any],
    message: str,
    names: list[str],
    edit_case_file: Callable[[str], str] | None = None,
) -> Path:
    section = section_text(moment, _with_names(fields, names), message, case_zone(case, config))
    raw = read_regular(path).decode("utf-8")  # not read_text (it would hide CRLF endings); never a FIFO
    new_raw = insert_section(raw, section, moment, case_zone(case, config))
    if edit_case_file is not None:
        new_raw = edit_case_file(new_raw)
    rel = path.relative_to(root).as_posix()
    verify(root, case, config, SingleSource(rel), {rel: new_raw.encode("utf-8")}, len(case.interactions) + 1)
    replace_file(path, new_raw)
    return path


def section_text(moment: Moment, fields: dict[str, Any], message: str, zone: Any) -> str:
    """``## <time> <title>``, the fields, a blank line, the message (made unable to start a section)."""
    heading = f"## {at_text(moment)}"
    title = fields.get("title")
    rest = {k: v for k, v in fields.items() if k != "title"}
    if title and _reads_back_as_title(heading, title, zone):
        heading += f" {title}"
    elif title:
        rest = {"title": title, **rest}
    body = section_body(message)
    return f"{heading}\n{yaml_lines(rest)}" + (f"\n{body}\n" if body else "")


def _reads_back_as_title(heading: str, title: str, zone: Any) -> bool:
    """Whether ``heading + title`` is read back with exactly *title* as the title (a title starting
    with '-' or ':' or looking like a zone name is not; it is written as a ``title:`` field)."""
    text = f"{heading[3:]} {title}"
    try:
        parsed = parse_moment(text, zone, prefix=True)
    except TimeError:
        return False
    return text[parsed.end :].strip().lstrip("-–—:|·").strip() == title and TIMESTAMP_RE.match(title) is None


def insert_section(raw: str, section: str, moment: Moment, zone: Any) -> str:
    """*raw* with *section* before the first section that happened later, so the file stays
    chronological; the BOM and line endings are kept."""
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    crlf = "\r\n" in raw
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    _, sections = split_sections(split_front_matter(text).body)
    lines = text.split("\n")
    insert_at = None
    for existing in sections:
        try:
            when = parse_moment(existing.heading, zone, prefix=True).moment.instant
        except TimeError:
            continue
        if when > moment.instant:
            insert_at = existing.heading_line - 1
            break
    if insert_at is None:
        new_text = text.rstrip("\n") + "\n\n" + section
    else:
        new_text = "\n".join(lines[:insert_at]).rstrip("\n") + "\n\n" + section + "\n" + "\n".join(lines[insert_at:])
    new_text = new_text if new_text.endswith("\n") else new_text + "\n"
    return bom + (new_text.replace("\n", "\r\n") if crlf else new_text)


def replace_file(path: Path, text: str) -> None:
    """Replace *path* atomically, so an editor or a crash never sees half a file."""
    tmp = path.with_name(f".{path.name}.logbook-tmp")
    tmp.write_bytes(text.encode("utf-8"))
    tmp.replace(path)
