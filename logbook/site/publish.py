"""The publish stage: write the site into a sibling temporary folder, then swap it in.

``build`` never writes the output folder in place, so readers see the old site or
the new one, never half of each.  A folder logbook did not write (no marker
file), the logbook itself, or a git work tree is refused, so a wrong ``--out``
cannot destroy anybody's files.

``serve`` rebuilds after every save and knows what it published last, so it
replaces only the files that changed (:func:`update_in_place`), each one atomically;
the marker says "update in progress" meanwhile, and any ``build`` republishes whole.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from logbook.core.records import quick_pickle
from logbook.speed.cache import Stamp, file_stamp
from logbook.store.discover import CASES_DIR
from logbook.store.outfile import RENAME_EXCHANGE, renameat2
from logbook.store.textfile import copy_regular

if TYPE_CHECKING:  # the drawing stage is imported only by a build that draws (a no-change build does not)
    from logbook.site.render import SiteFiles

MARKER = ".logbook-site"
MARKER_TEXT = "This folder was written by logbook build; it is replaced on every build.\n"
UPDATING_TEXT = "logbook serve is updating this folder; run logbook build for a complete copy.\n"


class PublishError(Exception):
    """The site cannot be published where asked."""


def check_output_dir(out: Path, root: Path) -> None:
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out):
        raise PublishError(f"output folder {out} is the logbook or contains it; choose another --out")
    if out.is_relative_to(root / CASES_DIR):
        raise PublishError(f"output folder {out} is inside {CASES_DIR}/, where it would be read as cases")
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise PublishError(f"output path {out} exists and is not a folder")
        if (out / ".git").exists():
            raise PublishError(f"output folder {out} holds a git repository; logbook will not replace it")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise PublishError(
                f"output folder {out} holds files logbook did not write; empty it or choose another --out"
            )


@contextmanager
def _publishing(out: Path) -> Iterator[None]:
    """A file system that fails while the site is published (a full disk, a read-only mount, a
    folder without permission) is said in one line; the callers have left the old site whole."""
    try:
        yield
    except OSError as exc:
        code = f" ({errno.errorcode[exc.errno]})" if exc.errno is not None and exc.errno in errno.errorcode else ""
        raise PublishError(
            f"cannot publish to {out}: {exc.strerror or exc}{code}; the previous site is untouched"
        ) from None


@contextmanager
def publish_lock(out: Path) -> Iterator[None]:
    """One publisher per output folder at a time."""
    lock_path = out.parent / f".{out.name}.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another logbook build is publishing to {out}; try again when it finishes") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Published:
    """What one publication wrote, to tell the next one what changed."""

    pages: dict[str, bytes]
    copies: dict[str, tuple[Path, tuple[int, int, int] | None]]  # output path → source and its stat
    folder: tuple[int, int] | None  # the output folder's (inode, device): replaced by someone else?


def _source_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def _folder_identity(out: Path) -> tuple[int, int] | None:
    try:
        st = out.stat()
    except OSError:
        return None
    return st.st_ino, st.st_dev


def _record(
    files: SiteFiles, out: Path, last: Published | None = None, quiet: Callable[[str], bool] = lambda path: False
) -> Published:
    """What is published now; a copy whose source is last record's and *quiet* (serve's watcher saw
    no change to it: cache.quiet_paths) keeps last record's stat of it."""

    def stamp(rel: str, source: Path) -> tuple[int, int, int] | None:
        before = last.copies.get(rel) if last is not None else None
        if (
            before is not None
            and (before[0] is source or before[0] == source)
            and before[1] is not None
            and quiet(str(source))
        ):
            return before[1]
        return _source_stamp(source)

    return Published(
        dict(files.pages), {rel: (src, stamp(rel, src)) for rel, src in files.copies.items()}, _folder_identity(out)
    )


class Staging:
    """A new site being written in a folder beside the output folder (render writes pages straight
    here as it draws them, from worker processes too: see render.PageSink)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: set[Path] = set()

    def _target(self, rel: str) -> Path:
        target = self.folder / rel
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        return target

    def write(self, rel: str, content: bytes) -> None:
        self._fresh(rel).write_bytes(content)

    def copy(self, rel: str, source: Path) -> None:
        copy_regular(source, self._fresh(rel))

    def _fresh(self, rel: str) -> Path:
        """Where a file is to be made: never a file already there (a page linked from the published
        site, when a worker's share is done again in the parent, is that site's file: writing into it
        would change the live site)."""
        target = self._target(rel)
        with suppress(FileNotFoundError):
            target.unlink()
        return target

    def stamp(self, rel: str) -> Stamp | None:
        """The stat of a file written here (it keeps it when the folder is swapped in)."""
        return file_stamp(self.folder / rel)

    def link(self, rel: str, published: Path, stamp: Stamp) -> bool:
        """The page at *rel* of the site published at *published*, linked here (neither drawn nor
        copied) when it is still the file the last build wrote there: its stat, kind and inode
        included, is *stamp*.  False when it is not, or the file system makes no links."""
        source = published / rel
        if file_stamp(source) != stamp:
            return False
        try:
            os.link(source, self._fresh(rel), follow_symlinks=False)
        except OSError:
            return False
        return True

    def write_files(self, files: SiteFiles) -> None:
        """The pages render kept in memory, and the files still to copy as they are (theme assets)."""
        for rel, content in files.pages.items():
            self.write(rel, content)
        for rel, source in files.copies.items():
            self.copy(rel, source)


@contextmanager
def staged(out: Path, root: Path) -> Iterator[Staging]:
    """A staging folder beside *out*, swapped in when the block ends and removed if it fails, so a
    build that stops part-way leaves the last site as it was.  One publisher per output folder."""
    out = out.resolve()
    check_output_dir(out, root)
    with _publishing(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        with publish_lock(out):
            _recover_interrupted_swap(out)
            folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
            try:
                yield Staging(folder)
                (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
                folder.chmod(0o755)
                _swap_in(folder, out)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise


def publish(files: SiteFiles, out: Path, root: Path) -> Published:
    """Write the whole site beside *out* and swap it in."""
    with staged(out, root) as staging:
        staging.write_files(files)
    return _record(files, out.resolve())


def update_in_place(
    files: SiteFiles, out: Path, root: Path, last: Published | None, quiet: Callable[[str], bool] = lambda path: False
) -> tuple[Published, tuple[str, ...] | None]:
    """Replace only the files that differ from *last* (what this process published there before);
    a whole publication when there is no such record or the folder was replaced meanwhile.  A file
    copied from a *quiet* source (see _record) is taken to be unchanged without a look at it.
    Returns the new record and the paths written or removed (None: the whole site was)."""
    out = out.resolve()
    if last is None or last.folder != _folder_identity(out) or not (out / MARKER).is_file():
        return publish(files, out, root), None
    check_output_dir(out, root)
    record = _record(files, out, last, quiet)
    with _publishing(out), publish_lock(out):
        writes: list[tuple[str, bytes | None, Path | None]] = []
        for rel, content in files.pages.items():
            before = last.pages.get(rel)
            if before is not content and before != content:
                writes.append((rel, content, None))
        for rel, (source, stamp) in record.copies.items():
            if last.copies.get(rel) != (source, stamp) or stamp is None:
                writes.append((rel, None, source))
        gone = sorted((last.pages.keys() | last.copies.keys()) - (files.pages.keys() | files.copies.keys()))
        if not writes and not gone:
            return record, ()
        _swap_files(out, [(MARKER, UPDATING_TEXT.encode(), None), *writes], gone)
    return record, (*(rel for rel, _, _ in writes), *gone)


def _swap_files(out: Path, writes: list[tuple[str, bytes | None, Path | None]], gone: list[str]) -> None:
    """Every changed file written beside its target first, and only then renamed over it: a full
    disk or a read-only file system stops the first step, and the site is left as it was.  The
    first write is the marker's "updating" (renamed first); the marker is put back last."""
    made: list[Path] = []
    ready: list[tuple[Path, Path]] = []
    try:
        for n, (rel, content, source) in enumerate([*writes, (MARKER, MARKER_TEXT.encode(), None)]):
            target = out / rel
            missing = [
                folder
                for folder in (target.parent, *target.parent.parents)
                if folder.is_relative_to(out) and not folder.exists()
            ]
            target.parent.mkdir(parents=True, exist_ok=True)
            made.extend(missing)
            ready.append((_beside(target, content, source, "done." if n == len(writes) else ""), target))
    except BaseException:
        for temporary, _ in ready:
            temporary.unlink(missing_ok=True)
        for folder in sorted(made, key=lambda f: len(f.parts), reverse=True):
            with suppress(OSError):
                folder.rmdir()
        raise
    for temporary, target in ready[:-1]:
        os.replace(temporary, target)
    for rel in gone:
        _remove(out, rel)
    os.replace(*ready[-1])


def _beside(target: Path, content: bytes | None, source: Path | None = None, tag: str = "") -> Path:
    """*content* (or a copy of *source*) in a temporary file next to *target*; removed if that fails."""
    temporary = target.with_name(f".{target.name}.{tag}logbook-tmp")
    try:
        if source is not None:
            copy_regular(source, temporary)
        else:
            temporary.write_bytes(content or b"")
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _remove(out: Path, rel: str) -> None:
    """Delete a file that is no longer published, and the folders it leaves empty."""
    target = out / rel
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    return renameat2(a, b, RENAME_EXCHANGE)


def _swap_in(staging: Path, out: Path) -> None:
    """Readers (and a build killed at any moment) see the old site or the new one, never neither."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the old site
        return
    retired = out.parent / f".{out.name}.old-{os.getpid()}"  # fallback: two renames; recovered on the next build
    os.rename(out, retired)
    os.rename(staging, out)
    shutil.rmtree(retired, ignore_errors=True)


def _recover_interrupted_swap(out: Path) -> None:
    """A build killed between the two renames leaves only the retired site: put it back."""
    leftovers = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and leftovers:
        os.rename(leftovers[-1], out)
        leftovers = leftovers[:-1]
    for stale in [*leftovers, *out.parent.glob(f".{out.name}.tmp-*")]:
        shutil.rmtree(stale, ignore_errors=True)
