"""The second hostile round: inputs that once crashed check or build, or hung it, each now a
located diagnostic (escapes outside Unicode, deep TOML, huge numbers, colliding and over-long
output names, special files, crafted caches)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from logbook.build import build
from logbook.load import load_logbook

from conftest import run_module

CASE = "---\ntitle: {title}\nstatus: open\n---\n"
ENTRY = "\n## 2026-01-05 10:00 Email\nchannel: email\ndirection: in\n{extra}\nHello.\n"


def codes(root: Path) -> list[tuple[str, int, str]]:
    return [(d.location.path, d.location.line, d.code) for d in load_logbook(root).diagnostics]


# --- 5: YAML escapes outside Unicode ------------------------------------------------------------------

@pytest.mark.parametrize("escape", ["\\U00110000", "\\UFFFFFFFF", "\\U7FFFFFFF"])
def test_an_escape_outside_unicode_is_a_located_yaml_error(logbook_dir, escape):
    root = logbook_dir({"cases/a.md": CASE.format(title=f'"t{escape}"')})
    assert codes(root) == [("cases/a.md", 2, "yaml-syntax")]


def test_an_escape_outside_unicode_in_a_nested_interaction_field(logbook_dir):
    """The variant: deep in a list, in a bundle's interaction file, behind a valid case file."""
    root = logbook_dir({"cases/b/case.md": CASE.format(title="ok"),
                        "cases/b/01.md": '---\nat: 2026-01-05 10:00\nchannel: email\ndirection: in\n'
                                         'promises:\n  - what: "\\UFFFFFFFF"\n---\nBody\n'})
    assert ("cases/b/01.md", 6, "yaml-syntax") in codes(root)
    assert load_logbook(root).diagnostics[0].location.column > 1


# --- 8, 9: configuration numbers and nesting ----------------------------------------------------------

WINDOW_CASE = "---\ntitle: t\nstatus: open\nopened: 2026-01-01\nwindows:\n  - {rule: big, from: 2026-01-01}\n---\n"


def test_a_window_of_millions_of_days_is_refused_where_it_is_written(logbook_dir, tmp_path):
    root = logbook_dir({"logbook.toml": "[site]\ntitle = 'x'\n\n[windows]\nbig = { days = 3000000 }\n",
                        "cases/a.md": WINDOW_CASE})
    found = codes(root)
    assert ("logbook.toml", 5, "config-invalid") in found
    result = build(root, tmp_path / "site", as_of="2026-02-01", cache=False)  # no OverflowError
    assert not result.published


@pytest.mark.parametrize("key", ["stale_days", "warn_days", "response_hours", "followup_hours"])
def test_huge_audit_values_are_refused_and_audit_does_not_overflow(logbook_dir, key):
    """The variant: every [audit] number, through the CLI's audit (exit 1, no traceback)."""
    root = logbook_dir({"logbook.toml": f"[audit]\n{key} = 999999999999\n", "cases/a.md": WINDOW_CASE.replace(
        "windows:\n  - {rule: big, from: 2026-01-01}\n", "") + ENTRY.format(extra="")})
    assert ("logbook.toml", 2, "config-invalid") in codes(root)
    proc = run_module(["audit", str(root), "--as-of", "2026-02-01"])
    assert "Traceback" not in proc.stderr and proc.returncode in (1, 2), proc.stderr


@pytest.mark.parametrize("toml", [
    "a = " + "[" * 10000 + "]" * 10000,
    "[site]\ntitle = 'x'\nb = " + "{c = " * 5000 + "1" + "}" * 5000,
    "a = [" + "[1, " * 3000 + "]" * 3001,  # not even closed: the depth is found before the syntax
])
def test_deeply_nested_toml_is_a_located_syntax_error(logbook_dir, toml):
    root = logbook_dir({"logbook.toml": toml, "cases/a.md": CASE.format(title="t")})
    found = load_logbook(root).diagnostics
    assert [(d.location.path, d.code) for d in found] == [("logbook.toml", "config-syntax")]
    assert found[0].location.column > 1


def test_a_number_longer_than_python_reads_is_a_config_error(logbook_dir):
    root = logbook_dir({"logbook.toml": "[audit]\nstale_days = " + "9" * 5000 + "\n", "cases/a.md": CASE.format(title="t")})
    assert codes(root) == [("logbook.toml", 2, "config-syntax")]


def test_brackets_inside_toml_strings_and_comments_are_not_nesting(logbook_dir):
    deep = "[" * 40
    root = logbook_dir({"logbook.toml": f"# {deep}\n[site]\ntitle = \"{deep}\"\nkeeper = '''\n{deep}\n'''\n",
                        "cases/a.md": CASE.format(title="t")})
    assert codes(root) == []
