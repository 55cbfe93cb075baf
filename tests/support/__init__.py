"""Helpers the tests share, imported as a package (``from support.books import write_tree``).

``books``: temporary logbooks and the CLI run in-process or as ``python -m logbook``; ``golden``:
the expected outputs (golden site, invalid and hostile corpora) and how to rebuild them;
``gitrepo``: real git repositories with dated commits; ``sitecheck``: a link checker for built
sites; ``browser``: headless Chromium through Playwright; ``serving``: ``logbook serve`` as a
subprocess; ``strategies``: Hypothesis strategies for hostile inputs; ``cli_fuzz``: the command-line
fuzz harness; ``mailgen``: real email files (MIME, encodings, attachments) for the importer's tests; ``tiers``: the test tiers (markers) and the guard that keeps an unmarked test from
using what a tier needs.  ``tests/conftest.py`` holds only fixtures and the tier hooks.
"""
