"""The case and interaction fields: one table each, used by the parser and by ``logbook schema``.

Each field names its reader (node → value, with diagnostics), whether it is
required, and its JSON Schema, so the validator and the editor schema cannot
drift apart.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from logbook.core.currencies import ISO_4217
from logbook.core.diagnostics import did_you_mean
from logbook.core.models import (
    DIRECTIONS,
    EVIDENCE_KINDS,
    Agent,
    Amount,
    Attachment,
    Config,
    Party,
    Promise,
    PromiseRef,
    RightsWindow,
)
from logbook.core.outputs import ID_RE
from logbook.core.records import quick_pickle
from logbook.core.rights import rules_by_name
from logbook.core.timeparse import TimeError, zone_named
from logbook.core.yamlnodes import Map, Node, Scalar, Seq
from logbook.load.readers import Reader, unknown_key

AGENT_RE = re.compile(r"(?P<name>.*?)\s*\((?P<id>[^()]+)\)\s*")
AMOUNT_RE = re.compile(
    r"(?P<value>-?\d+(?:\.\d+)?)\s*(?P<currency>[A-Za-z]{3})|(?P<currency2>[A-Za-z]{3})\s*(?P<value2>-?\d+(?:\.\d+)?)"
)


@quick_pickle
@dataclass(frozen=True, slots=True)
class FieldContext:
    """What a field reader may need besides the node itself."""

    config: Config
    zone: tzinfo
    root: Path  # the logbook folder, resolved
    base: Path  # folder that relative attachment paths start from
    container: Path  # folder attachments must stay inside
    container_name: str  # how the container is described in messages
    consulted: list[Path] = field(default_factory=list)  # paths looked at besides the sources (for the cache)


Read = Callable[[Reader, Node, FieldContext], Any]


@quick_pickle
@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    read: Read
    schema: dict[str, Any]
    description: str
    required: bool = False


# --- value readers -----------------------------------------------------------


def _text(name: str) -> Read:
    return lambda reader, node, ctx: reader.text(node, name)


def _bool(name: str) -> Read:
    return lambda reader, node, ctx: reader.boolean(node, name)


def _moment(name: str) -> Read:
    return lambda reader, node, ctx: reader.moment(node, name, ctx.zone)


def read_id(reader: Reader, node: Node, ctx: FieldContext) -> str | None:
    value = reader.text(node, "id")
    if value is not None and not ID_RE.fullmatch(value):
        reader.error(
            node,
            "invalid-id",
            f"id '{value}' may only contain letters, digits, '.', '_' and '-' and must start with a letter or digit",
        )
        return None
    return value


def read_status(reader: Reader, node: Node, ctx: FieldContext) -> str | None:
    return reader.choice(node, "status", ctx.config.statuses, "unknown-status", "statuses")


def read_channel(reader: Reader, node: Node, ctx: FieldContext) -> str | None:
    return reader.choice(node, "channel", ctx.config.channels, "unknown-channel", "channels")


def read_direction(reader: Reader, node: Node, ctx: FieldContext) -> str | None:
    value = reader.text(node, "direction")
    if value is None:
        return None
    if value in DIRECTIONS:
        return value
    reader.error(
        node,
        "invalid-direction",
        f"direction '{value}' must be in, out or internal",
        did_you_mean(value, DIRECTIONS) or "in: received by you; out: sent by you; internal: a note never sent",
    )
    return None


def read_timezone(reader: Reader, node: Node, ctx: FieldContext) -> str | None:
    value = reader.text(node, "timezone")
    if value is None:
        return None
    try:
        zone_named(value)
    except TimeError as exc:
        reader.error(node, exc.code, str(exc), exc.hint)
        return None
    return value


def read_tags(reader: Reader, node: Node, ctx: FieldContext) -> tuple[str, ...] | None:
    items = node.items if isinstance(node, Seq) else (node,)
    tags: list[str] = []
    allowed = [name for name, _ in ctx.config.tags]
    for item in items:
        values = reader.text_list(item, "tags") or ()
        for tag in values:
            if not ID_RE.fullmatch(tag):
                reader.error(
                    item,
                    "invalid-tag",
                    f"tag '{tag}' may only contain letters, digits, '.', '_' and '-'",
                    "use a short slug such as 'refund-delayed'",
                )
            elif ctx.config.has_tag_taxonomy and tag not in allowed:
                reader.error(
                    item,
                    "unknown-tag",
                    f"tag '{tag}' is not in logbook.toml",
                    did_you_mean(tag, allowed) or "add it under [tags] in logbook.toml",
                )
            elif tag not in tags:
                tags.append(tag)
    return tuple(tags)


def read_refs(reader: Reader, node: Node, ctx: FieldContext) -> tuple[tuple[str, str], ...] | None:
    mapping = reader.mapping(node, "refs")
    if mapping is None:
        return None
    refs = []
    for key, value in mapping.entries:
        text = reader.text(value, f"refs.{key.value}")
        if text is not None:
            refs.append((key.value or "", text))
    return tuple(refs)


def read_amount(reader: Reader, node: Node, ctx: FieldContext) -> Amount | None:
    value = reader.text(node, "amount")
    if value is None:
        return None
    match = AMOUNT_RE.fullmatch(value.replace(",", "") if re.fullmatch(r"[^.]*,\d{3}\.\d+.*", value) else value)
    if not match:
        reader.error(node, "invalid-amount", f"amount '{value}' must be a number and a currency code", "e.g. 89.99 EUR")
        return None
    number = match["value"] or match["value2"]
    currency = (match["currency"] or match["currency2"]).upper()
    if currency not in ISO_4217:
        reader.error(
            node,
            "invalid-amount",
            f"'{currency}' is not an ISO 4217 currency code",
            did_you_mean(currency, ISO_4217) or "e.g. EUR, USD, GBP",
        )
        return None
    try:
        return Amount(Decimal(number), currency)
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        reader.error(node, "invalid-amount", f"'{number}' is not a number")
        return None


def read_agent(reader: Reader, node: Node, ctx: FieldContext) -> Agent | None:
    if isinstance(node, Map):
        name = node.get("name")
        ident = node.get("id")
        for key, _ in node.entries:
            if key.value not in ("name", "id"):
                unknown_key(reader, key, ("name", "id"), "agent")
        if name is None:
            reader.error(node, "missing-field", "agent needs a 'name'")
            return None
        name_text = reader.text(name, "agent.name")
        id_text = reader.text(ident, "agent.id") if ident is not None else None
        return Agent(name_text, id_text) if name_text else None
    value = reader.text(node, "agent")
    if value is None:
        return None
    match = AGENT_RE.fullmatch(value)
    return Agent(match["name"], match["id"].strip()) if match and match["name"] else Agent(value)


def read_people(name: str) -> Read:
    def read(reader: Reader, node: Node, ctx: FieldContext) -> str | None:
        values = reader.text_list(node, name) if isinstance(node, Seq) else ((reader.text(node, name),))
        values = tuple(v for v in (values or ()) if v)
        return ", ".join(values) or None

    return read


PROMISE_KEYS = ("what", "due", "by", "id")


def read_promises(reader: Reader, node: Node, ctx: FieldContext) -> tuple[Promise, ...] | None:
    items = node.items if isinstance(node, Seq) else (node,)
    promises = []
    for item in items:
        if isinstance(item, Scalar) and item.value:
            promises.append(Promise(item.value.strip(), None, None, None, reader.at(item)))
            continue
        if not isinstance(item, Map):
            reader.wrong_type(item, "promises entry", "a mapping with 'what' (and 'due', 'by', 'id')")
            continue
        for key, _ in item.entries:
            if key.value not in PROMISE_KEYS:
                unknown_key(reader, key, PROMISE_KEYS, "promise")
        what_node = item.get("what")
        if what_node is None:
            reader.error(item, "missing-field", "a promise needs 'what' (what was promised)")
            continue
        what = reader.text(what_node, "what")
        due_node, by_node, id_node = item.get("due"), item.get("by"), item.get("id")
        due = reader.moment(due_node, "due", ctx.zone) if due_node is not None else None
        by = reader.text(by_node, "by") if by_node is not None else None
        ident = read_id(reader, id_node, ctx) if id_node is not None else None
        if what:
            promises.append(Promise(what, due, by, ident, reader.at(item)))
    return tuple(promises)


def read_fulfils(reader: Reader, node: Node, ctx: FieldContext) -> tuple[PromiseRef, ...] | None:
    items = node.items if isinstance(node, Seq) else (node,)
    refs = []
    for item in items:
        for value in reader.text_list(item, "fulfils") or ():
            refs.append(PromiseRef(value, reader.at(item)))
    return tuple(refs)


def read_evidence(reader: Reader, node: Node, ctx: FieldContext) -> tuple[str, ...] | None:
    """``evidence: [return-proof, …]``: what a record shows, in the kinds the checklists know."""
    items = node.items if isinstance(node, Seq) else (node,)
    kinds: list[str] = []
    for item in items:
        for kind in reader.text_list(item, "evidence") or ():
            if kind not in EVIDENCE_KINDS:
                reader.error(
                    item,
                    "unknown-evidence",
                    f"evidence kind '{kind}' is not one logbook knows",
                    did_you_mean(kind, EVIDENCE_KINDS) or f"one of: {', '.join(EVIDENCE_KINDS)}",
                )
            elif kind not in kinds:
                kinds.append(kind)
    return tuple(kinds)


PARTY_KEYS = ("name", "role")


def read_parties(reader: Reader, node: Node, ctx: FieldContext) -> tuple[Party, ...] | None:
    """``parties: [{name: Northbank Card Disputes, role: card-issuer}, …]``."""
    items = node.items if isinstance(node, Seq) else (node,)
    parties: list[Party] = []
    for item in items:
        if not isinstance(item, Map):
            reader.wrong_type(item, "parties entry", "a mapping with 'name' and 'role'")
            continue
        for key, _ in item.entries:
            if key.value not in PARTY_KEYS:
                unknown_key(reader, key, PARTY_KEYS, "party")
        name_node, role_node = item.get("name"), item.get("role")
        if name_node is None or role_node is None:
            reader.error(
                item,
                "missing-field",
                "a party needs 'name' and 'role'",
                "e.g. {name: Northbank Card Disputes, role: card-issuer}",
            )
            continue
        name = reader.text(name_node, "name")
        role = reader.choice(role_node, "role", ctx.config.party_roles, "unknown-role", "party roles")
        if name and any(p.name.casefold() == name.casefold() for p in parties):
            reader.error(name_node, "duplicate-party", f"party '{name}' is listed twice")
        elif name and role:
            parties.append(Party(name, role, reader.at(item)))
    return tuple(parties)


ATTACHMENT_KEYS = ("file", "caption", "evidence")


def read_attachments(reader: Reader, node: Node, ctx: FieldContext) -> tuple[Attachment, ...] | None:
    items = node.items if isinstance(node, Seq) else (node,)
    attachments = []
    for item in items:
        caption: str | None = None
        evidence: tuple[str, ...] = ()
        if isinstance(item, Map):
            for key, _ in item.entries:
                if key.value not in ATTACHMENT_KEYS:
                    unknown_key(reader, key, ATTACHMENT_KEYS, "attachment")
            file_node = item.get("file")
            if file_node is None:
                reader.error(item, "missing-field", "an attachment needs 'file'")
                continue
            caption_node, evidence_node = item.get("caption"), item.get("evidence")
            caption = reader.text(caption_node, "caption") if caption_node is not None else None
            evidence = (read_evidence(reader, evidence_node, ctx) or ()) if evidence_node is not None else ()
            item = file_node
        raw = reader.text(item, "attachment")
        if raw is None:
            continue
        resolved = resolve_attachment(reader, item, raw, ctx)
        if resolved is not None:
            attachments.append(Attachment(resolved, caption, reader.at(item), evidence))
    return tuple(attachments)


def _missing_attachment(reader: Reader, node: Node, raw: str, lexical: Path, ctx: FieldContext) -> None:
    """Say where the file was looked for (paths are relative to the file naming them) and which files
    of a similar name there are in the case's folder, written as they would be named here."""
    looked = lexical.relative_to(ctx.root).as_posix() if lexical.is_relative_to(ctx.root) else str(lexical)
    near = similar_files(lexical.name, ctx)
    hint = ("files of a similar name: " + ", ".join(near)) if near else "copy the file there, or correct the name"
    reader.error(
        node,
        "missing-attachment",
        f"attachment '{raw}' does not exist: looked for {looked} (paths are relative to {reader.path})",
        hint,
    )


def similar_files(name: str, ctx: FieldContext, limit: int = 3) -> list[str]:
    """Files in the case's folder (and its subfolders, up to a few hundred) whose names look like *name*."""
    import difflib

    folder = ctx.base if ctx.container == ctx.root else ctx.container
    candidates: dict[str, str] = {}
    for count, path in enumerate(folder.rglob("*") if folder.is_dir() else ()):
        if count > 500:
            break
        if path.is_file() and not path.name.endswith(".md"):
            candidates.setdefault(path.name.casefold(), os.path.relpath(path, ctx.base).replace(os.sep, "/"))
    wanted = name.casefold()
    stem = wanted.rpartition(".")[0] or wanted
    close = [n for n in candidates if n.rpartition(".")[0] == stem]
    close += difflib.get_close_matches(wanted, list(candidates), n=limit, cutoff=0.6)
    return [candidates[n] for n in dict.fromkeys(close)][:limit]


def resolve_attachment(reader: Reader, node: Node, raw: str, ctx: FieldContext) -> str | None:
    """The attachment's path relative to the logbook root, if it is a readable file inside its container."""
    if "\\" in raw:
        reader.error(
            node,
            "attachment-outside",
            f"attachment path '{raw}' contains a backslash",
            "use forward slashes: folder/file.png",
        )
        return None
    if raw.startswith("/") or re.match(r"[A-Za-z]:", raw) or "\x00" in raw:
        reader.error(
            node,
            "attachment-outside",
            f"attachment path '{raw}' is absolute",
            f"copy the file into {ctx.container_name} and give a relative path",
        )
        return None
    lexical = Path(os.path.normpath(ctx.base / raw))
    ctx.consulted.extend((lexical, lexical.parent))
    if not lexical.is_relative_to(ctx.container):
        reader.error(
            node,
            "attachment-outside",
            f"attachment '{raw}' is outside {ctx.container_name}",
            f"copy the file into {ctx.container_name}",
        )
        return None
    try:
        real = lexical.resolve(strict=True)
        ctx.consulted.append(real)
    except FileNotFoundError:
        _missing_attachment(reader, node, raw, lexical, ctx)
        return None
    except (OSError, RuntimeError) as exc:
        reader.error(node, "missing-attachment", f"attachment '{raw}' cannot be opened: {exc}")
        return None
    if not real.is_relative_to(ctx.container):
        reader.error(
            node,
            "attachment-outside",
            f"attachment '{raw}' is a link to a file outside {ctx.container_name}",
            "copy the file itself into the logbook",
        )
        return None
    try:
        info = real.stat()
        readable = os.access(real, os.R_OK)
    except OSError as exc:
        reader.error(node, "attachment-not-file", f"attachment '{raw}' cannot be read: {exc.strerror}")
        return None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        reader.error(node, "attachment-not-file", f"attachment '{raw}' is {kind}", "attach a file")
        return None
    if not readable:
        reader.error(node, "attachment-not-file", f"attachment '{raw}' is not readable (check its permissions)")
        return None
    return lexical.relative_to(ctx.root).as_posix()


def read_windows(reader: Reader, node: Node, ctx: FieldContext) -> tuple[RightsWindow, ...] | None:
    items = node.items if isinstance(node, Seq) else (node,)
    rules = rules_by_name(ctx.config.windows)
    windows = []
    for item in items:
        if not isinstance(item, Map):
            reader.wrong_type(item, "windows entry", "a mapping with 'rule' and 'from'")
            continue
        for key, _ in item.entries:
            if key.value not in ("rule", "from"):
                unknown_key(reader, key, ("rule", "from"), "window")
        rule_node, start_node = item.get("rule"), item.get("from")
        if rule_node is None or start_node is None:
            reader.error(
                item,
                "missing-field",
                "a window needs 'rule' and 'from'",
                "e.g. {rule: card-chargeback, from: 2026-02-26}",
            )
            continue
        rule = reader.text(rule_node, "rule")
        if rule is not None and rule not in rules:
            reader.error(
                rule_node,
                "unknown-window",
                f"no rights window called '{rule}'",
                did_you_mean(rule, rules) or f"presets: {', '.join(sorted(rules))}; or add it under [windows]",
            )
            continue
        start = reader.moment(start_node, "from", ctx.zone)
        if rule and start:
            windows.append(RightsWindow(rule, start, reader.at(item)))
    return tuple(windows)


def read_removed(reader: Reader, node: Node, ctx: FieldContext) -> tuple[tuple[str, str], ...] | None:
    items = node.items if isinstance(node, Seq) else (node,)
    removed = []
    for item in items:
        record_node = item.get("record") if isinstance(item, Map) else None
        reason_node = item.get("reason") if isinstance(item, Map) else None
        if record_node is None or reason_node is None:
            reader.error(
                item,
                "invalid-type",
                "each 'removed' entry needs 'record' (file name, or the time its heading starts with) and 'reason'",
            )
            continue
        record, reason = reader.text(record_node, "record"), reader.text(reason_node, "reason")
        if record and reason:
            removed.append((record, reason))
    return tuple(removed)


# --- the tables ----------------------------------------------------------------

_STR = {"type": "string"}
_BOOL = {"type": ["boolean", "string"], "enum": [True, False, "true", "false", "yes", "no"]}
_MOMENT = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?.*)?$"}
_TEXT_LIST = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
_EVIDENCE = {
    "oneOf": [
        {"type": "string", "enum": list(EVIDENCE_KINDS)},
        {"type": "array", "items": {"type": "string", "enum": list(EVIDENCE_KINDS)}},
    ]
}

CASE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "id",
        read_id,
        {"type": "string", "pattern": "^" + ID_RE.pattern + "$"},
        "Case id; defaults to the folder or file name. Unique, compared case-insensitively.",
    ),
    FieldSpec("title", _text("title"), _STR, "One line saying what the case is about.", required=True),
    FieldSpec("status", read_status, _STR, "Current status, one of the configured statuses.", required=True),
    FieldSpec("opened", _moment("opened"), _MOMENT, "When the case began (date or date-time)."),
    FieldSpec("closed", _moment("closed"), _MOMENT, "When the case was closed; required when status is closed."),
    FieldSpec("summary", _text("summary"), _STR, "Final summary note; required when status is closed."),
    FieldSpec("counterparty", _text("counterparty"), _STR, "The other side: a company or a customer."),
    FieldSpec(
        "parties",
        read_parties,
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": _STR, "role": _STR},
                "required": ["name", "role"],
                "additionalProperties": False,
            },
        },
        "Third parties (and the counterparty, to give it a role): {name, role}, e.g. "
        "{name: Northbank Card Disputes, role: card-issuer}.",
    ),
    FieldSpec(
        "refs",
        read_refs,
        {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
        "Reference numbers, e.g. order: GT-889123, rma: RMA-5521, their_case: CS-77812.",
    ),
    FieldSpec(
        "amount",
        read_amount,
        {"type": "string", "pattern": r"^-?\d+(\.\d+)?\s*[A-Za-z]{3}$"},
        "Money at stake: a decimal and an ISO 4217 code, e.g. 89.99 EUR.",
    ),
    FieldSpec("tags", read_tags, _TEXT_LIST, "Tags; checked against [tags] in logbook.toml when present."),
    FieldSpec("timezone", read_timezone, _STR, "IANA zone for local times in this case, e.g. Europe/Berlin."),
    FieldSpec("private", _bool("private"), _BOOL, "true: never published."),
    FieldSpec("tone", _bool("tone"), _BOOL, "false: skip the tone check for this case's messages."),
    FieldSpec(
        "removed",
        read_removed,
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"record": _STR, "reason": _STR},
                "required": ["record", "reason"],
                "additionalProperties": False,
            },
        },
        "Interactions deliberately removed after being committed, with the reason (silences the warning).",
    ),
    FieldSpec(
        "windows",
        read_windows,
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"rule": _STR, "from": _MOMENT},
                "required": ["rule", "from"],
                "additionalProperties": False,
            },
        },
        "Rights windows to watch, e.g. {rule: card-chargeback, from: 2026-02-26}.",
    ),
)

INTERACTION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "at",
        _moment("at"),
        _MOMENT,
        "When it happened: ISO 8601 with offset, a local date-time, or a date alone.",
        required=True,
    ),
    FieldSpec("title", _text("title"), _STR, "A short title for the entry."),
    FieldSpec(
        "channel",
        read_channel,
        _STR,
        "email, chat, phone, social, sms, letter, in-person, portal, note…",
        required=True,
    ),
    FieldSpec(
        "direction",
        read_direction,
        {"type": "string", "enum": list(DIRECTIONS)},
        "in: received by the keeper of the log; out: sent by them; internal: a note never sent.",
        required=True,
    ),
    FieldSpec("from", read_people("from"), _TEXT_LIST, "Who sent it."),
    FieldSpec("to", read_people("to"), _TEXT_LIST, "Who received it."),
    FieldSpec("cc", read_people("cc"), _TEXT_LIST, "Who was copied (Cc)."),
    FieldSpec(
        "agent",
        read_agent,
        {
            "oneOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"name": _STR, "id": {"type": ["string", "number"]}},
                    "required": ["name"],
                    "additionalProperties": False,
                },
            ]
        },
        "The agent: 'Maria (A-12)' or a mapping with name and id.",
    ),
    FieldSpec(
        "party",
        _text("party"),
        _STR,
        "Whom it was exchanged with: the counterparty (the default) or a name from the case's 'parties'.",
    ),
    FieldSpec("ref", _text("ref"), {"type": ["string", "number"]}, "Their message or case number."),
    FieldSpec("subject", _text("subject"), _STR, "Subject line."),
    FieldSpec("status", read_status, _STR, "A status change taking effect with this interaction."),
    FieldSpec(
        "promises",
        read_promises,
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"what": _STR, "due": _MOMENT, "by": _STR, "id": _STR},
                "required": ["what"],
                "additionalProperties": False,
            },
        },
        "Promises made here: what, due, by, id.",
    ),
    FieldSpec("fulfils", read_fulfils, _TEXT_LIST, "Ids of promises kept by this interaction."),
    FieldSpec(
        "attachments",
        read_attachments,
        {
            "type": "array",
            "items": {
                "oneOf": [
                    _STR,
                    {
                        "type": "object",
                        "properties": {"file": _STR, "caption": _STR, "evidence": _EVIDENCE},
                        "required": ["file"],
                        "additionalProperties": False,
                    },
                ]
            },
        },
        "Files attached: paths relative to this file, or file + caption (+ evidence).",
    ),
    FieldSpec(
        "evidence",
        read_evidence,
        _EVIDENCE,
        "What this record shows, for the chargeback checklists: e.g. [return-proof] (kinds in docs/format.md).",
    ),
    FieldSpec("next", _text("next"), _STR, "The next step."),
    FieldSpec("key", _bool("key"), _BOOL, "true: a key fact of the case."),
    FieldSpec(
        "expects_reply",
        _bool("expects_reply"),
        _BOOL,
        "false: this message waits for no answer (an automatic acknowledgement, a receipt).",
    ),
    FieldSpec("private", _bool("private"), _BOOL, "true: never published."),
    FieldSpec("tone", _bool("tone"), _BOOL, "false: skip the tone check for this message."),
    FieldSpec(
        "message_id",
        _text("message_id"),
        _STR,
        "The original message's id (an email's Message-ID); logbook import skips what is already recorded.",
    ),
)
