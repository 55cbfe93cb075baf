"""The build cache: what pure stages produced, kept between builds and keyed by content.

Three memo tables (each entry found again only by a key built from everything it was
made from, so a stale entry can never be used):

* ``parsed``: a case source's ParseResult, packed (pickled and zlib-compressed, see
  ``pack``), keyed by the logbook version, the configuration and the SHA-256 of each source
  file; it also records the attachments the case names, and is used only while those are
  unchanged too;
* ``messages``: a case's Markdown bodies as HTML (one zlib-compressed entry per case), keyed
  by their texts, folders and exhibit links;
* ``analysed``: a case's search documents as the index is made from them (site/search.py's
  AnalysedCase: each document's field lengths, and the term counts, stems and result cards
  zlib-compressed), keyed by everything they are made from (the texts of the fields, the entries'
  anchors, times, subjects and bodies, the languages, the time zone), so that a build after an
  edit analyses only the cases that changed; the index itself is made anew on every build from
  these (a term's postings span the whole logbook).

A file's SHA-256 is recomputed only when its size, mtime, inode or mode changed (the
way git's index works).  Besides, ``inputs`` fingerprints every input (all files' stats,
the configuration, the theme, the version, ``--as-of``, git's HEAD and status): when it
equals the last successful build's and that site is still in place, ``build`` has
nothing to do.  ``drawn`` records, for the site last published, each page's key
(site/pagekeys.py) and its file's stat, so that the next build links a page whose key is the
same from that site instead of drawing it.  Entries not used by a build are dropped when it saves, so the cache
never outgrows the logbook.  A cache written by another version of logbook or other code of it
(``code_stamp``), or with other
versions of the libraries whose output it keeps (LIBRARIES), is not read.  It lives outside the logbook (``$XDG_CACHE_HOME/logbook``),
is written atomically, and a missing, stale or unreadable cache only costs time.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import io
import os
import pickle
import re
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logbook import __version__
from logbook.core.models import BuildResult
from logbook.speed.reuse import Memo, PageMemo, inflate
from logbook.store.discover import CASES_DIR
from logbook.store.textfile import MAX_SOURCE_BYTES, read_regular

FORMAT = 8  # 2: Markdown HTML and search shards kept zlib-compressed; 3: parse results packed;
# 4: search shards by SHA-256 only; 5: Markdown HTML by case; 6: attachments have a published name;
# 7: search documents analysed per case; 8: a parse holds its case's own checks
Stamp = tuple[int, int, int, int]  # size, mtime_ns, inode, mode
# How a page was drawn: its key, the site attributes it read, their digest, its file's stat.
Drawn = tuple[str, tuple[str, ...], str, Stamp]


def cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "logbook"


def cache_file(root: Path) -> Path:
    return cache_home() / hashlib.sha256(str(root).encode()).hexdigest()[:24] / "build.pickle"


def folder_stamps(folders: Iterable[Path | str], pattern: str = "*") -> tuple[tuple[str, int, int, int], ...]:
    """Path, size, mtime and inode of every file and folder under *folders* matching *pattern*, in
    order: what stands for the content of files read on every build (templates, catalogues, code)."""
    found = []
    for folder in folders:
        for path in sorted(Path(folder).rglob(pattern)):
            st = path.stat()
            found.append((str(path), st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(found)


def file_stamp(path: Path | str) -> Stamp | None:
    """A file's size, mtime, inode and mode, not following a symbolic link (None: there is none)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode


def stamps_of(paths: tuple[str, ...]) -> tuple[tuple[str, Stamp | None], ...]:
    return tuple((p, file_stamp(p)) for p in paths)


def unchanged(stamps: tuple[tuple[str, Stamp | None], ...], quiet: Callable[[str], bool] = lambda path: False) -> bool:
    """Whether every path still has its stamp (a *quiet* path is taken to: see quiet_paths)."""
    return all(quiet(p) or file_stamp(p) == stamp for p, stamp in stamps)


def quiet_paths(root: Path, touched: frozenset[str] | None) -> Callable[[str], bool]:
    """Whether serve's file watcher vouches that an absolute path has not changed since the last build:
    it lies in cases/ (watched to any depth) and no change was reported to it, or to
    anything inside it when it is a folder (a folder's stat changes as files come and go).  With no
    report (*touched* None: not serve, or what changed is not known exactly), no path is quiet."""
    if touched is None:
        return lambda path: False
    inside = f"{root}/{CASES_DIR}/"
    changed: set[str] = set()
    for rel in touched:
        path = f"{root}/{rel}"
        while path.startswith(inside) and path not in changed:
            changed.add(path)
            path = path.rpartition("/")[0]
    return lambda path: path.startswith(inside) and path not in changed


RACY_NS = 2_000_000_000  # a file changed this recently may change again without its stat showing it


def settled(stamps: tuple[tuple[str, Stamp | None], ...]) -> bool:
    """Whether every stamp is old enough to be trusted (git's "racily clean" rule): a file written
    in the same clock tick as it was looked at can change again with size and mtime unchanged."""
    horizon = time.time_ns() - RACY_NS
    return all(stamp is not None and stamp[1] < horizon for _, stamp in stamps)


def pack(value: Any) -> bytes:
    """*value* pickled on its own and zlib-compressed, as the cache keeps parse results: made where the
    value is made (on every core), so that saving the cache only writes bytes.  One pickle per entry
    also keeps the pickler's memo small (at L, 10,000 cases, one pickle of the table took 4.4 s, these 1.8 s)."""
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack(data: bytes) -> Any:
    """pack's value back; CacheUnreadable when the entry is not one pack made (see _read)."""
    try:
        return _load_restricted(inflate(data))
    except Exception as exc:  # noqa: BLE001 - zlib, pickle, a refused class, MemoryError, …: all mean unusable
        raise CacheUnreadable(str(exc)) from None


class CacheUnreadable(Exception):
    """A cache file or entry that cannot be used, for whatever reason: it only costs the time to redo its work."""


# The cache is a pickle, read back by an unpickler that makes nothing but logbook's own records
# (dataclasses, enums, named tuples) and the few standard types they hold: a crafted file can
# therefore name no function to run.  Its size is bounded before it is read, and the bytes are
# unpickled from memory, so a length announced in the file (2**62 bytes) cannot make the
# unpickler allocate it.
MAX_CACHE_BYTES = 1 << 30
_STANDARD_TYPES = {
    ("datetime", "datetime"),
    ("datetime", "date"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("decimal", "Decimal"),
    ("zoneinfo", "ZoneInfo"),
    ("pathlib", "PosixPath"),
    ("pathlib", "PurePosixPath"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
}


def _zone_unpickler(owner: Any, name: str) -> Any:
    """The one getattr a pickle of ours uses: ZoneInfo pickles itself as getattr(ZoneInfo, "_unpickle")."""
    import zoneinfo

    if owner is zoneinfo.ZoneInfo and name == "_unpickle":
        return zoneinfo.ZoneInfo._unpickle  # type: ignore[attr-defined]  # ZoneInfo._unpickle is private, and what ZoneInfo's pickles name
    raise pickle.UnpicklingError(f"getattr({owner!r}, {name!r}) is not allowed in the cache")


class _RecordUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "getattr"):
            return _zone_unpickler
        if "." not in name and (module, name) in _STANDARD_TYPES:
            return super().find_class(module, name)
        if "." not in name and module.startswith("logbook.") and not name.startswith("_"):
            found = super().find_class(module, name)
            if (
                isinstance(found, type)
                and found.__module__ == module
                and (dataclasses.is_dataclass(found) or issubclass(found, (enum.Enum, tuple)))
            ):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


def _load_restricted(data: bytes) -> Any:
    return _RecordUnpickler(io.BytesIO(data)).load()


def digest_text(*parts: str) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part.encode("utf-8", "surrogatepass"))
        sha.update(b"\x00")
    return sha.hexdigest()


@dataclass
class BuildCache:
    path: Path | None  # None: kept in memory only (serve keeps one across rebuilds)
    stamps: dict[str, tuple[Stamp, str]] = field(default_factory=dict)
    parsed: Memo = field(default_factory=Memo)
    messages: Memo = field(default_factory=Memo)
    analysed: Memo = field(default_factory=Memo)
    last_site: dict[str, Any] = field(default_factory=dict)  # out path → (inputs, site stamp, result)
    drawn: dict[str, dict[str, Drawn]] = field(default_factory=dict)  # out path → page → how it was drawn
    # In memory only, for ``serve``: per-case checks and views, pages and template fragments, and
    # the last published site (see publish.update_in_place).  Never written to disk.
    derived: Memo = field(default_factory=Memo)  # case views
    rendered: Memo = field(default_factory=Memo)  # per-view Markdown, search documents, … (lazy)
    sources: Memo = field(default_factory=Memo)  # a source's stat → its ParseResult
    fragments: Memo = field(default_factory=Memo)  # {% fragment %} output (lazy)
    pages: PageMemo = field(default_factory=PageMemo)
    _used_stamps: dict[str, tuple[Stamp, str]] = field(default_factory=dict)
    _tables_loaded: bool = False

    def known_digest(self, root: Path, rel: str) -> str | None:
        """SHA-256 of a logbook file when its stat is the one recorded with it (no reading), else None."""
        stamp = file_stamp(f"{root}/{rel}")
        known = self._used_stamps.get(rel) or self.stamps.get(rel)
        if stamp is None or known is None or known[0] != stamp:
            return None
        self._used_stamps[rel] = known
        return known[1]

    def digests_used(self, rels: tuple[str, ...]) -> dict[str, tuple[Stamp, str]]:
        """What this build recorded of *rels* (stat and SHA-256): a worker's findings, for use_digests."""
        return {rel: self._used_stamps[rel] for rel in rels if rel in self._used_stamps}

    def use_digests(self, records: dict[str, tuple[Stamp, str]]) -> None:
        self._used_stamps.update(records)

    def file_digest(self, root: Path, rel: str, read: dict[str, bytes] | None = None) -> str | None:
        """SHA-256 of a logbook file (None when it cannot be read), hashed again only when its stat changed;
        the bytes hashed are put in *read*, so that a parse can use them instead of reading the file again."""
        known = self.known_digest(root, rel)
        if known is not None:
            return known
        stamp = file_stamp(f"{root}/{rel}")
        if stamp is None:
            return None
        try:  # a FIFO, a device or a file too big to be a source: not read (the parse reports it)
            data = read_regular(root / rel, MAX_SOURCE_BYTES)
        except OSError:
            return None
        if read is not None:
            read[rel] = data
        value = hashlib.sha256(data).hexdigest()
        if settled(((rel, stamp),)):
            self._used_stamps[rel] = (stamp, value)
        return value

    def roll_over(self, prune: bool = True, lazy: bool = False) -> None:
        """After a build: what it used becomes what the next build may reuse.  Without *prune*
        (a build that stopped early) the entries it did not reach are kept as well; *lazy* (serve)
        keeps the content-keyed tables' entries a reused page or view did not look up (see Memo.roll_over)."""
        for table in (self.sources, self.derived, self.pages):
            table.roll_over(prune)
        for table in (self.rendered, self.fragments):  # entries inside a reused page or view are not looked up
            table.roll_over(prune, lazy=True)
        for table in (self.parsed, self.messages, self.analysed):  # serve: the same; a build prunes strictly
            table.roll_over(prune, lazy=lazy)
        self.stamps, self._used_stamps = (self._used_stamps if prune else {**self.stamps, **self._used_stamps}), {}

    def save(self, prune: bool = True, lazy: bool = False) -> None:
        self.roll_over(prune, lazy)
        if self.path is None:
            return
        tables = {
            "stamps": self.stamps,
            "parsed": self.parsed.old,
            "messages": self.messages.old,
            "analysed": self.analysed.old,
            "drawn": self.drawn,
        }
        _write(self.path, tables)
        _write(self.path.with_name("site.pickle"), {"last_site": self.last_site})

    def load_tables(self) -> None:
        """Read the memo tables (the big file) once a build is known to need them."""
        if self.path is None or self._tables_loaded:
            return
        self._tables_loaded = True
        state = _read(self.path)
        if state is not None:
            self.stamps = state["stamps"]
            self.parsed.old, self.messages.old, self.analysed.old = (
                state["parsed"],
                state["messages"],
                state["analysed"],
            )
            self.drawn = state.get("drawn", {})


# The libraries whose output the cache keeps (Markdown's HTML, parses, dates and numbers in pages, stems):
# a cache made with other versions of them is not read.
LIBRARIES = (
    "markdown-it-py",
    "mdurl",
    "jinja2",
    "MarkupSafe",
    "babel",
    "PyYAML",
    "python-frontmatter",
    "snowballstemmer",
    "PyStemmer",
    "tzdata",
)


@functools.cache
def libraries() -> tuple[tuple[str, str], ...]:
    """Each of LIBRARIES with its installed version ("" when it is not installed).  A build with
    nothing changed checks these before it reads the cache, and importlib.metadata would cost it
    about 35 ms (it parses each METADATA), so they are read from the names of the installed
    ``<name>-<version>.dist-info`` folders (``dist_info_versions``); a library found some other
    way is asked of importlib.metadata."""
    found = dist_info_versions()
    missing = [name for name in LIBRARIES if name not in found]
    if missing:
        from importlib import metadata

        for name in missing:
            try:
                found[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                found[name] = ""
    return tuple((name, found[name]) for name in LIBRARIES)


def dist_info_versions() -> dict[str, str]:
    """The version of each of LIBRARIES whose first installation on the import path (searched in
    order, as importlib.metadata searches it) is a dist-info folder with a version in its name.
    One first found as an ``.egg-info``, and any after an entry that is not a folder (a zip, which
    only importlib.metadata reads), are left out."""
    wanted = {_normal_name(name): name for name in LIBRARIES}
    found: dict[str, str] = {}
    seen: set[str] = set()  # first installations found, dist-info or not
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except NotADirectoryError:
            break
        except OSError:
            continue
        for entry in names:
            stem, dot, kind = entry.rpartition(".")
            if not dot or kind.lower() not in ("dist-info", "egg-info"):
                continue
            dist, _, version = stem.partition("-")
            name = wanted.get(_normal_name(dist))
            if name is None or name in seen:
                continue
            seen.add(name)
            if kind.lower() == "dist-info" and version:
                found[name] = version
    return found


@functools.cache
def code_stamp() -> str:
    """The stamp of logbook's own code (each module's path, size and modification time): a cache made by
    other code is not read, though it carries the same version, as after a ``git pull`` in a clone or
    an edit in an editable install, where a cache keyed by the version alone would publish the old
    code's sentences.  About a hundred ``stat`` calls: a millisecond."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder, names, files in sorted(os.walk(package)):
        names[:] = sorted(n for n in names if n != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            info = os.stat(os.path.join(folder, name))
            digest.update(f"{os.path.relpath(folder, package)}/{name} {info.st_size} {info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _normal_name(name: str) -> str:
    """A distribution's name as dist-info folders write it (PEP 503's normal form, with underscores)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _write(path: Path, state: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            made_with = {"format": FORMAT, "version": __version__, "code": code_stamp(), "libraries": libraries()}
            pickle.dump({**made_with, **state}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError:
        pass  # a cache that cannot be written only costs time next build


def _read(path: Path) -> dict[str, Any] | None:
    """A cache file's tables, or None when it is missing, not a regular file, too big, not ours or not
    of the shape this version writes: a cache that cannot be read is ignored, whatever the reason."""
    try:
        state = _load_restricted(read_regular(path, MAX_CACHE_BYTES))
    except Exception:  # noqa: BLE001 - OSError, any unpickling error, MemoryError, RecursionError: all mean "none"
        return None
    if (
        not isinstance(state, dict)
        or state.get("format") != FORMAT
        or state.get("version") != __version__
        or state.get("code") != code_stamp()
        or state.get("libraries") != libraries()
    ):
        return None
    return state if all(_SHAPES[key](state.get(key)) for key in _SHAPES if key in state) else None


def _is_ints(value: Any, length: int | None = None) -> bool:
    """A tuple of ints (of *length* of them, when given)."""
    return type(value) is tuple and (length is None or len(value) == length) and all(type(n) is int for n in value)


def _is_stamp(value: Any) -> bool:
    return _is_ints(value, 4)


def _table(entry_ok: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda table: type(table) is dict and all(type(k) is str and entry_ok(v) for k, v in table.items())


def _is_digest(value: Any) -> bool:
    return type(value) is tuple and len(value) == 2 and _is_stamp(value[0]) and type(value[1]) is str


def _is_consulted(value: Any) -> bool:
    return type(value) is tuple and all(
        type(item) is tuple and len(item) == 2 and type(item[0]) is str and (item[1] is None or _is_stamp(item[1]))
        for item in value
    )


def _is_parse(value: Any) -> bool:
    return type(value) is tuple and len(value) == 2 and type(value[0]) is bytes and _is_consulted(value[1])


def _is_drawn(value: Any) -> bool:
    """(key, the site attributes read, their digest, the page file's stamp)."""
    if type(value) is not tuple or len(value) != 4 or type(value[1]) is not tuple:
        return False
    key, reads, site, stamp = value
    return type(key) is str and type(site) is str and all(type(name) is str for name in reads) and _is_stamp(stamp)


def _is_analysed(value: Any) -> bool:
    return (
        type(value) is tuple
        and len(value) == 2
        and type(value[1]) is bytes
        and type(value[0]) is tuple
        and all(_is_ints(lengths) for lengths in value[0])
    )


def _is_last_site(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and (value[0] is None or isinstance(value[0], str))
        and isinstance(value[1], tuple)
        and len(value[1]) == 2
        and all(s is None or _is_stamp(s) for s in value[1])
        and isinstance(value[2], BuildResult)
    )


_SHAPES: dict[str, Callable[[Any], bool]] = {  # what each table of a cache file must hold to be used
    "stamps": _table(_is_digest),
    "parsed": _table(_is_parse),
    "messages": _table(lambda v: type(v) is bytes),
    "analysed": _table(_is_analysed),
    "last_site": _table(_is_last_site),
    "drawn": _table(_table(_is_drawn)),
}


def open_cache(root: Path) -> BuildCache:
    """The cache of the logbook at *root*; only the small record of the last build is read now."""
    path = cache_file(root)
    cache = BuildCache(path)
    state = _read(path.with_name("site.pickle"))
    if state is not None:
        cache.last_site = state["last_site"]
    return cache


def inputs_fingerprint(root: Path, theme_dirs: tuple[Path, ...], extra: tuple[str, ...]) -> str:
    """Every input of a build, by stat: the cases tree, logbook.toml, theme files, git state and *extra*."""
    parts = [f"{FORMAT}\0{__version__}\0{root}", *extra]
    for top in (root / "cases", root / "logbook.toml", *theme_dirs):
        parts.append(f"{top}\0{file_stamp(top)}")
        _walk_stamps(str(top), parts)
    sha = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape"))
    sha.update(_git_state(root))
    return sha.hexdigest()


def _walk_stamps(folder: str, parts: list[str]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        parts.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0{st.st_mode}")
        if entry.is_dir(follow_symlinks=False):
            _walk_stamps(entry.path, parts)


def _git_state(root: Path) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain=v2", "--branch", "--", "cases", "logbook.toml", "themes"],
            capture_output=True,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )  # never index.lock (history.py)
    except OSError:
        return b"no git"
    return proc.stdout if proc.returncode == 0 else b"not a repository"


def site_stamp(out: Path) -> tuple[Stamp | None, Stamp | None]:
    """Enough to tell that a published site was replaced or removed since it was written."""
    return file_stamp(out), file_stamp(out / "index.html")
