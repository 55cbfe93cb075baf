"""Writing records: ``init``, ``new``, ``add`` and ``followup --record``.

Every writer refuses rather than overwrites: an existing id, an existing file, an
attachment name taken by different content.  Attachments are copied, never moved.
Front matter is written with python-frontmatter (keys in the order given) and read
back by logbook's own parser in the tests, so what we write is what we read.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from .discover import CASE_FILE, CASES_DIR
from .fields import ID_RE
from .load import load_logbook
from .models import Case, Config
from .split import split_front_matter, split_sections
from .timeparse import Moment, TimeError, parse_moment, zone_named


class AuthoringError(Exception):
    """A request that would lose or clobber data, or names something that does not exist."""


STARTER_CONFIG = '''# logbook configuration. Every key is optional; the values shown are the defaults
# unless marked "starter". Top-level keys must come before the first [table].

# channels = ["email", "chat", "phone", "social", "sms", "letter", "in-person", "portal", "note"]
# statuses = ["open", "waiting", "escalated", "resolved", "closed"]

[site]
title = "{title}"
# The zone for times written without an offset (IANA name). Default: UTC.
timezone = "{timezone}"
# theme = "mytheme"   # a folder under themes/ here, or a path; overrides the default file by file

# Allowed tags (starter taxonomy). Remove this table to allow any tag.
[tags]
billing-dispute = "A charge on a bill or card is disputed"
refund-delayed = "A promised refund arrived late or not at all"
damaged-item = "Goods arrived damaged or defective"
not-received = "Goods or service never arrived"
delivery-failure = "A delivery or appointment was missed"
cancellation = "A cancellation was refused or not processed"
chargeback-candidate = "May go to the card issuer as a chargeback"
escalated-complaint = "Formal complaint, ombudsman or regulator"

# Tone check for outbound messages (warnings only). Uncomment to change.
# [tone]
# enabled = true
# shouting_words = 3          # this many words in capitals in one message is shouting
# insults = ["idiot", "incompetent", "useless", "pathetic", "clowns"]
# profanity = ["damn", "hell", "crap"]
# blame = ["your fault", "you people", "you always", "you never", "liar", "scam"]
'''

GITIGNORE = "# logbook build output\n_site/\n._site.lock\n"


@dataclass(frozen=True, slots=True)
class Written:
    """What a command created or changed, for the CLI to report."""

    paths: tuple[Path, ...]


def init_logbook(target: Path, title: str = "Logbook", tz: str = "UTC") -> Written:
    zone_named(tz)  # raises TimeError for an unknown zone
    target.mkdir(parents=True, exist_ok=True)
    config = target / "logbook.toml"
    if config.exists():
        raise AuthoringError(f"{config} already exists; this folder is already a logbook")
    written = [config]
    config.write_text(STARTER_CONFIG.format(title=title.replace('"', "'"), timezone=tz), encoding="utf-8")
    (target / CASES_DIR).mkdir(exist_ok=True)
    written.append(target / CASES_DIR)
    gitignore = target / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
        written.append(gitignore)
    elif "_site/" not in gitignore.read_text(encoding="utf-8", errors="replace"):
        with gitignore.open("a", encoding="utf-8") as handle:
            handle.write("\n" + GITIGNORE)
        written.append(gitignore)
    if not _inside_git(target):
        subprocess.run(["git", "init", "-q", str(target)], check=True, capture_output=True)
        written.append(target / ".git")
    return Written(tuple(written))


def _inside_git(folder: Path) -> bool:
    proc = subprocess.run(["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
                          capture_output=True, text=True)
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def dump_fields(fields: dict[str, Any]) -> str:
    """``key: value`` YAML lines in the given order, quoted where YAML would misread them."""
    return yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)


def _existing_ids(root: Path) -> tuple[dict[str, str], Config]:
    """Case ids (casefolded) → the source holding them, including cases that failed to parse; and the config."""
    ids: dict[str, str] = {}
    loaded = load_logbook(root)
    for case in loaded.logbook.cases:
        ids[case.id.casefold()] = case.location.path
    cases_dir = root / CASES_DIR
    if cases_dir.is_dir():
        for path in cases_dir.rglob("*"):
            if path.suffix == ".md" and path.name != CASE_FILE:
                ids.setdefault(path.stem.casefold(), path.relative_to(root).as_posix())
            elif path.is_dir():
                ids.setdefault(path.name.casefold(), path.relative_to(root).as_posix())
    return ids, loaded.logbook.config


def new_case(root: Path, case_id: str, title: str, counterparty: str | None = None,
             tags: tuple[str, ...] = (), single_file: bool = False, today: datetime | None = None) -> Written:
    if not ID_RE.fullmatch(case_id):
        raise AuthoringError(f"'{case_id}' is not a valid case id: letters, digits, '.', '_' and '-', "
                             "starting with a letter or digit")
    if not (root / CASES_DIR).is_dir():
        raise AuthoringError(f"{root} has no cases/ folder; run 'logbook init' first")
    ids, config = _existing_ids(root)
    taken = ids.get(case_id.casefold())
    if taken:
        raise AuthoringError(f"case id '{case_id}' is already used by {taken}")
    opened = (today or datetime.now(timezone.utc)).astimezone(zone_named(config.timezone)).strftime("%Y-%m-%d")
    fields: dict[str, Any] = {"title": title, "status": "open", "opened": opened}
    if counterparty:
        fields["counterparty"] = counterparty
    if tags:
        fields["tags"] = list(tags)
    post = frontmatter.Post("Background: what happened, what you want.\n", **fields)
    text = frontmatter.dumps(post, sort_keys=False, allow_unicode=True, width=1000) + "\n"
    path = root / CASES_DIR / (f"{case_id}.md" if single_file else f"{case_id}/{CASE_FILE}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    return Written((path,))


def find_case(root: Path, case_id: str) -> tuple[Case, Config]:
    """The case with this id (ignoring case) and the logbook's configuration, from one load."""
    loaded = load_logbook(root)
    for case in loaded.logbook.cases:
        if case.id.casefold() == case_id.casefold():
            return case, loaded.logbook.config
    broken = [d for d in loaded.diagnostics if d.is_error and case_id.casefold() in d.location.path.casefold()]
    if broken:
        raise AuthoringError(f"case '{case_id}' has errors; fix them first (logbook check): "
                             f"{broken[0].location.path}:{broken[0].location.line}: {broken[0].message}")
    raise AuthoringError(f"no case with id '{case_id}'")


def case_zone(case: Case, config: Config) -> Any:
    return zone_named(case.timezone or config.timezone)


def stamp(moment_text: str | None, zone: Any, now: datetime | None = None) -> Moment:
    """``--at`` as given (local times in the case's zone), or the current minute."""
    if moment_text:
        parsed = parse_moment(moment_text, zone)
        return parsed.moment
    current = (now or datetime.now(timezone.utc)).astimezone(zone).replace(second=0, microsecond=0)
    return Moment(current)


def at_text(moment: Moment) -> str:
    """How a stamp is written: local time with its offset, readable and never ambiguous."""
    if not moment.has_time:
        return moment.date_text()
    offset = moment.when.strftime("%z")
    clock = "%H:%M:%S" if moment.when.second else "%H:%M"  # an email's seconds keep same-minute messages in order
    return moment.when.strftime(f"%Y-%m-%d {clock}") + f"{offset[:3]}:{offset[3:]}"


@dataclass(frozen=True, slots=True)
class NewInteraction:
    channel: str
    direction: str
    at: str | None = None
    title: str | None = None
    agent: str | None = None
    sender: str | None = None
    recipient: str | None = None
    ref: str | None = None
    subject: str | None = None
    message: str = ""
    attachments: tuple[Path, ...] = ()
    cc: str | None = None
    message_id: str | None = None  # an imported message's id (logbook import)


def add_interaction(root: Path, case_id: str, new: NewInteraction, now: datetime | None = None) -> Written:
    root = root.resolve()
    case, config = find_case(root, case_id)
    return write_interaction(root, case, config, new, now)


def write_interaction(root: Path, case: Case, config: Config, new: NewInteraction,
                      now: datetime | None = None) -> Written:
    """Record *new* in *case* (already loaded: an import writes many without loading the logbook each time)."""
    if new.channel not in config.channels:
        raise AuthoringError(f"channel '{new.channel}' is not one of: {', '.join(config.channels)}")
    if new.direction not in ("in", "out", "internal"):
        raise AuthoringError("direction must be in, out or internal")
    try:
        moment = stamp(new.at, case_zone(case, config), now)
    except TimeError as exc:
        raise AuthoringError(f"--at: {exc}") from None
    for source in new.attachments:
        if not source.is_file():
            raise AuthoringError(f"attachment {source} is not a file")
        if source.suffix.lower() == ".md":
            raise AuthoringError(f"{source.name}: Markdown files would be read as records; attach it as .txt")
    case_path = root / case.location.path
    if case.form == "bundle":
        folder = case_path.parent
        copied = [_copy_attachment(source, folder) for source in new.attachments]
        names = [p.relative_to(folder).as_posix() for p in copied]
        fields = _fields(new, names)
        record = folder / _interaction_file_name(folder, moment, new)
        post = frontmatter.Post(new.message.strip() + "\n" if new.message.strip() else "",
                                **{"at": at_text(moment), **fields})
        with record.open("x", encoding="utf-8") as handle:
            handle.write(frontmatter.dumps(post, sort_keys=False, allow_unicode=True, width=1000) + "\n")
        return Written((record, *copied))
    folder = case_path.parent / f"{case_path.stem}.attachments"
    copied = [_copy_attachment(source, folder) for source in new.attachments]
    names = [p.relative_to(case_path.parent).as_posix() for p in copied]
    section = _section_text(moment, new, _fields(new, names))
    _insert_section(case_path, section, moment, case_zone(case, config))
    return Written((case_path, *copied))


def _fields(new: NewInteraction, attachments: list[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in (("title", new.title), ("channel", new.channel), ("direction", new.direction),
                       ("from", new.sender), ("to", new.recipient), ("cc", new.cc), ("agent", new.agent),
                       ("ref", new.ref), ("subject", new.subject), ("message_id", new.message_id)):
        if value:
            fields[key] = value
    if attachments:
        fields["attachments"] = attachments
    return fields


def _interaction_file_name(folder: Path, moment: Moment, new: NewInteraction) -> str:
    base = f"{moment.when:%Y-%m-%d-%H%M}-{new.channel}-{new.direction}" if moment.has_time \
        else f"{moment.date_text()}-{new.channel}-{new.direction}"
    name, n = f"{base}.md", 1
    while (folder / name).exists():
        n += 1
        name = f"{base}-{n}.md"
    return name


def _copy_attachment(source: Path, folder: Path) -> Path:
    """Copy *source* into *folder*; an identical file already there is reused, a different one never replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = source.stem, source.suffix
    target, n = folder / source.name, 1
    while target.exists():
        if target.is_file() and (os.path.samefile(source, target) or filecmp.cmp(source, target, shallow=False)):
            return target
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    shutil.copy2(source, target)
    return target


def _section_text(moment: Moment, new: NewInteraction, fields: dict[str, Any]) -> str:
    heading_fields = {k: v for k, v in fields.items() if k != "title"}
    title = f" {new.title}" if new.title else ""
    body = new.message.strip()
    return f"## {at_text(moment)}{title}\n{dump_fields(heading_fields)}" + (f"\n{body}\n" if body else "")


def _insert_section(path: Path, section: str, moment: Moment, zone: Any) -> None:
    """Put *section* before the first section that happened later, so the file stays chronological.

    The file keeps its BOM and line endings; it is replaced atomically, so an editor
    or a crash never sees half a file.
    """
    raw = path.read_bytes().decode("utf-8")  # not read_text: it would hide CRLF endings
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
    tmp = path.with_name(f".{path.name}.logbook-tmp")
    tmp.write_bytes((bom + (new_text.replace("\n", "\r\n") if crlf else new_text)).encode("utf-8"))
    tmp.replace(path)


# --- follow-up ------------------------------------------------------------------------------

def followup_text(root: Path, case_id: str, which: str | None) -> tuple[str, Case, Any]:
    """The plain-text email confirming a call in writing, and the case and interaction it is about."""
    from .derive import derive_case
    case, config = find_case(root, case_id)
    view = derive_case(case, root.resolve(), datetime.now(timezone.utc), config)
    entries = view.entries
    if which:
        matches = [e for e in entries if e.anchor == which] or \
                  ([entries[int(which) - 1]] if which.isdigit() and 0 < int(which) <= len(entries) else [])
        if not matches:
            raise AuthoringError(f"case '{case.id}' has no interaction '{which}' (use its #anchor or its number)")
        entry = matches[0]
    else:
        calls = [e for e in entries if e.interaction.channel == "phone"]
        if not calls:
            raise AuthoringError(f"case '{case.id}' has no phone call to follow up")
        entry = calls[-1]
    i = entry.interaction
    who = i.agent.display() if i.agent else "your agent"
    refs = [f"{name}: {value}" for name, value in case.refs] + ([f"reference: {i.ref}"] if i.ref else [])
    lines = [f"Subject: Confirming our {i.channel} conversation of {i.at.when:%d %B %Y}"
             + (f" ({case.refs[0][1]})" if case.refs else ""), "",
             "Hello,", "",
             f"I am writing to confirm, for the record, what was said when I spoke to {who} "
             f"on {i.at.display()}" + (f" about {case.title}." if case.title else "."), ""]
    if i.body.strip():
        lines += ["What was said:", ""] + [f"  {line}" if line else "" for line in i.body.strip().split("\n")] + [""]
    if i.promises:
        lines.append("What was promised:")
        for p in i.promises:
            due = f", by {p.due.display()}" if p.due else ""
            by = f" ({p.by})" if p.by else ""
            lines.append(f"  - {p.what}{by}{due}")
        lines.append("")
    if refs:
        lines += ["References:"] + [f"  - {r}" for r in refs] + [""]
    lines += ["If any of this is not correct, please tell me in writing within 7 days.", "", "Kind regards,"]
    return "\n".join(lines) + "\n", case, i


def record_followup(root: Path, case_id: str, text: str, recipient: str | None, now: datetime | None = None) -> Written:
    subject, _, body = text.partition("\n")
    return add_interaction(root, case_id, NewInteraction(
        channel="email", direction="out", title="Written confirmation of the call",
        recipient=recipient, subject=subject.removeprefix("Subject: "), message=body.strip()), now)

