"""Rights windows: the keeper's own deadlines, counted from a case date.

Presets cover the common ones; ``[windows]`` in logbook.toml adds or overrides rules.
A ``deadline`` must be met by its end date; an ``opens`` window is the date from which
a step becomes possible (e.g. referring a complaint to an ombudsman).  Each preset names the
law or scheme it comes from (``jurisdiction``), since a window is only the keeper's if that law
or scheme applies to the purchase; its label is translated where it is shown (a custom rule's
label is shown as written).
"""

from __future__ import annotations

from dataclasses import dataclass

from logbook.core.language import N_
from logbook.core.records import quick_pickle


@quick_pickle
@dataclass(frozen=True, slots=True)
class WindowRule:
    name: str
    days: int
    label: str
    kind: str = "deadline"  # or "opens"
    jurisdiction: str = ""  # the law or scheme the preset comes from; "" for a keeper's own rule


PRESETS: tuple[WindowRule, ...] = (
    WindowRule(
        "card-chargeback",
        120,
        N_("Card chargeback: ask your card issuer within 120 days of the transaction or expected delivery"),
        jurisdiction=N_("card network rules (Visa, Mastercard): most reasons allow 120 days"),
    ),
    WindowRule(
        "fcba-billing-error",
        60,
        N_("US Fair Credit Billing Act: billing-error letter to the card issuer within 60 days of the statement"),
        jurisdiction=N_("United States: Fair Credit Billing Act, 15 U.S.C. § 1666"),
    ),
    WindowRule(
        "uk-ombudsman",
        56,
        N_("UK ombudsman: the complaint may be referred 8 weeks after it was made"),
        "opens",
        N_("United Kingdom: the ombudsman schemes' eight-week rule"),
    ),
    WindowRule(
        "uk-short-term-reject",
        30,
        N_("UK short-term right to reject faulty goods: within 30 days of delivery"),
        jurisdiction=N_("United Kingdom: Consumer Rights Act 2015, section 22"),
    ),
    WindowRule(
        "eu-withdrawal",
        14,
        N_("EU right of withdrawal: cancel an online purchase within 14 days of delivery"),
        jurisdiction=N_("European Union: Consumer Rights Directive 2011/83/EU, article 9"),
    ),
)


def rules_by_name(custom: tuple[WindowRule, ...] = ()) -> dict[str, WindowRule]:
    return {rule.name: rule for rule in (*PRESETS, *custom)}
