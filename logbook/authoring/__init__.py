"""Commands that write records: init, new, add, status, close, followup --record.

Holds what each writing command does (``commands``), the text of a new interaction and its check
before it is written (``interactions``), several interactions written at once (``batch``), status
changes and closing (``casestate``), follow-up drafts (``followup``), finding the logbook upward from
the current folder (``locate``) and the CLI's party arguments (``partyargs``). Everything written is
checked with the same rules as ``logbook check`` and committed through ``logbook.store.notary``.

May import: everything below it, up to ``logbook.site``.
"""
