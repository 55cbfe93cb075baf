"""The pipeline, top to bottom: load → derive → render → publish.

``check`` is the load stage alone; ``build`` runs the rest only when the load
found no errors, so a broken logbook never replaces a good site.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from logbook.core.diagnostics import Location, error
from logbook.core.models import BuildResult
from logbook.speed.cache import inputs_fingerprint, quiet_paths, site_stamp
from logbook.speed.collector import long_lived
from logbook.speed.policy import Reuse, ServeReuse, policy_for

if TYPE_CHECKING:
    from logbook.evidence.derive import SiteView
    from logbook.load.stage import LoadResult
    from logbook.load.themes import Theme
    from logbook.site.render import SiteFiles

DEFAULT_OUT = "_site"


def check(root: Path) -> LoadResult:
    from logbook.load.stage import load_logbook

    return load_logbook(root)


def as_of_instant(text: str | None, zone_name: str) -> datetime:
    """``--as-of``: a date means the end of that day in the site's zone; absent means now (``audit``,
    ``export``; a ``build`` without --as-of is given everyday_as_of instead)."""
    from logbook.core.timeparse import parse_moment, zone_named

    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    return parse_moment(text, zone_named(zone_name)).moment.end


def everyday_as_of(zone_name: str, now: datetime | None = None) -> str:
    """The --as-of of a build run without one: the last midnight in the logbook's zone, which is the end
    of yesterday (``--as-of`` with yesterday's date).  A day-granular moment, so that building again the
    same day changes no page (the build cache then finds nothing to do), and one already past, so that
    the site never calls a deadline of today missed before it is.  See docs/format.md ("As of")."""
    from logbook.core.timeparse import TimeError, zone_named

    zone: tzinfo
    try:
        zone = zone_named(zone_name)
    except TimeError:  # an unknown zone in logbook.toml: the build reports it; UTC until then
        zone = UTC
    local = (now or datetime.now(UTC)).astimezone(zone)
    return (local.date() - timedelta(days=1)).isoformat()


def build(
    root: Path,
    out: Path | None = None,
    as_of: str | None = None,
    strict: bool = False,
    cache: Reuse | bool = True,
    persist: bool = True,
    progress: Callable[[str], None] = lambda stage: None,
    touched: frozenset[str] | None = None,
    now: datetime | None = None,
) -> BuildResult:
    """Load, derive, render and publish.  Without *as_of*, as of everyday_as_of (*now*: the clock).  *cache* is the reuse policy (speed/policy.py): True the
    on-disk build cache, False nothing (build from nothing), or a policy (serve keeps a ServeReuse);
    *persist* writes the cache back to disk afterwards; *progress* is told each stage as it starts;
    *touched* (serve's file watcher) lists the logbook-relative paths changed since the last build."""
    root = root.resolve()
    out = (out or root / DEFAULT_OUT).resolve()
    reuse = policy_for(cache, root)
    if as_of is None:
        as_of = everyday_as_of(_config_zone(root), now)
    store = reuse.cache
    inputs = None
    if store is not None and not reuse.watching:
        inputs = inputs_fingerprint(root, _theme_folders(root), (as_of, str(strict), str(out)))
        last = store.last_site.get(str(out))
        if last is not None and last[0] == inputs and last[1] == site_stamp(out):
            reuse.wrote(())
            unchanged: BuildResult = last[2]
            return unchanged  # nothing changed since the last build published this very site
    if store is not None:
        store.load_tables()
    with long_lived(active=reuse.pages is None) as settle:  # see collector.py
        result = _build(root, out, as_of, strict, reuse, progress, touched, settle)
    if store is not None:
        store.last_site = {str(out): (inputs, site_stamp(out), result)} if inputs and result.published else {}
    reuse.finish(prune=result.published, persist=persist)
    return result


def _build(
    root: Path,
    out: Path,
    as_of: str | None,
    strict: bool,
    reuse: Reuse,
    progress: Callable[[str], None],
    touched: frozenset[str] | None,
    settle: Callable[[], None],
) -> BuildResult:
    """The stages; *settle* is told when records that live to the end of the build have been made."""
    from logbook.evidence.derive import derive_site
    from logbook.load.stage import load_logbook
    from logbook.load.themes import ThemeError, resolve_theme
    from logbook.site.render import RenderError

    progress("reading cases")
    loaded = load_logbook(root, reuse, touched)
    settle()
    diagnostics = loaded.diagnostics
    if loaded.has_errors or (strict and diagnostics):
        return BuildResult(diagnostics, False, out, files=loaded.files)
    config = loaded.logbook.config
    try:
        theme = resolve_theme(root, config.theme)
        progress("deriving facts")
        site = derive_site(
            loaded.logbook, as_of_instant(as_of, config.timezone), loaded.history, memo=reuse.memo("derived")
        )
        settle()
        progress("rendering pages")
        files = _render_and_publish(site, theme, reuse, root, out, touched, progress)
    except ThemeError as exc:
        return BuildResult((*diagnostics, error("unknown-theme", str(exc), Location("logbook.toml"))), False, out)
    except RenderError as exc:
        return BuildResult((*diagnostics, *exc.diagnostics), False, out)
    return BuildResult(diagnostics, True, out, pages=files.count, files=loaded.files)


def _render_and_publish(
    site: SiteView,
    theme: Theme,
    reuse: Reuse,
    root: Path,
    out: Path,
    touched: frozenset[str] | None,
    progress: Callable[[str], None],
) -> SiteFiles:
    """A one-off build draws its pages into a staging folder, swapped in only if every page was;
    serve (which keeps drawn pages) replaces only the files that changed since its last build."""
    from logbook.site.publish import staged, update_in_place
    from logbook.site.render import render_site

    if not isinstance(reuse, ServeReuse):
        with staged(out, root) as staging:
            files = render_site(site, theme, reuse, staging, out)
            progress("publishing")
            staging.write_files(files)
        return files
    files = render_site(site, theme, reuse, published=out)
    progress("publishing")
    last = reuse.published.get(str(out))
    published, written = update_in_place(files, out, root, last, quiet_paths(root, touched))
    reuse.published = {str(out): published}
    reuse.wrote(written)
    return files


def _config_zone(root: Path) -> str:
    """logbook.toml's zone (its problems are reported by the build itself)."""
    from logbook.load.config import load_config

    return load_config(root)[0].timezone


def _theme_folders(root: Path) -> tuple[Path, ...]:
    """Where the theme may come from, and the translation catalogues (a bad logbook.toml only means no
    shortcut: the build reports it)."""
    from logbook.load.config import load_config
    from logbook.load.themes import ThemeError, resolve_theme, theme_dirs

    try:  # load_config reads logbook.toml safely (a FIFO, deep nesting, …), and reports nothing here
        named = resolve_theme(root, load_config(root)[0].theme).folders
    except ThemeError:
        named = ()
    from logbook.load.catalogues import LOCALES_DIR

    return (*named, *theme_dirs(root), LOCALES_DIR)  # the catalogues too: a page's words are inputs
