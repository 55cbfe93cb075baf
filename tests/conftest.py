"""Shared helpers: temporary logbooks written from a dict, and the CLI run in-process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from logbook.cli import main

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_cases"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _build_cache_in_a_temporary_folder(tmp_path_factory):
    """Builds (in-process and child processes) keep their cache here, never in the user's ~/.cache."""
    import os
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


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


@pytest.fixture
def logbook_dir(tmp_path: Path):
    """Call with a {path: content} dict; returns the logbook folder (cases/ always exists)."""
    def make(files: dict[str, str | bytes], name: str = "book") -> Path:
        root = tmp_path / name
        (root / "cases").mkdir(parents=True, exist_ok=True)
        return write_tree(root, files)
    return make


@pytest.fixture
def sample_book(tmp_path: Path) -> Path:
    """A copy of the bundled sample_cases/ to change."""
    root = tmp_path / "book"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("_site"))
    return root


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def run_module(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "logbook", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def site_tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
