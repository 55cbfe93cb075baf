"""The invalid corpus: one planted problem per diagnostic code, and the exact diagnostics expected.

Regenerate the expectations with ``python tests/regenerate.py`` after a deliberate change.
"""

import re

from logbook.core.diagnostics import CODES
from support.books import REPO
from support.golden import HOSTILE, INVALID, expected_text

# Codes that need a logbook of their own (each is tested elsewhere, named here).
TESTED_ELSEWHERE = {
    "read-error": "test_cli.py::test_unreadable_and_huge_files",
    "file-too-large": "test_cli.py::test_unreadable_and_huge_files",
    "no-cases": "test_cli.py::test_no_cases_folder",
    "config-syntax": "test_cli.py::test_config_syntax_error",
    "template-error": "test_themes.py::test_broken_user_template_is_a_diagnostic",
    "output-conflict": "test_hostile_edges.py::test_a_record_needing_a_folder_where_the_site_has_a_page_is_refused_by_check"
    " (and the hostile corpus)",
    "name-too-long": "test_hostile_edges.py::test_a_300_character_case_id_is_refused_by_check_not_by_the_file_system"
    " (and the hostile corpus)",
    "unknown-theme": "test_themes.py::test_unknown_theme_is_reported_by_check",
    "deleted-interaction": "test_provenance.py::test_deleted_interactions_are_flagged",
    "import-unreadable": "test_import.py::test_sources_that_are_not_files_refuse_the_whole_import",
    "import-bad-message": "test_import.py::test_bad_messages_are_named_by_file_and_index_and_the_rest_imported",
    "import-date": "test_import.py::test_varied_mbox_becomes_one_interaction_per_message",
    "import-no-me": "test_import.py::test_import_codes_are_reported",
    "import-logbook-errors": "test_import.py::test_an_import_into_a_logbook_with_errors_is_refused",
    "import-no-case": "test_import.py::test_import_codes_are_reported",
    "import-case-exists": "test_import.py::test_import_codes_are_reported",
}


def test_invalid_corpus_gives_exactly_the_expected_diagnostics():
    expected = (INVALID / "expected.txt").read_text(encoding="utf-8")
    assert expected_text(INVALID) == expected


def test_hostile_corpus_gives_exactly_the_expected_diagnostics():
    """Attacks and breakages (alias bombs, 40,000-deep nesting, links out, DST traps, …): each a diagnostic, no crash."""
    assert expected_text(HOSTILE) == (HOSTILE / "expected.txt").read_text(encoding="utf-8")
    listed = {line.split(":")[0] for line in (HOSTILE / "expected.txt").read_text(encoding="utf-8").splitlines()}
    valid = {
        "cases/bom-crlf.md",
        "cases/mixed-endings.md",
        "cases/case-a.md",
        "cases/agents-alike.md",
    }  # must just work
    for path in sorted((HOSTILE / "cases").glob("*.md")):
        assert (f"cases/{path.name}" in listed) != (f"cases/{path.name}" in valid), path.name


def test_every_file_plants_the_code_it_is_named_after():
    lines = (INVALID / "expected.txt").read_text(encoding="utf-8").splitlines()
    found = {(line.split(":")[0], re.search(r"\[([a-z0-9-]+)\]", line)[1]) for line in lines}
    for path in sorted((INVALID / "cases").glob("*.md")):
        code = path.stem
        if code in CODES:
            assert (f"cases/{path.name}", code) in found, code


def test_every_code_is_documented_emitted_and_planted():
    source = "\n".join(p.read_text() for p in (REPO / "logbook").rglob("*.py"))  # subpackages too
    emitted = set(re.findall(r'(?:error|warning|YamlProblem|TimeError|_Fatal\(YamlProblem)\(\s*"([a-z0-9-]+)"', source))
    emitted |= set(re.findall(r'(?:reader|self)\.(?:error|warning)\([^,]+,\s*"([a-z0-9-]+)"', source))
    emitted |= set(re.findall(r'choice\([^)]*"([a-z0-9-]+)", "[a-z ]+"\)', source))
    assert emitted - set(CODES) == set(), "codes used in the source but missing from CODES"
    assert set(CODES) - emitted == set(), "codes in CODES that nothing emits"
    planted = set(re.findall(r"\[([a-z0-9-]+)\]", (INVALID / "expected.txt").read_text()))
    assert set(CODES) - planted - set(TESTED_ELSEWHERE) == set()
    docs = (REPO / "docs" / "format.md").read_text()
    assert [c for c in CODES if f"`{c}`" not in docs] == []
