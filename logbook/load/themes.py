"""Finding themes: an ordered search path, user theme first, the default theme last.

A user theme overrides the default file by file: a template or static asset with
the same relative path wins.  A user template can still extend the default's
version of itself as ``default/<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from logbook.core.records import quick_pickle

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # logbook/, beside which (or in which) themes/ stands


def default_theme_dir() -> Path:
    """The default theme: packaged inside the installed distribution, or beside the package in a checkout."""
    for candidate in (PACKAGE_DIR / "themes" / "default", PACKAGE_DIR.parent / "themes" / "default"):
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError("logbook's default theme is missing from this installation")


class ThemeError(Exception):
    """The configured theme cannot be used."""


@quick_pickle
@dataclass(frozen=True, slots=True)
class Theme:
    """Theme folders, most specific first; each may hold ``templates/`` and ``static/``."""

    folders: tuple[Path, ...]

    @property
    def template_dirs(self) -> list[str]:
        return [str(f / "templates") for f in self.folders if (f / "templates").is_dir()]

    def static_files(self) -> dict[str, Path]:
        """Output-relative path → source file; earlier folders win."""
        files: dict[str, Path] = {}
        for folder in reversed(self.folders):
            static = folder / "static"
            if static.is_dir():
                for path in sorted(static.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        files[path.relative_to(static).as_posix()] = path
        return dict(sorted(files.items()))


def resolve_theme(root: Path, name: str | None) -> Theme:
    """The theme named in logbook.toml: a folder path, or a name under ``<logbook>/themes/``."""
    default = default_theme_dir()
    if not name or name == "default":
        return Theme((default,))
    for candidate in (root / name, root / "themes" / name, default.parent / name):
        try:  # is_dir raises for a name too long for the file system, and for a loop of links
            if candidate.is_dir():
                return Theme((candidate.resolve(), default))
        except (OSError, RuntimeError):
            continue
    raise ThemeError(f"theme '{name}' not found (looked in {root / name} and {root / 'themes' / name})")


def theme_dirs(root: Path) -> tuple[Path, ...]:
    """Every folder a theme could come from, for the build cache's fingerprint of inputs."""
    candidates = [default_theme_dir(), root / "themes"]
    try:
        candidates += sorted(
            p for p in root.iterdir() if p.is_dir() and ((p / "templates").is_dir() or (p / "static").is_dir())
        )
    except OSError:
        pass
    return tuple(candidates)
