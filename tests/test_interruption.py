"""Killing a build at any moment leaves the old site or the new one, whole; two builds never interleave."""

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from logbook.build import build
from logbook.site.publish import PublishError, publish_lock
from support.books import site_tree, write_tree

AS_OF = "2026-02-01"


def make_book(root: Path, version: str) -> Path:
    files = {}
    for n in range(40):
        files[f"cases/C-{n:02d}/case.md"] = f"---\ntitle: Case {n} version {version}\nstatus: open\n---\n"
        for k in range(4):
            files[f"cases/C-{n:02d}/m{k}.md"] = (
                f"---\nat: 2026-01-{k + 1:02d} 10:00Z\nchannel: email\ndirection: in\n"
                f"---\n" + f"Message {k} of case {n}, version {version}.\n" * 3
            )
    return write_tree(root, files)


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_a_whole_site(tmp_path):
    versions = {}
    for version in ("A", "B"):  # the two whole sites a reader may ever see
        make_book(tmp_path / f"ref-{version}", version)
        assert build(tmp_path / f"ref-{version}", tmp_path / f"site-{version}", as_of=AS_OF).published
        versions[version] = site_tree(tmp_path / f"site-{version}")
    book, out = tmp_path / "book", tmp_path / "book-site"
    make_book(book, "A")
    assert build(book, out, as_of=AS_OF).published
    started = time.perf_counter()
    command = [sys.executable, "-m", "logbook", "build", str(book), "--out", str(out), "--as-of", AS_OF, "--no-cache"]
    subprocess.run(command, check=True, capture_output=True)  # whole builds: the cache would make them too short to hit
    full = time.perf_counter() - started
    rng = random.Random(20261122)
    seen = set()
    current = "A"
    trial = 0
    while trial < 14 or (seen != {"old", "new"} and trial < 40):  # both outcomes, however slow this machine is today
        target = "B" if current == "A" else "A"
        make_book(book, target)
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, full * (1.1 + trial / 10)))  # the window widens: a loaded machine builds slower
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        tree = site_tree(out)
        state = next((name for name, expected in versions.items() if tree == expected), None)
        assert state in (current, target), f"trial {trial}: the site is neither the old nor the new one, whole"
        seen.add("old" if state == current else "new")
        current = state
        trial += 1
    assert seen == {"old", "new"}  # the kills landed both before and after the swap
    make_book(book, "B")
    assert build(book, out, as_of=AS_OF).published  # and the next build cleans up after the killed ones
    assert site_tree(out) == versions["B"]
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name] == []


def test_a_second_build_on_the_same_output_waits_its_turn_with_a_clear_message(tmp_path):
    book = make_book(tmp_path / "book", "A")
    out = tmp_path / "site"
    assert build(book, out, as_of=AS_OF).published
    before = site_tree(out)
    make_book(book, "B")  # a real change: an unchanged logbook would be skipped before publishing
    with publish_lock(out.resolve()):
        with pytest.raises(PublishError, match="another logbook build is publishing"):
            build(book, out, as_of=AS_OF)
        proc = subprocess.run(
            [sys.executable, "-m", "logbook", "build", str(book), "--out", str(out), "--as-of", AS_OF],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 1 and "another logbook build is publishing" in proc.stderr
    assert site_tree(out) == before
    assert build(book, out, as_of=AS_OF).published
