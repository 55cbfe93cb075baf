"""git as the notary: every writing command commits exactly the files it wrote.

The evidence page says how long after the event each entry entered the record, from
the commit that first added it. A dispute typed up and committed weeks later reads as
"recorded 21 days after the event"; committed by the command that wrote it, the entry
reads as recorded the moment it was. So with ``[git] commit = true`` (which ``logbook
init`` writes) every command commits its own files, and nothing else:

* the commit holds those paths as they are in the working tree (HEAD plus them, through a
  temporary index, as ``git commit --only -- <paths>`` does) and leaves whatever else the
  user staged staged and uncommitted;
* a file the command is about to change must have no uncommitted changes of the user's,
  or the commit would carry them under the command's name: the command refuses first;
* in the middle of a merge, rebase, cherry-pick or revert, the command refuses before
  writing anything.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path


class NotaryError(Exception):
    """git cannot commit what the command would write; nothing has been written."""


class CommitFailed(Exception):
    """The files are written, but git did not commit them (a hook refused, git failed)."""


_UNFINISHED = (
    ("MERGE_HEAD", "a merge"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase or 'git am'"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
)


def _git(
    root: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            input=stdin,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})},
        )
    except OSError as exc:  # git is not installed
        return subprocess.CompletedProcess(["git"], 127, "", str(exc))


def git_available() -> bool:
    return _git(Path("."), "--version").returncode == 0


def repository(root: Path) -> Path | None:
    """The work tree *root* is in, or None outside git."""
    proc = _git(root, "rev-parse", "--show-toplevel")
    return Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None


def preflight(root: Path, changing: Sequence[Path] = ()) -> None:
    """Refuse, before anything is written, when the commit could not be exactly the command's own."""
    top = repository(root)
    if top is None:
        raise NotaryError(
            f"{root} is not in a git repository, but logbook.toml says [git] commit = true; "
            "run 'git init' there, or set commit = false under [git]"
        )
    for marker, what in _UNFINISHED:
        path = _git(root, "rev-parse", "--git-path", marker).stdout.strip()
        if path and (root / path).exists():
            raise NotaryError(
                f"git is in the middle of {what}; finish it (or abort it) first, then run this command again"
            )
    existing = [str(p.resolve()) for p in changing if p.exists()]  # relative to root, not the cwd
    if existing:
        dirty = _git(root, "status", "--porcelain", "-z", "--untracked-files=no", "--", *existing).stdout
        names = [entry[3:] for entry in dirty.split("\0") if entry.strip()]
        if names:
            raise NotaryError(
                f"{names[0]} has changes that are not committed yet; commit them first "
                f"(git commit {names[0]}), so that logbook's commit holds only what it writes"
            )


def commit(root: Path, paths: Sequence[Path], message: str) -> str:
    """Commit exactly *paths* (files written by the command); returns the new commit's short hash.

    Not ``git add`` and ``git commit --only`` with the paths as pathspecs: git matches every pathspec
    against every index entry, so an import's 30,000 files took each of them about 12 s of CPU.  The
    paths go to ``git update-index`` (read as they are, one by one), first into the user's index (as
    ``git add`` would), then into a temporary index holding HEAD, which ``git commit`` commits, hooks
    and all: so the commit holds HEAD plus exactly these files, and whatever else the user staged
    stays staged and uncommitted, as with ``--only``."""
    top = root.resolve()
    files = [os.path.relpath(p.resolve(), top) for p in paths if p.is_file()]  # git -C root: relative to root
    if not files:
        return ""
    env = (
        {}
        if _git(root, "config", "user.email").stdout.strip()
        else {
            "GIT_AUTHOR_NAME": "logbook",
            "GIT_AUTHOR_EMAIL": "logbook@localhost",
            "GIT_COMMITTER_NAME": "logbook",
            "GIT_COMMITTER_EMAIL": "logbook@localhost",
        }
    )
    # NUL-separated on stdin: tens of thousands of paths are more than a command line holds (E2BIG),
    # and a NUL cannot occur in a path; update-index takes each literally ('a[1].pdf' is that file).
    listing = "\0".join(files) + "\0"
    added = _git(root, "update-index", "--add", "-z", "--stdin", stdin=listing)
    if added.returncode != 0:
        raise CommitFailed(f"git add failed: {_last_line(added.stderr)}")
    index = top / _git(root, "rev-parse", "--git-path", "logbook-commit.index").stdout.strip()  # git: from root
    only = {**env, "GIT_INDEX_FILE": str(index)}
    try:
        head = _git(root, "rev-parse", "-q", "--verify", "HEAD").returncode == 0
        steps = (
            ("read-tree", "HEAD") if head else ("read-tree", "--empty"),
            ("update-index", "--add", "-z", "--stdin"),
            ("commit", "-q", "-m", message),
        )
        for step in steps:
            done = _git(root, *step, env=only, stdin=listing if step[0] == "update-index" else None)
            if done.returncode != 0:
                raise CommitFailed(f"git commit failed: {_last_line(done.stderr or done.stdout)}")
    finally:
        index.unlink(missing_ok=True)
    return _git(root, "rev-parse", "--short", "HEAD").stdout.strip()


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message from git"
