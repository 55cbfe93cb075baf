"""Finding the case sources under ``cases/``, in a stable order.

* a folder holding ``case.md`` is a **bundle**: its other ``.md`` files are
  interactions, every other file in it is a possible attachment;
* any other ``.md`` file is a **single-file** case;
* names starting with ``.`` or ``_`` are ignored (editor droppings, drafts).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from logbook.core.diagnostics import Diagnostic, Location, error
from logbook.core.records import quick_pickle

CASES_DIR = "cases"
CASE_FILE = "case.md"


@quick_pickle
@dataclass(frozen=True, slots=True)
class BundleSource:
    folder: str  # relative to the logbook root
    interaction_files: tuple[str, ...]
    other_files: tuple[str, ...]

    @property
    def case_file(self) -> str:
        return f"{self.folder}/{CASE_FILE}"


@quick_pickle
@dataclass(frozen=True, slots=True)
class SingleSource:
    path: str  # relative to the logbook root


Source = BundleSource | SingleSource


def ignored(name: str) -> bool:
    return name.startswith((".", "_")) or name.endswith("~")


def discover(root: Path) -> tuple[list[Source], list[Diagnostic]]:
    cases_dir = root / CASES_DIR
    if not cases_dir.is_dir():
        return [], [
            error(
                "no-cases",
                f"there is no '{CASES_DIR}/' folder in {root}",
                Location(CASES_DIR),
                "create it, or run logbook in the logbook's folder",
            )
        ]
    sources: list[Source] = []
    diagnostics: list[Diagnostic] = []
    prefix = len(str(root)) + 1
    for folder, subfolders, files in os.walk(cases_dir):
        subfolders[:] = sorted(d for d in subfolders if not ignored(d))
        rel_folder = folder[prefix:].replace(os.sep, "/")
        names = sorted(f for f in files if not ignored(f))
        if CASE_FILE in names:
            interactions = tuple(f"{rel_folder}/{n}" for n in names if n.endswith(".md") and n != CASE_FILE)
            others = [f"{rel_folder}/{n}" for n in names if not n.endswith(".md")]
            for sub_root, sub_dirs, sub_files in os.walk(folder) if subfolders else ():
                sub_dirs[:] = sorted(d for d in sub_dirs if not ignored(d))
                if sub_root != folder:
                    rel = sub_root[prefix:].replace(os.sep, "/")
                    others.extend(f"{rel}/{n}" for n in sorted(sub_files) if not ignored(n))
            sources.append(BundleSource(rel_folder, interactions, tuple(others)))
            subfolders[:] = []
            continue
        for name in names:
            rel = f"{rel_folder}/{name}"
            if name.endswith(".md"):
                sources.append(SingleSource(rel))
    return sources, diagnostics
