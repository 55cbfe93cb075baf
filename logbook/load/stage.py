"""The load stage: configuration → discovery → parsing → cross-record checks.

``load_logbook`` is what ``logbook check`` runs, and the first half of ``build``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logbook.core.diagnostics import Diagnostic, sorted_diagnostics
from logbook.core.models import Config, Logbook
from logbook.load.config import load_config
from logbook.load.parse import ParseResult, parse_source
from logbook.load.provenance import deleted_interaction_diagnostics
from logbook.speed.cache import (
    BuildCache,
    CacheUnreadable,
    digest_text,
    pack,
    quiet_paths,
    settled,
    stamps_of,
    unchanged,
    unpack,
)
from logbook.speed.workers import run_jobs
from logbook.store.discover import CASES_DIR, BundleSource, SingleSource, Source, discover
from logbook.store.history import History, git_asked, read_history
from logbook.validate.checks import SITE_CHECKS, case_checks, run_checks


@dataclass(frozen=True, slots=True)
class LoadResult:
    logbook: Logbook
    diagnostics: tuple[Diagnostic, ...]
    files: int
    history: History

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def load_logbook(root: Path, cache: BuildCache | None = None, touched: frozenset[str] | None = None) -> LoadResult:
    """Everything ``check`` reports: configuration, sources, fields, cross-record checks and git history.

    With a *cache*, a source whose files (and the attachments it names) are unchanged is not parsed again.
    *touched* (serve, from its file watcher) names every logbook-relative path changed since the last
    build; with it, an incremental cache neither walks the folders again nor looks at untouched files.
    """
    root = root.resolve()
    config, diagnostics = load_config(root)
    runtime = cache.runtime if cache is not None and cache.incremental else None  # serve's in-memory state
    if runtime is not None:  # an unchanged configuration stays the same object
        if runtime.get("config") == config:
            config = runtime["config"]
        runtime["config"] = config
    with git_asked(root) as asked:  # git answers while the sources are parsed
        sources, found = _discover(root, runtime, touched)
        diagnostics.extend(found)
        cases = []
        files = 0
        config_key = repr(config)
        if cache is None or not cache.incremental:
            results = _parse_all(sources, root, config, config_key, cache)
        else:
            quiet = quiet_paths(root, touched)
            results = [_parse_watched(source, root, config, config_key, cache, touched, quiet) for source in sources]
        for result in results:
            diagnostics.extend(result.diagnostics)
            files += len(result.files)
            if result.case is not None:
                cases.append(result.case)
        ordered = tuple(cases)
        diagnostics.extend(run_checks(ordered, config, SITE_CHECKS))
        if cache is None or not cache.incremental:  # a one-off build: on every core
            for case_diagnostics in run_jobs(
                [functools.partial(case_checks, case, config) for case in ordered],
                [len(case.interactions) + 1 for case in ordered],
            ):
                diagnostics.extend(case_diagnostics)
        else:
            for case in ordered:
                diagnostics.extend(cache.checked.by_identity((case, config), None, lambda: case_checks(case, config)))  # noqa: B023 - called at once
        history = read_history(root, asked, frozenset(s.path for s in sources if isinstance(s, SingleSource)), runtime)
    diagnostics.extend(deleted_interaction_diagnostics(ordered, history))
    return LoadResult(Logbook(str(root), config, ordered), tuple(sorted_diagnostics(diagnostics)), files, history)


def _discover(
    root: Path, memo: dict[str, Any] | None, touched: frozenset[str] | None
) -> tuple[list[Source], list[Diagnostic]]:
    """discover(), or last build's sources when the watcher saw no file appear, vanish or turn into a folder."""
    known = memo.get("discovered") if memo is not None else None
    if (
        known is None
        or touched is None
        or not all(
            os.path.isfile(root / path) and path in known[2] for path in touched if path.startswith(CASES_DIR + "/")
        )
    ):
        sources, found = discover(root)
        files = frozenset(
            p
            for s in sources
            for p in ((s.case_file, *s.interaction_files, *s.other_files) if isinstance(s, BundleSource) else (s.path,))
        )
        known = (sources, found, files)
        if memo is not None:
            memo["discovered"] = known
    return list(known[0]), list(known[1])


def _source_paths(source: Source) -> tuple[str, ...]:
    return (source.case_file, *source.interaction_files) if isinstance(source, BundleSource) else (source.path,)


def _parse_fresh(
    source: Source, root: Path, config: Config, contents: dict[str, bytes] | None = None
) -> tuple[ParseResult, tuple[Any, ...]]:
    """A source parsed (*contents*: bytes of its files read already), with the stat of every attachment
    it consulted (when those change, so may it)."""
    result = parse_source(source, root, config, contents or {})
    return result, stamps_of(result.consulted)


def _parse_packed(source: Source, root: Path, config: Config) -> tuple[bytes, tuple[Any, ...]]:
    """_parse_fresh as the cache keeps it: the result packed (cache.pack) by the worker that parsed it."""
    result, consulted = _parse_fresh(source, root, config)
    return pack(result), consulted


def _parse_all(
    sources: list[Source], root: Path, config: Config, config_key: str, cache: BuildCache | None
) -> list[ParseResult]:
    """Every source parsed, those the cache does not hold on every core (workers.run_jobs)."""
    if cache is None:
        return [
            result
            for result, _ in run_jobs(
                [functools.partial(_parse_fresh, source, root, config) for source in sources],
                [len(_source_paths(source)) for source in sources],
            )
        ]
    keys = [_known_key(source, root, config_key, cache) for source in sources]
    todo = [i for i, key in enumerate(keys) if key is None or not cache.parsed.holds(key, _still_valid)]
    done = dict(
        zip(
            todo,
            run_jobs(
                [functools.partial(_keyed_parse, sources[i], root, config, config_key, cache) for i in todo],
                [len(_source_paths(sources[i])) for i in todo],
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
            lambda: (parsed and parsed.entry) or _parse_packed(source, root, config),  # noqa: B023 - called at once
            _still_valid,
        )
        if parsed is not None and parsed.result is not None and entry is parsed.entry:
            results.append(parsed.result)  # parsed here: the very record, not unpacked again
        else:
            assert key is not None  # a source without a key was parsed just now, which gave it one
            results.append(_unpacked(entry, key, source, root, config, cache))
    return results


def _unpacked(
    entry: tuple[bytes, tuple[Any, ...]], key: str, source: Source, root: Path, config: Config, cache: BuildCache
) -> ParseResult:
    """A cache entry's parse; one that cannot be read back (a damaged or crafted cache file) is parsed again."""
    try:
        result = unpack(entry[0])
        if isinstance(result, ParseResult):
            return result
    except CacheUnreadable:
        pass
    result, consulted = _parse_fresh(source, root, config)
    cache.parsed.new[key] = (pack(result), consulted)
    return result


def _parse_key(source: Source, config_key: str, digests: list[str | None]) -> str:
    """The cache key of a source's parse: the configuration, the source and its files' SHA-256."""
    return digest_text(config_key, repr(source), *map(str, digests))


def _source_key(
    source: Source, root: Path, config_key: str, cache: BuildCache, read: dict[str, bytes] | None = None
) -> str:
    """_parse_key, reading and hashing the files whose stat changed (their bytes put in *read*)."""
    return _parse_key(source, config_key, [cache.file_digest(root, p, read) for p in _source_paths(source)])


def _known_key(source: Source, root: Path, config_key: str, cache: BuildCache) -> str | None:
    """_parse_key when every file of the source has the stat recorded with its SHA-256 (nothing read), else None."""
    digests = [cache.known_digest(root, p) for p in _source_paths(source)]
    return None if None in digests else _parse_key(source, config_key, digests)


@dataclass(slots=True)
class _KeyedParse:
    """A source's share of a cold load (see _keyed_parse).  The parsed record itself stays where it was
    made: a worker hands back only the packed form (the cache needs it anyway), and the share the parent
    ran keeps the record too, so that it is not unpacked again."""

    key: str
    digests: dict[str, Any]
    entry: tuple[bytes, tuple[Any, ...]] | None  # the packed parse and the attachments it consulted; None: held
    result: ParseResult | None = None

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return _KeyedParse, (self.key, self.digests, self.entry)


def _keyed_parse(source: Source, root: Path, config: Config, config_key: str, cache: BuildCache) -> _KeyedParse:
    """For a worker, a source's share of a cold load: its key (reading and hashing its files), the
    digests so learned, and its packed parse unless the cache holds one.  The files are read once: the
    parse is of the very bytes hashed for the key."""
    read: dict[str, bytes] = {}
    key = _source_key(source, root, config_key, cache, read)
    digests = cache.digests_used(_source_paths(source))
    if cache.parsed.holds(key, _still_valid):
        return _KeyedParse(key, digests, None)
    result, consulted = _parse_fresh(source, root, config, read)
    return _KeyedParse(key, digests, (pack(result), consulted), result)


def _parse_watched(
    source: Source,
    root: Path,
    config: Config,
    config_key: str,
    cache: BuildCache,
    touched: frozenset[str] | None = None,
    quiet: Callable[[str], bool] = lambda path: False,
) -> ParseResult:
    """serve's parse: a source the watcher did not report, or with last build's stat, is reused as it is
    (while the attachments it names are *quiet* or keep their stat)."""
    paths = _source_paths(source)
    known = cache.sources.new.get(source) or cache.sources.old.get(source)
    untouched = touched is not None and touched.isdisjoint(paths)
    stamps = stamps_of(tuple(f"{root}/{p}" for p in paths)) if not untouched or known is None else None
    if (
        known is not None
        and known[0] is config
        and (stamps is None or known[1] == stamps)
        and unchanged(known[2], quiet)
    ):
        cache.sources.new[source] = known
        return known[3]  # type: ignore[no-any-return]  # a memo table holds values of any type; the key says which
    if stamps is None:
        stamps = stamps_of(tuple(f"{root}/{p}" for p in paths))
    key = _source_key(source, root, config_key, cache)
    entry = cache.parsed.get(key, lambda: _parse_packed(source, root, config), _still_valid)
    # the same cache entry as last build (a file saved unchanged, or one saved too recently for its stat to
    # be trusted): the same record, so its pages are reused
    result = (
        known[3] if known is not None and known[4] is entry[0] else _unpacked(entry, key, source, root, config, cache)
    )
    packed, consulted = cache.parsed.new[key]
    cache.sources.new[source] = (config, stamps if settled(stamps) else None, consulted, result, packed)
    return result


def _still_valid(entry: tuple[bytes, tuple[Any, ...]]) -> bool:
    """A parse is reused only while the attachments it consulted keep their stat."""
    return unchanged(entry[1])
