"""The benchmark runner works end to end at size S (a smoke test: timings are never asserted)."""

import os
import re
import subprocess
import sys

import pytest

from support.books import REPO

pytestmark = [pytest.mark.peers, pytest.mark.slow]

STAGES = {  # what benchmarks/stages.py times: each label's function must still exist and run
    "load (all)", "parse", "yaml", "source keys", "checks", "git history", "derive",
    "render (all)", "markdown", "search", "publish (rest)", "cache save", "whole build",
}  # fmt: skip


def test_benchmark_runner_at_size_s(tmp_path):
    table = tmp_path / "results.md"
    table.write_text("# Earlier results\n\nkept as they are\n")
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
    assert table.read_text().startswith("# Earlier results\n\nkept as they are\n\nMeasured ")  # added, not replaced
    rows = [line for line in table.read_text().splitlines() if line.startswith("| S (1 run) |")]
    assert [row.split("|")[2].strip() for row in rows] == ["logbook", "hugo", "hugo+pagefind", "mkdocs", "pelican"]
    check = subprocess.run(
        [sys.executable, "-m", "logbook", "check", str(tmp_path / "work/S/logbook")], capture_output=True, text=True
    )
    assert check.returncode == 0 and "0 errors, 0 warnings" in check.stderr
    stages = subprocess.run(  # it times functions by name: a rename must not leave it broken
        [sys.executable, str(REPO / "benchmarks/stages.py"), str(tmp_path / "work/S/logbook"), "--cache"],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "LOGBOOK_WORKERS": "1", "XDG_CACHE_HOME": str(tmp_path / "stages-cache")},
    )
    assert stages.returncode == 0, stages.stderr[-3000:]
    timed = {line[:16].strip() for line in stages.stdout.splitlines() if line.endswith(" s")}
    assert timed == STAGES
    for flags in ([], ["--without-index"]):
        site = tmp_path / f"share{len(flags)}"
        share = [sys.executable, str(REPO / "benchmarks/search_share.py"), str(tmp_path / "work/S/logbook"), str(site)]
        built = subprocess.run([*share, *flags], capture_output=True, text=True, timeout=900)
        assert built.returncode == 0, built.stderr[-3000:]
        assert (site / "index.html").is_file()
    made = [{str(p.relative_to(tmp_path / f"share{n}")) for p in (tmp_path / f"share{n}").rglob("*")} for n in (0, 1)]
    assert made[1] < made[0] and all(path.startswith("search/") for path in made[0] - made[1])
    assert "search/manifest.js" in made[0] and "search/index.html" in made[1]
    handover = subprocess.run(  # it swaps the records' pickled state: a renamed helper must not break it
        [sys.executable, str(REPO / "benchmarks/handover.py"), str(tmp_path / "work/S/logbook"), "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert handover.returncode == 0, handover.stderr[-3000:]
    assert handover.stdout.splitlines()[-1].startswith("pickling ×")
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


@pytest.mark.browser
def test_browser_probe_measures_a_built_site(tmp_path):
    """The probe searches the sample's order number, a word and a phrase, and measures the pages."""
    from logbook.build import build
    from support.books import SAMPLE

    out = tmp_path / "site"
    assert build(SAMPLE, out, as_of="2026-11-22").published
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks/browser_probe.py"), str(out), "--runs", "1", "--label", "S"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines()[2:]]
    searches = [row for row in rows if row[0].startswith(" search ") and "`" in row[0]]
    order, *others = [row[0].split("`")[1] for row in searches]
    assert re.fullmatch(r"[A-Z]{2,5}-\d{4,}", order) and others == ["refund", "refund promised"]
    assert all(int(row[1].replace(",", "")) > 0 and row[2].strip().endswith("KB") for row in searches)
    assert [row[0].strip().split(" ")[0] for row in rows[-3:]] == ["largest", "dashboard", "timeline"]
    assert all("DOM nodes" in row[3] and row[4].strip().startswith("load ") for row in rows[-3:])


def test_benchmark_runner_with_the_logbook_in_git(tmp_path):
    """--git: logbook's corpus is one commit of a new repository, and its builds read provenance."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks/run.py"), "--sizes", "S", "--runs", "1", "--warmup", "0"]
        + ["--peers", "none", "--git", "--workdir", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "logbook's corpus was committed to git (`--git`)" in proc.stdout
    corpus = tmp_path / "work/S/logbook-git"
    log = subprocess.run(["git", "-C", str(corpus), "log", "--format=%s"], capture_output=True, text=True)
    assert log.stdout == "the corpus\n"
    footer = (tmp_path / "work/S/logbook-out/index.html").read_text()
    assert "built from commit <code>" in footer and "provenance unavailable" not in footer
