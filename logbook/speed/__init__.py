"""What makes builds fast without changing what they produce.

Holds the reuse policies every stage takes and asks (``policy``: reuse nothing, the build cache, or
serve's memos), the parse reuse they pick from (``parses``), the on-disk build cache (``cache``, with
its restricted unpickler), serve's keys and memos (``reuse``), the template environment and its fragment tag (``fragments``, apart
so that a build with nothing changed never imports jinja2), the worker processes a build fans out
to (``workers``) and the garbage-collector policy of a one-off build (``collector``). Nothing here decides what a page says: a build with every one of
these turned off writes the same bytes.

May import: ``logbook.core``, ``logbook.store``.
"""
