"""Running ``logbook serve`` as a real subprocess for tests, and talking to it over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from support import tiers


def _interruptible() -> None:
    """Ctrl-C reaches serve as it does from a terminal, even when these tests run in a background
    job (a non-interactive shell starts those with SIGINT ignored, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class ServeProcess:
    def __init__(self, root: Path, *extra: str) -> None:
        tiers.require("serve")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "logbook", "serve", str(root), "--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=_interruptible,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        line = self.wait_for_line(r"serving .* at (http://\S+)", timeout=30)
        self.url = re.search(r"(http://\S+)", line)[1]
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname, parts.port

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, timeout: float = 10, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[start:]:
                if re.search(pattern, line):
                    return line
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"no line matching {pattern!r}; got: {self.lines}")

    def get(self, path: str, host: str | None = None, method: str = "GET") -> tuple[int, bytes, dict[str, str]]:
        """*host*: the Host header to send instead of the server's address ('' for none at all)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        if host is None:
            conn.request(method, path)
        else:
            conn.putrequest(method, path, skip_host=True)
            if host:
                conn.putheader("Host", host)
            conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body, dict(response.getheaders())

    def status(self) -> dict:
        return json.loads(self.get("/__logbook__/status")[1])

    def wait_for_builds(self, count: int, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.status()
            if state["builds"] >= count:
                return state
            time.sleep(0.05)
        raise AssertionError(f"expected {count} builds, status is {self.status()}")

    def events(self) -> EventStream:
        return EventStream(self.host, self.port)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=5)
        # A pipe left for the garbage collector is a ResourceWarning, and warnings are errors here.
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self.proc.stderr is not None and not self._reader.is_alive():
            self.proc.stderr.close()
        return self.proc.returncode


class EventStream:
    """The page's reload channel, read the way a browser's EventSource does."""

    def __init__(self, host: str, port: int) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=20)
        self.conn.request("GET", "/__logbook__/events")
        self.response = self.conn.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next_state(self) -> dict:
        event = None
        while True:
            line = self.response.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "state":
                return json.loads(line[6:])

    def close(self) -> None:
        self.conn.close()
