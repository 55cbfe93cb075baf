"""The load stage: logbook.toml, the case files and git history, read into immutable records.

``stage.load_logbook`` is what ``logbook check`` runs and the first stage of ``build``: configuration
(``config``, ``themes``) → discovery → parsing (``parse``, with the field rules in ``fields`` and the
YAML readers in ``readers``) → the checks (``logbook.validate``) → provenance from git
(``provenance``); which parses and checks are taken from an earlier build is the reuse policy's
decision (``logbook.speed.policy``). ``schema`` writes the JSON Schema editors validate front matter with, from the
same field rules.

May import: ``logbook.core``, ``logbook.store``, ``logbook.speed``, ``logbook.validate``.
"""
