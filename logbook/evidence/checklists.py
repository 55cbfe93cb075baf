"""Chargeback evidence checklists for the common reason codes.

Each item says what the card issuer will ask for and points at the entries and exhibits
that supply it, or says it is not shown and what would supply it.  An item is present only
when the record marks it (``evidence: [return-proof]`` on an interaction or an attachment:
the kinds are in models.EVIDENCE_KINDS and docs/format.md) or a structured fact proves it (a
ref, the amount, a promise, a message exchanged with a party of a given role).  Nothing is
guessed from the words of a message: "no return is needed" mentions a return too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from logbook.evidence.derive import CaseView, Entry
from logbook.evidence.wording import response_sentence

CARD_ISSUER = "card-issuer"


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    present: bool
    evidence: str = ""
    supply: str = ""  # when not shown: what in the record would supply it


@dataclass(frozen=True, slots=True)
class Checklist:
    reason: str
    title: str
    items: tuple[Item, ...]


def _ref(view: CaseView, *names: str) -> str:
    return ", ".join(f"{k}: {v}" for k, v in view.case.refs if k.lower() in names)


def _named(entries: list[Entry]) -> str:
    text = ", ".join(f"{e.interaction.at.date_text()} {e.interaction.channel}" for e in entries[:4])
    return text + (f" and {len(entries) - 4} more" if len(entries) > 4 else "")


def _marked(view: CaseView, kind: str) -> str:
    """The entries and exhibits marked ``evidence: [kind]``, named."""
    entries = [e for e in view.entries if kind in e.interaction.evidence]
    exhibits = [x for x in view.exhibits if kind in x.attachment.evidence]
    return "; ".join(
        filter(None, [_named(entries), ", ".join(f"exhibit {x.number} ({x.file_name})" for x in exhibits)])
    )


def _mark_item(view: CaseView, label: str, kind: str, ref_names: tuple[str, ...] = ()) -> Item:
    found = "; ".join(filter(None, [_ref(view, *ref_names), _marked(view, kind)]))
    refs = f", or add {' / '.join(ref_names)} under refs" if ref_names else ""
    return Item(
        label, bool(found), found, f"mark the interaction or exhibit that shows it with 'evidence: [{kind}]'{refs}"
    )


def _with(view: CaseView, party: str | None, direction: str | None = None) -> list[Entry]:
    return [
        e
        for e in view.entries
        if e.interaction.direction in ("in", "out")
        and e.interaction.party == party
        and (direction is None or e.interaction.direction == direction)
    ]


def _order_facts(view: CaseView) -> Item:
    refs = _ref(view, "order", "booking", "invoice", "transaction", "account")
    amount = view.case.amount.display() if view.case.amount else ""
    evidence = "; ".join(filter(None, [refs, amount, _marked(view, "order-proof")]))
    return Item(
        "Order or transaction facts (reference and amount)",
        bool(refs and amount),
        evidence,
        "give the case 'amount:' and an order, booking, invoice or transaction under 'refs:'",
    )


def _contacted(view: CaseView) -> Item:
    merchant = view.case.counterparty
    found = _named(_with(view, merchant, "out"))
    return Item(
        f"You contacted {merchant or 'the merchant'} to resolve it",
        bool(found),
        found,
        "record your messages to the counterparty (direction: out)",
    )


def _card_issuer(view: CaseView) -> Item:
    issuers = [p.name for p in view.case.parties if p.role == CARD_ISSUER]
    found = [e for name in issuers for e in _with(view, name, "out")]
    found.sort(key=lambda e: e.interaction.at.instant)
    return Item(
        "You raised it with your card issuer",
        bool(found),
        "; ".join(f"{e.interaction.party}: {_named([e])}" for e in found[:4]),
        "list the issuer under 'parties:' with role card-issuer and record your message to it "
        "('party:' on the interaction)",
    )


def _their_failure(view: CaseView) -> Item:
    merchant = view.case.counterparty
    theirs = {e.anchor for e in _with(view, merchant, "in")}
    broken = [
        p for p in view.promises if p.made_in in theirs and (p.state == "broken" or (p.state == "kept" and p.late_by))
    ]
    silent = [r for r in view.facts.unanswered if r.theirs and r.party == merchant]
    parts = [
        f"“{p.promise.what}” ({p.promise.by + ', ' if p.promise.by else ''}{p.state}{', late' if p.late_by else ''})"
        for p in broken[:3]
    ]
    parts += [response_sentence(r, view.facts.ended is not None) for r in silent[:2]]
    refusals = [e for e in _with(view, merchant, "in") if "refusal" in e.interaction.evidence]
    if refusals:
        parts.append(f"refusal: {_named(refusals)}")
    return Item(
        f"{merchant or 'The merchant'}'s refusal, silence or broken promise",
        bool(parts),
        "; ".join(parts),
        "a promise of theirs past its due date, a message of yours they did not answer, or their "
        "message marked 'evidence: [refusal]'",
    )


def _conversation(view: CaseView) -> Item:
    merchant = view.case.counterparty
    ins, outs = len(_with(view, merchant, "in")), len(_with(view, merchant, "out"))
    return Item(
        f"The full conversation with {merchant or 'the merchant'}, both sides",
        ins > 0 and outs > 0,
        f"{ins} received, {outs} sent",
        "record both their messages (in) and yours (out)",
    )


def _exhibits(view: CaseView, images: bool) -> Item:
    chosen = [x for x in view.exhibits if x.facts.is_image] if images else list(view.exhibits)
    label = "Photos or screenshots of the problem" if images else "Documents (labels, receipts, confirmations)"
    return Item(
        label,
        bool(chosen),
        ", ".join(f"exhibit {x.number} ({x.file_name})" for x in chosen),
        "attach the files to the interaction they came with ('attachments:')",
    )


def _promise_item(view: CaseView, label: str, kind: str) -> Item:
    """Promises made in entries marked *kind*, or the marked entries themselves."""
    marked = {e.anchor for e in view.entries if kind in e.interaction.evidence}
    promises = [p for p in view.promises if p.made_in in marked]
    found = "; ".join(
        f"“{p.promise.what}” ({p.promise.by + ', ' if p.promise.by else ''}{p.state})" for p in promises
    ) or _marked(view, kind)
    return Item(label, bool(found), found, f"mark the interaction that says it with 'evidence: [{kind}]'")


def not_received(view: CaseView) -> Checklist:
    return Checklist(
        "not-received",
        "Item not received",
        (
            _order_facts(view),
            _promise_item(view, "Promised or expected delivery date", "delivery-date"),
            _contacted(view),
            _their_failure(view),
            _card_issuer(view),
            _conversation(view),
        ),
    )


def not_as_described(view: CaseView) -> Checklist:
    return Checklist(
        "not-as-described",
        "Not as described or defective",
        (
            _order_facts(view),
            _mark_item(view, "What is wrong with it, recorded when found", "defect"),
            _exhibits(view, images=True),
            _mark_item(view, "Return attempt and RMA / return number", "return-proof", ("rma", "return")),
            _contacted(view),
            _their_failure(view),
            _card_issuer(view),
            _conversation(view),
        ),
    )


def credit_not_processed(view: CaseView) -> Checklist:
    returned = _mark_item(view, "Return or cancellation made", "return-proof", ("rma", "return", "cancellation"))
    cancelled = _marked(view, "cancellation-proof")
    if cancelled:
        evidence = "; ".join(filter(None, [returned.evidence, cancelled]))
        returned = Item(returned.label, True, evidence, returned.supply)
    return Checklist(
        "credit-not-processed",
        "Credit not processed",
        (
            _order_facts(view),
            returned,
            _promise_item(view, "The merchant's promise of a refund or credit", "refund-promise"),
            _their_failure(view),
            _card_issuer(view),
            _exhibits(view, images=False),
            _conversation(view),
        ),
    )


CHECKLISTS: dict[str, Callable[[CaseView], Checklist]] = {
    "not-received": not_received,
    "not-as-described": not_as_described,
    "credit-not-processed": credit_not_processed,
}
