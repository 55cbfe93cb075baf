"""Rendering message bodies (Markdown) to HTML that cannot attack or track a reader.

* raw HTML is escaped (``html: False``): a pasted email's ``<script>`` is text;
* links: only http(s) and mailto leave the site; ``javascript:``, ``data:`` and
  protocol-relative links become plain text;
* images: only the case's own exhibits are shown; a remote image (a tracking
  pixel in a pasted email) is replaced by a note, so opening a case never
  contacts a third party;
* relative links and images that name an attachment point at its exhibit copy;
* headings inside a message are moved below the page's own heading levels;
* a paragraph ``Quoted history:`` followed by a block quote (how ``logbook import`` keeps a
  reply's quoted thread behind its new text) is shown folded, in ``<details>``.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
HEADING_SHIFT = 3

ExhibitLookup = Callable[[str], "str | None"]  # logbook-relative path -> href, or None


def _link_allowed(url: str) -> bool:
    url = url.strip()
    if url.startswith("//") or url.startswith("\\"):
        return False
    scheme = SCHEME_RE.match(url)
    return scheme is None or scheme[1].lower() in EXTERNAL_SCHEMES


def _is_external(url: str) -> bool:
    scheme = SCHEME_RE.match(url)
    return scheme is not None


def _local_target(url: str, base_dir: str) -> str | None:
    """The logbook-relative path a relative URL names, or None when it leaves the logbook."""
    path = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return None
    joined = posixpath.normpath(posixpath.join(base_dir, path))
    return None if joined.startswith("..") or joined.startswith("/") else joined


def _rewrite(state: StateCore) -> None:
    lookup: ExhibitLookup | None = state.env.get("exhibit_href")
    base_dir: str = state.env.get("base_dir", "")
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        closing: list[bool] = []  # per open link: was it turned into a span?
        for child in token.children:
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if href.startswith("#"):
                    closing.append(False)
                elif _is_external(href):
                    child.attrs["rel"] = "nofollow noopener noreferrer"
                    closing.append(False)
                else:
                    target = _local_target(href, base_dir)
                    exhibit = lookup(target) if (lookup and target) else None
                    if exhibit:
                        child.attrs = {"href": exhibit}
                        closing.append(False)
                    else:
                        child.tag, child.attrs = "span", {"class": "unresolved-link", "title": href}
                        closing.append(True)
            elif child.type == "link_close" and closing:
                if closing.pop():
                    child.tag = "span"
            elif child.type == "image":
                src = str(child.attrs.get("src", ""))
                target = None if _is_external(src) else _local_target(src, base_dir)
                exhibit = lookup(target) if (lookup and target) else None
                if exhibit:
                    child.attrs["src"] = exhibit
                else:
                    note = Token("text", "", 0)
                    alt = child.content or "image"
                    note.content = f"[image not shown: {alt} — {src}]"
                    child = note
            children.append(child)
        token.children = children


QUOTED_HISTORY = "Quoted history:"


def _fold_quoted_history(state: StateCore) -> None:
    """Wrap the block quote after a top-level ``Quoted history:`` paragraph in a closed ``<details>``."""
    tokens = state.tokens
    for start in range(len(tokens) - 3):
        opening, inline, closing, quote = tokens[start : start + 4]
        if (
            opening.type == "paragraph_open"
            and opening.level == 0
            and inline.content.strip() == QUOTED_HISTORY
            and closing.type == "paragraph_close"
            and quote.type == "blockquote_open"
        ):
            end = next(
                k
                for k in range(start + 4, len(tokens))
                if tokens[k].type == "blockquote_close" and tokens[k].level == 0
            )
            summary, close = Token("html_block", "", 0), Token("html_block", "", 0)
            summary.content = '<details class="quoted-history"><summary>Quoted history</summary>\n'
            close.content = "</details>\n"
            state.tokens = [*tokens[:start], summary, *tokens[start + 3 : end + 1], close, *tokens[end + 1 :]]
            return


# The characters at which an inline rule of the message renderer can match: a line break (newline),
# "\\" (escape), "`" (backticks), "~" (strikethrough), "*" and "_" (emphasis), "[" (link), "!" (image),
# "<" (autolink, and html_inline, which is off) and "&" (entity).  The text rule only gathers the
# characters between them.
_INLINE_STARTS = frozenset("\n\\`~*_[!<&")


def _inline_plain_first(state: StateCore) -> None:
    """markdown-it-py's core "inline" rule, but a paragraph, heading or table cell with none of
    _INLINE_STARTS is given its one text token directly: parsing it would try each rule at each
    terminator character (``-``, ``:``, ``=``, …) and gather the same single token (about a tenth
    of a message's rendering at M).  Anything else is parsed as markdown-it-py parses it."""
    md, env = state.md, state.env
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        content = token.content
        if content and _INLINE_STARTS.isdisjoint(content):
            text = Token("text", "", 0)
            text.content = content
            token.children.append(text)
        else:
            md.inline.parse(content, md, env, token.children)


def make_renderer(absent: tuple[str, ...] = (), plain_first: bool = True) -> MarkdownIt:
    """The message renderer; *absent* names rules left out (see rules_that_cannot_match);
    *plain_first* False keeps markdown-it-py's own inline rule (tests compare the two)."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable(["html_block", "html_inline", *absent])  # they do nothing without the "html" option
    md.validateLink = _link_allowed  # type: ignore[method-assign]  # markdown-it-py's documented hook for link validation is this attribute
    if plain_first:
        md.core.ruler.at("inline", _inline_plain_first)
    md.core.ruler.push("logbook_rewrite", _rewrite)
    md.core.ruler.push("logbook_fold_quoted_history", _fold_quoted_history)
    return md


# Rules that cannot match a text without these characters: markdown-it-py tries every block rule at
# the start of every block and every "terminator" rule on each further line of a paragraph, and every
# inline rule at each punctuation mark, so leaving out the ones a message cannot use saves about
# 8 % of its rendering (at M) and gives the same HTML.  Each test is necessary for its rule to match
# anywhere in the text, whatever containers (quotes, list items) a line is in.
_BREAKS = tuple(re.compile(f"{re.escape(m)}[ \\t]*{re.escape(m)}[ \\t]*{re.escape(m)}") for m in "*-_")
_UNDERLINE_END = re.compile(r"[=-][ \t]*$", re.MULTILINE)  # how a setext heading's underline ends


def _may_break(text: str) -> bool:
    """Three of one marker with only spaces or tabs between (one search per marker: each begins with a
    literal, which the regex engine finds quickly)."""
    return any(marker in text and pattern.search(text) is not None for marker, pattern in zip("*-_", _BREAKS))


def _may_underline(text: str) -> bool:
    """A line ending in '=' or '-' and maybe spaces or tabs (the pattern only when a line ends in those)."""
    return (
        "-\n" in text
        or "=\n" in text
        or text.endswith(("-", "="))
        or ((" \n" in text or "\t\n" in text or text.endswith((" ", "\t"))) and _UNDERLINE_END.search(text) is not None)
    )


_RULE_TESTS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("table", lambda text: "|" in text),
    ("code", lambda text: "    " in text or "\t" in text),  # four columns of indent: spaces or a tab
    ("fence", lambda text: ("`" in text and "```" in text) or ("~" in text and "~~~" in text)),
    ("blockquote", lambda text: ">" in text),
    ("hr", _may_break),
    ("reference", lambda text: "]" in text and "]:" in text),
    ("heading", lambda text: "#" in text),
    ("lheading", _may_underline),
    ("escape", lambda text: "\\" in text),
    ("backticks", lambda text: "`" in text),
    ("strikethrough", lambda text: "~" in text),
    ("emphasis", lambda text: "*" in text or "_" in text),
    ("link", lambda text: "[" in text),
    ("image", lambda text: "!" in text and "![" in text),
    ("autolink", lambda text: "<" in text),
    ("entity", lambda text: "&" in text),
)
_LINE_BREAKS = re.compile(r"\r\n?")  # as markdown-it-py's normalize rule reads them


def rules_that_cannot_match(text: str) -> tuple[str, ...]:
    """The optional rules no part of *text* can trigger."""
    if "\r" in text:
        text = _LINE_BREAKS.sub("\n", text)
    return tuple(name for name, may_match in _RULE_TESTS if not may_match(text))


@functools.lru_cache(maxsize=64)
def _renderer(absent: tuple[str, ...]) -> MarkdownIt:
    return make_renderer(absent)


def render_message(text: str, base_dir: str, exhibit_href: ExhibitLookup | None = None) -> str:
    """HTML for a message body; relative links resolve from *base_dir* (logbook-relative)."""
    if not text.strip():
        return ""
    html: str = _renderer(rules_that_cannot_match(text)).render(
        text, {"exhibit_href": exhibit_href, "base_dir": base_dir}
    )
    return html
