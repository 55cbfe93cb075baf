"""Does a cold build grow linearly?  Interleaved cold builds of logbook at M and L, medians and L/M.

    python benchmarks/linear.py [--rounds 3] [--sizes M,L] [--workdir /tmp/logbook-bench]

Each round builds M, then L, then M again (or the two ``--sizes`` given), each into an empty
output folder with an empty build cache (run.py's "cold"), so a machine that slows down or speeds
up for a while weighs on both sizes alike; run.py measures every M run before the L ones, and its one L run can fall in a slow
spell (Hugo's own L/M in run.py shows when it did).  Needs the corpora run.py generates.
Prints each build's wall-clock seconds, the medians and L ÷ M (issue #6: at most 11).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cold_build(logbook: Path) -> float:
    """Wall-clock seconds of one `logbook build` with an empty cache into an empty folder."""
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "logbook", "build", str(logbook), "--out", f"{out}/site", "--as-of", "2026-01-01"],
            env={**os.environ, "XDG_CACHE_HOME": cache},
            capture_output=True,
            text=True,
            cwd=out,
        )
        elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"logbook build {logbook} failed: {proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="M,L", help="the smaller and the larger size")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/logbook-bench"))
    args = parser.parse_args()
    small, large = args.sizes.split(",")
    times: dict[str, list[float]] = {small: [], large: []}
    for _ in range(args.rounds):
        for size in (small, large, small):
            logbook = args.workdir / size / "logbook"
            if not logbook.is_dir():
                print(f"no corpus at {logbook}: run benchmarks/run.py --sizes {size} first", file=sys.stderr)
                return 2
            times[size].append(cold_build(logbook))
            print(f"{size} cold {times[size][-1]:.2f} s", flush=True)
    medians = {size: statistics.median(values) for size, values in times.items()}
    for size, values in times.items():
        print(f"{size}: median {medians[size]:.2f} s of {len(values)} ({', '.join(f'{v:.2f}' for v in values)})")
    print(f"{large} / {small} = {medians[large] / medians[small]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
