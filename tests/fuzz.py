"""The long fuzz run: feed N generated files to the loader and checks, and report any crash.

    python tests/fuzz.py --examples 100000 [--seed 1] [--jobs 2]

Inputs come from tests/strategies.py (random bytes, random text, and structure-aware
hostile case files: broken front matter, YAML traps, DST times, escapes, payloads),
written as single-file cases and bundle interactions.  Each must give diagnostics,
never an exception, and every diagnostic must name an existing file and line.  A crash
found here becomes a regression test (see test_yamlnodes.py's surrogate test).
Not collected by pytest (CI runs the bounded version in tests/test_properties.py).
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from strategies import any_file, check_one, scratch_dir  # noqa: E402


def run(examples: int, seed_value: int) -> tuple[int, str | None]:
    scratch = scratch_dir()
    count = 0

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(content=any_file, bundle=st.booleans())
    def one(content: str | bytes, bundle: bool) -> None:
        nonlocal count
        count += 1
        shutil.rmtree(scratch / "cases", ignore_errors=True)
        for diagnostic in check_one(content, bundle, scratch):
            path = scratch / diagnostic.location.path
            assert path.is_file() and diagnostic.location.line >= 1, diagnostic

    try:
        one()
    except Exception as exc:  # noqa: BLE001 - report whatever broke, with its input
        return count, f"{type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return count, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    share = -(-args.examples // args.jobs)
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.starmap(run, [(share, args.seed + job) for job in range(args.jobs)])
    total = sum(count for count, _ in results)
    failures = [failure for _, failure in results if failure]
    print(f"fuzz: {total:,} inputs in {time.perf_counter() - started:.0f} s, {len(failures)} crash(es)")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
