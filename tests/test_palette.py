"""One colour per status, from one table (logbook/palette.py), for pills, charts and legends."""

from __future__ import annotations

import re

from logbook.build import build
from logbook.core.palette import SPARE_COLOURS, STATUS_COLOURS, status_colours, status_css
from support.books import write_tree


def contrast(colour: str, background: str = "#f4f6f8") -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_colour_is_distinct_and_readable_as_text():
    colours = [*STATUS_COLOURS.values(), *SPARE_COLOURS]
    assert len(set(colours)) == len(colours)
    assert min(contrast(c) for c in colours) >= 7  # AAA on the theme's grey, so on white too


def test_configured_statuses_the_table_does_not_know_take_spare_colours_in_order():
    statuses = ("new", "open", "on.hold", "with-lawyer", "closed")
    pairs = dict(status_colours(statuses))
    assert pairs["open"] == STATUS_COLOURS["open"] and pairs["closed"] == STATUS_COLOURS["closed"]
    assert [pairs["new"], pairs["on.hold"], pairs["with-lawyer"]] == list(SPARE_COLOURS[:3])
    assert len(set(pairs.values())) == len(statuses)
    css = status_css(statuses)
    assert f".status-on\\.hold {{ color: {pairs['on.hold']}; }}" in css  # '.' escaped: one class, not two
    assert f"svg .status-with-lawyer {{ fill: {pairs['with-lawyer']}; }}" in css


def test_a_site_with_its_own_statuses_colours_pills_charts_and_legends_alike(tmp_path):
    root = write_tree(
        tmp_path / "book",
        {
            "logbook.toml": 'statuses = ["new", "open", "with-lawyer", "closed"]\n',
            "cases/a.md": "---\ntitle: A\nstatus: with-lawyer\nopened: 2026-01-02\n---\n",
            "cases/b.md": "---\ntitle: B\nstatus: new\nopened: 2026-01-03\n---\n",
        },
    )
    out = tmp_path / "site"
    assert build(root, out, as_of="2026-03-01").published
    css = (out / "status-colours.css").read_text()
    dashboard = (out / "index.html").read_text()
    for status, colour in status_colours(("new", "open", "with-lawyer", "closed")):
        assert f".status-{status} {{ color: {colour}; }}" in css
        assert f'class="badge status-{status}"' in dashboard  # the pill
        assert f'class="swatch status-{status}"' in dashboard  # the legend
    assert re.search(r'<rect class="bar status-with-lawyer"', dashboard)  # the monthly chart's segment
    assert 'href="status-colours.css"' in dashboard and not (out / "assets/status-colours.css").exists()
