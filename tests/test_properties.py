"""Property-based tests: no input makes check crash; every diagnostic names an existing file and line;
load → derive → render is total on valid models."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logbook.evidence.derive import derive_site
from logbook.load.stage import load_logbook
from logbook.load.themes import resolve_theme
from logbook.site.render import render_site
from support.strategies import any_config, any_file, book, check_and_build, check_config, check_one, scratch_dir


@pytest.fixture(scope="module")
def scratch():
    """One folder for every example of this module, removed afterwards (examples share it)."""
    folder = scratch_dir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def lines_in(path: Path) -> int:
    data = path.read_bytes()
    return max(1, data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") + 1)


# derandomize: the same examples on every run, so CI is reproducible; tests/fuzz.py explores widely.
@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(content=any_file, bundle=st.booleans())
def test_check_never_crashes_and_diagnostics_point_at_real_lines(scratch, content, bundle):
    shutil.rmtree(scratch / "cases", ignore_errors=True)
    for diagnostic in check_one(content, bundle, scratch):
        path = scratch / diagnostic.location.path
        assert path.is_file(), diagnostic
        assert 1 <= diagnostic.location.line <= lines_in(path), diagnostic
        assert diagnostic.location.column >= 1


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(content=any_config)
def test_no_configuration_crashes_check_build_or_audit(scratch, content):
    """logbook.toml with hostile values (huge numbers, deep nesting, escapes, broken tables): check gives
    located diagnostics, and a configuration it accepts derives, audits and renders."""
    root = scratch / "config"
    shutil.rmtree(root, ignore_errors=True)
    for diagnostic in check_config(content, root):
        path = root / diagnostic.location.path
        assert path.is_file(), diagnostic
        assert 1 <= diagnostic.location.line <= lines_in(path), diagnostic


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=book())
def test_what_check_passes_builds_and_what_it_refuses_does_not(scratch, drawn):
    """Logbooks with colliding, slug-alike and over-long names, and a FIFO in some role: never a crash
    or a hang, and check's verdict is the build's."""
    check_and_build(drawn, scratch)


words = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.sampled_from([UTC]))


@st.composite
def valid_case(draw) -> str:
    import json

    title = json.dumps(draw(words))
    parts = [
        f"---\ntitle: {title}\nstatus: {draw(st.sampled_from(['open', 'waiting', 'resolved']))}\n"
        f"timezone: {draw(st.sampled_from(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']))}\n---\n",
        json.dumps(draw(words)) + "\n",
    ]
    for _ in range(draw(st.integers(0, 6))):
        at = draw(moments).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = draw(
            st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.just("\n"), max_size=200)
        ).replace("## ", "# ")
        parts.append(
            f"\n## {at} {draw(words).replace('#', '')}\nchannel: {draw(st.sampled_from(['email', 'chat', 'phone']))}\n"
            f"direction: {draw(st.sampled_from(['in', 'out', 'internal']))}\n"
            f"subject: {json.dumps(draw(words))}\n\n{body}\n"
        )
    return "".join(parts)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text=valid_case())
def test_load_then_render_is_total_on_valid_cases(scratch, text):
    root = scratch / "valid"
    shutil.rmtree(root, ignore_errors=True)
    (root / "cases").mkdir(parents=True)
    (root / "cases" / "c.md").write_text(text, encoding="utf-8")
    loaded = load_logbook(root)
    assert not loaded.has_errors, loaded.diagnostics
    site = derive_site(loaded.logbook, datetime(2026, 1, 1, tzinfo=UTC), loaded.history)
    files = render_site(site, resolve_theme(root, None))
    page = files.pages["cases/c/index.html"].decode()
    assert "<script>" not in page.split("</head>")[1]
