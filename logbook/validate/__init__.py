"""The checks: every problem in the record found at once, as diagnostics with a source location.

Holds the cross-record and per-case checks that ``logbook check`` reports (``checks``), the status
rule they share with the evidence (``status``: a case's status history, from ``case.md`` and the
interactions that change it), and the tone checks of outgoing messages (``tone``).

The load stage runs these checks as it parses (they are per case, so they are cached and fanned out
with the parsing), which is why this package sits below ``logbook.load`` in the imports though it
comes after it in the pipeline.

May import: ``logbook.core``, ``logbook.store``, ``logbook.speed``.
"""
