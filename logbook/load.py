"""The load stage: configuration → discovery → parsing → cross-record checks.

``load_logbook`` is what ``logbook check`` runs, and the first half of ``build``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cache import BuildCache, digest_text, stamps_of, unchanged
from .config import load_config
from .diagnostics import Diagnostic, sorted_diagnostics
from .discover import BundleSource, SingleSource, Source, discover
from .history import History, read_history
from .models import Config, Logbook
from .parse import ParseResult, parse_source
from .provenance import deleted_interaction_diagnostics
from .validate import run_checks


@dataclass(frozen=True, slots=True)
class LoadResult:
    logbook: Logbook
    diagnostics: tuple[Diagnostic, ...]
    files: int
    history: History

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def load_logbook(root: Path, cache: BuildCache | None = None) -> LoadResult:
    """Everything ``check`` reports: configuration, sources, fields, cross-record checks and git history.

    With a *cache*, a source whose files (and the attachments it names) are unchanged is not parsed again.
    """
    root = root.resolve()
    config, diagnostics = load_config(root)
    sources, found = discover(root)
    diagnostics.extend(found)
    cases = []
    files = 0
    config_key = repr(config)
    for source in sources:
        result = _parse(source, root, config, config_key, cache)
        diagnostics.extend(result.diagnostics)
        files += len(result.files)
        if result.case is not None:
            cases.append(result.case)
    ordered = tuple(cases)
    diagnostics.extend(run_checks(ordered, config))
    history = read_history(root, frozenset(s.path for s in sources if isinstance(s, SingleSource)))
    diagnostics.extend(deleted_interaction_diagnostics(ordered, history))
    return LoadResult(Logbook(str(root), config, ordered), tuple(sorted_diagnostics(diagnostics)), files, history)


def _parse(source: Source, root: Path, config: Config, config_key: str, cache: BuildCache | None) -> ParseResult:
    if cache is None:
        return parse_source(source, root, config)
    paths = (source.case_file, *source.interaction_files) if isinstance(source, BundleSource) else (source.path,)
    key = digest_text(config_key, repr(source), *(str(cache.file_digest(root, p)) for p in paths))

    def parse() -> tuple[ParseResult, tuple]:
        result = parse_source(source, root, config)
        return result, stamps_of(result.consulted)

    result, _ = cache.parsed.get(key, parse, lambda entry: unchanged(entry[1]))
    return result
