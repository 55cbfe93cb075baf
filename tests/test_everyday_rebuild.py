"""The everyday rebuild: ``logbook build`` without --as-of (as people and cron run it) judges as of the
last midnight in the logbook's zone, so that building again the same day changes nothing, and a day
later gives exactly the site a cold build with that day's --as-of gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from logbook.build import build, everyday_as_of
from logbook.cli import main
from logbook.load.config import load_config
from logbook.speed.cache import LIBRARIES, dist_info_versions
from support.books import site_tree


@pytest.fixture
def book(sample_book: Path) -> Path:
    return sample_book


def _files(out: Path) -> dict[str, tuple[int, int]]:
    """Every published file's inode and mtime: a file drawn and published again gets new ones."""
    found = {}
    for folder, _, names in os.walk(out):
        for name in names:
            st = os.lstat(Path(folder) / name)
            found[str(Path(folder, name).relative_to(out))] = (st.st_ino, st.st_mtime_ns)
    return found


def _cold(book: Path, tmp_path: Path, as_of: str) -> dict[str, bytes]:
    out = tmp_path / f"cold-{as_of}"
    shutil.rmtree(out, ignore_errors=True)
    assert build(book, out, as_of=as_of, cache=False).published
    return site_tree(out)


def test_without_as_of_a_build_is_as_of_the_last_midnight_in_the_logbook_s_zone():
    assert everyday_as_of("Europe/Berlin", datetime(2026, 6, 1, 15, 0, tzinfo=UTC)) == "2026-05-31"
    # 23:30 UTC is already the next day in Berlin (and still the same day in New York)
    assert everyday_as_of("Europe/Berlin", datetime(2026, 6, 1, 23, 30, tzinfo=UTC)) == "2026-06-01"
    assert everyday_as_of("America/New_York", datetime(2026, 6, 1, 23, 30, tzinfo=UTC)) == "2026-05-31"
    assert everyday_as_of("No/Such_Zone", datetime(2026, 6, 1, 23, 30, tzinfo=UTC)) == "2026-05-31"  # as UTC


def test_a_build_without_as_of_equals_a_cold_build_as_of_yesterday(book, tmp_path):
    now = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 01:30 on 2 June in Berlin, the sample's zone
    out = tmp_path / "site"
    assert build(book, out, now=now).published
    assert site_tree(out) == _cold(book, tmp_path, "2026-06-01")
    assert 'datetime="2026-06-02T00:00:00+02:00">the end of 2026-06-01 (CEST)' in (out / "index.html").read_text()


def test_building_again_the_same_day_without_as_of_publishes_nothing_again(book, tmp_path, capsys):
    """Through the command line, with the real clock: the second build leaves every file of the site as
    it was (same inode, same mtime): nothing was drawn or published again."""
    out = tmp_path / "site"
    zone = load_config(book)[0].timezone
    day = everyday_as_of(zone)
    assert main(["build", str(book), "--out", str(out)]) == 0
    before = _files(out)
    assert main(["build", str(book), "--out", str(out)]) == 0
    if everyday_as_of(zone) != day:
        pytest.skip("midnight passed in the logbook's zone between the two builds")
    assert _files(out) == before
    assert len(before) > 40


def test_a_day_later_the_rebuild_equals_a_cold_build_with_that_day_s_as_of(book, tmp_path):
    out = tmp_path / "site"
    first = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert build(book, out, now=first).published
    assert build(book, out, now=first + timedelta(hours=8)).published  # the same day: nothing to do
    assert site_tree(out) == _cold(book, tmp_path, "2026-05-31")
    assert build(book, out, now=first + timedelta(days=1)).published  # with the build cache of the day before
    assert site_tree(out) == _cold(book, tmp_path, "2026-06-01")


# What a build with nothing changed never needs: the libraries that parse, draw and index, and the
# stages that use them (each costs 10-30 ms to import, about as much as the whole rebuild's work).
NOT_NEEDED_UNCHANGED = {
    "jinja2",
    "markdown_it",
    "yaml",
    "stdnum",
    "Stemmer",
    "logbook.load.parse",
    "logbook.evidence.derive",
    "logbook.site.render",
}


def test_a_build_with_nothing_changed_imports_no_parsing_drawing_or_indexing_library(book, tmp_path):
    """Run as people run it (a new process, no --as-of): the first build imports them all, the
    second, with nothing changed, none of them (Python's own ``-X importtime`` list, less what the
    interpreter imports on its own here: a site hook, say)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def imported(*command: str) -> set[str]:
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", *command],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
        return {line.rsplit("|", 1)[1].strip() for line in lines}

    building = ("-m", "logbook", "build", str(book), "--out", str(tmp_path / "site"))
    own = imported("-c", "pass")
    zone = load_config(book)[0].timezone
    day = everyday_as_of(zone)
    assert NOT_NEEDED_UNCHANGED <= imported(*building) - own
    unchanged = imported(*building) - own
    if everyday_as_of(zone) != day:
        pytest.skip("midnight passed in the logbook's zone between the two builds")
    assert unchanged & NOT_NEEDED_UNCHANGED == set()
    assert "logbook.speed.cache" in unchanged
    if set(dist_info_versions()) == set(LIBRARIES):  # else the cache asks importlib.metadata, rightly
        assert "importlib.metadata" not in unchanged
