"""Diagnostics as data: every problem logbook finds is a value with a source location.

Stages return diagnostics; only the CLI prints them.  The text form is the
compiler-style ``path:line:col: severity[code]: message`` that editors jump to.
"""

from __future__ import annotations

import difflib
import enum
import json
from dataclasses import dataclass
from typing import Iterable, Sequence


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a source file: path relative to the logbook root, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    location: Location
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)


def error(code: str, message: str, location: Location, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, location, hint)


def warning(code: str, message: str, location: Location, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, location, hint)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean 'x'?" hint when *word* is close to one of *choices*."""
    matches = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.75)
    if not matches:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f"did you mean '{matches[0]}'?" if matches else None


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order, duplicates removed (one problem is reported once)."""
    unique = {(d.sort_key(), d.severity.value, d.hint): d for d in diagnostics}
    return [unique[k] for k in sorted(unique)]


def format_text(diagnostic: Diagnostic, display_path: str) -> str:
    loc = diagnostic.location
    line = f"{display_path}:{loc.line}:{loc.column}: {diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}"
    if diagnostic.hint:
        line += f" ({diagnostic.hint})"
    return line


def format_github(diagnostic: Diagnostic, display_path: str) -> str:
    """A GitHub Actions workflow command, so CI runs annotate the file."""
    loc = diagnostic.location
    level = "error" if diagnostic.is_error else "warning"
    text = diagnostic.message + (f" ({diagnostic.hint})" if diagnostic.hint else "")
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::{level} file={display_path},line={loc.line},col={loc.column},title={diagnostic.code}::{text}"


def to_json(diagnostics: Sequence[Diagnostic], display_paths: Sequence[str]) -> str:
    return json.dumps(
        [
            {
                "file": path,
                "line": d.location.line,
                "column": d.location.column,
                "severity": d.severity.value,
                "code": d.code,
                "message": d.message,
                "hint": d.hint,
            }
            for d, path in zip(diagnostics, display_paths)
        ],
        indent=2,
        ensure_ascii=False,
    )


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
