"""The test tiers: one marker for each thing beyond Python and git that a test needs, and the guard
that keeps an unmarked test from using it (so a new browser or PDF test cannot slip into the fast tier).

The guard works two ways.  For a test without the marker, the Python package the tier needs is made
to look absent (``sys.modules[name] = None``: importing it raises ``ImportError``; for WeasyPrint in
child processes too, through ``support/absent/`` first on PYTHONPATH), so a PDF export in an unmarked
test fails the way it would on a machine without WeasyPrint.  And the helpers that start
a tier's program (``support.browser``, ``support.serving``) call :func:`require` first.

A marked test skips, rather than fails, when its tier's programs are not installed (:func:`skip_unless_ready`).
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path

import pytest

MARKERS = {
    "browser": "drives headless Chromium through Playwright (the system's chromium)",
    "pdf": "writes a PDF with WeasyPrint (Pango) or reads one with poppler's pdftoppm",
    "serve": "runs `logbook serve` as a subprocess and talks to it over HTTP",
    "network": "reaches a host beyond this machine",
    "peers": "runs the peer site generators (Hugo, MkDocs, Pelican) of the benchmark",
    "slow": "takes twenty seconds or more on a two-core machine",
}
# The Python packages each tier brings; an unmarked test sees them as not installed.
PACKAGES = {
    "browser": ("playwright", "playwright.sync_api", "axe_playwright_python"),
    "pdf": ("weasyprint",),
}

_current: frozenset[str] | None = None  # None outside pytest (the fuzz scripts): no guard


def enter(markers: frozenset[str]) -> dict[str, object]:
    """Called before a test's fixtures are set up, with the names of its markers; returns what
    :func:`leave` puts back."""
    global _current
    _current = markers
    saved: dict[str, object] = {"PYTHONPATH": os.environ.get("PYTHONPATH")}
    if "pdf" not in markers:  # child processes (python -m logbook) cannot import WeasyPrint either
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ABSENT), os.environ.get("PYTHONPATH")]))
    for tier, packages in PACKAGES.items():
        if tier not in markers:
            for package in packages:
                saved[package] = sys.modules.get(package, _ABSENT)
                sys.modules[package] = None  # type: ignore[assignment]  # None: "import raises ImportError"
    return saved


def leave(saved: dict[str, object]) -> None:
    global _current
    _current = None
    path = saved.pop("PYTHONPATH")
    if path is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = str(path)
    for package, module in saved.items():
        if module is _ABSENT:
            del sys.modules[package]
        else:
            sys.modules[package] = module  # type: ignore[assignment]


_ABSENT = object()
ABSENT = Path(__file__).with_name("absent")  # stand-ins that fail to import, for child processes


def require(tier: str) -> None:
    """Fail a test that uses *tier*'s program without carrying its marker."""
    if _current is not None and tier not in _current:
        pytest.fail(
            f"this test needs {MARKERS[tier]}: mark it @pytest.mark.{tier} "
            f"(or pytestmark = pytest.mark.{tier} for the module)",
            pytrace=False,
        )


def skip_unless_ready(markers: frozenset[str]) -> None:
    """Skip a marked test whose tier's programs this machine lacks."""
    if "pdf" in markers:
        try:
            importlib.import_module("weasyprint")
        except (ImportError, OSError) as exc:
            pytest.skip(f"WeasyPrint (and Pango) not usable here: {exc}")
        pytest.importorskip("pypdf")
        for program in ("pdftoppm", "pdftotext"):
            if shutil.which(program) is None:
                pytest.skip(f"{program} (poppler-utils) not installed")
    if "browser" in markers:
        pytest.importorskip("playwright.sync_api")
        if not (os.environ.get("LOGBOOK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")):
            pytest.skip("Chromium not installed")
