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
from logbook.core.models import Case


def followup_text(root: Path, case_id: str, which: str | None) -> tuple[str, Case, Any]:
    """The plain-text email confirming a call in writing, and the case and interaction it is about.

    It is addressed to the other side, so it carries what they would recognise (the date,
    who was spoken to, what was said and promised, the reference numbers) and nothing of the
    keeper's own labels: the case title is never pasted into a sentence. It is signed with
    ``[site] keeper``.
    """
    from logbook.evidence.derive import derive_case

    case, config = find_case(root, case_id)
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
    i = entry.interaction
    who = i.agent.display() if i.agent else "your agent"
    when = i.at.display() if i.at.has_time else i.at.when.strftime("%d %B %Y")
    refs = [f"{name}: {value}" for name, value in case.refs] + ([f"reference: {i.ref}"] if i.ref else [])
    lines = [
        f"Subject: Confirming our {i.channel} conversation of {i.at.when:%d %B %Y}"
        + (f" ({case.refs[0][1]})" if case.refs else ""),
        "",
        "Hello,",
        "",
        f"I am writing to confirm, for the record, what was said when I spoke to {who} on {when}.",
        "",
    ]
    if i.body.strip():
        lines += ["What was said:", ""] + [f"  {line}" if line else "" for line in i.body.strip().split("\n")] + [""]
    if i.promises:
        lines.append("What was promised:")
        for p in i.promises:
            due = f", by {p.due.display() if p.due.has_time else p.due.date_text()}" if p.due else ""
            by = f" ({p.by})" if p.by else ""
            lines.append(f"  - {p.what}{by}{due}")
        lines.append("")
    if refs:
        lines += ["References:"] + [f"  - {r}" for r in refs] + [""]
    lines += ["If any of this is not correct, please tell me in writing within 7 days.", "", "Kind regards,"]
    if config.keeper:
        lines.append(config.keeper)
    return "\n".join(lines) + "\n", case, i


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
            subject=subject.removeprefix("Subject: "),
            message=body.strip(),
        ),
        now,
    )
