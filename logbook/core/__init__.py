"""The records and the rules that need no disk: pure values, no I/O.

Holds the immutable records (``models``: Logbook, Case, Interaction, Promise, Config), diagnostics
as data (``diagnostics``), times and zones (``timeparse``, ``clock``), money (``currencies``),
consumer-rights windows (``rights``), redaction (``redact``), the plan of output paths
(``outputs``), the status colours (``palette``) and the text of a record file (``split``,
``yamlnodes``, ``recordtext``).

May import: the standard library and the libraries in pyproject.toml; nothing else of logbook.
Everything above stands on it.
"""
