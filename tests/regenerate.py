"""Regenerate the expected outputs the tests compare against.

    python tests/regenerate.py

Rewrites tests/fixtures/invalid/expected.txt and tests/fixtures/hostile/expected.txt (the
exact diagnostics of the invalid and hostile corpora) and tests/golden/forms-site/ (the site built from tests/fixtures/forms-bundle).
Review the diff before committing it: it is the change in behaviour.  The rules live in tests/support/golden.py.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from support.golden import GOLDEN, HOSTILE, INVALID, build_golden, expected_text  # noqa: E402


def main() -> None:
    for fixture in (INVALID, HOSTILE):
        (fixture / "expected.txt").write_text(expected_text(fixture), encoding="utf-8")
    staging = GOLDEN.parent / "forms-site.new"
    shutil.rmtree(staging, ignore_errors=True)
    build_golden(staging)
    shutil.rmtree(GOLDEN, ignore_errors=True)
    shutil.rmtree(staging / "assets")  # copied verbatim from the theme; test_golden.py checks the copy instead
    staging.rename(GOLDEN)
    print(f"wrote {INVALID / 'expected.txt'}, {HOSTILE / 'expected.txt'} and {GOLDEN}")


if __name__ == "__main__":
    main()
