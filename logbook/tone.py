"""The tone check: outbound messages that would read badly to a third-party arbitrator.

Warnings only, for the keeper's own messages (direction ``out``): shouting (a run of
words in capitals), insults or profanity, and blame phrases.  Quoted lines (``>``)
and code blocks are the other side's words or data and are skipped.  Word lists and
the threshold come from ``[tone]`` in logbook.toml; ``tone: false`` turns the check off
for a case or one message.
"""

from __future__ import annotations

import re
from typing import Iterator

from .diagnostics import Diagnostic, Location, warning
from .models import Case, Config, Interaction, ToneRules

CAPS_WORD = r"[A-Z][A-Z'’]+"
FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _patterns(words: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE) for word in words]


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
    shouting = re.compile(rf"{CAPS_WORD}(?:[\s,!.?-]+{CAPS_WORD}){{{max(rules.shouting_words - 1, 0)},}}")
    abuse, blame = _patterns(rules.insults + rules.profanity), _patterns(rules.blame)
    hint = "describe what happened and what you ask for; 'tone: false' silences this"
    for line_number, line in _message_lines(interaction):
        for match in shouting.finditer(line):
            yield warning("tone-shouting", f"'{match[0]}' reads as shouting", Location(path, line_number, match.start() + 1),
                          "write it in normal case; state facts and dates instead")
        for match in (m for pattern in abuse for m in pattern.finditer(line)):
            yield warning("tone-abuse", f"'{match[0]}' is an insult or profanity an arbitrator will hold against you",
                          Location(path, line_number, match.start() + 1), hint)
        for match in (m for pattern in blame for m in pattern.finditer(line)):
            yield warning("tone-blame", f"'{match[0]}' blames rather than states facts",
                          Location(path, line_number, match.start() + 1), hint)


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
