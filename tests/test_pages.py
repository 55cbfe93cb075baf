"""The page plan of the lists (site/pages.py): every list page bounded, the timeline a page per month
with its counts, the top of each list, the filters' per-month counts; and, on generated logbooks of
two sizes, the largest page staying under the bounds and the same size while the logbook grows."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from logbook.build import build
from logbook.site.pages import (
    PAGE_SIZE,
    TOP,
    facet_index,
    facet_script,
    list_pages,
    month_facets,
    pager,
    quietest_first,
    timeline_pages,
    top,
)
from support.books import REPO, SAMPLE, generated_book, write_tree

sys.path.insert(0, str(REPO / "benchmarks"))
from page_weight import element_count, page_weights  # noqa: E402

MAX_BYTES = 1024 * 1024
MAX_NODES = 5000


def test_a_list_is_cut_into_pages_of_at_most_the_page_size():
    rows = list(range(2 * PAGE_SIZE + 1))
    pages = list_pages("tags/refund", rows)
    assert [p.path for p in pages] == ["tags/refund/index.html", "tags/refund/2/index.html", "tags/refund/3/index.html"]
    assert [len(p.rows) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 1]
    assert [r for p in pages for r in p.rows] == rows  # every row once, in order
    assert [p.first for p in pages] == [1, PAGE_SIZE + 1, 2 * PAGE_SIZE + 1] and {p.total for p in pages} == {len(rows)}
    assert pages[1].pager == (
        ("previous", "tags/refund/index.html"),
        ("1", "tags/refund/index.html"),
        ("2", None),
        ("3", "tags/refund/3/index.html"),
        ("next", "tags/refund/3/index.html"),
    )
    (only,) = list_pages("open", [])
    assert only.path == "open/index.html" and only.rows == () and only.pager == ()
    (one,) = list_pages("open", rows[:PAGE_SIZE])
    assert one.pager == ()  # a list of one page has no page links


@pytest.mark.parametrize("count", [2, 7, 50, 10_000])
def test_page_links_stay_a_dozen_whatever_the_list_length(count):
    for number in {1, 2, count // 2 or 1, count - 1 or 1, count}:
        links = pager("agents/a-12", number, count)
        assert len(links) <= 11
        labels = [label for label, _ in links]
        assert "1" in labels and str(count) in labels and str(number) in labels
        assert dict(links)[str(number)] is None  # the page itself is not a link
        assert ("previous" in labels) == (number > 1) and ("next" in labels) == (number < count)
        numbers = [int(label) for label in labels if label.isdigit()]
        assert numbers == sorted(numbers)
        for label, href in links:
            if label.isdigit() and href is not None:
                assert href == ("agents/a-12/index.html" if label == "1" else f"agents/a-12/{label}/index.html")


def test_the_timeline_is_a_page_per_month_in_both_orders_with_the_counts():
    months = [("2026-01", ["a1", "a2", "a3", "a4", "a5"]), ("2026-02", ["b1"]), ("2026-04", ["d1", "d2"])]
    pages = {p.path: p for p in timeline_pages(months, size=2)}
    assert set(pages) == {
        "timeline/index.html",
        "timeline/oldest/index.html",
        *(f"timeline/{m}/index.html" for m in ("2026-01", "2026-02", "2026-04")),
        *(f"timeline/oldest/{m}/index.html" for m in ("2026-01", "2026-02", "2026-04")),
        "timeline/2026-01/2/index.html",
        "timeline/2026-01/3/index.html",
        "timeline/oldest/2026-01/2/index.html",
        "timeline/oldest/2026-01/3/index.html",
    }
    assert max(len(p.pairs) for p in pages.values()) == 2
    newest = pages["timeline/index.html"]
    assert newest.month == "2026-04" and newest.pairs == ("d2", "d1") and newest.newest_first
    assert newest.months == (
        ("2026-04", 2, "timeline/2026-04/index.html"),
        ("2026-02", 1, "timeline/2026-02/index.html"),
        ("2026-01", 5, "timeline/2026-01/index.html"),
    )
    assert newest.other_order == "timeline/oldest/2026-04/index.html"
    oldest = pages["timeline/oldest/index.html"]
    assert oldest.month == "2026-01" and oldest.pairs == ("a1", "a2") and not oldest.newest_first
    assert [m for m, _, _ in oldest.months] == ["2026-01", "2026-02", "2026-04"]
    assert [pages[f"timeline/2026-01{part}/index.html"].pairs for part in ("", "/2", "/3")] == [
        ("a5", "a4"),
        ("a3", "a2"),
        ("a1",),
    ]
    assert pages["timeline/2026-01/2/index.html"].part.pager[0] == ("previous", "timeline/2026-01/index.html")
    assert {p.part.total for p in pages.values() if p.month == "2026-01"} == {5}


def test_an_empty_timeline_has_its_two_front_pages_and_no_month():
    pages = timeline_pages([])
    assert [(p.path, p.pairs, p.months) for p in pages] == [
        ("timeline/index.html", (), ()),
        ("timeline/oldest/index.html", (), ()),
    ]


def _view(case_id, last):
    return SimpleNamespace(case=SimpleNamespace(id=case_id), last_activity=last)


def test_the_dashboard_lists_the_quietest_open_cases_first_and_only_the_top():
    views = [
        _view("B", datetime(2026, 3, 1, tzinfo=UTC)),
        _view("A", datetime(2026, 1, 1, tzinfo=UTC)),
        _view("C", None),
        _view("D", datetime(2026, 1, 1, tzinfo=UTC)),
    ]
    assert [v.case.id for v in quietest_first(views)] == ["C", "A", "D", "B"]  # none recorded, then oldest, ties by id
    assert top(list(range(100))) == tuple(range(TOP)) and top([1, 2]) == (1, 2)


def test_the_facet_index_counts_each_filter_value_and_day_per_month():
    def entry(channel, tags, day):
        return SimpleNamespace(channel=channel, tags=tags, day=day)

    months = [
        ("2026-01", [(None, entry("email", ("refund",), 3)), (None, entry("phone", ("refund", "vip"), 3))]),
        ("2026-02", [(None, entry("email", (), 28))]),
    ]

    def values(view, e):
        return {"channel": (e.channel,), "tag": e.tags, "agent": ()}

    index = facet_index(months, lambda pairs: month_facets(pairs, values, lambda e: e.day))
    assert index["months"] == ["2026-01", "2026-02"] and index["total"] == [2, 1]
    assert index["fields"] == {
        "agent": {},
        "channel": {"email": [1, 1], "phone": [1, 0]},
        "tag": {"refund": [2, 0], "vip": [1, 0]},
    }
    assert index["days"][0][2] == 2 and sum(index["days"][0]) == 2 and index["days"][1][27] == 1
    script = facet_script({"months": ["</script>"], "fields": {}, "total": [], "days": []})
    assert script.startswith("window.logbookFacets = ") and "</script>" not in script
    assert json.loads(script.removeprefix("window.logbookFacets = ").rstrip(";\n"))["months"] == ["</script>"]


def test_the_sample_sites_filters_and_facet_index_agree_with_its_month_pages(tmp_path):
    out = tmp_path / "site"
    assert build(SAMPLE, out, as_of="2026-11-22").published
    index = json.loads((out / "timeline/facets.js").read_text().removeprefix("window.logbookFacets = ").rstrip(";\n"))
    for column, month in enumerate(index["months"]):
        html = (out / f"timeline/{month}/index.html").read_text()
        assert html.count('<li class="timeline-entry') == index["total"][column]
        for channel, counts in index["fields"]["channel"].items():
            assert html.count(f'data-channel="{channel}"') == counts[column]
    assert sum(index["total"]) == sum(
        (out / f"timeline/{m}/index.html").read_text().count('<li class="timeline-entry') for m in index["months"]
    )


def test_element_count_counts_every_element_once():
    assert (
        element_count("<!DOCTYPE html><html><head><meta charset=utf-8></head><body><p>a<br>b</p><img/></body></html>")
        == 7
    )


def _busy_book(root: Path, cases: int) -> Path:
    """*cases* cases of one interaction each over three months, every status, three tags, two agents:
    from 900 cases on, every list the site has (statuses, open cases, tags, agents, months) runs over
    more than one full page, so a bigger logbook can only add pages, never grow one."""
    files = {}
    statuses = ("open", "waiting", "escalated", "resolved")
    for n in range(cases):
        files[f"cases/B-{n:05d}/case.md"] = (
            f"---\ntitle: Parcel {n} never arrived\nstatus: {statuses[n % 4]}\ncounterparty: Shop {n % 7}\n"
            f"tags: [parcel, shop-{n % 3}]\n---\n"
        )
        files[f"cases/B-{n:05d}/m.md"] = (
            f"---\nat: 2026-{n % 3 + 3:02d}-{n % 28 + 1:02d} {n % 24:02d}:{n % 60:02d}Z\nchannel: email\n"
            f"direction: in\nagent: Kim (K-{n % 2})\n---\nWhere is parcel {n}?\n"
        )
    return write_tree(root, files)


@pytest.mark.slow
@pytest.mark.parametrize("book", ["busy", "generated"])
def test_the_largest_page_stays_under_the_bounds_and_does_not_grow_with_the_logbook(tmp_path, book):
    """Five times the logbook, the same largest page (the "at any size" property, without building
    100,000 interactions here): with every list already over a page at the smaller size (busy: 900
    and 4,500 cases), and on the benchmark's generator (800 and 4,000 cases of one interaction over
    two years, where months still fill up from 33 to 166 interactions of their 200)."""
    sizes = (900, 4500) if book == "busy" else (800, 4000)
    largest = {}
    for cases in sizes:
        root = tmp_path / f"book-{cases}"
        _busy_book(root, cases) if book == "busy" else generated_book(root, cases, 1, seed=5)
        out = tmp_path / f"site-{cases}"
        assert build(root, out, as_of="2026-07-01").published
        weights = {p: w for p, w in page_weights(out).items() if not p.startswith("search/")}
        largest[cases] = (max(b for b, _ in weights.values()), max(n for _, n in weights.values()))
        assert largest[cases][0] < MAX_BYTES and largest[cases][1] < MAX_NODES, largest
        assert len(weights) > cases  # every case still has its page
        assert weights["index.html"][0] < 150_000
    small, big = (largest[n] for n in sizes)
    growth = 1.02 if book == "busy" else 1.3
    assert big[0] < growth * small[0] and big[1] < growth * small[1], largest


def test_the_chart_of_waits_shows_the_slowest_cases_only(tmp_path):
    """A bar per case made the dashboard grow with the logbook: the chart keeps the SLOWEST cases
    that waited longest (ties by id), listed by id, and its title says how many of how many."""
    from logbook.evidence.derive import derive_site
    from logbook.load.stage import load_logbook
    from logbook.site.charts import SLOWEST, _case_figures, dashboard_charts

    loaded = load_logbook(generated_book(tmp_path / "book", 60, 6, seed=3))
    site = derive_site(loaded.logbook, datetime(2026, 1, 1, tzinfo=UTC), loaded.history)
    waits = {view.case.id: _case_figures(view).wait for view in site.cases}
    waited = sorted((-w, case) for case, w in waits.items() if w is not None)
    assert len(waited) > SLOWEST
    (chart,) = [c for c in dashboard_charts(site) if c.id == "chart-waits"]
    assert chart.title.endswith(f": the {SLOWEST} slowest of {len(waited)} cases")
    assert [label.split()[0] for label, _ in chart.rows] == sorted(case for _, case in waited[:SLOWEST])
    assert min(value for _, value in chart.rows) >= max(-w for w, _ in waited[SLOWEST:])
