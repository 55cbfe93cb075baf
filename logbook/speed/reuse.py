"""Reusing rendered output between builds of one process (``serve``): keys, page and fragment memos.

A page or a template fragment is reused only when everything it was rendered from is the
same.  What "the same" means is decided by :func:`token`:

* text by equality; Markup, numbers, dates and times by their type and ``repr`` (``1``,
  ``1.0`` and ``True`` are equal but print differently, as do equal instants in different
  zones, and Markup is not escaped where text is);
* ``Moment`` and ``Agent`` by their fields;
* every other record (a case view, an entry, the configuration, the history) by *identity*:
  records are immutable, and the build cache hands out the very same object for an unchanged
  case, configuration or history, so "same object" means "same content" (a new but equal
  object is only a miss, never a wrong page).  The key holds the object, so its id cannot be
  reused by another while the entry lives.

The whole-site value ``site`` is not keyed as one object (it is new on every build): a
stand-in records which of its attributes a page reads, and the page is reused only while
those are the same (``site.history`` for a case page's footer; ``site.cases`` for a list).

A fragment (``{% fragment view, entry %}…{% endfragment %}`` in a template) is keyed by
the values it names and the page's ``root``; its output must depend on nothing else.
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from markupsafe import Markup

from logbook.core.models import Agent
from logbook.core.records import quick_pickle
from logbook.core.timeparse import Moment

T = TypeVar("T")
_BY_VALUE = frozenset({str, type(None)})
_BY_REPR = frozenset({int, float, bool, Decimal, timedelta, datetime, date, time})


_ABSENT = object()  # no entry (an entry may be None)


class Hashed:
    """A key that is hashed once: a long tuple (a token of every case view) used to look up several
    entries would otherwise be hashed again, item by item, at each look-up."""

    __slots__ = ("value", "_hash")

    def __init__(self, value: Hashable) -> None:
        self.value, self._hash = value, hash(value)

    def __eq__(self, other: object) -> bool:
        return type(other) is Hashed and other._hash == self._hash and other.value == self.value

    def __hash__(self) -> int:
        return self._hash


class Ref:
    """Compares and hashes by the identity of the object it holds."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return type(other) is Ref and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


_REPR_TYPES: set[type] = set()


def keyed_by_repr(cls: type[T]) -> type[T]:
    """Class decorator: the values of *cls* are plain data whose ``repr`` shows everything they render."""
    _REPR_TYPES.add(cls)
    return cls


class Shared(tuple):  # type: ignore[type-arg]  # a subclass that keeps any items, as tuple/dict do
    """A tuple keyed by identity; made by :func:`stable`, which hands out last build's object again
    only when every item is the same (identical, or a tuple of identical values)."""

    __slots__ = ()


class SharedDict(dict):  # type: ignore[type-arg]  # a subclass that keeps any items, as tuple/dict do
    """A mapping keyed by identity: only ever handed out again by a memo, unchanged."""

    __slots__ = ()


def _same(a: object, b: object) -> bool:
    return a is b or (type(a) is tuple and type(b) is tuple and len(a) == len(b) and all(map(operator.is_, a, b)))


def stable(memo: Memo, name: Hashable, items: Iterable[Any], source: object = None) -> Shared:
    """*items* as a Shared tuple: the one *name* had last build if nothing in it changed.  When the
    items are made from an immutable *source*, the same source object means the same items."""
    key = ("stable", name)
    old_source, old = memo.new.get(key) or memo.old.get(key) or (None, None)
    if source is not None and source is old_source and old is not None:
        memo.new[key] = (old_source, old)
        return old  # type: ignore[no-any-return]  # a memo table holds values of any type; the key says which
    fresh = tuple(items)
    value = old if old is not None and len(old) == len(fresh) and all(map(_same, old, fresh)) else Shared(fresh)
    memo.new[key] = (source, value)
    return value


def token(value: Any) -> Hashable:
    """A hashable stand-in for *value* that is equal only when the value renders the same."""
    kind = type(value)
    if kind in _BY_VALUE:
        return value  # type: ignore[no-any-return]  # a memo table holds values of any type; the key says which
    if kind is Markup:
        return (Markup, value)  # the text, marked as not to be escaped (the hash is kept by the string)
    if kind is Shared or kind is SharedDict:
        return Ref(value)
    if kind is tuple:
        return tuple(map(token, value))
    if kind is list:
        return ("list", tuple(map(token, value)))
    if kind is dict:
        return ("dict", tuple((token(k), token(v)) for k, v in value.items()))
    if kind in _BY_REPR:
        return (kind, repr(value))
    if kind is Moment:
        return ("moment", repr(value.when), value.has_time)
    if kind is Agent:
        return ("agent", value.name, value.id)
    if kind in _REPR_TYPES:
        return ("repr", repr(value))
    return Ref(value)


_KEPT = (tuple, list, dict, Moment)  # values a page's context often shares with other pages


def context_token(context: dict[str, Any], seen: dict[int, tuple[Any, Hashable]]) -> Hashable:
    """token(*context*), the tokens of its containers and moments kept in *seen* by identity: the
    pages of one list share them (the timeline's filters and its month navigation are the same
    objects on every month page, the moment stated the same on every evidence page that states
    it), so each is made once per drawing, not once per page.  *seen* holds each value, so
    that no other object takes its id while the drawing lasts."""
    parts = []
    for name, value in context.items():
        if type(value) in _KEPT and value:
            known = seen.get(id(value))
            if known is None:
                known = seen[id(value)] = (value, token(value))
            parts.append((token(name), known[1]))
        else:
            parts.append((token(name), token(value)))
    return ("dict", tuple(parts))


MAX_INFLATED = 1 << 30  # no entry of ours inflates to more: a bigger one is a zip bomb, not a page


def inflate(data: bytes, limit: int = MAX_INFLATED) -> bytes:
    """zlib.decompress with a bound: a crafted cache entry cannot make gigabytes out of a few bytes."""
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, limit)
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("a compressed cache entry is damaged or too large")
    return out


@dataclass
class Memo:
    """One table: entries carried over from the last build (``old``), and the ones this build used
    (``new``); at the end of a build, what was used becomes what the next build may reuse."""

    old: dict[Hashable, Any] = field(default_factory=dict)
    new: dict[Hashable, Any] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    pruned_size: int = 0  # size after the last prune (lazy roll-over)

    def get(self, key: Hashable, compute: Callable[[], Any], valid: Callable[[Any], bool] | None = None) -> Any:
        """The entry for *key* (if *valid* says it still holds), else *compute*'s value, kept for next time."""
        value = self.new.get(key, _ABSENT)
        if value is not _ABSENT:
            return value
        value = self.old.get(key, _ABSENT)
        if value is not _ABSENT and (valid is None or valid(value)):
            self.hits += 1
        else:
            self.misses += 1
            value = compute()
        self.new[key] = value
        return value

    def get_compressed(self, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        """Like get, for bytes that compress well (HTML, JSON): the entry is kept zlib-compressed,
        and a value just computed is returned as it is, not decompressed from its entry."""
        made: list[bytes] = []

        def compressed() -> bytes:
            made.append(compute())
            return zlib.compress(made[0], 1)

        kept = self.get(key, compressed)
        if made:
            return made[0]
        try:
            return inflate(kept)
        except (zlib.error, ValueError, TypeError, MemoryError):  # an entry from a damaged cache file: made again
            self.new[key] = compressed()
            return made[0]

    def holds(self, key: Hashable, valid: Callable[[Any], bool] | None = None) -> bool:
        """Whether get(*key*, …, *valid*) would find an entry rather than compute one."""
        return key in self.new or (key in self.old and (valid is None or valid(self.old[key])))

    def by_identity(self, records: tuple[object, ...], extra: Hashable, compute: Callable[[], Any]) -> Any:
        """Keyed by the identity of *records* and the value of *extra*.  The entry holds the records,
        so no other object can take their ids while it lives."""
        key = (tuple(map(id, records)), extra)
        entry = self.new.get(key)
        if entry is None:
            entry = self.old.get(key)
            if entry is None:
                self.misses += 1
                entry = (records, compute())
            else:
                self.hits += 1
            self.new[key] = entry
        return entry[1]

    def roll_over(self, prune: bool = True, lazy: bool = False) -> None:
        """After a build, what it used becomes what the next build may reuse; without *prune* (a build
        that stopped early) the entries it did not reach are kept too.  *lazy* is for tables whose
        entries may be valid without being looked up (fragments inside a reused page, Markdown behind
        a reused view): everything is kept until the table has doubled since it was last pruned."""
        if not lazy:
            self.old = self.new if prune else {**self.old, **self.new}
        else:
            self.old.update(self.new)  # in place: copying a big table every build would cost more than it saves
            if prune and len(self.old) > 2 * max(self.pruned_size, 1000):
                self.old = self.new
                self.pruned_size = len(self.old)
            elif not self.pruned_size:
                self.pruned_size = len(self.old)
        self.new = {}
        self.hits = self.misses = 0


class SiteReads:
    """Stands in for the SiteView while one page is rendered and notes which attributes it reads."""

    __slots__ = ("_site", "_reads")

    def __init__(self, site: object) -> None:
        self._site = site
        self._reads: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self._reads.add(name)
        return getattr(self._site, name)


def site_token(site: Any, reads: frozenset[str]) -> Hashable:
    """The values of the SiteView attributes a page read (a method such as ``timeline`` stands for
    everything the site holds)."""

    def one(name: str) -> Hashable:
        value = getattr(site, name, None)
        if callable(value):
            return ("call", name, token(site.cases), token(site.config), token(site.as_of))
        return (name, token(value))

    return tuple(map(one, sorted(reads)))


BIG_PIECE = 4096  # characters: a piece of a page this long is most likely a fragment from the memo


@quick_pickle
@dataclass(frozen=True, slots=True)
class _Page:
    key: Hashable  # template, theme and context
    reads: frozenset[str]  # the SiteView attributes the page read
    site: Hashable  # their values
    content: bytes
    pieces: tuple[tuple[str, bytes], ...] = ()  # the big pieces it was made of, and their UTF-8


def encode_pieces(
    pieces: Iterable[str], before: tuple[tuple[str, bytes], ...] = ()
) -> tuple[bytes, tuple[tuple[str, bytes], ...]]:
    """A page's UTF-8 from the pieces its template yields, and its big pieces with their bytes.  A big
    piece that is the very string of the page's last drawing (*before*: a fragment the memo kept)
    is not encoded again: text that is not all ASCII takes about 2 ms per MB to encode, and a
    timeline page of 11,000 interactions is 5 MB of fragments."""
    known = {id(text): (text, data) for text, data in before}
    parts: list[bytes] = []
    small: list[str] = []
    big: list[tuple[str, bytes]] = []
    for piece in pieces:
        if len(piece) < BIG_PIECE:
            small.append(piece)
            continue
        if small:
            parts.append("".join(small).encode("utf-8"))
            small = []
        pair = known.get(id(piece))
        if pair is None or pair[0] is not piece:
            pair = (piece, piece.encode("utf-8"))
        big.append(pair)
        parts.append(pair[1])
    parts.append("".join(small).encode("utf-8"))
    return b"".join(parts), tuple(big)


@dataclass
class PageMemo(Memo):
    """Rendered pages by output path: reused while the template, the context and the site
    attributes the page read are unchanged."""

    _tokens: tuple[object, dict[frozenset[str], Hashable]] = (None, {})  # this build's site tokens

    def _site_token(self, site: object, reads: frozenset[str]) -> Hashable:
        """site_token, worked out once per build for each set of attributes read (most pages read the same)."""
        if self._tokens[0] is not site:
            self._tokens = (site, {})
        known = self._tokens[1]
        if reads not in known:
            known[reads] = site_token(site, reads)
        return known[reads]

    def render(
        self,
        path: str,
        key: Hashable,
        site: object,
        render: Callable[[SiteReads], Iterable[str]],
    ) -> bytes:
        """The page at *path*: *render* is given the stand-in for *site* to put in the context, and
        yields the page's text in pieces (``Template.generate``)."""
        known: _Page | None = self.old.get(path)
        if known is not None and known.key == key and self._site_token(site, known.reads) == known.site:
            self.hits += 1
            self.new[path] = known
            return known.content
        self.misses += 1
        reader = SiteReads(site)
        content, pieces = encode_pieces(render(reader), known.pieces if known is not None else ())
        reads = frozenset(reader._reads)
        self.new[path] = _Page(key, reads, self._site_token(site, reads), content, pieces)
        return content

    def roll_over(self, prune: bool = True, lazy: bool = False) -> None:
        super().roll_over(prune, lazy)
        self._tokens = (None, {})
