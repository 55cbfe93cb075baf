"""Provenance from git: when each record was first committed, amended, or deleted.

Version control is the audit trail.  The whole history is read in one pass, not one
subprocess per file: ``git log --name-status`` over ``cases/``, oldest first, gives every file
its first commit, later amending commits, and its deletion; ``git log -p`` over the single-file
cases alone, read line by line as git prints it, replays each of them version by version, so
each ``## `` section gets a record of its own, keyed by the timestamp its heading starts with.
No other file's text is read from git: a bundle's files, attachments and an imported mailbox's
``.eml`` copies need only their names, and a logbook's whole text is never held twice.

A logbook outside a git repository still builds: ``History.available`` is False.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from logbook.core.records import quick_pickle
from logbook.core.split import split_front_matter, split_sections
from logbook.core.timeparse import TIMESTAMP_RE
from logbook.store.discover import CASE_FILE

LOG_FORMAT = "--format=%x1e%H%x1f%an%x1f%ae%x1f%cI"
# Oldest first, each path as it stands, whatever the user's configuration (log.follow would follow one
# file's renames and, with --reverse, print only the rename; with a glob pathspec git stops on it)
LOG = ("log", "--reverse", "--no-renames", "--no-follow", "--relative", "--no-color")
# The single files are named to git on its command line up to this many bytes (the kernel's limit on
# a command line is about 2 MB); beyond it, git prints every record's patch and the others are skipped
PATHS_ON_COMMAND_LINE = 256 * 1024
HUNK_RE = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@quick_pickle
@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    author: str
    email: str
    date: datetime  # committer date: when it entered the record

    @property
    def short(self) -> str:
        return self.sha[:7]


@quick_pickle
@dataclass(frozen=True, slots=True)
class Record:
    """The history of one file or one section."""

    first: Commit
    amendments: tuple[Commit, ...] = ()
    deleted: Commit | None = None


@quick_pickle
@dataclass(frozen=True, slots=True)
class History:
    available: bool
    reason: str | None = None  # why not, when unavailable
    head: Commit | None = None
    clean: bool = False
    files: dict[str, Record] = field(default_factory=dict)  # logbook-relative path
    sections: dict[tuple[str, str], Record] = field(default_factory=dict)  # (path, section key)
    # Indexes of what was deleted, made once: folder → [(interaction file, record)], file → [(section key, record)],
    # and every other deleted file (an exhibit) in path order; a case looks only at these, never at every file
    deleted_files: dict[str, list[tuple[str, Record]]] = field(init=False, repr=False, compare=False)
    deleted_sections: dict[str, list[tuple[str, Record]]] = field(init=False, repr=False, compare=False)
    deleted_exhibits: tuple[tuple[str, Record], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_folder: dict[str, list[tuple[str, Record]]] = {}
        exhibits: list[tuple[str, Record]] = []
        for path, record in sorted(self.files.items()):
            folder, _, name = path.rpartition("/")
            if record.deleted and name.endswith(".md") and name != CASE_FILE:
                by_folder.setdefault(folder, []).append((path, record))
            elif record.deleted and not name.endswith(".md"):
                exhibits.append((path, record))
        by_file: dict[str, list[tuple[str, Record]]] = {}
        for (path, key), record in sorted(self.sections.items()):
            if record.deleted:
                by_file.setdefault(path, []).append((key, record))
        object.__setattr__(self, "deleted_files", by_folder)
        object.__setattr__(self, "deleted_sections", by_file)
        object.__setattr__(self, "deleted_exhibits", tuple(exhibits))

    def file(self, path: str) -> Record | None:
        return self.files.get(path) if self.available else None

    def section(self, path: str, key: str) -> Record | None:
        return self.sections.get((path, key)) if self.available else None


def section_keys(headings: Iterable[str]) -> list[str]:
    """A section's identity: the timestamp its heading starts with, numbered when repeated."""
    seen: dict[str, int] = {}
    keys = []
    for heading in headings:
        match = TIMESTAMP_RE.match(heading.strip())
        base = " ".join(match[0].split()) if match else heading.strip()
        seen[base] = seen.get(base, 0) + 1
        keys.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return keys


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), "-c", "core.quotepath=off", *args], capture_output=True)


def _start_git(root: Path, *args: str) -> subprocess.Popen[bytes]:
    """git without its optional locks: ``status`` then never rewrites the index (taking index.lock),
    which would make a ``git commit`` the user runs at that moment fail."""
    return subprocess.Popen(
        ["git", "-C", str(root), "-c", "core.quotepath=off", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
    )


Asked = tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]


@contextmanager
def git_asked(root: Path) -> Iterator[Asked | None]:
    """Ask git for HEAD and the working tree's state, both at once, for a block that reads the answers
    (read_history) after other work, so that git works meanwhile (None: git is not installed).  A block
    that ends early stops and waits for whatever git has not finished."""
    try:
        asked: Asked | None = (
            _start_git(root, "log", "-1", "--format=%H%x1f%an%x1f%ae%x1f%cI"),
            _start_git(root, "status", "--porcelain", "--", "cases", "logbook.toml", "themes"),
        )
    except FileNotFoundError:
        asked = None
    try:
        yield asked
    finally:
        for process in asked or ():
            if process.returncode is None:  # not read: the block ended early
                process.kill()
                process.communicate()


@dataclass
class HistoryMemo:
    """What serve keeps of the history between rebuilds: git's replayed records by (HEAD, single
    files), and the last History by everything it was read from."""

    records: tuple[Any, ...] | None = None  # (key, files, sections)
    history: tuple[tuple[Any, ...], History] | None = None


def read_history(
    root: Path, asked: Asked | None, single_files: frozenset[str] = frozenset(), memo: HistoryMemo | None = None
) -> History:
    """The logbook's history from git's answers *asked* (see git_asked); *single_files* are replayed
    section by section.

    With a *memo* (serve), the history is read again only when HEAD, the working tree's
    cleanliness or the single files change, and is otherwise the very same object as before.
    """
    if asked is None:
        return _remember(memo, ("no git",), lambda: History(False, "git is not installed"))
    head_proc, status_proc = asked
    head_out, status_out = head_proc.communicate()[0], status_proc.communicate()[0]
    if head_proc.returncode != 0 or not head_out.strip():  # why not: outside a repository, or no commit yet
        probe = _git(root, "rev-parse", "--is-inside-work-tree")
        if probe.returncode != 0 or probe.stdout.strip() != b"true":
            return _remember(memo, ("no repository",), lambda: History(False, "the logbook is not in a git repository"))
        return _remember(memo, ("no commits",), lambda: History(False, "the repository has no commits yet"))
    head = _commit(head_out.decode("utf-8", "replace").strip())
    clean = status_proc.returncode == 0 and not status_out.strip()

    def records() -> History:
        key = (head, single_files)  # a change of cleanliness alone keeps the records (the same dicts)
        known = memo.records if memo is not None else None
        if known is None or known[0] != key:
            names = _start_git(root, *LOG, "--name-status", LOG_FORMAT, "--", "cases")
            try:
                sections = _replay_sections(root, single_files)  # while git lists the names
            except BaseException:  # why: a long-running serve must not keep a git blocked on its pipe
                names.kill()
                names.communicate()
                raise
            files: dict[str, Record] = {}
            _replay_names(names.communicate()[0].decode("utf-8", "replace"), files)
            known = (key, files, sections)
            if memo is not None:
                memo.records = known
        return History(True, None, head, clean, known[1], known[2])

    return _remember(memo, (head, clean, single_files), records)


def _remember(memo: HistoryMemo | None, key: tuple[Any, ...], read: Callable[[], History]) -> History:
    if memo is None:
        return read()
    known = memo.history
    if known is None or known[0] != key:
        memo.history = known = (key, read())
    return known[1]


def _commit(line: str) -> Commit:
    sha, author, email, date = line.split("\x1f")
    return Commit(sha, author, email, datetime.fromisoformat(date))


@dataclass
class _FileDiff:
    path: str
    change: str  # "A", "M" or "D"
    hunks: list[tuple[int, int, list[str]]] = field(default_factory=list)  # (old start, old count, new lines)


def _patches(lines: Iterable[str]) -> Iterator[tuple[Commit, _FileDiff]]:
    """Each file's patch in ``git log -p -U0`` output, read line by line as git prints it (a whole
    logbook's text is never held at once), with the commit it belongs to.

    A commit starts where a line starts with \x1e: a \x1e inside a file's text is never at the start
    of a patch line (those begin with '+', '-', ' ' or '@'), so a record holding one cannot split a
    commit.  A '+' line after the file's first ``@@`` is its text, even one that begins '+++'."""
    commit: Commit | None = None
    current: _FileDiff | None = None
    for raw in lines:
        line = raw.removesuffix("\n")
        if line.startswith("\x1e"):
            if current is not None and commit is not None:
                yield commit, current
            commit, current = _commit(line[1:].strip()), None
        elif line.startswith("diff --git "):
            if current is not None and commit is not None:
                yield commit, current
            match = re.match(r'diff --git "?a/(.*?)"? "?b/(.*?)"?$', line)
            current = _FileDiff(match[2] if match else line[13:], "M")
        elif current is None:
            continue
        elif line.startswith("@@"):
            match = HUNK_RE.match(line)
            if match:
                old_count = int(match[2]) if match[2] is not None else 1
                current.hunks.append((int(match[1]), old_count, []))
        elif current.hunks and line.startswith("+"):
            current.hunks[-1][2].append(line[1:].rstrip("\r"))
        elif line.startswith("new file mode"):
            current.change = "A"
        elif line.startswith("deleted file mode"):
            current.change = "D"
    if current is not None and commit is not None:
        yield commit, current


def _apply(old: list[str], hunks: list[tuple[int, int, list[str]]]) -> list[str]:
    """Apply zero-context hunks (``-U0``) to the old lines."""
    new: list[str] = []
    position = 0
    for start, count, added in hunks:
        begin = start - 1 if count > 0 else start
        new.extend(old[position:begin])
        new.extend(added)
        position = begin + count
    new.extend(old[position:])
    return new


def _sections_of(lines: list[str]) -> dict[str, str]:
    text = "\n".join(lines)
    _, sections = split_sections(split_front_matter(text.removeprefix("\ufeff")).body)
    keys = section_keys(s.heading for s in sections)
    return {key: f"{s.heading}\n{s.fields.text}\n{s.body.text}" for key, s in zip(keys, sections)}


def _note(records: dict[Any, Any], key: object, commit: Commit, change: str) -> None:
    """Fold one change into a record: first commit, amendments (re-adding counts as one), deletion."""
    record: Record | None = records.get(key)
    if change == "D":
        if record is not None:
            records[key] = Record(record.first, record.amendments, commit)
    elif record is None:
        records[key] = Record(commit)
    else:
        records[key] = Record(record.first, (*record.amendments, commit), None)


def _replay_names(log: str, files: dict[str, Record]) -> None:
    """Fold ``git log --name-status`` (every file's commits, by name) into *files*."""
    for chunk in ("\n" + log).split("\n\x1e")[1:]:
        header, _, body = chunk.partition("\n")
        commit = _commit(header.strip())
        for line in body.split("\n"):
            status, tab, path = line.partition("\t")
            if tab and status:
                path = path[1:-1] if len(path) > 1 and path[0] == path[-1] == '"' else path  # as _patches reads it
                _note(files, path, commit, "D" if status[0] == "D" else ("A" if status[0] == "A" else "M"))


def _replay_sections(root: Path, single_files: frozenset[str]) -> dict[tuple[str, str], Record]:
    """Each section of the single-file cases, replayed version by version from git's patches of those
    files alone (a bundle's files need no text: their records come from the names)."""
    if not single_files:
        return {}
    paths = [f":(literal){path}" for path in sorted(single_files)]  # a '*' in a name is not a pattern
    if sum(len(path) + 1 for path in paths) > PATHS_ON_COMMAND_LINE:
        paths = [":(glob)cases/**/*.md"]  # every record's patch, read past but for the single files
    log = _start_git(root, *LOG, "-p", "-U0", "--no-ext-diff", LOG_FORMAT, "--", *paths)
    assert log.stdout is not None
    try:
        with io.TextIOWrapper(log.stdout, encoding="utf-8", errors="replace", newline="\n") as lines:
            sections = _replay(lines, single_files)
    except BaseException:  # why: as for the names' git in read_history, none is left running
        log.kill()
        log.wait()
        raise
    log.wait()
    return sections


def _replay(lines: Iterable[str], single_files: frozenset[str]) -> dict[tuple[str, str], Record]:
    sections: dict[tuple[str, str], Record] = {}
    contents: dict[str, list[str]] = {}
    for commit, diff in _patches(lines):
        if diff.path not in single_files:
            continue
        before = _sections_of(contents.get(diff.path, []))
        after_lines = [] if diff.change == "D" else _apply(contents.get(diff.path, []), diff.hunks)
        contents[diff.path] = after_lines
        after = _sections_of(after_lines)
        for key in before.keys() | after.keys():
            if key not in after:
                _note(sections, (diff.path, key), commit, "D")
            elif before.get(key) != after[key]:
                _note(sections, (diff.path, key), commit, "A" if key not in before else "M")
    return sections
