"""Parsing case sources — bundles and single files — into the same Case model."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any

from logbook.core.diagnostics import Diagnostic, Location, error, warning
from logbook.core.models import Case, Config, Interaction, Party
from logbook.core.outputs import ID_RE
from logbook.core.records import quick_pickle
from logbook.core.split import Block, Section, split_front_matter, split_sections, trim_block
from logbook.core.timeparse import TimeError, parse_moment, zone_named
from logbook.core.yamlnodes import Map, Node, Scalar, compose
from logbook.load.fields import CASE_FIELDS, INTERACTION_FIELDS, FieldContext, FieldSpec
from logbook.load.readers import Reader, unknown_key
from logbook.store.discover import BundleSource, SingleSource, Source
from logbook.store.history import section_keys
from logbook.store.textfile import SourceText, read_source, source_from_bytes

CASE_KEYS = tuple(spec.name for spec in CASE_FIELDS)
INTERACTION_KEYS = tuple(spec.name for spec in INTERACTION_FIELDS)


@quick_pickle
@dataclass(frozen=True, slots=True)
class ParseResult:
    case: Case | None
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...]  # every source file read, for "N files" summaries
    consulted: tuple[str, ...] = ()  # other paths whose state the result depends on (attachments, their folders)


def parse_source(
    source: Source, root: Path, config: Config, contents: Mapping[str, bytes] = MappingProxyType({})
) -> ParseResult:
    """A case source parsed; *contents* holds the bytes of files read already (by logbook-relative path)."""
    if isinstance(source, BundleSource):
        return parse_bundle(source, root, config, contents)
    return parse_single(source, root, config, contents)


# --- shared pieces ---------------------------------------------------------------


def _outside(root: Path, rel: str) -> bool:
    """Whether *rel* is, or goes through, a link to somewhere outside *root* (resolved).  Only a path
    with a link on the way is resolved: a few ``lstat`` calls instead of one per folder from ``/``."""
    parts = rel.split("/")
    if ".." not in parts:
        path = str(root)
        for part in parts:
            path = os.path.join(path, part)
            if os.path.islink(path):
                break
        else:
            return False
    try:
        return not (root / rel).resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return True


def _load_text(root: Path, rel: str, diagnostics: list[Diagnostic], contents: Mapping[str, bytes]) -> SourceText | None:
    if _outside(root, rel):
        diagnostics.append(error("read-error", "file is a link to somewhere outside the logbook", Location(rel)))
        return None
    data = contents.get(rel)
    loaded = read_source(root / rel, rel) if data is None else source_from_bytes(data, rel)
    if isinstance(loaded, Diagnostic):
        diagnostics.append(loaded)
        return None
    return loaded


def _compose_map(block: Block, reader: Reader, what: str) -> Map | None:
    composed = compose(block.text, block.line)
    for problem in composed.problems:
        reader.diagnostics.append(
            error(problem.code, problem.message, Location(reader.path, problem.line, problem.column), problem.hint)
        )
    root = composed.root
    if root is None:
        if composed.problems:
            return None
        return Map((), block.line, 1)
    if not isinstance(root, Map):
        reader.error(
            root,
            "not-a-mapping",
            f"{what} must be 'key: value' lines, not {_kind(root)}",
            "leave a blank line between the fields and the message" if what.startswith("interaction") else None,
        )
        return None
    return root


def _kind(node: Node) -> str:
    return "a list" if not isinstance(node, (Map, Scalar)) else "a single value"


def _read_fields(
    reader: Reader,
    mapping: Map,
    specs: tuple[FieldSpec, ...],
    ctx: FieldContext,
    where: str,
    skip: tuple[str, ...] = (),
) -> dict[str, Any]:
    known = {spec.name: spec for spec in specs}
    values: dict[str, Any] = {}
    for key, node in mapping.entries:
        name = key.value or ""
        if name in skip:
            continue
        spec = known.get(name)
        if spec is None:
            unknown_key(reader, key, tuple(known), where)
            continue
        values[name] = spec.read(reader, node, ctx)
    return values


def _missing(
    reader: Reader,
    mapping: Map,
    specs: tuple[FieldSpec, ...],
    present: dict[str, Any],
    where: str,
    hint: str | None = None,
    given: frozenset[str] = frozenset(),
) -> bool:
    """Report required fields absent from *mapping* (and not *given* elsewhere); True when any is missing or unreadable."""
    keys = {k.value for k, _ in mapping.entries} | given
    failed = False
    for spec in specs:
        if not spec.required:
            continue
        if spec.name not in keys:
            reader.error(mapping, "missing-field", f"{where} has no '{spec.name}'", hint or spec.description)
            failed = True
        elif present.get(spec.name) is None:
            failed = True
    return failed


def _case_zone(reader: Reader, mapping: Map | None, config: Config) -> tzinfo:
    node = mapping.get("timezone") if mapping else None
    for name in ((node.value if isinstance(node, Scalar) else None), config.timezone):
        if name:
            try:
                return zone_named(name.strip())
            except TimeError:
                continue  # reported by the field reader
    return zone_named("UTC")


def _build_case(
    reader: Reader,
    mapping: Map,
    values: dict[str, Any],
    *,
    default_id: str,
    file_location: Location,
    description: Block,
    interactions: list[Interaction],
    form: str,
    looks_like_interaction: bool,
    config: Config,
) -> Case | None:
    hint = (
        "this looks like an interaction file: is case.md missing from its folder?" if looks_like_interaction else None
    )
    failed = _missing(reader, mapping, CASE_FIELDS, values, "case", hint)
    status = values.get("status")
    if status == "closed":
        for field in ("closed", "summary"):
            if mapping.get(field) is None:
                reader.error(
                    mapping.get("status") or mapping,
                    "missing-field",
                    f"a closed case needs '{field}'",
                    "when it was closed" if field == "closed" else "a final summary note: the outcome",
                )
                failed = True
    opened, closed = values.get("opened"), values.get("closed")
    if opened and closed and closed.end < opened.instant:
        reader.error(mapping.get("closed") or mapping, "date-order", "the case is closed before it was opened")
    id_node = mapping.get("id")
    case_id = values.get("id") if id_node is not None else default_id
    if case_id is None:
        return None
    if id_node is None and not ID_RE.fullmatch(case_id):
        reader.diagnostics.append(
            error(
                "invalid-id",
                f"the name '{case_id}' is not a valid case id",
                file_location,
                "rename it, or set 'id:' in the front matter",
            )
        )
        return None
    if failed or status is None:
        return None
    parties = values.get("parties") or ()
    counterparty = values.get("counterparty")
    interactions = [_with_party(i, counterparty, parties, config) for i in interactions]
    return Case(
        id=case_id,
        title=values["title"],
        status=status,
        opened=opened,
        closed=closed,
        summary=values.get("summary"),
        counterparty=values.get("counterparty"),
        refs=values.get("refs") or (),
        amount=values.get("amount"),
        tags=values.get("tags") or (),
        timezone=values.get("timezone"),
        private=bool(values.get("private")),
        description=description.text,
        interactions=tuple(interactions),
        form=form,
        location=file_location,
        id_location=reader.at(id_node) if id_node is not None else file_location,
        description_location=Location(reader.path, description.line),
        tone=values.get("tone") is not False,
        windows=values.get("windows") or (),
        removed=values.get("removed") or (),
        parties=parties,
        status_location=reader.at(node) if (node := mapping.get("status")) is not None else file_location,
        closed_location=reader.at(node) if (node := mapping.get("closed")) is not None else None,
    )


def _with_party(
    interaction: Interaction, counterparty: str | None, parties: tuple[Party, ...], config: Config
) -> Interaction:
    """The interaction with its party resolved (the counterparty unless ``party:`` names one, matched
    ignoring case; an unknown name is kept as written for ``check`` to report) and each promise's
    ``by`` filled in: the agent, else the party, for an inbound message; the keeper otherwise."""
    names = {n.casefold(): n for n in ([counterparty] if counterparty else []) + [p.name for p in parties]}
    party = interaction.party
    if party is not None:
        party = names.get(party.casefold(), party)
    elif interaction.direction != "internal":
        party = counterparty
    if interaction.direction == "in":
        maker = interaction.agent.display() if interaction.agent else party
    else:
        maker = config.keeper_name()
    promises = tuple(p if p.by or not maker else replace(p, by=maker) for p in interaction.promises)
    return replace(interaction, party=party, promises=promises)


def _build_interaction(
    reader: Reader,
    mapping: Map,
    values: dict[str, Any],
    body: Block,
    location: Location,
    position: int,
    given: frozenset[str] = frozenset(),
) -> Interaction | None:
    if _missing(reader, mapping, INTERACTION_FIELDS, values, "interaction", given=given):
        return None
    return Interaction(
        at=values["at"],
        title=values.get("title"),
        channel=values["channel"],
        direction=values["direction"],
        sender=values.get("from"),
        recipient=values.get("to"),
        agent=values.get("agent"),
        ref=values.get("ref"),
        subject=values.get("subject"),
        status=values.get("status"),
        promises=values.get("promises") or (),
        fulfils=values.get("fulfils") or (),
        attachments=values.get("attachments") or (),
        next_step=values.get("next"),
        key=bool(values.get("key")),
        private=bool(values.get("private")),
        body=body.text,
        location=location,
        body_location=Location(reader.path, body.line),
        position=position,
        tone=values.get("tone") is not False,
        party=values.get("party"),
        expects_reply=values.get("expects_reply") is not False,
        party_location=reader.at(node) if (node := mapping.get("party")) is not None else None,
        evidence=values.get("evidence") or (),
        status_location=reader.at(node) if (node := mapping.get("status")) is not None else None,
        cc=values.get("cc"),
        message_id=values.get("message_id"),
    )


# --- bundles ---------------------------------------------------------------------


def parse_bundle(
    source: BundleSource, root: Path, config: Config, contents: Mapping[str, bytes] = MappingProxyType({})
) -> ParseResult:
    diagnostics: list[Diagnostic] = []
    folder = root / source.folder
    default_id = Path(source.folder).name
    case_reader = Reader(source.case_file, diagnostics)
    text = _load_text(root, source.case_file, diagnostics, contents)
    files = (source.case_file, *source.interaction_files)
    if text is None:
        return ParseResult(None, tuple(diagnostics), files)
    split = split_front_matter(text.text)
    mapping = _front_matter(case_reader, split, "case")
    zone = _case_zone(case_reader, mapping, config)
    ctx = FieldContext(config, zone, root, folder, folder, f"the case folder '{source.folder}/'")
    values = _read_fields(case_reader, mapping, CASE_FIELDS, ctx, "case") if mapping else {}

    interactions: list[Interaction] = []
    for position, rel in enumerate(source.interaction_files):
        reader = Reader(rel, diagnostics)
        loaded = _load_text(root, rel, diagnostics, contents)
        if loaded is None:
            continue
        part = split_front_matter(loaded.text)
        fields = _front_matter(reader, part, "interaction")
        if fields is None:
            continue
        field_values = _read_fields(reader, fields, INTERACTION_FIELDS, ctx, "interaction")
        interaction = _build_interaction(
            reader, fields, field_values, trim_block(part.body), Location(rel, 1, 1), position
        )
        if interaction is not None:
            interactions.append(interaction)

    referenced = {a.path for i in interactions for a in i.attachments}
    for rel in source.other_files:
        if rel not in referenced:
            diagnostics.append(_unreferenced(rel))
    if mapping is None:
        return ParseResult(None, tuple(diagnostics), files, tuple(map(str, ctx.consulted)))
    case = _build_case(
        case_reader,
        mapping,
        values,
        default_id=default_id,
        file_location=Location(source.case_file),
        description=trim_block(split.body),
        interactions=interactions,
        form="bundle",
        looks_like_interaction=False,
        config=config,
    )
    return ParseResult(case, tuple(diagnostics), files, tuple(map(str, ctx.consulted)))


def _unreferenced(rel: str) -> Diagnostic:
    return warning(
        "unreferenced-file",
        "file in the case folder is not attached to any interaction",
        Location(rel),
        "list it under 'attachments:' of the interaction it belongs to",
    )


def _front_matter(reader: Reader, split: Any, what: str) -> Map | None:
    if split.unclosed:
        dots = "..." in (line.rstrip() for line in split.body.text.split("\n"))
        reader.diagnostics.append(
            error(
                "unclosed-front-matter",
                "front matter starts with '---' but never ends",
                Location(reader.path, 1, 1),
                "end it with '---', not YAML's '...'" if dots else "add a line '---' after the last field",
            )
        )
        return None
    if split.front_matter is None:
        reader.diagnostics.append(
            error(
                "missing-front-matter",
                f"{what} file has no front matter",
                Location(reader.path, 1, 1),
                "start the file with '---', the fields as 'key: value' lines, then '---'",
            )
        )
        return None
    return _compose_map(split.front_matter, reader, f"{what} front matter")


# --- single files ------------------------------------------------------------------


def parse_single(
    source: SingleSource, root: Path, config: Config, contents: Mapping[str, bytes] = MappingProxyType({})
) -> ParseResult:
    diagnostics: list[Diagnostic] = []
    reader = Reader(source.path, diagnostics)
    text = _load_text(root, source.path, diagnostics, contents)
    if text is None:
        return ParseResult(None, tuple(diagnostics), (source.path,))
    split = split_front_matter(text.text)
    mapping = _front_matter(reader, split, "case")
    zone = _case_zone(reader, mapping, config)
    path = root / source.path
    ctx = FieldContext(config, zone, root, path.parent, root, "the logbook")
    values = _read_fields(reader, mapping, CASE_FIELDS, ctx, "case") if mapping else {}
    description, sections = split_sections(split.body)
    interactions = []
    keys = section_keys(s.heading for s in sections)
    for position, (section, key) in enumerate(zip(sections, keys)):
        interaction = _parse_section(reader, section, ctx, position, key)
        if interaction is not None:
            interactions.append(interaction)
    if mapping is None:
        return ParseResult(None, tuple(diagnostics), (source.path,), tuple(map(str, ctx.consulted)))
    looks_like_interaction = mapping.get("at") is not None or mapping.get("channel") is not None
    case = _build_case(
        reader,
        mapping,
        values,
        default_id=Path(source.path).stem,
        file_location=Location(source.path),
        description=description,
        interactions=interactions,
        form="single",
        looks_like_interaction=looks_like_interaction,
        config=config,
    )
    return ParseResult(case, tuple(diagnostics), (source.path,), tuple(map(str, ctx.consulted)))


def _parse_section(reader: Reader, section: Section, ctx: FieldContext, position: int, key: str) -> Interaction | None:
    heading_at = Location(reader.path, section.heading_line, section.heading_column)
    try:
        parsed = parse_moment(section.heading, ctx.zone, prefix=True)
    except TimeError as exc:
        if exc.code != "invalid-datetime" or section.heading[:1].isdigit():
            reader.diagnostics.append(error(exc.code, str(exc), heading_at, exc.hint))
        else:
            reader.diagnostics.append(
                error(
                    "invalid-heading",
                    f"heading '## {section.heading}' does not start with a date or date-time",
                    heading_at,
                    "an interaction heading starts with its time, e.g. '## 2026-01-16 14:03 Chat'; "
                    "use '###' for headings inside a message",
                )
            )
        return None
    if parsed.ambiguity:
        reader.diagnostics.append(
            warning("ambiguous-time", parsed.ambiguity, heading_at, "write the UTC offset, e.g. +01:00")
        )
    title = section.heading[parsed.end :].strip().lstrip("-–—:|·").strip() or None
    mapping = (
        _compose_map(section.fields, reader, "interaction fields")
        if section.fields.text.strip()
        else Map((), section.heading_line, section.heading_column)
    )
    if mapping is None:
        return None
    at_node = mapping.get("at")
    if at_node is not None:
        reader.error(at_node, "field-conflict", "'at' is already given by the heading", "remove this line")
    values = _read_fields(reader, mapping, INTERACTION_FIELDS, ctx, "interaction", skip=("at",))
    values["at"] = parsed.moment
    if title and "title" not in values:
        values["title"] = title
    interaction = _build_interaction(
        reader, mapping, values, section.body, heading_at, position, given=frozenset({"at"})
    )
    return replace(interaction, section_key=key) if interaction else None
