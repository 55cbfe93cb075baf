"""Writing records: ``init``, ``new`` and ``add`` (``status``, ``close``: casestate; ``followup``: followup).

Every writer refuses rather than overwrites: an existing id, an existing file, an
attachment name taken by different content.  Attachments are copied, never moved.
Values are written by a YAML serializer (``recordtext``), and every record is parsed by
logbook's own reader before it is written, so what we write passes ``check`` or is
refused.  With ``[git] commit = true`` each command commits exactly the files it wrote
(``notary``), so an entry's recorded-at time is the moment it was recorded.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from logbook.authoring.interactions import (
    NewInteraction,
    PromiseGiven,
    Recorded,
    WriteRefused,
    at_text,
    stamp,
    verify,
    write_interaction,
)
from logbook.authoring.locate import no_such_case
from logbook.core.currencies import ISO_4217
from logbook.core.diagnostics import did_you_mean
from logbook.core.models import Case, Config
from logbook.core.outputs import ID_RE, case_id_unpublishable
from logbook.core.records import quick_pickle
from logbook.core.recordtext import ValueRefused, front_matter, message_text, one_line, toml_string
from logbook.core.timeparse import TimeError, zone_named
from logbook.load.config import CONFIG_NAME
from logbook.load.fields import AMOUNT_RE
from logbook.load.stage import load_logbook
from logbook.store import notary
from logbook.store.discover import CASE_FILE, CASES_DIR, BundleSource, SingleSource
from logbook.store.textfile import read_regular
from logbook.validate.checks import PLACEHOLDER_BACKGROUND

__all__ = [
    "AuthoringError",
    "NewCase",
    "NewInteraction",
    "PromiseGiven",
    "Written",
    "add_interaction",
    "at_text",
    "find_case",
    "init_logbook",
    "new_case",
    "record_interaction",
    "stamp",
]


class AuthoringError(Exception):
    """A request that would lose or clobber data, or names something that does not exist."""


STARTER_CONFIG = """# logbook configuration. Every key is optional; the values shown are the defaults
# unless marked "starter". Top-level keys must come before the first [table].

# channels = ["email", "chat", "phone", "social", "sms", "letter", "in-person", "portal", "note"]
# statuses = ["open", "waiting", "escalated", "resolved", "closed"]

[site]
title = {title}
# The zone for times written without an offset (IANA name). Default: UTC.
timezone = {timezone}
# keeper = "Your Name"   # who keeps this logbook: signs follow-up emails, named on exported packets

# git as the notary: every logbook command that writes a record commits exactly the
# files it wrote, so each entry shows when it entered the record.
[git]
commit = {commit}
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
"""

GITIGNORE = "# logbook build output\n_site/\n._site.lock\n"


@quick_pickle
@dataclass(frozen=True, slots=True)
class Written:
    """What a command created or changed, for the CLI to report (record file first)."""

    paths: tuple[Path, ...]
    notes: tuple[str, ...] = ()  # things the user should know (a default that was taken)
    commit: str | None = None  # the commit that holds them, with [git] commit = true
    commit_error: str | None = None  # written, but git did not commit them
    message: str = ""  # the commit message, when the writer knows it best


def _refuse_value(check: Callable[..., str], *args: Any) -> str:
    try:
        return check(*args)
    except ValueRefused as exc:
        raise AuthoringError(str(exc)) from None


def _zone(name: str, option: str = "--timezone") -> str:
    name = _refuse_value(one_line, name, option)
    try:
        zone_named(name)
    except TimeError as exc:
        raise AuthoringError(f"{option}: {exc}" + (f"; {exc.hint}" if exc.hint else "")) from None
    return name


def notarised(
    root: Path, config: Config, changing: tuple[Path, ...], message: str, write: Callable[[], Written]
) -> Written:
    """Run *write*; with ``[git] commit = true``, first make sure git can commit exactly its files
    (refusing before anything is written), then commit them with *message* (or the one *write* gave)."""
    if not config.git.commit:
        return write()
    try:
        notary.preflight(root, changing)
    except notary.NotaryError as exc:
        raise AuthoringError(str(exc)) from None
    written = write()
    try:
        return replace(written, commit=notary.commit(root, written.paths, message or written.message))
    except notary.CommitFailed as exc:
        return replace(written, commit_error=str(exc))


def init_logbook(target: Path, title: str = "Logbook", tz: str = "UTC") -> Written:
    """A new logbook: logbook.toml, cases/, .gitignore, a git repository and its first commit."""
    title_text, zone_text = _refuse_value(toml_string, title, "--title"), toml_string(_zone(tz), "--timezone")
    config = target / "logbook.toml"
    if config.exists():
        raise AuthoringError(f"{config} already exists; this folder is already a logbook")
    target.mkdir(parents=True, exist_ok=True)
    made_git, has_git = False, notary.git_available()
    if has_git and notary.repository(target) is None:
        subprocess.run(
            ["git", "init", "-q", "--", str(target)], check=True, capture_output=True
        )  # "--": a folder named -1
        made_git = True
    if has_git:
        try:
            notary.preflight(target, (target / ".gitignore",))
        except notary.NotaryError as exc:
            raise AuthoringError(str(exc)) from None
    written = [config]
    config.write_text(
        STARTER_CONFIG.format(title=title_text, timezone=zone_text, commit="true" if has_git else "false"),
        encoding="utf-8",
    )
    (target / CASES_DIR).mkdir(exist_ok=True)
    keep = target / CASES_DIR / ".gitkeep"  # git keeps no empty folder; names starting with '.' are ignored
    if not keep.exists():
        keep.write_text("", encoding="utf-8")
    written.append(keep)
    gitignore = target / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
        written.append(gitignore)
    elif "_site/" not in _existing_text(gitignore):
        with gitignore.open("a", encoding="utf-8") as handle:
            handle.write("\n" + GITIGNORE)
        written.append(gitignore)
    result = Written(tuple(written) + ((target / ".git",) if made_git else ()))
    if not has_git:
        return replace(
            result,
            notes=(
                "git is not installed, so nothing is committed and the site cannot say when "
                "each entry was recorded; install git, run 'git init' here and set "
                "commit = true under [git]",
            ),
        )
    try:
        return replace(result, commit=notary.commit(target, written, "logbook: start the logbook"))
    except notary.CommitFailed as exc:
        return replace(result, commit_error=str(exc))


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
    return ids, _usable_config(loaded)


@quick_pickle
@dataclass(frozen=True, slots=True)
class NewCase:
    """A case to create, as the user gave it."""

    id: str
    title: str
    counterparty: str | None = None
    tags: tuple[str, ...] = ()
    single_file: bool = False
    amount: str | None = None
    refs: tuple[str, ...] = ()  # "order=HA-1"
    opened: str | None = None
    timezone: str | None = None
    background: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()  # further fields in their YAML form (parties)


def new_case(
    root: Path,
    case_id: str | NewCase,
    title: str | None = None,
    counterparty: str | None = None,
    tags: tuple[str, ...] = (),
    single_file: bool = False,
    today: datetime | None = None,
    commit: bool = True,
) -> Written:
    """Create a case (a bundle folder, or a single file); refuses an id in use.  *commit* False: a
    caller that writes more (``logbook import``) commits the case with the rest, in one commit."""
    new = case_id if isinstance(case_id, NewCase) else NewCase(case_id, title or "", counterparty, tags, single_file)
    if not ID_RE.fullmatch(new.id):
        raise AuthoringError(
            f"'{new.id}' is not a valid case id: letters, digits, '.', '_' and '-', starting with a letter or digit"
        )
    if (unpublishable := case_id_unpublishable(new.id)) is not None:
        raise AuthoringError(f"'{new.id[:40]}': {unpublishable}")
    if not (root / CASES_DIR).is_dir():
        raise AuthoringError(f"{root} has no cases/ folder; run 'logbook init' first")
    ids, config = _existing_ids(root)
    taken = ids.get(new.id.casefold())
    if taken:
        raise AuthoringError(f"case id '{new.id}' is already used by {taken}")
    fields, notes = _case_fields(new, config, today)
    background = _refuse_value(message_text, new.background, "--background") if new.background else ""
    text = front_matter(fields, background or PLACEHOLDER_BACKGROUND)
    rel = f"{CASES_DIR}/{new.id}.md" if new.single_file else f"{CASES_DIR}/{new.id}/{CASE_FILE}"
    source = SingleSource(rel) if new.single_file else BundleSource(rel.rpartition("/")[0], (), ())
    try:
        verify(root, _stub(new.id), config, source, {rel: text.encode("utf-8")}, 0)
    except WriteRefused as exc:
        raise AuthoringError(str(exc)) from None
    path = root / rel

    def write() -> Written:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
        return Written((path,), notes)

    if not commit:
        return write()
    return notarised(root, config, (), f"logbook: new case {new.id}: {fields['title']}", write)


def _stub(case_id: str) -> Case:
    """The case as it is before it exists: no interactions (what verify compares against)."""
    from logbook.core.diagnostics import Location

    return Case(
        case_id,
        "",
        "",
        None,
        None,
        None,
        None,
        (),
        None,
        (),
        None,
        False,
        "",
        (),
        form="",
        location=Location(""),
        id_location=Location(""),
        description_location=Location(""),
    )


def _case_fields(new: NewCase, config: Config, today: datetime | None) -> tuple[dict[str, Any], tuple[str, ...]]:
    title = _refuse_value(one_line, new.title, "--title")
    if not title:
        raise AuthoringError("--title needs a few words saying what the case is about")
    zone_name = _zone(new.timezone) if new.timezone else None
    zone = zone_named(zone_name or config.timezone)
    notes = []
    if new.opened:
        try:
            opened = at_text(stamp(new.opened, zone, option="--opened"))
        except WriteRefused as exc:
            raise AuthoringError(str(exc)) from None
    else:
        opened = (today or datetime.now(UTC)).astimezone(zone).strftime("%Y-%m-%d")
        notes.append(f"opened: {opened} (today; give --opened DATE if the dispute began earlier)")
    fields: dict[str, Any] = {
        "title": title,
        "status": "open" if "open" in config.statuses else config.statuses[0],
        "opened": opened,
    }
    if new.counterparty and new.counterparty.strip():
        fields["counterparty"] = _refuse_value(one_line, new.counterparty, "--counterparty")
    if new.amount:
        fields["amount"] = _amount(new.amount)
    if new.refs:
        fields["refs"] = _refs(new.refs)
    if new.tags:
        fields["tags"] = [_tag(tag, config) for tag in new.tags]
    if zone_name:
        fields["timezone"] = zone_name
    for key, value in new.extra:
        fields[key] = value
    return fields, tuple(notes)


def _amount(text: str) -> str:
    text = _refuse_value(one_line, text, "--amount")
    match = AMOUNT_RE.fullmatch(text)
    if not match:
        raise AuthoringError(f"--amount '{text}' needs a number and a currency code, e.g. --amount '64.50 USD'")
    number, currency = (match["value"], match["currency"]) if match["value"] else (match["value2"], match["currency2"])
    if currency.upper() not in ISO_4217:
        hint = did_you_mean(currency.upper(), ISO_4217)
        raise AuthoringError(
            f"--amount: '{currency}' is not an ISO 4217 currency code (such as USD, EUR, GBP)"
            + (f"; {hint}" if hint else "")
        )
    try:
        Decimal(number)
    except InvalidOperation:
        raise AuthoringError(f"--amount: '{number}' is not a number") from None
    return f"{number} {currency.upper()}"


def _refs(given: tuple[str, ...]) -> dict[str, str]:
    refs: dict[str, str] = {}
    for item in given:
        name, sep, value = _refuse_value(one_line, item, "--ref").partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise AuthoringError(f"--ref '{item}' must be NAME=NUMBER, e.g. --ref order=HA-1")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
            raise AuthoringError(
                f"--ref '{item}': the name '{name}' may only hold letters, digits, '_' and '-', "
                "starting with a letter (e.g. order, their_case)"
            )
        if name in refs:
            raise AuthoringError(f"--ref {name} is given twice")
        refs[name] = value
    return refs


def _tag(tag: str, config: Config) -> str:
    tag = _refuse_value(one_line, tag, "--tag")
    if not ID_RE.fullmatch(tag):
        raise AuthoringError(f"tag '{tag}' may only hold letters, digits, '.', '_' and '-'")
    known = [name for name, _ in config.tags]
    if config.has_tag_taxonomy and tag not in known:
        hint = did_you_mean(tag, known)
        raise AuthoringError(
            f"tag '{tag}' is not one of the tags in logbook.toml's [tags]: {', '.join(known)}"
            + (f"; {hint}" if hint else " (add it under [tags] to use it)")
        )
    return tag


def _usable_config(loaded: Any) -> Config:
    """The loaded configuration, refused while logbook.toml has an error: the defaults put in its place
    would write in the wrong zone and, with ``[git] commit`` unread, leave the record uncommitted."""
    broken = [d for d in loaded.diagnostics if d.is_error and d.location.path == CONFIG_NAME]
    if broken:
        first = broken[0]
        hint = f" ({first.hint})" if first.hint else ""
        raise AuthoringError(
            f"logbook.toml has errors; fix them first (logbook check): "
            f"{first.location.path}:{first.location.line}: {first.message}{hint}; nothing was written"
        )
    config: Config = loaded.logbook.config
    return config


def find_case(root: Path, case_id: str) -> tuple[Case, Config]:
    """The case with this id (ignoring case) and the logbook's configuration, from one load."""
    loaded = load_logbook(root)
    _usable_config(loaded)
    for case in loaded.logbook.cases:
        if case.id.casefold() == case_id.casefold():
            broken = [d for d in loaded.diagnostics if d.is_error and d.location.path.startswith(_case_prefix(case))]
            if broken:
                first = broken[0]
                raise AuthoringError(
                    f"case '{case.id}' has errors; fix them first (logbook check): "
                    f"{first.location.path}:{first.location.line}: {first.message}"
                )
            return case, loaded.logbook.config
    broken = [d for d in loaded.diagnostics if d.is_error and case_id.casefold() in d.location.path.casefold()]
    if broken:
        raise AuthoringError(
            f"case '{case_id}' has errors; fix them first (logbook check): "
            f"{broken[0].location.path}:{broken[0].location.line}: {broken[0].message}"
        )
    raise AuthoringError(no_such_case(case_id, [case.id for case in loaded.logbook.cases]))


def _case_prefix(case: Case) -> str:
    path = case.location.path
    return path.rpartition("/")[0] + "/" if case.form == "bundle" else path


def add_interaction(root: Path, case_id: str, new: NewInteraction, now: datetime | None = None) -> Written:
    """Record one interaction in a case (``logbook add``).  One that changes the case's status is
    ``casestate.add_with_status``'s, which keeps ``case.md``'s ``status:`` in step; given here, it
    is refused by the check before writing (the case would disagree with its history)."""
    root = root.resolve()
    case, config = find_case(root, case_id)
    return record_interaction(root, case, config, new, now)


def promise_notes(case: Case, recorded: Recorded) -> tuple[str, ...]:
    """How to keep each promise just recorded: its id, for ``--fulfils``."""
    return tuple(
        f"promise id: {ident} (when it is kept: logbook add {case.id} … --fulfils {ident})"
        for ident in recorded.promise_ids
    )


def record_interaction(
    root: Path, case: Case, config: Config, new: NewInteraction, now: datetime | None = None, verb: str = "add"
) -> Written:
    """Write *new* into *case* and commit it; the one path from a request to a committed interaction."""
    changing = (root / case.location.path,) if case.form == "single" else ()
    recorded: list[Recorded] = []

    def write() -> Written:
        try:
            recorded.append(write_interaction(root, case, config, new, now))
        except WriteRefused as exc:
            raise AuthoringError(str(exc)) from None
        return Written(
            recorded[0].paths,
            promise_notes(case, recorded[0]),
            message=f"logbook: {verb} {case.id}: {recorded[0].label}",
        )

    return notarised(root, config, changing, "", write)


def _existing_text(path: Path) -> str:
    """A file init appends to, read only if it is a regular file (a FIFO would block forever)."""
    try:
        return read_regular(path).decode("utf-8", errors="replace")
    except OSError as exc:
        raise AuthoringError(f"{path}: {exc.strerror or exc}") from None
