"""Files the user names on the command line: export never destroys one, arguments never end in a
traceback, and a full or read-only disk is one line with the old site whole (real tmpfs mounts)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.books import SAMPLE, run_cli, site_tree, write_tree

AS_OF = "2026-11-22"
CASE = "GT-1042"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("_site", "._site.lock"))
    return root


def export(book: Path, capsys, *args: str) -> tuple[int, str]:
    code, _, err = run_cli(["export", CASE, "--as-of", AS_OF, "-C", str(book), *args], capsys)
    return code, err


def snapshot(paths: list[Path]) -> list[tuple[int, bytes | None]]:
    """Each path's kind and, for a regular file, its bytes."""
    taken = []
    for path in paths:
        st = os.lstat(path)
        taken.append((stat.S_IFMT(st.st_mode), path.read_bytes() if stat.S_ISREG(st.st_mode) else None))
    return taken


def logbook_files(book: Path) -> list[Path]:
    return [book / "logbook.toml", book / "cases/GT-1042/case.md", book / "cases/skyways-lost-bag.md"]


@pytest.mark.parametrize("flag", ["--zip", "--pdf"])
def test_export_never_replaces_a_file_without_force(book, tmp_path, capsys, flag):
    """export --zip used to overwrite anything: another case's source, its own, logbook.toml."""
    mine = tmp_path / "report.zip"
    mine.write_text("my own report")
    targets = [*logbook_files(book), mine]
    before = snapshot(targets)
    for target in targets:
        code, err = export(book, capsys, flag, str(target))
        assert code == 1 and len(err.strip().splitlines()) == 1, (target, err)
    assert snapshot(targets) == before
    assert "already exists; add --force" in export(book, capsys, flag, str(mine))[1]
    assert not [p for p in tmp_path.rglob("*") if "logbook-tmp" in p.name]


def test_force_never_writes_over_the_logbook_or_what_is_not_a_regular_file(book, tmp_path, capsys):
    """With --force too: never a logbook source, logbook.toml, anything in cases/ (even a new name
    there), a device node (as root /dev/full became a regular file), a FIFO, a link, a folder."""
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("linked")
    fifo, link, device = tmp_path / "fifo.zip", tmp_path / "link.zip", tmp_path / "full.zip"
    os.mkfifo(fifo)
    os.symlink(elsewhere, link)
    os.symlink(book / "cases/GT-1042/case.md", tmp_path / "into-cases.zip")
    specials = [fifo, link, tmp_path / "into-cases.zip"]
    if os.geteuid() == 0:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # a copy of /dev/full's node
        specials.append(device)
    targets = [*logbook_files(book), *specials]
    before = snapshot(targets)
    (book / "themes").mkdir()
    for target in [*targets, book / "cases/GT-1042/packet.zip", book / "themes/x.zip"]:
        code, err = export(book, capsys, "--zip", str(target), "--force")
        assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, (target, err)
    assert snapshot(targets) == before and not (book / "cases/GT-1042/packet.zip").exists()
    assert elsewhere.read_text() == "linked"


def test_force_replaces_a_regular_file_of_the_users_atomically(book, tmp_path, capsys):
    old = tmp_path / "packet.zip"
    old.write_text("last week's packet")
    hard = tmp_path / "hard-link.zip"
    os.link(old, hard)  # replaced by a rename: the other name keeps the old content
    assert export(book, capsys, "--zip", str(old), "--force")[0] == 0
    assert zipfile.ZipFile(old).testzip() is None and hard.read_text() == "last week's packet"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book", "hard-link.zip", "packet.zip"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--zip", "/missing/dir/x.zip"], "no folder /missing/dir"),
        (["--zip", "cases"], "is a folder"),
        (["--zip", ""], "empty file name"),
        (["--zip", " "], "empty file name"),
        (["--zip", "out/"], "names a folder"),
        (["--pdf", "."], "empty file name"),
        (["--zip", "p.zip", "--pdf", "./p.zip"], "the same file"),
    ],
)
def test_bad_export_targets_are_one_line_usage_errors(book, capsys, monkeypatch, args, message):
    monkeypatch.chdir(book)
    try:
        code, err = export(book, capsys, *args)
    except SystemExit as exc:  # argparse's own usage errors
        code, err = exc.code, capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not (book / "p.zip").exists()


@pytest.mark.parametrize("out", ["/etc/passwd", "FILE", "cases", "SOMEONES"])
def test_schema_out_is_a_folder_and_writes_only_its_own_files(book, tmp_path, capsys, out):
    """schema --out /etc/passwd was a FileExistsError traceback; a file of the user's named like a
    schema, or a folder inside cases/, is not written either."""
    decoy = tmp_path / "file"
    decoy.write_text("root:x:0:0")
    someones = tmp_path / "someones"
    someones.mkdir()
    (someones / "case.schema.json").write_text("my notes")
    folder = {"FILE": str(decoy), "cases": str(book / "cases"), "SOMEONES": str(someones)}.get(out, out)
    code, _, err = run_cli(["schema", "--out", folder, "-C", str(book)], capsys)
    assert code in (1, 2) and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert decoy.read_text() == "root:x:0:0" and (someones / "case.schema.json").read_text() == "my notes"
    assert not (book / "cases/case.schema.json").exists()


def test_schema_out_regenerates_its_own_files(book, tmp_path, capsys):
    folder = tmp_path / "schemas" / "new"
    assert run_cli(["schema", "--out", str(folder), "-C", str(book)], capsys)[0] == 0
    first = site_tree(folder)
    assert sorted(first) == ["case.schema.json", "interaction.schema.json"]
    assert run_cli(["schema", "--out", str(folder), "-C", str(book)], capsys)[0] == 0
    assert site_tree(folder) == first


@pytest.mark.parametrize("out", ["", "/", "FILE", "cases/site", "."])
def test_build_out_refused_in_one_line(book, tmp_path, capsys, monkeypatch, out):
    monkeypatch.chdir(book)
    (tmp_path / "file").write_text("mine")
    try:
        code, _, err = run_cli(["build", str(book), "--out", str(tmp_path / "file") if out == "FILE" else out], capsys)
    except SystemExit as exc:
        code, err = exc.code, capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert (tmp_path / "file").read_text() == "mine"


# --- a real full disk and a real read-only file system -------------------------------------------


class Disk:
    """A small tmpfs mounted for one test: filled for ENOSPC, remounted read-only for EROFS."""

    def __init__(self, mount: Path) -> None:
        self.mount = mount

    def fill(self) -> None:
        fd = os.open(self.mount / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.mount)], check=True)


@pytest.fixture
def disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
        ).returncode
    ):
        pytest.skip("mounting a tmpfs needs root")
    yield Disk(mount)
    subprocess.run(["umount", "-l", str(mount)], check=False)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "logbook", *args], capture_output=True, text=True, timeout=120)


def _one_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and all(w in proc.stderr for w in words), proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error" in line]
    assert len(errors) == 1, proc.stderr


@pytest.mark.parametrize("failure", ["full", "read-only"])
def test_build_on_a_full_or_read_only_disk_keeps_the_old_site(book, disk, failure):
    out = disk.mount / "site"
    assert cli("build", str(book), "--out", str(out), "--as-of", AS_OF).returncode == 0
    before = site_tree(out)
    case = book / "cases/GT-1042/case.md"
    case.write_text(case.read_text().replace("title: ", "title: Changed ", 1))
    disk.fill() if failure == "full" else disk.read_only()
    proc = cli("build", str(book), "--out", str(out), "--as-of", AS_OF, "--no-cache")
    _one_line(
        proc, "No space left on device" if failure == "full" else "Read-only file system", "previous site is untouched"
    )
    assert site_tree(out) == before
    assert not [p for p in disk.mount.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


@pytest.mark.pdf
@pytest.mark.parametrize("failure", ["full", "read-only"])
def test_export_on_a_full_or_read_only_disk_leaves_no_half_file(book, disk, failure):
    old = disk.mount / "old.zip"
    old.write_bytes(b"PK last week")
    disk.fill() if failure == "full" else disk.read_only()
    for target, extra in ((disk.mount / "new.zip", ()), (old, ("--force",)), (disk.mount / "new.pdf", ())):
        proc = cli(
            "export",
            CASE,
            "--zip" if target.suffix == ".zip" else "--pdf",
            str(target),
            "--as-of",
            AS_OF,
            "-C",
            str(book),
            *extra,
        )
        _one_line(proc, str(target))
    assert sorted(p.name for p in disk.mount.iterdir()) == (["filler", "old.zip"] if failure == "full" else ["old.zip"])
    assert old.read_bytes() == b"PK last week"


@pytest.mark.serve
def test_serve_on_a_full_disk_keeps_serving_the_whole_last_site(book, disk):
    """serve replaces only changed files; on a full disk none is replaced (each is written beside
    its target before any is renamed), so the site on disk stays the last good one, whole."""
    from support.serving import ServeProcess

    out = disk.mount / "site"
    process = ServeProcess(book, "--out", str(out), "--as-of", AS_OF)
    try:
        before = site_tree(out)
        disk.fill()
        case = book / "cases/GT-1042/case.md"
        case.write_text(case.read_text().replace("title: ", "title: Changed ", 1))
        state = process.wait_for_builds(2)
        assert state["ok"] is False and any("No space left on device" in d for d in state["diagnostics"]), state
        process.wait_for_line("still serving the last good site")
        assert site_tree(out) == before
        assert process.get("/cases/GT-1042/index.html")[1].count(b"Changed ") == 0
        (disk.mount / "filler").unlink()
        case.write_text(case.read_text() + "\n")
        assert process.wait_for_builds(3)["ok"] is True
        assert b"Changed " in process.get("/cases/GT-1042/index.html")[1]
    finally:
        process.stop()
    assert not any("Traceback" in line for line in process.lines)


def test_a_logbook_made_elsewhere_exports_into_the_current_folder(tmp_path, capsys, monkeypatch):
    """The default target folder is the current one: a packet written there is allowed."""
    book = write_tree(tmp_path / "b", {"cases/a.md": "---\ntitle: A\nstatus: open\n---\n"})
    monkeypatch.chdir(book)
    code, _, err = run_cli(["export", "a", "--zip", "a.zip", "--as-of", AS_OF], capsys)
    assert code == 0 and zipfile.ZipFile(book / "a.zip").testzip() is None, err
