"""The located YAML reader: nothing guessed, every position the file's own, hostile input refused."""

from logbook.core.yamlnodes import MAX_DEPTH, Map, Scalar, Seq, compose


def test_scalars_stay_text_where_pyyaml_would_guess():
    composed = compose("at: 14:03\nprivate: no\norder: 0123\nday: 2026-01-16 14:03:00\nempty:\n", first_line=2)
    root = composed.root
    assert isinstance(root, Map) and not composed.problems
    values = {k.value: v.value for k, v in root.entries}
    assert values == {"at": "14:03", "private": "no", "order": "0123", "day": "2026-01-16 14:03:00", "empty": None}


def test_positions_are_file_lines_and_columns():
    root = compose("title: x\nrefs:\n  order: A-1\n", first_line=5).root
    assert isinstance(root, Map)
    key, value = root.entries[1]
    assert (key.line, key.column) == (6, 1)
    inner = value.entries[0]
    assert (inner[0].line, inner[0].column, inner[1].line, inner[1].column) == (7, 3, 7, 10)


def test_duplicate_keys_are_reported_and_the_first_kept():
    composed = compose("title: one\nstatus: open\ntitle: two\n")
    assert [(p.code, p.line, p.column) for p in composed.problems] == [("yaml-duplicate-key", 3, 1)]
    assert composed.root.get("title").value == "one"


def test_aliases_and_anchors_are_refused():
    for text in ("a: &x [1, 2]\nb: *x\n", "a: &x 1\n"):
        composed = compose(text)
        assert composed.root is None
        assert composed.problems[-1].code == "yaml-alias"


def test_alias_bomb_is_refused_without_expanding():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    assert compose(bomb).problems[-1].code == "yaml-alias"


def test_deep_nesting_is_refused_not_a_crash():
    composed = compose("a: " + "[" * 5000 + "]" * 5000)
    assert composed.root is None and composed.problems[-1].code == "yaml-limit"
    assert compose("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)).root is not None


def test_huge_front_matter_is_refused():
    assert compose("a: " + "x" * 600_000).problems[-1].code == "yaml-limit"


def test_tabs_are_an_error_whichever_libyaml_is_installed():
    composed = compose("a:\n\tb: 1\n")
    assert composed.root is None and composed.problems[-1].code == "yaml-syntax"


def test_tags_are_refused():
    assert compose("a: !!python/object:os.system ls\n").problems[-1].code == "yaml-syntax"


def test_sequences_and_null_words():
    root = compose("tags: [a, b]\nnothing: ~\nquoted: 'null'\n").root
    tags = root.get("tags")
    assert isinstance(tags, Seq) and [i.value for i in tags.items] == ["a", "b"]
    assert root.get("nothing").value is None
    assert root.get("quoted").value == "null"


def test_empty_text_has_no_root():
    assert compose("").root is None and compose("# only a comment\n").root is None
    assert isinstance(compose("x").root, Scalar)


def test_escaped_surrogate_pairs_become_one_character_and_lone_halves_are_refused():
    """Found by the property tests: JSON-style escapes of an emoji crashed rendering."""
    assert compose('title: "\\ud83d\\ude00"').root.get("title").value == "😀"
    composed = compose('title: "\\ud800 alone"')
    assert composed.root is None and composed.problems[-1].code == "yaml-syntax"


# --- libyaml fast path: results never depend on which parser ran -------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from logbook.core import yamlnodes  # noqa: E402
from support.strategies import yaml_block  # noqa: E402


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.one_of(yaml_block(), st.text(max_size=120)))
def test_libyaml_and_pure_parser_compose_the_same(text):
    assert yamlnodes.compose(text, 3, fast=True) == yamlnodes.compose(text, 3, fast=False)


def test_libyaml_path_is_taken_for_plain_front_matter():
    text = "title: Blender\nstatus: open\ntags: [kitchen, refund]\n"
    assert yamlnodes._fast_events(text) is not None
    assert yamlnodes._fast_events("a: 1\t# tab\n") is None  # tabs: the pure parser decides
    assert yamlnodes._fast_events("a: " + "[" * 70 + "]" * 70) is None  # deep flow nesting never reaches libyaml
