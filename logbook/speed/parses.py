"""Parses reused by content (the build cache) or by stat (serve): the load stage's share of reuse.

The load stage says how to parse a source (``Parsing``); the policy (policy.py) picks one of
the three ways here to get every source's parse:

* ``parse_all_fresh``: every source parsed, on every core;
* ``parse_all_cached``: a source whose files hash as before (and whose attachments keep their stat)
  is taken from the build cache, the others parsed on every core; each file is read once, the parse
  being of the very bytes hashed for its key;
* ``parse_watched`` (serve): a source the watcher did not report, or with last build's stat, is the
  very record of last build, so that what is made from it downstream is reused too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from logbook.core.records import quick_pickle
from logbook.speed.cache import BuildCache, CacheUnreadable, digest_text, pack, settled, stamps_of, unchanged, unpack
from logbook.speed.workers import run_jobs
from logbook.store.discover import BundleSource, Source

R = TypeVar("R")
Consulted = tuple[Any, ...]  # the stat of every attachment a parse consulted (cache.stamps_of)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Parsing(Generic[R]):
    """How the load stage parses a source: *parse* (source, bytes of its files already read) gives
    the result; *consulted* the absolute paths of the attachments it looked at; *config* (the
    configuration the parse depends on) is compared by identity, *config_key* by value."""

    root: Path
    config: object
    config_key: str
    parse: Callable[[Source, dict[str, bytes]], R]
    consulted: Callable[[R], tuple[str, ...]]
    kind: type[R]


def source_paths(source: Source) -> tuple[str, ...]:
    return (source.case_file, *source.interaction_files) if isinstance(source, BundleSource) else (source.path,)


def _fresh(parsing: Parsing[R], source: Source, contents: dict[str, bytes] | None = None) -> tuple[R, Consulted]:
    """A source parsed (*contents*: bytes of its files read already), with the stat of every attachment
    it consulted (when those change, so may it)."""
    result = parsing.parse(source, contents or {})
    return result, stamps_of(parsing.consulted(result))


def _packed(parsing: Parsing[R], source: Source) -> tuple[bytes, Consulted]:
    """_fresh as the cache keeps it: the result packed (cache.pack) by the worker that parsed it."""
    result, consulted = _fresh(parsing, source)
    return pack(result), consulted


def parse_all_fresh(sources: Sequence[Source], parsing: Parsing[R]) -> list[R]:
    return [
        result
        for result, _ in run_jobs(
            [functools.partial(_fresh, parsing, source) for source in sources],
            [len(source_paths(source)) for source in sources],
        )
    ]


def parse_all_cached(sources: Sequence[Source], parsing: Parsing[R], cache: BuildCache) -> list[R]:
    """Every source parsed, those the cache does not hold on every core (workers.run_jobs)."""
    keys = [_known_key(source, parsing, cache) for source in sources]
    todo = [i for i, key in enumerate(keys) if key is None or not cache.parsed.holds(key, _still_valid)]
    done = dict(
        zip(
            todo,
            run_jobs(
                [functools.partial(_keyed_parse, sources[i], parsing, cache) for i in todo],
                [len(source_paths(sources[i])) for i in todo],
            ),
        )
    )
    results = []
    for i, source in enumerate(sources):
        key, parsed = keys[i], done.get(i)
        if parsed is not None:
            key = parsed.key
            cache.use_digests(parsed.digests)
        entry = cache.parsed.get(
            key,
            lambda: (parsed and parsed.entry) or _packed(parsing, source),  # noqa: B023 - called at once
            _still_valid,
        )
        if parsed is not None and parsed.result is not None and entry is parsed.entry:
            results.append(parsed.result)  # parsed here: the very record, not unpacked again
        else:
            assert key is not None  # a source without a key was parsed just now, which gave it one
            results.append(_unpacked(entry, key, source, parsing, cache))
    return results


def _unpacked(entry: tuple[bytes, Consulted], key: str, source: Source, parsing: Parsing[R], cache: BuildCache) -> R:
    """A cache entry's parse; one that cannot be read back (a damaged or crafted cache file) is parsed again."""
    try:
        result = unpack(entry[0])
        if isinstance(result, parsing.kind):
            return result
    except CacheUnreadable:
        pass
    fresh, consulted = _fresh(parsing, source)
    cache.parsed.new[key] = (pack(fresh), consulted)
    return fresh


def _parse_key(source: Source, config_key: str, digests: list[str | None]) -> str:
    """The cache key of a source's parse: the configuration, the source and its files' SHA-256."""
    return digest_text(config_key, repr(source), *map(str, digests))


def source_key(source: Source, parsing: Parsing[Any], cache: BuildCache, read: dict[str, bytes] | None = None) -> str:
    """_parse_key, reading and hashing the files whose stat changed (their bytes put in *read*)."""
    digests = [cache.file_digest(parsing.root, p, read) for p in source_paths(source)]
    return _parse_key(source, parsing.config_key, digests)


def _known_key(source: Source, parsing: Parsing[Any], cache: BuildCache) -> str | None:
    """_parse_key when every file of the source has the stat recorded with its SHA-256 (nothing read), else None."""
    digests = [cache.known_digest(parsing.root, p) for p in source_paths(source)]
    return None if None in digests else _parse_key(source, parsing.config_key, digests)


@dataclass(slots=True)
class KeyedParse:
    """A source's share of a cold load (see keyed_parse).  The parsed record itself stays where it was
    made: a worker hands back only the packed form (the cache needs it anyway), and the share the parent
    ran keeps the record too, so that it is not unpacked again."""

    key: str
    digests: dict[str, Any]
    entry: tuple[bytes, Consulted] | None  # the packed parse and the attachments it consulted; None: held
    result: Any = None

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return KeyedParse, (self.key, self.digests, self.entry)


def _keyed_parse(source: Source, parsing: Parsing[Any], cache: BuildCache) -> KeyedParse:
    """For a worker, a source's share of a cold load: its key (reading and hashing its files), the
    digests so learned, and its packed parse unless the cache holds one.  The files are read once: the
    parse is of the very bytes hashed for the key."""
    read: dict[str, bytes] = {}
    key = source_key(source, parsing, cache, read)
    digests = cache.digests_used(source_paths(source))
    if cache.parsed.holds(key, _still_valid):
        return KeyedParse(key, digests, None)
    result, consulted = _fresh(parsing, source, read)
    return KeyedParse(key, digests, (pack(result), consulted), result)


keyed_parse = _keyed_parse  # for tests: one source's share of a cold load


def parse_watched(
    source: Source,
    parsing: Parsing[R],
    cache: BuildCache,
    touched: frozenset[str] | None = None,
    quiet: Callable[[str], bool] = lambda path: False,
) -> R:
    """serve's parse: a source the watcher did not report, or with last build's stat, is reused as it is
    (while the attachments it names are *quiet* or keep their stat)."""
    root = parsing.root
    paths = source_paths(source)
    known = cache.sources.new.get(source) or cache.sources.old.get(source)
    untouched = touched is not None and touched.isdisjoint(paths)
    stamps = stamps_of(tuple(f"{root}/{p}" for p in paths)) if not untouched or known is None else None
    if (
        known is not None
        and known[0] is parsing.config
        and (stamps is None or known[1] == stamps)
        and unchanged(known[2], quiet)
    ):
        cache.sources.new[source] = known
        kept: R = known[3]
        return kept
    if stamps is None:
        stamps = stamps_of(tuple(f"{root}/{p}" for p in paths))
    key = source_key(source, parsing, cache)
    entry = cache.parsed.get(key, lambda: _packed(parsing, source), _still_valid)
    # the same cache entry as last build (a file saved unchanged, or one saved too recently for its stat to
    # be trusted): the same record, so its pages are reused
    result: R = (
        known[3] if known is not None and known[4] is entry[0] else _unpacked(entry, key, source, parsing, cache)
    )
    packed, consulted = cache.parsed.new[key]
    cache.sources.new[source] = (parsing.config, stamps if settled(stamps) else None, consulted, result, packed)
    return result


def _still_valid(entry: tuple[bytes, Consulted]) -> bool:
    """A parse is reused only while the attachments it consulted keep their stat."""
    return unchanged(entry[1])
