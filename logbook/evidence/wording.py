"""The sentences the site, the packet and ``audit`` say about a record, made in one place.

Each sentence follows from the record by a rule in docs/format.md; making it here, not in
each template, keeps the evidence page, the PDF packet and ``audit`` saying the same thing,
and lets a test hold the sentence to its rule.  Each is made in the reader's language
(``core.language``): whole sentences with named fields, so that a translation may order them
as its grammar wants, and a noun phrase per channel ("your email", "ShenMart's call") so that
a language with genders and cases can agree its words with the noun.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from logbook.core.language import ENGLISH, NP_, Language
from logbook.core.models import Interaction
from logbook.evidence.facts import Response

# How a message on each channel is called in a sentence ("your portal message of 28 November"),
# as the keeper's own, as the other side's, and as the way a reply came ("reply by email").
YOUR_MESSAGE = {
    "email": NP_("your message", "your email"),
    "chat": NP_("your message", "your chat"),
    "phone": NP_("your message", "your call"),
    "social": NP_("your message", "your social-media message"),
    "sms": NP_("your message", "your text message"),
    "letter": NP_("your message", "your letter"),
    "in-person": NP_("your message", "your meeting"),
    "portal": NP_("your message", "your portal message"),
    "note": NP_("your message", "your note"),
}
THEIR_MESSAGE = {
    "email": NP_("their message", "{possessive} email"),
    "chat": NP_("their message", "{possessive} chat"),
    "phone": NP_("their message", "{possessive} call"),
    "social": NP_("their message", "{possessive} social-media message"),
    "sms": NP_("their message", "{possessive} text message"),
    "letter": NP_("their message", "{possessive} letter"),
    "in-person": NP_("their message", "{possessive} meeting"),
    "portal": NP_("their message", "{possessive} portal message"),
    "note": NP_("their message", "{possessive} note"),
}
MESSAGE_NOUNS = {
    "email": NP_("reply by", "email"),
    "chat": NP_("reply by", "chat"),
    "phone": NP_("reply by", "call"),
    "social": NP_("reply by", "social-media message"),
    "sms": NP_("reply by", "text message"),
    "letter": NP_("reply by", "letter"),
    "in-person": NP_("reply by", "meeting"),
    "portal": NP_("reply by", "portal message"),
    "note": NP_("reply by", "note"),
}
# How an entry on each channel is named when it has no title or subject ("Chat from Lily (ShenMart)").
ENTRY_NOUNS = {
    "email": NP_("entry", "Email"),
    "chat": NP_("entry", "Chat"),
    "phone": NP_("entry", "Call"),
    "social": NP_("entry", "Social-media message"),
    "sms": NP_("entry", "Text message"),
    "letter": NP_("entry", "Letter"),
    "in-person": NP_("entry", "Meeting"),
    "portal": NP_("entry", "Portal message"),
    "note": NP_("entry", "Note"),
}
SOMEONE = NP_("party", "the other side")


def duration(delta: timedelta | None, lang: Language = ENGLISH) -> str:
    """``3 days 4 h``, ``5 h 20 min``, ``12 min``: as a person would say it."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days >= 60:
        months = round(days / 30.44)
        return lang.n_("about {n} month", "about {n} months", months)
    if days:
        text = lang.n_("{n} day", "{n} days", days)
        return text + (" " + lang._("{n} h", n=lang.number(hours)) if hours else "")
    if hours:
        text = lang._("{n} h", n=lang.number(hours))
        return text + (" " + lang._("{n} min", n=lang.number(mins)) if mins else "")
    return lang._("{n} min", n=lang.number(mins))


def message_noun(channel: str, lang: Language = ENGLISH) -> str:
    if channel in MESSAGE_NOUNS:
        return lang.p_("reply by", MESSAGE_NOUNS[channel])
    return lang.p_("reply by", "{channel} message", channel=channel)


def your_message(channel: str, lang: Language = ENGLISH) -> str:
    if channel in YOUR_MESSAGE:
        return lang.p_("your message", YOUR_MESSAGE[channel])
    return lang.p_("your message", "your {channel} message", channel=channel)


def their_message(channel: str, party: str, lang: Language = ENGLISH) -> str:
    values = {"possessive": possessive(party), "party": party}
    if channel in THEIR_MESSAGE:
        return lang.p_("their message", THEIR_MESSAGE[channel], **values)
    return lang.p_("their message", "{possessive} {channel} message", channel=channel, **values)


def day(moment: datetime, lang: Language = ENGLISH) -> str:
    return lang.day(moment)


def entry_name(interaction: Interaction, lang: Language = ENGLISH) -> str:
    """An entry's own name: its title or subject, else its channel, direction and party
    ("Chat from Lily (ShenMart)", "Portal message to Northbank Card Disputes", "Note")."""
    if interaction.title or interaction.subject:
        return interaction.title or interaction.subject or ""
    channel = interaction.channel
    noun = lang.p_("entry", ENTRY_NOUNS[channel]) if channel in ENTRY_NOUNS else channel.capitalize()
    party, agent = interaction.party, interaction.agent.name if interaction.agent else None
    if interaction.direction == "internal":
        return lang._("{noun} about {party}", noun=noun, party=party) if party else noun
    who = f"{agent} ({party})" if agent and party else (agent or party)
    if who is None:
        return (
            lang._("{noun} (received)", noun=noun)
            if interaction.direction == "in"
            else lang._("{noun} (sent)", noun=noun)
        )
    if interaction.direction == "in":
        return lang._("{noun} from {who}", noun=noun, who=who)
    return lang._("{noun} to {who}", noun=noun, who=who)


def response_parts(
    response: Response, ended: bool, lang: Language = ENGLISH, zone: tzinfo | None = None
) -> tuple[str, str, str]:
    """A response time or silence as (text before the date, the date, how the reply came when
    on another channel, else ""): the date is the message's, which a page links to the entry.
    A translation may put words after the date too: they come with it (the second part).
    *response* is a facts.Response."""
    party = response.party or lang.p_("party", SOMEONE)
    values = {"party": party, "date": "\0"}
    via = (
        message_noun(response.reply_channel, lang)
        if response.reply_channel and response.reply_channel != response.channel
        else ""
    )
    if response.waited is not None:
        values["duration"] = duration(response.waited, lang)
    if response.theirs:
        values["message"] = your_message(response.channel, lang)
        if response.waited is not None:
            sentence = lang._("{party} took {duration} to answer {message} of {date}", **values)
        elif ended:
            sentence, via = lang._("{party} had not answered {message} of {date} when the case ended", **values), ""
        else:
            sentence, via = lang._("{party} has not answered {message} of {date}", **values), ""
    else:
        values["message"] = their_message(response.channel, party, lang)
        if response.waited is not None:
            sentence = lang._("You took {duration} to answer {message} of {date}", **values)
        elif ended:
            sentence, via = lang._("You had not answered {message} of {date} when the case ended", **values), ""
        else:
            sentence, via = lang._("You have not answered {message} of {date}", **values), ""
    before, _, after = sentence.partition("\0")
    return before.rstrip(" "), lang.day(response.at.day_in(zone)) + after, via


def possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def response_sentence(response: Response, ended: bool, lang: Language = ENGLISH, zone: tzinfo | None = None) -> str:
    before, when, via = response_parts(response, ended, lang, zone)
    text = f"{before} {when}" if before else when
    return text + (" " + lang._("(reply by {via})", via=via) if via else "")
