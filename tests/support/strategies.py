"""Hypothesis strategies for case files, logbook.toml and whole logbooks: random bytes, structure-aware
hostile text (YAML and TOML traps, escapes outside Unicode, deep nesting, huge numbers), colliding and
over-long names, and special files (FIFOs) in every role.

Shared by the property tests (tests/test_properties.py, a few hundred examples in CI) and the
long fuzz run (tests/fuzz.py, 100,000+ examples, a documented command).
"""

from __future__ import annotations

import tempfile
from datetime import UTC
from pathlib import Path

from hypothesis import strategies as st

from logbook.core.models import Config
from logbook.load.parse import parse_source
from logbook.store.discover import BundleSource, SingleSource
from logbook.validate.checks import run_checks

KEYS = [
    "title",
    "status",
    "at",
    "channel",
    "direction",
    "agent",
    "promises",
    "fulfils",
    "attachments",
    "tags",
    "opened",
    "closed",
    "summary",
    "refs",
    "amount",
    "timezone",
    "private",
    "id",
    "windows",
    "removed",
    "tone",
    "from",
    "to",
    "key",
    "x",
    "title ",
    "",
    "---",
]
ATOMS = [
    "open",
    "closed",
    "email",
    "in",
    "out",
    "no",
    "yes",
    "on",
    "~",
    "null",
    "14:03",
    "0123",
    "2026-01-16",
    "2026-01-16 14:03",
    "2026-03-29 02:30",
    "2026-10-25 02:30",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "2026-01-16T14:03:00+25:00",
    "89.99 EUR",
    "12 EURO",
    "Europe/Berlin",
    "Mars/Base",
    "../../etc/passwd",
    "/etc/passwd",
    "a\\b",
    "&a x",
    "*a",
    "!!python/object:os.system",
    "[",
    "]",
    "{",
    "}",
    "{what: x}",
    "[a, b]",
    "- x",
    "'",
    '"',
    "|",
    ">",
    "\t",
    "%YAML 1.1",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "Maria (A-12)",
    "\u202e",
    "\ufeff",
    "\u0000",
    "é",
    "😀",
    "x" * 300,
    r'"\U00110000"',
    r'"\UFFFFFFFF"',
    r'"\U0010FFFF"',
    r'"\ud83d\ude00"',
    r'"\ud83d"',
    "index.html",
    "INDEX.HTML",
    "A-12",
    "a_12",
    "a 12",
    "王小明",
    "{name: x, id: a_12}",
    "y" * 260,
]


@st.composite
def yaml_block(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        indent = " " * draw(st.sampled_from([0, 0, 0, 2, 4]))
        key = draw(st.sampled_from(KEYS))
        value = draw(st.one_of(st.sampled_from(ATOMS), st.text(max_size=20)))
        shape = draw(st.sampled_from(["{k}: {v}", "{k}:", "- {v}", "  - {k}: {v}", "{v}", "{k}: [{v}, {v}]"]))
        lines.append(indent + shape.format(k=key, v=value))
    return "\n".join(lines)


@st.composite
def section(draw) -> str:
    heading = draw(st.one_of(st.sampled_from(ATOMS), st.text(max_size=25)))
    stamp = draw(
        st.sampled_from(
            ["2026-01-16 14:03", "2026-01-16", "2026-03-29 02:30", "2026-10-25 02:30+01:00", "2026-13-01", "", "14:03"]
        )
    )
    body = draw(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(
                [
                    "```\n## 2026-01-01 inside\n```",
                    "<img src=x onerror=alert(1)>",
                    "![x](https://t.example/p.gif)",
                    "[y](javascript:alert(1))",
                    "### sub",
                ]
            ),
        )
    )
    return f"## {stamp} {heading}\n{draw(yaml_block())}\n\n{body}\n"


@st.composite
def case_text(draw) -> str:
    front = draw(yaml_block())
    opener = draw(st.sampled_from(["---\n", "---\n", "\ufeff---\n", "--- \n", "", "---\r\n"]))
    closer = draw(st.sampled_from(["\n---\n", "\n---\n", "\n...\n", "", "\n---"]))
    sections = "".join(draw(st.lists(section(), max_size=4)))
    text = f"{opener}{front}{closer}{draw(st.text(max_size=40))}\n{sections}"
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n"])))
    return text


any_file = st.one_of(case_text(), st.text(max_size=300), st.binary(max_size=300))


def check_one(content: str | bytes, bundle: bool, scratch: Path, config: Config = Config()) -> list:
    """Write *content* as a single-file case or a bundle interaction and run the loader and checks on it."""
    root = scratch
    cases = root / "cases"
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    if bundle:
        folder = cases / "B-1"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "case.md").write_text("---\ntitle: T\nstatus: open\n---\n")
        (folder / "x.md").write_bytes(data)
        source = BundleSource("cases/B-1", ("cases/B-1/x.md",), ())
    else:
        cases.mkdir(parents=True, exist_ok=True)
        (cases / "s.md").write_bytes(data)
        source = SingleSource("cases/s.md")
    result = parse_source(source, root.resolve(), config)
    diagnostics = list(result.diagnostics)
    if result.case is not None:
        diagnostics += run_checks((result.case,), config)
    return diagnostics


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="logbook-fuzz-"))


# --- logbook.toml -------------------------------------------------------------------------------------

TOML_TABLES = {
    "site": ["title", "timezone", "theme", "keeper"],
    "tags": ["refund", "Foo", "foo", "index.html"],
    "tone": ["enabled", "shouting_words", "insults"],
    "audit": ["stale_days", "response_hours", "followup_hours", "warn_days"],
    "windows": ["big", "store-return"],
    "redact": ["enabled", "cards", "keep_fields"],
    "profiles.x": ["internal", "refs", "redact"],
    "x": ["y"],
}
TOML_NUMBERS = [
    "0",
    "1",
    "-1",
    "14",
    "100",
    "101",
    "36525",
    "36526",
    "876600",
    "876601",
    "3000000",
    "2147483648",
    "9223372036854775808",
    "1" + "0" * 30,
    "9" * 5000,
    "1e999",
    "inf",
    "nan",
    "-0",
    "0x7fffffffffffffff",
    "1_000_000",
]
TOML_STRINGS = [
    '"x"',
    r'"\U00110000"',
    r'"\UFFFFFFFF"',
    r'"\U0010FFFF"',
    "'''a\nb'''",
    '"' + "t" * 300 + '"',
    '"Europe/Berlin"',
    '"Mars/Base"',
    '"../../etc"',
    '""',
    '"[[[["',
    '"deadline"',
    '"opens"',
]


@st.composite
def toml_value(draw, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["number", "number", "string", "bool", "array", "table", "deep", "date", "raw"]))
    if kind == "number":
        return draw(st.sampled_from(TOML_NUMBERS) | st.integers().map(str))
    if kind == "string":
        return draw(st.sampled_from(TOML_STRINGS))
    if kind == "bool":
        return draw(st.sampled_from(["true", "false", "True", "yes"]))
    if kind == "date":
        return draw(st.sampled_from(["2026-01-01", "2026-02-30", "1979-05-27T07:32:00Z", "9999-12-31T23:59:59"]))
    if kind == "deep":  # the nesting that once exhausted the stack
        levels = draw(st.sampled_from([15, 16, 17, 100, 1000, 10000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a = ", "}"), ("[{b = ", "}]")]))
        return opener * levels + "1" + closer * levels * draw(st.sampled_from([1, 1, 0]))
    if kind == "raw":
        return draw(st.text(max_size=15))
    if depth > 3:
        return "1"
    items = draw(st.lists(toml_value(depth + 1), max_size=4))
    if kind == "array":
        return "[" + ", ".join(items) + "]"
    keys = draw(
        st.lists(st.sampled_from(["days", "label", "kind", "x", "enabled"]), min_size=len(items), max_size=len(items))
    )
    return "{" + ", ".join(f"{k} = {v}" for k, v in zip(keys, items)) + "}"


@st.composite
def plausible_value(draw, table: str, key: str) -> str:
    """Half the time a value of the kind the key takes (a number where one is wanted, a window's table),
    with a hostile size: so that configurations check accepts, and what build does with them, are reached."""
    if draw(st.booleans()):
        return draw(toml_value())
    if table == "windows":
        days = draw(st.sampled_from(TOML_NUMBERS) | st.integers().map(str))
        kind = draw(st.sampled_from(["deadline", "opens"]))
        return f'{{ days = {days}, kind = "{kind}" }}'
    if table in ("audit", "tone") and key not in ("enabled", "insults"):
        return draw(st.sampled_from(TOML_NUMBERS) | st.integers(-10, 10**20).map(str))
    return draw(st.sampled_from(["true", '"Europe/Berlin"', '["a", "b"]', '"x"']))


@st.composite
def config_text(draw) -> str:
    """logbook.toml content: known tables and keys with hostile values, unknown ones, broken syntax."""
    lines = [
        f"{k} = {draw(toml_value())}"
        for k in draw(st.lists(st.sampled_from(["channels", "statuses", "z"]), max_size=2, unique=True))
    ]
    for table in draw(st.lists(st.sampled_from(sorted(TOML_TABLES)), max_size=4, unique=True)):
        lines.append(draw(st.sampled_from([f"[{table}]", f"[{table}]", f"[[{table}]]", f"[ {table} ]", f"[{table}"])))
        for key in draw(st.lists(st.sampled_from(TOML_TABLES[table]), max_size=4, unique=True)):
            lines.append(f"{key} = {draw(plausible_value(table, key))}")
    if draw(st.integers(0, 3)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=30)))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


any_config = st.one_of(config_text(), config_text(), config_text(), st.text(max_size=200), st.binary(max_size=200))

CONFIG_CASE = (
    "---\ntitle: T\nstatus: open\nopened: 2026-01-01\ntags: [refund]\nwindows:\n"
    "  - {rule: big, from: 2026-01-01}\n  - {rule: card-chargeback, from: 2026-01-01}\n---\n"
    "\n## 2026-01-05 10:00 Email\nchannel: email\ndirection: in\nagent: Maria (A-12)\n"
    "promises:\n  - {what: refund, due: 2026-01-10}\n\nPlease refund 4111 1111 1111 1111.\n"
    "\n## 2026-01-06 10:00 Call\nchannel: phone\ndirection: out\n\nCalled, SHOUTING AT THEM NOW.\n"
)


def check_config(content: str | bytes, scratch: Path) -> list:
    """Write *content* as logbook.toml beside one case that uses windows, promises, tags and agents; run
    check, and when it finds no error, what build and audit do with the configuration (derive, audit at
    two dates, render to memory).  Any exception is a crash."""
    from datetime import datetime

    from logbook.evidence.audit import audit_findings
    from logbook.evidence.derive import derive_site
    from logbook.load.stage import load_logbook
    from logbook.load.themes import resolve_theme
    from logbook.site.render import render_site

    (scratch / "cases").mkdir(parents=True, exist_ok=True)
    (scratch / "cases" / "c.md").write_text(CONFIG_CASE, encoding="utf-8")
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    (scratch / "logbook.toml").write_bytes(data)
    loaded = load_logbook(scratch)
    if not loaded.has_errors:
        for as_of in (datetime(2026, 2, 1, tzinfo=UTC), datetime(2199, 12, 31, tzinfo=UTC)):
            site = derive_site(loaded.logbook, as_of, loaded.history, include_private=True)
            audit_findings(site)
        render_site(site, resolve_theme(scratch, loaded.logbook.config.theme))
    return list(loaded.diagnostics)


# --- whole logbooks: colliding and over-long names, special files -------------------------------------

SAFE_IDS = ["c-1", "c-2", "c-3", "GT-1042", "b.c"]
SAFE_TAGS = ["refund", "billing", "late"]
SAFE_AGENTS = ["Maria (A-12)", "Tom", "S-9", "Jean Luc"]
SAFE_FILE_NAMES = ["scan.pdf", "photo.png", "letter.txt"]
IDS = ["a", "A", "index.html", "INDEX.HTML", "Index.Html", "x" * 101, "x" * 100, "b.c", "tags", "cases", "agents"]
TAGS = ["Foo", "foo", "index.html", "t" * 101, "refund", "INDEX.html"]
AGENTS = ["A-12", "a_12", "a 12", "A 12", "王小明", "李四", "Maria (A-12)", "g" * 300, "a-12-da371c8e", "agent"]
FILE_NAMES = ["scan.pdf", "index.html", "n" * 196 + ".svg", "n" * 201 + ".txt", "page.HTML", "x.svg"]
ROLES = ["case file", "interaction", "attachment", "logbook.toml", "build cache", "site cache", "theme file"]


def _pick(draw, safe: list[str], hostile: list[str]) -> str:
    """Mostly a plain name, one time in four a hostile one: so that some drawn logbooks pass check and build."""
    return draw(st.sampled_from(hostile if draw(st.integers(0, 3)) == 0 else safe))


@st.composite
def book(draw) -> dict:
    """A logbook of 1-4 cases, single files or bundles, naming ids, tags, agents and attachments from
    pools that collide ignoring case, after slugging, with the site's own pages, or are too long;
    and maybe one FIFO standing in for a file in one of ROLES."""
    files: dict[str, str] = {}
    for n in range(draw(st.integers(1, 4))):
        case_id = _pick(draw, SAFE_IDS, IDS)
        tags = [_pick(draw, SAFE_TAGS, TAGS) for _ in range(draw(st.integers(0, 2)))]
        head = f"---\ntitle: T{n}\nstatus: open\nid: '{case_id}'\ntags: [{', '.join(tags)}]\n---\n"
        entries = []
        for m in range(draw(st.integers(0, 2))):
            agent = _pick(draw, SAFE_AGENTS, AGENTS)
            name = _pick(draw, SAFE_FILE_NAMES, FILE_NAMES)
            attach = f"attachments: ['{name}']\n" if draw(st.booleans()) else ""
            entries.append(
                (
                    f"2026-01-0{m + 1} 10:00",
                    f"channel: chat\ndirection: in\nagent: '{agent}'\n{attach}",
                    name if attach else None,
                )
            )
        if draw(st.booleans()):
            folder = f"cases/c{n}"
            files[f"{folder}/case.md"] = head
            for m, (at, fields, name) in enumerate(entries):
                files[f"{folder}/0{m}.md"] = f"---\nat: {at}\n{fields}---\nHello {m}\n"
                if name:
                    files[f"{folder}/{name}"] = "attached\n"
        else:
            files[f"cases/s{n}.md"] = head + "".join(
                f"\n## {at} Chat\n{fields}\nHello\n" for at, fields, name in entries if name is None
            )
    files["logbook.toml"] = "[site]\ntitle = 'Book'\ntheme = 't'\n"
    files["themes/t/static/x.css"] = "body{}\n"
    fifo = draw(st.sampled_from(ROLES)) if draw(st.integers(0, 2)) == 0 else "none"
    return {"files": files, "fifo": fifo, "pick": draw(st.integers(0, 10))}


def fifo_path(drawn: dict, root: Path) -> Path | None:
    """Where the drawn FIFO goes: one file of its role (the cache files by logbook's own naming)."""
    from logbook.speed.cache import cache_file

    role, files = drawn["fifo"], sorted(drawn["files"])
    if role == "build cache":
        return cache_file(root.resolve())
    if role == "site cache":
        return cache_file(root.resolve()).with_name("site.pickle")
    choices = {
        "case file": [f for f in files if f.endswith("/case.md") or f.count("/") == 1 and f.endswith(".md")],
        "interaction": [
            f
            for f in files
            if f.count("/") == 2 and f.endswith(".md") and not f.endswith("/case.md") and f.startswith("cases/")
        ],
        "attachment": [f for f in files if f.startswith("cases/") and not f.endswith(".md")],
        "logbook.toml": ["logbook.toml"],
        "theme file": ["themes/t/static/x.css"],
    }.get(role)
    return root / choices[drawn["pick"] % len(choices)] if choices else None


def check_and_build(drawn: dict, scratch: Path) -> list:
    """Write the drawn logbook; check it and build it twice with the on-disk cache: what check passes
    must publish, what it refuses must not, and nothing may raise or hang (an alarm turns a hang into
    an exception; call from the main thread)."""
    import os
    import shutil
    import signal

    from logbook.build import build
    from logbook.load.stage import load_logbook

    root = scratch / "book"
    shutil.rmtree(root, ignore_errors=True)
    for rel, content in drawn["files"].items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    fifo = fifo_path(drawn, root)
    if fifo is not None:
        fifo.parent.mkdir(parents=True, exist_ok=True)
        fifo.unlink(missing_ok=True)
        os.mkfifo(fifo)

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"blocked with a FIFO as {drawn['fifo']}")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        loaded = load_logbook(root)
        for _ in range(2):
            result = build(root, scratch / "site", as_of="2026-02-01")
            assert result.published == (not loaded.has_errors), (loaded.diagnostics, result.diagnostics)
        for diagnostic in loaded.diagnostics:  # while the FIFO is there: it may be what a diagnostic names
            assert os.path.lexists(root / diagnostic.location.path) and diagnostic.location.line >= 1, diagnostic
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        if fifo is not None:
            fifo.unlink(missing_ok=True)
    return list(loaded.diagnostics)


__all__ = [
    "any_config",
    "any_file",
    "book",
    "case_text",
    "check_and_build",
    "check_config",
    "check_one",
    "config_text",
    "scratch_dir",
]
