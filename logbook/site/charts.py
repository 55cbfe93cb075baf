"""Dashboard charts as inline SVG, drawn at build time: no script, no CDN.

Each chart is a small bar chart with a ``<title>`` and ``<desc>`` for screen readers,
and the data also goes to a table in the page, so colour and shape are never the only
way to read it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from statistics import median

from markupsafe import Markup, escape

from logbook.core.clock import time_text
from logbook.core.language import ENGLISH, Language
from logbook.core.records import quick_pickle
from logbook.core.timeparse import zone_named
from logbook.evidence.derive import CaseView, SiteView
from logbook.speed.policy import EachCase
from logbook.speed.reuse import Memo, keyed_by_repr

WIDTH, BAR, GAP, LABEL = 640, 22, 8, 190
MAX_LABEL, CHAR = 330, 8.6  # the widest label column; a generous width of one character at 14 px


def _label_column(labels: list[str]) -> int:
    """Wide enough for the longest label (a case id with its counterparty), never past MAX_LABEL."""
    return min(MAX_LABEL, max([LABEL, *(int(16 + len(label) * CHAR) for label in labels)]))


def _label(label: str, column: int, y: int) -> str:
    """A row's label, right-aligned to the bars; cut with '…' when even the widest column is too narrow
    (the whole label stays in its tooltip and in the chart's data table)."""
    fits = int((column - 16) / CHAR)
    shown = label if len(label) <= fits else label[: fits - 1] + "…"
    tip = f"<title>{escape(label)}</title>" if shown != label else ""
    return f'<text x="{column - 8}" y="{y + BAR * 0.7:.0f}" text-anchor="end">{tip}{escape(shown)}</text>'


@keyed_by_repr
@quick_pickle
@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    unit: str
    rows: tuple[tuple[str, float], ...]  # label, value
    classes: tuple[str, ...] = ()  # one per row (a status's class, for its colour); else one plain colour
    no_data: str = "no data"  # the description of a chart without rows, in the page's language
    heading: str = "Item"  # the data table's first column
    decimal_mark: str = "."  # the language's, for the values drawn and described

    def bar_class(self, n: int) -> str:
        """Rows that are not statuses or promise states share one neutral colour: a colour of the status
        table on a case or a tag would read as that status."""
        return self.classes[n] if n < len(self.classes) else "bar-plain"

    def svg(self) -> Markup:
        column = _label_column([label for label, _ in self.rows])
        top = max((v for _, v in self.rows), default=0) or 1
        height = len(self.rows) * (BAR + GAP) + GAP
        desc = (
            "; ".join(f"{label}: {_fmt(value, self.decimal_mark)} {self.unit}" for label, value in self.rows)
            or self.no_data
        )
        parts = [
            f'<svg class="chart" role="img" aria-labelledby="{self.id}-t {self.id}-d" viewBox="0 0 {WIDTH} '
            f'{height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{self.id}-t">{escape(self.title)}</title><desc id="{self.id}-d">{escape(desc)}</desc>',
        ]
        for n, (label, value) in enumerate(self.rows):
            y = GAP + n * (BAR + GAP)
            length = (WIDTH - column - 80) * value / top
            parts.append(
                f"{_label(label, column, y)}"
                f'<rect class="bar {self.bar_class(n)}" x="{column}" y="{y}" width="{length:.1f}" height="{BAR}">'
                f'</rect><text x="{column + length + 6:.1f}" y="{y + BAR * 0.7:.0f}">{_fmt(value, self.decimal_mark)}</text>'
            )
        parts.append("</svg>")
        return Markup("".join(parts))


@keyed_by_repr
@quick_pickle
@dataclass(frozen=True, slots=True)
class StackedChart:
    """One bar per row, split into series (statuses, each in its status's colour); every segment also has
    a tooltip, and the legend is HTML beside the drawing, so it wraps instead of being cut off."""

    id: str
    title: str
    series: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]  # label, one count per series
    names: tuple[str, ...] = ()  # the series as shown, in the page's language (else as recorded)
    no_data: str = "no data"
    legend_label: str = "Legend"
    heading: str = "Month"

    @property
    def shown(self) -> tuple[str, ...]:
        return self.names or self.series

    def svg(self) -> Markup:
        column = _label_column([label for label, _ in self.rows])
        top = max((sum(v) for _, v in self.rows), default=0) or 1
        height = len(self.rows) * (BAR + GAP) + GAP
        desc = (
            "; ".join(
                f"{label}: " + ", ".join(f"{name} {count}" for name, count in zip(self.shown, values) if count)
                for label, values in self.rows
            )
            or self.no_data
        )
        parts = [
            f'<svg class="chart" role="img" aria-labelledby="{self.id}-t {self.id}-d" viewBox="0 0 {WIDTH} '
            f'{height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{self.id}-t">{escape(self.title)}</title><desc id="{self.id}-d">{escape(desc)}</desc>',
        ]
        for n, (label, values) in enumerate(self.rows):
            y, x = GAP + n * (BAR + GAP), float(column)
            parts.append(_label(label, column, y))
            for k, count in enumerate(values):
                if count:
                    length = (WIDTH - column - 20) * count / top
                    parts.append(
                        f'<rect class="bar status-{self.series[k]}" x="{x:.1f}" y="{y}" width="{length:.1f}" '
                        f'height="{BAR}"><title>{escape(self.shown[k])}: {count}</title></rect>'
                    )
                    x += length
        parts.append("</svg>")
        return Markup("".join(parts))

    def legend(self) -> Markup:
        """The series' names with their colours, as a list that wraps (never cut off at the drawing's edge)."""
        items = "".join(
            f'<li><span class="swatch status-{escape(name)}" aria-hidden="true"></span>{escape(shown)}</li>'
            for name, shown in zip(self.series, self.shown)
        )
        return Markup(f'<ul class="legend" aria-label="{escape(self.legend_label)}">{items}</ul>')


def _fmt(value: float, mark: str = ".") -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", mark)


def _status_at(view: CaseView, moment: datetime) -> str | None:
    status = next(
        (p.status for p in view.facts.status_periods if p.start <= moment and (p.end is None or moment < p.end)), None
    )
    if status is None and view.facts.status_periods and moment >= view.facts.status_periods[-1].start:
        status = view.facts.status_periods[-1].status
    return status


def status_over_time(site: SiteView, memo: Memo | None = None, lang: Language = ENGLISH) -> StackedChart:
    """Each case's status at the end of each month, from its status periods."""
    chart = partial(
        StackedChart,
        "chart-over-time",
        lang._("Cases by status at the end of each month"),
        site.config.statuses,
        names=tuple(lang.p_("status", s) for s in site.config.statuses),
        no_data=lang._("no data"),
        legend_label=lang._("Legend"),
        heading=lang._("Month"),
    )
    months = _month_starts(site)
    if not months:
        return chart(())
    moments = _month_ends(site, months)
    key = ("status at", repr(moments))  # hashed once, not once per case
    per_case = [_statuses_at(view, moments, key, memo) for view in site.cases]
    columns = [Counter(column) for column in zip(*per_case)] if per_case else [Counter() for _ in moments]
    labels = [lang.month(month.year, month.month) for month in months]
    rows = [(label, tuple(column[s] for s in site.config.statuses)) for label, column in zip(labels, columns)]
    return chart(tuple(rows[-18:]))


def _month_starts(site: SiteView) -> list[datetime]:
    """The first of each month from the first case's start to the site's moment (36 at most)."""
    starts = [v.facts.started for v in site.cases if v.facts.started]
    if not starts:
        return []
    year, month = min(starts).year, min(starts).month
    found: list[datetime] = []
    while (year, month) <= (site.as_of.year, site.as_of.month) and len(found) < 36:
        found.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = year + (month == 12), month % 12 + 1
    return found


def _month_ends(site: SiteView, months: list[datetime]) -> tuple[datetime, ...]:
    """The end of each of *months* (_month_starts), or the site's moment for the month it falls in."""
    return tuple(min(datetime(m.year + (m.month == 12), m.month % 12 + 1, 1, tzinfo=UTC), site.as_of) for m in months)


def _statuses_at(
    view: CaseView, moments: tuple[datetime, ...], key: Hashable, memo: Memo | None
) -> tuple[str | None, ...]:
    """The case's status at each of *moments* (with a *memo*, serve: kept under *key* while the view lives)."""
    if memo is None:
        return tuple(_status_at(view, moment) for moment in moments)
    found: tuple[str | None, ...] = memo.by_identity(
        (view,), key, lambda: tuple(_status_at(view, moment) for moment in moments)
    )
    return found


PROMISE_STATES = ("kept", "broken", "pending", "open")
SLOWEST = 15  # cases in the chart of waits: the dashboard stays the same size at any size of logbook


@quick_pickle
@dataclass(frozen=True, slots=True)
class _CaseFigures:
    """What one case adds to the dashboard's charts."""

    status: str
    wait: float | None  # median days the counterparty took to answer the keeper's messages
    promises: tuple[int, ...]  # how many in each of PROMISE_STATES


def _case_figures(view: CaseView) -> _CaseFigures:
    answered = [
        r.waited.total_seconds() / 86400
        for r in view.facts.responses
        if r.theirs and r.waited is not None and r.party == view.case.counterparty
    ]
    return _CaseFigures(
        view.case.status,
        round(median(answered), 1) if answered else None,
        tuple(sum(p.state == state for p in view.promises) for state in PROMISE_STATES),
    )


def chart_parts(site: SiteView, memo: Memo | None = None, each: EachCase | None = None) -> list[object]:
    """Everything dashboard_charts makes the charts from, as plain data: equal parts, the same charts
    (serve makes them again only when a case's part changes).  *each* makes a value for every case
    view (serve's makes it again only for the views that changed); with a *memo*, figures are kept
    while their views live."""
    months = _month_starts(site)
    moments = _month_ends(site, months)
    key = ("status at", repr(moments))

    def part(view: CaseView) -> tuple[object, ...]:
        return view.case.id, view.case.counterparty, _figures(view, memo), _statuses_at(view, moments, key, memo)

    cases = each("chart parts", part, key) if each is not None else [part(view) for view in site.cases]
    return [site.config, site.as_of, key, tuple((tag, len(views)) for tag, views in site.tags), *cases]


def _figures(view: CaseView, memo: Memo | None) -> _CaseFigures:
    if memo is None:
        return _case_figures(view)
    figures: _CaseFigures = memo.by_identity((view,), "figures", partial(_case_figures, view))
    return figures


def dashboard_charts(site: SiteView, memo: Memo | None = None, lang: Language = ENGLISH) -> list[Chart | StackedChart]:
    """The dashboard's charts, their words in the site's language *lang*; with a *memo* (serve), what each
    case contributes is kept per case view."""
    figures = [_figures(view, memo) for view in site.cases]
    by_status = Counter(f.status for f in figures)
    statuses = [(lang.p_("status", s), float(by_status[s])) for s in site.config.statuses]
    waited = [(view, f.wait) for view, f in zip(site.cases, figures) if f.wait is not None]
    slowest = sorted(waited, key=lambda pair: (-pair[1], pair[0].case.id))[:SLOWEST]  # a bar per case: bounded
    waits = [
        (f"{view.case.id} ({view.case.counterparty})", wait)
        for view, wait in sorted(slowest, key=lambda p: p[0].case.id)
    ]
    waits_title = (
        lang.n_(
            "Median days the counterparty took to answer your messages, per case: the {slowest} slowest of {n} case",
            "Median days the counterparty took to answer your messages, per case: the {slowest} slowest of {n} cases",
            len(waited),
            slowest=lang.number(SLOWEST),
        )
        if len(waited) > SLOWEST
        else lang._("Median days the counterparty took to answer your messages, per case")
    )
    totals = [sum(column) for column in zip(*(f.promises for f in figures))] if figures else [0] * len(PROMISE_STATES)
    promises = [(lang.p_("promise state", state), float(total)) for state, total in zip(PROMISE_STATES, totals)]
    tags = [(tag, float(len(views))) for tag, views in site.tags]
    no_data, item = lang._("no data"), lang._("Item")
    mark = lang.decimal(0.5)[1]  # "0.5", "0,5"
    cases = lang._("cases")
    return [
        Chart(
            "chart-status",
            lang._("Cases by status"),
            cases,
            tuple(statuses),
            tuple(f"status-{s}" for s in site.config.statuses),
            no_data=no_data,
            decimal_mark=mark,
            heading=item,
        ),
        status_over_time(site, memo, lang),
        Chart(
            "chart-waits",
            waits_title,
            lang._("days"),
            tuple(waits),
            no_data=no_data,
            decimal_mark=mark,
            heading=lang._("Case"),
        ),
        Chart(
            "chart-promises",
            lang._("Promises kept, broken, pending and undated"),
            lang._("promises"),
            tuple(promises),
            tuple(f"promise-{state}" for state in PROMISE_STATES),
            no_data=no_data,
            decimal_mark=mark,
            heading=item,
        ),
        Chart(
            "chart-tags", lang._("Cases per tag"), cases, tuple(tags), no_data=no_data, heading=item, decimal_mark=mark
        ),
    ]


def mini_timeline(view: CaseView, zone_name: str | None = None, lang: Language = ENGLISH) -> Markup:
    """A strip of the case's entries on a time axis, so gaps show at a glance; each mark links to its entry.

    Shapes differ by direction (circle received, square sent, diamond internal), not only colours.
    """
    entries = view.entries
    if len(entries) < 2:
        return Markup("")
    zone = zone_named(zone_name) if zone_name else None  # the page's zone, as its other times
    first, last = entries[0].interaction.at.instant, entries[-1].interaction.at.instant
    span = (last - first).total_seconds() or 1
    width, pad, y = 640, 12, 22
    gaps = sorted(
        ((b.interaction.at.instant - a.interaction.at.instant, a, b) for a, b in zip(entries, entries[1:])),
        key=lambda g: g[0],
        reverse=True,
    )
    longest = gaps[0]
    desc = lang.n_(
        "{n} entries from {first} to {last}; the longest gap is {days}, after {after}",
        "{n} entries from {first} to {last}; the longest gap is {days}, after {after}",
        len(entries),
        first=lang.date(entries[0].interaction.at.day_in(zone)),
        last=lang.date(entries[-1].interaction.at.day_in(zone)),
        days=lang.n_("{n} day", "{n} days", longest[0].days),
        after=lang.date(longest[1].interaction.at.day_in(zone)),
    )
    label = lang._("Timeline of this case: {description}", description=desc)
    parts = [
        f'<nav class="strip-nav" aria-label="{escape(label)}">'
        f'<svg class="strip" viewBox="0 0 {width} 44" width="100%" xmlns="http://www.w3.org/2000/svg">'
        f'<line x1="{pad}" y1="{y}" x2="{width - pad}" y2="{y}" class="axis"></line>'
    ]
    for entry in entries:
        x = pad + (width - 2 * pad) * (entry.interaction.at.instant - first).total_seconds() / span
        direction = entry.interaction.direction
        label = escape(
            f"{time_text(entry.interaction.at, zone, lang)} {lang.p_('channel', entry.interaction.channel)} "
            f"{lang.p_('direction', direction)}"
        )
        if direction == "in":
            shape = f'<circle cx="{x:.1f}" cy="{y}" r="6" class="mark mark-in"></circle>'
        elif direction == "out":
            shape = f'<rect x="{x - 5:.1f}" y="{y - 5}" width="10" height="10" class="mark mark-out"></rect>'
        else:
            shape = f'<path d="M{x:.1f} {y - 7}L{x + 6:.1f} {y}L{x:.1f} {y + 7}L{x - 6:.1f} {y}Z" class="mark mark-internal"></path>'
        parts.append(f'<a href="#{entry.anchor}"><title>{label}</title>{shape}</a>')
    parts.append(
        f'<text x="{pad}" y="42" class="strip-label">{lang.date(entries[0].interaction.at.day_in(zone))}</text>'
        f'<text x="{width - pad}" y="42" text-anchor="end" class="strip-label">'
        f"{lang.date(entries[-1].interaction.at.day_in(zone))}</text></svg></nav>"
    )
    return Markup("".join(parts))
