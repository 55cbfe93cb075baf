"""Rights windows: the keeper's own deadlines, counted from a case date.

Presets cover the common ones; ``[windows]`` in logbook.toml adds or overrides rules.
A ``deadline`` must be met by its end date; an ``opens`` window is the date from which
a step becomes possible (e.g. referring a complaint to an ombudsman).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WindowRule:
    name: str
    days: int
    label: str
    kind: str = "deadline"  # or "opens"


PRESETS: tuple[WindowRule, ...] = (
    WindowRule(
        "card-chargeback",
        120,
        "Card chargeback: ask your card issuer within 120 days of the transaction or expected delivery",
    ),
    WindowRule(
        "fcba-billing-error",
        60,
        "US Fair Credit Billing Act: billing-error letter to the card issuer within 60 days of the statement",
    ),
    WindowRule("uk-ombudsman", 56, "UK ombudsman: the complaint may be referred 8 weeks after it was made", "opens"),
    WindowRule("eu-withdrawal", 14, "EU right of withdrawal: cancel an online purchase within 14 days of delivery"),
)


def rules_by_name(custom: tuple[WindowRule, ...] = ()) -> dict[str, WindowRule]:
    return {rule.name: rule for rule in (*PRESETS, *custom)}
