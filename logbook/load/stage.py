"""The load stage: configuration → discovery → parsing → cross-record checks.

``load_logbook`` is what ``logbook check`` runs, and the first half of ``build``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from logbook.core.diagnostics import Diagnostic, sorted_diagnostics
from logbook.core.models import Config, Logbook
from logbook.core.records import quick_pickle
from logbook.load.config import load_config
from logbook.load.parse import ParseResult, parse_source
from logbook.load.provenance import deleted_interaction_diagnostics
from logbook.speed.parses import Parsing
from logbook.speed.policy import Reuse
from logbook.store.discover import CASES_DIR, BundleSource, SingleSource, Source, discover
from logbook.store.history import History, HistoryMemo, git_asked, read_history
from logbook.validate.checks import case_checks, page_claims, page_conflicts, site_checks


@quick_pickle
@dataclass(frozen=True, slots=True)
class LoadResult:
    logbook: Logbook
    diagnostics: tuple[Diagnostic, ...]
    files: int
    history: History

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


@dataclass
class _LoadState:
    """What serve keeps of a load for the next one: the configuration (an equal one stays the same
    object, so what was made from it is reused) and the last discovery (see _discover)."""

    config: Config | None = None
    discovered: tuple[list[Source], list[Diagnostic], frozenset[str]] | None = None


def load_logbook(root: Path, reuse: Reuse | None = None, touched: frozenset[str] | None = None) -> LoadResult:
    """Everything ``check`` reports: configuration, sources, fields, cross-record checks and git history.

    The *reuse* policy (speed/policy.py) decides which parses and checks are taken from before: with
    the build cache, a source whose files (and the attachments it names) are unchanged is not parsed
    again.  *touched* (serve, from its file watcher) names every logbook-relative path changed since
    the last build; with it, serve neither walks the folders again nor looks at untouched files.
    """
    reuse = reuse or Reuse()
    root = root.resolve()
    config, diagnostics = load_config(root)
    state = reuse.kept(_LoadState)
    if state.config == config:  # an unchanged configuration stays the same object
        config = state.config
    state.config = config
    with git_asked(root) as asked:  # git answers while the sources are parsed
        sources, found = _discover(root, state, touched)
        diagnostics.extend(found)
        results = reuse.parses(sources, _parsing(root, config), touched)
        cases = tuple(result.case for result in results if result.case is not None)
        for result in results:
            diagnostics.extend(result.diagnostics)
        # each case's own checks ran with its parse; the pages each asks for are kept while it lives
        claims = reuse.per_cases("page claims", cases, page_claims)
        conflicts = reuse.combined("output conflicts", lambda: claims, lambda: tuple(page_conflicts(claims)))
        diagnostics.extend(site_checks(cases, config, conflicts))
        single = frozenset(s.path for s in sources if isinstance(s, SingleSource))
        history = read_history(root, asked, single, reuse.kept(HistoryMemo))
    diagnostics.extend(deleted_interaction_diagnostics(cases, history))
    files = sum(len(result.files) for result in results)
    return LoadResult(Logbook(str(root), config, cases), tuple(sorted_diagnostics(diagnostics)), files, history)


def _parsing(root: Path, config: Config) -> Parsing[ParseResult]:
    """How a source is parsed, for the policy (speed/parses.py)."""
    return Parsing(
        root,
        config,
        repr(config),
        lambda source, contents: _checked(parse_source(source, root, config, contents), config),
        lambda result: result.consulted,
        ParseResult,
    )


def _checked(result: ParseResult, config: Config) -> ParseResult:
    """A parse with its case's own checks (CASE_CHECKS), run where the parse runs and kept with it in
    the build cache: they look at the case alone, and a parse is redone when its case changes."""
    if result.case is None:
        return result
    return replace(result, diagnostics=(*result.diagnostics, *case_checks(result.case, config)))


def _discover(root: Path, state: _LoadState, touched: frozenset[str] | None) -> tuple[list[Source], list[Diagnostic]]:
    """discover(), or last build's sources when the watcher saw no file appear, vanish or turn into a folder."""
    known = state.discovered
    if (
        known is None
        or touched is None
        or not all(
            os.path.isfile(root / path) and path in known[2] for path in touched if path.startswith(CASES_DIR + "/")
        )
    ):
        sources, found = discover(root)
        files = frozenset(
            p
            for s in sources
            for p in ((s.case_file, *s.interaction_files, *s.other_files) if isinstance(s, BundleSource) else (s.path,))
        )
        known = state.discovered = (sources, found, files)
    return list(known[0]), list(known[1])
