"""The load stage: configuration → discovery → parsing → cross-record checks.

``load_logbook`` is what ``logbook check`` runs, and the first half of ``build``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .cache import BuildCache, digest_text, settled, stamps_of, unchanged
from .config import load_config
from .diagnostics import Diagnostic, sorted_diagnostics
from .discover import CASES_DIR, BundleSource, SingleSource, Source, discover
from .history import History, read_history
from .models import Config, Logbook
from .parse import ParseResult, parse_source
from .provenance import deleted_interaction_diagnostics
from .validate import SITE_CHECKS, case_checks, run_checks


@dataclass(frozen=True, slots=True)
class LoadResult:
    logbook: Logbook
    diagnostics: tuple[Diagnostic, ...]
    files: int
    history: History

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def load_logbook(root: Path, cache: BuildCache | None = None, touched: frozenset[str] | None = None) -> LoadResult:
    """Everything ``check`` reports: configuration, sources, fields, cross-record checks and git history.

    With a *cache*, a source whose files (and the attachments it names) are unchanged is not parsed again.
    *touched* (serve, from its file watcher) names every logbook-relative path changed since the last
    build; with it, an incremental cache neither walks the folders again nor looks at untouched files.
    """
    root = root.resolve()
    config, diagnostics = load_config(root)
    runtime = cache.runtime if cache is not None and cache.incremental else None  # serve's in-memory state
    if runtime is not None:  # an unchanged configuration stays the same object
        if runtime.get("config") == config:
            config = runtime["config"]
        runtime["config"] = config
    sources, found = _discover(root, runtime, touched)
    diagnostics.extend(found)
    cases = []
    files = 0
    config_key = repr(config)
    for source in sources:
        result = _parse(source, root, config, config_key, cache, touched)
        diagnostics.extend(result.diagnostics)
        files += len(result.files)
        if result.case is not None:
            cases.append(result.case)
    ordered = tuple(cases)
    diagnostics.extend(run_checks(ordered, config, SITE_CHECKS))
    for case in ordered:
        diagnostics.extend(case_checks(case, config) if runtime is None or cache is None else
                           cache.checked.by_identity((case, config), None, lambda: case_checks(case, config)))
    history = read_history(root, frozenset(s.path for s in sources if isinstance(s, SingleSource)), runtime)
    diagnostics.extend(deleted_interaction_diagnostics(ordered, history))
    return LoadResult(Logbook(str(root), config, ordered), tuple(sorted_diagnostics(diagnostics)), files, history)


def _discover(root: Path, memo: dict | None, touched: frozenset[str] | None) -> tuple[list[Source], list[Diagnostic]]:
    """discover(), or last build's sources when the watcher saw no file appear, vanish or turn into a folder."""
    known = memo.get("discovered") if memo is not None else None
    if known is None or touched is None or not all(
            os.path.isfile(root / path) and path in known[2] for path in touched if path.startswith(CASES_DIR + "/")):
        sources, found = discover(root)
        files = frozenset(p for s in sources for p in ((s.case_file, *s.interaction_files, *s.other_files)
                                                      if isinstance(s, BundleSource) else (s.path,)))
        known = (sources, found, files)
        if memo is not None:
            memo["discovered"] = known
    return list(known[0]), list(known[1])


def _parse(source: Source, root: Path, config: Config, config_key: str, cache: BuildCache | None,
           touched: frozenset[str] | None = None) -> ParseResult:
    if cache is None:
        return parse_source(source, root, config)
    paths = (source.case_file, *source.interaction_files) if isinstance(source, BundleSource) else (source.path,)
    stamps = None
    if cache.incremental:  # serve: a source the watcher did not report, or with last build's stat, is reused
        known = cache.sources.new.get(source) or cache.sources.old.get(source)
        untouched = touched is not None and touched.isdisjoint(paths)
        stamps = stamps_of(tuple(f"{root}/{p}" for p in paths)) if not untouched or known is None else None
        if known is not None and known[0] is config and (stamps is None or known[1] == stamps) and unchanged(known[2]):
            cache.sources.new[source] = known
            return known[3]  # type: ignore[no-any-return]
        if stamps is None:
            stamps = stamps_of(tuple(f"{root}/{p}" for p in paths))
    key = digest_text(config_key, repr(source), *(str(cache.file_digest(root, p)) for p in paths))

    def parse() -> tuple[ParseResult, tuple]:
        result = parse_source(source, root, config)
        return result, stamps_of(result.consulted)

    result, consulted = cache.parsed.get(key, parse, lambda entry: unchanged(entry[1]))
    if cache.incremental and stamps is not None and settled(stamps):
        cache.sources.new[source] = (config, stamps, consulted, result)
    return result
