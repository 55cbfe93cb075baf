"""logbook serve, for real: a subprocess, HTTP, file saves the way editors make them, the reload channel."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from support.books import FIXTURES
from support.serving import ServeProcess

pytestmark = pytest.mark.serve

QUIET = 1.0  # seconds with no further build expected after a change has been handled


@pytest.fixture
def book(tmp_path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(FIXTURES / "forms-bundle", root)
    return root


@pytest.fixture
def server(book):
    process = ServeProcess(book, "--as-of", "2026-04-10")
    yield process
    process.stop()


def vim_save(path: Path, text: str) -> None:
    """What vim does with default settings: probe file 4913, rename to a backup, write anew, drop the backup."""
    folder = path.parent
    swap = folder / f".{path.name}.swp"
    swap.write_bytes(b"vim swap")
    probe = folder / "4913"
    probe.write_text("")
    probe.unlink()
    backup = folder / f"{path.name}~"
    os.rename(path, backup)
    path.write_text(text)
    backup.unlink()
    swap.unlink()


def vscode_save(path: Path, text: str) -> None:
    """An in-place save (truncate and write), as VS Code does by default."""
    with path.open("r+") as handle:
        handle.truncate(0)
        handle.write(text)


def atomic_save(path: Path, text: str) -> None:
    """Write a temporary file and rename it over the original (JetBrains "safe write", gedit, many tools)."""
    tmp = path.with_name(f".{path.name}.tmp123")
    tmp.write_text(text)
    os.replace(tmp, path)


def test_initial_build_is_served_with_the_live_script(server, book):
    status, body, headers = server.get("/")
    assert status == 200 and b"<h1>Forms</h1>" in body
    assert b'<script src="/__logbook__/live.js" data-generation="1"></script></body>' in body
    assert not (book / "_site/index.html").read_bytes().count(b"live.js")  # built files stay clean
    assert server.get("/assets/style.css")[0] == 200
    time.sleep(QUIET)
    assert server.status() == {"generation": 1, "builds": 1, "ok": True, "diagnostics": []}  # own output not watched


@pytest.mark.parametrize("save", [vim_save, vscode_save, atomic_save])
def test_an_editor_save_gives_exactly_one_rebuild_and_fires_the_reload_channel(server, book, save):
    events = server.events()
    assert events.next_state()["generation"] == 1
    target = book / "cases/CASE-1/a.md"
    save(target, target.read_text().replace("Please refund me.", "Please refund me NOW-EDITED."))
    assert events.next_state() == {"generation": 2, "builds": 2, "ok": True, "diagnostics": []}
    time.sleep(QUIET)
    assert server.status()["builds"] == 2
    assert b"NOW-EDITED" in server.get("/cases/CASE-1/index.html")[1]
    assert any("rebuilt in" in line for line in server.lines[1:])
    events.close()


def test_a_burst_of_saves_is_one_rebuild(server, book):
    target = book / "cases/CASE-1/a.md"
    original = target.read_text()
    for n in range(30):
        target.write_text(original.replace("Please refund me.", f"Edit {n}."))
    server.wait_for_builds(2)
    time.sleep(QUIET)
    assert server.status()["builds"] == 2
    assert b"Edit 29." in server.get("/cases/CASE-1/index.html")[1]


def test_a_broken_file_shows_diagnostics_and_keeps_the_last_good_site(server, book):
    events = server.events()
    events.next_state()
    good = server.get("/cases/CASE-1/index.html")[1]
    target = book / "cases/CASE-1/b.md"
    original = target.read_text()
    target.write_text(original.replace("channel: chat", "channel: chta"))
    state = events.next_state()
    assert state["ok"] is False and state["generation"] == 1 and state["builds"] == 2
    assert any("b.md:4:10: error[unknown-channel]" in line for line in state["diagnostics"])
    assert server.get("/cases/CASE-1/index.html")[1] == good  # the last good page, still served
    server.wait_for_line(r"still serving the last good site")
    target.write_text(original)
    state = events.next_state()
    assert state == {"generation": 2, "builds": 3, "ok": True, "diagnostics": []}
    events.close()


def test_a_file_deleted_and_recreated(server, book):
    target = book / "cases/CASE-1/a.md"
    text = target.read_text()
    target.unlink()
    server.wait_for_builds(2)
    assert server.status()["ok"] is False  # b.md fulfils a promise that a.md made
    target.write_text(text)
    state = server.wait_for_builds(3)
    assert state["ok"] is True and state["generation"] == 2


def test_only_files_under_the_site_are_served(server, book, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    os.symlink(secret, book / "_site" / "leak.txt")
    for path in [
        "/../../secret.txt",
        "/%2e%2e/%2e%2e/secret.txt",
        "/cases/..%2f..%2f..%2fsecret.txt",
        "/leak.txt",
        "//etc/passwd",
        "/..%5c..%5csecret.txt",
        "/cases/CASE-1/a.md",
        "/%00",
    ]:
        status, body, _ = server.get(path)
        assert status == 404 and b"SECRET" not in body and b"root:" not in body, path
    assert server.get("/cases/CASE-1/exhibits/1-shot.png")[0] == 200
    assert server.get("/cases")[0] == 301


def test_binds_localhost_and_stops_cleanly_on_ctrl_c(book):
    process = ServeProcess(book)
    assert process.host == "127.0.0.1"
    assert process.stop() == 0, process.lines
    assert process.lines[-1] == "stopped"


def test_port_in_use_is_a_clear_message(book):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        import subprocess
        import sys

        proc = subprocess.run(
            [sys.executable, "-m", "logbook", "serve", str(book), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert proc.returncode == 1 and f"port {port} on 127.0.0.1 is already in use" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_survives_a_thousand_rapid_saves_and_a_file_deleted_mid_rebuild(server, book):
    target = book / "cases/CASE-1/a.md"
    original = target.read_text()
    for n in range(1000):
        target.write_text(original.replace("Please refund me.", f"Save {n}."))
    extra = book / "cases/CASE-1/c.md"
    extra.write_text("---\nat: 2026-03-30 10:00Z\nchannel: note\ndirection: internal\n---\nTemporary.\n")
    state = server.wait_for_builds(2)
    extra.unlink()  # most likely while that rebuild runs
    time.sleep(QUIET * 2)
    state = server.status()
    assert state["ok"] is True and state["builds"] <= 6, (state, server.lines)  # debounced, not a thousand builds
    status, body, _ = server.get("/cases/CASE-1/index.html")
    assert status == 200, status
    assert b"Save 999." in body, (state, server.lines, body.decode()[:3000])
    assert b"Temporary." not in body, (state, server.lines)
    assert server.proc.poll() is None and not any("Traceback" in line for line in server.lines)


def test_cases_folder_created_after_start_is_watched(tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    process = ServeProcess(root)
    try:
        assert process.status()["ok"] is False  # no cases/ yet: diagnostics, a placeholder page
        assert b"No site has been built yet" in process.get("/")[1]
        (root / "cases").mkdir()
        process.wait_for_builds(2)
        (root / "cases" / "a.md").write_text("---\ntitle: Arrived later\nstatus: open\n---\n")
        deadline = time.monotonic() + 15
        while b"Arrived later" not in process.get("/cases/a/index.html")[1] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert b"Arrived later" in process.get("/cases/a/index.html")[1]
    finally:
        process.stop()


def test_each_rebuild_publishes_what_a_cold_build_would(server, book, tmp_path):
    """serve's rebuilds reuse what did not change and rewrite only changed files: after every kind
    of save, the site on disk equals a cold `logbook build` of the same logbook, byte for byte."""
    from logbook.build import build
    from support.books import site_tree

    a, b, shot = book / "cases/CASE-1/a.md", book / "cases/CASE-1/b.md", book / "cases/CASE-1/shot.png"

    def repaint(tail: bytes) -> None:  # an exhibit changed in place, its size kept
        with shot.open("r+b") as handle:
            handle.seek(-len(tail), os.SEEK_END)
            handle.write(tail)

    saves = [
        lambda: repaint(b"repaint1"),
        lambda: (repaint(b"repaint2"), a.write_text(a.read_text().replace("---\n", "---\nat: [\n", 1))),  # fails
        lambda: a.write_text(a.read_text().replace("at: [\n", "", 1)),  # the exhibit saved with the error shows now
        lambda: vim_save(a, a.read_text().replace("Please refund me.", "Please refund me (vim).")),
        lambda: vscode_save(b, b.read_text() + "\nAnd one more line.\n"),
        lambda: atomic_save(a, a.read_text().replace("(vim)", "(atomic)")),
        lambda: (book / "cases/CASE-1/c.md").write_text(
            "---\nat: 2026-04-01 10:00 +02:00\nchannel: email\ndirection: in\n---\nA third message.\n"
        ),
        lambda: (book / "cases/CASE-1/c.md").unlink(),
        lambda: shutil.copytree(book / "cases/CASE-1", book / "cases/CASE-9"),
        lambda: (book / "cases/CASE-9/case.md").write_text(
            (book / "cases/CASE-9/case.md").read_text().replace("title: ", "title: Copy of ", 1)
        ),
        lambda: shutil.rmtree(book / "cases/CASE-9"),
    ]
    for n, save in enumerate(saves, start=2):
        before = server.status()["builds"]
        save()
        state = server.wait_for_builds(before + 1)
        time.sleep(QUIET)  # a save can come as several events: let every rebuild finish
        state = server.status()
        cold = tmp_path / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        expected = build(book, cold, as_of="2026-04-10", cache=False)
        assert state["ok"] == expected.published, (n, state, expected.diagnostics)
        if expected.published:
            assert site_tree(book / "_site") == site_tree(cold), n


def test_without_as_of_now_holds_between_saves_and_moves_on_when_quiet(book, monkeypatch):
    import re

    monkeypatch.setenv("LOGBOOK_SERVE_REFRESH", "3")
    server = ServeProcess(book)
    try:
        judged = re.compile(rb'deadlines judged as of <time datetime="([^"]+)"')
        first = judged.search(server.get("/cases/CASE-1/index.html")[1])[1]
        server.wait_for_line(r"deadlines judged as of \S+, moved to the current time after 0.05 quiet minutes")
        target = book / "cases/CASE-1/a.md"
        target.write_text(target.read_text().replace("Please refund me.", "Please refund me (1)."))
        server.wait_for_builds(2)
        body = server.get("/cases/CASE-1/index.html")[1]
        assert b"(1)." in body and judged.search(body)[1] == first  # the same "now": only the edit re-rendered
        state = server.wait_for_builds(3, timeout=20)  # nothing saved for 3 s: a rebuild moves "now" on
        assert state["ok"]
        assert judged.search(server.get("/cases/CASE-1/index.html")[1])[1] != first
    finally:
        server.stop()


def test_the_watcher_hears_changes_but_not_reads(book, monkeypatch):
    """Reading the logbook must not wake the watcher's thread (git status after each save opens every
    folder; each event would be handled in Python while the rebuild wants the interpreter): inotify is
    asked for changes only, and a save is still heard."""
    from watchdog.events import FileSystemEventHandler

    from logbook.serve import server as serve

    heard: list[str] = []
    dispatch = FileSystemEventHandler.dispatch

    def counted(self, event):  # type: ignore[no-untyped-def]
        heard.append(event.event_type)
        return dispatch(self, event)

    class Rebuilder:
        def notify(self, paths=None):  # type: ignore[no-untyped-def]
            pass

    monkeypatch.setattr(FileSystemEventHandler, "dispatch", counted)
    root = book.resolve()
    observer = serve._watch(root, root / "_site", Rebuilder())  # type: ignore[arg-type]
    try:
        sources = sorted((root / "cases").rglob("*.md"))
        for _ in range(3):
            for path in sources:
                path.read_bytes()
            for folder in {path.parent for path in sources}:
                os.listdir(folder)
        time.sleep(QUIET)
        assert len(sources) == 3 and heard == []
        with sources[0].open("a") as handle:
            handle.write("\nSaved.\n")
        deadline = time.monotonic() + 5
        while not heard and time.monotonic() < deadline:
            time.sleep(0.05)
        assert heard and not {"opened", "closed_no_write"} & set(heard)
    finally:
        observer.stop()
        observer.join(timeout=5)


def _serve_exits(book: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    """serve with arguments it must refuse: it exits at once (a serve that starts is killed, and fails)."""
    import subprocess
    import sys

    try:
        return subprocess.run(
            [sys.executable, "-m", "logbook", "serve", str(book), "--port", "0", *args],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"serve {args} started instead of refusing: {exc.stderr}") from None


def _one_line_usage_error(proc) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "serving" not in proc.stderr


@pytest.mark.parametrize("where", ["root", "logbook", "cases", "someone's folder", "git work tree", "a file"])
def test_serve_refuses_an_output_folder_build_would_refuse(book, tmp_path, where):
    """`serve --out /` (or the logbook, or cases/) used to say "still serving the last good site" and
    serve that folder: /etc/passwd and a private case's source over HTTP."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("mine")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    out = {
        "root": Path("/"),
        "logbook": book,
        "cases": book / "cases",
        "someone's folder": mine,
        "git work tree": repo,
        "a file": mine / "thesis.docx",
    }[where]
    before = sorted(p.name for p in out.parent.iterdir())
    proc = _serve_exits(book, "--out", str(out))
    _one_line_usage_error(proc)
    assert (mine / "thesis.docx").read_text() == "mine" and sorted(p.name for p in out.parent.iterdir()) == before


def test_serve_serves_only_a_folder_it_published_itself(book, tmp_path):
    """A site folder that serve has not published (its first build failed) or that was replaced
    after it published (by a folder logbook did not write) is not served."""
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "secret.txt").write_text("SECRET")
    from logbook.build import build

    assert build(book, as_of="2026-04-10").published  # a site of an earlier build is there
    broken = book / "cases/CASE-1/b.md"
    good = broken.read_text()
    broken.write_text(good.replace("channel: chat", "channel: chta"))
    process = ServeProcess(book, "--as-of", "2026-04-10")
    try:
        assert process.status()["ok"] is False
        status, body, _ = process.get("/cases/CASE-1/index.html")
        assert b"No site has been built yet" in body and b"CASE-1" not in body
        broken.write_text(good)
        process.wait_for_builds(2)
        assert b"<h1>Forms</h1>" in process.get("/")[1]
        shutil.rmtree(book / "_site")
        os.symlink(secret, book / "_site")  # the site folder swapped for one logbook did not write
        for path in ("/secret.txt", "/"):
            assert b"SECRET" not in process.get(path)[1], path
    finally:
        process.stop()


def test_path_safety_is_decided_before_the_folder_redirect(server, book, tmp_path):
    """/..%2f..%2f..%2fetc used to answer 301 (the folder exists outside the site) and
    /..%2f..%2f..%2fnope 404: the redirect told which folders exist on the machine."""
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "index.html").write_text("OUTSIDE")
    os.symlink(outside, book / "_site" / "linked")
    (book / "_site" / "empty-folder").mkdir()
    probes = [
        "/..%2f..%2f..%2fetc",
        "/..%2f..%2f..%2froot",
        "/..%2f..%2f..%2fno-such-folder",
        "/%2e%2e/%2e%2e/%2e%2e/usr",
        f"/..%2f..%2f{tmp_path.name}%2foutside",
        "/linked",
        "/linked/sub",
        "/linked/",
        "/empty-folder",
        "/empty-folder/",
    ]
    answers = {path: server.get(path)[:2] for path in probes}
    assert all(status == 404 and b"OUTSIDE" not in body for status, body in answers.values()), answers
    assert {server.get(p, method="HEAD")[0] for p in probes} == {404}
    assert server.get("/cases")[0] == 301 and server.get("/cases/")[0] == 200  # a folder of the site


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:80",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "[::1].evil.example",
        "0.0.0.0",
        "10.0.0.1",
        "",
    ],
)
def test_a_request_for_another_host_is_refused(server, host):
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 sends Host: evil.example."""
    for path in (
        "/",
        "/index.html",
        "/assets/style.css",
        "/__logbook__/status",
        "/__logbook__/live.js",
        "/__logbook__/events",
        "/no-such-page",
    ):
        status, body, _ = server.get(path, host=host)
        assert status == 403 and b"Forms" not in body and b"generation" not in body, (host, path, status)
    assert server.get("/", host=host, method="HEAD")[0] == 403


def test_this_machine_by_name_or_address_is_answered(server):
    for host in (
        f"127.0.0.1:{server.port}",
        "127.0.0.1",
        f"localhost:{server.port}",
        "LOCALHOST",
        "localhost.",
        f"[::1]:{server.port}",
    ):
        assert server.get("/", host=host)[0] == 200, host


def test_serve_on_ipv6_binds_and_checks_host(book):
    """--host ::1 (and ::) used to end in a traceback: the server was IPv4 only."""
    process = ServeProcess(book, "--host", "::1", "--as-of", "2026-04-10")
    try:
        assert process.url.startswith("http://[::1]:")
        assert process.get("/", host=f"[::1]:{process.port}")[0] == 200
        assert process.get("/", host="evil.example")[0] == 403
    finally:
        assert process.stop() == 0


@pytest.mark.parametrize(
    "args",
    [
        ("--port", "70000"),
        ("--port", "-5"),
        ("--port", "eighty"),
        ("--port", "65536"),
        ("--host", "999.1.1.1"),
        ("--host", "1.2.3"),
        ("--host", ":::"),
        ("--host", ""),
        ("--host", "no-such-host.invalid"),
        ("--host", "192.0.2.1"),
        ("--out", ""),
        ("--as-of", "soon"),
        ("--as-of", "2026-02-30"),
    ],
)
def test_bad_serve_arguments_are_one_line_usage_errors(book, args):
    _one_line_usage_error(_serve_exits(book, *args))


def test_bound_to_every_address_ip_hosts_are_answered_but_names_are_not():
    import socket as sockets

    from logbook.serve.server import allowed_hosts

    wildcard, loopback = allowed_hosts("0.0.0.0"), allowed_hosts("127.0.0.1")
    assert wildcard("192.168.1.5:8000") and wildcard("[fe80::1]:8000") and wildcard(sockets.gethostname())
    assert not wildcard("evil.example") and not wildcard("192.168.1.5.evil.example") and not wildcard(None)
    assert not loopback("192.168.1.5:8000") and not loopback(sockets.gethostname() + ".evil.example")
    assert allowed_hosts("192.168.1.5")("192.168.1.5:80") and not allowed_hosts("192.168.1.5")("10.0.0.1")
