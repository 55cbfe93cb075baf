"""``logbook status`` and ``logbook close``: a change of a case's state, recorded twice on purpose.

The change is an interaction (an internal note carrying ``status:``), so the evidence
page's status history shows when it happened; and ``case.md``'s own ``status:`` (with
``closed:`` and ``summary:`` on closing) is kept in step, because that is what the
dashboard and the checks read.  Both go into one commit.  The case's front matter is
changed key by key, leaving the rest of the file (comments, order, line endings) as the
user wrote it, and the result is parsed before it is written.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from logbook.authoring.commands import AuthoringError, Written, find_case, notarised, promise_notes
from logbook.authoring.interactions import (
    NewInteraction,
    Recorded,
    WriteRefused,
    at_text,
    case_zone,
    stamp,
    write_interaction,
)
from logbook.authoring.interactions import _status as check_status
from logbook.core.models import Case, Config
from logbook.core.recordtext import ValueRefused, message_text, one_line, yaml_lines
from logbook.validate.status import ENDING_STATUSES, minute_after, timed_later_that_day

_COMMENT = re.compile(r"\s+#[^'\"]*$")  # a comment after a plain value (no quote after the '#')
_TOP_KEY = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)")


def set_front_matter(raw: str, updates: dict[str, Any]) -> str:
    """*raw* (a case file) with these top-level front-matter keys set; every other line kept.

    A key's old value is its line and the lines below it that are indented or list items;
    a key not there yet is added before the closing ``---``.  BOM and CRLF are kept.
    """
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    crlf = "\r\n" in raw
    lines = raw.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise AuthoringError("the case file does not start with '---'")
    end = next((n for n in range(1, len(lines)) if lines[n].rstrip() == "---"), None)
    if end is None:
        raise AuthoringError("the case file's front matter has no closing '---'")
    for key, value in updates.items():
        new_lines = yaml_lines({key: value}).rstrip("\n").split("\n")
        start = next((n for n in range(1, end) if (m := _TOP_KEY.match(lines[n])) and m["key"] == key), None)
        if start is None:
            lines[end:end] = new_lines
            end += len(new_lines)
            continue
        stop = start + 1
        while stop < end and (lines[stop][:1] in (" ", "\t", "-") or not lines[stop].strip()):
            stop += 1
        while stop - 1 > start and not lines[stop - 1].strip():
            stop -= 1  # blank lines before the next key stay
        comment = _COMMENT.search(lines[start])
        if stop == start + 1 and len(new_lines) == 1 and comment:
            new_lines = [new_lines[0] + comment[0]]  # "status: open   # why" keeps its "# why"
        lines[start:stop] = new_lines
        end += len(new_lines) - (stop - start)
    text = "\n".join(lines)
    return bom + (text.replace("\n", "\r\n") if crlf else text)


def set_status(
    root: Path, case_id: str, status: str, at: str | None = None, note: str | None = None, now: datetime | None = None
) -> Written:
    """Record a change of status as a note, and set ``status:`` in the case to match."""
    root = root.resolve()
    case, config = find_case(root, case_id)
    if status.strip() == "closed":
        raise AuthoringError(f"to close a case, say how it ended: logbook close {case.id} --summary '…'")
    if status.strip() in ENDING_STATUSES:
        _refuse_a_day_before_its_entries(case, stamp_or_refuse(at, case, config, now))
    new = NewInteraction(
        channel="note",
        direction="internal",
        at=at,
        title=f"Status: {status.strip()}",
        status=status,
        message=note or "",
    )
    return _change(root, case, config, new, {"status": status.strip()}, now, "status")


def add_with_status(root: Path, case_id: str, new: NewInteraction, now: datetime | None = None) -> Written:
    """``add --status NEW``: the interaction carries the change, and the case's ``status:`` follows."""
    root = root.resolve()
    case, config = find_case(root, case_id)
    status = new.status.strip() if new.status else ""
    if status == "closed":
        raise AuthoringError(f"to close a case, say how it ended: logbook close {case.id} --summary '…'")
    if status in ENDING_STATUSES:
        _refuse_a_day_before_its_entries(case, stamp_or_refuse(new.at, case, config, now))
    return _change(root, case, config, new, {"status": status}, now, "add")


def close_case(
    root: Path, case_id: str, summary: str, at: str | None = None, force: bool = False, now: datetime | None = None
) -> Written:
    """Close a case (status, ``closed:``, ``summary:``); refuses while promises are still pending,
    unless *force*, because a case closed with a promise outstanding hides what is still owed."""
    root = root.resolve()
    case, config = find_case(root, case_id)
    if "closed" not in config.statuses:
        raise AuthoringError("logbook.toml's statuses have no 'closed', so no case can be closed")
    try:
        summary = one_line(summary, "--summary") if "\n" not in summary.strip() else message_text(summary, "--summary")
    except ValueRefused as exc:
        raise AuthoringError(str(exc)) from None
    if not summary:
        raise AuthoringError("--summary needs a sentence saying how the case ended")
    moment = stamp_or_refuse(at, case, config, now)
    _refuse_a_day_before_its_entries(case, moment)
    waiting = _outstanding(root, case, config, moment.instant)
    if waiting and not force:
        names = "; ".join(f"'{p.promise.id or p.promise.what}' ({p.state})" for p in waiting)
        raise AuthoringError(
            f"case '{case.id}' still has promises not kept: {names}. Record that they were kept "
            f"(logbook add {case.id} … --fulfils ID), or close it anyway with --force"
        )
    new = NewInteraction(
        channel="note", direction="internal", at=at_text(moment), title="Case closed", status="closed", message=summary
    )
    return _change(
        root, case, config, new, {"status": "closed", "closed": at_text(moment), "summary": summary}, now, "close"
    )


def _refuse_a_day_before_its_entries(case: Case, moment: Any) -> None:
    """``close --at DATE`` on a day the case has entries with times: a date alone sorts at the start of
    the day, so the case would end before them (check's ends-before-its-day); the time is asked for."""
    if moment.has_time:
        return
    later = timed_later_that_day(case.interactions, moment)
    if later:
        last = minute_after(max(later, key=lambda at: at.instant), moment)
        raise AuthoringError(
            f"case '{case.id}' has entries later on {moment.date_text()} (the last at {last}); a date"
            f" alone would close it before them: give the time, --at '{moment.date_text()} {last}' or later"
        )


def stamp_or_refuse(at: str | None, case: Case, config: Config, now: datetime | None) -> Any:
    try:
        return stamp(at, case_zone(case, config), now)
    except WriteRefused as exc:
        raise AuthoringError(str(exc)) from None


def _outstanding(root: Path, case: Case, config: Config, as_of: datetime) -> list[Any]:
    from logbook.evidence.derive import derive_case

    view = derive_case(case, root, as_of, config)
    return [p for p in view.promises if p.state in ("pending", "open")]


def _change(
    root: Path,
    case: Case,
    config: Config,
    new: NewInteraction,
    updates: dict[str, Any],
    now: datetime | None,
    verb: str,
) -> Written:
    case_path = root / case.location.path
    try:
        check_status(updates["status"], config)
    except WriteRefused as exc:
        raise AuthoringError(str(exc)) from None
    if new.channel == "note" and "note" not in config.channels:
        raise AuthoringError(
            "the channel 'note' is not in logbook.toml's channels, so the change cannot be "
            'recorded as a note; add "note" to channels'
        )
    recorded: list[Recorded] = []

    def write() -> Written:
        try:
            recorded.append(
                write_interaction(
                    root, case, config, new, now, edit_case_file=lambda raw: set_front_matter(raw, updates)
                )
            )
        except WriteRefused as exc:
            raise AuthoringError(str(exc)) from None
        paths = recorded[0].paths if case.form == "single" else (*recorded[0].paths, case_path)
        what = {"status": f"status {updates['status']}", "close": "closed"}.get(verb)
        message = f"logbook: {verb} {case.id}: " + (
            f"{what} ({recorded[0].label})" if what else f"{recorded[0].label} (status {updates['status']})"
        )
        return Written(paths, promise_notes(case, recorded[0]), message=message)

    return notarised(root, config, (case_path,), "", write)
