"""Run a build stage's independent jobs on every core: forked workers, results in job order.

A job is a closure over the immutable records already in memory; ``fork`` hands them to the
workers without copying or pickling, and only each job's result (bytes, text, records) comes
back through a pipe.  The parent runs one share itself, so two cores mean one extra process,
and a new one for each round of jobs (see run_jobs: it keeps memory copied on write small).

Results are merged in job order, so the output never depends on which worker finished first.
Memo tables (``cache.Memo``) the jobs filled in a worker are merged back into the parent's, so
the build cache learns as much as a serial build would.  A job that fails in a worker is run
again in the parent, where its exception is raised as it would be in a serial build.

Workers are used only where ``fork`` is safe: a single-threaded process (``logbook build``;
``serve`` has watcher threads and keeps to one process) on a system that has it.
``LOGBOOK_WORKERS=1`` turns them off.

A worker dies with its parent (``kill -9`` of a build included): on Linux the kernel kills it
(``PR_SET_PDEATHSIG``), elsewhere it looks for its parent twice a second.  A worker left running
would hold the build's publish lock (it inherits the open lock file) and so refuse the next build.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from logbook.speed.collector import long_lived
from logbook.speed.reuse import Memo

T = TypeVar("T")
MAX_WORKERS = 8
MIN_WEIGHT = 2_000  # below this much work (about one interaction each), a fork costs more than it saves
ROUND_WEIGHT = 20_000  # work per process and round (see run_jobs)
MAX_ROUNDS = 40  # however big the logbook: forking a big process costs a few milliseconds
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_SECONDS = 0.5


def worker_count() -> int:
    """How many processes a stage may use: ``LOGBOOK_WORKERS``, else the cores this process may run on."""
    wanted = os.environ.get("LOGBOOK_WORKERS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), MAX_WORKERS)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def shares(weights: Sequence[int], count: int) -> list[list[int]]:
    """Job indexes split into *count* shares of about equal weight (heaviest job first to the lightest
    share; ties by index, so the split is the same every time); each share in job order."""
    loads = [0] * count
    split: list[list[int]] = [[] for _ in range(count)]
    for index in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        lightest = min(range(count), key=lambda s: (loads[s], s))
        split[lightest].append(index)
        loads[lightest] += weights[index]
    return [sorted(share) for share in split if share]


def rounds(weights: Sequence[int], limit: int, least: int = 1) -> list[list[int]]:
    """Job indexes, heaviest first (so that the heaviest jobs share a round and run side by side),
    cut into rounds of about *limit* weight but of at least *least* jobs (one per process, however
    heavy); ties by index, so the cut is the same every time."""
    batches: list[list[int]] = [[]]
    load = 0
    for index in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        if len(batches[-1]) >= least and load + weights[index] > limit:
            batches.append([])
            load = 0
        batches[-1].append(index)
        load += weights[index]
    return batches


def run_jobs(jobs: Sequence[Callable[[], T]], weights: Sequence[int], memos: Sequence[Memo] = ()) -> list[T]:
    """Every job's result, in job order; on several cores, shares of the jobs run in forked workers.

    The jobs go in rounds of about ROUND_WEIGHT, a new worker each round: CPython writes reference
    counts into every object it touches, so each memory page touched by either process while a
    worker lives is copied; a worker that lives for one round keeps those copies few."""
    count = min(worker_count(), len(jobs))
    if count <= 1 or sum(weights) < MIN_WEIGHT or not can_fork():
        return [job() for job in jobs]
    results: list[Any] = [None] * len(jobs)
    sys.stdout.flush()
    sys.stderr.flush()
    with long_lived() as settle:  # what exists is never scanned by the collector, so its pages stay shared
        for batch in rounds(weights, count * max(ROUND_WEIGHT, sum(weights) // MAX_ROUNDS), count):
            _run_round(
                jobs,
                [(batch[i] for i in share) for share in shares([weights[i] for i in batch], count)],
                memos,
                results,
            )
            settle()  # this round's results too
    return results


def _run_round(
    jobs: Sequence[Callable[[], Any]], split: list[Iterable[int]], memos: Sequence[Memo], results: list[Any]
) -> None:
    """The first share here, each other share in a forked worker; results put in place."""
    own, *others = [list(share) for share in split]
    workers = [(_fork(jobs, share, memos), share) for share in others]
    try:
        for index in own:
            results[index] = jobs[index]()
    except BaseException:
        for (pid, pipe), _ in workers:  # stop the workers and wait for them before the error goes on
            os.close(pipe)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    for (pid, pipe), share in workers:
        payload = _collect(pid, pipe)
        if payload is None:  # the worker failed: run its share here, where an error raises as usual
            for index in share:
                results[index] = jobs[index]()
            continue
        done, learned = payload
        for index, result in zip(share, done):
            results[index] = result
        for memo, (entries, hits, misses) in zip(memos, learned):
            for key, value in entries.items():
                memo.new.setdefault(key, value)
            memo.hits += hits
            memo.misses += misses


def _fork(jobs: Sequence[Callable[[], Any]], share: list[int], memos: Sequence[Memo]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    status = 1
    try:  # the worker: never returns into the caller's code, whatever happens
        _die_with(parent)
        os.close(read_end)
        known = [set(memo.new) for memo in memos]
        counts = [(memo.hits, memo.misses) for memo in memos]
        done = [jobs[index]() for index in share]
        learned = [
            ({k: v for k, v in memo.new.items() if k not in before}, memo.hits - hits, memo.misses - misses)
            for memo, before, (hits, misses) in zip(memos, known, counts)
        ]
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump((done, learned), pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    except BaseException:  # noqa: BLE001 - reported by the exit status; the parent runs the share again
        pass
    finally:
        os._exit(status)


def _die_with(parent: int) -> None:
    """Make this worker end when *parent* does: the kernel's parent-death signal where there is
    one, else a thread that polls for the parent; and end now if the parent is already gone."""
    if not _kernel_kills_orphans():

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(PARENT_POLL_SECONDS)
            os._exit(1)

        threading.Thread(target=watch, name="logbook-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # died before the signal was asked for
        os._exit(1)


def _kernel_kills_orphans() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that cannot be had."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    return bool(prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)


def _collect(pid: int, pipe: int) -> tuple[list[Any], list[tuple[dict[Hashable, Any], int, int]]] | None:
    """The worker's results, or None when it did not finish."""
    payload: tuple[list[Any], list[tuple[dict[Hashable, Any], int, int]]] | None
    with os.fdopen(pipe, "rb") as handle:
        collecting = gc.isenabled()
        gc.disable()  # unpickling makes many objects and no garbage: a collection in the middle only costs time
        try:
            payload = pickle.load(handle)  # read as it arrives: the whole message is never held as bytes
        except Exception:  # noqa: BLE001 - a worker that stopped part-way; its share is computed again here
            payload = None
        finally:
            if collecting:
                gc.enable()
        handle.read()  # whatever is left, so that the worker can finish writing and exit
    _, status = os.waitpid(pid, 0)
    return payload if status == 0 else None
