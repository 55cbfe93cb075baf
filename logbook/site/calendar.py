"""``calendar.ics``: pending promises and open rights windows as calendar events.

Built with the icalendar library; UIDs and DTSTAMP come from the record and
``--as-of``, so the same inputs give the same file.
"""

from __future__ import annotations

from datetime import timedelta

from logbook.core.language import ENGLISH, Language
from logbook.evidence.derive import SiteView


def calendar_ics(site: SiteView, lang: Language = ENGLISH) -> bytes:
    """The calendar, its titles in the reader's language *lang*."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//logbook//evidence calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", lang._("{title}: deadlines", title=site.config.title))
    stamp = site.as_of
    for view in site.cases:
        case = view.case
        for n, state in enumerate(view.promises, start=1):
            due = state.promise.due
            if state.state != "pending" or due is None:
                continue
            event = Event()
            event.add("uid", f"{case.id}-promise-{state.made_in}-{n}@logbook")
            event.add("dtstamp", stamp)
            by = f" ({state.promise.by})" if state.promise.by else ""
            due_text = lang._("due: {promise}", promise=state.promise.what + by)
            event.add("summary", f"[{case.id}] {due_text}")
            if due.has_time:
                event.add("dtstart", due.instant)
                event.add("dtend", due.instant + timedelta(minutes=30))
            else:
                event.add("dtstart", due.when.date())
                event.add("dtend", due.when.date() + timedelta(days=1))
            made = (
                state.made_at.display()
                if lang.is_source
                else f"{lang.date(state.made_at.when)} {lang.clock(state.made_at.when)}"
            )
            event.add(
                "description", lang._("Promised {time} in case {id}: {title}", time=made, id=case.id, title=case.title)
            )
            calendar.add_component(event)
        for window in view.facts.windows:
            if window.state not in ("open", "closing", "not-yet"):
                continue
            event = Event()
            event.add("uid", f"{case.id}-window-{window.rule.name}-{window.window.start.date_text()}@logbook")
            event.add("dtstamp", stamp)
            summary = (
                lang._("{window} opens", window=window.rule.name)
                if window.rule.kind == "opens"
                else lang._("{window} ends", window=window.rule.name)
            )
            event.add("summary", f"[{case.id}] {summary}")
            event.add("dtstart", window.day)
            event.add("dtend", window.day + timedelta(days=1))
            event.add("description", lang._(window.rule.label))
            calendar.add_component(event)
    return bytes(calendar.to_ical())
