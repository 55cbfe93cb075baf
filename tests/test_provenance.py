"""Provenance from git: first commit, recording lag, amendments, deletions, stable exhibit numbers."""

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import logbook.store.history
from logbook.build import build
from logbook.evidence.derive import derive_site
from logbook.load.stage import load_logbook
from support.books import write_tree
from support.gitrepo import commit_all, git, init

CASE = "---\ntitle: Blender\nstatus: open\ncounterparty: GadgetTown\n---\n"
AS_OF = datetime(2026, 8, 1, tzinfo=UTC)


def interaction(at: str, body: str, attachment: str | None = None) -> str:
    extra = f"attachments: [{attachment}]\n" if attachment else ""
    return f"---\nat: {at}\nchannel: email\ndirection: in\n{extra}---\n{body}\n"


SINGLE = (
    CASE.replace("Blender", "Single") + "\n## 2026-01-01 09:00Z Call\nchannel: phone\ndirection: out\n\nfirst call\n"
)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = init(tmp_path / "book")
    write_tree(
        root,
        {
            "cases/B-1/case.md": CASE,
            "cases/B-1/a.md": interaction("2026-01-01 10:00Z", "first", "x.png"),
            "cases/B-1/c.md": interaction("2026-01-05 10:00Z", "third", "z.png"),
            "cases/B-1/x.png": b"\x89PNG x",
            "cases/B-1/z.png": b"\x89PNG z",
            "cases/single.md": SINGLE,
        },
    )
    commit_all(root, "record", "2026-01-01T12:00:00+00:00")
    write_tree(
        root,
        {
            "cases/B-1/a.md": interaction("2026-01-01 10:00Z", "first, corrected"),
            "cases/B-1/b.md": interaction("2026-01-03 10:00Z", "recorded late", "y.png"),
            "cases/B-1/y.png": b"\x89PNG y",
            "cases/single.md": SINGLE
            + "\n## 2026-01-02 10:00Z Letter\nchannel: letter\ndirection: in\n\nlate letter\n",
        },
    )
    (root / "cases/B-1/a.md").write_text(interaction("2026-01-01 10:00Z", "first, corrected", "x.png"))
    commit_all(root, "late entries", "2026-06-01T10:00:00+00:00")
    return root


def view_of(root: Path, case_id: str):
    loaded = load_logbook(root)
    site = derive_site(loaded.logbook, AS_OF, loaded.history)
    return next(v for v in site.cases if v.case.id == case_id), loaded


def test_first_commit_lag_and_amendments(repo):
    view, loaded = view_of(repo, "B-1")
    assert loaded.diagnostics == () and loaded.history.clean
    a, b, c = view.entries
    assert a.provenance.first.date == datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert a.recording_lag == timedelta(hours=2)
    assert [x.date.month for x in a.provenance.amendments] == [6]
    assert b.recording_lag > timedelta(days=140) and not b.provenance.amendments
    assert c.provenance.amendments == ()


def test_single_file_sections_have_their_own_provenance(repo):
    view, _ = view_of(repo, "single")
    call, letter = view.entries
    assert call.provenance.first.date.month == 1 and call.provenance.amendments == ()
    assert letter.provenance.first.date.month == 6  # the file changed, but this section was new then
    assert letter.recording_lag.days == 150


def test_exhibit_numbers_follow_recording_order_and_survive_deletion(repo):
    view, _ = view_of(repo, "B-1")
    assert [(x.number, Path(x.attachment.path).name) for x in view.exhibits] == [
        (1, "x.png"),
        (2, "z.png"),
        (3, "y.png"),
    ]
    (repo / "cases/B-1/c.md").unlink()
    (repo / "cases/B-1/z.png").unlink()
    commit_all(repo, "remove", "2026-07-01T10:00:00+00:00")
    view, loaded = view_of(repo, "B-1")
    assert [(x.number, Path(x.attachment.path).name) for x in view.exhibits] == [(1, "x.png"), (3, "y.png")]
    assert view.withdrawn_exhibits == (2,)


def test_a_deleted_exhibit_is_withdrawn_only_in_its_own_case(repo):
    """The deleted exhibits are indexed once for the whole history; each case takes those under its own
    folder, and a sibling folder whose name begins with the same letters (B-10 beside B-1) is not its own."""
    write_tree(
        repo,
        {
            "cases/B-10/case.md": CASE.replace("Blender", "Toaster"),
            "cases/B-10/a.md": interaction("2026-01-02 10:00Z", "toast", "t.png"),
            "cases/B-10/t.png": b"\x89PNG t",
        },
    )
    commit_all(repo, "another case", "2026-06-15T10:00:00+00:00")
    (repo / "cases/B-10/a.md").write_text(interaction("2026-01-02 10:00Z", "toast"))
    (repo / "cases/B-10/t.png").unlink()
    commit_all(repo, "remove", "2026-07-01T10:00:00+00:00")
    loaded = load_logbook(repo)
    assert [path for path, _ in loaded.history.deleted_exhibits] == ["cases/B-10/t.png"]
    b1, _ = view_of(repo, "B-1")
    b10, _ = view_of(repo, "B-10")
    assert b1.withdrawn_exhibits == () and [x.number for x in b1.exhibits] == [1, 2, 3]
    assert b10.withdrawn_exhibits == (1,) and b10.exhibits == ()


def test_deleted_interactions_are_flagged(repo, tmp_path):
    (repo / "cases/B-1/c.md").unlink()
    (repo / "cases/single.md").write_text(
        SINGLE.split("\n## ")[0] + "\n## 2026-01-02 10:00Z Letter\nchannel: letter\ndirection: in\n\nlate letter\n"
    )
    commit_all(repo, "tidy up", "2026-07-01T10:00:00+00:00")
    loaded = load_logbook(repo)
    found = [(d.code, d.location.path, d.message) for d in loaded.diagnostics]
    assert (
        "deleted-interaction",
        "cases/B-1/case.md",
        f"interaction 'c.md' was recorded in commit {git(repo, 'rev-list', '--max-parents=0', 'HEAD')[:7]} "
        "(2026-01-01) and deleted in commit " + git(repo, "rev-parse", "--short=7", "HEAD").strip() + " (2026-07-01)",
    ) in found
    assert any(
        code == "deleted-interaction" and path == "cases/single.md" and "'## 2026-01-01 09:00Z'" in message
        for code, path, message in found
    )
    out = tmp_path / "site"
    assert build(repo, out, as_of="2026-08-01").published
    page = (out / "cases/B-1/index.html").read_text()
    assert "Removed from the record" in page and "<code>c.md</code>" in page


def test_pages_state_the_commit_and_whether_the_tree_was_clean(repo, tmp_path):
    head = git(repo, "rev-parse", "--short=7", "HEAD").strip()
    assert build(repo, tmp_path / "s1", as_of="2026-08-01").published
    footer = (tmp_path / "s1/index.html").read_text()
    assert f"built from commit <code>{head}</code> (2026-06-01 10:00 UTC), working tree clean" in footer
    (repo / "cases/B-1/d.md").write_text(interaction("2026-01-06 10:00Z", "not committed yet"))
    assert build(repo, tmp_path / "s2", as_of="2026-08-01").published
    page = (tmp_path / "s2/cases/B-1/index.html").read_text()
    assert "<strong>with uncommitted changes</strong>" in page and "Not committed to git yet." in page
    assert "Recorded 2 h after the event: first committed 2026-01-01 12:00 UTC by Alex Morgan" in page


def test_outside_git_the_site_still_builds(tmp_path):
    root = write_tree(tmp_path / "plain", {"cases/a.md": SINGLE})
    assert build(root, tmp_path / "out", as_of="2026-08-01").published
    assert "provenance unavailable: the logbook is not in a git repository" in (tmp_path / "out/index.html").read_text()


def test_history_is_read_in_one_pass(repo, monkeypatch):
    for n in range(40):
        (repo / f"cases/B-1/extra-{n:02d}.md").write_text(interaction(f"2026-02-{n % 28 + 1:02d} 10:00Z", f"n{n}"))
    commit_all(repo, "many", "2026-07-01T10:00:00+00:00")
    calls = []
    real_popen = subprocess.Popen

    def counting_popen(args, *rest, **kwargs):  # subprocess.run starts its process through Popen too
        calls.append(args)
        return real_popen(args, *rest, **kwargs)

    monkeypatch.setattr(logbook.store.history.subprocess, "Popen", counting_popen)
    loaded = load_logbook(repo)
    assert len(next(c for c in loaded.logbook.cases if c.id == "B-1").interactions) == 43
    # HEAD and status (side by side), then the whole history in two logs, however many files:
    # every file's name, and the single-file cases' patches (no other file's text is replayed)
    assert len(calls) == 4
    patches = [args for args in calls if "-p" in args]
    assert len(patches) == 1 and patches[0][-1] == ":(literal)cases/single.md"


def test_a_logbook_of_bundles_asks_git_for_no_text(tmp_path, monkeypatch):
    """Only a single-file case is replayed from its patches: a logbook of bundles is read from git
    by name alone, so git never prints (nor logbook holds) the logbook's whole text."""
    root = init(tmp_path / "bundles")
    write_tree(root, {"cases/B-1/case.md": CASE, "cases/B-1/a.md": interaction("2026-01-01 10:00Z", "first")})
    commit_all(root, "record", "2026-01-01T12:00:00+00:00")
    calls = []
    real_popen = subprocess.Popen

    def counting_popen(args, *rest, **kwargs):
        calls.append(args)
        return real_popen(args, *rest, **kwargs)

    monkeypatch.setattr(logbook.store.history.subprocess, "Popen", counting_popen)
    view, loaded = view_of(root, "B-1")
    assert not any("-p" in args for args in calls) and len(calls) == 3
    assert view.entries[0].provenance.first.date == datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_single_files_too_many_to_name_to_git_are_replayed_from_every_records_patch(repo, monkeypatch):
    """Thousands of single-file cases would not fit on git's command line: past a bound, git is asked
    for every record's patch and the single files' are replayed, the same records as by name."""
    named = load_logbook(repo).history
    monkeypatch.setattr(logbook.store.history, "PATHS_ON_COMMAND_LINE", 10)
    every = load_logbook(repo).history
    assert every.sections == named.sections and every.files == named.files
    assert [c.date.month for c in every.sections[("cases/single.md", "2026-01-02 10:00Z")].amendments] == []
    assert len(every.sections) == 2


def test_a_history_read_that_fails_leaves_no_git_waiting(repo, monkeypatch):
    """If replaying the sections fails (a bad patch, ^C in serve), both gits reading the history (the
    names' and the patches') are stopped and waited for: a long-running serve must not keep one
    blocked on its pipe, nor leave it running."""
    started = []
    real_popen = subprocess.Popen

    def keeping_popen(args, *rest, **kwargs):
        started.append(real_popen(args, *rest, **kwargs))
        return started[-1]

    def failing_replay(lines, single_files):
        raise KeyboardInterrupt

    monkeypatch.setattr(logbook.store.history.subprocess, "Popen", keeping_popen)
    monkeypatch.setattr(logbook.store.history, "_replay", failing_replay)
    with pytest.raises(KeyboardInterrupt):
        load_logbook(repo)
    logs = [p for p in started if "--name-status" in p.args or "-p" in p.args]
    assert len(logs) == 2 and all(p.returncode is not None for p in logs)  # reaped, not left running


@pytest.mark.parametrize("bound", [None, 10])
def test_the_users_log_follow_setting_changes_nothing(repo, monkeypatch, bound):
    """With log.follow set, git follows the one file it is given (and, oldest first, prints only its
    rename), and stops on a glob pathspec; the history is read with --no-follow, the same as without."""
    git(repo, "mv", "cases/single.md", "cases/only.md")
    commit_all(repo, "rename", "2026-07-01T10:00:00+00:00")
    expected = load_logbook(repo).history
    git(repo, "config", "log.follow", "true")
    if bound is not None:
        monkeypatch.setattr(logbook.store.history, "PATHS_ON_COMMAND_LINE", bound)
    history = load_logbook(repo).history
    assert history.sections == expected.sections and history.files == expected.files and len(history.sections) == 2


def test_a_section_line_that_begins_with_plus_signs_is_kept_in_the_replay(tmp_path):
    """git prints a text line '++ urgent' as '+++ urgent', like a patch's own '+++ b/…' header; only
    the line before the file's first hunk is a header.  Dropping it shifted every later line of the
    replay by one, so an edit at the end of the call's section replaced the letter's heading: the
    letter looked deleted from the record."""
    root = init(tmp_path / "plus")
    call = "\n## 2026-01-01 09:00Z Call\nchannel: phone\ndirection: out\n\n++ urgent\n+ noted\n"
    letter = "\n## 2026-01-02 09:00Z Letter\nchannel: letter\ndirection: in\n\nreply\n"
    write_tree(root, {"cases/single.md": CASE + call + letter})
    commit_all(root, "record", "2026-01-03T12:00:00+00:00")
    (root / "cases/single.md").write_text(CASE + call + "see the letter" + letter)
    commit_all(root, "amend the call", "2026-02-01T12:00:00+00:00")
    (call_entry, letter_entry), loaded = view_of(root, "single")[0].entries, load_logbook(root)
    assert [d.code for d in loaded.diagnostics] == []
    assert [c.date.month for c in call_entry.provenance.amendments] == [2]
    assert letter_entry.provenance.amendments == () and letter_entry.provenance.deleted is None


def test_an_acknowledged_removal_is_shown_with_its_reason_and_not_warned(repo, tmp_path):
    (repo / "cases/B-1/c.md").unlink()
    (repo / "cases/B-1/z.png").unlink()
    commit_all(repo, "remove c", "2026-07-01T10:00:00+00:00")
    assert [d.code for d in load_logbook(repo).diagnostics] == ["deleted-interaction"]
    (repo / "cases/B-1/case.md").write_text(
        CASE.replace("---\n", "---\nremoved:\n  - {record: c.md, reason: Duplicate of a.md}\n", 1)
    )
    assert load_logbook(repo).diagnostics == ()
    assert build(repo, tmp_path / "s", as_of="2026-08-01").published
    assert "Reason given: Duplicate of a.md" in (tmp_path / "s/cases/B-1/index.html").read_text()


def test_git_is_asked_before_the_sources_are_parsed(repo, monkeypatch):
    """HEAD and status come from git processes started when the load begins, so git works while
    the sources are parsed; a load that stops part-way leaves no git process running."""
    import logbook.speed.policy

    events: list[str] = []
    started: list[subprocess.Popen[bytes]] = []
    start_git, parse_all = logbook.store.history._start_git, logbook.speed.policy.parse_all_fresh

    def spy_start(root, *args):
        events.append(f"git {args[0]}")
        started.append(start_git(root, *args))
        return started[-1]

    def spy_parse(*args, **kwargs):
        events.append("parse")
        return parse_all(*args, **kwargs)

    monkeypatch.setattr(logbook.store.history, "_start_git", spy_start)
    monkeypatch.setattr(logbook.speed.policy, "parse_all_fresh", spy_parse)
    result = load_logbook(repo)
    assert events[:3] == ["git log", "git status", "parse"] and result.history.available and result.history.clean

    def broken(*args, **kwargs):
        raise RuntimeError("stopped part-way")

    monkeypatch.setattr(logbook.speed.policy, "parse_all_fresh", broken)
    started.clear()
    with pytest.raises(RuntimeError):
        load_logbook(repo)
    assert len(started) == 2 and all(process.returncode is not None for process in started)


def test_asking_git_never_rewrites_its_index(repo, tmp_path):
    """serve asks for git's status after every save; git must not take index.lock for it (a commit
    the user makes at that moment would fail), so a file whose stat changed leaves the index as it is,
    in the load and in the build cache's fingerprint of the inputs."""
    import os

    index = repo / ".git/index"
    path = repo / "cases/B-1/a.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))  # same bytes, new stat
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    result = load_logbook(repo)
    assert result.history.available and result.history.clean
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
    assert build(repo, tmp_path / "site", as_of="2026-08-01").published
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before


def test_an_entry_with_a_date_alone_states_no_lag_finer_than_its_day(tmp_path):
    """The letter says 2 January and no time: committed that afternoon it was recorded on the day of
    the event, not "14 h 30 min after"; committed on 5 January, 2 days 9 h after that day ended."""
    root = init(tmp_path / "book")
    write_tree(root, {"cases/L-1/case.md": CASE, "cases/L-1/a.md": interaction("2026-01-02", "a letter")})
    commit_all(root, "letter", "2026-01-02T14:30:00+00:00")
    write_tree(root, {"cases/L-1/b.md": interaction("2026-01-02", "another letter that day")})
    commit_all(root, "late letter", "2026-01-05T09:00:00+00:00")
    out = tmp_path / "site"
    assert build(root, out, as_of="2026-08-01").published
    page = (out / "cases/L-1/index.html").read_text()
    assert "Recorded on the day of the event: first committed 2026-01-02 14:30 UTC" in page
    assert "Recorded 2 days 9 h after the day of the event: first committed 2026-01-05 09:00 UTC" in page
    assert "after the event:" not in page
