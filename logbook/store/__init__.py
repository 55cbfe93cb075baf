"""Where records live: the file system and git.

Holds the safe readers every stage opens files with (``textfile``: regular files only, never a FIFO
or a device), the discovery of case files (``discover``), the facts of an attachment file
(``exhibits``: size, SHA-256, media type), the safe writing of an export (``outfile``), the history
read from git (``history``) and the commits a writing command makes (``notary``).

May import: ``logbook.core``.
"""
