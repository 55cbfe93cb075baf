"""What the record shows: the facts every page, packet and audit states, derived by written rules.

Holds the derivation of each case's view (``derive``: chronology, promises kept and broken, exhibits,
provenance), the replies and waits per party (``facts``), the sentences that state them
(``wording``), the disputes checklists (``checklists``) and the periodic review (``audit``). Every
rule here is written down in docs/format.md.

May import: ``logbook.core``, ``logbook.store``, ``logbook.speed``, ``logbook.validate``, ``logbook.load``.
"""
