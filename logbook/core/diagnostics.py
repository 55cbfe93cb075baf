"""Diagnostics as data: every problem logbook finds is a value with a source location.

Stages return diagnostics; only the CLI prints them.  The text form is the
compiler-style ``path:line:col: severity[code]: message`` that editors jump to.
"""

from __future__ import annotations

import difflib
import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from logbook.core.records import quick_pickle


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@quick_pickle
@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a source file: path relative to the logbook root, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1


@quick_pickle
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


# Characters that act on a terminal or on the lines of a report instead of being shown: C0 and C1
# controls (ESC starts the sequences that retitle or clear a terminal; a newline starts a line an
# editor takes for another diagnostic), DEL, the Unicode line and paragraph separators, and the
# bidirectional controls that make text display in another order than it is read ("Trojan Source").
UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
JSON_UNSHOWN = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # C0: escaped by json
NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    return NAMED_ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def printable(text: str) -> str:
    """*text* on one line with nothing that acts on a terminal: each such character written as an
    escape (``\\n``, ``\\x1b``, ``\\u202e``).  Every value from a logbook that reaches the terminal
    goes through here (or through ``terminal_safe``)."""
    return UNSHOWN.sub(_escape, text) if UNSHOWN.search(text) else text


def terminal_safe(text: str) -> str:
    """A report of several lines made by logbook (its newlines are its own) with every other
    character that acts on a terminal escaped, as ``printable`` does."""
    return "\n".join(printable(line) for line in text.split("\n"))


def json_safe(json_text: str) -> str:
    """JSON with the characters ``printable`` escapes written as ``\\uXXXX`` (json.dumps escapes
    C0 controls itself, not C1 ones or bidirectional controls): still the same values, and
    harmless when the JSON is shown on a terminal."""
    return JSON_UNSHOWN.sub(lambda m: f"\\u{ord(m[0]):04x}", json_text)


def format_text(diagnostic: Diagnostic, display_path: str) -> str:
    loc = diagnostic.location
    line = (
        f"{printable(display_path)}:{loc.line}:{loc.column}: {diagnostic.severity.value}[{diagnostic.code}]: "
        f"{printable(diagnostic.message)}"
    )
    if diagnostic.hint:
        line += f" ({printable(diagnostic.hint)})"
    return line


def format_github(diagnostic: Diagnostic, display_path: str) -> str:
    """A GitHub Actions workflow command, so CI runs annotate the file.  Escaped as GitHub's toolkit
    does (``%``, CR and LF in the message; also ``:`` and ``,`` in properties, which end them), after
    ``printable``, so no value can end the command and start another."""
    loc = diagnostic.location
    level = "error" if diagnostic.is_error else "warning"
    text = _github_data(diagnostic.message + (f" ({diagnostic.hint})" if diagnostic.hint else ""))
    return (
        f"::{level} file={_github_property(display_path)},line={loc.line},col={loc.column},"
        f"title={_github_property(diagnostic.code)}::{text}"
    )


def _github_data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def to_json(diagnostics: Sequence[Diagnostic], display_paths: Sequence[str]) -> str:
    return json_safe(
        json.dumps(
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
    )


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


# Every diagnostic code logbook emits, with what it means.  Codes are stable: tools
# and CI scripts may match on them.  tests/test_invalid_corpus.py checks that this
# table, the code that emits diagnostics, and the invalid corpus agree.
CODES: dict[str, str] = {
    # reading files
    "read-error": "a file cannot be read, or is a link to outside the logbook",
    "file-too-large": "a source file is larger than 8 MiB",
    "binary-file": "a .md file contains NUL bytes",
    "not-utf8": "a file is not valid UTF-8",
    "empty-file": "a file is empty",
    "no-cases": "the logbook has no cases/ folder",
    # front matter and YAML
    "missing-front-matter": "a case or interaction file does not start with '---'",
    "unclosed-front-matter": "front matter has no closing '---'",
    "yaml-syntax": "the YAML cannot be parsed (or uses tags, or non-text keys)",
    "yaml-duplicate-key": "a key appears twice in one mapping",
    "yaml-alias": "YAML anchors or aliases are used",
    "yaml-limit": "front matter is too deeply nested or too large",
    "not-a-mapping": "front matter or an interaction's fields are not 'key: value' lines",
    # fields
    "invalid-type": "a field holds a list/mapping/value where another kind is expected",
    "missing-field": "a required field is missing or empty",
    "unknown-field": "a field name logbook does not know (warning; often a typo)",
    "field-conflict": "a field is given twice in different ways ('at' in a heading and a field)",
    "invalid-id": "an id has characters other than letters, digits, '.', '_', '-'",
    "invalid-bool": "a yes/no field has another value",
    "unknown-status": "a status not in the configured statuses",
    "unknown-channel": "a channel not in the configured channels",
    "invalid-direction": "direction is not in, out or internal",
    "unknown-tag": "a tag not in logbook.toml's [tags]",
    "invalid-tag": "a tag that cannot be used in a URL",
    "invalid-datetime": "a date or date-time that cannot be read",
    "nonexistent-time": "a local time inside a daylight-saving gap",
    "ambiguous-time": "a local time that happens twice (daylight-saving fold; warning)",
    "unknown-timezone": "a time zone name that is not an IANA zone",
    "invalid-amount": "an amount that is not a decimal and an ISO 4217 code",
    "unknown-window": "a rights window rule that is neither a preset nor in [windows]",
    "invalid-heading": "a '## ' heading in a single-file case that does not start with a time",
    "date-order": "a case closed before it was opened",
    "unknown-role": "a party's role is not in the configured party roles",
    "duplicate-party": "a case lists the same party twice",
    "unknown-evidence": "an 'evidence:' mark that is not one of the known kinds",
    # attachments
    "missing-attachment": "an attachment file does not exist",
    "attachment-outside": "an attachment path leaves its case folder (bundles) or the logbook",
    "attachment-not-file": "an attachment is a folder, a device, or unreadable",
    "unreferenced-file": "a file in a bundle that no interaction attaches (warning)",
    # across records
    "duplicate-id": "two cases share an id (ignoring case)",
    "duplicate-promise-id": "two promises in one case share an id",
    "unknown-promise": "'fulfils' names a promise id no interaction of the case makes",
    "fulfils-before-promise": "'fulfils' on an entry earlier than the promise it names",
    "unknown-party": "an interaction's 'party' is neither the counterparty nor in the case's 'parties'",
    "status-mismatch": "the case's 'status:' is not the last of its status history",
    # tone of outbound messages (warnings)
    "tone-shouting": "an outbound message has a run of words in capitals",
    "tone-abuse": "an outbound message has an insult or profanity",
    "tone-blame": "an outbound message has a blame phrase",
    "unredacted-card": "a full payment card number is stored in a non-private record (warning)",
    "before-opening": "an interaction is earlier than the case's opened: date (warning)",
    "future-date": "an interaction, opened: or closed: is dated after today (warning)",
    "ends-before-its-day": "a case resolved or closed with a date alone, before timed entries of that day (warning)",
    "placeholder-text": "a published case still has the placeholder background 'logbook new' wrote (warning)",
    # history (git)
    "deleted-interaction": "an interaction that was committed is no longer in the working tree (warning)",
    # configuration and build
    "config-syntax": "logbook.toml is not valid TOML",
    "config-invalid": "a logbook.toml value has the wrong type or form",
    "unknown-config-key": "a logbook.toml key logbook does not know (warning)",
    "unknown-theme": "the theme named in logbook.toml cannot be found",
    "template-error": "a theme template failed to render",
    "output-conflict": "two records would be published at the same path (compared ignoring case), or one inside the other's file",
    "name-too-long": "a case id, tag or attachment name is too long to be a file name",
    # logbook import
    "import-unreadable": "an import source cannot be read as an email, a mailbox or a chat export (nothing imported)",
    "import-bad-message": "a message of an import source cannot be read (it is not imported; the others are)",
    "import-date": "an imported email's time comes from its Received: header, not its Date: (warning)",
    "import-no-me": "an import without --me or [me]: every message is recorded as received (warning)",
    "import-logbook-errors": "an import into a logbook that has errors is refused",
    "import-no-case": "--case names no case",
    "import-case-exists": "--new-case names a case that exists",
}
