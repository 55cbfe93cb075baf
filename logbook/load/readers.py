"""Turning located YAML nodes into typed values, collecting diagnostics on the way.

A reader never raises for bad input: it records a diagnostic at the node's
position and returns None, so one run reports every problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from logbook.core.diagnostics import Diagnostic, Location, did_you_mean, error, warning
from logbook.core.timeparse import Moment, TimeError, parse_moment
from logbook.core.yamlnodes import Map, Node, Scalar, Seq

TRUE_WORDS = frozenset({"true", "yes", "on", "y"})
FALSE_WORDS = frozenset({"false", "no", "off", "n"})
KIND_NAMES = {Scalar: "a single value", Seq: "a list", Map: "a mapping (key: value lines)"}


@dataclass
class Reader:
    """Reads values out of one file's nodes; ``diagnostics`` collects what it finds."""

    path: str
    diagnostics: list[Diagnostic]

    def at(self, node: Node | Scalar) -> Location:
        return Location(self.path, node.line, node.column)

    def error(self, node: Node, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(error(code, message, self.at(node), hint))

    def warning(self, node: Node, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(warning(code, message, self.at(node), hint))

    def wrong_type(self, node: Node, name: str, expected: str) -> None:
        self.error(node, "invalid-type", f"'{name}' must be {expected}, not {KIND_NAMES[type(node)]}")

    def text(self, node: Node, name: str, *, allow_empty: bool = False) -> str | None:
        if not isinstance(node, Scalar):
            self.wrong_type(node, name, "text")
            return None
        if node.value is None or not node.value.strip():
            if not allow_empty:
                self.error(node, "missing-field", f"'{name}' is empty")
            return None
        return node.value.strip()

    def boolean(self, node: Node, name: str) -> bool | None:
        if isinstance(node, Scalar) and node.value is not None:
            word = node.value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        self.error(node, "invalid-bool", f"'{name}' must be true or false", "write true or false")
        return None

    def text_list(self, node: Node, name: str) -> tuple[str, ...] | None:
        """A list of texts; a single text is read as a list of one."""
        if isinstance(node, Scalar):
            if node.value is None:
                return ()
            return tuple(part.strip() for part in node.value.split(",") if part.strip())
        if not isinstance(node, Seq):
            self.wrong_type(node, name, "a list")
            return None
        values = []
        for item in node.items:
            value = self.text(item, f"{name} entry")
            if value is not None:
                values.append(value)
        return tuple(values)

    def choice(self, node: Node, name: str, allowed: Sequence[str], code: str, plural: str) -> str | None:
        value = self.text(node, name)
        if value is None:
            return None
        if value in allowed:
            return value
        hint = did_you_mean(value, allowed) or f"one of: {', '.join(allowed)}"
        self.error(node, code, f"{name} '{value}' is not one of the configured {plural}", hint)
        return None

    def moment(self, node: Node, name: str, zone: tzinfo) -> Moment | None:
        value = self.text(node, name)
        if value is None:
            return None
        return self.moment_from_text(value, node, zone)

    def moment_from_text(self, value: str, node: Node, zone: tzinfo) -> Moment | None:
        try:
            parsed = parse_moment(value, zone)
        except TimeError as exc:
            self.error(node, exc.code, str(exc), exc.hint)
            return None
        if parsed.ambiguity:
            self.warning(node, "ambiguous-time", parsed.ambiguity, "write the UTC offset, e.g. +01:00")
        return parsed.moment

    def mapping(self, node: Node, name: str) -> Map | None:
        if isinstance(node, Map):
            return node
        if isinstance(node, Scalar) and node.value is None:
            return Map((), node.line, node.column)
        self.wrong_type(node, name, "a mapping (key: value lines)")
        return None


def unknown_key(reader: Reader, key: Scalar, known: Sequence[str], where: str) -> None:
    """Unknown keys are warnings: most are typos of a known one."""
    reader.warning(
        key,
        "unknown-field",
        f"unknown {where} field '{key.value}'",
        did_you_mean(key.value or "", known) or f"known fields: {', '.join(known)}",
    )
