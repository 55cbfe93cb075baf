"""Times as a reader of one page sees them: all in the page's zone, the recorded offset kept where it differs.

A page's zone is its case's (``timezone:`` in case.md), else the site's (``timezone`` in logbook.toml).
A time written with another offset (an email header from Shanghai on a London case) is shown converted,
with the time as recorded in brackets, so neither is lost.  A date recorded without a time is marked
``*``; the page explains the mark once, in its note about zones, instead of saying "(time not recorded)"
in every cell.  The rule is written in docs/format.md ("How times are shown").
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from markupsafe import Markup, escape

from logbook.core.language import ENGLISH, Language
from logbook.core.timeparse import Moment

NO_TIME_MARK = "*"


def _offset(when: datetime) -> str:
    return Moment(when).offset_text()


def _abbreviation(when: datetime) -> str:
    """``CET``, ``BST``, ``UTC``; nothing for zones whose only name is a number (``+08``)."""
    name = when.tzname() or ""
    return "" if not name or name.startswith(("+", "-")) else name


def _parts(moment: Moment, zone: tzinfo | None, lang: Language) -> tuple[str, str | None]:
    """(the time in *zone*, the time as recorded when its offset differs, else None); with a time."""
    local = moment.when.astimezone(zone) if zone is not None else moment.when
    shown = f"{lang.date(local)} {lang.clock(local)} {_abbreviation(local) or _offset(local)}"
    if moment.when.utcoffset() == local.utcoffset():
        return shown, None
    day = "" if moment.when.date() == local.date() else f"{lang.date(moment.when)} "
    return shown, f"{day}{lang.clock(moment.when)} {_offset(moment.when)}"


def time_text(moment: Moment, zone: tzinfo | None, lang: Language = ENGLISH) -> str:
    """The moment in *zone* as plain text: ``2026-11-20 01:12 GMT (recorded as 09:12 UTC+08:00)``.

    Without a zone the moment is shown as recorded.  A date alone stays the recorded date with the mark."""
    if not moment.has_time:
        return f"{lang.date(moment.when)}{NO_TIME_MARK}"
    shown, recorded = _parts(moment, zone, lang)
    if recorded is None:
        return shown
    return shown + " " + lang._("(recorded as {time})", time=recorded)


def time_html(moment: Moment | None, zone: tzinfo | None, lang: Language = ENGLISH) -> Markup:
    """:func:`time_text` for a page: the mark of a date alone is spelled out for screen readers."""
    if moment is None:
        return Markup("")
    if not moment.has_time:
        not_recorded = lang._("(time not recorded)")
        return Markup(
            f'{escape(lang.date(moment.when))}<span class="no-time"><span aria-hidden="true">{NO_TIME_MARK}'
            f'</span><span class="visually-hidden"> {escape(not_recorded)}</span></span>'
        )
    shown, recorded = _parts(moment, zone, lang)
    html = f'<span class="local-time">{escape(shown)}</span>'
    if recorded is None:
        return Markup(html)
    recorded_as = lang._("(recorded as {time})", time=recorded)
    return Markup(f'{html} <span class="recorded-as">{escape(recorded_as)}</span>')


def zone_description(zone: tzinfo, year: int, lang: Language = ENGLISH) -> str:
    """``Europe/London (GMT, UTC+00:00; BST, UTC+01:00 with daylight saving)`` for the zone in *year*."""
    samples = [datetime(year, month, 1, 12, tzinfo=zone) for month in (1, 7)]
    names = list(dict.fromkeys((_abbreviation(s), _offset(s), s.dst() not in (None, timedelta(0))) for s in samples))
    named = getattr(zone, "key", None) or str(zone)
    if len(names) == 1:
        name, offset, _ = names[0]
        return f"{named} ({name + ', ' if name and name != named else ''}{offset})"
    saving = " " + lang._("with daylight saving")
    parts = [f"{name + ', ' if name else ''}{offset}{saving if dst else ''}" for name, offset, dst in names]
    return f"{named} ({'; '.join(parts)})"


def zone_note(zone: tzinfo, year: int, lang: Language = ENGLISH) -> str:
    """The sentence a page opens its times with."""
    return lang._(
        "Times are in {zone}; a time recorded with another offset shows that offset in brackets. "
        "{mark} after a date: the time was not recorded.",
        zone=zone_description(zone, year, lang),
        mark=NO_TIME_MARK,
    )


def packet_zone_line(zone: tzinfo, year: int, lang: Language = ENGLISH) -> str:
    """The line at the top of every printed page of a packet: which zone, and what the mark means."""
    return lang._(
        "Times in {zone} · {mark} after a date: time not recorded",
        zone=zone_description(zone, year, lang),
        mark=NO_TIME_MARK,
    )
