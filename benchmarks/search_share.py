"""What the search index adds to a cold build's wall clock: one cold build, with or without the index.

    python benchmarks/search_share.py LOGBOOK_FOLDER OUT [--without-index]

A cold ``logbook build --as-of 2026-01-01`` (OUT emptied, a new empty build cache) in this
process; ``--without-index`` leaves the search index's files out (the rest of the site is the
same; its search page then finds nothing).  Time the two as whole processes, alternately (for
example ``/usr/bin/time`` in a loop, or hyperfine with both commands): the difference of the
medians is the index's share of the wall clock, which is less than its share of the CPU
(``benchmarks/stages.py``) when it runs beside the page drawing on another core.  Not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from logbook import build as build_module
from logbook.site import render


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logbook", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--without-index", action="store_true")
    args = parser.parse_args()
    if args.without_index:
        render._search_jobs = lambda *_args, **_kwargs: []  # type: ignore[assignment]  # the one change measured
    shutil.rmtree(args.out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache
        result = build_module.build(args.logbook, args.out, as_of="2026-01-01")
    return 0 if result.published else 1


if __name__ == "__main__":
    sys.exit(main())
