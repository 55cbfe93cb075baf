"""Records that cross process boundaries quickly.

A build hands its records between processes by pickling them (each worker's parses and case views
come back to the parent through a pipe, and the build cache keeps parses packed), and it digests
them by pickling too (site/pagekeys.py).  A frozen dataclass with ``__slots__`` pickles through
the ``__getstate__`` and ``__setstate__`` that ``dataclasses`` writes for it, which look up the
class's fields (``dataclasses.fields``) on every object: at M, a cold build pickles about 140,000
records and that lookup was about a third of the time spent.  ``quick_pickle`` gives the record
classes made in bulk a state of the same values, read with one ``operator.attrgetter`` made once
per class.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

C = TypeVar("C", bound=type)


def quick_pickle(cls: C) -> C:
    """*cls* (a slotted dataclass) pickled as the tuple of its field values, in field order."""
    names = tuple(field.name for field in dataclasses.fields(cls))
    if not names or not hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__}: quick_pickle is for slotted dataclasses with fields")
    values: Callable[[Any], tuple[Any, ...]]
    if len(names) == 1:
        only = names[0]
        values = lambda record: (getattr(record, only),)  # noqa: E731 - attrgetter of one name gives no tuple
    else:
        values = operator.attrgetter(*names)
    put = object.__setattr__  # the record is frozen: as dataclasses' own __setstate__ does

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return values(self)

    def __setstate__(self: Any, state: Iterable[Any]) -> None:
        for name, value in zip(names, state):
            put(self, name, value)

    setattr(cls, "__getstate__", __getstate__)  # noqa: B010 - mypy rejects assigning a method to a class
    setattr(cls, "__setstate__", __setstate__)  # noqa: B010
    return cls
