"""The benchmark runner works end to end at size S (a smoke test: timings are never asserted)."""

import subprocess
import sys

import pytest

from support.books import REPO

pytestmark = [pytest.mark.peers, pytest.mark.slow]


def test_benchmark_runner_at_size_s(tmp_path):
    table = tmp_path / "results.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks/run.py"),
            "--sizes",
            "S",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--workdir",
            str(tmp_path / "work"),
            "--table",
            str(table),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [line for line in table.read_text().splitlines() if line.startswith("| S (1 run) |")]
    assert [row.split("|")[2].strip() for row in rows] == ["logbook", "hugo", "hugo+pagefind", "mkdocs", "pelican"]
    check = subprocess.run(
        [sys.executable, "-m", "logbook", "check", str(tmp_path / "work/S/logbook")], capture_output=True, text=True
    )
    assert check.returncode == 0 and "0 errors, 0 warnings" in check.stderr
    linear = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks/linear.py"),
            "--rounds",
            "1",
            "--sizes",
            "S,S",
            "--workdir",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert linear.returncode == 0, linear.stderr[-3000:]
    assert linear.stdout.count("S cold ") == 3 and "S / S = " in linear.stdout
