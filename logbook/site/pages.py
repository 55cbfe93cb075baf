"""The page plan of the lists: which list pages the site has and what each one holds.

A page costs its reader the same at any size of logbook: no list page holds more than
PAGE_SIZE rows (cases, interactions, findings), the dashboard and the list of cases show the
first TOP rows of each list with a link to the whole list, and the timeline is one page per
month (a month with more than PAGE_SIZE interactions runs over numbered pages).  The URLs are
documented in docs/site.md: the first page of a list is ``<folder>/index.html``, the next ones
``<folder>/2/index.html``, ``<folder>/3/index.html`` …; a month is ``timeline/YYYY-MM/index.html``
(newest first) and ``timeline/oldest/YYYY-MM/index.html`` (oldest first).

Everything here is a pure function of the values it is given (the site view's lists), so the
plan is tested without drawing a page.  ``facet_index`` is the small per-month count of every
timeline filter value that lets the filters count across the whole logbook, not only the month
in view.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from logbook.core.records import quick_pickle

PAGE_SIZE = 200  # rows of a list page: about 2,500 DOM nodes and 150 KB at most
TOP = 10  # rows of each list the dashboard and the list of cases show before "all N …"
FACETS = "timeline/facets.js"  # the filters' per-month counts, loaded by a <script> tag

T = TypeVar("T")


@quick_pickle
@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a list: its path, its rows, and the links to every page of the list."""

    path: str
    rows: tuple[Any, ...]
    number: int  # 1 for the first page
    pager: tuple[tuple[str, str | None], ...]  # (label, path from the site's top or None for the page itself)
    total: int  # rows in the whole list
    first: int  # the number (1-based) of this page's first row in the whole list


def page_path(folder: str, number: int) -> str:
    """``folder/index.html`` for the first page, ``folder/N/index.html`` for page N."""
    return f"{folder}/index.html" if number == 1 else f"{folder}/{number}/index.html"


def pager(folder: str, number: int, count: int) -> tuple[tuple[str, str | None], ...]:
    """Links to the pages of a list: previous, the first, the last and the two either side of this
    one, next; ``…`` (no link) where pages are left out, so a list of any length needs a dozen links."""
    if count <= 1:
        return ()
    shown = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
    links: list[tuple[str, str | None]] = []
    if number > 1:
        links.append(("previous", page_path(folder, number - 1)))
    last = 0
    for n in shown:
        if n > last + 1:
            links.append(("…", None))
        links.append((str(n), None if n == number else page_path(folder, n)))
        last = n
    if number < count:
        links.append(("next", page_path(folder, number + 1)))
    return tuple(links)


def list_pages(folder: str, rows: Sequence[T], size: int = PAGE_SIZE) -> list[ListPage]:
    """A list cut into pages of at most *size* rows; an empty list still has its first page."""
    count = max(1, -(-len(rows) // size))
    return [
        ListPage(
            page_path(folder, n),
            tuple(rows[(n - 1) * size : n * size]),
            n,
            pager(folder, n, count),
            len(rows),
            (n - 1) * size + 1,
        )
        for n in range(1, count + 1)
    ]


@quick_pickle
@dataclass(frozen=True, slots=True)
class MonthPage:
    """One page of the timeline: a month (or one numbered page of a long month) in one order."""

    path: str
    month: str  # YYYY-MM
    pairs: tuple[Any, ...]  # (CaseView, Entry), in the page's order
    newest_first: bool
    part: ListPage  # where the page sits among its month's pages (rows: the same pairs)
    months: tuple[tuple[str, int, str], ...]  # every month: (YYYY-MM, interactions, path of its first page)
    other_order: str  # the same month's first page in the other order


def month_folder(month: str, newest_first: bool) -> str:
    return f"timeline/{month}" if newest_first else f"timeline/oldest/{month}"


def timeline_pages(months: Sequence[tuple[str, Sequence[Any]]], size: int = PAGE_SIZE) -> list[MonthPage]:
    """Every page of the timeline, both orders, from *months* (oldest first, each month oldest first);
    ``timeline/index.html`` is the newest month, newest first, and ``timeline/oldest/index.html`` the
    oldest month, oldest first (with no interaction at all, both say so and there is no month page)."""
    pages: list[MonthPage] = []
    for newest_first in (True, False):
        ordered = [(m, tuple(p)[::-1] if newest_first else tuple(p)) for m, p in months]
        if newest_first:
            ordered.reverse()
        nav = tuple((m, len(p), page_path(month_folder(m, newest_first), 1)) for m, p in ordered)
        for month, pairs in ordered:
            folder = month_folder(month, newest_first)
            other = page_path(month_folder(month, not newest_first), 1)
            for part in list_pages(folder, pairs, size):
                pages.append(MonthPage(part.path, month, part.rows, newest_first, part, nav, other))
        start = "timeline/index.html" if newest_first else "timeline/oldest/index.html"
        if ordered:
            first = next(p for p in pages if p.newest_first == newest_first)
            pages.append(_moved(first, start))
        else:
            empty = ListPage(start, (), 1, (), 0, 1)
            other = "timeline/oldest/index.html" if newest_first else "timeline/index.html"
            pages.append(MonthPage(start, "", (), newest_first, empty, (), other))
    return pages


def _moved(page: MonthPage, path: str) -> MonthPage:
    """The same month page published at *path* too (the timeline's front page is its newest month)."""
    part = ListPage(path, page.part.rows, 1, page.part.pager, page.part.total, 1)
    return MonthPage(path, page.month, page.pairs, page.newest_first, part, page.months, page.other_order)


def quietest_first(views: Iterable[Any]) -> tuple[Any, ...]:
    """Cases longest without activity first (none recorded at all before any), ties by id: the
    ones a reader has to chase first."""
    return tuple(sorted(views, key=lambda v: (v.last_activity is not None, v.last_activity or 0, v.case.id)))


def top(rows: Sequence[T], n: int = TOP) -> tuple[T, ...]:
    return tuple(rows[:n])


FacetValues = Callable[[Any, Any], dict[str, tuple[str, ...]]]  # (view, entry) → field → values
MonthFacets = tuple[dict[str, dict[str, int]], tuple[int, ...]]  # field → value → count; count per day 1–31


def month_facets(pairs: Sequence[Any], values_of: FacetValues, local_day: Callable[[Any], int]) -> MonthFacets:
    """How many of one month's (view, entry) *pairs* carry each filter value, and fall on each day."""
    fields: dict[str, dict[str, int]] = {}
    days = [0] * 31
    for view, entry in pairs:
        days[local_day(entry) - 1] += 1
        for field, values in values_of(view, entry).items():
            counts = fields.setdefault(field, {})
            for value in values:
                counts[value] = counts.get(value, 0) + 1
    return fields, tuple(days)


def facet_index(
    months: Sequence[tuple[str, Sequence[Any]]], facets_of: Callable[[Sequence[Any]], MonthFacets]
) -> dict[str, Any]:
    """The facets of every month (``facets_of`` a month's pairs: month_facets, or serve's memo of it).

    ``{"months": [YYYY-MM …] oldest first, "total": [n …], "fields": {field: {value: [n per month]}},
    "days": [[n per day 1–31] per month]}``: enough to count any one filter over the whole logbook
    exactly, and to bound a combination of filters by its smallest single count, in a few KB whatever
    the logbook's size (months × filter values)."""
    fields: dict[str, dict[str, list[int]]] = {}
    days: list[list[int]] = []
    for column, (_, pairs) in enumerate(months):
        counted, per_day = facets_of(pairs)
        for field, by_value in counted.items():
            counts = fields.setdefault(field, {})
            for value, n in by_value.items():
                counts.setdefault(value, [0] * len(months))[column] = n
        days.append(list(per_day))
    return {
        "months": [m for m, _ in months],
        "total": [len(p) for _, p in months],
        "fields": {f: dict(sorted(v.items())) for f, v in sorted(fields.items())},
        "days": days,
    }


def facet_script(index: dict[str, Any]) -> str:
    """The facet index as a script that registers itself (works from file:// under the site's CSP)."""
    text = json.dumps(index, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.logbookFacets = {text};\n"
