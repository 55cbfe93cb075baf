"""The sentences the site, the packet and ``audit`` say about a record, made in one place.

Each sentence follows from the record by a rule in docs/format.md; making it here, not in
each template, keeps the evidence page, the PDF packet and ``audit`` saying the same thing,
and lets a test hold the sentence to its rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from logbook.core.models import Interaction
from logbook.evidence.facts import Response

# How a message on each channel is called in a sentence ("your portal message of 28 November").
MESSAGE_NOUNS = {
    "email": "email",
    "chat": "chat",
    "phone": "call",
    "social": "social-media message",
    "sms": "text message",
    "letter": "letter",
    "in-person": "meeting",
    "portal": "portal message",
    "note": "note",
}
# How an entry on each channel is named when it has no title or subject ("Chat from Lily (ShenMart)").
ENTRY_NOUNS = {
    "email": "Email",
    "chat": "Chat",
    "phone": "Call",
    "social": "Social-media message",
    "sms": "Text message",
    "letter": "Letter",
    "in-person": "Meeting",
    "portal": "Portal message",
    "note": "Note",
}
SOMEONE = "the other side"


def duration(delta: timedelta | None) -> str:
    """``3 days 4 h``, ``5 h 20 min``, ``12 min``: as a person would say it."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days >= 60:
        return f"about {round(days / 30.44)} months"
    if days:
        return f"{days} day{'s' * (days != 1)}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {mins} min" if mins else "")
    return f"{mins} min"


def message_noun(channel: str) -> str:
    return MESSAGE_NOUNS.get(channel, f"{channel} message")


def day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def entry_name(interaction: Interaction) -> str:
    """An entry's own name: its title or subject, else its channel, direction and party
    ("Chat from Lily (ShenMart)", "Portal message to Northbank Card Disputes", "Note")."""
    if interaction.title or interaction.subject:
        return interaction.title or interaction.subject or ""
    noun = ENTRY_NOUNS.get(interaction.channel, interaction.channel.capitalize())
    party, agent = interaction.party, interaction.agent.name if interaction.agent else None
    if interaction.direction == "internal":
        return noun + (f" about {party}" if party else "")
    who = f"{agent} ({party})" if agent and party else (agent or party)
    if who is None:
        return f"{noun} ({'received' if interaction.direction == 'in' else 'sent'})"
    return f"{noun} {'from' if interaction.direction == 'in' else 'to'} {who}"


def response_parts(response: Response, ended: bool) -> tuple[str, str, str]:
    """A response time or silence as (text before the date, the date, how the reply came when
    on another channel, else ""): the date is the message's, which a page links to the entry.
    *response* is a facts.Response."""
    party = response.party or SOMEONE
    noun = message_noun(response.channel)
    when = day(response.at.when)
    via = (
        message_noun(response.reply_channel)
        if response.reply_channel and response.reply_channel != response.channel
        else ""
    )
    if response.theirs:
        if response.waited is not None:
            return f"{party} took {duration(response.waited)} to answer your {noun} of", when, via
        if ended:
            return f"{party} had not answered your {noun} of", when + " when the case ended", ""
        return f"{party} has not answered your {noun} of", when, ""
    if response.waited is not None:
        return f"You took {duration(response.waited)} to answer {possessive(party)} {noun} of", when, via
    if ended:
        return f"You had not answered {possessive(party)} {noun} of", when + " when the case ended", ""
    return f"You have not answered {possessive(party)} {noun} of", when, ""


def possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def response_sentence(response: Response, ended: bool) -> str:
    before, when, via = response_parts(response, ended)
    return f"{before} {when}" + (f" (reply by {via})" if via else "")
