"""Which case a message joins when no ``--case`` is given.

In order: the case that already holds a message of its thread (its ``In-Reply-To`` or
``References`` name a recorded ``message_id``, or one routed earlier in the same import);
else the one case whose refs (``refs:`` values, interactions' ``ref``, and the case id)
appear in its subject or body as whole words. No case, or several, and the message is not
imported: the report lists it with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logbook.core.models import Case
from logbook.core.records import quick_pickle

from .model import Incoming

MIN_REF_LENGTH = 4  # shorter refs ("12", "A1") would match ordinary words and numbers


@quick_pickle
@dataclass(frozen=True, slots=True)
class Route:
    """Where one message goes: a case id, or None with the reason it goes nowhere."""

    case_id: str | None
    how: str  # "thread", "ref GT-889123", "--case", or why not: "no case matches", "several cases match: A, B"


class Router:
    """Routes messages in time order, remembering the ones it placed so a reply follows its thread."""

    def __init__(self, cases: tuple[Case, ...]) -> None:
        self.thread_case: dict[str, set[str]] = {}
        refs: dict[str, set[str]] = {}
        for case in cases:
            for interaction in case.interactions:
                if interaction.message_id:
                    self.thread_case.setdefault(interaction.message_id, set()).add(case.id)
                if interaction.ref:
                    refs.setdefault(interaction.ref.casefold(), set()).add(case.id)
            for _, value in case.refs:
                refs.setdefault(value.casefold(), set()).add(case.id)
            refs.setdefault(case.id.casefold(), set()).add(case.id)
        self.refs = {ref: ids for ref, ids in refs.items() if len(ref) >= MIN_REF_LENGTH}
        alternatives = "|".join(re.escape(ref) for ref in sorted(self.refs, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE) if alternatives else None

    def route(self, message: Incoming) -> Route:
        by_thread = (
            set().union(*(self.thread_case.get(ref, set()) for ref in message.thread)) if message.thread else set()
        )
        if len(by_thread) == 1:
            return self._placed(message, Route(next(iter(by_thread)), "thread"))
        if len(by_thread) > 1:
            return Route(None, f"its thread is in several cases: {', '.join(sorted(by_thread))}")
        found: dict[str, str] = {}
        if self.pattern is not None:
            for match in self.pattern.finditer(message.route_text):
                for case_id in self.refs[match[0].casefold()]:
                    found.setdefault(case_id, match[0])
        if len(found) == 1:
            case_id, ref = next(iter(found.items()))
            return self._placed(message, Route(case_id, f"ref {ref}"))
        if found:
            return Route(None, f"refs of several cases appear in it: {', '.join(sorted(found))}")
        return Route(None, "no case's thread or refs match it")

    def place(self, message: Incoming, case_id: str) -> None:
        """Remember that *message* went to *case_id* (replies to it follow)."""
        if message.channel == "email":
            self.thread_case.setdefault(message.key, set()).add(case_id)

    def _placed(self, message: Incoming, route: Route) -> Route:
        if route.case_id:
            self.place(message, route.case_id)
        return route
