"""How long `logbook serve` takes to rebuild after one interaction is saved, and whether it is right.

    python benchmarks/serve_edit.py CORPUS_LOGBOOK [--edits 15] [--as-of 2026-01-01 | --as-of now] [--git]

Copies the logbook to a temporary folder, starts the real `logbook serve` on it, saves one
interaction at a time (spread over the cases, appending a line in place, as an editor does),
and reads serve's own "rebuilt in N ms" line for each save; it also times the whole way from
the save to the reload signal a browser would get (this adds the watcher and the 250 ms
debounce).  ``--as-of now`` starts serve without --as-of, as a user would (serve then judges
deadlines as of the moment it started, which the cold build is given).  With ``--git`` the copy is committed to a new git repository first, as a real
logbook would be (provenance is then read from git on every rebuild).  At the end, a cold `logbook build --no-cache` of the edited copy is compared with
the folder serve published, file by file, byte by byte.  Prints medians; not a test.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def differences(left: Path, right: Path) -> list[str]:
    """Paths that differ between two folders (missing on one side, or different bytes)."""
    found = []
    compare = filecmp.dircmp(left, right)
    stack = [(compare, "")]
    while stack:
        node, prefix = stack.pop()
        found += [prefix + name for name in node.left_only + node.right_only]
        _, mismatch, errors = filecmp.cmpfiles(node.left, node.right, node.common_files, shallow=False)
        found += [prefix + name for name in mismatch + errors]
        stack += [(sub, f"{prefix}{name}/") for name, sub in node.subdirs.items()]
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logbook", type=Path)
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--as-of", default="2026-01-01")
    parser.add_argument("--git", action="store_true", help="commit the copy to a git repository first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="logbook-serve-bench-") as scratch:
        book = Path(scratch) / "book"
        shutil.copytree(args.logbook, book, ignore=shutil.ignore_patterns("_site"))
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "XDG_CACHE_HOME": str(Path(scratch) / "cache")}
        if args.git:
            git = [
                "git",
                "-C",
                str(book),
                "-c",
                "user.name=Bench",
                "-c",
                "user.email=bench@example.net",
                "-c",
                "gc.auto=0",
            ]
            for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "corpus"]):
                subprocess.run(
                    [*git, *command],
                    check=True,
                    env={
                        **env,
                        "GIT_COMMITTER_DATE": "2025-12-01T00:00:00Z",
                        "GIT_AUTHOR_DATE": "2025-12-01T00:00:00Z",
                    },
                )
        fixed = [] if args.as_of == "now" else ["--as-of", args.as_of]
        serve = subprocess.Popen(
            [sys.executable, "-m", "logbook", "serve", str(book), "--port", "0", *fixed],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        lines: list[tuple[float, str]] = []
        reader = threading.Thread(
            target=lambda: [lines.append((time.perf_counter(), line.rstrip())) for line in serve.stderr], daemon=True
        )  # type: ignore[union-attr]
        reader.start()

        def wait_for(pattern: str, after: int, timeout: float = 600) -> tuple[float, str]:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                for stamp, line in lines[after:]:
                    if re.search(pattern, line):
                        return stamp, line
                if serve.poll() is not None:
                    raise SystemExit(f"serve stopped: {[line for _, line in lines]}")
                time.sleep(0.005)
            raise SystemExit(f"timed out waiting for {pattern!r}")

        try:
            _, first = wait_for(r"rebuilt in|build failed", 0)
            wait_for(r"serving ", 0)
            if not fixed:
                args.as_of = re.search(r"deadlines judged as of (\S+),", wait_for(r"deadlines judged as of", 0)[1])[1]
            print(f"first build: {first}", flush=True)
            cases = sorted(p for p in (book / "cases").iterdir() if p.is_dir())
            step = max(1, len(cases) // args.edits)
            rebuilds, latencies = [], []
            for n in range(args.edits):
                folder = cases[(n * step + n) % len(cases)]
                target = sorted(p for p in folder.glob("*.md") if p.name != "case.md")[n % 3]
                time.sleep(1.0)  # a person between saves; lets the watcher settle
                seen = len(lines)
                saved = time.perf_counter()
                with target.open("a", encoding="utf-8") as handle:
                    handle.write(f"\nEdited in benchmark step {n}.\n")
                stamp, line = wait_for(r"rebuilt in (\d+) ms|build failed", seen)
                match = re.search(r"rebuilt in (\d+) ms", line)
                if match is None:
                    raise SystemExit(f"a rebuild failed: {line}")
                rebuilds.append(int(match[1]))
                latencies.append((stamp - saved) * 1000)
                print(
                    f"edit {n + 1:2d}: {target.relative_to(book)}: rebuilt in {rebuilds[-1]} ms "
                    f"(save to reload signal {latencies[-1]:.0f} ms)",
                    flush=True,
                )
        finally:
            serve.send_signal(signal.SIGINT)
            serve.wait(timeout=60)
        cold = Path(scratch) / "cold"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "logbook",
                "build",
                str(book),
                "--out",
                str(cold),
                "--as-of",
                args.as_of,
                "--no-cache",
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        different = differences(book / "_site", cold)
        print(
            f"median rebuild (serve's timer) over {len(rebuilds)} edits: {statistics.median(rebuilds):.0f} ms "
            f"(min {min(rebuilds)}, max {max(rebuilds)})"
        )
        print(
            f"median save to reload signal: {statistics.median(latencies):.0f} ms (watcher and 250 ms debounce "
            "included)"
        )
        print(
            "published site vs cold build: "
            + ("byte-identical" if not different else f"{len(different)} files differ: {different[:10]}")
        )
        return 0 if not different else 1


if __name__ == "__main__":
    raise SystemExit(main())
