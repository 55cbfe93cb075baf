"""What ``logbook import`` tells the user, as lines of text (the CLI prints them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from logbook.core.diagnostics import printable

from .model import Incoming
from .plan import ImportPlan
from .writing import WriteResult


def describe(message: Incoming) -> str:
    """One message in a line: where it is, when, who, what about (names and subjects come from the
    messages: made printable, so a control character in a header cannot drive the terminal)."""
    what = message.subject or (message.body.split("\n", 1)[0][:60] if message.body else "")
    who = message.sender or "unknown sender"
    return printable(f"{message.origin.describe()} ({message.at_text()}, {who}{': ' + what if what else ''})")


def plan_lines(plan: ImportPlan, dry_run: bool) -> list[str]:
    lines: list[str] = []
    if dry_run:
        lines.extend(
            f"would import {describe(p.message)} -> {p.case_id} ({p.how}, {p.direction})" for p in plan.planned
        )
        if plan.new_case and plan.planned:
            lines.append(f"would create case {plan.new_case[0]}: {printable(plan.new_case[1])}")
    for item in plan.unplaced:
        lines.append(f"not imported: {describe(item.message)}: {item.reason}")
    if plan.unplaced:
        lines.append(
            f"{len(plan.unplaced)} message(s) not imported: name the case with --case ID, or add the ref "
            "they mention to a case's refs"
        )
    counts = [
        f"{len(plan.planned)} to import" if dry_run else None,
        f"{plan.already} already recorded" if plan.already or not plan.planned else None,
        f"{plan.system_lines} system line(s) of the chat skipped" if plan.system_lines else None,
    ]
    if not plan.planned and not dry_run:
        counts.insert(0, "nothing new to import")
    if any(counts):
        lines.append("; ".join(c for c in counts if c))
    return lines


def done_lines(plan: ImportPlan, result: WriteResult, shown: Callable[[Path], str]) -> list[str]:
    per_case = Counter(p.case_id for p in plan.planned)
    lines = [f"imported {count} message(s) into {case_id}" for case_id, count in sorted(per_case.items())]
    lines.append(
        f"wrote {len(result.records)} record file(s) and {len(result.files)} attachment(s)"
        + (f"; {plan.already} already recorded" if plan.already else "")
        + (
            "; next: logbook check, then git add and commit"
            if not result.diagnostics and not result.commit and not result.commit_error
            else ""
        )
    )
    if result.commit:
        lines.append(f"committed {result.commit}")
    return lines
