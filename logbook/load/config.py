"""Reading ``logbook.toml``: every key optional, every mistake a located diagnostic."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from logbook.core.diagnostics import Diagnostic, Location, did_you_mean, error, warning
from logbook.core.models import BUILTIN_PROFILES, AuditSettings, Config, GitSettings, Me, Profile, ToneRules
from logbook.core.outputs import ID_RE, MAX_NAME_BYTES, name_too_long
from logbook.core.redact import RedactionRules
from logbook.core.rights import WindowRule
from logbook.core.timeparse import TimeError, zone_named
from logbook.load.catalogues import available_languages
from logbook.load.themes import ThemeError, resolve_theme
from logbook.store.textfile import SourceText, read_source

CONFIG_NAME = "logbook.toml"
TOP_KEYS = (
    "site",
    "tags",
    "channels",
    "statuses",
    "party_roles",
    "tone",
    "audit",
    "windows",
    "redact",
    "profiles",
    "git",
    "me",
)


SITE_KEYS = ("title", "timezone", "language", "theme", "keeper")


def load_config(root: Path) -> tuple[Config, list[Diagnostic]]:
    """The logbook's configuration, or the defaults with diagnostics for what could not be used."""
    path = root / CONFIG_NAME
    if not path.exists():
        return Config(), []
    source = read_source(path, CONFIG_NAME)
    if isinstance(source, Diagnostic):
        return Config(), [source]
    deep = _too_deep(source.text)
    if deep is not None:
        return Config(), [
            error(
                "config-syntax",
                f"logbook.toml is nested more than {MAX_TOML_DEPTH} levels deep",
                Location(CONFIG_NAME, *deep),
                "a configuration needs a few levels at most",
            )
        ]
    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        if match:
            line, column = int(match[1]), int(match[2])
        else:  # "(at end of document)"
            line, column = max(1, source.text.rstrip("\n").count("\n") + 1), 1
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        hint = 'text goes in quotes: title = "My disputes"' if message.startswith("Invalid value") else None
        return Config(), [error("config-syntax", f"invalid TOML: {message}", Location(CONFIG_NAME, line, column), hint)]
    except (ValueError, RecursionError, MemoryError):  # int() past its 4,300 digits; any limit tomllib hits itself
        long_number = re.search(r"\d{4000,}", source.text)
        at = _position(source.text, long_number.start()) if long_number else (1, 1)
        return Config(), [
            error(
                "config-syntax",
                "invalid TOML: a value is too large to read",
                Location(CONFIG_NAME, *at),
                "numbers in logbook.toml are small: days, hours, counts",
            )
        ]
    return _read_config(data, source, root)


MAX_TOML_DEPTH = 16  # tables and arrays inside each other: tomllib recurses and runs out of stack at ~1,000


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where *text* first opens its MAX_TOML_DEPTH+1'th nested array or inline table, or None.

    Strings and comments are skipped so that brackets in them do not count; a table header
    ``[[a.b]]`` counts as two levels while it lasts, which stays far below the limit."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        char = text[i]
        if char in "\"'":
            quote = text[i : i + 3] if text.startswith(char * 3, i) else char
            i += len(quote)
            while i < n and not text.startswith(quote, i) and (len(quote) == 3 or text[i] != "\n"):
                i += 2 if char == '"' and text[i] == "\\" else 1
            i += len(quote)
            continue
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if char in "[{":
            depth += 1
            if depth > MAX_TOML_DEPTH:
                return _position(text, i)
        elif char in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def language_problem(code: str) -> tuple[str, str] | None:
    """(message, hint) when no catalogue speaks *code*; the hint is a did-you-mean or the list."""
    known = available_languages()
    if code in known:
        return None
    by_primary = {k.split("-")[0].lower(): k for k in known}
    guess = did_you_mean(code, known) or (
        f"did you mean '{by_primary[code.split('-')[0].split('_')[0].lower()]}'?"
        if code.split("-")[0].split("_")[0].lower() in by_primary
        else None
    )
    return f"[site] language '{code}' has no catalogue", guess or f"known languages: {', '.join(known)}"


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _read_config(data: dict[str, Any], source: SourceText, root: Path) -> tuple[Config, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []

    def where(key: str, table: str | None = None) -> Location:
        return Location(CONFIG_NAME, _key_line(source.text, key, table), 1)

    def invalid(key: str, message: str, table: str | None = None, hint: str | None = None) -> None:
        diagnostics.append(error("config-invalid", message, where(key, table), hint))

    for key in data:
        if key not in TOP_KEYS:
            diagnostics.append(
                warning(
                    "unknown-config-key",
                    f"unknown key '{key}' in logbook.toml",
                    where(key),
                    did_you_mean(key, TOP_KEYS) or f"known keys: {', '.join(TOP_KEYS)}",
                )
            )
    values: dict[str, Any] = {}
    site = data.get("site", {})
    if not isinstance(site, dict):
        invalid("site", "'site' must be a table: [site]")
        site = {}
    _read_site(site, values, root, where, invalid, diagnostics)
    _read_tags(data.get("tags"), values, invalid)
    for key in ("channels", "statuses", "party_roles"):
        items = data.get(key)
        if items is None:
            continue
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(i, str) and ID_RE.fullmatch(i) and not name_too_long(i) for i in items)
        ):
            invalid(
                key,
                f"'{key}' must be a non-empty list of simple names (at most {MAX_NAME_BYTES} bytes each)",
                hint='e.g. channels = ["email", "chat"]',
            )
        else:
            values[key] = tuple(dict.fromkeys(items))
    for name in SETTINGS:
        if data.get(name) is not None:
            values[name] = _read_settings(name, data[name], where, invalid, diagnostics)
    if data.get("profiles") is not None:
        values["profiles"] = _read_profiles(data["profiles"], where, invalid, diagnostics)
    windows = data.get("windows")
    if windows is not None:
        values["windows"] = _read_windows(windows, invalid)
    if "closed" not in values.get("statuses", ("closed",)):
        diagnostics.append(
            warning("config-invalid", "'statuses' has no 'closed': no case can be closed", where("statuses"))
        )
    return Config(**values), diagnostics


def _read_site(
    site: dict[str, Any],
    values: dict[str, Any],
    root: Path,
    where: Callable[..., Location],
    invalid: Callable[..., None],
    diagnostics: list[Diagnostic],
) -> None:
    """The [site] table's keys into *values* (a key that is wrong is reported, not kept)."""
    for key, value in site.items():
        if key not in SITE_KEYS:
            diagnostics.append(
                warning(
                    "unknown-config-key",
                    f"unknown key '{key}' in [site]",
                    where(key, "site"),
                    did_you_mean(key, SITE_KEYS) or f"known keys: {', '.join(SITE_KEYS)}",
                )
            )
        elif not isinstance(value, str) or not value.strip():
            invalid(key, f"[site] {key} must be a non-empty string", "site")
        elif key == "timezone":
            try:
                zone_named(value)
                values["timezone"] = value
            except TimeError as exc:
                invalid(key, str(exc), "site", exc.hint)
        elif key == "language":
            problem = language_problem(value)
            if problem is None:
                values["language"] = value
            else:
                invalid(key, problem[0], "site", problem[1])
        elif key == "theme":
            try:
                resolve_theme(root, value.strip())
                values["theme"] = value.strip()
            except ThemeError as exc:
                diagnostics.append(
                    error(
                        "unknown-theme",
                        str(exc),
                        where(key, "site"),
                        "name a folder under themes/ in the logbook, or a path",
                    )
                )
        else:
            values[key] = value.strip()


def _read_tags(tags: Any, values: dict[str, Any], invalid: Callable[..., None]) -> None:
    """The [tags] table (name = "description") into *values*: a tag taxonomy."""
    if tags is not None:
        if not isinstance(tags, dict):
            invalid("tags", "'tags' must be a table: [tags] with name = \"description\" lines")
        else:
            good = []
            for name, description in tags.items():
                if not ID_RE.fullmatch(name) or name_too_long(name):
                    invalid(
                        name,
                        f"tag '{name[:40]}' may only contain letters, digits, '.', '_' and '-', "
                        f"at most {MAX_NAME_BYTES} of them",
                        "tags",
                    )
                elif not isinstance(description, str):
                    invalid(name, f"tag '{name}' needs a one-line description string", "tags")
                else:
                    good.append((name, description))
            values["tags"] = tuple(sorted(good))
            values["has_tag_taxonomy"] = True


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("must be true or false")


def _count_upto(limit: int, unit: str = "") -> Callable[[Any], int]:
    """A reader of a whole number from 1 to *limit*: past a century of days or hours, dates overflow
    (Python's datetime ends in the year 9999) and no real deadline or target is meant."""

    def read(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= limit:
            return value
        raise ValueError(f"must be a whole number from 1 to {limit:,}{unit}")

    return read


MAX_DAYS = 36_525  # a hundred years
MAX_HOURS = MAX_DAYS * 24
_days = _count_upto(MAX_DAYS, " (days)")
_hours = _count_upto(MAX_HOURS, " (hours)")


def _words(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(w, str) and w.strip() for w in value):
        return tuple(w.strip() for w in value)
    raise ValueError("must be a list of words or names")


SETTINGS: dict[str, tuple[type, dict[str, Callable[[Any], Any]]]] = {
    "tone": (
        ToneRules,
        {"enabled": _flag, "shouting_words": _count_upto(100), "insults": _words, "profanity": _words, "blame": _words},
    ),
    "audit": (
        AuditSettings,
        {"stale_days": _days, "response_hours": _hours, "followup_hours": _hours, "warn_days": _days},
    ),
    "redact": (
        RedactionRules,
        {"enabled": _flag, "cards": _flag, "ibans": _flag, "emails": _flag, "phones": _flag, "keep_fields": _words},
    ),
    "git": (GitSettings, {"commit": _flag}),
    "me": (Me, {"addresses": _words, "names": _words}),
}


PROFILE_READERS: dict[str, Callable[[Any], Any]] = {"internal": _flag, "refs": _words, "redact": _flag}


def _read_profiles(table: Any, where: Any, invalid: Any, diagnostics: list[Diagnostic]) -> tuple[Profile, ...]:
    if not isinstance(table, dict):
        invalid("profiles", "'profiles' must be tables: [profiles.NAME]")
        return BUILTIN_PROFILES
    custom = {}
    for name, spec in table.items():
        if not ID_RE.fullmatch(name) or name_too_long(name):
            invalid(name, f"profile name '{name[:40]}' may only contain letters, digits, '.', '_' and '-'", "profiles")
            continue
        settings = _read_settings(f"profiles.{name}", spec, where, invalid, diagnostics, dict, PROFILE_READERS)
        custom[name] = Profile(name, **settings)
    return tuple(p for p in BUILTIN_PROFILES if p.name not in custom) + tuple(custom.values())


def _read_settings(
    name: str,
    table: Any,
    where: Any,
    invalid: Any,
    diagnostics: list[Diagnostic],
    record_type: Any = None,
    readers: dict[str, Callable[[Any], Any]] | None = None,
) -> Any:
    """A settings table ([tone], [audit], [redact], [profiles.X]): each key checked by its reader,
    unknown keys warned about."""
    if record_type is None or readers is None:
        record_type, readers = SETTINGS[name]
    if not isinstance(table, dict):
        invalid(name, f"'{name}' must be a table: [{name}]")
        return record_type()
    settings = {}
    for key, value in table.items():
        reader = readers.get(key)
        if reader is None:
            diagnostics.append(
                warning(
                    "unknown-config-key",
                    f"unknown key '{key}' in [{name}]",
                    where(key, name),
                    did_you_mean(key, readers) or f"known keys: {', '.join(readers)}",
                )
            )
            continue
        try:
            settings[key] = reader(value)
        except ValueError as exc:
            invalid(key, f"[{name}] {key} {exc}", name)
    return record_type(**settings)


def _read_windows(windows: Any, invalid: Any) -> tuple[WindowRule, ...]:
    if not isinstance(windows, dict):
        invalid("windows", "'windows' must be a table: [windows]")
        return ()
    rules = []
    for name, spec in windows.items():
        if (
            not ID_RE.fullmatch(name)
            or name_too_long(name)
            or not isinstance(spec, dict)
            or not isinstance(spec.get("days"), int)
            or isinstance(spec.get("days"), bool)
            or not 1 <= spec["days"] <= MAX_DAYS
            or not isinstance(spec.get("label", ""), str)
            or spec.get("kind", "deadline") not in ("deadline", "opens")
            or set(spec) - {"days", "label", "kind"}
        ):
            invalid(
                name,
                f'window \'{name}\' must be {{ days = N, label = "…", kind = "deadline" or "opens" }}'
                f" with N from 1 to {MAX_DAYS:,}",
                "windows",
            )
            continue
        rules.append(WindowRule(name, spec["days"], spec.get("label") or name, spec.get("kind", "deadline")))
    return tuple(rules)


def _key_line(text: str, key: str, table: str | None) -> int:
    """Best-effort line of *key* (inside [table] when given): tomllib reports no positions for values."""
    current: str | None = None
    pattern = re.compile(r"\s*(?:\"?" + re.escape(key) + r"\"?)\s*=")
    for number, line in enumerate(text.split("\n"), start=1):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            current = header[1].strip()
            if current == key and table is None:
                return number
            continue
        if current == table and pattern.match(line):
            return number
    return 1
