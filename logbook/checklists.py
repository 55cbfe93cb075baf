"""Chargeback evidence checklists for the common reason codes.

Each item says what the card issuer will ask for and points at the entry or exhibit
in the record that supplies it, or says it is missing.  The tests are simple and
stated plainly in each item's ``label``; they read the record, never guess beyond it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .derive import CaseView

CONVERSATION = ("in", "out")


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    present: bool
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Checklist:
    reason: str
    title: str
    items: tuple[Item, ...]


def _ref(view: CaseView, *names: str) -> str:
    found = [f"{k}: {v}" for k, v in view.case.refs if k.lower() in names]
    return ", ".join(found)


def _entries(view: CaseView, test: Callable) -> str:
    hits = [e for e in view.entries if test(e.interaction)]
    return ", ".join(f"{e.interaction.at.date_text()} {e.interaction.channel}" for e in hits[:4]) + \
        (f" and {len(hits) - 4} more" if len(hits) > 4 else "")


def _mentions(*words: str) -> Callable:
    pattern = re.compile("|".join(words), re.IGNORECASE)
    return lambda i: bool(pattern.search(" ".join(filter(None, [i.title, i.subject, i.body]))))


def _order_facts(view: CaseView) -> Item:
    refs = _ref(view, "order", "booking", "invoice", "transaction", "account")
    amount = view.case.amount.display() if view.case.amount else ""
    evidence = "; ".join(filter(None, [refs, amount]))
    return Item("Order or transaction facts (reference and amount)", bool(refs and amount), evidence)


def _contacted(view: CaseView) -> Item:
    found = _entries(view, lambda i: i.direction == "out")
    return Item("You contacted the merchant to resolve it", bool(found), found)


def _their_failure(view: CaseView) -> Item:
    broken = [p for p in view.promises if p.state == "broken" or (p.state == "kept" and p.late_by)]
    unanswered = [r for r in view.facts.unanswered if r.theirs]
    parts = [f"“{p.promise.what}” ({p.state}{', late' if p.late_by else ''})" for p in broken[:3]]
    parts += [f"your {r.channel} of {r.at.date_text()} unanswered" for r in unanswered[:2]]
    refusal = _entries(view, lambda i: i.direction == "in" and _mentions("refus", "declin", "reject", "cannot")(i))
    if refusal:
        parts.append(f"refusal: {refusal}")
    return Item("The merchant's refusal, silence or broken promise", bool(parts), "; ".join(parts))


def _conversation(view: CaseView) -> Item:
    ins = sum(e.interaction.direction == "in" for e in view.entries)
    outs = sum(e.interaction.direction == "out" for e in view.entries)
    return Item("The full conversation, both sides", ins > 0 and outs > 0, f"{ins} received, {outs} sent")


def _exhibits(view: CaseView, images: bool) -> Item:
    chosen = [x for x in view.exhibits if x.facts.is_image] if images else list(view.exhibits)
    label = "Photos or screenshots of the problem" if images else "Documents (labels, receipts, confirmations)"
    return Item(label, bool(chosen), ", ".join(f"exhibit {x.number} ({x.file_name})" for x in chosen))


def not_received(view: CaseView) -> Checklist:
    delivery = [p for p in view.promises if re.search(r"deliver|arriv|ship", p.promise.what, re.IGNORECASE)]
    return Checklist("not-received", "Item not received", (
        _order_facts(view),
        Item("Promised or expected delivery date", bool(delivery),
             "; ".join(f"“{p.promise.what}” due {p.promise.due.date_text() if p.promise.due else 'undated'}"
                       for p in delivery)),
        _contacted(view), _their_failure(view), _conversation(view)))


def not_as_described(view: CaseView) -> Checklist:
    returned = _ref(view, "rma", "return") or _entries(view, _mentions(r"\bRMA\b", "return label", "returned", "handed in"))
    defect = _entries(view, lambda i: i.key or _mentions("broken", "damaged", "defect", "crack", "faulty")(i))
    return Checklist("not-as-described", "Not as described or defective", (
        _order_facts(view),
        Item("What is wrong with it, recorded when found", bool(defect), defect),
        _exhibits(view, images=True),
        Item("Return attempt and RMA / return number", bool(returned), returned),
        _contacted(view), _their_failure(view), _conversation(view)))


def credit_not_processed(view: CaseView) -> Checklist:
    credit = [p for p in view.promises if re.search(r"refund|credit|reimburs", p.promise.what, re.IGNORECASE)]
    returned = _ref(view, "rma", "return") or _entries(view, _mentions(r"\bRMA\b", "return", "cancel"))
    return Checklist("credit-not-processed", "Credit not processed", (
        _order_facts(view),
        Item("Return or cancellation made", bool(returned), returned),
        Item("The merchant's promise of a refund or credit", bool(credit),
             "; ".join(f"“{p.promise.what}” ({p.state})" for p in credit)),
        _their_failure(view), _exhibits(view, images=False), _conversation(view)))


CHECKLISTS: dict[str, Callable[[CaseView], Checklist]] = {
    "not-received": not_received,
    "not-as-described": not_as_described,
    "credit-not-processed": credit_not_processed,
}
