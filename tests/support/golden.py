"""The expected outputs the tests compare against, and how they are made (``python tests/regenerate.py``
rewrites them): the exact diagnostics of the invalid and hostile corpora, and the golden site built
from tests/fixtures/forms-bundle."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from logbook.build import build
from logbook.core.diagnostics import format_text
from logbook.load.stage import load_logbook

TESTS = Path(__file__).resolve().parents[1]
INVALID = TESTS / "fixtures" / "invalid"
HOSTILE = TESTS / "fixtures" / "hostile"
GOLDEN = TESTS / "golden" / "forms-site"
GOLDEN_SOURCE = TESTS / "fixtures" / "forms-bundle"
GOLDEN_AS_OF = "2026-04-10"


def expected_text(fixture: Path = INVALID) -> str:
    result = load_logbook(fixture)
    return "".join(format_text(d, d.location.path) + "\n" for d in result.diagnostics)


def build_golden(out: Path) -> None:
    """Built from a copy outside git, so the golden site does not depend on this repository's commits."""
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "forms-bundle"
        shutil.copytree(GOLDEN_SOURCE, source)
        result = build(source, out, as_of=GOLDEN_AS_OF)
        if not result.published:
            raise SystemExit(f"golden source does not build: {result.diagnostics}")
