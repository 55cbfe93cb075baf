"""Finding the logbook a command is run in, and the case it names.

Writing commands work from anywhere inside a logbook, as git does inside a repository:
the root is the nearest folder, going upward, that holds ``logbook.toml`` or a
``cases/`` folder.  A case id that names no case gets a did-you-mean.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from logbook.load.config import CONFIG_NAME
from logbook.store.discover import CASES_DIR


class NotALogbook(Exception):
    """No logbook at or above the folder a command was run in."""


def find_root(start: Path) -> Path:
    """The logbook holding *start* (a folder), searching upward."""
    start = start.resolve()
    if not start.is_dir():
        raise NotALogbook(f"'{start}' is not a folder")
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / CASES_DIR).is_dir():
            return folder
    raise NotALogbook(
        f"no logbook here: neither {start} nor a folder above it holds {CONFIG_NAME} or a "
        f"{CASES_DIR}/ folder (start one with 'logbook init', or name it with -C FOLDER)"
    )


def closest_ids(wanted: str, ids: Iterable[str]) -> list[str]:
    """Case ids that look like a mistyped *wanted*: swapped or changed characters, another case."""
    ids = sorted(set(ids))
    by_fold = {i.casefold(): i for i in ids}
    matches = difflib.get_close_matches(wanted.casefold(), list(by_fold), n=3, cutoff=0.7)
    return [by_fold[m] for m in matches]


def no_such_case(wanted: str, ids: Iterable[str]) -> str:
    """``no case 'SM-7718'; did you mean 'SM-7781'?`` (or the ids there are, when few)."""
    ids = sorted(set(ids))
    close = closest_ids(wanted, ids)
    if close:
        return f"no case '{wanted}'; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if not ids:
        return f"no case '{wanted}': this logbook has no cases yet (create one with: logbook new {wanted} --title …)"
    if len(ids) <= 8:
        return f"no case '{wanted}'; the cases are: {', '.join(ids)}"
    return f"no case '{wanted}' (logbook build lists them all on the dashboard)"
