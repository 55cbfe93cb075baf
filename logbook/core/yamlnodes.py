"""A safe, located YAML reader for front matter.

PyYAML's loaders guess types (``no`` becomes False, ``14:03`` becomes 843), let the
last of two duplicate keys win silently, expand alias bombs, and crash on deep
nesting.  This module composes the parser's event stream itself, iteratively:

* every scalar stays text (only an empty plain value is null); the field readers
  decide what the text means, so nothing is guessed;
* every node keeps the line and column it came from in the *file*;
* duplicate keys, anchors/aliases, tags, excessive depth and size are problems
  reported with their position, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml import events

from logbook.core.records import quick_pickle

MAX_DEPTH = 24
MAX_CHARS = 512 * 1024

NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})


@quick_pickle
@dataclass(frozen=True, slots=True)
class Scalar:
    value: str | None
    line: int
    column: int


@quick_pickle
@dataclass(frozen=True, slots=True)
class Seq:
    items: tuple[Node, ...]
    line: int
    column: int


@quick_pickle
@dataclass(frozen=True, slots=True)
class Map:
    entries: tuple[tuple[Scalar, Node], ...]
    line: int
    column: int

    def get(self, key: str) -> Node | None:
        for k, v in self.entries:
            if k.value == key:
                return v
        return None


Node = Scalar | Seq | Map


@quick_pickle
@dataclass(frozen=True, slots=True)
class YamlProblem:
    code: str
    message: str
    line: int
    column: int
    hint: str | None = None


@quick_pickle
@dataclass(frozen=True, slots=True)
class Composed:
    root: Node | None
    problems: tuple[YamlProblem, ...]


class _Fatal(Exception):
    def __init__(self, problem: YamlProblem) -> None:
        self.problem = problem


def compose(text: str, first_line: int = 1, fast: bool = True) -> Composed:
    """Compose *text* (starting at file line *first_line*) into located nodes."""
    offset = first_line - 1
    if len(text) > MAX_CHARS:
        return Composed(
            None,
            (
                YamlProblem(
                    "yaml-limit",
                    f"front matter is {len(text):,} characters; the limit is {MAX_CHARS:,}",
                    first_line,
                    1,
                    "move long text into the message body",
                ),
            ),
        )
    problems: list[YamlProblem] = []
    try:
        root = _compose_events(text, offset, problems, fast)
    except _Fatal as fatal:
        return Composed(None, (*problems, fatal.problem))
    return Composed(root, tuple(problems))


def _whole_characters(value: str, line: int, col: int) -> str:
    """Join escaped surrogate pairs ("\\ud83d\\ude00" → one emoji); refuse a lone surrogate, which no file can hold."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        joined = value.encode("utf-16", "surrogatepass").decode("utf-16")
        joined.encode("utf-8")
        return joined
    except UnicodeError:
        raise _Fatal(
            YamlProblem(
                "yaml-syntax",
                "a \\u escape makes half a character (a lone surrogate)",
                line,
                col,
                "write the character itself, or its full \\U0001F600 escape",
            )
        ) from None


def _mark_pos(mark: Any, offset: int) -> tuple[int, int]:
    if mark is None:
        return offset + 1, 1
    return mark.line + 1 + offset, mark.column + 1


_CPARSER = getattr(yaml, "CSafeLoader", None)
# The safety pre-scan: libyaml only sees front matter made of lines of this simple shape
# (keys, "- " items, plain or quoted values without escapes, flat [a, b] lists, comments).
_PLAIN = r"[^\s\-?:,\[\]{}#&*!|>'\"%@`\\](?:[^:#\[\]{}\s\\]|:(?=[^\s:])| (?=[^\s#]))*"
_FLOW_ITEM = r"[^\s\-?:,\[\]{}#&*!|>'\"%@`\\](?:[^:#\[\]{},\s'\"\\?]| (?=[^\s#,\]]))*"
_QUOTED = r"(?:\"[^\"\\]*\"|'[^']*')"
_VALUE = rf"(?:{_PLAIN}|{_QUOTED}|\[ *(?:(?:{_FLOW_ITEM}|{_QUOTED})(?: *, *(?:{_FLOW_ITEM}|{_QUOTED}))*)? *\])"
_PURE_ONLY = re.compile("[\ufeff\x85\u2028\u2029]")  # BOMs and the line breaks only YAML 1.1 knows
_SAFE_LINE = re.compile(rf" *(?:(?:- )*(?:[A-Za-z_][A-Za-z0-9_-]*:(?: +{_VALUE})?|{_VALUE}) *(?: #[^\r]*)?|#[^\r]*|)")


def _fast_events(text: str) -> list[Any] | None:
    """The event stream from libyaml, or None where the pure-Python parser must decide.

    libyaml is several times faster but differs from the pure parser at the edges (tabs,
    flow-context indicators, block scalars, empty values) and crashes on very deep flow
    nesting, so it only sees text that passes a line-by-line pre-scan of plain shapes, and
    anything it refuses is re-reported by the pure parser: results never depend on which
    one ran (tests/test_yamlnodes.py compares them on generated input).
    """
    if (
        _CPARSER is None
        or yaml.reader.Reader.NON_PRINTABLE.search(text)
        or _PURE_ONLY.search(text)
        or not all(_SAFE_LINE.fullmatch(line) for line in text.split("\n"))
    ):
        return None
    try:
        stream = list(yaml.parse(text, Loader=_CPARSER))
    except Exception:  # noqa: BLE001 - the pure parser gives the located message
        return None
    if any(isinstance(e, events.ScalarEvent) and not e.style and not e.value for e in stream):
        return None  # empty values: libyaml places them elsewhere
    return stream


def _attach(stack: list[list[Any]], node: Node, problems: list[YamlProblem]) -> bool:
    """Put *node* into the open collection on top of *stack*; True when there is none (it is the root)."""
    if not stack:
        return True
    top = stack[-1]
    if top[0] == "seq":
        top[3].append(node)
    elif top[4] is None:
        if not isinstance(node, Scalar) or node.value is None:
            raise _Fatal(YamlProblem("yaml-syntax", "a key must be plain text", node.line, node.column))
        top[4] = node
    else:
        key: Scalar = top[4]
        if key.value in top[5]:
            first = top[5][key.value]
            problems.append(
                YamlProblem(
                    "yaml-duplicate-key",
                    f"key '{key.value}' appears twice",
                    key.line,
                    key.column,
                    f"first set on line {first}; keep one",
                )
            )
        else:
            top[5][key.value] = key.line
            top[3].append((key, node))
        top[4] = None
    return False


def _marked_problem(exc: yaml.MarkedYAMLError, text: str, offset: int) -> YamlProblem:
    """A parser error with a position, in the file's lines (in plain words where we know them)."""
    line, col = _mark_pos(exc.problem_mark or exc.context_mark, offset)
    message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
    in_words = _in_plain_words(exc, text)
    if in_words is not None:
        return YamlProblem("yaml-syntax", in_words[0], line, col, in_words[1])
    hint = None
    if exc.context_mark is not None and exc.problem_mark is not None and exc.context_mark.line != exc.problem_mark.line:
        start_line, start_col = _mark_pos(exc.context_mark, offset)
        hint = f"the part that is not closed starts at line {start_line}, column {start_col}"
    return YamlProblem("yaml-syntax", f"invalid YAML: {message}", line, col, hint)


def _compose_events(text: str, offset: int, problems: list[YamlProblem], fast: bool = True) -> Node | None:
    # Each open collection: [kind, line, col, items, pending_key, seen_keys]
    stack: list[list[Any]] = []
    root: Node | None = None
    documents = 0

    def attach(node: Node) -> None:
        nonlocal root
        if _attach(stack, node, problems):
            root = node

    loader: yaml.SafeLoader | None = None
    try:
        stream: Iterable[Any] | None = _fast_events(text) if fast else None
        if stream is None:
            loader = yaml.SafeLoader(text)
            stream = _events(loader)
        for event in stream:
            line, col = _mark_pos(event.start_mark, offset)
            if isinstance(event, events.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Fatal(
                        YamlProblem("yaml-syntax", "front matter holds more than one YAML document", line, col)
                    )
            elif isinstance(event, events.AliasEvent) or getattr(event, "anchor", None):
                raise _Fatal(
                    YamlProblem(
                        "yaml-alias",
                        "YAML anchors and aliases (&, *) are not allowed",
                        line,
                        col,
                        "write the value out in full",
                    )
                )
            elif (
                isinstance(event, (events.ScalarEvent, events.SequenceStartEvent, events.MappingStartEvent))
                and event.tag not in (None, "!")
                and not (isinstance(event, events.ScalarEvent) and event.implicit[0])
            ):
                raise _Fatal(YamlProblem("yaml-syntax", f"YAML tags such as '{event.tag}' are not allowed", line, col))
            elif isinstance(event, events.ScalarEvent):
                plain = not event.style  # None from the pure parser, "" from libyaml
                value = None if plain and event.value in NULL_WORDS else _whole_characters(event.value, line, col)
                attach(Scalar(value, line, col))
            elif isinstance(event, (events.SequenceStartEvent, events.MappingStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    raise _Fatal(
                        YamlProblem(
                            "yaml-limit", f"front matter is nested more than {MAX_DEPTH} levels deep", line, col
                        )
                    )
                kind = "seq" if isinstance(event, events.SequenceStartEvent) else "map"
                stack.append([kind, line, col, [], None, {}])
            elif isinstance(event, (events.SequenceEndEvent, events.MappingEndEvent)):
                kind, sline, scol, items, _, _ = stack.pop()
                attach(Seq(tuple(items), sline, scol) if kind == "seq" else Map(tuple(items), sline, scol))
    except yaml.MarkedYAMLError as exc:
        raise _Fatal(_marked_problem(exc, text, offset)) from None
    except yaml.YAMLError as exc:
        raise _Fatal(YamlProblem("yaml-syntax", f"invalid YAML: {exc}", offset + 1, 1)) from None
    except (ValueError, OverflowError):  # PyYAML's scanner: an escape such as "\U00110000" is no character
        line, col = _mark_pos(loader.get_mark() if loader is not None else None, offset)
        col = max(1, col - 2)  # the scanner stops past the "\U" of the escape; point at its backslash
        raise _Fatal(
            YamlProblem(
                "yaml-syntax",
                "invalid YAML: an escape names no Unicode character",
                line,
                col,
                "characters go up to \\U0010FFFF; write the character itself",
            )
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return root


def _events(loader: yaml.SafeLoader) -> Iterator[Any]:
    """yaml.parse's loop, with the loader kept by the caller: its mark says where a scanner crash happened."""
    while loader.check_event():
        yield loader.get_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves Parser.get_event unannotated


def _in_plain_words(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str | None] | None:
    """The two mistakes people make most when writing front matter by hand, said without parser words:
    a tab, and a value holding ': ' that is not quoted (the fix is shown on their own line)."""
    problem = exc.problem or ""
    if "'\\t'" in problem or "tab" in problem.lower():
        return "there is a tab here: indent with spaces, not tabs", "replace each tab with spaces"
    mark = exc.problem_mark
    if "mapping values are not allowed" in problem and mark is not None:
        lines = text.split("\n")
        source = lines[mark.line] if mark.line < len(lines) else ""
        indent = source[: len(source) - len(source.lstrip(" -"))]
        key, sep, value = source[len(indent) :].partition(":")
        value = value.strip()
        if sep and key.strip() and value:
            quoted = f'"{value}"' if '"' not in value and "\\" not in value else "'" + value.replace("'", "''") + "'"
            return (
                f"a value with ': ' in it must be in quotes; put the value in quotes: {key.strip()}: {quoted}",
                None,
            )
    return None
