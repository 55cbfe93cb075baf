"""What the search index adds to a cold build's wall clock: one cold build, with or without the index.

    python benchmarks/search_share.py LOGBOOK_FOLDER OUT [--without-index]

A cold ``logbook build --as-of 2026-01-01`` into OUT, which must not exist yet (deleting the last
run's site inside the timing would be charged to the build), with a new empty build cache, in this
process; ``--without-index`` leaves the search index's files out (the rest of the site is the
same; its search page then finds nothing).  Time the two as whole processes, alternately (for
example ``/usr/bin/time`` in a loop, or hyperfine with both commands), each run with a new OUT:
1 − 1/(the ratio of the medians) is the index's share of the cold build.  Not a test.
"""

from __future__ import annotations

import argparse
import os
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
    if args.out.exists():
        parser.error(f"{args.out} exists: give a new folder for each run")
    if args.without_index:
        render._search_jobs = lambda *_args, **_kwargs: []  # type: ignore[assignment]  # the one change measured
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache
        result = build_module.build(args.logbook, args.out, as_of="2026-01-01")
    return 0 if result.published else 1


if __name__ == "__main__":
    sys.exit(main())
