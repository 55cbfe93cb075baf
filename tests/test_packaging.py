"""The wheel carries the default theme, so a non-editable install works from any folder."""

import subprocess
import sys
import zipfile

import pytest

from support.books import REPO


@pytest.mark.network  # pip fetches the build backend (hatchling) from PyPI
def test_wheel_ships_the_default_theme(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "logbook/cli.py",
        "logbook/themes/default/templates/case.html",
        "logbook/themes/default/static/style.css",
    ):
        assert required in names
    assert not any(n.startswith(("sample_cases/", "tests/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "logbook = logbook.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
