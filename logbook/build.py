"""The pipeline, top to bottom: load → derive → render → publish.

``check`` is the load stage alone; ``build`` runs the rest only when the load
found no errors, so a broken logbook never replaces a good site.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from logbook.core.diagnostics import Location, error
from logbook.core.models import BuildResult
from logbook.speed.cache import BuildCache, inputs_fingerprint, open_cache, quiet_paths, site_stamp
from logbook.speed.collector import long_lived

if TYPE_CHECKING:
    from logbook.load.stage import LoadResult

DEFAULT_OUT = "_site"


def check(root: Path) -> LoadResult:
    from logbook.load.stage import load_logbook

    return load_logbook(root)


def as_of_instant(text: str | None, zone_name: str) -> datetime:
    """``--as-of``: a date means the end of that day in the site's zone; absent means now."""
    from logbook.core.timeparse import parse_moment, zone_named

    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    return parse_moment(text, zone_named(zone_name)).moment.end


def build(
    root: Path,
    out: Path | None = None,
    as_of: str | None = None,
    strict: bool = False,
    cache: BuildCache | None | bool = True,
    persist: bool = True,
    progress: Callable[[str], None] = lambda stage: None,
    touched: frozenset[str] | None = None,
) -> BuildResult:
    """Load, derive, render and publish.  ``cache=True`` uses the on-disk build cache (see speed/cache.py),
    a BuildCache object reuses that one (serve keeps one in memory), False builds from nothing;
    *persist* writes the cache back to disk afterwards; *progress* is told each stage as it starts;
    *touched* (serve's file watcher) lists the logbook-relative paths changed since the last build."""
    root = root.resolve()
    out = (out or root / DEFAULT_OUT).resolve()
    store = open_cache(root) if cache is True else cache or None
    inputs = None
    watching = store is not None and store.incremental and "published" in store.runtime  # serve, after a change
    if store is not None and as_of is not None and not watching:  # without --as-of, "now" differs every build
        inputs = inputs_fingerprint(root, _theme_folders(root), (as_of, str(strict), str(out)))
        last = store.last_site.get(str(out))
        if last is not None and last[0] == inputs and last[1] == site_stamp(out):
            store.runtime["written"] = ()
            unchanged: BuildResult = last[2]
            return unchanged  # nothing changed since the last build published this very site
    if store is not None:
        store.load_tables()
    with long_lived(active=store is None or not store.incremental) as settle:  # see collector.py
        result = _build(root, out, as_of, strict, store, progress, touched, settle)
    if store is not None:
        store.last_site = {str(out): (inputs, site_stamp(out), result)} if inputs and result.published else {}
        if persist:
            store.save(prune=result.published)
        else:
            store.roll_over(prune=result.published)
    return result


def _build(
    root: Path,
    out: Path,
    as_of: str | None,
    strict: bool,
    store: BuildCache | None,
    progress: Callable[[str], None],
    touched: frozenset[str] | None,
    settle: Callable[[], None],
) -> BuildResult:
    """The stages; *settle* is told when records that live to the end of the build have been made."""
    from logbook.evidence.derive import derive_site
    from logbook.load.stage import load_logbook
    from logbook.load.themes import ThemeError, resolve_theme
    from logbook.site.publish import staged, update_in_place
    from logbook.site.render import RenderError, render_site

    progress("reading cases")
    loaded = load_logbook(root, store, touched)
    settle()
    diagnostics = loaded.diagnostics
    if loaded.has_errors or (strict and diagnostics):
        return BuildResult(diagnostics, False, out, files=loaded.files)
    config = loaded.logbook.config
    try:
        theme = resolve_theme(root, config.theme)
        progress("deriving facts")
        site = derive_site(
            loaded.logbook,
            as_of_instant(as_of, config.timezone),
            loaded.history,
            memo=store.derived if store is not None and store.incremental else None,
        )
        settle()
        progress("rendering pages")
        if store is not None and store.incremental:  # serve: replace only what changed since its last build
            files = render_site(site, theme, store, published=out)
            progress("publishing")
            published, written = update_in_place(
                files, out, root, store.runtime.get("published", {}).get(str(out)), quiet_paths(root, touched)
            )
            store.runtime["published"], store.runtime["written"] = {str(out): published}, written
        else:  # pages go to a staging folder as they are drawn; swapped in only if every page was
            with staged(out, root) as staging:
                files = render_site(site, theme, store, staging, out)
                progress("publishing")
                staging.write_files(files)
    except ThemeError as exc:
        return BuildResult((*diagnostics, error("unknown-theme", str(exc), Location("logbook.toml"))), False, out)
    except RenderError as exc:
        return BuildResult((*diagnostics, *exc.diagnostics), False, out)
    return BuildResult(diagnostics, True, out, pages=files.count, files=loaded.files)


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
