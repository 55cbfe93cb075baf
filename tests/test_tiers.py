"""The tier guard: a test that needs Chromium, WeasyPrint or a serve subprocess cannot run in the fast
tier without its marker (tests/support/tiers.py, the hooks in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")
SUPPORT = Path(__file__).with_name("support")


def _run(pytester: pytest.Pytester, body: str) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_new=body)
    pytester.makeini(f"[pytest]\npythonpath = {SUPPORT.parent}\nmarkers =\n    pdf: x\n    browser: x\n    serve: x\n")
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")


def test_an_unmarked_browser_test_fails_and_names_the_marker(pytester):
    result = _run(pytester, "from support.browser import chromium_path\n\ndef test_x():\n    chromium_path()\n")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*mark it @pytest.mark.browser*"])


def test_an_unmarked_test_sees_no_playwright_even_when_it_imports_it_itself(pytester):
    result = _run(pytester, "def test_x():\n    from playwright.sync_api import sync_playwright\n")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ModuleNotFoundError*playwright*"])


def test_an_unmarked_pdf_export_fails_as_without_weasyprint(pytester, tmp_path):
    sample = Path(__file__).resolve().parents[1] / "sample_cases"
    result = _run(
        pytester,
        "from logbook.cli import main\n\n"
        f"def test_x():\n    assert main(['export', 'GT-1042', '--pdf', r'{tmp_path / 'p.pdf'}', "
        f"'-C', r'{sample}']) == 0\n",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*PDF export needs WeasyPrint*"])


def test_an_unmarked_pdf_export_in_a_child_process_fails_as_without_weasyprint(pytester, tmp_path):
    sample = Path(__file__).resolve().parents[1] / "sample_cases"
    result = _run(
        pytester,
        "import subprocess, sys\n\n"
        "def test_x():\n    done = subprocess.run([sys.executable, '-m', 'logbook', 'export', 'GT-1042', "
        f"'--pdf', r'{tmp_path / 'p.pdf'}', '-C', r'{sample}'], capture_output=True, text=True)\n"
        "    assert done.returncode == 0, done.stderr\n",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*PDF export needs WeasyPrint*"])


def test_an_unmarked_serve_subprocess_fails_and_a_module_scoped_fixture_is_guarded_too(pytester, tmp_path):
    result = _run(
        pytester,
        "import pytest\nfrom support.serving import ServeProcess\n\n"
        "@pytest.fixture(scope='module')\ndef served():\n"
        f"    return ServeProcess(r'{tmp_path}')\n\n"
        "def test_x(served):\n    pass\n",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mark it @pytest.mark.serve*"])


def test_a_marked_pdf_test_runs_with_weasyprint_where_it_is_installed(pytester):
    result = _run(pytester, "import pytest\n\n@pytest.mark.pdf\ndef test_x():\n    import weasyprint\n")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) + outcomes.get("skipped", 0) == 1 and "failed" not in outcomes
