"""Benchmark logbook against Hugo, Hugo + Pagefind, MkDocs and Pelican on the same generated content.

    python benchmarks/run.py --sizes S,M,L [--runs 3] [--warmup 1] [--peers hugo,hugo+pagefind,mkdocs,pelican] \
        [--large-peers hugo] [--large-runs 1] [--git] [--table benchmarks/RESULTS.md]

For each size the corpus is generated once per layout (benchmarks/gen_corpus.py, seeded, the
same content in each).  Then, run after run, tools alternating, each tool does:

* cold: a full build into an empty output folder (and, for logbook, with an empty build cache);
* no change: the same build again over its own output;
* one edit: one interaction file changed (a sentence appended), then rebuilt;
* a day later: for logbook the build with the next day's ``--as-of`` (the peers have no clock:
  for them one more build); logbook's other builds are all ``--as-of 2026-01-01``;

timed as whole processes (wall clock; before each cold build the disk is settled and, where
allowed, the page cache dropped and the inputs read back: see settle()); then the cold build once more, untimed, for its peak memory
(see peak_memory(): sampling a process's memory slows it down, logbook's forked workers by about
15 %, so no timed build is sampled).  The first run of each tool is a warm-up and not counted.  Medians and logbook/peer ratios
are printed as a Markdown table, with the machine and date, and added to the end of --table (the
file's earlier tables are kept: RESULTS.md is a history).
With ``--git`` logbook's corpus is committed to a git repository first, as a logbook is kept, so its
builds read provenance from git (the edit stays uncommitted, as while someone is writing); the peers'
layouts have nothing to read from git.
Not a test: timings are never asserted; tests/test_benchmark_smoke.py only checks it runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

SIZES = {"S": (100, 10), "M": (1000, 10), "L": (10000, 10)}
SCENARIOS = ("cold", "no change", "one edit", "a day later")
NEXT_DAY = "2026-01-02"  # logbook's --as-of for "a day later" (every other build is as of 2026-01-01)
BIN = Path(sys.executable).parent


def command(tool: str, source: Path, out: Path, as_of: str = "2026-01-01") -> list[str]:
    """The build command; *as_of* is logbook's (the peers have no clock: a day later is just another run)."""
    if tool == "logbook":
        return [sys.executable, "-m", "logbook", "build", str(source), "--out", str(out), "--as-of", as_of]
    if tool == "hugo":
        return [str(BIN / "hugo"), "--quiet", "-s", str(source), "-d", str(out)]
    if tool == "hugo+pagefind":
        # the same job as logbook's searchable site: Hugo draws the pages, Pagefind indexes them
        hugo = command("hugo", source, out)
        pagefind = [sys.executable, "-m", "pagefind", "--site", str(out), "--silent"]
        return ["/bin/sh", "-c", f"{shlex.join(hugo)} && {shlex.join(pagefind)}"]
    if tool == "mkdocs":
        return [str(BIN / "mkdocs"), "build", "-q", "-f", str(source / "mkdocs.yml"), "-d", str(out)]
    if tool == "pelican":
        return [
            str(BIN / "pelican"),
            str(source / "content"),
            "-s",
            str(source / "pelicanconf.py"),
            "-o",
            str(out),
            "-q",
        ]
    raise ValueError(tool)


def timed(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Wall seconds of one whole process with its children."""
    return _run(args, cwd, env, sample=False)[0]


def peak_memory(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> int:
    """Peak memory (KiB) of one whole process with its children: the larger of its own peak RSS and
    the peak, sampled every 20 ms, of the PSS summed over it and its live children (logbook's
    forked workers share most of their memory with the parent; PSS counts it once).  Reading a
    process's memory map takes its lock, which its page faults wait for: never a timed run."""
    return _run(args, cwd, env, sample=True)[1]


def tool_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment each tool runs in: this one, without ``PYTHONDONTWRITEBYTECODE`` (some shells
    set it; a user's install has the bytecode pip wrote, and without it every run of logbook, and
    of Pagefind's Python launcher, would compile its modules from source again)."""
    base = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**base, **(env or {})}


def _run(args: list[str], cwd: Path, env: dict[str, str] | None, sample: bool) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=tool_environment(env))
    peak = [0]
    done = threading.Event()

    def sampling() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], tree_pss(proc.pid) or 0)

    sampler = threading.Thread(target=sampling, daemon=True) if sample else None
    if sampler is not None:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    done.set()
    if sampler is not None:
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    return elapsed, max(usage.ru_maxrss, peak[0])


def tree_pss(pid: int) -> int | None:
    """PSS (KiB) of a process and all its descendants now; None when a process forked or ended while
    they were read (a worker forked after its parent was read shares the parent's pages: the parent
    was counted with them all as its own, the worker then with half of them again; such a sample is
    dropped)."""
    before = _tree(pid)
    total = sum(map(_pss, before))
    return total if _tree(pid) == before else None


def _tree(pid: int) -> list[int]:
    """The process and its descendants, parents first; those gone already left out (where the kernel
    does not list children, the process alone)."""
    if not Path(f"/proc/{pid}").exists():
        return []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(p for child in children for p in _tree(int(child)))]


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def edit_target(tool: str, source: Path) -> Path:
    content = {"logbook": "cases", "hugo": "content/cases", "mkdocs": "docs/cases", "pelican": "content"}[layout(tool)]
    folder = sorted((source / content).iterdir())[len(list((source / content).iterdir())) // 2]
    return sorted(p for p in folder.glob("*.md") if not p.name.startswith(("_", "case")))[0]


def layout(tool: str) -> str:
    """The corpus form a tool reads: Hugo + Pagefind builds the Hugo corpus."""
    return "hugo" if tool == "hugo+pagefind" else tool


@dataclass
class Measurements:
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SCENARIOS})
    memory: list[int] = field(default_factory=list)


def make_cold(tool: str, source: Path, out: Path, cache: Path) -> None:
    """No output from an earlier build, and no build cache."""
    shutil.rmtree(out, ignore_errors=True)
    if tool == "mkdocs":
        shutil.rmtree(source / "site", ignore_errors=True)
    if layout(tool) == "hugo":  # Hugo's own resource cache, so a cold build is cold
        shutil.rmtree(source / "resources", ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    settle(source)


DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def may_drop_caches() -> bool:
    """Whether this process may drop the kernel's caches (as root, on Linux): the table says so."""
    return os.access(DROP_CACHES, os.W_OK)


def settle(source: Path) -> None:
    """Before a tool's cold build: what earlier builds left unwritten is written, the page cache
    dropped where this process may (as root), and the corpus and what the tools run read back in
    (the virtual environment, the interpreter and its standard library, logbook's own source).
    On the 2-core benchmark machine Hugo's kernel time grew over a series of builds and dropping
    the kernel's caches reset it (its cold build at M: 3.6 s of system time just after, 22 s after
    some twenty builds), so without this the later runs of a series were slower for reasons not theirs.
    Dropping the cache is machine-wide: run.py is a benchmark for a machine of its own."""
    os.sync()
    if not may_drop_caches():
        return  # the series runs as the machine leaves it (the table says so)
    DROP_CACHES.write_text("3\n")
    stdlib = Path(os.__file__).parent
    tops = (
        source,
        Path(sys.prefix),
        stdlib,
        Path(sys.executable).resolve(),
        Path(__file__).resolve().parents[1] / "logbook",
    )
    buffer = bytearray(1 << 20)  # one small buffer: a child's ru_maxrss starts at this process's peak
    for top in tops:
        for path in [top] if top.is_file() else _files_under(top):
            try:
                with path.open("rb", buffering=0) as handle:
                    while handle.readinto(buffer):
                        pass
            except OSError:
                continue  # gone or unreadable: nothing to warm


def _files_under(top: Path) -> Iterator[Path]:
    for folder, _, names in os.walk(top):
        for name in names:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path


def committed(source: Path) -> None:
    """The corpus as one commit of a new repository (fixed names and dates: the same commit each time)."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        **{f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER") for what, value in (
            ("NAME", "Benchmark"), ("EMAIL", "bench@example.net"), ("DATE", "2025-12-31T12:00:00+00:00"))},
    }  # fmt: skip
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "the corpus"]):
        subprocess.run(["git", "-C", str(source), *args], check=True, stdout=subprocess.DEVNULL, env=env)


def generated(source: Path, cases: int, per_case: int, form: str) -> None:
    """The corpus, written by gen_corpus.py in a process of its own: its model of an L logbook is
    large, and a child started by vfork inherits this process's peak in its ru_maxrss (Linux
    copies the parent's high-water mark at exec), which would then count in every tool's memory."""
    script = Path(__file__).resolve().parent / "gen_corpus.py"
    subprocess.run(
        [
            sys.executable,
            str(script),
            "--cases",
            str(cases),
            "--per-case",
            str(per_case),
            "--form",
            form,
            "--out",
            str(source),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run_size(
    size: str, tools: list[str], runs: int, warmup: int, workdir: Path, git: bool = False
) -> dict[str, Measurements]:
    """Every tool on one corpus size, runs alternating who goes first."""
    cases, per_case = SIZES[size]
    sources = {}
    for tool in tools:
        in_git = git and tool == "logbook"
        source = workdir / size / (layout(tool) + ("-git" if in_git else ""))
        if not source.exists():
            generated(source, cases, per_case, layout(tool))
            if in_git:
                committed(source)
        sources[tool] = source
    results = {tool: Measurements() for tool in tools}
    for run in range(warmup + runs):
        order = tools[run % len(tools) :] + tools[: run % len(tools)]  # alternate who goes first
        for tool in order:
            source, out = sources[tool], workdir / size / f"{tool}-out"
            # logbook's build cache lives here and is emptied before each cold build, so "cold" means
            # no cache at all; the no-change and one-edit builds then use what the cold build left.
            cache = workdir / size / "logbook-cache"
            env = {"XDG_CACHE_HOME": str(cache)}
            make_cold(tool, source, out, cache)
            cold = timed(command(tool, source, out), source, env)
            unchanged = timed(command(tool, source, out), source, env)
            target = edit_target(tool, source)
            target.write_text(target.read_text() + f"\nEdited in benchmark run {run}.\n")
            edited = timed(command(tool, source, out), source, env)
            later = timed(command(tool, source, out, as_of=NEXT_DAY), source, env)
            make_cold(tool, source, out, cache)  # the cold build again, for its memory
            memory = peak_memory(command(tool, source, out), source, env)
            if run >= warmup:
                m = results[tool]
                m.times["cold"].append(cold)
                m.times["no change"].append(unchanged)
                m.times["one edit"].append(edited)
                m.times["a day later"].append(later)
                m.memory.append(memory)
            print(
                f"  {size} run {run + 1 - warmup if run >= warmup else 'warm-up'} {tool}: cold {cold:.2f} s, "
                f"no change {unchanged:.2f} s, one edit {edited:.2f} s, a day later {later:.2f} s, {memory / 1024:.0f} MiB",
                file=sys.stderr,
            )
    return results


def table(all_results: dict[str, dict[str, Measurements]], runs: int, git: bool = False) -> str:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {os.cpu_count()} cores ({cpu}), Python "
        f"{platform.python_version()}; medians of the runs counted under each size (after a warm-up run, unless "
        "one run only); wall-clock seconds of the whole "
        "process; ratio = logbook ÷ peer (below 1: logbook is faster); "
        + (
            "before each cold build the page cache was dropped and the inputs read back."
            if may_drop_caches()
            else "the page cache was not dropped before the cold builds (run.py was not allowed to)."
        )
        + (" logbook's corpus was committed to git (`--git`): its builds read provenance." if git else ""),
        "",
        "| size | tool | cold build | no-change rebuild | one interaction edited | a day later | peak memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for size, results in all_results.items():
        base = results.get("logbook")
        for tool, m in results.items():
            cells = []
            for scenario in SCENARIOS:
                value = statistics.median(m.times[scenario])
                cell = f"{value:.2f} s"
                if base and tool != "logbook":
                    cell += f" (×{statistics.median(base.times[scenario]) / value:.2f})"
                cells.append(cell)
            memory = statistics.median(m.memory) / 1024
            mem_cell = f"{memory:.0f} MiB" + (
                f" (×{statistics.median(base.memory) / 1024 / memory:.2f})" if base and tool != "logbook" else ""
            )
            count = len(m.times["cold"])
            lines.append(
                f"| {size} ({count} run{'s' * (count != 1)}) | {tool} | " + " | ".join(cells) + f" | {mem_cell} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="S")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument(
        "--peers", default="hugo,hugo+pagefind,mkdocs,pelican", help="comma-separated; 'none' for logbook alone"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/logbook-bench"))
    parser.add_argument("--table", type=Path, help="also add the Markdown table to the end of this file")
    parser.add_argument(
        "--large-peers", default="hugo,hugo+pagefind", help="peers also run at size L (the others take too long)"
    )
    parser.add_argument("--large-runs", type=int, help="runs at size L (default: --runs)")
    parser.add_argument("--git", action="store_true", help="logbook's corpus committed to git, as a logbook is kept")
    args = parser.parse_args()
    peers = [] if args.peers == "none" else [p for p in args.peers.split(",") if p]
    tools = ["logbook", *peers]
    all_results = {}
    for size in args.sizes.split(","):
        if size == "L":
            large = ["logbook", *(p for p in peers if p in args.large_peers.split(","))]
            runs = args.large_runs or args.runs
            warmup = 0 if args.large_runs else args.warmup
            all_results[size] = run_size(size, large, runs, warmup, args.workdir, args.git)
        else:
            all_results[size] = run_size(size, tools, args.runs, args.warmup, args.workdir, args.git)
    text = table(all_results, args.runs, args.git)
    print(text)
    if args.table:
        with args.table.open("a", encoding="utf-8") as results:
            results.write(("\n" if results.tell() else "") + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
