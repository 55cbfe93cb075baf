"""What makes builds fast without changing what they produce.

Holds the on-disk build cache (``cache``, with its restricted unpickler), serve's in-memory memo
(``reuse``), the worker processes a build fans out to (``workers``) and the garbage-collector policy
of a one-off build (``collector``). Nothing here decides what a page says: a build with every one of
these turned off writes the same bytes.

May import: ``logbook.core``, ``logbook.store``.
"""
