"""Two costs of handing records over and rendering messages, each timed against what it replaced.

    python benchmarks/handover.py LOGBOOK_FOLDER [--rounds 4]

* pickling: the loaded logbook and its case views (what workers hand back, what the cache packs and
  the page keys digest), dumped and loaded with ``quick_pickle``'s state (core/records.py) and with
  the state ``dataclasses`` writes for a slotted class, alternately;
* markdown: every message body rendered with messages.py's plain-paragraph shortcut and with
  markdown-it-py's own inline rule (``make_renderer(plain_first=False)``), alternately; the HTML
  is checked to be the same.

Each line is one round; the last line is the median of the rounds' ratios (below 1: faster now).
The garbage collector is off while timing, as a build keeps it from walking its records.
Not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import pickle
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ["LOGBOOK_WORKERS"] = "1"  # load in this process: the records to pickle are its own

from logbook.core.records import quick_pickle  # noqa: E402
from logbook.evidence.derive import derive_site  # noqa: E402
from logbook.load.stage import load_logbook  # noqa: E402
from logbook.site import messages  # noqa: E402


def quick_classes() -> list[type]:
    """Every class of logbook's that quick_pickle gave its state to."""
    found = []
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("logbook"):
            for value in vars(module).values():
                state = isinstance(value, type) and vars(value).get("__getstate__")
                if state and "quick_pickle" in state.__qualname__ and value not in found:
                    found.append(value)
    return found


def generic(classes: list[type]) -> None:
    """Give *classes* back the state dataclasses writes for a slotted class (what was there before)."""
    for cls in classes:
        setattr(cls, "__getstate__", dataclasses._dataclass_getstate)  # type: ignore[attr-defined]  # noqa: B010
        setattr(cls, "__setstate__", dataclasses._dataclass_setstate)  # type: ignore[attr-defined]  # noqa: B010


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def pickling_round(records: Any) -> float:
    dump, data = timed(lambda: pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
    load, again = timed(lambda: pickle.loads(data))
    assert again == records
    return dump + load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logbook", type=Path)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    loaded = load_logbook(args.logbook.resolve())
    site = derive_site(loaded.logbook, datetime(2026, 1, 1, tzinfo=UTC), loaded.history)
    records = (loaded.logbook, site.cases)
    texts = [i.body for case in loaded.logbook.cases for i in case.interactions]
    classes = quick_classes()
    gc.disable()
    ratios: dict[str, list[float]] = {"pickling": [], "markdown": []}
    for round_ in range(args.rounds):
        for cls in classes:
            quick_pickle(cls)
        quick = pickling_round(records)
        generic(classes)
        before = pickling_round(records)
        ratios["pickling"].append(quick / before)
        shortcut, html = timed(lambda: render_all(texts, True))
        own, html_before = timed(lambda: render_all(texts, False))
        assert html == html_before, "the shortcut changed the HTML"
        ratios["markdown"].append(shortcut / own)
        print(
            f"round {round_ + 1}: pickling {quick:.3f} s against {before:.3f} s ({len(classes)} record classes); "
            f"markdown {shortcut:.2f} s against {own:.2f} s ({len(texts)} bodies)"
        )
    print(", ".join(f"{name} ×{statistics.median(values):.3f}" for name, values in ratios.items()))
    return 0


def render_all(texts: list[str], plain_first: bool) -> list[str]:
    renderers: dict[tuple[str, ...], Any] = {}
    out = []
    for text in texts:
        absent = messages.rules_that_cannot_match(text)
        renderer = renderers.get(absent) or renderers.setdefault(absent, messages.make_renderer(absent, plain_first))
        out.append(renderer.render(text, {"base_dir": "cases/x"}))
    return out


if __name__ == "__main__":
    sys.exit(main())
