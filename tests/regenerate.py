"""Regenerate the expected outputs the tests compare against.

    python tests/regenerate.py

Rewrites tests/fixtures/invalid/expected.txt and tests/fixtures/hostile/expected.txt (the
exact diagnostics of the invalid and hostile corpora) and tests/golden/forms-site/ (the site built from tests/fixtures/forms-bundle).
Review the diff before committing it: it is the change in behaviour.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from logbook.build import build  # noqa: E402
from logbook.diagnostics import format_text  # noqa: E402
from logbook.load import load_logbook  # noqa: E402

INVALID = HERE / "fixtures" / "invalid"
HOSTILE = HERE / "fixtures" / "hostile"
GOLDEN = HERE / "golden" / "forms-site"
GOLDEN_SOURCE = HERE / "fixtures" / "forms-bundle"
GOLDEN_AS_OF = "2026-04-10"


def expected_text(fixture: Path = INVALID) -> str:
    result = load_logbook(fixture)
    return "".join(format_text(d, d.location.path) + "\n" for d in result.diagnostics)


def build_golden(out: Path) -> None:
    """Built from a copy outside git, so the golden site does not depend on this repository's commits."""
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "forms-bundle"
        shutil.copytree(GOLDEN_SOURCE, source)
        result = build(source, out, as_of=GOLDEN_AS_OF)
        if not result.published:
            raise SystemExit(f"golden source does not build: {result.diagnostics}")


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
