"""One colour per case status, read by the status pills, the charts and their legends alike.

The site's stylesheet for statuses (``status-colours.css``, beside the theme's ``assets/``) is
written from this table, so a pill and a chart segment of the same status cannot disagree.  A status
configured in logbook.toml that the table does not know takes the next spare colour, in the
configured order.  Every colour has a contrast of at least 7:1 on white and on the theme's grey
(#f4f6f8), so a pill's text stays readable (WCAG AAA).
"""

from __future__ import annotations

STATUS_COLOURS = {
    "open": "#1a50a2",  # blue: in progress
    "waiting": "#6b4f00",  # olive: the ball is in someone else's court
    "escalated": "#9f211a",  # red: taken further (a complaint, the card issuer, a regulator)
    "resolved": "#095f44",  # green
    "closed": "#4c5460",  # grey
}
SPARE_COLOURS = ("#683d9c", "#922b56", "#005c65", "#7e4507", "#3d5a1e", "#2f4b8a")


def status_colours(statuses: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(status, colour) for every configured status; unknown statuses share no colour while spares last."""
    taken = {STATUS_COLOURS[s] for s in statuses if s in STATUS_COLOURS}
    spares = [c for c in SPARE_COLOURS if c not in taken]
    pairs, n = [], 0
    for status in statuses:
        if status in STATUS_COLOURS:
            pairs.append((status, STATUS_COLOURS[status]))
        else:
            pairs.append((status, spares[n % len(spares)]))
            n += 1
    return tuple(pairs)


def status_css(statuses: tuple[str, ...]) -> str:
    """The stylesheet rules that give each status its colour: pill text, chart bars, legend swatches."""
    rules = ["/* written by logbook from its status colour table (logbook/palette.py): do not edit */"]
    for status, colour in status_colours(statuses):
        name = status.replace(".", "\\.")  # a configured name may hold '.', which a selector reads as a class
        rules.append(
            f".status-{name} {{ color: {colour}; }} "
            f"svg .status-{name} {{ fill: {colour}; }} "
            f".swatch.status-{name} {{ background-color: {colour}; }}"
        )
    return "\n".join(rules) + "\n"
