"""One test per trap listed in ../shared/PITFALLS.md that is not already tested elsewhere.

Index of the others: deep nesting, aliases, tags, duplicate keys → test_yamlnodes.py and the
hostile corpus; markdown-it raw HTML, data:image, protocol-relative links, mailto autolinks →
test_messages.py; Jinja autoescape and StrictUndefined → test_build.py, test_themes.py;
absolute paths, symlinks, FIFOs → test_attachments.py; output folder refusals → test_build.py;
serve path traversal and watchdog storms → test_serve.py; DST gaps and folds → test_timeparse.py;
IBAN before card → test_redact.py.
"""

from logbook.load.stage import load_logbook
from support.books import write_tree


def test_yaml_implicit_types_read_as_meant(tmp_path):
    root = write_tree(
        tmp_path / "b",
        {
            "cases/c.md": (
                "---\ntitle: no\nstatus: open\nprivate: NO\nrefs: {order: 0123, time: 14:03}\n---\n"
                "\n## 2026-01-16 14:03 no seconds, local\nchannel: email\ndirection: in\nref: 14:03\n"
                "\n## 2026-01-16 14:03:00 with seconds, local\nchannel: email\ndirection: in\nprivate: on\n"
            )
        },
    )
    loaded = load_logbook(root)
    assert loaded.diagnostics == ()
    case = loaded.logbook.cases[0]
    assert (case.title, case.private, case.refs) == ("no", False, (("order", "0123"), ("time", "14:03")))
    first, second = case.interactions
    assert first.ref == "14:03" and first.at.iso() == "2026-01-16T14:03:00+00:00"
    assert second.private is True and second.at.iso() == first.at.iso()


def test_impossible_date_is_a_located_diagnostic_not_a_value_error(tmp_path):
    root = write_tree(tmp_path / "b", {"cases/c.md": "---\ntitle: T\nstatus: open\nopened: 2026-02-30\n---\n"})
    (diagnostic,) = load_logbook(root).diagnostics
    assert (diagnostic.code, diagnostic.location.line, diagnostic.location.column) == ("invalid-datetime", 4, 9)


def test_tab_before_comment_is_the_same_error_with_or_without_libyaml(tmp_path):
    root = write_tree(tmp_path / "b", {"cases/c.md": "---\ntitle: T\t# note\nstatus: open\n---\n"})
    (diagnostic,) = load_logbook(root).diagnostics
    assert diagnostic.code == "yaml-syntax" and diagnostic.location.line == 2


def test_line_numbers_survive_leading_blank_lines_and_a_bom(tmp_path):
    """python-frontmatter strips the text first, shifting every line; logbook's lines are the file's."""
    root = write_tree(tmp_path / "b", {"cases/c.md": "\ufeff---\n\n\ntitle: T\nstatus: opne\n---\n"})
    (diagnostic,) = load_logbook(root).diagnostics
    assert (diagnostic.code, diagnostic.location.line) == ("unknown-status", 5)


def test_front_matter_that_frontmatter_would_drop_silently_is_reported(tmp_path):
    root = write_tree(
        tmp_path / "b",
        {
            "cases/bom.md": "\ufeff---\ntitle: T\nstatus: open\n---\n",
            "cases/unclosed.md": "---\ntitle: T\nstatus: open\n",
            "cases/list.md": "---\n- a\n---\n",
            "cases/dots.md": "---\ntitle: T\n...\n",
            "cases/latin1.md": b"---\ntitle: caf\xe9\n---\n",
        },
    )
    codes = {d.location.path: d.code for d in load_logbook(root).diagnostics}
    assert codes == {
        "cases/unclosed.md": "unclosed-front-matter",
        "cases/list.md": "not-a-mapping",
        "cases/dots.md": "unclosed-front-matter",
        "cases/latin1.md": "not-utf8",
    }
    assert [c.title for c in load_logbook(root).logbook.cases] == ["T"]  # the BOM file just works
