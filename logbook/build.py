"""The pipeline, top to bottom: load → derive → render → publish.

``check`` is the load stage alone; ``build`` runs the rest only when the load
found no errors, so a broken logbook never replaces a good site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .derive import derive_site
from .diagnostics import Diagnostic, Location, error
from .load import LoadResult, load_logbook
from .publish import publish
from .render import RenderError, render_site
from .themes import ThemeError, resolve_theme
from .timeparse import parse_moment, zone_named

DEFAULT_OUT = "_site"


@dataclass(frozen=True, slots=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    published: bool
    out: Path
    pages: int = 0
    files: int = 0


def check(root: Path) -> LoadResult:
    return load_logbook(root)


def as_of_instant(text: str | None, zone_name: str) -> datetime:
    """``--as-of``: a date means the end of that day in the site's zone; absent means now."""
    if text is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    return parse_moment(text, zone_named(zone_name)).moment.end


def build(root: Path, out: Path | None = None, as_of: str | None = None, strict: bool = False) -> BuildResult:
    root = root.resolve()
    out = (out or root / DEFAULT_OUT).resolve()
    loaded = load_logbook(root)
    diagnostics = loaded.diagnostics
    if loaded.has_errors or (strict and diagnostics):
        return BuildResult(diagnostics, False, out, files=loaded.files)
    config = loaded.logbook.config
    try:
        theme = resolve_theme(root, config.theme)
        site = derive_site(loaded.logbook, as_of_instant(as_of, config.timezone), loaded.history)
        files = render_site(site, theme)
    except ThemeError as exc:
        return BuildResult((*diagnostics, error("unknown-theme", str(exc), Location("logbook.toml"))), False, out)
    except RenderError as exc:
        return BuildResult((*diagnostics, *exc.diagnostics), False, out)
    publish(files, out, root)
    return BuildResult(diagnostics, True, out, pages=len(files.pages), files=loaded.files)
