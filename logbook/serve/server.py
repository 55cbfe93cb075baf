"""``logbook serve``: build, serve on 127.0.0.1, rebuild on change, reload the browser.

* The watcher (watchdog) ignores what is not a record: the output folder, dot files
  (``.git``, vim's ``.x.swp``), backups (``x~``), vim's ``4913`` probe, and read-only
  ``opened``/``closed_no_write`` events (reacting to those would make the build's own
  reads trigger builds forever).  Bursts of events are debounced into one rebuild.
* A rebuild with errors publishes nothing, so the last good site stays served; the
  diagnostics go to the terminal and, as an overlay, to every open page.
* Pages get a small script injected *while being served* (the built files stay
  byte-identical to ``logbook build``'s); it listens on a server-sent-events channel
  and reloads the page when a build completes.
* serve refuses to start on an output folder ``build`` would refuse (publish.check_output_dir),
  and serves files only from a folder it published itself, while that folder still carries
  logbook's marker; until then, a placeholder page.
* Only regular files under the site folder are served, judged before anything else (a folder
  outside the site is not even told apart from a missing one); the server binds 127.0.0.1, and
  answers only requests whose ``Host`` is this machine by name or by the bound address, so a
  page on another site cannot read the logbook through DNS rebinding.
* Rebuilds are incremental (see speed/reuse.py): what a save did not change is reused, and
  only changed files are rewritten.  Without ``--as-of``, deadlines are judged as of the
  moment serve started, moved to the current time after REFRESH_SECONDS without a save
  (so an edit never has to re-render every page because the clock moved).
"""

from __future__ import annotations

import errno
import gc
import ipaddress
import json
import os
import re
import shutil
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from logbook.build import build
from logbook.core.diagnostics import Diagnostic, format_text, summary
from logbook.site.publish import MARKER, PublishError, check_output_dir
from logbook.speed.cache import open_cache
from logbook.speed.policy import ServeReuse

DEBOUNCE_SECONDS = 0.25
# Without --as-of, "now" stays put between quick rebuilds (so a save re-renders only what it changed)
# and moves to the current time once nothing has happened for this long.
REFRESH_SECONDS = float(os.environ.get("LOGBOOK_SERVE_REFRESH", "600"))
KEEPALIVE_SECONDS = 10.0
LIVE_PREFIX = "/__logbook__/"
IGNORED_NAMES = frozenset({"4913"})
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload", ".logbook-tmp", ".kate-swp")

LIVE_JS = r"""(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script.getAttribute("data-generation"));
  function overlay(state) {
    var box = document.getElementById("logbook-overlay");
    if (state.ok) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "logbook-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b0b0b;color:#ffecec;font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;padding:1rem 1.25rem;" +
        "border-top:4px solid #ff5c5c;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "logbook: the last rebuild failed; this page is the last good version.\n\n" +
      state.diagnostics.join("\n");
  }
  var events = new EventSource("/__logbook__/events");
  events.addEventListener("state", function (message) {
    var state = JSON.parse(message.data);
    window.__logbookState = state;
    if (state.ok && state.generation !== shown) { location.reload(); return; }
    overlay(state);
  });
})();
"""


class ServeError(Exception):
    """serve cannot start as asked; *code* is the exit status (2 for a wrong argument)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def is_loopback(host: str) -> bool:
    """Whether *host* (an address or ``localhost``) is this machine only."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


HOST_HEADER = re.compile(r"(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<name>[^:\[\]/@\s]+))(?::[0-9]{1,5})?")


def allowed_hosts(bound: str) -> Callable[[str | None], bool]:
    """Which ``Host`` headers to answer: this machine by name or loopback address, and the address
    serve is bound to.  Bound to every address (0.0.0.0, ::), any IP address and this machine's
    name are answered too: a DNS-rebinding page always sends its own domain name, never an IP."""
    names = {"localhost", "127.0.0.1", "::1", bound.lower()}
    wildcard = bound in ("0.0.0.0", "::", "")
    if wildcard:
        names.add(socket.gethostname().lower())

    def allowed(header: str | None) -> bool:
        if not header:
            return False
        match = HOST_HEADER.fullmatch(header.strip().lower())
        if match is None:
            return False
        host = (match["ipv6"] or match["name"]).rstrip(".")
        if host in names:
            return True
        if not wildcard:
            return False
        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            return False

    return allowed


@dataclass
class LiveState:
    """What the watcher thread tells the HTTP threads: shared, guarded by ``changed``."""

    generation: int = 0  # successful builds so far
    builds: int = 0  # build attempts so far
    ok: bool = True
    diagnostics: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def snapshot(self) -> dict[str, Any]:
        with self.changed:
            return {
                "generation": self.generation,
                "builds": self.builds,
                "ok": self.ok,
                "diagnostics": list(self.diagnostics),
            }

    def record(self, ok: bool, diagnostics: list[str]) -> None:
        with self.changed:
            self.builds += 1
            self.ok = ok
            self.diagnostics = diagnostics
            if ok:
                self.generation += 1
            self.changed.notify_all()


def _now() -> str:
    """The current time as an --as-of value (to the second, UTC)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def is_relevant(path: str, root: Path, out: Path) -> bool:
    """Whether a changed path can change the site (editor droppings and our own output cannot)."""
    candidate = Path(path)
    if candidate == out or out in candidate.parents:
        return False
    try:
        parts = candidate.relative_to(root).parts
    except ValueError:
        return False
    if not parts:
        return False
    name = parts[-1]
    if any(part.startswith(".") for part in parts) or name in IGNORED_NAMES or name.endswith(IGNORED_SUFFIXES):
        return False
    return not (name.startswith("#") and name.endswith("#"))


class Rebuilder:
    """Debounces change notifications and runs one build at a time in its own thread, telling it
    which paths changed since the last one (None when that is not known for sure)."""

    def __init__(
        self,
        run_build: Callable[[frozenset[str] | None], None],
        refresh_every: float | None = None,
        refresh: Callable[[], None] = lambda: None,
    ) -> None:
        self._run_build = run_build
        self._refresh_every, self._refresh = refresh_every, refresh
        self._last_build = time.monotonic()
        self._lock = threading.Condition()
        self._last_event: float | None = None
        self._touched: set[str] | None = set()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="logbook-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def notify(self, paths: Iterable[str] | None = None) -> None:
        """Something changed: these logbook-relative paths, or (None) something not known exactly."""
        with self._lock:
            self._last_event = time.monotonic()
            if paths is None or self._touched is None:
                self._touched = None
            else:
                self._touched.update(paths)
            self._lock.notify()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            with self._lock:
                while self._last_event is None and not self._stopping:
                    if self._refresh_every is None:
                        self._lock.wait()
                        continue
                    idle = self._last_build + self._refresh_every - time.monotonic()
                    if idle <= 0:
                        break  # quiet for a while: time to move "now" forward
                    self._lock.wait(idle)
                if self._stopping:
                    return
                if self._last_event is None:
                    touched: set[str] | None = set()
                    self._refresh()
                else:
                    quiet = time.monotonic() - self._last_event
                    if quiet < DEBOUNCE_SECONDS:
                        self._lock.wait(DEBOUNCE_SECONDS - quiet)
                        continue
                    self._last_event = None
                    touched, self._touched = self._touched, set()
            self._run_build(frozenset(touched) if touched is not None else None)
            self._last_build = time.monotonic()


def _theme_folders(root: Path) -> list[Path]:
    """A user theme kept outside the logbook is an input too."""
    from logbook.load.config import load_config
    from logbook.load.themes import ThemeError, default_theme_dir, resolve_theme

    try:
        folders = resolve_theme(root, load_config(root)[0].theme).folders
    except (ThemeError, FileNotFoundError):
        return []
    return [f for f in folders if f != default_theme_dir() and not f.is_relative_to(root)]


def _watch(root: Path, out: Path, rebuilder: Rebuilder) -> Any:  # a watchdog observer, started
    from watchdog import events as kinds
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    watched: set[Path] = set()
    # Changes only: without a filter inotify also reports every open and read-only close, and
    # `git status` after each save opens every folder of the logbook (thousands of events, each
    # handled in Python on the watcher's thread while the rebuild wants the interpreter).  A folder's
    # "modified" only echoes a file created, deleted or moved in it, which is reported itself.
    changes = [
        kinds.FileCreatedEvent,
        kinds.DirCreatedEvent,
        kinds.FileDeletedEvent,
        kinds.DirDeletedEvent,
        kinds.FileMovedEvent,
        kinds.DirMovedEvent,
        kinds.FileModifiedEvent,
        kinds.FileClosedEvent,
    ]

    def watch_tree(observer: Any, folder: Path) -> None:
        if folder.is_dir() and folder not in watched and not (folder == out or out.is_relative_to(folder)):
            observer.schedule(Handler(), str(folder), recursive=True, event_filter=changes)
            watched.add(folder)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:  # a watchdog FileSystemEvent
            if event.is_directory and event.event_type in ("created", "moved"):
                appeared = Path(os.fsdecode(getattr(event, "dest_path", "") or event.src_path))
                if appeared in (root / "cases", root / "themes"):
                    watch_tree(current[0], appeared)  # cases/ or themes/ made after serve started
            paths = [os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "") or "") if p]
            relevant = [p for p in paths if is_relevant(p, root, out)]
            if relevant:  # a folder event, or a file outside the logbook (a theme elsewhere): not exactly known
                inside = [Path(p).relative_to(root).as_posix() for p in relevant if Path(p).is_relative_to(root)]
                rebuilder.notify(None if event.is_directory or len(inside) < len(relevant) else inside)

    # Watch the inputs only: the logbook folder itself (not recursively: logbook.toml, and
    # cases/ or themes/ appearing), cases/ and the theme folders. The output folder and the
    # build's staging folders are never watched: besides the wasted events, watchdog's
    # inotify bookkeeping breaks when watched folders are swapped under it.
    current: list[Any] = []  # the observer running now (swapped for a polling one on ENOSPC)
    for observer_class in (Observer, PollingObserver):
        observer = observer_class()
        current[:] = [observer]
        watched.clear()
        try:
            observer.schedule(Handler(), str(root), recursive=False, event_filter=changes)
            for folder in [root / "cases", root / "themes", *_theme_folders(root)]:
                watch_tree(observer, folder)
            observer.start()
            return observer
        except OSError as exc:  # inotify watch limit (ENOSPC) or no inotify: poll instead
            if observer_class is PollingObserver:
                raise
            print(f"logbook: file watching unavailable ({exc.strerror}); polling instead", file=sys.stderr)
    raise RuntimeError("unreachable")  # pragma: no cover


PLACEHOLDER = (
    b"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>logbook</title><body>"
    b"<p>No site has been built yet: fix the problems shown.</p></body></html>"
)


def make_handler(
    site: Path, state: LiveState, stopping: threading.Event, host_allowed: Callable[[str | None], bool] | None = None
) -> type[SimpleHTTPRequestHandler]:
    """The request handler; *site* is served only once this serve has published there
    (``state.generation``) and while it holds logbook's marker; *host_allowed* defaults to 127.0.0.1 only."""
    allowed = host_allowed or allowed_hosts("127.0.0.1")

    attributes = {"site": site, "state": state, "stopping": stopping, "allowed": staticmethod(allowed)}
    return type("Handler", (_Handler,), attributes)


class _Handler(SimpleHTTPRequestHandler):
    """The request handler of make_handler, with what it serves as class attributes."""

    server_version = "logbook"
    sys_version = ""
    site: Path
    state: LiveState
    stopping: threading.Event
    allowed: Callable[[str | None], bool]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(self.site), **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet server
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self.allowed(self.headers.get("Host")):
            return self._refuse_host()
        path = urlsplit(self.path).path
        if path == LIVE_PREFIX + "events":
            return self._events()
        if path == LIVE_PREFIX + "status":
            return self._send(HTTPStatus.OK, "application/json", json.dumps(self.state.snapshot()).encode())
        if path == LIVE_PREFIX + "live.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_JS.encode())
        return self._serve_file(path)

    def do_HEAD(self) -> None:  # noqa: N802
        if not self.allowed(self.headers.get("Host")):
            return self._refuse_host()
        return self._serve_file(urlsplit(self.path).path)

    def _serve_file(self, path: str) -> None:
        """A file of the site: path safety first, then the folder redirect, then the file."""
        root = self._published_root()
        if root is None:
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", self._inject(PLACEHOLDER))
        found = _safe_target(root, path)
        if found is None:
            return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")
        target, folder = found
        if folder and not path.endswith("/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if target.suffix == ".html":
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", self._inject(target.read_bytes()))
        return self._send_file(target)

    def _published_root(self) -> Path | None:
        """The site folder, resolved, if this serve published it and it is still logbook's."""
        if self.state.snapshot()["generation"] < 1:
            return None
        root = self.site.resolve()
        return root if (root / MARKER).is_file() else None

    def _send_file(self, target: Path) -> None:
        try:
            handle = target.open("rb")
        except OSError:
            return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")
        with handle:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", self.guess_type(str(target)))
            self.send_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if self.command != "HEAD":
                shutil.copyfileobj(handle, self.wfile)

    def _refuse_host(self) -> None:
        body = b"logbook serve answers only to localhost, 127.0.0.1, [::1] and the address it is bound to\n"
        return self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", body)

    def _inject(self, html: bytes) -> bytes:
        tag = f'<script src="{LIVE_PREFIX}live.js" data-generation="{self.state.snapshot()["generation"]}"></script>'
        marker = html.rfind(b"</body>")
        if marker < 0:
            return html + tag.encode()
        return html[:marker] + tag.encode() + html[marker:]

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        last: dict[str, Any] | None = None
        try:
            while not self.stopping.is_set():
                current = self.state.snapshot()
                if current != last:
                    self.wfile.write(f"event: state\ndata: {json.dumps(current)}\n\n".encode())
                    last = current
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                with self.state.changed:
                    self.state.changed.wait(KEEPALIVE_SECONDS)
        except (BrokenPipeError, ConnectionResetError):
            return


def _safe_target(root: Path, url_path: str) -> tuple[Path, bool] | None:
    """The regular file inside the resolved site folder *root* that a URL names (a folder's
    index.html), and whether the URL named a folder; None for anything else, whatever exists
    outside the site (no .., no links out, no NUL, no backslash)."""
    relative = unquote(url_path).lstrip("/")
    if "\x00" in relative or "\\" in relative:
        return None
    candidate = root / relative
    try:
        if not candidate.resolve().is_relative_to(root):
            return None
        folder = relative == "" or relative.endswith("/") or candidate.is_dir()
        resolved = (candidate / "index.html" if folder else candidate).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not resolved.is_relative_to(root) or not resolved.is_file():
        return None
    return resolved, folder


def _bind(host: str, port: int, handler: type[SimpleHTTPRequestHandler]) -> ThreadingHTTPServer:
    """The HTTP server on *host* (IPv4 or IPv6) and *port*; ServeError in the user's words."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    except (OSError, UnicodeError) as exc:
        raise ServeError(f"--host {host}: {getattr(exc, 'strerror', None) or exc}") from None

    class Server(ThreadingHTTPServer):
        address_family = family

        def server_bind(self) -> None:  # no reverse DNS lookup of the address (HTTPServer's getfqdn)
            socketserver.TCPServer.server_bind(self)
            self.server_name, self.server_port = host, self.server_address[1]

    try:
        return Server((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(
                f"port {port} on {host} is already in use; try --port {port + 1} (or --port 0 for any free port)",
                code=1,
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ServeError(f"--host {host} is not an address of this machine") from None
        if exc.errno == errno.EACCES:
            raise ServeError(f"--port {port} needs privileges on this system; use a port above 1023") from None
        raise ServeError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None


@dataclass
class _Session:
    """What one serve keeps between its rebuilds, and the rebuild itself.  Only the rebuilding thread
    reads or writes it (the first build runs before that thread starts; move_now is called from it)."""

    root: Path
    out: Path
    state: LiveState  # what browsers are told (it has its own lock)
    reuse: ServeReuse  # the build cache in memory, and everything reused by record identity
    judged: str  # the --as-of each build is given: serve's, or the moment it started, moved on when quiet
    builds: int = 0  # build attempts so far (the first writes the cache to disk)
    published: bool = False  # by the last build: else the next one does not go by what the watcher saw since

    def move_now(self) -> None:
        self.judged = _now()

    def run_build(self, touched: frozenset[str] | None = None) -> None:
        if self.builds:  # a rebuild: no cyclic garbage collection in the middle of it (see _collect_after)
            gc.disable()
        started = time.perf_counter()
        try:
            self.builds += 1
            result = build(
                self.root,
                self.out,
                self.judged,
                cache=self.reuse,
                persist=self.builds == 1,
                touched=touched if self.published else None,
            )  # a failed build may have stopped part-way
            diagnostics: tuple[Diagnostic, ...] = result.diagnostics
            ok = result.published
            lines = [format_text(d, d.location.path) for d in diagnostics]  # logbook-relative, for terminal and page
        except PublishError as exc:
            ok, diagnostics, lines = False, (), [f"error: {exc}"]
        except Exception as exc:  # a rebuild must never take the server down
            ok, diagnostics, lines = False, (), [f"error: build failed: {exc!r}"]
        self.published = ok
        _tell(ok, diagnostics, lines, (time.perf_counter() - started) * 1000)
        self.state.record(ok, [line for line in lines if "error" in line or not ok])
        _collect_after()


def _tell(ok: bool, diagnostics: tuple[Diagnostic, ...], lines: list[str], elapsed: float) -> None:
    """A rebuild's outcome on the terminal."""
    for line in lines:
        print(line, file=sys.stderr)
    if ok:
        print(f"rebuilt in {elapsed:.0f} ms ({summary(diagnostics)})", file=sys.stderr, flush=True)
    else:
        print(
            f"build failed ({summary(diagnostics) if diagnostics else 'see above'}); still serving the last good site",
            file=sys.stderr,
            flush=True,
        )


def _collect_after() -> None:
    """After the browsers have been told: collect what the build left and freeze what is kept
    (the records, pages and fragments held for the next rebuild), so that the collector never
    walks those again; only what later builds allocate is looked at.  Frozen objects are still
    freed when their last reference goes (records hold no cycles); a cycle among them would stay."""
    gc.enable()
    gc.collect()
    gc.freeze()


def serve(
    root: Path,
    out: Path | None,
    host: str,
    port: int,
    as_of: str | None,
    ready: Callable[[str], None] = lambda url: None,
) -> int:
    """Run until interrupted; returns the exit status.  Raises ServeError (before building
    anything) when the output folder is one build would refuse, or the address cannot be bound."""
    root = root.resolve()
    out = (out or root / "_site").resolve()
    try:
        check_output_dir(out, root)
    except PublishError as exc:
        raise ServeError(str(exc)) from None
    state = LiveState()
    stopping = threading.Event()
    session = _Session(root, out, state, ServeReuse(open_cache(root)), as_of or _now())
    run_build, move_now = session.run_build, session.move_now
    server = _bind(host, port, make_handler(out, state, stopping, allowed_hosts(host)))
    server.daemon_threads = True
    if not is_loopback(host):
        print(f"logbook: warning: serving on {host} makes your records visible to other machines", file=sys.stderr)
    rebuilder: Rebuilder | None = None
    observer = None
    try:  # Ctrl-C at any moment from here on stops cleanly, even before the first page is served
        run_build()
        rebuilder = Rebuilder(run_build, None if as_of is not None else REFRESH_SECONDS, move_now)
        rebuilder.start()
        observer = _watch(root, out, rebuilder)
        url = f"http://{f'[{host}]' if ':' in host else host}:{server.server_address[1]}/"
        print(f"serving {out} at {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        if as_of is None:
            print(
                f"deadlines judged as of {session.judged}, moved to the current time after {REFRESH_SECONDS / 60:g} "
                "quiet minutes (--as-of fixes it)",
                file=sys.stderr,
                flush=True,
            )
        ready(url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stopping.set()
        with state.changed:
            state.changed.notify_all()
        if observer is not None:
            observer.stop()
        if rebuilder is not None:
            rebuilder.stop()
        server.server_close()
        if observer is not None:
            observer.join(timeout=5)
    print("stopped", file=sys.stderr)
    return 0
