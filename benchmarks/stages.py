"""Where a build's time goes: one in-process build with a timer around each stage.

    python benchmarks/stages.py LOGBOOK_FOLDER [--cache]

Cold by default (no build cache); ``--cache`` uses the on-disk cache as ``logbook build`` does
(set ``XDG_CACHE_HOME`` to an empty folder for a cold build that fills a cache).
Times are inclusive (``parse`` contains ``yaml``; ``render`` contains ``markdown`` and ``search``).
Parsing, per-case checks and page drawing run in forked workers (logbook/workers.py): the inner
timers then see only the parent's share; ``LOGBOOK_WORKERS=1`` gives the serial breakdown.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from logbook import build as build_module
from logbook.evidence import derive
from logbook.load import parse
from logbook.load import stage as load
from logbook.site import publish, render, search
from logbook.speed import cache, parses

TOTALS: dict[str, float] = {}


def timed(module: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TOTALS[label] = TOTALS.get(label, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


def timed_generator(module: Any, name: str, label: str) -> None:
    """timed, for a generator function: the time spent making each of its items."""
    original: Callable[..., Any] = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        items = original(*args, **kwargs)
        while True:
            started = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                TOTALS[label] = TOTALS.get(label, 0.0) + time.perf_counter() - started
            yield item

    setattr(module, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logbook", type=Path)
    parser.add_argument("--cache", action="store_true")
    args = parser.parse_args()
    timed(load, "load_logbook", "load (all)")
    timed(load, "parse_source", "  parse")
    timed(parse, "compose", "    yaml")
    timed(parses, "source_key", "  source keys")  # SHA-256 of every source file (with --cache)
    timed(load, "case_checks", "  checks")
    timed(load, "read_history", "  git history")
    timed(derive, "derive_site", "derive")
    timed(render, "render_site", "render (all)")
    timed(render, "render_message", "  markdown")
    timed(render, "search_files", "  search")  # serve's way
    timed(search, "analysed_cases", "  search")  # build's way: the cases' documents analysed, on every core,
    timed_generator(search, "streamed_files", "  search")  # then the index made from them, beside the pages
    timed(publish.Staging, "write_files", "publish (rest)")  # pages are written as they are drawn
    timed(cache.BuildCache, "save", "cache save")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = build_module.build(args.logbook, Path(out) / "site", as_of="2026-01-01", cache=args.cache)
        TOTALS["whole build"] = time.perf_counter() - started
    for label, seconds in TOTALS.items():
        print(f"{label:16s} {seconds:7.2f} s")
    return 0 if result.published else 1


if __name__ == "__main__":
    sys.exit(main())
