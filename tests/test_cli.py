"""The command line: output formats, exit codes, and no traceback for any bad input."""

import json
import os
import shutil

import pytest

from support.books import SAMPLE, run_cli, run_module

CASE = "---\ntitle: T\nstatus: open\n---\n"


def test_check_clean_sample_exits_0(capsys):
    code, out, err = run_cli(["check", str(SAMPLE)], capsys)
    assert code == 0 and out == "" and "0 errors, 0 warnings" in err


def test_check_reports_every_problem_compiler_style(logbook_dir, capsys, monkeypatch):
    root = logbook_dir(
        {
            "cases/a.md": "---\ntitle: A\nstatus: opne\n---\n",
            "cases/b.md": "---\ntitle: B\n---\n",
            "cases/c.md": CASE + "\n## 2026-01-01 10:00\nchannel: email\ndirection: in\ncolor: red\n",
        }
    )
    monkeypatch.chdir(root)
    code, out, err = run_cli(["check"], capsys)
    assert code == 1
    assert out.splitlines() == [
        "cases/a.md:3:9: error[unknown-status]: status 'opne' is not one of the configured statuses (did you mean 'open'?)",
        "cases/b.md:2:1: error[missing-field]: case has no 'status' (Current status, one of the configured statuses.)",
        "cases/c.md:9:1: warning[unknown-field]: unknown interaction field 'color' (known fields: at, title, channel, "
        "direction, from, to, cc, agent, party, ref, subject, status, promises, fulfils, attachments, evidence, next, "
        "key, expects_reply, private, tone, message_id)",
    ]
    assert "2 errors, 1 warning" in err


def test_warnings_fail_only_with_strict(logbook_dir, capsys):
    root = logbook_dir({"cases/a.md": "---\ntitle: A\nstatus: open\ncolour: red\n---\n"})
    assert run_cli(["check", str(root)], capsys)[0] == 0
    assert run_cli(["check", str(root), "--strict"], capsys)[0] == 1
    assert run_cli(["build", str(root), "--strict", "--as-of", "2026-01-01"], capsys)[0] == 1
    assert not (root / "_site").exists()


def test_json_format(logbook_dir, capsys, monkeypatch):
    root = logbook_dir({"cases/a.md": "---\ntitle: A\nstatus: opne\n---\n"})
    monkeypatch.chdir(root)
    code, out, _ = run_cli(["check", "--format", "json"], capsys)
    assert code == 1
    data = json.loads(out)
    assert data == [
        {
            "file": "cases/a.md",
            "line": 3,
            "column": 9,
            "severity": "error",
            "code": "unknown-status",
            "message": "status 'opne' is not one of the configured statuses",
            "hint": "did you mean 'open'?",
        }
    ]


def test_github_format(logbook_dir, capsys, monkeypatch):
    root = logbook_dir({"cases/a.md": "---\ntitle: A\nstatus: opne\n---\n"})
    monkeypatch.chdir(root)
    _, out, _ = run_cli(["check", "--format", "github"], capsys)
    assert out.strip() == (
        "::error file=cases/a.md,line=3,col=9,title=unknown-status::status 'opne' is not one of "
        "the configured statuses (did you mean 'open'?)"
    )


def test_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        run_cli(["nonsense"], capsys)
    assert exc.value.code == 2
    assert run_cli(["check", str(tmp_path / "missing")], capsys)[0] == 2
    assert run_cli(["build", str(tmp_path), "--as-of", "soon"], capsys)[0] == 2


def test_no_cases_folder(tmp_path, capsys):
    code, out, _ = run_cli(["check", str(tmp_path)], capsys)
    assert code == 1 and "error[no-cases]" in out


def test_config_syntax_error(logbook_dir, capsys):
    root = logbook_dir({"logbook.toml": "[site]\ntitle = 'x\n", "cases/a.md": CASE})
    _, out, _ = run_cli(["check", str(root)], capsys)
    assert out.endswith('logbook.toml:2:1: error[config-syntax]: invalid TOML: Expected "\'"\n')


def test_unreadable_and_huge_files(logbook_dir, capsys, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(CASE)
    root = logbook_dir({"cases/big.md": CASE + "x" * (9 * 1024 * 1024)})
    os.symlink(outside, root / "cases/link.md")
    _, out, _ = run_cli(["check", str(root)], capsys)
    assert "cases/big.md:1:1: error[file-too-large]" in out
    assert "cases/link.md:1:1: error[read-error]: file is a link to somewhere outside the logbook" in out
    # a build with the cache parses the bytes it read to hash them: the same two errors
    code, built, err = run_cli(["build", str(root)], capsys)
    assert code == 1 and [line for line in (built + err).splitlines() if "error[" in line] == [
        line for line in out.splitlines() if "error[" in line
    ]


def test_links_are_followed_only_inside_the_logbook(logbook_dir, capsys, tmp_path):
    root = logbook_dir({"cases/real.md": CASE, "notes/inside.md": CASE})
    os.symlink(root / "notes/inside.md", root / "cases/inside.md")  # a link within the logbook: read
    os.rename(root / "cases", root / "kept")
    os.symlink(root / "kept", root / "cases")  # the cases folder itself a link, to inside: read
    _, _, err = run_cli(["check", str(root)], capsys)
    assert "checked 2 cases in 2 files: 0 errors" in err
    elsewhere = tmp_path / "elsewhere"
    os.rename(root / "kept", elsewhere)
    (root / "cases").unlink()
    os.symlink(elsewhere, root / "cases")  # the cases folder a link to outside: its own files refused,
    _, out, _ = run_cli(["check", str(root)], capsys)  # a link in it back into the logbook still read
    assert "cases/real.md:1:1: error[read-error]: file is a link to somewhere outside the logbook" in out
    assert out.count("error[read-error]") == 1


HOSTILE = {
    "bom-crlf.md": "\ufeff---\r\ntitle: BOM and CRLF\r\nstatus: open\r\n---\r\n\r\n## 2026-01-01 10:00\r\nchannel: email\r\ndirection: in\r\n",
    "cr-only.md": "---\rtitle: Old Mac endings\rstatus: open\r---\r",
    "frontmatter-list.md": "---\n- a\n---\n",
    "frontmatter-scalar.md": "---\njust text\n---\n",
    "dots-end.md": "---\ntitle: x\nstatus: open\n...\n",
    "latin1.md": b"---\ntitle: Caf\xe9\nstatus: open\n---\n",
    "nul.md": b"\x00\x01\x02",
    "only-dashes.md": "---\n---\n",
    "sexagesimal.md": CASE + "\n## 2026-01-01\nchannel: email\ndirection: in\nref: 14:03\n",
    "weird-keys.md": "---\n? [a, b]\n: c\n---\n",
    "deep.md": "---\ntitle: " + "[" * 40000 + "\n---\n",
}


def test_hostile_files_never_give_a_traceback(logbook_dir, tmp_path):
    root = logbook_dir({f"cases/{k}": (v if isinstance(v, bytes) else v.encode()) for k, v in HOSTILE.items()})
    proc = run_module(["check", str(root), "--format", "json"])
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    files = {d["file"].split("cases/")[-1] for d in json.loads(proc.stdout)}
    assert "bom-crlf.md" not in files and "cr-only.md" not in files and "sexagesimal.md" not in files
    assert files == set(HOSTILE) - {"bom-crlf.md", "cr-only.md", "sexagesimal.md"}


def test_python_dash_m_and_help():
    proc = run_module(["--help"])
    assert proc.returncode == 0 and "check" in proc.stdout and "build" in proc.stdout
    assert run_module(["--version"]).stdout.startswith("logbook ")


def test_build_from_another_folder_with_relative_paths(tmp_path, capsys, monkeypatch):
    shutil.copytree(SAMPLE / "cases" / "NB-2207", tmp_path / "book" / "cases" / "NB-2207")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["build", "book", "--out", "public", "--as-of", "2026-02-01"], capsys)
    assert code == 0, err
    assert (tmp_path / "public/cases/NB-2207/index.html").is_file() and "open file://" in err
