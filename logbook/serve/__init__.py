"""``logbook serve``: rebuild on save, serve the last good site on localhost.

Holds the HTTP server, its file watcher and the rebuilds it triggers (``server``). Its builds reuse
the previous build's work through ``logbook.speed``.

May import: every package below it and ``logbook.build``.
"""
