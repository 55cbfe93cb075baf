"""Fuzzing the command line: generated argv for every subcommand, run against a real logbook.

    python tests/fuzz_cli.py --examples 2000 [--seed 1] [--jobs 2]   (the script runs main() here)

The subcommands and their options are read from logbook's own argument parser, so a new
subcommand is fuzzed without a change here.  Values come from a list of hostile ones (paths to
folders, devices, FIFOs, links, files of the logbook and decoy files outside it; missing and
over-long paths; ports and hosts out of range; impossible dates) and from random text.  Each
argv runs in-process on a fresh copy of the sample logbook (``serve`` in a subprocess, stopped
with Ctrl-C once it serves).  Every run must:

* end with exit status 0, 1 or 2, and no traceback on stderr (a usage error: one line);
* leave the decoy files (a regular file, a FIFO, a device node as root, a link, a folder of
  someone's files) as they were (a new file in a folder named as an output is allowed),
  and, except for the commands that write records (init, new, add, followup), every byte of
  the logbook's own files too.

A crash found here becomes a regression test.  The bounded run is tests/test_cli_fuzz.py.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from logbook import cli
from support import tiers

SAMPLE = Path(__file__).resolve().parents[2] / "sample_cases"
WRITERS = frozenset({"init", "new", "add", "followup"})  # commands whose job is to write records
CASE_IDS = ["GT-1042", "skyways-lost-bag", "neighbour-parcel-notes", "gt-1042", "NOPE", "../GT-1042", "GT-1042/"]
PATHS = [
    "",
    " ",
    ".",
    "..",
    "@ROOT",
    "-",
    "--",
    "cases",
    "cases/",
    "cases/GT-1042",
    "cases/GT-1042/case.md",
    "cases/skyways-lost-bag.md",
    "cases/new.zip",
    "logbook.toml",
    "themes",
    "_site",
    "_site/index.html",
    "@ROOT/missing/dir/x.zip",
    "missing/x.zip",
    "../decoys",
    "../decoys/passwd",
    "../decoys/fifo",
    "../decoys/device",
    "../decoys/link",
    "../decoys/folder",
    "../decoys/folder/",
    "../out/p.zip",
    "../out/p.pdf",
    "../out",
    "a" * 300,
    "a" * 300 + ".zip",
    "x/" * 60 + "y",
    "\N{SNOWMAN}.zip",
    "p.zip",
    "p.pdf",
    "~",
    "$HOME",
    "/dev/null/x",
    "/proc/self/x",
]
# "@ROOT" stands for "/" (a folder of someone else's files, reached by an absolute path), made a
# folder inside the scratch space: the harness runs as root on CI, and must never write outside it.
ROOT_TOKEN = "@ROOT"
NUMBERS = ["-5", "-1", "0", "1", "80", "8000", "65535", "65536", "70000", "9" * 40, "1e3", "0x10", "١٢", "", "nan"]
HOSTS = [
    "127.0.0.1",
    "localhost",
    "::1",
    "[::1]",
    "::",
    "0.0.0.0",
    "999.1.1.1",
    "1.2.3",
    "192.0.2.1",
    "no-such-host.invalid",
    "",
    "::::",
    "[",
    "a" * 300,
    "127.0.0.1:80",
]
DATES = [
    "2026-11-22",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "2026-01-01T25:00",
    "2026-03-29T02:30",
    "2026-01-01T10:00+99:00",
    "soon",
    "",
    "1e9",
    "2026-13-01",
    "-2026-01-01",
    "2026-01-01T10:00:00Z",
]
ANY_TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40)
VALUES = st.one_of(
    st.sampled_from(PATHS),
    st.sampled_from(NUMBERS),
    st.sampled_from(HOSTS),
    st.sampled_from(DATES),
    st.sampled_from(CASE_IDS),
    ANY_TEXT,
)


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    return dict(action.choices)


def _value_for(action: argparse.Action) -> st.SearchStrategy[str]:
    known = [str(c) for c in action.choices] if action.choices else []
    by_name = {"port": NUMBERS, "host": HOSTS, "as_of": DATES, "at": DATES, "case_id": CASE_IDS}.get(action.dest, [])
    pools = [st.sampled_from(pool) for pool in (known, by_name) if pool]
    return st.one_of(*pools, st.sampled_from(PATHS), VALUES) if pools else st.one_of(st.sampled_from(PATHS), VALUES)


@st.composite
def argv(draw: st.DrawFn) -> list[str]:
    """A command line: a subcommand, some of its options (with hostile values), its positionals."""
    commands = subcommands()
    name = draw(st.sampled_from(sorted(commands)))
    words = [name]
    actions = [a for a in commands[name]._actions if a.dest != "help"]  # noqa: SLF001
    needed = [a for a in actions if a.required or (not a.option_strings and a.nargs is None)]
    chosen = draw(st.lists(st.sampled_from(actions), max_size=5)) if actions else []
    if draw(st.integers(0, 3)):  # mostly a command line that gets past argparse's own checks
        chosen = [*needed, *chosen]
    for action in chosen:
        if not action.option_strings:
            words.append(draw(_value_for(action)))
            continue
        words.append(draw(st.sampled_from(action.option_strings)))
        if action.nargs != 0:
            for _ in range(draw(st.integers(1, 2)) if action.nargs in ("+", "*") else 1):
                words.append(draw(_value_for(action)))
    if draw(st.integers(0, 9)) == 0:
        words.insert(draw(st.integers(1, len(words))), draw(VALUES))  # a stray word anywhere
    return words


@dataclass(frozen=True)
class Outcome:
    code: object
    stderr: str
    crash: str | None = None


class Scratch:
    """A fresh logbook (a copy of the sample) beside decoy files, for each run."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="logbook-cli-fuzz-"))
        self.book = self.base / "book"
        decoys = self.base / "decoys"
        decoys.mkdir()
        (decoys / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
        os.mkfifo(decoys / "fifo")
        os.symlink(decoys / "passwd", decoys / "link")
        (decoys / "folder").mkdir()
        (decoys / "folder" / "thesis.docx").write_text("mine")
        (decoys / "root" / "etc").mkdir(parents=True)
        (decoys / "root" / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
        if os.geteuid() == 0:
            os.mknod(decoys / "device", stat.S_IFCHR | 0o666, os.makedev(1, 7))  # like /dev/full
        self.decoys = decoys
        os.environ["XDG_CACHE_HOME"] = str(self.base / "cache")  # never the user's build cache
        os.environ.pop("EDITOR", None)
        os.environ.pop("VISUAL", None)

    def reset(self) -> None:
        shutil.rmtree(self.book, ignore_errors=True)
        shutil.rmtree(self.base / "out", ignore_errors=True)
        shutil.copytree(SAMPLE, self.book, ignore=shutil.ignore_patterns("_site", "._site.lock"))
        (self.base / "out").mkdir()

    def files(self, folder: Path) -> dict[str, tuple[int, bytes | None]]:
        taken = {}
        for path in sorted(folder.rglob("*")):
            st_ = os.lstat(path)
            regular = stat.S_ISREG(st_.st_mode)
            taken[path.relative_to(folder).as_posix()] = (
                stat.S_IFMT(st_.st_mode),
                path.read_bytes() if regular else None,
            )
        return taken

    def sources(self) -> dict[str, tuple[int, bytes | None]]:
        return {**self.files(self.book / "cases"), "logbook.toml": self.files(self.book).get("logbook.toml", (0, None))}

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def run_in_process(words: list[str], cwd: Path) -> Outcome:
    """main(argv) with the current folder set, stdin empty and both streams captured."""
    err, out = io.StringIO(), io.StringIO()
    before = Path.cwd()
    stdin = sys.stdin
    os.chdir(cwd)
    sys.stdin = io.StringIO("")
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code: object = cli.main(words)
            except SystemExit as exc:
                code = exc.code
    except BaseException as exc:  # noqa: BLE001 - what the user would see as a traceback
        import traceback

        return Outcome(None, err.getvalue(), "".join(traceback.format_exception(exc))[-3000:])
    finally:
        sys.stdin = stdin
        os.chdir(before)
    return Outcome(code, err.getvalue())


def run_serve(words: list[str], cwd: Path, patience: float = 30) -> Outcome:
    """serve as a subprocess; once it says it serves, Ctrl-C (it must stop with 0)."""
    tiers.require("serve")
    proc = subprocess.Popen(
        [sys.executable, "-m", "logbook", *words],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    import threading

    reader = threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in proc.stderr), daemon=True)
    reader.start()
    deadline = time.monotonic() + patience
    while proc.poll() is None and time.monotonic() < deadline and not any(" at http" in line for line in lines):
        time.sleep(0.05)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return Outcome(None, "\n".join(lines), "serve did not stop on Ctrl-C")
    reader.join(timeout=5)
    if proc.stderr is not None and not reader.is_alive():
        proc.stderr.close()  # left to the collector, the pipe is a ResourceWarning: an error in the tests
    return Outcome(proc.returncode, "\n".join(lines))


def problems(words: list[str], outcome: Outcome) -> list[str]:
    """What is wrong with one run's outcome (empty: nothing)."""
    found = []
    if outcome.crash:
        found.append(f"crash: {outcome.crash}")
    if outcome.code not in (0, 1, 2, None) or (outcome.code is None and not outcome.crash):
        found.append(f"exit status {outcome.code!r}")
    if "Traceback" in outcome.stderr:
        found.append(f"traceback on stderr: {outcome.stderr[-2000:]}")
    if outcome.code == 2:
        lines = [line for line in outcome.stderr.splitlines() if line.strip()]
        if len(lines) != 1:
            found.append(f"usage error in {len(lines)} lines: {lines[:5]}")
    return found


def check_one(words: list[str], scratch: Scratch, tally: dict | None = None) -> list[str]:
    """Run one argv on a fresh logbook; the problems found (with the argv).  *tally* counts the
    runs by command and exit status."""
    scratch.reset()
    words = [word.replace(ROOT_TOKEN, str(scratch.decoys / "root")) for word in words]
    decoys, sources = scratch.files(scratch.decoys), scratch.sources()
    serving = words[0] == "serve" and "-h" not in words and "--help" not in words
    outcome = run_serve(words, scratch.book) if serving else run_in_process(words, scratch.book)
    found = problems(words, outcome)
    if tally is not None:
        tally[(words[0], outcome.code)] = tally.get((words[0], outcome.code), 0) + 1
    after = scratch.files(scratch.decoys)
    if any(after.get(name) != kind_and_bytes for name, kind_and_bytes in decoys.items()):
        found.append("a decoy file outside the logbook was changed")  # a new file in a folder named as output is fine
    if words[0] not in WRITERS and scratch.sources() != sources:
        found.append("a file of the logbook was changed")
    return [f"{words!r}: {problem}" for problem in found]


def run(examples: int, seed_value: int, commands: tuple[str, ...] = ()) -> tuple[int, list[str], dict]:
    from hypothesis import HealthCheck, Phase, given, seed, settings

    scratch = Scratch()
    count = 0
    failures: list[str] = []
    tally: dict = {}
    strategy = argv().filter(lambda w: not commands or w[0] in commands)

    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(words=strategy)
    def one(words: list[str]) -> None:
        nonlocal count
        count += 1
        failures.extend(check_one(words, scratch, tally))

    try:
        one()
    finally:
        scratch.remove()
    return count, failures, tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    import multiprocessing

    started = time.perf_counter()
    share = -(-args.examples // args.jobs)
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        results = pool.starmap(run, [(share, args.seed + job) for job in range(args.jobs)])
    total = sum(count for count, _, _ in results)
    failures = sorted({f for _, found, _ in results for f in found})
    tally: dict = {}
    for _, _, counted in results:
        for key, number in counted.items():
            tally[key] = tally.get(key, 0) + number
    print(f"cli fuzz: {total:,} command lines in {time.perf_counter() - started:.0f} s, {len(failures)} problem(s)")
    by_command: dict[str, list[str]] = {}
    for (command, code), number in sorted(tally.items(), key=str):
        by_command.setdefault(command, []).append(f"exit {code}: {number}")
    for command, counts in sorted(by_command.items()):
        print(f"  {command}: {', '.join(counts)}")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
