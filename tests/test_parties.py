"""Parties of a case: `parties:`, an interaction's `party:`, and who made a promise (docs/format.md, Parties)."""

from logbook.load.stage import load_logbook

CASE = """---
title: Desk lamp
status: open
opened: 2026-11-01
counterparty: ShenMart
parties:
  - {name: Northbank Card Disputes, role: card-issuer}
  - {name: Speedy Parcels, role: courier}
---
"""


def _case(logbook_dir, sections: str, toml: str = ""):
    root = logbook_dir({"cases/lamp.md": CASE + sections, **({"logbook.toml": toml} if toml else {})})
    result = load_logbook(root)
    return result.logbook.cases[0], list(result.diagnostics)


def test_party_defaults_to_the_counterparty_and_is_matched_ignoring_case(logbook_dir):
    case, diagnostics = _case(
        logbook_dir,
        "\n## 2026-11-02 10:00\nchannel: chat\ndirection: in\n\nHi\n"
        "\n## 2026-11-28 10:00\nchannel: portal\ndirection: out\nparty: northbank card disputes\n\nDispute\n"
        "\n## 2026-11-29 10:00\nchannel: note\ndirection: internal\n\nThinking\n",
    )
    assert diagnostics == []
    assert [i.party for i in case.interactions] == ["ShenMart", "Northbank Card Disputes", None]
    assert case.role_of("Northbank Card Disputes") == "card-issuer"
    assert case.role_of("ShenMart") == "counterparty"


def test_unknown_party_is_an_error_with_the_closest_name(logbook_dir):
    _, diagnostics = _case(
        logbook_dir, "\n## 2026-11-28 10:00\nchannel: portal\ndirection: out\nparty: Speedy Parcel\n"
    )
    assert [(d.code, d.location.line, d.hint) for d in diagnostics] == [
        ("unknown-party", 14, "did you mean 'Speedy Parcels'?")
    ]


def test_roles_come_from_the_configured_list(logbook_dir):
    _, diagnostics = _case(logbook_dir, "", 'party_roles = ["merchant", "courier"]\n')
    assert [(d.code, d.location.line) for d in diagnostics] == [("unknown-role", 7)]


def test_promise_by_defaults_to_the_agent_then_the_party_then_the_keeper(logbook_dir):
    case, diagnostics = _case(
        logbook_dir,
        (
            "\n## 2026-11-02 10:00\nchannel: chat\ndirection: in\nagent: Lily (SM-0932)\n"
            "promises:\n  - {what: Refund within 7 days, due: 2026-11-09}\n"
            "\n## 2026-11-03 10:00\nchannel: email\ndirection: in\nparty: Speedy Parcels\n"
            "promises:\n  - {what: Redelivery}\n"
            "\n## 2026-11-04 10:00\nchannel: email\ndirection: out\n"
            "promises:\n  - {what: Send photos}\n  - {what: Call back, by: My partner}\n"
        ),
        '[site]\nkeeper = "Alex Morgan, Lindenstraße 12, Berlin"\n',
    )
    assert diagnostics == []
    assert [p.by for i in case.interactions for p in i.promises] == [
        "Lily (SM-0932)",
        "Speedy Parcels",
        "Alex Morgan",
        "My partner",
    ]


def test_evidence_marks_on_interactions_and_attachments(logbook_dir):
    root = logbook_dir(
        {
            "cases/lamp.md": CASE + "\n## 2026-11-02 10:00\nchannel: chat\ndirection: out\n"
            "evidence: [return-proof, refusal]\nattachments:\n  - {file: label.txt, evidence: return-proof}\n",
            "cases/label.txt": "label",
        }
    )
    result = load_logbook(root)
    interaction = result.logbook.cases[0].interactions[0]
    assert list(result.diagnostics) == []
    assert interaction.evidence == ("return-proof", "refusal")
    assert interaction.attachments[0].evidence == ("return-proof",)
