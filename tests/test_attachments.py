"""Attachment paths: must name a readable regular file inside the case folder (bundles) or the logbook."""

import os

import pytest

from logbook.load.stage import load_logbook

CASE = "---\ntitle: T\nstatus: open\n---\n"


def bundle_with(logbook_dir, attachment: str, extra: dict | None = None):
    files = {
        "cases/C-1/case.md": CASE,
        "cases/C-1/mail.md": f"---\nat: 2026-01-16 10:00\nchannel: email\ndirection: in\nattachments: ['{attachment}']\n---\n",
        "cases/C-1/ok.txt": "fine\n",
        "secret.txt": "outside the case\n",
    }
    files.update(extra or {})
    return logbook_dir(files)


def codes(root):
    return [(d.code, d.location.path, d.location.line) for d in load_logbook(root).diagnostics if d.is_error]


@pytest.mark.parametrize(
    "path, code",
    [
        ("../../secret.txt", "attachment-outside"),
        ("../C-2/x.txt", "attachment-outside"),
        ("/etc/passwd", "attachment-outside"),
        ("C:/Windows/win.ini", "attachment-outside"),
        ("sub\\\\ok.txt", "attachment-outside"),
        ("nothere.pdf", "missing-attachment"),
    ],
)
def test_escapes_and_missing_files_are_refused(logbook_dir, path, code):
    root = bundle_with(logbook_dir, path)
    assert codes(root) == [(code, "cases/C-1/mail.md", 5)]


def test_symlink_leaving_the_case_is_refused(logbook_dir, tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("secret")
    root = bundle_with(logbook_dir, "link.txt")
    os.symlink(outside, root / "cases/C-1/link.txt")
    assert codes(root) == [("attachment-outside", "cases/C-1/mail.md", 5)]


def test_directory_and_fifo_are_not_files(logbook_dir):
    root = bundle_with(logbook_dir, "sub", {"cases/C-1/sub/f.txt": "x"})
    assert codes(root) == [("attachment-not-file", "cases/C-1/mail.md", 5)]
    root2 = bundle_with(logbook_dir, "pipe.pdf")
    os.mkfifo(root2 / "cases/C-1/pipe.pdf")
    assert codes(root2) == [("attachment-not-file", "cases/C-1/mail.md", 5)]


def test_valid_attachment_and_unreferenced_file_warning(logbook_dir):
    root = bundle_with(logbook_dir, "ok.txt", {"cases/C-1/stray.png": b"\x89PNG"})
    result = load_logbook(root)
    assert [(d.code, d.location.path) for d in result.diagnostics] == [("unreferenced-file", "cases/C-1/stray.png")]
    assert result.logbook.cases[0].interactions[0].attachments[0].path == "cases/C-1/ok.txt"


def test_single_file_attachments_may_live_anywhere_in_the_logbook(logbook_dir):
    root = logbook_dir(
        {
            "files/label.pdf": "%PDF-1.4",
            "cases/one.md": CASE
            + "\n## 2026-01-16 10:00\nchannel: email\ndirection: in\nattachments: [../files/label.pdf]\n",
            "cases/two.md": CASE
            + "\n## 2026-01-16 10:00\nchannel: email\ndirection: in\nattachments: [../../outside.pdf]\n",
        }
    )
    assert codes(root) == [("attachment-outside", "cases/two.md", 9)]
