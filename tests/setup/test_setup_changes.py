"""The journaled writer: atomic writes, backups, journal order, byte-identical undo, conflicts."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from setup_helpers import snapshot

from tlsdoctor.core.changes import (
    ALREADY_ORIGINAL,
    KEPT_BOTH,
    KEPT_CREATED,
    REMOVED,
    RESTORE_SUFFIX,
    RESTORED,
    Change,
    Command,
    Journal,
    NotRegularFile,
    Plan,
    apply,
    read_bytes,
    undo,
)


def change(path: Path, new: bytes | None, tool: str = "test") -> Change:
    return Change(path=path, old=read_bytes(path), new=new, description="d", tool=tool)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "existing.conf").write_bytes(b"[a]\r\nkey = 1\r\n\xff raw bytes\n")
    os.chmod(home / "existing.conf", 0o640)
    (home / "keep.txt").write_bytes(b"untouched\n")
    return home


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "state" / "journal")


def test_apply_then_undo_restores_every_byte_and_mode(home: Path, journal: Journal) -> None:
    before = snapshot(home)
    plan = Plan(
        changes=[
            change(home / "existing.conf", b"[a]\nkey = 2\n"),
            change(home / "new" / "deeper" / "created.conf", b"made by setup\n"),
        ]
    )
    result = apply(plan, journal)
    assert result.run_id and len(result.written) == 2
    assert (home / "existing.conf").read_bytes() == b"[a]\nkey = 2\n"
    assert (home / "existing.conf").stat().st_mode & 0o777 == 0o640  # mode kept
    assert (home / "new/deeper/created.conf").read_bytes() == b"made by setup\n"
    assert not list(home.rglob("*.tlsdoctor-tmp-*"))

    outcome = undo(journal)
    assert [f.status for f in outcome.files] == [REMOVED, RESTORED]
    assert outcome.ok
    assert snapshot(home) == before  # byte-identical, created folders gone
    assert (home / "existing.conf").stat().st_mode & 0o777 == 0o640


def test_journal_records_intent_before_the_replace(home: Path, journal: Journal) -> None:
    apply(Plan(changes=[change(home / "existing.conf", b"new\n")]), journal)
    ops = [e["op"] for e in journal.entries()]
    assert ops == ["begin", "write", "written", "end"]
    write = journal.entries()[1]
    assert write["existed"] is True and write["backup"]
    assert (journal.dir / write["backup"]).read_bytes().endswith(b"\xff raw bytes\n")


def test_plan_with_no_effect_writes_nothing(home: Path, journal: Journal) -> None:
    same = (home / "keep.txt").read_bytes()
    result = apply(Plan(changes=[change(home / "keep.txt", same)]), journal)
    assert result.run_id is None
    assert not journal.file.exists()


def test_file_changed_between_plan_and_apply_is_left_alone(home: Path, journal: Journal) -> None:
    planned = change(home / "existing.conf", b"ours\n")
    (home / "existing.conf").write_bytes(b"edited meanwhile\n")
    result = apply(Plan(changes=[planned]), journal)
    assert result.changed_since_plan == [planned] and not result.ok
    assert (home / "existing.conf").read_bytes() == b"edited meanwhile\n"


def test_someone_else_changed_it_after_setup_keeps_both(home: Path, journal: Journal) -> None:
    original = (home / "existing.conf").read_bytes()
    apply(
        Plan(
            changes=[
                change(home / "existing.conf", b"ours\n"),
                change(home / "created.conf", b"ours\n"),
            ]
        ),
        journal,
    )
    (home / "existing.conf").write_bytes(b"ours\nplus the user's own line\n")
    (home / "created.conf").write_bytes(b"the user rewrote it\n")
    outcome = undo(journal)
    statuses = {f.path.name: f.status for f in outcome.files}
    assert statuses == {"existing.conf": KEPT_BOTH, "created.conf": KEPT_CREATED}
    assert not outcome.ok and len(outcome.conflicts) == 2
    # theirs is kept, the original is beside it
    assert (home / "existing.conf").read_bytes() == b"ours\nplus the user's own line\n"
    assert (home / ("existing.conf" + RESTORE_SUFFIX)).read_bytes() == original
    assert (home / "created.conf").read_bytes() == b"the user rewrote it\n"


def test_symlinked_dotfile_is_written_through_not_replaced(home: Path, journal: Journal) -> None:
    target = home / "dotfiles" / "gitconfig"
    target.parent.mkdir()
    target.write_bytes(b"[user]\n")
    (home / ".gitconfig").symlink_to(target)
    before = snapshot(home)
    apply(Plan(changes=[change(home / ".gitconfig", b"[user]\n[http]\n")]), journal)
    assert (home / ".gitconfig").is_symlink()
    assert target.read_bytes() == b"[user]\n[http]\n"
    undo(journal)
    assert snapshot(home) == before


def test_undo_last_then_all_walks_runs_backwards(home: Path, journal: Journal) -> None:
    before = snapshot(home)
    path = home / "existing.conf"
    apply(Plan(changes=[change(path, b"one\n")]), journal)
    middle = snapshot(home)
    apply(Plan(changes=[change(path, b"two\n")]), journal)
    assert undo(journal, last=True).runs and snapshot(home) == middle
    apply(Plan(changes=[change(path, b"three\n")]), journal)
    result = undo(journal, last=False)
    assert len(result.runs) == 2
    assert snapshot(home) == before
    assert undo(journal, last=False).runs == []  # nothing left


def test_torn_last_journal_line_is_ignored(home: Path, journal: Journal) -> None:
    before = snapshot(home)
    apply(Plan(changes=[change(home / "existing.conf", b"x\n")]), journal)
    with journal.file.open("ab") as fh:
        fh.write(b'{"op": "wri')  # a crash mid-append
    assert undo(journal).files[0].status == RESTORED
    assert snapshot(home) == before


def test_commands_run_in_order_and_undo_replays_them_backwards(
    home: Path, journal: Journal
) -> None:
    ran: list[tuple[str, ...]] = []

    def runner(argv: object) -> int:
        ran.append(tuple(argv))  # type: ignore[arg-type]
        return 0

    plan = Plan(
        commands=[
            Command(("install", "ca", "/dest"), (("rm", "/dest"), ("refresh", "--fresh")), "i"),
            Command(("refresh",), (), "r"),
        ]
    )
    result = apply(plan, journal, run_command=runner)
    assert result.ok and ran == [("install", "ca", "/dest"), ("refresh",)]
    ran.clear()
    undo(journal, run_command=runner)
    assert ran == [("rm", "/dest"), ("refresh", "--fresh")]


def test_a_failing_command_stops_the_rest(home: Path, journal: Journal) -> None:
    plan = Plan(commands=[Command(("a",), (("undo-a",),), "a"), Command(("b",), (), "b")])
    result = apply(plan, journal, run_command=lambda argv: 1)
    assert [c.returncode for c in result.commands] == [1] and not result.ok


CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from tlsdoctor.core.changes import Change, Journal, Plan, apply, read_bytes
    spec = json.loads(sys.argv[1])
    changes = [
        Change(Path(p), read_bytes(Path(p)), new.encode(), "d", "test") for p, new in spec["files"]
    ]
    apply(Plan(changes=changes), Journal(Path(spec["journal"])))
    print("finished")
    """
)


@pytest.mark.parametrize("crash_after", [0, 1, 2, 3])
def test_killed_mid_apply_leaves_whole_files_and_undo_still_works(
    tmp_path: Path, home: Path, journal: Journal, crash_after: int
) -> None:
    files = [
        (str(home / "existing.conf"), "new existing\n" * 500),
        (str(home / "sub" / "a.conf"), "created a\n"),
        (str(home / "keep.txt"), "replaced keep\n"),
    ]
    old = {p: read_bytes(Path(p)) for p, _ in files}
    before = snapshot(home)
    env = {**os.environ, "TLSDOCTOR_TEST_CRASH_AFTER": str(crash_after)}
    spec = json.dumps({"files": files, "journal": str(journal.dir)})
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, spec], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -9, proc.stderr  # SIGKILL: no cleanup ran
    assert "finished" not in proc.stdout
    for index, (path, new) in enumerate(files):
        now = read_bytes(Path(path))
        expected = new.encode() if index < crash_after else old[path]
        assert now == expected, f"{path} is neither wholly old nor as expected"
    outcome = undo(journal)
    assert outcome.ok
    assert {f.status for f in outcome.files} <= {RESTORED, REMOVED, ALREADY_ORIGINAL}
    assert snapshot(home) == before  # no temp file, no half-written file, folders gone


def test_a_second_writer_is_refused_while_one_runs(home: Path, journal: Journal) -> None:
    from tlsdoctor.core.changes import JournalError

    with journal.locked(), pytest.raises(JournalError):
        apply(Plan(changes=[change(home / "keep.txt", b"x\n")]), journal)
    assert (home / "keep.txt").read_bytes() == b"untouched\n"
    from tlsdoctor import i18n

    i18n.set_language("ja")
    try:
        with journal.locked(), pytest.raises(JournalError, match="別の tlsdoctor"):
            apply(Plan(changes=[change(home / "keep.txt", b"x\n")]), journal)
    finally:
        i18n.set_language("en")


def test_journal_and_backups_are_private(home: Path, journal: Journal) -> None:
    apply(Plan(changes=[change(home / "existing.conf", b"token-free\n")]), journal)
    assert journal.dir.stat().st_mode & 0o777 == 0o700
    backup = next(journal.backups.rglob("*.bak"))
    assert backup.stat().st_mode & 0o077 == 0


def test_undo_keeps_created_files_that_a_kept_file_points_at(home: Path, journal: Journal) -> None:
    from tlsdoctor.core.changes import KEPT_REFERENCED

    data = home / "data"
    bundle, unused = data / "bundle.pem", data / "other.pem"
    profile = home / ".bashrc"
    profile.write_bytes(b"alias ll='ls -l'\n")
    block = f"export SSL_CERT_FILE={bundle}\n".encode()
    apply(
        Plan(
            changes=[
                change(bundle, b"PEM\n"),
                change(unused, b"PEM2\n"),
                change(profile, b"alias ll='ls -l'\n" + block),
            ]
        ),
        journal,
    )
    profile.write_bytes(b"alias ll='ls -l'\n" + block + b"export EDITOR=vi\n")  # edited since
    result = undo(journal)
    status = {o.path: o for o in result.files}
    assert status[profile].status == KEPT_BOTH
    assert status[bundle].status == KEPT_REFERENCED and status[bundle].referenced_by == profile
    assert bundle.read_bytes() == b"PEM\n"  # the kept profile still works
    assert status[unused].status == REMOVED and not unused.exists()
    assert not result.ok


@pytest.mark.parametrize(
    "bad_line",
    [
        b"garbage that is not json",
        b'{"op": "write", "run": "R", "seq": 0}',  # a write without path or hashes
        b'{"op": "write", "run": "R", "seq": 0, "path": "/x", "existed": true, '
        b'"old_sha256": "a", "new_sha256": "b", "backup": null, "tmp": null}',
        b"[1, 2]",
    ],
)
def test_a_damaged_journal_is_an_error_naming_the_line(
    home: Path, journal: Journal, bad_line: bytes
) -> None:
    from tlsdoctor.core.changes import JournalError

    before = snapshot(home)
    apply(Plan(changes=[change(home / "existing.conf", b"x\n")]), journal)
    after_apply = snapshot(home)
    lines = journal.file.read_bytes().splitlines(keepends=True)
    journal.file.write_bytes(b"".join([lines[0], bad_line + b"\n", *lines[1:]]))
    with pytest.raises(JournalError, match="line 2"):
        undo(journal)
    assert snapshot(home) == after_apply != before  # nothing was undone
    # nor written on top of it: a run undo could not replay
    with pytest.raises(JournalError, match="line 2"):
        apply(Plan(changes=[change(home / "other.conf", b"y\n")]), journal)
    assert snapshot(home) == after_apply


def test_undo_cli_reports_a_garbage_journal_with_exit_2(clean_env: dict[str, str]) -> None:
    from tlsdoctor import paths

    journal_file = paths.state_dir(clean_env) / "journal" / "journal.jsonl"
    journal_file.parent.mkdir(parents=True)
    journal_file.write_bytes(b"\x00\x01 not a journal\nmore garbage\n")
    env = clean_env
    done = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", "undo"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2, done
    assert "line 1" in done.stderr and "Nothing to undo" not in done.stdout


def test_append_after_a_torn_line_starts_a_new_line(home: Path, journal: Journal) -> None:
    apply(Plan(changes=[change(home / "existing.conf", b"x\n")]), journal)
    with journal.file.open("ab") as fh:
        fh.write(b'{"op": "wri')
    apply(Plan(changes=[change(home / "keep.txt", b"y\n")]), journal)
    assert len(journal.pending_runs()) == 2


def test_a_fifo_is_never_opened_nor_replaced(home: Path, journal: Journal) -> None:
    """A blocking read of a FIFO would hang; replacing a device node breaks the system."""
    fifo = home / "pipe.conf"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="named pipe"):
        read_bytes(fifo)
    with pytest.raises(NotRegularFile, match="folder on its path"):
        read_bytes(home / "keep.txt" / "inside.conf")
    plain = home / "becomes-a-fifo.conf"
    plain.write_bytes(b"a\n")
    plan = Plan(changes=[change(plain, b"b\n")])
    plain.unlink()
    os.mkfifo(plain)  # swapped between plan and apply: left alone
    result = apply(plan, journal)
    assert result.written == [] and result.changed_since_plan == plan.changes
    assert stat.S_ISFIFO(os.stat(plain).st_mode)


def test_undo_never_replaces_a_fifo_put_there_since(home: Path, journal: Journal) -> None:
    target = home / "existing.conf"
    original = target.read_bytes()
    apply(Plan(changes=[change(target, b"new\n")]), journal)
    target.unlink()
    os.mkfifo(target)
    result = undo(journal)
    assert [f.status for f in result.files] == [KEPT_BOTH]
    assert stat.S_ISFIFO(os.stat(target).st_mode)
    assert (home / ("existing.conf" + RESTORE_SUFFIX)).read_bytes() == original


def test_a_damaged_journal_says_why_in_japanese(home: Path, journal: Journal) -> None:
    """The reason sits inside a Japanese sentence: it must be Japanese too."""
    from tlsdoctor import i18n
    from tlsdoctor.core.changes import JournalError

    apply(Plan(changes=[change(home / "existing.conf", b"x\n")]), journal)
    journal.file.write_bytes(b"[1, 2]\n" + journal.file.read_bytes())
    i18n.set_language("ja")
    try:
        with pytest.raises(JournalError) as caught:
            undo(journal)
    finally:
        i18n.set_language("en")
    assert "1 行目が壊れています（JSON オブジェクトではありません）" in str(caught.value)
