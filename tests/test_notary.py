"""notary.commit on real repositories: one commit of exactly the files given, the user's staging left
alone, paths taken literally, without pathspecs (matched by git against every index entry, which made
an import's commit of 30,000 files quadratic)."""

from __future__ import annotations

import pytest

from logbook.store import notary
from support.gitrepo import commit_all, git, init


@pytest.fixture(autouse=True)
def _no_global_git_config(monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def _committed(root, rev="HEAD"):
    return sorted(name for name in git(root, "show", "-z", "--name-only", "--format=", rev).split("\0") if name.strip())


def test_commit_holds_exactly_its_files_and_leaves_the_users_staging(tmp_path):
    root = init(tmp_path / "book")
    (root / "notes.txt").write_text("mine\n")
    commit_all(root, "start", "2026-11-01T10:00:00+00:00")
    (root / "notes.txt").write_text("mine, edited and staged\n")
    git(root, "add", "notes.txt")
    (root / "cases").mkdir()
    written = [root / "cases" / name for name in ("a[1].pdf", "*.md", "b c.md", "ü.eml")]
    for path in written:
        path.write_text(path.name)
    (root / "cases" / "a1.pdf").write_text("a pattern 'a[1].pdf' would match this")
    assert notary.commit(root, written, "logbook: import")
    assert _committed(root) == sorted(f"cases/{p.name}" for p in written)
    assert git(root, "log", "-1", "--format=%s").strip() == "logbook: import"
    assert git(root, "diff", "--cached", "--name-only").split() == ["notes.txt"]  # still staged, not committed
    assert "cases/a1.pdf" in git(root, "status", "--porcelain", "--untracked-files=all")


def test_commit_from_a_subfolder_of_the_repository_and_an_unborn_branch(tmp_path):
    top = init(tmp_path / "repo")
    root = top / "logbook"
    (root / "cases").mkdir(parents=True)
    record = root / "cases" / "x.md"
    record.write_text("x\n")
    assert notary.commit(root, [record], "logbook: first")
    assert _committed(top) == ["logbook/cases/x.md"]
    assert git(top, "status", "--porcelain").strip() == ""


def test_a_file_the_repository_ignores_is_still_committed_when_the_command_wrote_it(tmp_path):
    """``git add`` refused an ignored path, so an import into a logbook whose .gitignore names *.eml
    wrote its records uncommitted; the commit is of the files the command wrote, whatever git ignores."""
    root = init(tmp_path / "book")
    (root / ".gitignore").write_text("*.eml\n")
    commit_all(root, "start", "2026-11-01T10:00:00+00:00")
    (root / "m.eml").write_bytes(b"From: a@b\r\n\r\nhi\r\n")
    (root / "m.md").write_text("record\n")
    assert notary.commit(root, [root / "m.eml", root / "m.md"], "logbook: import")
    assert _committed(root) == ["m.eml", "m.md"]


def test_a_refusing_hook_leaves_no_commit_and_no_temporary_index(tmp_path):
    root = init(tmp_path / "book")
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'not today' >&2\nexit 1\n")
    hook.chmod(0o755)
    (root / "r.md").write_text("r\n")
    with pytest.raises(notary.CommitFailed, match="not today"):
        notary.commit(root, [root / "r.md"], "logbook: add")
    assert not (root / ".git/logbook-commit.index").exists()
    assert git(root, "rev-list", "--all").strip() == ""
