"""The tone check: outbound messages that would read badly to a third-party arbitrator.

Warnings only, for the keeper's own messages (direction ``out``): shouting (a run of
words in capitals), insults or profanity, and blame phrases.  Quoted lines (``>``)
and code blocks are the other side's words or data and are skipped.  Word lists and
the threshold come from ``[tone]`` in logbook.toml; ``tone: false`` turns the check off
for a case or one message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from logbook.core.diagnostics import Diagnostic, Location, warning
from logbook.core.models import Case, Config, Interaction, ToneRules

CAPS_WORD = r"[A-Z][A-Z'’]+"
FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _patterns(words: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE) for word in words]


@lru_cache(maxsize=8)
def _compiled(
    rules: ToneRules,
) -> tuple[re.Pattern[str], list[re.Pattern[str]], list[re.Pattern[str]], tuple[str, ...]]:
    """The rules' patterns, compiled once, and the lower-cased words for a quick first look."""
    shouting = re.compile(rf"{CAPS_WORD}(?:[\s,!.?-]+{CAPS_WORD}){{{max(rules.shouting_words - 1, 0)},}}")
    words = tuple(w.lower() for w in rules.insults + rules.profanity + rules.blame)
    return shouting, _patterns(rules.insults + rules.profanity), _patterns(rules.blame), words


def _may_match(body: str, shouting: re.Pattern[str], words: tuple[str, ...]) -> bool:
    """Cheap over-approximation: could any rule match anywhere in the body?"""
    lowered = body.lower()
    return any(word in lowered for word in words) or shouting.search(body) is not None


def _message_lines(interaction: Interaction) -> Iterator[tuple[int, str]]:
    fence = None
    for offset, line in enumerate(interaction.body.split("\n")):
        match = FENCE_RE.match(line)
        if fence is None and match:
            fence = match[1][0]
            continue
        if fence is not None:
            if match and match[1][0] == fence:
                fence = None
            continue
        if line.lstrip().startswith(">"):
            continue
        yield interaction.body_location.line + offset, line


def tone_diagnostics(interaction: Interaction, rules: ToneRules) -> Iterator[Diagnostic]:
    path = interaction.body_location.path
    shouting, abuse, blame, words = _compiled(rules)
    if not _may_match(interaction.body, shouting, words):
        return  # most messages: one scan of the body, no line-by-line work
    hint = "describe what happened and what you ask for; 'tone: false' silences this"
    for line_number, line in _message_lines(interaction):
        for match in shouting.finditer(line):
            yield warning(
                "tone-shouting",
                f"'{match[0]}' reads as shouting",
                Location(path, line_number, match.start() + 1),
                "write it in normal case; state facts and dates instead",
            )
        for match in (m for pattern in abuse for m in pattern.finditer(line)):
            yield warning(
                "tone-abuse",
                f"'{match[0]}' is an insult or profanity an arbitrator will hold against you",
                Location(path, line_number, match.start() + 1),
                hint,
            )
        for match in (m for pattern in blame for m in pattern.finditer(line)):
            yield warning(
                "tone-blame",
                f"'{match[0]}' blames rather than states facts",
                Location(path, line_number, match.start() + 1),
                hint,
            )


def outbound_tone(cases: tuple[Case, ...], config: Config) -> Iterator[Diagnostic]:
    rules = config.tone
    if not rules.enabled:
        return
    for case in cases:
        if not case.tone:
            continue
        for interaction in case.interactions:
            if interaction.direction == "out" and interaction.tone:
                yield from tone_diagnostics(interaction, rules)
