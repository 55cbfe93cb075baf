"""Themes: a user theme overrides the default file by file; template failures are diagnostics."""

import pytest

from logbook.build import build
from logbook.site.render import RenderError, _Output

CASE = "---\ntitle: T\nstatus: open\n---\n"


def test_user_theme_overrides_one_template_and_one_asset(logbook_dir, tmp_path):
    root = logbook_dir(
        {
            "logbook.toml": '[site]\ntheme = "mine"\n',
            "cases/a.md": CASE,
            "themes/mine/templates/tags.html": '{% extends "default/tags.html" %}{% block title %}MY TAGS{% endblock %}',
            "themes/mine/static/style.css": "body { color: red }\n",
            "themes/mine/static/extra.js": "// extra\n",
        }
    )
    out = tmp_path / "out"
    assert build(root, out, as_of="2026-01-01").published
    assert "<title>MY TAGS</title>" in (out / "tags/index.html").read_text()
    assert (out / "assets/style.css").read_text() == "body { color: red }\n"
    assert (out / "assets/extra.js").exists()
    assert "Dashboard" in (out / "index.html").read_text()  # default templates still used


def test_unknown_theme_is_reported_by_check(logbook_dir):
    from logbook.load.stage import load_logbook

    root = logbook_dir({"logbook.toml": '[site]\ntheme = "nope"\n', "cases/a.md": CASE})
    diagnostics = load_logbook(root).diagnostics
    assert [(d.code, d.location.path, d.location.line) for d in diagnostics] == [("unknown-theme", "logbook.toml", 2)]


def test_broken_user_template_is_a_diagnostic(logbook_dir, tmp_path):
    root = logbook_dir(
        {
            "logbook.toml": '[site]\ntheme = "bad"\n',
            "cases/a.md": CASE,
            "themes/bad/templates/cases.html": "{% if %}",
        }
    )
    result = build(root, tmp_path / "out", as_of="2026-01-01")
    assert not result.published and not (tmp_path / "out").exists()
    (diagnostic,) = [d for d in result.diagnostics if d.code == "template-error"]
    assert diagnostic.location.path.endswith("cases.html") and diagnostic.location.line == 1


def test_undefined_variable_in_user_template_is_a_diagnostic(logbook_dir, tmp_path):
    root = logbook_dir(
        {
            "logbook.toml": '[site]\ntheme = "bad"\n',
            "cases/a.md": CASE,
            "themes/bad/templates/tags.html": "{% extends 'base.html' %}\n{% block main %}\n{{ unknown_variable }}\n{% endblock %}",
        }
    )
    result = build(root, tmp_path / "out", as_of="2026-01-01")
    (diagnostic,) = [d for d in result.diagnostics if d.code == "template-error"]
    assert "unknown_variable" in diagnostic.message and diagnostic.location.path.endswith("tags.html")


def test_two_outputs_for_one_path_are_refused():
    output = _Output()
    output.page("cases/x/index.html", "one")
    with pytest.raises(RenderError) as exc:
        output.page("cases/x/index.html", "two")
    assert exc.value.diagnostics[0].code == "output-conflict"
