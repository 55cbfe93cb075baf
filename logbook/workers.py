"""Run a build stage's independent jobs on every core: forked workers, results in job order.

A job is a closure over the immutable records already in memory; ``fork`` hands them to the
workers without copying or pickling, and only each job's result (bytes, text, records) comes
back through a pipe.  The parent runs one share itself, so two cores mean one extra process.

Results are merged in job order, so the output never depends on which worker finished first.
Memo tables (``cache.Memo``) the jobs filled in a worker are merged back into the parent's, so
the build cache learns as much as a serial build would.  A job that fails in a worker is run
again in the parent, where its exception is raised as it would be in a serial build.

Workers are used only where ``fork`` is safe: a single-threaded process (``logbook build``;
``serve`` has watcher threads and keeps to one process) on a system that has it.
``LOGBOOK_WORKERS=1`` turns them off.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
from typing import Any, Callable, Hashable, Sequence, TypeVar

from .reuse import Memo

T = TypeVar("T")
MAX_WORKERS = 8
MIN_WEIGHT = 2_000  # below this much work (about one interaction each), a fork costs more than it saves


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


def run_jobs(jobs: Sequence[Callable[[], T]], weights: Sequence[int], memos: Sequence[Memo] = ()) -> list[T]:
    """Every job's result, in job order; on several cores, shares of the jobs run in forked workers."""
    count = min(worker_count(), len(jobs))
    if count <= 1 or sum(weights) < MIN_WEIGHT or not can_fork():
        return [job() for job in jobs]
    split = shares(weights, count)
    results: list[Any] = [None] * len(jobs)
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # objects the workers inherit are not scanned there, so their pages stay shared
    try:
        workers = [(_fork(jobs, share, memos), share) for share in split[1:]]
    finally:
        gc.unfreeze()
    try:
        for index in split[0]:
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
    return results


def _fork(jobs: Sequence[Callable[[], Any]], share: list[int], memos: Sequence[Memo]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    status = 1
    try:  # the worker: never returns into the caller's code, whatever happens
        os.close(read_end)
        known = [set(memo.new) for memo in memos]
        counts = [(memo.hits, memo.misses) for memo in memos]
        done = [jobs[index]() for index in share]
        learned = [({k: v for k, v in memo.new.items() if k not in before}, memo.hits - hits, memo.misses - misses)
                   for memo, before, (hits, misses) in zip(memos, known, counts)]
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump((done, learned), pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    except BaseException:  # noqa: BLE001 - reported by the exit status; the parent runs the share again
        pass
    finally:
        os._exit(status)


def _collect(pid: int, pipe: int) -> tuple[list[Any], list[tuple[dict[Hashable, Any], int, int]]] | None:
    """The worker's results, or None when it did not finish."""
    payload: tuple[list[Any], list[tuple[dict[Hashable, Any], int, int]]] | None
    with os.fdopen(pipe, "rb") as handle:
        try:
            payload = pickle.load(handle)  # read as it arrives: the whole message is never held as bytes
        except Exception:  # noqa: BLE001 - a worker that stopped part-way; its share is computed again here
            payload = None
        handle.read()  # whatever is left, so that the worker can finish writing and exit
    _, status = os.waitpid(pid, 0)
    return payload if status == 0 else None
