"""Writing a file the user named on the command line (export's PDF and ZIP, schema's JSON) without
ever destroying one.

``open(path, "wb")`` replaces whatever is at *path*: another case's source, ``logbook.toml``, and,
as root, a device node such as ``/dev/full``.  So a target is first judged (:func:`output_file`):
an existing file is replaced only when the caller says so (``--force``), and never when it is not a
regular file or when it belongs to the logbook (``logbook.toml``, anything in ``cases/``, ``themes/``
or ``.git/``).  The content is then written to a temporary file beside the target and renamed onto
it (:func:`write_output`), without replacing anything unless allowed, so a failed write (a full
disk, a read-only file system, a crash) leaves no half file and the old one whole.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from logbook.core.records import quick_pickle
from logbook.store.discover import CASES_DIR

PROTECTED_FOLDERS = (CASES_DIR, "themes", ".git")  # a logbook's inputs, read by every build
PROTECTED_FILES = ("logbook.toml",)


class OutputFileError(Exception):
    """A file cannot be written where asked; *usage* when the argument itself is wrong (exit 2)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@quick_pickle
@dataclass(frozen=True, slots=True)
class OutputFile:
    """A target judged writable: its absolute path (the folder resolved, the name as given)."""

    path: Path
    replace: bool  # an existing regular file there may be replaced
    root: Path  # the logbook whose inputs it must not touch


def output_file(target: Path, root: Path, replace: bool = False) -> OutputFile:
    """Judge *target* as a file to write for the logbook at *root*; raises OutputFileError."""
    if str(target) in ("", "."):
        raise OutputFileError("an empty file name", usage=True)
    folder = Path(os.path.abspath(target)).parent
    try:
        found = folder.is_dir()
    except OSError as exc:  # a name too long, a loop of links
        raise OutputFileError(f"{target}: {exc.strerror}", usage=True) from None
    if not found:
        raise OutputFileError(f"{target}: there is no folder {folder}", usage=True)
    path = folder.resolve() / Path(os.path.abspath(target)).name
    judged = OutputFile(path, replace, root.resolve())
    _refuse_unwritable(judged, str(target))
    return judged


def _refuse_unwritable(target: OutputFile, shown: str) -> None:
    """What must never be written over (checked when judged, and again just before the rename)."""
    try:
        st: os.stat_result | None = os.lstat(target.path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputFileError(f"{shown}: {exc.strerror}", usage=True) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputFileError(f"{shown} is a folder; give a file name", usage=True)
    inputs = _logbook_input(target.path, target.root)
    if inputs:
        raise OutputFileError(f"{shown} is {inputs}; logbook never writes there: choose another file")
    if st is None:
        return
    if not stat.S_ISREG(st.st_mode):
        raise OutputFileError(f"{shown} exists and is {_kind(st.st_mode)}; logbook writes only over regular files")
    if not target.replace:
        raise OutputFileError(f"{shown} already exists; add --force to replace it")


def _logbook_input(path: Path, root: Path) -> str:
    """Which input of a logbook *path* is (or points to), or '': of the logbook at *root*, or of
    any logbook (a folder holding logbook.toml) that *path* lies in."""
    candidates = [path]
    if path.is_symlink():
        candidates.append(path.resolve())
    for candidate in candidates:
        if candidate.name in PROTECTED_FILES:
            return f"a logbook's {candidate.name}"
        logbooks = [root, *(folder for folder in candidate.parents if (folder / PROTECTED_FILES[0]).is_file())]
        for logbook in logbooks:
            for folder in PROTECTED_FOLDERS:
                if candidate.is_relative_to(logbook / folder):
                    return f"inside the logbook's {folder}/"
    return ""


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def write_output(target: OutputFile, write: Callable[[Path], None]) -> None:
    """Have *write* fill a temporary file beside the target, then rename it into place (replacing
    a file only when the target allows it).  Nothing is left behind when anything fails."""
    temporary: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.path.name[:200]}.", suffix=".logbook-tmp", dir=target.path.parent)
        temporary = Path(name)
        os.close(fd)
        write(temporary)
        os.chmod(temporary, 0o666 & ~_umask())
        _refuse_unwritable(target, str(target.path))  # again: something may have appeared meanwhile
        if target.replace:
            os.replace(temporary, target.path)
        else:
            _rename_no_replace(temporary, target.path)
    except OSError as exc:
        raise OutputFileError(f"cannot write {target.path}: {exc.strerror or exc}; nothing was written") from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _rename_no_replace(source: Path, target: Path) -> None:
    """Rename, failing if *target* exists, in one step (renameat2 RENAME_NOREPLACE, else a hard link)."""
    try:
        if renameat2(source, target, RENAME_NOREPLACE):
            return
    except FileExistsError:
        raise OutputFileError(f"{target} already exists; add --force to replace it") from None
    try:
        os.link(source, target)  # fails with EEXIST if something is there: no window for a race
    except FileExistsError:
        raise OutputFileError(f"{target} already exists; add --force to replace it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if os.path.lexists(target):  # a file system without hard links: check, then rename
            raise OutputFileError(f"{target} already exists; add --force to replace it") from None
        os.rename(source, target)


RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2  # renameat2's flags (linux/fs.h)


def renameat2(source: Path, target: Path, flag: int) -> bool:
    """Linux's renameat2 with *flag*: True when done; False where the kernel, the file system or the
    platform cannot; otherwise the OSError of the call (FileExistsError for RENAME_NOREPLACE onto
    an existing *target*).  One wrapper for export's no-replace rename and publish's folder swap."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    if call(at_fdcwd, os.fsencode(source), at_fdcwd, os.fsencode(target), flag) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM):  # file system or kernel cannot
        return False
    raise OSError(code, os.strerror(code), str(target))
