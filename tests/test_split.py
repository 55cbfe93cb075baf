"""Cutting files into front matter, description and sections, keeping the file's line numbers."""

from logbook.core.split import Block, split_front_matter, split_sections


def test_front_matter_lines_are_the_files():
    split = split_front_matter("---\n\ntitle: x\n---\n\nBody\n")
    assert split.front_matter == Block("\ntitle: x", 2)
    assert split.body.line == 5 and split.body.text == "\nBody\n"


def test_unclosed_and_absent_front_matter():
    assert split_front_matter("---\ntitle: x\n").unclosed
    no_fm = split_front_matter("Just text\n---\n")
    assert no_fm.front_matter is None and not no_fm.unclosed


def test_sections_fields_and_bodies():
    body = Block(
        "Intro line.\n\n## 2026-01-16 14:03 Chat\nchannel: chat\ndirection: in\n\nHello\n\n### inner heading\nmore\n"
        "\n## 2026-01-17\n\nNo fields\n",
        10,
    )
    description, sections = split_sections(body)
    assert description == Block("Intro line.", 10)
    assert [s.heading for s in sections] == ["2026-01-16 14:03 Chat", "2026-01-17"]
    first, second = sections
    assert (first.heading_line, first.heading_column) == (12, 4)
    assert first.fields == Block("channel: chat\ndirection: in", 13)
    assert first.body == Block("Hello\n\n### inner heading\nmore", 16)
    assert second.fields.text == "" and second.body == Block("No fields", 23)


def test_headings_inside_fenced_code_do_not_split():
    body = Block("## 2026-01-16\nchannel: email\n\n```\n## 2026-01-17 not a section\n```\n~~~~\n## nor this\n~~~~\n", 1)
    _, sections = split_sections(body)
    assert len(sections) == 1
    assert "## 2026-01-17 not a section" in sections[0].body.text
