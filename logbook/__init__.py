"""logbook: turn a git repository of customer-service records into a dispute-ready static site.

The packages follow the pipeline, and each imports only the ones listed before it:

* ``core``: the records and the rules that need no disk (models, diagnostics, time, money, redaction);
* ``store``: the file system and git (safe reads, discovery, attachment facts, history, commits);
* ``speed``: caches, workers and memos that make builds fast without changing their output;
* ``validate``: the checks ``logbook check`` reports;
* ``load``: logbook.toml, the case files and git history read into records;
* ``evidence``: the facts the record shows (promises, replies, status history, checklists, audit);
* ``site``: pages drawn and published whole;
* ``authoring`` and ``importing``: the commands that write records;
* ``serve``: rebuild on save.

On top stand the commands: ``build`` (check → derive → render → publish), ``export`` (the packet)
and ``cli`` (the thin shell that parses arguments and prints).
"""

__version__ = "0.1.0"
