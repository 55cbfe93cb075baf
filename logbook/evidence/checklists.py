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

from logbook.core.language import ENGLISH, N_, Language
from logbook.core.records import quick_pickle
from logbook.evidence.derive import CaseView, Entry, Exhibit, PromiseState
from logbook.evidence.wording import possessive, response_sentence

CARD_ISSUER = "card-issuer"


@quick_pickle
@dataclass(frozen=True, slots=True)
class Item:
    label: str
    present: bool
    evidence: str = ""
    supply: str = ""  # when not shown: what in the record would supply it


@quick_pickle
@dataclass(frozen=True, slots=True)
class Checklist:
    reason: str
    title: str
    items: tuple[Item, ...]


def _ref(view: CaseView, *names: str) -> str:
    return ", ".join(f"{k}: {v}" for k, v in view.case.refs if k.lower() in names)


def _named(entries: list[Entry], lang: Language) -> str:
    text = ", ".join(
        f"{lang.date(e.interaction.at.when)} {lang.p_('channel', e.interaction.channel)}" for e in entries[:4]
    )
    return text + (" " + lang._("and {n} more", n=lang.number(len(entries) - 4)) if len(entries) > 4 else "")


def _exhibit_names(exhibits: list[Exhibit], lang: Language) -> str:
    return ", ".join(lang._("exhibit {number} ({file})", number=x.number, file=x.file_name) for x in exhibits)


def _marked(view: CaseView, kind: str, lang: Language) -> str:
    """The entries and exhibits marked ``evidence: [kind]``, named."""
    entries = [e for e in view.entries if kind in e.interaction.evidence]
    exhibits = [x for x in view.exhibits if kind in x.attachment.evidence and not x.withheld]  # in the packet
    return "; ".join(filter(None, [_named(entries, lang), _exhibit_names(exhibits, lang)]))


def _mark_item(view: CaseView, label: str, kind: str, lang: Language, ref_names: tuple[str, ...] = ()) -> Item:
    found = "; ".join(filter(None, [_ref(view, *ref_names), _marked(view, kind, lang)]))
    supply = lang._("mark the interaction or exhibit that shows it with 'evidence: [{kind}]'", kind=kind)
    refs = lang._(", or add {names} under refs", names=" / ".join(ref_names)) if ref_names else ""
    return Item(lang._(label), bool(found), found, supply + refs)


def _with(view: CaseView, party: str | None, direction: str | None = None) -> list[Entry]:
    return [
        e
        for e in view.entries
        if e.interaction.direction in ("in", "out")
        and e.interaction.party == party
        and (direction is None or e.interaction.direction == direction)
    ]


def _order_facts(view: CaseView, lang: Language) -> Item:
    refs = _ref(view, "order", "booking", "invoice", "transaction", "account")
    amount = lang.amount(view.case.amount.value, view.case.amount.currency) if view.case.amount else ""
    evidence = "; ".join(filter(None, [refs, amount, _marked(view, "order-proof", lang)]))
    return Item(
        lang._("Order or transaction facts (reference and amount)"),
        bool(refs and amount),
        evidence,
        lang._("give the case 'amount:' and an order, booking, invoice or transaction under 'refs:'"),
    )


def _contacted(view: CaseView, lang: Language) -> Item:
    merchant = view.case.counterparty
    found = _named(_with(view, merchant, "out"), lang)
    return Item(
        lang._("You contacted {merchant} to resolve it", merchant=merchant)
        if merchant
        else lang._("You contacted the merchant to resolve it"),
        bool(found),
        found,
        lang._("record your messages to the counterparty (direction: out)"),
    )


def _card_issuer(view: CaseView, lang: Language) -> Item:
    issuers = [p.name for p in view.case.parties if p.role == CARD_ISSUER]
    found = [e for name in issuers for e in _with(view, name, "out")]
    found.sort(key=lambda e: e.interaction.at.instant)
    return Item(
        lang._("You raised it with your card issuer"),
        bool(found),
        "; ".join(f"{e.interaction.party}: {_named([e], lang)}" for e in found[:4]),
        lang._(
            "list the issuer under 'parties:' with role card-issuer and record your message to it "
            "('party:' on the interaction)"
        ),
    )


def _promise_note(state: PromiseState, lang: Language) -> str:
    """``“Refund in 5 days” (Lily, broken, late)``."""
    notes = [state.promise.by or "", lang.p_("promise state", state.state), lang._("late") if state.late_by else ""]
    return f"“{state.promise.what}” ({', '.join(n for n in notes if n)})"


def _their_failure(view: CaseView, lang: Language) -> Item:
    merchant = view.case.counterparty
    theirs = {e.anchor for e in _with(view, merchant, "in")}
    broken = [
        p for p in view.promises if p.made_in in theirs and (p.state == "broken" or (p.state == "kept" and p.late_by))
    ]
    silent = [r for r in view.facts.unanswered if r.theirs and r.party == merchant]
    parts = [_promise_note(p, lang) for p in broken[:3]]
    parts += [response_sentence(r, view.facts.ended is not None, lang) for r in silent[:2]]
    refusals = [e for e in _with(view, merchant, "in") if "refusal" in e.interaction.evidence]
    if refusals:
        parts.append(lang._("refusal: {entries}", entries=_named(refusals, lang)))
    return Item(
        lang._("{possessive} refusal, silence or broken promise", possessive=possessive(merchant), party=merchant)
        if merchant
        else lang._("The merchant's refusal, silence or broken promise"),
        bool(parts),
        "; ".join(parts),
        lang._(
            "a promise of theirs past its due date, a message of yours they did not answer, or their "
            "message marked 'evidence: [refusal]'"
        ),
    )


def _conversation(view: CaseView, lang: Language) -> Item:
    merchant = view.case.counterparty
    ins, outs = len(_with(view, merchant, "in")), len(_with(view, merchant, "out"))
    return Item(
        lang._("The full conversation with {merchant}, both sides", merchant=merchant)
        if merchant
        else lang._("The full conversation with the merchant, both sides"),
        ins > 0 and outs > 0,
        lang._("{received} received, {sent} sent", received=lang.number(ins), sent=lang.number(outs)),
        lang._("record both their messages (in) and yours (out)"),
    )


def _exhibits(view: CaseView, images: bool, lang: Language) -> Item:
    shown = [x for x in view.exhibits if not x.withheld]  # a withheld exhibit is not in the packet
    chosen = [x for x in shown if x.facts.is_image] if images else shown
    label = (
        lang._("Photos or screenshots of the problem")
        if images
        else lang._("Documents (labels, receipts, confirmations)")
    )
    return Item(
        label,
        bool(chosen),
        _exhibit_names(chosen, lang),
        lang._("attach the files to the interaction they came with ('attachments:')"),
    )


def _promise_item(view: CaseView, label: str, kind: str, lang: Language) -> Item:
    """Promises made in entries marked *kind*, or the marked entries themselves."""
    marked = {e.anchor for e in view.entries if kind in e.interaction.evidence}
    promises = [p for p in view.promises if p.made_in in marked]
    found = "; ".join(_promise_note(p, lang) for p in promises) or _marked(view, kind, lang)
    supply = lang._("mark the interaction that says it with 'evidence: [{kind}]'", kind=kind)
    return Item(lang._(label), bool(found), found, supply)


def not_received(view: CaseView, lang: Language = ENGLISH) -> Checklist:
    return Checklist(
        "not-received",
        lang._("Item not received"),
        (
            _order_facts(view, lang),
            _promise_item(view, N_("Promised or expected delivery date"), "delivery-date", lang),
            _contacted(view, lang),
            _their_failure(view, lang),
            _card_issuer(view, lang),
            _conversation(view, lang),
        ),
    )


def not_as_described(view: CaseView, lang: Language = ENGLISH) -> Checklist:
    return Checklist(
        "not-as-described",
        lang._("Not as described or defective"),
        (
            _order_facts(view, lang),
            _mark_item(view, N_("What is wrong with it, recorded when found"), "defect", lang),
            _exhibits(view, True, lang),
            _mark_item(view, N_("Return attempt and RMA / return number"), "return-proof", lang, ("rma", "return")),
            _contacted(view, lang),
            _their_failure(view, lang),
            _card_issuer(view, lang),
            _conversation(view, lang),
        ),
    )


def credit_not_processed(view: CaseView, lang: Language = ENGLISH) -> Checklist:
    returned = _mark_item(
        view, N_("Return or cancellation made"), "return-proof", lang, ("rma", "return", "cancellation")
    )
    cancelled = _marked(view, "cancellation-proof", lang)
    if cancelled:
        evidence = "; ".join(filter(None, [returned.evidence, cancelled]))
        returned = Item(returned.label, True, evidence, returned.supply)
    return Checklist(
        "credit-not-processed",
        lang._("Credit not processed"),
        (
            _order_facts(view, lang),
            returned,
            _promise_item(view, N_("The merchant's promise of a refund or credit"), "refund-promise", lang),
            _their_failure(view, lang),
            _card_issuer(view, lang),
            _exhibits(view, False, lang),
            _conversation(view, lang),
        ),
    )


CHECKLISTS: dict[str, Callable[[CaseView, Language], Checklist]] = {
    "not-received": not_received,
    "not-as-described": not_as_described,
    "credit-not-processed": credit_not_processed,
}
