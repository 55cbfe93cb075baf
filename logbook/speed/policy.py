"""Reuse policies: the one place that decides whether a stage's work is done again or reused.

The stages never ask which kind of build they are in.  They ask a policy for what they need (these
parses, this per-case value, this whole-site value, these pages) and the policy decides:

* ``Reuse`` reuses nothing: a ``build --no-cache``, and the base of the others;
* ``DiskReuse`` reuses what the on-disk build cache (``cache.BuildCache``) holds, keyed by content:
  parses (with each case's own checks), Markdown HTML, each case's search documents, and the
  pages of the site it published last whose key is unchanged (site/pagekeys.py); a one-off ``build``;
* ``ServeReuse`` also keeps, in memory between ``serve``'s rebuilds, every value keyed by the
  identity of the immutable records it was made from (checks, views, pages, fragments), and the
  state that lets the next rebuild start from this one (``kept``).

Whatever the policy, the site is the same bytes: a policy only decides what is computed again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any, Literal, TypeVar

from logbook.speed.cache import BuildCache, Drawn, quiet_paths
from logbook.speed.parses import Parsing, parse_all_cached, parse_all_fresh, parse_watched
from logbook.speed.reuse import Memo, PageMemo, Shared, stable
from logbook.store.discover import Source

T = TypeVar("T")
EachCase = Callable[[str, Callable[[Any], Any], Hashable], list[Any]]
"""A way to make a value for every case view, in site order: (name, compute, extra) → the values
(the planner's per_cases, which in serve makes them again only for the views that changed)."""
R = TypeVar("R")
S = TypeVar("S")
Table = Literal["messages", "analysed", "derived", "rendered", "fragments"]  # BuildCache's memos
ON_DISK: tuple[Table, ...] = ("messages", "analysed")  # the content-keyed ones a one-off build reuses


class Reuse:
    """Reuse nothing: every value computed, every page drawn (a one-off build without a cache)."""

    cache: BuildCache | None = None

    @property
    def watching(self) -> bool:
        """Whether this build follows one this process published (serve): then the site's inputs
        are known from the watcher, not fingerprinted."""
        return False

    def finish(self, prune: bool, persist: bool) -> None:
        """After a build: what it used becomes what the next may reuse (*prune*: the rest dropped; a build
        that stopped early keeps it), written to disk when *persist*."""

    def wrote(self, paths: tuple[str, ...] | None) -> None:
        """What the build just published wrote or removed (None: the whole site); serve keeps it."""

    def kept(self, kind: type[S]) -> S:
        """A stage's state carried from the last build to this one (see ServeReuse); here always new."""
        return kind()

    def parses(self, sources: Sequence[Source], parsing: Parsing[R], touched: frozenset[str] | None) -> list[R]:
        """Every source parsed, in order, on every core."""
        return parse_all_fresh(sources, parsing)

    def per_case(self, records: tuple[object, ...], name: Hashable, compute: Callable[[], T]) -> T:
        """What *compute* makes of one case's records."""
        return compute()

    def whole_site(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value made from the whole site (*key* names it and everything it is made from)."""
        return compute()

    def shared(self, name: Hashable, items: Iterable[Any], source: object = None) -> tuple[Any, ...]:
        """A list handed to templates, as a tuple (so that even printing it gives the same page)."""
        return tuple(items)

    def per_cases(self, name: str, records: Sequence[R], compute: Callable[[R], T], extra: Hashable = None) -> list[T]:
        """*compute* of each record, in order (*extra*: anything else the values are made from)."""
        return [compute(record) for record in records]

    def combined(self, name: str, parts: Callable[[], Sequence[object]], combine: Callable[[], T]) -> T:
        """A whole-site value (*combine* makes it) that follows from what *parts* gives alone: what each
        case, or each month, adds to it, as plain data (equal parts add the same).  Only serve asks for
        the parts: a build makes the value once."""
        return combine()

    def memo(self, table: Table) -> Memo | None:
        """A memo table for a stage that takes one (``messages``, ``analysed``, ``derived``, ``rendered``,
        ``fragments``); None: compute everything."""
        return None

    @property
    def pages(self) -> PageMemo | None:
        """Drawn pages by output path (None: pages are drawn at the end, on every core)."""
        return None

    def drawn(self, out: Path | None) -> dict[str, Drawn] | None:
        """How each page of the site last published at *out* was drawn (site/pagekeys.py), for a
        one-off build to link the pages whose key is the same; None: draw every page."""
        return None

    def record_drawn(self, out: Path, pages: dict[str, Drawn]) -> None:
        """How this build drew its pages (kept for the next build once the site is published)."""

    def worker_memos(self) -> Sequence[Memo]:
        """The memo tables the workers that draw pages fill, to be merged back (workers.run_jobs)."""
        return ()

    def carry(self, name: str, make: Callable[[Any], T]) -> T:
        """*make* given what it made last build (None: nothing to start from)."""
        return make(None)

    def kept_while(self, name: str, stamp: Callable[[], Hashable], make: Callable[[], T]) -> T:
        """What *make* makes, kept while *stamp* (the files it is made from) is the same."""
        return make()


@dataclass
class DiskReuse(Reuse):
    """Reuse what the on-disk build cache holds (content-keyed): a one-off ``build``."""

    cache: BuildCache = field(default_factory=lambda: BuildCache(None))

    def parses(self, sources: Sequence[Source], parsing: Parsing[R], touched: frozenset[str] | None) -> list[R]:
        return parse_all_cached(sources, parsing, self.cache)

    lazy_tables = False  # whether entries a reused page did not look up are kept (serve)

    def finish(self, prune: bool, persist: bool) -> None:
        if persist:
            self.cache.save(prune, lazy=self.lazy_tables)
        else:
            self.cache.roll_over(prune, lazy=self.lazy_tables)

    def memo(self, table: Table) -> Memo | None:
        return self._table(table) if table in ON_DISK else None

    def drawn(self, out: Path | None) -> dict[str, Drawn] | None:
        return None if out is None else self.cache.drawn.get(str(out), {})

    def record_drawn(self, out: Path, pages: dict[str, Drawn]) -> None:
        self.cache.drawn = {str(out): pages}

    def worker_memos(self) -> Sequence[Memo]:
        return [self._table(table) for table in ON_DISK]

    def _table(self, table: Table) -> Memo:
        memo: Memo = getattr(self.cache, table)
        return memo


@dataclass
class ServeReuse(DiskReuse):
    """``serve``: the build cache and, in memory between rebuilds, everything keyed by record identity.

    Records are immutable and the cache hands out the same object for what did not change, so
    "the same object" means "the same content" (see reuse.py)."""

    published: dict[str, Any] = field(default_factory=dict)  # out path → publish.Published, the last site
    written: tuple[str, ...] | None = ()  # paths the last build wrote or removed (None: the whole site)
    lazy_tables = True
    _kept: dict[type, Any] = field(default_factory=dict)
    _carried: dict[str, Any] = field(default_factory=dict)

    @property
    def watching(self) -> bool:
        return bool(self.published)

    def wrote(self, paths: tuple[str, ...] | None) -> None:
        self.written = paths

    def kept(self, kind: type[S]) -> S:
        """The one instance of *kind* this serve keeps across its rebuilds (made on first use)."""
        if kind not in self._kept:
            self._kept[kind] = kind()
        value: S = self._kept[kind]
        return value

    def parses(self, sources: Sequence[Source], parsing: Parsing[R], touched: frozenset[str] | None) -> list[R]:
        quiet = quiet_paths(parsing.root, touched)
        return [parse_watched(source, parsing, self.cache, touched, quiet) for source in sources]

    def per_case(self, records: tuple[object, ...], name: Hashable, compute: Callable[[], T]) -> T:
        value: T = self.cache.rendered.by_identity(records, name, compute)
        return value

    def whole_site(self, key: Hashable, compute: Callable[[], T]) -> T:
        value: T = self.cache.rendered.get(key, compute)
        return value

    def per_cases(self, name: str, records: Sequence[R], compute: Callable[[R], T], extra: Hashable = None) -> list[T]:
        """Last build's value for each record that is the very object it was made from, and made anew
        for the others (all of them when *extra* changed).  One pass over the records: an edit changes
        one case, so looking up a thousand cases' values one by one would cost more than the edit."""
        key = f"per cases {name}"
        last = self._carried.get(key)
        values: list[Any]  # T, once every place is filled
        if last is None or last[0] != extra:
            values = [compute(record) for record in records]
        else:
            values = [*last[2][: len(records)], *[None] * (len(records) - len(last[2]))]  # each place's value before
            moved = [
                n for n, (old, new) in enumerate(zip_longest(last[1], records)) if old is not new and new is not None
            ]
            if len(moved) == 1 and len(last[1]) == len(records):  # one case edited: nothing else moved
                values[moved[0]] = compute(records[moved[0]])
            elif moved:  # cases came, went or sorted elsewhere: the rest are found by identity
                kept = {id(record): (record, value) for record, value in zip(last[1], last[2])}
                for n in moved:
                    values[n] = _kept_or(kept.get(id(records[n])), records[n], compute)
        # the records are held, so that no other object takes their ids; the values apart from the list returned
        self._carried[key] = (extra, tuple(records), tuple(values))
        return values

    def combined(self, name: str, parts: Callable[[], Sequence[object]], combine: Callable[[], T]) -> T:
        """Last build's value while every part is the one it was made from (the same object, or equal),
        so that an edit that changes no case's part (a message's text, for the timeline's filters) makes
        the value again only for the cases it changed, not for the whole site."""
        key, parts_now = f"combined {name}", parts()
        last = self._carried.get(key)
        if last is not None and len(last[0]) == len(parts_now) and all(map(_alike, last[0], parts_now)):
            value: T = last[1]
        else:
            value = combine()
        self._carried[key] = (tuple(parts_now), value)  # this build's parts: the next compares them by identity
        return value

    def shared(self, name: Hashable, items: Iterable[Any], source: object = None) -> Shared:
        """The same object as last build's while its items are (see reuse.stable)."""
        return stable(self.cache.rendered, name, items, source)

    def memo(self, table: Table) -> Memo | None:
        return self._table(table)

    @property
    def pages(self) -> PageMemo | None:
        return self.cache.pages

    def carry(self, name: str, make: Callable[[Any], T]) -> T:
        value = self._carried[name] = make(self._carried.get(name))
        return value

    def kept_while(self, name: str, stamp: Callable[[], Hashable], make: Callable[[], T]) -> T:
        now = stamp()
        known = self._carried.get(name)
        if known is None or known[0] != now:
            known = self._carried[name] = (now, make())
        value: T = known[1]
        return value


def policy_for(cache: Reuse | bool, root: Path) -> Reuse:
    """``build``'s *cache* argument as a policy: True the on-disk cache, False nothing, or a policy."""
    from logbook.speed.cache import open_cache

    if cache is True:
        return DiskReuse(open_cache(root))
    if cache is False:
        return Reuse()
    return cache


def _alike(old: object, new: object) -> bool:
    return old is new or old == new


def _kept_or(kept: tuple[Any, Any] | None, record: R, compute: Callable[[R], T]) -> T:
    """The value kept for *record* if it was made from this very object, else made now."""
    if kept is not None and kept[0] is record:
        value: T = kept[1]
        return value
    return compute(record)
