"""The words of the record's own vocabulary, marked for translation where they are listed.

Statuses, channels, directions, party roles and promise states are keys in the record (``status:
waiting``); a page shows each in the reader's language by its context (``lang.p_("status",
"waiting")``).  A status or channel a logbook defines for itself has no translation and is shown as
written.  The lists here are the defaults of ``core.models`` and the states ``evidence.derive`` and
``evidence.facts`` give; a test keeps them in step.
"""

from __future__ import annotations

from logbook.core.language import NP_

STATUSES = (
    NP_("status", "open"),
    NP_("status", "waiting"),
    NP_("status", "escalated"),
    NP_("status", "resolved"),
    NP_("status", "closed"),
)
CHANNELS = (
    NP_("channel", "email"),
    NP_("channel", "chat"),
    NP_("channel", "phone"),
    NP_("channel", "social"),
    NP_("channel", "sms"),
    NP_("channel", "letter"),
    NP_("channel", "in-person"),
    NP_("channel", "portal"),
    NP_("channel", "note"),
)
DIRECTIONS = (NP_("direction", "in"), NP_("direction", "out"), NP_("direction", "internal"))
PARTY_ROLES = (
    NP_("party role", "merchant"),
    NP_("party role", "customer"),
    NP_("party role", "card-issuer"),
    NP_("party role", "bank"),
    NP_("party role", "payment-provider"),
    NP_("party role", "courier"),
    NP_("party role", "marketplace"),
    NP_("party role", "insurer"),
    NP_("party role", "regulator"),
    NP_("party role", "ombudsman"),
    NP_("party role", "authority"),
    NP_("party role", "landlord"),
    NP_("party role", "other"),
)
PROMISE_STATES = (
    NP_("promise state", "kept"),
    NP_("promise state", "open"),
    NP_("promise state", "broken"),
    NP_("promise state", "pending"),
)
WINDOW_STATES = (
    NP_("window state", "passed"),
    NP_("window state", "not yet"),
    NP_("window state", "open"),
)
# What ``logbook audit`` finds (evidence/audit.py), as the dashboard names each kind and severity.
FINDINGS = (
    NP_("finding", "overdue"),
    NP_("finding", "attention"),
    NP_("finding", "stale case"),
    NP_("finding", "broken promise"),
    NP_("finding", "promise due soon"),
    NP_("finding", "no reply"),
    NP_("finding", "unanswered inbound"),
    NP_("finding", "unconfirmed call"),
    NP_("finding", "window passed"),
    NP_("finding", "window closing"),
    NP_("finding", "missing attachment"),
    NP_("finding", "missing summary"),
)
