"""``logbook followup``: the email confirming a phone call in writing, and recording it as sent.

Every dispute guide gives the same advice: after a call, confirm in writing what was said
and promised, so the other side's silence becomes agreement.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from logbook.authoring.commands import AuthoringError, Written, add_interaction, find_case
from logbook.authoring.interactions import NewInteraction
from logbook.core.language import Language
from logbook.core.models import Case, Interaction
from logbook.core.timeparse import Moment


def followup_text(root: Path, case_id: str, which: str | None, language: str | None = None) -> tuple[str, Case, Any]:
    """The plain-text email confirming a call in writing, and the case and interaction it is about.

    It is addressed to the other side, so it carries what they would recognise (the date,
    who was spoken to, what was said and promised, the reference numbers) and nothing of the
    keeper's own labels: the case title is never pasted into a sentence. It is signed with
    ``[site] keeper``, and written in *language* (``--lang``), else the site's.
    """
    from logbook.evidence.derive import derive_case
    from logbook.load.catalogues import load_language

    case, config = find_case(root, case_id)
    lang = load_language(language or config.language)
    view = derive_case(case, root.resolve(), datetime.now(UTC), config)
    entries = view.entries
    if which:
        matches = [e for e in entries if e.anchor == which] or (
            [entries[int(which) - 1]] if which.isdigit() and 0 < int(which) <= len(entries) else []
        )
        if not matches:
            raise AuthoringError(f"case '{case.id}' has no interaction '{which}' (use its #anchor or its number)")
        entry = matches[0]
    else:
        calls = [e for e in entries if e.interaction.channel == "phone"]
        if not calls:
            raise AuthoringError(f"case '{case.id}' has no phone call to follow up")
        entry = calls[-1]
    return (
        _email(case, entry.interaction, lang) + (f"{config.keeper}\n" if config.keeper else ""),
        case,
        entry.interaction,
    )


def _moment_text(moment: Moment, lang: Language) -> str:
    if lang.is_source:
        return moment.display() if moment.has_time else moment.when.strftime("%d %B %Y")
    return f"{lang.day(moment.when)} {lang.clock(moment.when)}" if moment.has_time else lang.day(moment.when)


def _email(case: Case, i: Interaction, lang: Language) -> str:
    who = i.agent.display() if i.agent else lang._("your agent")
    when = _moment_text(i.at, lang)
    day = i.at.when.strftime("%d %B %Y") if lang.is_source else lang.day(i.at.when)
    refs = [f"{name}: {value}" for name, value in case.refs] + (
        [lang._("reference: {ref}", ref=i.ref)] if i.ref else []
    )
    channel = lang.p_("channel", i.channel)
    lines = [
        lang._("Subject: Confirming our {channel} conversation of {date}", channel=channel, date=day)
        + (f" ({case.refs[0][1]})" if case.refs else ""),
        "",
        lang._("Hello,"),
        "",
        lang._(
            "I am writing to confirm, for the record, what was said when I spoke to {who} on {when}.",
            who=who,
            when=when,
        ),
        "",
    ]
    if i.body.strip():
        said = [f"  {line}" if line else "" for line in i.body.strip().split("\n")]
        lines += [lang._("What was said:"), "", *said, ""]
    if i.promises:
        lines.append(lang._("What was promised:"))
        for p in i.promises:
            due = ""
            if p.due:
                due_text = _moment_text(p.due, lang) if p.due.has_time else lang.date(p.due.when)
                due = lang._(", by {date}", date=due_text)
            by = f" ({p.by})" if p.by else ""
            lines.append(f"  - {p.what}{by}{due}")
        lines.append("")
    if refs:
        lines += [lang._("References:")] + [f"  - {r}" for r in refs] + [""]
    lines += [
        lang._("If any of this is not correct, please tell me in writing within 7 days."),
        "",
        lang._("Kind regards,"),
    ]
    return "\n".join(lines) + "\n"


def _subject(line: str) -> str:
    """The subject of the email's first line, without its label in any language ("Subject: ",
    "Betreff: ", "Objet : ", "主题："): the label is the text up to the first colon."""
    for mark in (": ", "："):
        if mark in line:
            return line.partition(mark)[2]
    return line


def record_followup(
    root: Path, case_id: str, text: str, recipient: str | None, now: datetime | None = None, at: str | None = None
) -> Written:
    """Record the follow-up email as sent (``followup --record [--at WHEN]``)."""
    subject, _, body = text.partition("\n")
    return add_interaction(
        root,
        case_id,
        NewInteraction(
            channel="email",
            direction="out",
            at=at,
            title="Written confirmation of the call",
            recipient=recipient,
            subject=_subject(subject),
            message=body.strip(),
        ),
        now,
    )
