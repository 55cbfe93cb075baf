"""Message bodies: pasted HTML never runs, only safe links survive, nothing remote is loaded."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from logbook.site import messages
from logbook.site.messages import render_message


def render(text: str) -> str:
    exhibits = {"cases/C/shot.png": "exhibits/1-shot.png", "cases/C/label.pdf": "exhibits/2-label.pdf"}
    return render_message(text, "cases/C", exhibits.get)


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_raw_html_is_escaped(payload):
    html = render(payload)
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<svg" not in html
    assert "<iframe" not in html and "&lt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "jav&#x61;script:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:image/png;base64,AAAA",
        "//evil.example/x",
        "file:///etc/passwd",
    ],
)
def test_dangerous_links_become_text(url):
    html = render(f"[click]({url})")
    assert "href" not in html and "click" in html


def test_external_links_are_kept_without_referrer():
    assert (
        render("[shop](https://shop.example/o?id=1)")
        == '<p><a href="https://shop.example/o?id=1" rel="nofollow noopener noreferrer">shop</a></p>\n'
    )
    assert 'href="mailto:bob@example.com"' in render("<bob@example.com>")


def test_remote_images_are_not_loaded():
    html = render("![pixel](https://tracker.example/p.gif) ![](http://x.example/a.png)")
    assert "<img" not in html and "image not shown: pixel — https://tracker.example/p.gif" in html


def test_attachment_links_point_at_exhibits():
    html = render("See ![shot](shot.png) and [the label](./label.pdf#page=1).")
    assert '<img src="exhibits/1-shot.png" alt="shot" />' in html
    assert '<a href="exhibits/2-label.pdf">the label</a>' in html


def test_other_relative_links_are_neutralised():
    html = render("[notes](../../private/notes.md) [x](other.md)")
    assert "href" not in html and html.count('class="unresolved-link"') == 2


def test_message_headings_sit_below_the_page_headings():
    assert render("# Big\n## Less").startswith("<h4>Big</h4>\n<h5>Less</h5>")


def _every_rule() -> MarkdownIt:
    """The renderer with no rule left out (the html ones too, which do nothing without the option), and
    markdown-it-py's own inline parsing for every paragraph (messages._inline_plain_first)."""
    md = messages.make_renderer(plain_first=False)
    md.enable(["html_block", "html_inline"])
    return md


PREFIXES = st.sampled_from(
    [
        "",
        "",
        "",
        "> ",
        ">",
        "- ",
        "* ",
        "+ ",
        "1. ",
        "2) ",
        "  ",
        "   ",
        "    ",
        "\t",
        "> - ",
        "- > ",
        "# ",
        "### ",
        "  > ",
    ]
)
PIECES = st.sampled_from(
    [
        "word",
        "two words",
        "***",
        "* * *",
        "---",
        "- - -",
        "___",
        "_ _ _",
        "===",
        "=",
        "-",
        "```",
        "~~~",
        "```py",
        "| a | b |",
        "|---|---|",
        "a|b",
        "[x]: /u",
        "[y]:/v",
        "[x\nz]: /w",
        "[x]",
        "[x](y)",
        "![i](p.png)",
        "<http://a.example>",
        "<b>",
        "&amp;",
        "&#35;",
        "-|-",
        "&",
        "`c`",
        "``",
        "~~s~~",
        "~",
        "*e*",
        "_e_",
        "**s**",
        "\\*",
        "\\",
        "#",
        "##",
        "1.",
        "  ",
        "\t",
        " ",
        "\r",
        "]:",
    ]
)
LINE_ENDS = st.sampled_from(["\n", "\n", "\n\n", "\r\n", "\r"])


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(PREFIXES, st.lists(PIECES, max_size=4), LINE_ENDS), min_size=1, max_size=8))
def test_leaving_out_rules_that_cannot_match_changes_nothing(lines):
    text = "".join(prefix + " ".join(pieces) + end for prefix, pieces, end in lines)
    assert render_message(text, "cases/C") == _every_rule().render(text, {"base_dir": "cases/C"})


@pytest.mark.parametrize(
    "text",
    [
        "a|b\n-|-\n",
        "> a|b\n> -|-\n",
        "- x\n\n  ```\n  code\n  ```\n",
        "Title\n  ===  \n",
        "> Title\n> ---\n",
        "-\t-\t-\n",
        "Title\n---",
        "Title\n=== \t",
        "1.  a\n\n        code\n",
        "[a\nb]: /u\n\n[a b]\n",
        "&copy; &#x26; \\# ~~x~~ <a@b.example>\n",
    ],
)
def test_leaving_out_rules_changes_nothing_in_these_corners(text):
    assert render_message(text, "cases/C") == _every_rule().render(text, {"base_dir": "cases/C"})


def test_rules_are_left_out_of_plain_messages():
    assert set(messages.rules_that_cannot_match("Dear team,\n\nthe blender is broken.\n")) >= {
        "table",
        "fence",
        "blockquote",
        "hr",
        "heading",
        "lheading",
        "link",
        "emphasis",
    }
    assert "blockquote" not in messages.rules_that_cannot_match("> quoted\n")
    assert "lheading" not in messages.rules_that_cannot_match("Title\r\n---\r\n")


@given(st.text(alphabet=st.sampled_from("a \x00[]()!*<>&\n`"), max_size=60))
@settings(max_examples=200, deadline=None)
def test_no_nul_reaches_the_html(text):
    """render.case_markdown keeps a case's messages in one memo entry, NUL between them."""
    assert "\x00" not in render_message(text, "cases/x", lambda path: "exhibit-1.png")
