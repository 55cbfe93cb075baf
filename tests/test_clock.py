"""Times a reader can follow (docs/format.md, "How times are shown"): each page in one zone, said once,
the recorded offset kept where it differs, a date alone marked and explained once per page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from logbook.build import build
from logbook.core.clock import time_html, time_text, zone_description, zone_note
from logbook.core.timeparse import Moment
from support.books import SAMPLE

SCENARIO = Path(__file__).parent / "fixtures" / "packet-scenario"
LONDON, BERLIN = ZoneInfo("Europe/London"), ZoneInfo("Europe/Berlin")


def at(text: str, zone=None) -> Moment:
    when = datetime.fromisoformat(text)
    return Moment(when if when.tzinfo else when.replace(tzinfo=zone))


@pytest.mark.parametrize(
    "moment, zone, shown",
    [
        (at("2026-11-09 09:40", LONDON), LONDON, "2026-11-09 09:40 GMT"),
        (at("2026-07-09 09:40", LONDON), LONDON, "2026-07-09 09:40 BST"),  # summer time: its own abbreviation
        (at("2026-11-09T17:40:00+08:00"), LONDON, "2026-11-09 09:40 GMT (recorded as 17:40 UTC+08:00)"),
        (at("2026-11-10T06:30:00+08:00"), LONDON, "2026-11-09 22:30 GMT (recorded as 2026-11-10 06:30 UTC+08:00)"),
        (at("2026-03-30 09:40", BERLIN), LONDON, "2026-03-30 08:40 BST (recorded as 09:40 UTC+02:00)"),
        (at("2026-03-30 09:40:07", BERLIN), BERLIN, "2026-03-30 09:40:07 CEST"),
        (at("2026-05-01T12:00:00+04:00"), ZoneInfo("Asia/Dubai"), "2026-05-01 12:00 +04:00".replace(" +", " UTC+")),
        (at("2026-11-09T17:40:00+08:00"), None, "2026-11-09 17:40 UTC+08:00"),  # no page zone: as recorded
        (Moment(datetime(2026, 11, 20, tzinfo=LONDON), has_time=False), BERLIN, "2026-11-20*"),  # never moved a day
    ],
)
def test_a_time_in_the_pages_zone(moment, zone, shown):
    assert time_text(moment, zone) == shown


def test_a_date_alone_is_spelled_out_for_screen_readers_only():
    html = time_html(Moment(datetime(2026, 11, 20, tzinfo=LONDON), has_time=False), LONDON)
    assert html == (
        '2026-11-20<span class="no-time"><span aria-hidden="true">*</span>'
        '<span class="visually-hidden"> (time not recorded)</span></span>'
    )


def test_the_zone_is_described_with_both_of_its_offsets():
    assert zone_description(LONDON, 2026) == "Europe/London (GMT, UTC+00:00; BST, UTC+01:00 with daylight saving)"
    assert zone_description(ZoneInfo("Asia/Shanghai"), 2026) == "Asia/Shanghai (CST, UTC+08:00)"
    assert zone_description(ZoneInfo("UTC"), 2026) == "UTC (UTC+00:00)"
    assert zone_description(timezone(timedelta(hours=-5)), 2026).endswith("(UTC-05:00)")
    assert "* after a date: the time was not recorded" in zone_note(LONDON, 2026)


class _Visible(HTMLParser):
    """A page's text as seen (screen-reader-only spans left out), and its zone notes."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.notes: list[str] = []
        self._hidden = self._note = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("br", "img", "meta", "link", "input"):
            return
        self._stack.append(tag)
        self._hidden += "visually-hidden" in classes or (self._hidden > 0)
        self._note += "times-note" in classes or (self._note > 0)

    def handle_endtag(self, tag):
        if self._stack and tag in self._stack:
            while self._stack.pop() != tag:
                pass
            self._hidden = max(0, self._hidden - 1) if self._hidden else 0
            self._note = max(0, self._note - 1) if self._note else 0

    def handle_data(self, data):
        if self._note:
            self.notes.append(data)
        elif not self._hidden:
            self.text.append(data)


def visible(path: Path) -> _Visible:
    parser = _Visible()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def scenario_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scenario") / "site"
    assert build(SCENARIO, out, as_of="2026-12-01").published
    return out


def test_every_page_says_its_zone_once_and_never_repeats_time_not_recorded(scenario_site, tmp_path):
    sample = tmp_path / "sample"
    assert build(SAMPLE, sample, as_of="2026-11-22").published
    for site in (scenario_site, sample):
        for page in sorted(site.rglob("*.html")):
            seen = visible(page)
            note = "".join(seen.notes)
            assert note.startswith("Times are in ") and note.count("time was not recorded") == 1, page
            assert "time not recorded" not in "".join(seen.text), page


def test_a_case_page_is_in_its_cases_zone_and_the_timeline_in_the_sites(scenario_site):
    case = " ".join("".join(visible(scenario_site / "cases/SM-5521/index.html").text).split())
    assert "Times are in Europe/London" in (scenario_site / "cases/SM-5521/index.html").read_text()
    assert "2026-11-09 09:40 GMT (recorded as 17:40 UTC+08:00)" in case
    assert "2026-11-28 14:00 GMT" in case and "2026-11-20*" in case
    assert not re.search(r"\d\d:\d\d CET", case)  # no time left in the site's zone
    timeline = " ".join("".join(visible(scenario_site / "timeline/index.html").text).split())
    assert "Times are in Europe/Berlin" in (scenario_site / "timeline/index.html").read_text()
    assert "2026-11-09 10:40 CET (recorded as 17:40 UTC+08:00)" in timeline
    assert "2026-11-28 15:00 CET (recorded as 14:00 UTC+00:00)" in timeline


def test_audit_gives_times_in_the_sites_zone_and_explains_the_mark_once(capsys):
    from support.books import run_cli

    code, out, _ = run_cli(["audit", str(SCENARIO), "--as-of", "2026-12-01"], capsys)
    assert code == 1
    assert "due 2026-11-16*: " in out and "(time not recorded)" not in out
    assert "call with ShenMart of 2026-11-17 12:00 CET (recorded as 11:00 UTC+00:00)" in out  # Berlin, the site's
    assert out.count("* after a date: the time was not recorded.") == 1
