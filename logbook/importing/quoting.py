"""Quoted history in a reply: kept, but moved behind the new text as one block quote.

A reply usually carries the whole thread below it ("On … wrote:" and ``>`` lines, or Outlook's
"-----Original Message-----"). The evidence is the new text; the history is kept (it is part of
what was received) as a block quote after it, which the site shows folded.
"""

from __future__ import annotations

import re

from logbook.site.messages import QUOTED_HISTORY as QUOTE_MARK

ATTRIBUTION = re.compile(
    r"^\s*(On\b.{0,300}\bwrote:|Am\b.{0,300}\bschrieb\b.{0,300}:|Le\b.{0,300}\ba écrit\s?:|El\b.{0,300}\bescribió:"
    r"|-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Forwarded message\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)


def fold_quoted(body: str) -> str:
    """*body* with its trailing quoted history as a block quote after the new text; else unchanged.

    Only history that runs to the end of the message is moved: inline replies (answers between
    quoted lines) stay as written, since there the new text is spread through the quote.
    """
    lines = body.split("\n")
    start = _history_start(lines)
    if start is None or start == 0:
        return body
    new = "\n".join(lines[:start]).rstrip()
    history = lines[start:]
    quoted = [line if line.startswith(">") else ("> " + line if line.strip() else ">") for line in history]
    if not history[0].startswith(">") and len(quoted) > 1 and quoted[1] != ">":
        quoted.insert(1, ">")  # the attribution ("On … wrote:") a paragraph of its own
    while quoted and quoted[-1] == ">":
        quoted.pop()
    return f"{new}\n\n{QUOTE_MARK}\n\n" + "\n".join(quoted) if quoted else new


def _history_start(lines: list[str]) -> int | None:
    for number, line in enumerate(lines):
        joined = line if number + 1 >= len(lines) else f"{line} {lines[number + 1]}"
        if ATTRIBUTION.match(line):
            return number
        if line.strip() and ATTRIBUTION.match(joined) and not lines[number + 1].startswith(">"):
            return number  # "On Tue, … Ann <ann@x>\nwrote:" split over two lines
        if line.startswith(">") and all(not rest.strip() or rest.startswith(">") for rest in lines[number:]):
            return number
    return None
