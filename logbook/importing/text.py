"""Message text as logbook stores it: UTF-8 without control characters, HTML turned into Markdown."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\ud800-\udfff]")
_BREAKS_AND_CONTROLS = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\s*")


def clean_text(text: str) -> str:
    """LF line ends; no control characters or lone surrogates (the parser's stand-ins for undecodable bytes)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")  # line breaks the reader would see too
    return _CONTROL.sub(lambda m: "" if m[0] < "\ud800" else "\ufffd", text)


def one_line_text(text: str) -> str:
    """A header or a chat name as a one-line field: every line break (CR, LF, NEL, U+2028…) or
    control character, with the spaces around it, one space; the writer refuses a field holding
    either, and one odd header must not refuse a whole mailbox."""
    text = re.sub(r"[\ud800-\udfff]", "\ufffd", text).replace("\ufeff", "")
    return _BREAKS_AND_CONTROLS.sub(" ", text).strip()


def html_to_markdown(html: str) -> str:
    """An HTML-only email as Markdown (markdownify: see ARCHITECTURE.md).

    Scripts, styles and the document head are dropped; images are dropped too (a remote image
    in an email is a tracking pixel, and logbook would not load it anyway). What remains is
    rendered later by the same Markdown pipeline as every message, with raw HTML escaped.
    """
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title", "meta", "img"]):
        tag.decompose()
    try:
        markdown = MarkdownConverter(heading_style="ATX", bullets="-", escape_misc=False).convert_soup(soup)
    except RecursionError:  # markdownify recurses per element: thousands of nested tags give the text alone
        markdown = soup.get_text("\n")
    return re.sub(r"\n{3,}", "\n\n", markdown).strip()
