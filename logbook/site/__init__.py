"""The site: derived views drawn as pages, then published whole.

Holds the drawing of every page (``render``), the plan of the list pages (``pages``: which pages
each list runs over and what each holds, so that no page grows with the logbook), message bodies
made safe (``messages``), the search index (``search``; its words and terms per language in
``textindex`` and ``stopwords``), the charts (``charts``), the calendar feed (``calendar``) and the
publishing step that swaps the new site in only when it is whole (``publish``).

May import: everything below it (``core``, ``store``, ``speed``, ``validate``, ``load``, ``evidence``).
"""
