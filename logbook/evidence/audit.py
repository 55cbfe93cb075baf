"""``logbook audit``: the periodic review of what is overdue or needs attention.

Findings come from the derived site (promises, response times, calls, windows,
activity) and from the check (closed cases without a summary, attachments that are
referenced but absent).  ``overdue`` findings make ``audit`` exit 1, so it can run
from CI or cron; ``attention`` findings are due soon.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, tzinfo
from operator import itemgetter
from typing import Any

from logbook.core.clock import NO_TIME_MARK, time_text
from logbook.core.diagnostics import Diagnostic
from logbook.core.language import Language
from logbook.core.records import quick_pickle
from logbook.core.timeparse import Moment, zone_named
from logbook.evidence.derive import CaseView, SiteView
from logbook.evidence.wording import duration, response_sentence
from logbook.load.catalogues import load_language
from logbook.validate.status import ENDING_STATUSES

OVERDUE, ATTENTION = "overdue", "attention"


@quick_pickle
@dataclass(frozen=True, slots=True)
class Finding:
    severity: str  # overdue or attention
    kind: str
    case_id: str
    message: str
    anchor: str | None = None  # entry on the evidence page
    path: str | None = None  # source file
    line: int | None = None
    since: str | None = None  # ISO time it became due / last activity


def _case_findings(view: CaseView, site: SiteView) -> Iterator[Finding]:
    """Each finding is overdue once past its target (``[audit]``) and due soon inside it; the text
    says by how much (docs/format.md, "audit"), in the site's language (the dashboard shows them)."""
    case, facts, settings, as_of = view.case, view.facts, site.config.audit, site.as_of
    lang = load_language(site.config.language)
    is_open = case.status not in ENDING_STATUSES
    last = view.last_activity
    if is_open and last is not None and as_of - last > timedelta(days=settings.stale_days):
        yield Finding(
            OVERDUE,
            "stale-case",
            case.id,
            lang.n_(
                "no activity for {n} day (limit {limit})",
                "no activity for {n} days (limit {limit})",
                (as_of - last).days,
                limit=lang.number(settings.stale_days),
            ),
            view.last_entry.anchor if view.last_entry else None,
            case.location.path,
            1,
            last.isoformat(),
        )
    zone = zone_named(site.config.timezone)  # audit's times are in the site's zone, as the dashboard's
    if is_open:  # a case that has ended owes nothing more: its broken promises stay on its page, not here
        yield from _promise_findings(view, settings.warn_days, as_of, zone, lang)
        yield from _response_findings(view, settings.response_hours, as_of, zone, lang)
        yield from _call_findings(view, settings.followup_hours, as_of, zone, lang)
    for window in facts.windows:
        path, line, ends = window.window.location.path, window.window.location.line, window.ends.isoformat()
        if window.state == "passed" and is_open:
            yield Finding(
                OVERDUE,
                "window-passed",
                case.id,
                lang._("{label}: ended {date}", label=lang._(window.rule.label), date=lang.date(window.day)),
                None,
                path,
                line,
                ends,
            )
        elif window.state == "closing" and is_open:
            yield Finding(
                ATTENTION,
                "window-closing",
                case.id,
                lang.n_(
                    "{label}: ends {date} ({n} day left)",
                    "{label}: ends {date} ({n} days left)",
                    window.days_left(as_of),
                    label=lang._(window.rule.label),
                    date=lang.date(window.day),
                )
                if window.days_left(as_of) >= 1
                else lang._(
                    "{label}: ends {date} (less than a day left)",
                    label=lang._(window.rule.label),
                    date=lang.date(window.day),
                ),
                None,
                path,
                line,
                ends,
            )


def _broken_text(what: str, due: Moment, as_of: datetime, zone: tzinfo, lang: Language) -> str:
    """How late a broken promise is; one due on a day, judged as of that day's end (a build's everyday
    moment, the day after), is "not kept by the end of that day", not "0 min overdue"."""
    time = time_text(due, zone, lang)
    if not due.has_time and as_of - due.end < timedelta(minutes=1):
        return lang._("{promise}, due {time}: not kept by the end of that day", promise=what, time=time)
    return lang._(
        "{promise}, due {time}: {duration} overdue", promise=what, time=time, duration=duration(as_of - due.end, lang)
    )


def _promise_findings(
    view: CaseView, warn_days: int, as_of: datetime, zone: tzinfo, lang: Language
) -> Iterator[Finding]:
    for promise in view.promises:
        due, loc = promise.promise.due, promise.promise.location
        if due is None:
            continue  # undated promises are never overdue
        by = f" ({promise.promise.by})" if promise.promise.by else ""
        what = f"“{promise.promise.what}”{by}"
        if promise.state == "broken":
            yield Finding(
                OVERDUE,
                "broken-promise",
                view.case.id,
                _broken_text(what, due, as_of, zone, lang),
                promise.made_in,
                loc.path,
                loc.line,
                due.end.isoformat(),
            )
        elif promise.state == "pending" and due.end - as_of <= timedelta(days=warn_days):
            yield Finding(
                ATTENTION,
                "promise-due-soon",
                view.case.id,
                lang._(
                    "{promise}, due {time}: in {duration}",
                    promise=what,
                    time=time_text(due, zone, lang),
                    duration=duration(due.end - as_of, lang),
                ),
                promise.made_in,
                loc.path,
                loc.line,
                due.end.isoformat(),
            )


def _response_findings(
    view: CaseView, response_hours: int, as_of: datetime, zone: tzinfo, lang: Language
) -> Iterator[Finding]:
    """Messages waiting for an answer: past the response target overdue, inside it due soon."""
    target = timedelta(hours=response_hours)
    for response in view.facts.unanswered:
        waited = as_of - response.at.instant
        if waited < timedelta(0):
            continue  # sent after --as-of: nothing is due yet
        loc = view.entry(response.anchor).interaction.location
        severity = OVERDUE if waited > target else ATTENTION
        values = {"waited": duration(waited, lang), "target": lang.number(response_hours)}
        how_long = (
            lang._(
                "waiting {waited}, {past} past the {target} h target", past=duration(waited - target, lang), **values
            )
            if waited > target
            else lang._(
                "waiting {waited}, {left} left of the {target} h target", left=duration(target - waited, lang), **values
            )
        )
        kind = "no-reply" if response.theirs else "unanswered-inbound"
        yield Finding(
            severity,
            kind,
            view.case.id,
            f"{response_sentence(response, False, lang, zone)} ({how_long})",
            response.anchor,
            loc.path,
            loc.line,
            response.at.instant.isoformat(),
        )


def _call_findings(
    view: CaseView, followup_hours: int, as_of: datetime, zone: tzinfo, lang: Language
) -> Iterator[Finding]:
    """Calls not confirmed in writing: past the follow-up time overdue, inside it due soon."""
    limit = timedelta(hours=followup_hours)
    for anchors, severity in ((view.facts.unconfirmed_calls, OVERDUE), (view.facts.calls_to_confirm, ATTENTION)):
        for anchor in anchors:
            call = view.entry(anchor).interaction
            age = as_of - call.at.instant
            values = {"age": duration(age, lang), "target": lang.number(followup_hours)}
            how_long = (
                lang._("{age} ago, {past} past the {target} h target", past=duration(age - limit, lang), **values)
                if age > limit
                else lang._(
                    "{age} ago, {left} left of the {target} h target", left=duration(limit - age, lang), **values
                )
            )
            yield Finding(
                severity,
                "unconfirmed-call",
                view.case.id,
                lang._(
                    "call with {party} of {time} not confirmed in writing ({how_long}; logbook followup prints the email)",
                    party=call.party or lang.p_("party", "the other side"),
                    time=time_text(call.at, zone, lang),
                    how_long=how_long,
                ),
                anchor,
                call.location.path,
                call.location.line,
                call.at.instant.isoformat(),
            )


RECORD_PROBLEMS = {"missing-attachment": "attachment referenced but absent"}


Keyed = list[tuple[tuple[Any, ...], Finding]]  # findings with the order they are listed in


def audit_findings(site: SiteView, diagnostics: Sequence[Diagnostic] = ()) -> list[Finding]:
    """Everything overdue or due soon."""
    return ordered_findings([case_findings(view, site) for view in site.cases], diagnostics)


def case_findings(view: CaseView, site: SiteView) -> Keyed:
    """One case's findings, keyed for ordered_findings: plain data, made from the view, the site's
    configuration and its moment alone (serve keeps them while those are the same)."""
    return _keyed(_case_findings(view, site))


def _keyed(findings: Iterable[Finding]) -> Keyed:
    return [(_order(f), f) for f in findings]


def ordered_findings(per_case: Sequence[Keyed], diagnostics: Sequence[Diagnostic] = ()) -> list[Finding]:
    """The cases' findings and the record problems among *diagnostics*, overdue first (see _order)."""
    findings = [pair for found in per_case for pair in found]
    for d in diagnostics:
        if d.code in RECORD_PROBLEMS:
            findings += _keyed(
                [
                    Finding(
                        OVERDUE,
                        d.code,
                        "",
                        f"{RECORD_PROBLEMS[d.code]}: {d.message}",
                        path=d.location.path,
                        line=d.location.line,
                    )
                ]
            )
        elif d.code == "missing-field" and "closed case needs 'summary'" in d.message:
            findings += _keyed(
                [
                    Finding(
                        OVERDUE,
                        "missing-summary",
                        "",
                        "closed case without a summary note",
                        path=d.location.path,
                        line=d.location.line,
                    )
                ]
            )
        elif d.is_error:  # the audit of that record is incomplete: cron must hear of it, not "nothing overdue"
            findings += _keyed(
                [
                    Finding(
                        OVERDUE,
                        "record-error",
                        "",  # the file names it: a record that cannot be read may not say its case
                        f"not audited in full, the record has an error ({d.code}: {d.message}); run logbook check",
                        path=d.location.path,
                        line=d.location.line,
                    )
                ]
            )
    return [finding for _, finding in sorted(findings, key=itemgetter(0))]


def _order(finding: Finding) -> tuple[int, str, str, str, str]:
    """Overdue first, then by case, since when, kind and message."""
    return (
        0 if finding.severity == OVERDUE else 1,
        finding.case_id,
        finding.since or "",
        finding.kind,
        finding.message,
    )


def has_overdue(findings: Sequence[Finding]) -> bool:
    return any(f.severity == OVERDUE for f in findings)


def findings_json(findings: Sequence[Finding], as_of: datetime) -> str:
    return json.dumps(
        {
            "as_of": as_of.isoformat(),
            "overdue": sum(f.severity == OVERDUE for f in findings),
            "findings": [asdict(f) for f in findings],
        },
        indent=2,
        ensure_ascii=False,
    )


def findings_table(findings: Sequence[Finding], as_of: datetime, lang: Language | None = None) -> str:
    """``logbook audit``'s table, in the site's language (the findings' kinds stay codes, like
    ``check``'s, for scripts and problem matchers)."""
    lang = lang or load_language("en")
    moment = f"{as_of:%Y-%m-%d %H:%M}"
    if not findings:
        return lang._("audit as of {moment} UTC: nothing overdue, nothing due soon", moment=moment) + "\n"
    rows = [("", lang._("case"), lang._("finding"), lang._("where"))]
    for f in findings:
        where = f"{f.path}:{f.line}" if f.path else ""
        rows.append(("!!" if f.severity == OVERDUE else " ~", f.case_id or "-", f"{f.kind}: {f.message}", where))
    widths = [min(max(len(r[i]) for r in rows), 90) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip() for r in rows]
    overdue = sum(f.severity == OVERDUE for f in findings)
    soon = len(findings) - overdue
    counts = lang._(
        "{overdue}, {soon} (as of {moment} UTC)",
        overdue=lang.n_("{n} overdue", "{n} overdue", overdue),
        soon=lang.n_("{n} due soon", "{n} due soon", soon),
        moment=moment,
    )
    lines.append("\n" + counts)
    if any(NO_TIME_MARK in f.message for f in findings):
        lines.append(
            lang._(
                "Times are in the site's time zone; {mark} after a date: the time was not recorded.", mark=NO_TIME_MARK
            )
        )
    return "\n".join(lines) + "\n"
