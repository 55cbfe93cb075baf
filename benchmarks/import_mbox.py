"""Benchmark ``logbook import`` on an mbox of 10,000 messages with attachments, and its re-import.

    python benchmarks/import_mbox.py [--messages 10000] [--runs 3] [--workdir DIR]

The mbox is made once with the standard library's email package (seeded): a thread of messages
between the keeper and a shop, each with a small PDF or PNG attachment, every tenth a reply with
quoted history, every twentieth HTML-only. Each run starts from a fresh logbook and times, as
whole processes (wall clock):

* import: ``logbook import MBOX --new-case BIG-1 --title … --me …`` (every message new);
* re-import: the same command with ``--case BIG-1`` (every message already recorded).

Medians of the runs are printed, wall-clock and CPU (user + system) seconds: on a shared
machine the wall clock also measures everyone else's load (the load average is printed). Targets (issue: "Capture conversations from where they live"):
import under 60 s, re-import under 5 s, on this machine. Not a test: timings are never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ME = "Alex Morgan <alex@example.org>"
SHOP = "Kundenservice <support@shop.example>"


def make_mbox(path: Path, count: int, seed: int = 7) -> int:
    """Write an mbox of *count* messages with attachments; return its size in bytes."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    with path.open("wb") as out:
        for n in range(count):
            msg = EmailMessage()
            mine = n % 2 == 1
            msg["From"], msg["To"] = (ME, SHOP) if mine else (SHOP, ME)
            msg["Subject"] = f"{'Re: ' if n % 10 else ''}Order GT-{100000 + n // 10} — Rückfrage {n}"
            msg["Date"] = format_datetime(start + timedelta(minutes=37 * n, seconds=rng.randrange(60)))
            msg["Message-ID"] = f"<bench-{n}@{'example.org' if mine else 'shop.example'}>"
            if n % 10:
                msg["In-Reply-To"] = f"<bench-{n - 1}@{'shop.example' if mine else 'example.org'}>"
            words = " ".join(
                rng.choice(("refund", "parcel", "damaged", "invoice", "delivery", "Grüße", "today"))
                for _ in range(rng.randrange(20, 120))
            )
            if n % 20 == 19:
                msg.set_content(f"<html><body><p>{words}</p><ul><li>item {n}</li></ul></body></html>", subtype="html")
            elif n % 10 == 5:
                msg.set_content(f"{words}\n\nOn Mon, 1 Jan 2025, Kundenservice wrote:\n> earlier text {n}\n> more\n")
            else:
                msg.set_content(words + "\n")
            if n % 3 == 0:
                data = b"%PDF-1.4\n" + rng.randbytes(rng.randrange(2000, 12000)) + b"\n%%EOF\n"
                msg.add_attachment(data, maintype="application", subtype="pdf", filename=f"invoice-{n}.pdf")
            else:
                msg.add_attachment(
                    rng.randbytes(rng.randrange(1000, 6000)),
                    maintype="image",
                    subtype="png",
                    filename=f"photo {n % 50}.png",
                )  # names repeat with other bytes: renamed
            raw = msg.as_bytes().replace(b"\nFrom ", b"\n>From ")
            out.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + raw.rstrip(b"\n") + b"\n\n")
    return path.stat().st_size


def timed(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one logbook process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "logbook", *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"logbook {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def one_run(work: Path, mbox: Path) -> tuple[tuple[float, float], tuple[float, float]]:
    book = work / "book"
    shutil.rmtree(book, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "logbook", "init", str(book)], check=True, capture_output=True)
    first = timed(
        [
            "import",
            str(mbox),
            "--new-case",
            "BIG-1",
            "--title",
            "Ten thousand emails",
            "--me",
            "alex@example.org",
            "-C",
            str(book),
        ]
    )
    again = timed(["import", str(mbox), "--case", "BIG-1", "--me", "alex@example.org", "-C", str(book)])
    return first, again


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="logbook-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    mbox = work / "bench.mbox"
    size = make_mbox(mbox, args.messages)
    print(f"mbox: {args.messages} messages, {size / 1e6:.1f} MB", flush=True)
    imports, reimports = [], []
    for run in range(1, args.runs + 1):
        first, again = one_run(work, mbox)
        imports.append(first)
        reimports.append(again)
        print(
            f"run {run}: import {first[0]:.2f} s (CPU {first[1]:.2f} s), "
            f"re-import {again[0]:.2f} s (CPU {again[1]:.2f} s); load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    print(
        f"median of {args.runs}: import {statistics.median(w for w, _ in imports):.2f} s wall, "
        f"{statistics.median(c for _, c in imports):.2f} s CPU (target < 60 s); "
        f"re-import {statistics.median(w for w, _ in reimports):.2f} s wall, "
        f"{statistics.median(c for _, c in reimports):.2f} s CPU (target < 5 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
