"""Forked workers: the work is shared out, results come back in job order, memo entries made in a
worker reach the build cache, failures raise as in a serial build, and a build on two processes
publishes exactly the site (and fills exactly the cache) of a build on one."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from logbook.build import build, check
from logbook.site import publish
from logbook.speed import workers
from logbook.speed.cache import BuildCache
from logbook.speed.policy import DiskReuse
from logbook.speed.reuse import Memo
from support.books import REPO, generated_book, site_tree, write_tree

sys.path.insert(0, str(REPO / "benchmarks"))
from gen_corpus import generate  # noqa: E402


@pytest.fixture
def two_workers(monkeypatch):
    """Two processes for any amount of work, counting the forks (the real os.fork runs)."""
    assert workers.can_fork(), "these tests need a single-threaded test process"
    monkeypatch.setenv("LOGBOOK_WORKERS", "2")
    monkeypatch.setattr(workers, "MIN_WEIGHT", 0)
    forks: list[int] = []
    real_fork = os.fork

    def counted_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(workers.os, "fork", counted_fork)
    return forks


def test_shares_are_even_complete_and_the_same_every_time():
    weights = [50, 1, 1, 30, 20, 7, 7, 7, 1, 40]
    split = workers.shares(weights, 3)
    assert sorted(i for share in split for i in share) == list(range(len(weights)))
    assert all(share == sorted(share) for share in split)
    loads = [sum(weights[i] for i in share) for share in split]
    assert max(loads) - min(loads) <= max(weights)
    assert workers.shares(weights, 3) == split
    assert workers.shares([5], 4) == [[0]]  # never an empty share


def test_rounds_put_the_heaviest_jobs_together_and_cover_every_job_once():
    weights = [3, 90, 5, 5, 80, 1, 2, 4, 4]
    batches = workers.rounds(weights, 100)
    assert batches == [[1], [4, 2, 3, 7, 8], [0, 6, 5]]  # 90 alone (90 + 80 > 100), then 80 with the next
    assert sorted(i for batch in batches for i in batch) == list(range(len(weights)))
    assert all(sum(weights[i] for i in batch) <= 100 for batch in batches)
    assert workers.rounds(weights, 100) == batches
    paired = workers.rounds(weights, 100, least=2)  # two processes: the two heaviest run side by side
    assert paired[0] == [1, 4] and sorted(i for batch in paired for i in batch) == list(range(len(weights)))


def test_worker_count_follows_the_environment(monkeypatch):
    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    assert workers.worker_count() == 1
    monkeypatch.setenv("LOGBOOK_WORKERS", "99")
    assert workers.worker_count() == workers.MAX_WORKERS
    monkeypatch.setenv("LOGBOOK_WORKERS", "nonsense")
    assert workers.worker_count() == min(len(os.sched_getaffinity(0)), workers.MAX_WORKERS)


def test_results_come_back_in_job_order_from_two_processes(two_workers):
    jobs = [lambda i=i: (i, i * i, os.getpid()) for i in range(40)]
    results = workers.run_jobs(jobs, [1 + i % 7 for i in range(40)])
    assert [(i, square) for i, square, _ in results] == [(i, i * i) for i in range(40)]
    assert len({pid for _, _, pid in results}) == 2 and os.getpid() in {pid for _, _, pid in results}
    assert len(two_workers) == 1  # the parent runs one share itself


def test_many_rounds_many_short_lived_workers_same_results(monkeypatch, two_workers):
    monkeypatch.setattr(workers, "ROUND_WEIGHT", 10)
    memo = Memo()
    jobs = [lambda i=i: (memo.get(f"key {i}", lambda: i * 3), os.getpid()) for i in range(60)]
    results = workers.run_jobs(jobs, [1 + i % 4 for i in range(60)], [memo])
    assert [value for value, _ in results] == [i * 3 for i in range(60)]
    assert memo.new == {f"key {i}": i * 3 for i in range(60)}
    workers_seen = {pid for _, pid in results} - {os.getpid()}
    assert len(two_workers) == len(workers_seen) >= 5  # a new worker for every round


def test_one_process_when_told_or_when_the_work_is_small(monkeypatch, two_workers):
    jobs = [lambda: os.getpid() for _ in range(10)]
    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    assert set(workers.run_jobs(jobs, [1] * 10)) == {os.getpid()}
    monkeypatch.setenv("LOGBOOK_WORKERS", "2")
    monkeypatch.setattr(workers, "MIN_WEIGHT", 100)
    assert set(workers.run_jobs(jobs, [1] * 10)) == {os.getpid()}
    assert two_workers == []


def test_memo_entries_made_in_a_worker_reach_the_parent(two_workers):
    memo = Memo(old={"kept": "from the last build"})
    jobs = [lambda i=i: memo.get(f"key {i}", lambda: (i, os.getpid())) for i in range(20)]
    jobs.append(lambda: memo.get("kept", lambda: "recomputed"))
    results = workers.run_jobs(jobs, [1] * 21, [memo])
    assert set(memo.new) == {f"key {i}" for i in range(20)} | {"kept"}
    assert [memo.new[f"key {i}"] for i in range(20)] == results[:20]
    assert len({pid for _, pid in results[:20]}) == 2  # made in both processes
    assert memo.new["kept"] == results[-1] == "from the last build"
    assert (memo.hits, memo.misses) == (1, 20)


def test_a_job_failing_in_a_worker_raises_in_the_parent(two_workers, tmp_path):
    marker = tmp_path / "ran-in"

    def fails_in_a_worker() -> int:
        with marker.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        raise ValueError("bad template")

    jobs = [lambda: 1, fails_in_a_worker]
    with pytest.raises(ValueError, match="bad template"):
        workers.run_jobs(jobs, [1, 1])
    pids = [int(line) for line in marker.read_text().split()]
    assert len(pids) == 2 and pids[-1] == os.getpid()  # failed in the worker, then again here, raising


def test_a_job_failing_in_the_parent_stops_the_workers(two_workers, tmp_path):
    started = tmp_path / "worker"

    def slow() -> int:
        started.write_text(str(os.getpid()))
        import time

        time.sleep(30)
        return 2

    def fails() -> int:
        import time

        while not started.exists():
            time.sleep(0.01)
        raise KeyError("broken")

    with pytest.raises(KeyError):
        workers.run_jobs([fails, slow], [1, 1])
    pid = int(started.read_text())
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already stopped and reaped


def _build_tables(root: Path, out: Path) -> tuple[dict[str, bytes], dict[str, dict]]:
    cache = BuildCache(None)
    result = build(root, out, as_of="2026-01-01", cache=DiskReuse(cache))
    assert result.published, result.diagnostics
    return site_tree(out), {
        **{name: getattr(cache, name).old for name in ("parsed", "messages", "analysed")},
        "stamps": cache.stamps,
    }


def test_a_build_on_two_processes_equals_a_build_on_one(two_workers, monkeypatch, tmp_path):
    root = tmp_path / "corpus"
    generate(root, 30, 6, seed=7)
    card = "4111 1111 1111 1111"  # in cases of both halves: redaction changes them in the parent and a worker
    for case in sorted((root / "cases").iterdir())[::7]:
        first = sorted(case.glob("0*.md"))[0]
        first.write_text(first.read_text() + f"\nCharged to card {card} twice.\n")
    an_hour_ago = time.time() - 3600  # old enough for the cache to record each file's SHA-256 (cache.settled)
    for path in root.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    serial_site, serial_tables = _build_tables(root, tmp_path / "one")
    assert two_workers == []
    monkeypatch.setenv("LOGBOOK_WORKERS", "2")
    parallel_site, parallel_tables = _build_tables(root, tmp_path / "two")
    assert (
        len(two_workers) == 5
    )  # parse (with each case's own checks), redaction, search documents, the views' digests for page keys, pages
    assert parallel_site == serial_site
    pages = b"".join(content for path, content in parallel_site.items() if path.endswith(".html"))
    assert card.encode() not in pages and pages.count("•••• •••• •••• 1111".encode()) >= 5
    assert {name: set(table) for name, table in parallel_tables.items()} == {
        name: set(table) for name, table in serial_tables.items()
    }
    assert parallel_tables["messages"] == serial_tables["messages"]
    assert len(parallel_tables["stamps"]) == 30 * 7  # hashed in the workers, recorded here
    assert parallel_tables["stamps"] == serial_tables["stamps"]
    (root / "logbook.toml").write_text((root / "logbook.toml").read_text() + "\n[redact]\nenabled = false\n")
    two_workers.clear()
    unredacted_site, _ = _build_tables(root, tmp_path / "unredacted")
    assert len(two_workers) == 4  # redaction off: no round of workers for it (the cases it changed analysed again)
    pages = b"".join(content for path, content in unredacted_site.items() if path.endswith(".html"))
    assert card.encode() in pages


def test_diagnostics_from_two_processes_equal_those_from_one(two_workers, monkeypatch, sample_book):
    write_tree(
        sample_book,
        {
            "cases/GT-1042/2026-05-01-0900-email-in.md": "---\nat: 2026-13-01 09:00\nchannel: email\n---\nBad date.\n",
            "cases/broken.md": "---\ntitle: [unclosed\n---\n",
        },
    )
    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    serial = check(sample_book).diagnostics
    monkeypatch.setenv("LOGBOOK_WORKERS", "2")
    parallel = check(sample_book).diagnostics
    assert len(two_workers) == 1  # the parse, which runs each case's own checks too
    assert parallel == serial and any(d.is_error for d in serial)


def test_a_template_failing_in_a_worker_keeps_the_last_site(two_workers, tmp_path):
    root = tmp_path / "corpus"
    generate(root, 12, 4, seed=3)
    out = tmp_path / "site"
    assert build(root, out, as_of="2026-01-01", cache=False).published
    before = site_tree(out)
    write_tree(
        root,
        {
            "themes/bad/templates/case.html": "{% extends 'default/case.html' %}{% block main %}{{ no_such_value }}{% endblock %}"
        },
    )
    config = root / "logbook.toml"
    config.write_text(config.read_text().replace("[site]", '[site]\ntheme = "bad"', 1))
    forks = len(two_workers)
    result = build(root, out, as_of="2026-01-01", cache=False)
    assert len(two_workers) > forks  # the pages were being drawn on two processes
    assert not result.published
    (diagnostic,) = [d for d in result.diagnostics if d.code == "template-error"]
    assert "no_such_value" in diagnostic.message and diagnostic.location.path.endswith("case.html")
    assert site_tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_exhibits_are_copied_by_the_processes_drawing_their_cases(two_workers, monkeypatch, tmp_path):
    """Creating thousands of files is slow on some disks: each exhibit is copied once, beside its case
    page, on both processes; the site is the one a single process publishes."""
    root = generated_book(tmp_path / "corpus", 16, 3, seed=5, labels=True)
    monkeypatch.setenv("LOGBOOK_WORKERS", "1")
    assert build(root, tmp_path / "one", as_of="2026-01-01", cache=False).published
    log = tmp_path / "copied.log"
    real_copy = publish.Staging.copy

    def logged_copy(self: publish.Staging, rel: str, source: Path) -> None:
        with log.open("a") as handle:  # appends from forked workers too
            handle.write(f"{os.getpid()} {rel}\n")
        real_copy(self, rel, source)

    monkeypatch.setattr(publish.Staging, "copy", logged_copy)
    monkeypatch.setenv("LOGBOOK_WORKERS", "2")
    assert build(root, tmp_path / "two", as_of="2026-01-01", cache=False).published
    copies = [line.split(" ", 1) for line in log.read_text().splitlines()]
    exhibits = [rel for _, rel in copies if rel.startswith("cases/")]
    assert sorted(exhibits) == sorted(set(exhibits)) and len(exhibits) == 16
    assert len({pid for pid, rel in copies if rel in exhibits}) == 2
    assert site_tree(tmp_path / "two") == site_tree(tmp_path / "one")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("how", ["kernel", "polling"])
def test_workers_die_with_a_killed_build_and_the_next_build_is_not_refused(tmp_path, how):
    """kill -9 of a build's parent used to leave a forked worker running for seconds, holding the
    publish lock, so an immediate rebuild was refused.  'polling' is the fallback for systems
    without Linux's parent-death signal."""
    import signal
    import subprocess

    book, out = tmp_path / "book", tmp_path / "site"
    generated_book(book, 200, 20, seed=7)
    setup = (
        "from logbook.speed import workers; workers._kernel_kills_orphans = lambda: False; " if how == "polling" else ""
    )
    command = [
        sys.executable,
        "-c",
        f"import sys; {setup}from logbook.cli import main; sys.exit(main(sys.argv[1:]))",
        "build",
        str(book),
        "--out",
        str(out),
        "--as-of",
        "2026-06-01",
        "--no-cache",
    ]
    env = {**os.environ, "LOGBOOK_WORKERS": "2"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    first_seen: dict[int, float] = {}
    working: list[int] = []  # workers in the middle of their share: alive for 0.3 s already
    while not working and proc.poll() is None and time.monotonic() < deadline:
        now = time.monotonic()
        alive = _children(proc.pid)
        first_seen = {pid: first_seen.get(pid, now) for pid in alive}
        working = [pid for pid, since in first_seen.items() if now - since >= 0.3]
        time.sleep(0.005)
    assert working, "the build forked no worker that worked for 0.3 s"
    workers_seen = list(first_seen)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    time.sleep(1.0 if how == "polling" else 0.1)
    assert [pid for pid in workers_seen if _alive(pid)] == [], "a worker outlived its parent"
    again = subprocess.run(command[:3] + command[3:], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
