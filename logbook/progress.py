"""A one-line progress display for builds that take a while, on a terminal only.

Quiet for the first second (``LOGBOOK_PROGRESS_AFTER`` seconds) and whenever the stream is
not a terminal (pipes, CI logs, editors' build tasks), so short builds and tools print
nothing extra.  The line names the stage and the time so far, and is erased at the end.
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO, after: float | None = None) -> None:
        self.stream = stream
        self.after = float(os.environ.get("LOGBOOK_PROGRESS_AFTER", "1")) if after is None else after
        self.current = "starting"
        self.shown = False
        self._done = threading.Event()
        self._started = time.monotonic()
        self._thread: threading.Thread | None = None

    def stage(self, name: str) -> None:
        self.current = name

    def __enter__(self) -> Progress:
        if self.stream.isatty():
            self._thread = threading.Thread(target=self._run, name="logbook-progress", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        if self._done.wait(self.after):
            return
        while not self._done.is_set():
            elapsed = time.monotonic() - self._started
            self.stream.write(f"\r\x1b[Klogbook: {self.current} … {elapsed:.0f} s")
            self.stream.flush()
            self.shown = True
            self._done.wait(0.25)

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
