"""Real git repositories with commits at chosen dates, for provenance tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Alex Morgan",
        "GIT_AUTHOR_EMAIL": "alex@example.net",
        "GIT_COMMITTER_NAME": "Alex Morgan",
        "GIT_COMMITTER_EMAIL": "alex@example.net",
    }
    if date:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = date
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


def init(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    return root


def commit_all(root: Path, message: str, date: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)
    return git(root, "rev-parse", "HEAD").strip()
