"""The load stage: configuration → discovery → parsing → cross-record checks.

``load_logbook`` is what ``logbook check`` runs, and the first half of ``build``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import load_config
from .diagnostics import Diagnostic, sorted_diagnostics
from .discover import SingleSource, discover
from .history import History, read_history
from .models import Logbook
from .parse import parse_source
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


def load_logbook(root: Path) -> LoadResult:
    """Everything ``check`` reports: configuration, sources, fields, cross-record checks and git history."""
    root = root.resolve()
    config, diagnostics = load_config(root)
    sources, found = discover(root)
    diagnostics.extend(found)
    cases = []
    files = 0
    for source in sources:
        result = parse_source(source, root, config)
        diagnostics.extend(result.diagnostics)
        files += len(result.files)
        if result.case is not None:
            cases.append(result.case)
    ordered = tuple(cases)
    diagnostics.extend(run_checks(ordered, config))
    history = read_history(root, frozenset(s.path for s in sources if isinstance(s, SingleSource)))
    diagnostics.extend(deleted_interaction_diagnostics(ordered, history))
    return LoadResult(Logbook(str(root), config, ordered), tuple(sorted_diagnostics(diagnostics)), files, history)
