"""The second hostile round: inputs that once crashed check or build, or hung it, each now a
located diagnostic (escapes outside Unicode, deep TOML, huge numbers, colliding and over-long
output names, special files, crafted caches)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from logbook.build import build
from logbook.load.stage import load_logbook
from support.books import run_module

CASE = "---\ntitle: {title}\nstatus: open\n---\n"
ENTRY = "\n## 2026-01-05 10:00 Email\nchannel: email\ndirection: in\n{extra}\n\nHello.\n"


def codes(root: Path) -> list[tuple[str, int, str]]:
    return [(d.location.path, d.location.line, d.code) for d in load_logbook(root).diagnostics]


# --- 5: YAML escapes outside Unicode ------------------------------------------------------------------


@pytest.mark.parametrize("escape", ["\\U00110000", "\\UFFFFFFFF", "\\U7FFFFFFF"])
def test_an_escape_outside_unicode_is_a_located_yaml_error(logbook_dir, escape):
    root = logbook_dir({"cases/a.md": CASE.format(title=f'"t{escape}"')})
    assert codes(root) == [("cases/a.md", 2, "yaml-syntax")]


def test_an_escape_outside_unicode_in_a_nested_interaction_field(logbook_dir):
    """The variant: deep in a list, in a bundle's interaction file, behind a valid case file."""
    root = logbook_dir(
        {
            "cases/b/case.md": CASE.format(title="ok"),
            "cases/b/01.md": "---\nat: 2026-01-05 10:00\nchannel: email\ndirection: in\n"
            'promises:\n  - what: "\\UFFFFFFFF"\n---\nBody\n',
        }
    )
    assert ("cases/b/01.md", 6, "yaml-syntax") in codes(root)
    assert load_logbook(root).diagnostics[0].location.column > 1


# --- 8, 9: configuration numbers and nesting ----------------------------------------------------------

WINDOW_CASE = "---\ntitle: t\nstatus: open\nopened: 2026-01-01\nwindows:\n  - {rule: big, from: 2026-01-01}\n---\n"


def test_a_window_of_millions_of_days_is_refused_where_it_is_written(logbook_dir, tmp_path):
    root = logbook_dir(
        {"logbook.toml": "[site]\ntitle = 'x'\n\n[windows]\nbig = { days = 3000000 }\n", "cases/a.md": WINDOW_CASE}
    )
    found = codes(root)
    assert ("logbook.toml", 5, "config-invalid") in found
    result = build(root, tmp_path / "site", as_of="2026-02-01", cache=False)  # no OverflowError
    assert not result.published


@pytest.mark.parametrize("key", ["stale_days", "warn_days", "response_hours", "followup_hours"])
def test_huge_audit_values_are_refused_and_audit_does_not_overflow(logbook_dir, key):
    """The variant: every [audit] number, through the CLI's audit (exit 1, no traceback)."""
    root = logbook_dir(
        {
            "logbook.toml": f"[audit]\n{key} = 999999999999\n",
            "cases/a.md": WINDOW_CASE.replace("windows:\n  - {rule: big, from: 2026-01-01}\n", "")
            + ENTRY.format(extra=""),
        }
    )
    assert ("logbook.toml", 2, "config-invalid") in codes(root)
    proc = run_module(["audit", str(root), "--as-of", "2026-02-01"])
    assert "Traceback" not in proc.stderr and proc.returncode in (1, 2), proc.stderr


@pytest.mark.parametrize(
    "toml",
    [
        "a = " + "[" * 10000 + "]" * 10000,
        "[site]\ntitle = 'x'\nb = " + "{c = " * 5000 + "1" + "}" * 5000,
        "a = [" + "[1, " * 3000 + "]" * 3001,  # not even closed: the depth is found before the syntax
    ],
)
def test_deeply_nested_toml_is_a_located_syntax_error(logbook_dir, toml):
    root = logbook_dir({"logbook.toml": toml, "cases/a.md": CASE.format(title="t")})
    found = load_logbook(root).diagnostics
    assert [(d.location.path, d.code) for d in found] == [("logbook.toml", "config-syntax")]
    assert found[0].location.column > 1


def test_a_number_longer_than_python_reads_is_a_config_error(logbook_dir):
    root = logbook_dir(
        {"logbook.toml": "[audit]\nstale_days = " + "9" * 5000 + "\n", "cases/a.md": CASE.format(title="t")}
    )
    assert codes(root) == [("logbook.toml", 2, "config-syntax")]


def test_brackets_inside_toml_strings_and_comments_are_not_nesting(logbook_dir):
    deep = "[" * 40
    root = logbook_dir(
        {
            "logbook.toml": f"# {deep}\n[site]\ntitle = \"{deep}\"\nkeeper = '''\n{deep}\n'''\n",
            "cases/a.md": CASE.format(title="t"),
        }
    )
    assert codes(root) == []


# --- 10: special files in every role ------------------------------------------------------------------

BUNDLE = {
    "cases/b/case.md": CASE.format(title="bundle"),
    "cases/b/01.md": "---\nat: 2026-01-05 10:00\nchannel: email\ndirection: in\nattachments: [scan.pdf]\n---\nHi\n",
    "cases/b/scan.pdf": b"%PDF-1.4 scan\n",
    "cases/single.md": CASE.format(title="single"),
    "logbook.toml": "[site]\ntitle = 'Book'\n",
}


def _fifo_in(root: Path, rel: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    os.mkfifo(path)


@pytest.mark.parametrize(
    "role, rel, published",
    [
        ("single-file case", "cases/single.md", False),
        ("bundle's case.md", "cases/b/case.md", False),
        ("interaction file", "cases/b/01.md", False),
        ("attachment", "cases/b/scan.pdf", False),
        ("logbook.toml", "logbook.toml", False),
        ("new .md file", "cases/fifo.md", False),
        ("theme file", "themes/mine/static/extra.css", True),
    ],
)
def test_a_fifo_in_any_role_never_blocks_check_or_a_cached_build(logbook_dir, tmp_path, role, rel, published):
    """Each run in a child process with a timeout: before, the cached build blocked forever reading the FIFO."""
    root = logbook_dir(BUNDLE)
    _fifo_in(root, rel)
    for args in (
        ["check", str(root)],
        ["build", str(root), "--out", str(tmp_path / "site"), "--as-of", "2026-02-01"],
        ["build", str(root), "--out", str(tmp_path / "site"), "--as-of", "2026-02-02"],
    ):
        proc = run_module(args)  # run_module's timeout turns a hang into a failure
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode == (0 if published else 1), (role, args[0], proc.stdout, proc.stderr)
    assert (tmp_path / "site" / "index.html").is_file() == published


@pytest.mark.parametrize("name", ["build.pickle", "site.pickle"])
def test_a_fifo_as_the_cache_file_is_ignored(logbook_dir, tmp_path, name):
    from logbook.speed.cache import cache_file

    root = logbook_dir(BUNDLE).resolve()
    target = cache_file(root).with_name(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(target)
    proc = run_module(["build", str(root), "--out", str(tmp_path / "site"), "--as-of", "2026-02-01"])
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr


def test_read_regular_refuses_fifos_devices_and_files_past_its_limit(tmp_path):
    """The variant: the one reader every module uses, on its own (a device too, and a size bound)."""
    from logbook.store.textfile import FileTooLarge, NotRegularFile, read_regular

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

HUGE_STRING = b"\x80\x05\x8d" + (2**62).to_bytes(8, "little")  # BINUNICODE8: "2**62 bytes follow"


def _run_code_pickle(marker: Path) -> bytes:
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    return pickle.dumps({"format": 5, "version": "x", "evil": Evil()})


def _crafted(root: Path, content: bytes, *names: str) -> None:
    from logbook.speed.cache import cache_file

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
    from logbook.speed.cache import FORMAT, libraries

    root = logbook_dir(BUNDLE)
    head = {"format": FORMAT, "version": __version__, "libraries": libraries()}
    _crafted(
        root,
        pickle.dumps({**head, "stamps": {"cases/single.md": 5}, "parsed": [], "messages": {"k": 1}, "analysed": {}}),
        "build.pickle",
    )
    _crafted(
        root,
        pickle.dumps({**head, "last_site": {str(tmp_path / "site"): ("x", (None, None), "published")}}),
        "site.pickle",
    )
    assert build(root, tmp_path / "site", as_of="2026-02-01").published
    assert build(root, tmp_path / "site", as_of="2026-02-01").published  # and the cache it wrote is good


def test_a_damaged_cache_entry_is_parsed_again(logbook_dir, tmp_path):
    """A cache file that reads well, but whose packed parse of a case does not: that case is parsed again."""
    import pickle

    from logbook.speed.cache import cache_file

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

    from logbook.speed.reuse import inflate

    bomb = zlib.compress(b"\0" * 10_000_000)
    assert len(bomb) < 20_000
    with pytest.raises(ValueError):
        inflate(bomb, limit=1_000_000)
    assert inflate(zlib.compress(b"page")) == b"page"


# --- 6: output paths that collide ---------------------------------------------------------------------


def _diagnostics(root: Path, code: str) -> list:
    return [d for d in load_logbook(root).diagnostics if d.code == code]


@pytest.mark.parametrize(
    "files, source",
    [
        ({"cases/x.md": "---\ntitle: t\nstatus: open\nid: index.html\n---\n"}, "cases/x.md"),
        ({"cases/index.html.md": CASE.format(title="named by its file")}, "cases/index.html.md"),
        ({"cases/INDEX.HTML/case.md": CASE.format(title="a bundle, in capitals")}, "cases/INDEX.HTML/case.md"),
        ({"cases/t.md": "---\ntitle: t\nstatus: open\ntags: [index.html]\n---\n"}, "cases/t.md"),
    ],
)
def test_a_record_needing_a_folder_where_the_site_has_a_page_is_refused_by_check(logbook_dir, tmp_path, files, source):
    root = logbook_dir(files)
    found = _diagnostics(root, "output-conflict")
    assert [d.location.path for d in found] == [source]
    assert "the site's own page" in found[0].message
    proc = run_module(["build", str(root), "--out", str(tmp_path / "site")])
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "output-conflict" in proc.stdout + proc.stderr


def test_tags_equal_ignoring_case_collide_and_both_sources_are_named(logbook_dir):
    root = logbook_dir(
        {
            "cases/a.md": "---\ntitle: t\nstatus: open\ntags: [Foo]\n---\n",
            "cases/b.md": "---\ntitle: t\nstatus: open\ntags: [foo, refund]\n---\n",
            "cases/c.md": "---\ntitle: t\nstatus: open\ntags: [refund]\n---\n",
        }
    )  # the same tag twice: fine
    found = _diagnostics(root, "output-conflict")
    assert len(found) == 1
    assert found[0].location.path == "cases/b.md" and "cases/a.md" in found[0].message
    assert "'tags/foo/index.html'" in found[0].message and "'tags/Foo/index.html'" in found[0].message


def test_a_private_case_claims_no_path(logbook_dir):
    root = logbook_dir({"cases/x.md": "---\ntitle: t\nstatus: open\nid: index.html\nprivate: true\n---\n"})
    assert _diagnostics(root, "output-conflict") == []


# --- 16: agents whose ids slug alike ------------------------------------------------------------------

AGENTS = ["A-12", "a_12", "a 12", "王小明", "李四", "Maria (A-12)"]


def test_agents_whose_ids_slug_alike_get_pages_of_their_own(logbook_dir, tmp_path):
    entries = "".join(
        f"\n## 2026-01-0{n + 1} 10:00 Chat number {n}\nchannel: chat\ndirection: in\nagent: {{name: N{n}, id: '{a}'}}\n\nHi {n}\n"
        for n, a in enumerate(["A-12", "a_12", "a 12"])
    )
    entries += "".join(
        f"\n## 2026-02-0{n + 1} 10:00 Chat\nchannel: chat\ndirection: in\nagent: {a}\n\nHi {a}\n"
        for n, a in enumerate(["王小明", "李四", "Maria (A-12)", "maria (a-12)"])
    )
    root = logbook_dir({"cases/a.md": CASE.format(title="agents") + entries})
    assert load_logbook(root).diagnostics == ()
    result = build(root, tmp_path / "site", as_of="2026-03-01", cache=False)
    assert result.published
    pages = sorted(p.parent.name for p in (tmp_path / "site" / "agents").glob("*/index.html"))
    assert len(pages) == 5, pages  # A-12, Maria and maria (a-12) are one agent by id; the others distinct
    assert "a-12" in pages  # a plain id keeps its plain page name
    html = (tmp_path / "site" / "agents" / "a-12" / "index.html").read_text()
    assert "Chat number 0" in html and "Chat number 1" not in html and "Chat number 2" not in html


def test_agent_slugs_are_stable_bounded_and_plain_where_they_can_be():
    """The variant: the slug of an agent depends on that agent alone, and stays short."""
    from logbook.core.models import Agent
    from logbook.core.outputs import agent_slug

    assert agent_slug(Agent("Tom")) == "tom" and agent_slug(Agent("x", "S-9")) == "s-9"
    assert agent_slug(Agent("王小明")) != agent_slug(Agent("李四"))
    assert agent_slug(Agent("王小明")).startswith("agent-")
    long = agent_slug(Agent("x" * 5000))
    assert len(long) <= 69 and long == agent_slug(Agent("X" * 5000))
    assert agent_slug(Agent("Maria  Lopez")) == agent_slug(Agent("maria lopez")) != agent_slug(Agent("maria-lopez"))


def test_an_agent_named_like_another_agents_slug_is_an_output_conflict(logbook_dir):
    from logbook.core.models import Agent
    from logbook.core.outputs import agent_slug

    twin = agent_slug(Agent("x", "a_12"))  # 'a-12-<hash>': someone could be called exactly that
    root = logbook_dir(
        {
            "cases/a.md": CASE.format(title="t")
            + ENTRY.format(extra="agent: {name: A, id: a_12}")
            + ENTRY.format(extra=f"agent: {{name: B, id: '{twin}'}}").replace("10:00", "11:00")
        }
    )
    found = _diagnostics(root, "output-conflict")
    assert len(found) == 1 and found[0].location.line == 13 and "cases/a.md:6" in found[0].message


def test_every_interaction_of_an_agent_whose_page_collides_is_told_and_the_page_is_claimed_once(logbook_dir):
    from logbook.core.models import Agent
    from logbook.core.outputs import agent_slug
    from logbook.validate.checks import page_claims

    twin = agent_slug(Agent("x", "a_12"))
    entries = [
        ENTRY.format(extra="agent: {name: A, id: a_12}"),
        ENTRY.format(extra=f"agent: {{name: B, id: '{twin}'}}").replace("10:00", "11:00"),
        ENTRY.format(extra="agent: {name: A, id: a_12}").replace("10:00", "12:00"),
        ENTRY.format(extra=f"agent: {{name: B, id: '{twin}'}}").replace("10:00", "13:00"),
    ]
    root = logbook_dir({"cases/a.md": CASE.format(title="t") + "".join(entries)})
    found = _diagnostics(root, "output-conflict")
    assert [d.location.line for d in found] == [13, 27]  # each of B's interactions, none of A's
    assert all("cases/a.md:6" in d.message for d in found)  # the page is A's: its first interaction asked first
    claims = page_claims(load_logbook(root).logbook.cases[0])
    assert [(what, [w.line for w in where]) for _, what, _, where in claims] == [
        ("case 'a'", [1]),
        ("agent 'A (a_12)'", [6, 20]),
        (f"agent 'B ({twin})'", [13, 27]),
    ]


def test_serve_reports_an_output_conflict_an_edit_brings_and_drops_it_when_it_goes(logbook_dir):
    from logbook.speed.cache import BuildCache
    from logbook.speed.policy import ServeReuse

    root = logbook_dir({"cases/a.md": "---\ntitle: t\nstatus: open\ntags: [Foo]\n---\n"})
    reuse = ServeReuse(BuildCache(None))

    def conflicts() -> list[tuple[str, int]]:
        found = [(d.location.path, d.location.line) for d in load_logbook(root, reuse).diagnostics]
        reuse.finish(prune=True, persist=False)
        return found

    assert conflicts() == []
    (root / "cases/b.md").write_text("---\ntitle: t\nstatus: open\ntags: [foo]\n---\n")
    assert conflicts() == [("cases/b.md", 1)]
    (root / "cases/a.md").write_text("---\ntitle: t, retitled\nstatus: open\ntags: [Foo]\n---\n")
    assert conflicts() == [("cases/b.md", 1)]  # the same claims: the same diagnostics, kept
    (root / "cases/b.md").write_text("---\ntitle: t\nstatus: open\ntags: [bar]\n---\n")
    assert conflicts() == []


# --- 7: names too long to be file names ---------------------------------------------------------------


def test_a_300_character_case_id_is_refused_by_check_not_by_the_file_system(logbook_dir, tmp_path):
    root = logbook_dir({"cases/x.md": f"---\ntitle: t\nstatus: open\nid: {'a' * 300}\n---\n"})
    assert codes(root) == [("cases/x.md", 4, "name-too-long")]
    proc = run_module(["build", str(root), "--out", str(tmp_path / "site")])
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_long_tags_attachment_names_and_agents(logbook_dir, tmp_path):
    """The variants: a tag, an attachment's name (250 bytes: its exhibit would be 'N-….txt', 256 and more),
    an agent of 300 characters (whose page name is bounded instead)."""
    name = "n" * 246 + ".svg"
    root = logbook_dir(
        {
            "cases/b/case.md": f"---\ntitle: t\nstatus: open\ntags: [{'t' * 101}]\n---\n",
            f"cases/b/{name}": "<svg/>",
            "cases/b/01.md": f"---\nat: 2026-01-05 10:00\nchannel: email\ndirection: in\n"
            f"attachments: [{name}]\nagent: {'g' * 300}\n---\nHi\n",
        }
    )
    assert sorted(codes(root)) == [("cases/b/01.md", 5, "name-too-long"), ("cases/b/case.md", 1, "name-too-long")]
    (root / f"cases/b/{name}").rename(root / "cases/b/short.svg")
    (root / "cases/b/01.md").write_text((root / "cases/b/01.md").read_text().replace(name, "short.svg"))
    (root / "cases/b/case.md").write_text(CASE.format(title="t"))
    assert build(root, tmp_path / "site", as_of="2026-02-01", cache=False).published


def test_new_refuses_a_case_id_check_would_refuse(tmp_path):
    for case_id, words in (("a" * 300, "300 bytes"), ("index.html", "page of the site")):
        proc = run_module(["init", str(tmp_path / "book")]) if not (tmp_path / "book").exists() else None
        assert proc is None or proc.returncode == 0, proc.stderr
        proc = run_module(["new", case_id, "--title", "t"], cwd=tmp_path / "book")
        assert proc.returncode != 0 and words in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert [p.name for p in (tmp_path / "book" / "cases").iterdir()] == [".gitkeep"]  # only what init wrote


@pytest.mark.parametrize("key, value", [("channels", ["c" * 101]), ("statuses", ["open", "closed", "s" * 101])])
def test_configured_names_are_bounded_too(logbook_dir, key, value):
    root = logbook_dir({"logbook.toml": f"{key} = {json.dumps(value)}\n", "cases/a.md": CASE.format(title="t")})
    assert ("logbook.toml", 1, "config-invalid") in codes(root)


def test_init_beside_a_fifo_named_gitignore_stops_with_one_line(tmp_path):
    """The variant of 10 outside check and build: init appends to an existing .gitignore, never to a FIFO."""
    (tmp_path / "book").mkdir()
    os.mkfifo(tmp_path / "book" / ".gitignore")
    proc = run_module(["init", str(tmp_path / "book")])
    assert proc.returncode != 0 and "not a regular file" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("words", [10**20, 4294967296, 101])
def test_a_huge_shouting_words_count_is_refused_not_compiled(logbook_dir, words):
    """Found by the configuration fuzz (tests/fuzz.py --target config): the tone check compiled the count
    into a regex repetition, which overflows past 2**32 - 1."""
    root = logbook_dir(
        {
            "logbook.toml": f"[tone]\nshouting_words = {words}\n",
            "cases/a.md": CASE.format(title="t") + ENTRY.format(extra="").replace("direction: in", "direction: out"),
        }
    )
    assert ("logbook.toml", 2, "config-invalid") in codes(root)


@pytest.mark.parametrize("name", ["t" * 300, "loop"])
def test_a_theme_name_no_folder_can_have_is_an_unknown_theme(logbook_dir, name):
    """Found by the configuration fuzz: a 300-character theme name made is_dir raise ENAMETOOLONG;
    the variant, a theme folder that is a loop of links."""
    root = logbook_dir({"logbook.toml": f'[site]\ntheme = "{name}"\n', "cases/a.md": CASE.format(title="t")})
    (root / "themes").mkdir()
    os.symlink(root / "themes" / "loop", root / "themes" / "loop")
    os.symlink(root / "loop", root / "loop")
    assert codes(root) == [("logbook.toml", 2, "unknown-theme")]
