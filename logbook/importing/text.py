"""Message text as logbook stores it: UTF-8 without control characters, HTML turned into Markdown."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """LF line ends; no control characters or lone surrogates (the parser's stand-ins for undecodable bytes)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(lambda m: "" if m[0] < "\ud800" else "\ufffd", text)


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
