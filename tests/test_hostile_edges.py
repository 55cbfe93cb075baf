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


# --- 10: special files in every role ------------------------------------------------------------------

BUNDLE = {"cases/b/case.md": CASE.format(title="bundle"),
          "cases/b/01.md": "---\nat: 2026-01-05 10:00\nchannel: email\ndirection: in\nattachments: [scan.pdf]\n---\nHi\n",
          "cases/b/scan.pdf": b"%PDF-1.4 scan\n",
          "cases/single.md": CASE.format(title="single"),
          "logbook.toml": "[site]\ntitle = 'Book'\n"}


def _fifo_in(root: Path, rel: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    os.mkfifo(path)


@pytest.mark.parametrize("role, rel, published", [
    ("single-file case", "cases/single.md", False),
    ("bundle's case.md", "cases/b/case.md", False),
    ("interaction file", "cases/b/01.md", False),
    ("attachment", "cases/b/scan.pdf", False),
    ("logbook.toml", "logbook.toml", False),
    ("new .md file", "cases/fifo.md", False),
    ("theme file", "themes/mine/static/extra.css", True),
])
def test_a_fifo_in_any_role_never_blocks_check_or_a_cached_build(logbook_dir, tmp_path, role, rel, published):
    """Each run in a child process with a timeout: before, the cached build blocked forever reading the FIFO."""
    root = logbook_dir(BUNDLE)
    _fifo_in(root, rel)
    for args in (["check", str(root)], ["build", str(root), "--out", str(tmp_path / "site"), "--as-of", "2026-02-01"],
                 ["build", str(root), "--out", str(tmp_path / "site"), "--as-of", "2026-02-02"]):
        proc = run_module(args)  # run_module's timeout turns a hang into a failure
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode == (0 if published else 1), (role, args[0], proc.stdout, proc.stderr)
    assert (tmp_path / "site" / "index.html").is_file() == published


@pytest.mark.parametrize("name", ["build.pickle", "site.pickle"])
def test_a_fifo_as_the_cache_file_is_ignored(logbook_dir, tmp_path, name):
    from logbook.cache import cache_file
    root = logbook_dir(BUNDLE).resolve()
    target = cache_file(root).with_name(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(target)
    proc = run_module(["build", str(root), "--out", str(tmp_path / "site"), "--as-of", "2026-02-01"])
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr


def test_a_regular_file_swapped_for_a_fifo_is_refused_by_the_reader_itself(tmp_path):
    """The variant: read_regular checks the opened file, not only the name looked at before."""
    from logbook.textfile import FileTooLarge, NotRegularFile, read_regular
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFile):
        read_regular(tmp_path / "pipe")
    with pytest.raises(NotRegularFile):
        read_regular("/dev/zero")  # a device that never ends
    (tmp_path / "big").write_bytes(b"x" * 100)
    with pytest.raises(FileTooLarge):
        read_regular(tmp_path / "big", limit=99)
    assert read_regular(tmp_path / "big", limit=100) == b"x" * 100


# --- 11: crafted cache files --------------------------------------------------------------------------

HUGE_STRING = b"\x80\x05\x8d" + (2 ** 62).to_bytes(8, "little")  # BINUNICODE8: "2**62 bytes follow"


def _run_code_pickle(marker: Path) -> bytes:
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))
    return pickle.dumps({"format": 5, "version": "x", "evil": Evil()})


def _crafted(root: Path, content: bytes, *names: str) -> None:
    from logbook.cache import cache_file
    for name in names:
        target = cache_file(root.resolve()).with_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


@pytest.mark.parametrize("name", ["build.pickle", "site.pickle"])
def test_a_cache_announcing_a_huge_string_is_ignored(logbook_dir, tmp_path, name):
    root = logbook_dir(BUNDLE)
    _crafted(root, HUGE_STRING, name)
    for _ in range(2):
        result = build(root, tmp_path / "site", as_of="2026-02-01")
        assert result.published, result.diagnostics


def test_a_cache_cannot_run_code(logbook_dir, tmp_path):
    marker = tmp_path / "ran"
    root = logbook_dir(BUNDLE)
    _crafted(root, _run_code_pickle(marker), "build.pickle", "site.pickle")
    assert build(root, tmp_path / "site", as_of="2026-02-01").published
    assert not marker.exists()


def test_a_cache_of_the_right_version_but_the_wrong_shape_is_ignored(logbook_dir, tmp_path):
    """The variant: a file logbook could have written, but whose tables hold the wrong things."""
    import pickle

    from logbook import __version__
    from logbook.cache import FORMAT
    root = logbook_dir(BUNDLE)
    head = {"format": FORMAT, "version": __version__}
    _crafted(root, pickle.dumps({**head, "stamps": {"cases/single.md": 5}, "parsed": [], "messages": {"k": 1},
                                 "analysed": {}}), "build.pickle")
    _crafted(root, pickle.dumps({**head, "last_site": {str(tmp_path / "site"): ("x", (None, None), "published")}}),
             "site.pickle")
    assert build(root, tmp_path / "site", as_of="2026-02-01").published
    assert build(root, tmp_path / "site", as_of="2026-02-01").published  # and the cache it wrote is good


def test_a_damaged_cache_entry_is_parsed_again(logbook_dir, tmp_path):
    """A cache file that reads well, but whose packed parse of a case does not: that case is parsed again."""
    import pickle

    from logbook.cache import cache_file
    root = logbook_dir(BUNDLE)
    assert build(root, tmp_path / "site", as_of="2026-02-01").published
    path = cache_file(root.resolve())
    state = pickle.loads(path.read_bytes())
    state["parsed"] = {key: (b"x\x9c not zlib", consulted) for key, (_, consulted) in state["parsed"].items()}
    state["messages"] = {key: b"not zlib either" for key in state["messages"]}
    path.write_bytes(pickle.dumps(state))
    (tmp_path / "site" / "index.html").unlink()  # so that the build does not stop at "nothing changed"
    result = build(root, tmp_path / "site", as_of="2026-02-01")
    assert result.published and (tmp_path / "site" / "cases" / "b" / "index.html").is_file()


def test_inflate_refuses_an_entry_that_grows_past_its_bound():
    import zlib

    from logbook.reuse import inflate
    bomb = zlib.compress(b"\0" * 10_000_000)
    assert len(bomb) < 20_000
    with pytest.raises(ValueError):
        inflate(bomb, limit=1_000_000)
    assert inflate(zlib.compress(b"page")) == b"page"
