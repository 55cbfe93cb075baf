"""Cutting a source text into front matter, description and ``## `` sections, keeping line numbers.

We cut the text ourselves rather than through python-frontmatter's loader: it
strips leading blank lines (shifting every line number), and silently returns an
empty mapping for an unclosed block or a BOM.  Here an unclosed block is a
diagnostic, and every piece remembers the file line it starts on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logbook.core.records import quick_pickle

FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")
HEADING_RE = re.compile(r" {0,3}##(?=[ \t]|$)(?:[ \t]+(?P<text>.*?))?[ \t]*$")


@quick_pickle
@dataclass(frozen=True, slots=True)
class Block:
    """Some lines of the file; ``line`` is the file line of the first one."""

    text: str
    line: int


@quick_pickle
@dataclass(frozen=True, slots=True)
class FrontMatterSplit:
    front_matter: Block | None  # None: the file has no front matter
    body: Block
    unclosed: bool = False


@quick_pickle
@dataclass(frozen=True, slots=True)
class Section:
    heading: str  # the heading's text after '## '
    heading_line: int
    heading_column: int  # column where the heading text starts
    fields: Block  # `key: value` lines up to the first blank line
    body: Block


def split_front_matter(text: str) -> FrontMatterSplit:
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return FrontMatterSplit(None, Block(text, 1))
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return FrontMatterSplit(
                Block("\n".join(lines[1:index]), 2), Block("\n".join(lines[index + 1 :]), index + 2)
            )
    return FrontMatterSplit(None, Block(text, 1), unclosed=True)


def trim_block(block: Block) -> Block:
    """Drop leading and trailing blank lines, moving the start line accordingly."""
    lines = block.text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    return Block("\n".join(lines[start:end]), block.line + start)


def split_sections(body: Block) -> tuple[Block, list[Section]]:
    """The description before the first ``## `` heading, then one Section per heading.

    Headings inside fenced code blocks do not count, so a pasted Markdown
    snippet cannot split an interaction in two.
    """
    lines = body.text.split("\n")
    heading_indexes: list[int] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        fence_match = FENCE_RE.match(line)
        if fence is None and fence_match:
            fence = fence_match[1]
        elif fence is not None:
            if (
                fence_match
                and fence_match[1][0] == fence[0]
                and len(fence_match[1]) >= len(fence)
                and not line.strip().lstrip(fence[0])
            ):
                fence = None
        elif HEADING_RE.match(line):
            heading_indexes.append(index)
    first = heading_indexes[0] if heading_indexes else len(lines)
    description = trim_block(Block("\n".join(lines[:first]), body.line))
    sections = []
    for n, start in enumerate(heading_indexes):
        end = heading_indexes[n + 1] if n + 1 < len(heading_indexes) else len(lines)
        match = HEADING_RE.match(lines[start])
        assert match is not None
        text = match["text"] or ""
        column = (match.start("text") + 1) if match["text"] else len(lines[start]) + 1
        field_end = start + 1
        while field_end < end and lines[field_end].strip():
            field_end += 1
        fields = Block("\n".join(lines[start + 1 : field_end]), body.line + start + 1)
        message = trim_block(Block("\n".join(lines[field_end:end]), body.line + field_end))
        sections.append(Section(text, body.line + start, column, fields, message))
    return description, sections
