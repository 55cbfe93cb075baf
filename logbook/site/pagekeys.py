"""Page keys: a digest of everything a page is drawn from, so that a one-off build takes a page from
the site it published last time instead of drawing it again.

A day later nothing in a logbook has changed but the moment its deadlines are judged at; only the
pages that state that moment (the dashboard, the attention lists, the evidence page of a case that
is not settled: see derive.HORIZON) have a different key, and only they are drawn again.

A key is the SHA-256 of a pickle, in the pickler's fast mode (no memo, so two equal records give the
same bytes however they are shared), of the template, the things every page is drawn with (the
logbook's code, theme and catalogues as files on disk, the language, the configuration, the zone,
git's HEAD) and the page's own context.  A case view stands in it for a digest of its record
(computed once per build, on every core); its facts and promise states, which the passing time
changes, count only on a page that shows them (``PageJob.shows_evidence``: the evidence page).  The
attributes of the site a page read while it was drawn (``SiteReads``) are digested with the page's
record too, and compared again before the page is reused.  Equal bytes mean an equal page; records
that pickle differently only cost a drawing.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import logbook
from logbook.evidence.derive import CaseView, Entry, SiteView
from logbook.speed.cache import folder_stamps
from logbook.speed.workers import run_jobs
from logbook.store.history import History

_FIELDS = ("root", "config", "as_of", "cases", "tags", "history")  # the SiteView's attributes
EVIDENCE = frozenset({"facts", "promises", "judged_as_of"})  # what the passing time changes in a view
READ_EVIDENCE = "(evidence)"  # in a page's reads: its template read EVIDENCE of a view (see reads_evidence)


def reads_evidence(obj: object, attribute: str) -> bool:
    """Whether a template's read is of a view's evidence: a page whose template reads it (a theme may
    show promise states on a list) is keyed by it like the evidence page."""
    return attribute in EVIDENCE and type(obj) is CaseView


class _KeyPickler(pickle.Pickler):
    """A fast-mode pickler that writes a case view (and each of its entries) as its digest."""

    def __init__(self, buffer: io.BytesIO, keys: PageKeys, evidence: bool) -> None:
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self.fast = True
        self.keys, self.evidence = keys, evidence

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is CaseView:
            digests = self.keys.views.get(id(obj))
            if digests is not None:
                return _ref, ("view", digests[0] + digests[1] if self.evidence else digests[0])
        elif kind is Entry:
            digest = self.keys.entries.get(id(obj))
            if digest is not None:
                return _ref, ("entry", digest)
        return NotImplemented


def _ref(kind: str, digest: bytes) -> None:
    """What a digest stands for in a key's pickle (never unpickled)."""


def _digest(value: object, keys: PageKeys | None = None, evidence: bool = False) -> bytes | None:
    """SHA-256 of *value*'s fast-mode pickle (None: it holds something that cannot be pickled)."""
    buffer = io.BytesIO()
    try:
        if keys is None:
            pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.fast = True
        else:
            pickler = _KeyPickler(buffer, keys, evidence)
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError):
        return None
    return hashlib.sha256(buffer.getvalue()).digest()


def view_digests(view: CaseView) -> tuple[bytes, bytes]:
    """A view's record (everything but what the passing time changes) and its facts and promise
    states, digested.  The entries are the case's own interactions: their anchors, exhibits and
    provenance are what the view adds to them."""
    record = (
        view.case,
        tuple((e.anchor, e.exhibits, e.provenance) for e in view.entries),
        view.exhibits,
        view.status_changes,
        view.removed,
        view.withdrawn_exhibits,
    )
    evidence = (view.facts, view.promises, view.judged_as_of)
    return _digest(record) or _never(), _digest(evidence) or _never()


def _never() -> bytes:
    """A digest no other build will have: what cannot be pickled is never taken to be the same."""
    return os.urandom(32)


def _canonical(value: object) -> object:
    """The git history with its records in path order (the order git's answers came in may vary)."""
    if isinstance(value, History):
        return (
            value.available,
            value.reason,
            value.head,
            value.clean,
            sorted(value.files.items()),
            sorted(value.sections.items()),
        )
    return value


@dataclass
class PageKeys:
    """The keys of one build's pages (made in the parent before the pages are drawn, so that the
    workers forked to draw them inherit the digests)."""

    views: dict[int, tuple[bytes, bytes]]  # id(view) → view_digests
    entries: dict[int, bytes]  # id(entry) → its view's record digest and its anchor
    common: bytes  # what every page is drawn with
    fields: dict[str, bytes]  # SiteView attribute → its digest
    evidence_fields: dict[str, bytes] = dataclasses.field(default_factory=dict)  # the same, views with evidence

    @classmethod
    def made(cls, site: SiteView, drawn_with: Sequence[object], folders: Sequence[Path]) -> PageKeys:
        """*drawn_with*: the values every page's context holds (language, zone, the moment's year);
        *folders*: the theme's and the catalogues' (their files' stats stand for their content)."""
        digests = run_jobs(
            [functools.partial(view_digests, view) for view in site.cases], [len(v.entries) + 1 for v in site.cases]
        )
        views = {id(view): pair for view, pair in zip(site.cases, digests)}
        entries = {id(e): pair[0] + e.anchor.encode() for view, pair in zip(site.cases, digests) for e in view.entries}
        code = Path(logbook.__file__).parent
        stamps = (folder_stamps([code], "*.py"), folder_stamps(folders), logbook.__version__)
        keys = cls(views, entries, b"", {})
        keys.common = _digest((stamps, tuple(drawn_with), site.config)) or _never()
        keys.fields = {name: _digest(_canonical(getattr(site, name)), keys) or _never() for name in _FIELDS}
        keys.evidence_fields = {
            name: _digest(getattr(site, name), keys, True) or _never() for name in ("cases", "tags")
        }
        return keys

    def page(self, template: str, context: dict[str, Any], evidence: bool) -> str | None:
        """The key of a page drawn with *template* and *context* (None: it cannot have one, so it is drawn)."""
        digest = _digest((template, context), self, evidence)
        return None if digest is None else hashlib.sha256(self.common + digest).hexdigest()

    def site(self, reads: Iterable[str]) -> str:
        """The digest of the site's attributes a page read (a method, such as ``timeline``, reads all);
        with READ_EVIDENCE among them, its views with their evidence."""
        names = set(reads)
        fields = {**self.fields, **self.evidence_fields} if READ_EVIDENCE in names else self.fields
        sha = hashlib.sha256()
        for name in sorted(names - {READ_EVIDENCE}):
            sha.update(name.encode() + b"\x00" + (fields.get(name) or b"".join(fields.values())))
        return sha.hexdigest()
