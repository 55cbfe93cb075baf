"""The cyclic garbage collector during a one-off build: long-lived records are left out of its scans.

A build's records (parsed cases, derived views, drawn pages' data) live until the build ends and
hold no reference cycles, yet CPython's collector walks every one of them on each full collection,
and full collections come more often as the heap grows: at 110,000 interactions that was 7 s of a
90 s build, at 11,000 a quarter of a second.  ``gc.freeze`` moves what exists into a generation the
collector never scans; a frozen object is still freed by reference counting when its last
reference goes (only a cycle among frozen objects waits for the end of the block).  Frozen pages
are also never written by the collector, so forked workers share more memory (workers.run_jobs).

Used only in one process's single thread (``build``, ``check`` and their workers); ``serve`` keeps
its own policy and never enters a block (its builds are incremental and it has threads).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_depth = 0  # blocks entered and not yet left
_thaw = False  # whether the outermost block unfreezes when it ends (it froze the heap first)


def _nothing() -> None:
    pass


@contextmanager
def long_lived(active: bool = True) -> Iterator[Callable[[], None]]:
    """Freeze what exists now; the function given freezes what exists when called (a stage's results).
    When the outermost block ends, everything goes back to the collector, unless the heap was already
    frozen before it began (by someone else, who keeps it so).  Blocks nest; *active* False does nothing."""
    global _depth, _thaw
    if not active:
        yield _nothing
        return
    if _depth == 0:
        _thaw = gc.get_freeze_count() == 0
    _depth += 1
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        _depth -= 1
        if _depth == 0 and _thaw:
            gc.unfreeze()
