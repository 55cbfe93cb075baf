"""Fixtures, and the hook that guards the test tiers (markers, registered in pyproject.toml) (tests/support/tiers.py).

Helpers live in the ``support`` package (tests/support/); this file holds only fixtures and hooks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from support import tiers
from support.books import SAMPLE, write_tree


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """An unmarked test cannot use a tier's programs, nor can the fixtures set up for it (module-scoped
    ones too: this wraps setup, call and teardown)."""
    saved = tiers.enter(frozenset(mark.name for mark in item.iter_markers()))
    try:
        return (yield)
    finally:
        tiers.leave(saved)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A marked test skips where its tier's programs are not installed (before any fixture is made for it)."""
    tiers.skip_unless_ready(frozenset(mark.name for mark in item.iter_markers()))


@pytest.fixture(autouse=True, scope="session")
def _build_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Builds (in-process and child processes) keep their cache here, never in the user's ~/.cache."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture
def logbook_dir(tmp_path: Path) -> Callable[..., Path]:
    """Call with a {path: content} dict; returns the logbook folder (cases/ always exists)."""

    def make(files: dict[str, str | bytes], name: str = "book") -> Path:
        root = tmp_path / name
        (root / "cases").mkdir(parents=True, exist_ok=True)
        return write_tree(root, files)

    return make


@pytest.fixture
def sample_book(tmp_path: Path) -> Path:
    """A copy of the bundled sample_cases/ to change."""
    root = tmp_path / "book"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("_site"))
    return root
