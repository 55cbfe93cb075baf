"""The long fuzz run: feed N generated inputs to logbook, and report any crash.

    python tests/fuzz.py --examples 100000 [--seed 1] [--jobs 2] [--target cases|config|books]

Inputs come from tests/support/strategies.py.  ``cases`` (the default): random bytes, random text and
structure-aware hostile case files (broken front matter, YAML traps, DST times, escapes inside and
outside Unicode, payloads), written as single-file cases and bundle interactions.  ``config``:
logbook.toml content (huge and negative numbers, deep nesting, escapes, broken tables, unknown keys)
beside a case that uses windows, promises and agents; a configuration check accepts is derived,
audited and rendered.  ``books``: small logbooks whose ids, tags, agents and attachment names collide
(ignoring case, after slugging, with the site's own pages) or are too long, with a FIFO in some role;
each is checked and built twice with the cache, and a logbook check passes must publish.  Each input
must give diagnostics, never an exception or a hang, and every diagnostic must name an existing
file and line.  A crash found here becomes a regression test (see test_yamlnodes.py's surrogate test).
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

from support.strategies import any_config, any_file, book, check_and_build, check_config, check_one, scratch_dir  # noqa: E402


def _points_at_a_line(diagnostics: list, root: Path) -> None:
    for diagnostic in diagnostics:
        path = root / diagnostic.location.path
        assert path.is_file() and diagnostic.location.line >= 1, diagnostic


def run(examples: int, seed_value: int, target: str = "cases") -> tuple[int, str | None]:
    import os

    scratch = scratch_dir()
    os.environ["XDG_CACHE_HOME"] = str(scratch / "xdg-cache")  # the books' build caches, never the user's
    count = 0

    def one_case(content: str | bytes, bundle: bool) -> None:
        shutil.rmtree(scratch / "cases", ignore_errors=True)
        _points_at_a_line(check_one(content, bundle, scratch), scratch)

    def one_config(content: str | bytes, bundle: bool) -> None:
        shutil.rmtree(scratch / "config", ignore_errors=True)
        _points_at_a_line(check_config(content, scratch / "config"), scratch / "config")

    def one_book(drawn: dict, bundle: bool) -> None:
        check_and_build(drawn, scratch)  # which checks the diagnostics' files itself

    check, inputs = {"cases": (one_case, any_file), "config": (one_config, any_config), "books": (one_book, book())}[
        target
    ]

    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(content=inputs, bundle=st.booleans())
    def one(content: str | bytes | dict, bundle: bool) -> None:
        nonlocal count
        count += 1
        check(content, bundle)  # type: ignore[arg-type]

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
    parser.add_argument("--target", choices=("cases", "config", "books"), default="cases")
    args = parser.parse_args()
    started = time.perf_counter()
    share = -(-args.examples // args.jobs)
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.starmap(run, [(share, args.seed + job, args.target) for job in range(args.jobs)])
    total = sum(count for count, _ in results)
    failures = [failure for _, failure in results if failure]
    print(f"fuzz ({args.target}): {total:,} inputs in {time.perf_counter() - started:.0f} s, {len(failures)} crash(es)")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
