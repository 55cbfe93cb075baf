"""The bounded CLI fuzz run (the long one: python tests/fuzz_cli.py --examples 2000), and the
command lines that once ended in a traceback, each run through the same checks."""

from __future__ import annotations

import pytest

from support.cli_fuzz import Scratch, check_one, run

pytestmark = pytest.mark.serve


@pytest.fixture(scope="module")
def scratch():
    made = Scratch()
    yield made
    made.remove()


@pytest.mark.parametrize(
    "words",
    [
        ["export", "GT-1042", "--zip", "/missing/dir/x.zip"],
        ["export", "GT-1042", "--zip", "cases"],
        ["export", "GT-1042", "--zip", ""],
        ["export", "GT-1042", "--zip", "../decoys/device", "--force"],
        ["export", "GT-1042", "--pdf", "../decoys/fifo", "--force"],
        ["export", "GT-1042", "--zip", "logbook.toml", "--force"],
        ["export", "GT-1042", "--zip", "cases/skyways-lost-bag.md"],
        ["export", "GT-1042", "--zip", "../decoys/passwd"],
        ["schema", "--out", "/etc/passwd"],
        ["schema", "--out", "../decoys/passwd"],
        ["build", "--out", ""],
        ["build", "--out", "../decoys/folder"],
        ["serve", "--port", "70000"],
        ["serve", "--port", "-5"],
        ["serve", "--host", "999.1.1.1"],
        ["serve", "--out", "/"],
        ["serve", "--out", "cases"],
        # found by the long fuzz run: a folder named like an option, control characters echoed
        ["init", "-1"],
        ["build", "\x1c\x13", "--no-cache"],
        ["audit", "M\x1b\x03\tW\x0c"],
        ["audit", "--as-of", "p.pdf", "\u00ca\x1c", "-5"],
        ["export", "GT-1042", "--zip", "a\nb/x.zip"],
        ["build", "--as-of", "2026-03-29T02:30", "--no-cache"],  # in the sample's zone, a daylight-saving gap
        ["init", "cases/GT-1042/case.md"],
        ["new", "a" * 300, "--title", "t"],
        ["schema", "-C", "..", "--out", "cases/GT-1042"],  # the cases/ of the logbook the target is in
        ["export", "GT-1042", "-C", ".", "--zip", "../book/cases/GT-1042/p.zip"],
        ["schema", "--out", "../decoys/folder/", "case"],  # new files beside someone's: allowed, theirs untouched
    ],
)
def test_command_lines_that_once_crashed_or_destroyed(scratch, words):
    assert check_one(words, scratch) == []


def test_serve_on_every_address_starts_and_stops(scratch):
    assert check_one(["serve", "--host", "::", "--port", "0"], scratch) == []


def test_bounded_fuzz_over_every_subcommand():
    count, failures, _ = run(60, seed_value=20261201)
    assert count == 60 and failures == []


def test_bounded_fuzz_over_serve():
    count, failures, _ = run(6, seed_value=20261201, commands=("serve",))
    assert count == 6 and failures == []
