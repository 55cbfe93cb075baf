"""Hypothesis strategies for case files: random bytes, structure-aware hostile text, and valid cases.

Shared by the property tests (tests/test_properties.py, a few hundred examples in CI) and the
long fuzz run (tests/fuzz.py, 100,000+ examples, a documented command).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import strategies as st

from logbook.discover import BundleSource, SingleSource
from logbook.models import Config
from logbook.parse import parse_source
from logbook.validate import run_checks

KEYS = ["title", "status", "at", "channel", "direction", "agent", "promises", "fulfils", "attachments", "tags",
        "opened", "closed", "summary", "refs", "amount", "timezone", "private", "id", "windows", "removed", "tone",
        "from", "to", "key", "x", "title ", "", "---"]
ATOMS = ["open", "closed", "email", "in", "out", "no", "yes", "on", "~", "null", "14:03", "0123", "2026-01-16",
         "2026-01-16 14:03", "2026-03-29 02:30", "2026-10-25 02:30", "2026-02-30", "9999-12-31", "0001-01-01",
         "2026-01-16T14:03:00+25:00", "89.99 EUR", "12 EURO", "Europe/Berlin", "Mars/Base", "../../etc/passwd",
         "/etc/passwd", "a\\b", "&a x", "*a", "!!python/object:os.system", "[", "]", "{", "}", "{what: x}",
         "[a, b]", "- x", "'", '"', "|", ">", "\t", "%YAML 1.1", "<script>alert(1)</script>",
         "javascript:alert(1)", "Maria (A-12)", "\u202e", "\ufeff", "\u0000", "é", "😀", "x" * 300]


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
    stamp = draw(st.sampled_from(["2026-01-16 14:03", "2026-01-16", "2026-03-29 02:30", "2026-10-25 02:30+01:00",
                                  "2026-13-01", "", "14:03"]))
    body = draw(st.one_of(st.text(max_size=80), st.sampled_from(["```\n## 2026-01-01 inside\n```", "<img src=x "
                                                                 "onerror=alert(1)>", "![x](https://t.example/p.gif)",
                                                                 "[y](javascript:alert(1))", "### sub"])))
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


__all__ = ["any_file", "case_text", "check_one", "scratch_dir"]
