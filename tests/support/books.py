"""Temporary logbooks written from a dict or by the benchmark's generator, and the CLI run in-process
or as a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from logbook.cli import main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_cases"
FIXTURES = REPO / "tests" / "fixtures"


def generated_book(root: Path, cases: int, per_case: int, seed: int, labels: bool = False) -> Path:
    """A logbook from the benchmark's corpus generator; with *labels*, each case's first interaction
    names an attachment of its own (cases/<id>/label-<n>.txt, n counting the cases in order)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from gen_corpus import generate

    generate(root, cases, per_case, seed=seed)
    if labels:
        for number, case in enumerate(sorted((root / "cases").iterdir())):
            first = sorted(case.glob("0*.md"))[0]
            (case / f"label-{number}.txt").write_text(f"RMA label {number}\n")
            first.write_text(first.read_text().replace("---\n", f"---\nattachments: [label-{number}.txt]\n", 1))
    return root


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def run_module(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "logbook", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def site_tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
