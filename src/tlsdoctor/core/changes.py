"""The one journaled writer for every change tlsdoctor makes outside the project.

A :class:`Plan` lists file changes (path, old bytes, new bytes) and commands (argv and the argv
that undoes it). :func:`apply` carries a plan out; :func:`undo` replays the journal backwards.

Order of each file write, chosen so a crash at any point leaves every file either wholly old or
wholly new, and the journal knows enough to put it back:

1. the original bytes are copied to ``backups/<run>/<seq>.bak`` (fsync);
2. the new bytes go to a temporary file in the target's own directory (fsync);
3. an intent entry is appended to ``journal.jsonl`` (fsync) *before* the file is touched;
4. ``os.replace`` swaps the temporary file in (atomic on one file system), the directory is fsynced;
5. a ``written`` entry marks the step complete.

Undo decides from hashes, not from the completion marks: a file whose bytes are what we wrote is
restored from its backup (or removed if we created it); a file that still has its old bytes is
left alone; a file somebody changed after us is kept and the original is written beside it as
``<file>.tlsdoctor-restore``.

Test hook: ``TLSDOCTOR_TEST_CRASH_AFTER=N`` makes the writer SIGKILL itself once N files have
been replaced, right after the intent entry of the next one (or after the last replace when the
plan has no more files), so a test can kill it mid-apply at a chosen point.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import secrets
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tlsdoctor import paths
from tlsdoctor.i18n import _, current_language, os_reason

JOURNAL_VERSION = 1
RESTORE_SUFFIX = ".tlsdoctor-restore"
CRASH_ENV = "TLSDOCTOR_TEST_CRASH_AFTER"

CommandRunner = Callable[[Sequence[str]], int]


# --------------------------------------------------------------------------- messages

# A value of a message: plain text, or the same text per language ({"en": ..., "ja": ...}) for
# a value that comes from a data catalog (the OS store's label).
MessageValue = str | Mapping[str, str]


class Message(str):
    """A description shown in the language in use that keeps its language-independent form.

    It is the translated text (a ``str``, so every caller can treat it as one) plus ``parts``:
    each ``{"id": English message id, "values": {...}}`` or ``{"text": verbatim}``, joined with
    "; ". The journal stores the parts, so undo describes a change in the language undo runs in,
    whatever language setup ran in.
    """

    parts: tuple[dict[str, Any], ...]

    def __new__(cls, parts: Iterable[dict[str, Any]]) -> Message:
        kept = tuple(parts)
        obj = super().__new__(cls, render_message(kept) or "")
        obj.parts = kept
        return obj


def message(msgid: str, /, **values: MessageValue) -> Message:
    """``_(msgid, **values)`` that remembers ``msgid`` and ``values`` (wrap msgid in ``N_``)."""
    return Message([{"id": msgid, "values": {k: _plain_value(v) for k, v in values.items()}}])


def joined_message(items: Iterable[str]) -> Message:
    """Several descriptions as one, "; "-separated; a plain ``str`` is kept verbatim."""
    parts: list[dict[str, Any]] = []
    for item in items:
        parts.extend(item.parts if isinstance(item, Message) else ({"text": str(item)},))
    return Message(parts)


def _plain_value(value: MessageValue) -> str | dict[str, str]:
    return value if isinstance(value, str) else {str(k): str(v) for k, v in value.items()}


def _render_value(value: object, lang: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        text = value.get(lang, value.get("en"))
        if isinstance(text, str):
            return text
    raise ValueError("bad message value")


def _render_part(part: object, english: bool) -> str:
    if not isinstance(part, dict):
        raise ValueError("bad message part")
    if isinstance(part.get("text"), str):
        return str(part["text"])
    msgid, values = part.get("id"), part.get("values", {})
    if not isinstance(msgid, str) or not isinstance(values, dict):
        raise ValueError("bad message part")
    lang = "en" if english else current_language()
    shown = {str(name): _render_value(value, lang) for name, value in values.items()}
    if english:
        return msgid.format(**shown) if shown else msgid
    return _(msgid, **shown) if shown else _(msgid)


def render_message(parts: object, *, english: bool = False) -> str | None:
    """The text of message ``parts`` (as :class:`Message` keeps them, or as read back from the
    journal) in the language in use, or in English (``english``: the language-independent form
    JSON values keep); None when they are not well-formed."""
    if not isinstance(parts, (list, tuple)):
        return None
    try:
        return "; ".join(_render_part(part, english) for part in parts)
    except (ValueError, KeyError, IndexError, AttributeError):
        return None


def english_text(text: str) -> str:
    """``text`` as its English form when it is a :class:`Message`, else as it is."""
    shown = render_message(text.parts, english=True) if isinstance(text, Message) else None
    return text if shown is None else shown


def message_parts(text: str, *, without: Iterable[str] = ()) -> list[dict[str, Any]] | None:
    """What the journal stores of a description: its parts without those of ``without`` (the
    removals undo never shows), or None for a plain string (undo then shows the stored text)."""
    if not isinstance(text, Message):
        return None
    dropped = [p for item in without if isinstance(item, Message) for p in item.parts]
    return [p for p in text.parts if p not in dropped]


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Change:
    """One file to write. ``old``/``new`` are whole-file bytes; ``None`` means "no file"."""

    path: Path
    old: bytes | None
    new: bytes | None
    description: str
    tool: str
    setting: str | None = None  # the key inside the file ("http.sslCAInfo", "cafile")
    old_value: str | None = None  # that key's value before, for the plan display
    new_value: str | None = None
    mode: int | None = None  # permissions for a file we create (default 0o644)
    preview: str | None = None  # text to show in the plan (the shell block)
    removes: tuple[str, ...] = ()  # insecure settings this change removes, as the plan shows them
    insecure: tuple[str, ...] = ()  # those settings by name (strict-ssl=false), for undo to warn

    @property
    def creates(self) -> bool:
        return self.old is None and self.new is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "path": str(self.path),
            "action": "create" if self.creates else ("remove" if self.new is None else "modify"),
            "setting": self.setting,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "description": self.description,
            "preview": self.preview,
            "removes": list(self.removes),
            "old_sha256": _sha(self.old),
            "new_sha256": _sha(self.new),
        }


@dataclass(frozen=True)
class Command:
    """A command run by apply (OS trust store); ``undo`` lists what undo runs for it."""

    argv: tuple[str, ...]
    undo: tuple[tuple[str, ...], ...]  # the commands that revert it, in the order they run
    description: str
    tool: str = "system"
    admin: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "argv": list(self.argv),
            "undo": [list(a) for a in self.undo],
            "description": self.description,
            "admin": self.admin,
        }


@dataclass(frozen=True)
class Note:
    """Something the user should know about a tool that is not a change (already fine, manual)."""

    tool: str
    text: str
    kind: str = "info"  # info | skipped | manual | warning

    def to_json(self) -> dict[str, Any]:
        return {"tool": self.tool, "kind": self.kind, "text": self.text}


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.changes and not self.commands

    def extend(self, other: Plan) -> None:
        self.changes.extend(other.changes)
        self.commands.extend(other.commands)
        self.notes.extend(other.notes)

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": [c.to_json() for c in self.changes],
            "commands": [c.to_json() for c in self.commands],
            "notes": [n.to_json() for n in self.notes],
        }


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CommandOutcome:
    command: Command
    returncode: int

    def to_json(self) -> dict[str, Any]:
        return {**self.command.to_json(), "returncode": self.returncode}


@dataclass
class ApplyResult:
    run_id: str | None
    written: list[Change] = field(default_factory=list)
    changed_since_plan: list[Change] = field(default_factory=list)
    commands: list[CommandOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.changed_since_plan and all(c.returncode == 0 for c in self.commands)

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "written": [c.to_json() for c in self.written],
            "changed_since_plan": [c.to_json() for c in self.changed_since_plan],
            "commands": [c.to_json() for c in self.commands],
        }


# outcome of restoring one file
RESTORED = "restored"  # the original bytes are back
REMOVED = "removed"  # setup created the file; it is gone again
ALREADY_ORIGINAL = "already-original"  # the file already had its original bytes
KEPT_BOTH = "kept-both"  # changed by someone else: kept, original written beside it
KEPT_CREATED = "kept-created"  # created by setup, then changed by someone else: kept
KEPT_REFERENCED = "kept-referenced"  # created by setup; a file undo kept still points at it
BACKUP_MISSING = "backup-missing"  # cannot restore: the backup file is gone


@dataclass(frozen=True)
class RestoreOutcome:
    path: Path
    status: str
    tool: str
    description: str
    beside: Path | None = None  # where the original went when the file was kept
    referenced_by: Path | None = None  # the kept file that still names this one (kept-referenced)
    insecure_back: tuple[str, ...] = ()  # settings setup had removed that turn verification off

    @property
    def conflict(self) -> bool:
        return self.status in (KEPT_BOTH, KEPT_CREATED, BACKUP_MISSING)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "status": self.status,
            "tool": self.tool,
            "description": self.description,
            "beside": str(self.beside) if self.beside else None,
            "referenced_by": str(self.referenced_by) if self.referenced_by else None,
            "verification_off_again": list(self.insecure_back),
        }


@dataclass
class UndoResult:
    runs: list[str] = field(default_factory=list)
    files: list[RestoreOutcome] = field(default_factory=list)
    commands: list[CommandOutcome] = field(default_factory=list)

    @property
    def conflicts(self) -> list[RestoreOutcome]:
        return [f for f in self.files if f.conflict]

    @property
    def ok(self) -> bool:
        return not self.conflicts and all(c.returncode == 0 for c in self.commands)

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "files": [f.to_json() for f in self.files],
            "commands": [c.to_json() for c in self.commands],
            "ok": self.ok,
        }


# --------------------------------------------------------------------------- journal


class JournalError(Exception):
    """The journal cannot be read or written (message is for the user, already plain)."""


class Journal:
    """Append-only JSONL journal plus the backups of every file it changed."""

    def __init__(self, state_dir: Path | None = None) -> None:
        self.dir = Path(state_dir) if state_dir is not None else paths.state_dir() / "journal"
        self.file = self.dir / "journal.jsonl"
        self.backups = self.dir / "backups"

    # -- low level
    def _ensure_dir(self) -> None:
        """The journal folder is private: backups may hold tokens from .npmrc or pip.conf."""
        if not self.dir.is_dir():
            self.dir.mkdir(parents=True, exist_ok=True)
            os.chmod(self.dir, 0o700)

    def entries(self) -> list[dict[str, Any]]:
        """Every entry. Only a last line torn by a crash mid-append (no newline) is ignored:
        any other line that cannot be read is a :class:`JournalError` naming its line number,
        so undo never acts on a journal it only half understands."""
        try:
            raw = self.file.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as err:
            raise JournalError(
                _(
                    "cannot read the journal {path}: {error}",
                    path=str(self.file),
                    error=os_reason(err),
                )
            ) from err
        lines = raw.split(b"\n")[:-1]  # after the last newline: empty, or a torn line
        out: list[dict[str, Any]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            problem = _entry_problem(entry)
            if problem:
                raise JournalError(
                    _(
                        "the journal {path} is damaged at line {line} ({problem}): "
                        "nothing was changed; repair or move the file by hand",
                        path=str(self.file),
                        line=number,
                        problem=problem,
                    )
                )
            out.append(entry)
        return out

    def append(self, entry: dict[str, Any]) -> None:
        self._ensure_dir()
        data = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
        fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _drop_torn_tail(fd)
            os.lseek(fd, 0, os.SEEK_END)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One writer at a time (advisory lock; no-op where fcntl is missing)."""
        self._ensure_dir()
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fd = os.open(self.dir / "lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                raise JournalError(
                    _("another tlsdoctor is changing files ({folder})", folder=str(self.dir))
                ) from err
            yield
        finally:
            os.close(fd)

    # -- runs
    def runs(self) -> list[RunRecord]:
        """Runs in the order they were made, each with its entries."""
        records: dict[str, RunRecord] = {}
        for entry in self.entries():
            run = entry.get("run")
            if not isinstance(run, str):
                continue
            record = records.setdefault(run, RunRecord(run))
            record.add(entry)
        return [r for r in records.values() if r.begun]

    def pending_runs(self) -> list[RunRecord]:
        """Runs not undone yet, newest first."""
        return [r for r in reversed(self.runs()) if not r.undone and r.has_effects]


_SHA_OR_NONE = (str, type(None))
# what each entry kind must hold (op -> field -> accepted types)
_ENTRY_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "begin": {},
    "end": {},
    "undone": {},
    "undo-begin": {},
    "mkdir": {"path": (str,)},
    "write": {
        "seq": (int,),
        "path": (str,),
        "existed": (bool,),
        "old_sha256": _SHA_OR_NONE,
        "new_sha256": _SHA_OR_NONE,
        "backup": _SHA_OR_NONE,
        "tmp": _SHA_OR_NONE,
    },
    "written": {"seq": (int,)},
    "restored": {"seq": (int,)},
    "command": {"seq": (int,), "argv": (list,), "undo": (list,)},
    "command-done": {"seq": (int,), "returncode": (int,)},
}


def _entry_problem(entry: object) -> str | None:
    """Why a journal line cannot be used, or None."""
    if not isinstance(entry, dict):
        return _("not a JSON object")
    op = entry.get("op")
    if op not in _ENTRY_FIELDS:
        return _("unknown op {op}", op=repr(op))
    if not isinstance(entry.get("run"), str):
        return _("{op}: no run id", op=op)
    for name, types in _ENTRY_FIELDS[op].items():
        value = entry.get(name)
        if not isinstance(value, types) or (types == (int,) and isinstance(value, bool)):
            return _("{op}: bad {name}", op=op, name=repr(name))
    if op == "write" and entry["existed"] and not entry["backup"]:
        return _("write: no backup for an existing file")
    return None


def _drop_torn_tail(fd: int) -> None:
    """Cut a line torn by a crash mid-append, so the next entry starts on its own line."""
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return
    start = max(0, size - 65536)
    os.lseek(fd, start, os.SEEK_SET)
    tail = os.read(fd, size - start)
    if tail.endswith(b"\n"):
        return
    cut = tail.rfind(b"\n")
    if cut < 0 and start > 0:
        return  # a torn line this long is no torn entry: leave it for entries() to report
    os.ftruncate(fd, start + cut + 1)
    os.fsync(fd)


@dataclass
class RunRecord:
    run: str
    begun: bool = False
    ended: bool = False
    undone: bool = False
    time: str = ""
    writes: dict[int, dict[str, Any]] = field(default_factory=dict)
    written: set[int] = field(default_factory=set)
    commands: dict[int, dict[str, Any]] = field(default_factory=dict)
    command_rc: dict[int, int] = field(default_factory=dict)
    dirs: list[str] = field(default_factory=list)
    restored: set[int] = field(default_factory=set)

    def add(self, entry: dict[str, Any]) -> None:
        op = entry.get("op")
        seq = entry.get("seq")
        if op == "begin":
            self.begun = True
            self.time = str(entry.get("time", ""))
        elif op == "end":
            self.ended = True
        elif op == "undone":
            self.undone = True
        elif op == "mkdir":
            self.dirs.append(str(entry["path"]))
        elif op == "write" and isinstance(seq, int):
            self.writes[seq] = entry
        elif op == "written" and isinstance(seq, int):
            self.written.add(seq)
        elif op == "command" and isinstance(seq, int):
            self.commands[seq] = entry
        elif op == "command-done" and isinstance(seq, int):
            self.command_rc[seq] = int(entry.get("returncode", 1))
        elif op == "restored" and isinstance(seq, int):
            self.restored.add(seq)

    @property
    def has_effects(self) -> bool:
        return bool(self.writes or self.commands or self.dirs)

    def summary(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "time": self.time,
            "complete": self.ended,
            "undone": self.undone,
            "files": [w["path"] for _, w in sorted(self.writes.items())],
            "commands": [c["argv"] for _, c in sorted(self.commands.items())],
        }


# --------------------------------------------------------------------------- apply


def apply(
    plan: Plan,
    journal: Journal | None = None,
    *,
    run_command: CommandRunner | None = None,
) -> ApplyResult:
    """Carry out ``plan``: every file atomically with a backup and a journal entry, then commands.

    A file whose bytes differ from what the plan read is not touched (reported in
    ``changed_since_plan``); a plan whose changes are all no-ops writes nothing at all.
    """
    journal = journal or Journal()
    changes = [c for c in plan.changes if c.old != c.new]
    if not changes and not plan.commands:
        return ApplyResult(run_id=None)
    runner = run_command or _run_command
    crash_after = _crash_after()
    with journal.locked():
        journal.entries()  # a damaged journal: refuse now, or undo could not replay this run
        run_id = _new_run_id()
        result = ApplyResult(run_id=run_id)
        journal.append({"v": JOURNAL_VERSION, "op": "begin", "run": run_id, "time": _now()})
        replaced = 0
        for seq, change in enumerate(changes):
            target = _real_target(change.path)
            if _read_current(target) != change.old:  # changed, or now a device or FIFO
                result.changed_since_plan.append(change)
                continue
            _make_parents(target.parent, journal, run_id)
            entry = _prepare_write(journal, run_id, seq, target, change)
            journal.append(entry)
            if crash_after is not None and replaced >= crash_after:
                _die()
            _commit_write(target, entry, change.new)
            replaced += 1
            journal.append({"op": "written", "run": run_id, "seq": seq})
            result.written.append(change)
        if crash_after is not None and replaced >= crash_after:
            _die()
        for seq, command in enumerate(plan.commands):
            journal.append(
                {
                    "op": "command",
                    "run": run_id,
                    "seq": seq,
                    "argv": list(command.argv),
                    "undo": [list(a) for a in command.undo],
                    "tool": command.tool,
                    "description": command.description,
                    **_message_field(command.description),
                }
            )
            rc = runner(command.argv)
            journal.append({"op": "command-done", "run": run_id, "seq": seq, "returncode": rc})
            result.commands.append(CommandOutcome(command, rc))
            if rc != 0:
                break
        journal.append({"op": "end", "run": run_id})
    return result


def _prepare_write(
    journal: Journal, run_id: str, seq: int, target: Path, change: Change
) -> dict[str, Any]:
    """Back up the original and stage the new bytes; return the intent entry."""
    backup: str | None = None
    mode: int | None = None
    if change.old is not None:
        backup_path = journal.backups / run_id / f"{seq}.bak"
        backup_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_new_file(backup_path, change.old, 0o600)
        _fsync_dir(backup_path.parent)
        backup = str(backup_path.relative_to(journal.dir))
        mode = target.stat().st_mode & 0o7777
    elif change.new is not None:
        mode = change.mode if change.mode is not None else 0o644
    tmp: str | None = None
    if change.new is not None:
        tmp_path = _stage(target, change.new, mode if mode is not None else 0o644)
        tmp = str(tmp_path)
    return {
        "op": "write",
        "run": run_id,
        "seq": seq,
        "path": str(target),
        "existed": change.old is not None,
        "old_sha256": _sha(change.old),
        "new_sha256": _sha(change.new),
        "backup": backup,
        "tmp": tmp,
        "mode": mode,
        "tool": change.tool,
        "description": change.description,
        **_message_field(change.description, without=change.removes),
        "removes": list(change.removes),
        "insecure": list(change.insecure),
    }


def _message_field(text: str, *, without: Sequence[str] = ()) -> dict[str, Any]:
    """The journal's language-independent ``message`` beside the ``description`` text."""
    parts = message_parts(text, without=without)
    return {} if parts is None else {"message": parts}


def _entry_description(entry: dict[str, Any]) -> str:
    """What setup's change was, in the language in use: from the entry's ``message`` parts, or
    (a journal written before they existed) its stored text without the removals."""
    shown = render_message(entry["message"]) if "message" in entry else None
    if shown is not None:
        return shown
    removes = [str(r) for r in entry.get("removes") or ()]
    return "; ".join(
        part for part in str(entry.get("description", "")).split("; ") if part not in removes
    )


def _commit_write(target: Path, entry: dict[str, Any], new: bytes | None) -> None:
    if new is None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
    else:
        os.replace(str(entry["tmp"]), target)
    _fsync_dir(target.parent)


def _make_parents(directory: Path, journal: Journal, run_id: str) -> None:
    """Create missing parent folders, journaling each so undo can remove them when empty."""
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        journal.append({"op": "mkdir", "run": run_id, "path": str(folder)})
        folder.mkdir(mode=0o755)


# --------------------------------------------------------------------------- undo


def undo(
    journal: Journal | None = None,
    *,
    last: bool = True,
    run_command: CommandRunner | None = None,
) -> UndoResult:
    """Replay the journal backwards: the last run (``last=True``) or every run not yet undone."""
    journal = journal or Journal()
    runner = run_command or _run_command
    result = UndoResult()
    with journal.locked():
        pending = journal.pending_runs()
        for record in pending[:1] if last else pending:
            _undo_run(journal, record, runner, result)
            result.runs.append(record.run)
    return result


def _undo_run(
    journal: Journal, record: RunRecord, runner: CommandRunner, result: UndoResult
) -> None:
    journal.append({"op": "undo-begin", "run": record.run, "time": _now()})
    for seq in sorted(record.commands, reverse=True):
        entry = record.commands[seq]
        if seq not in record.command_rc:
            continue  # never ran (or the writer died before it): nothing to revert
        command = Command(
            argv=tuple(entry["argv"]),
            undo=tuple(tuple(a) for a in entry.get("undo") or ()),
            description=_entry_description(entry),
            tool=str(entry.get("tool", "system")),
        )
        for argv in command.undo:
            rc = runner(argv)
            result.commands.append(
                CommandOutcome(Command(argv, (), command.description, command.tool), rc)
            )
    kept = _kept_contents(record)
    for seq in sorted(record.writes, reverse=True):
        entry = record.writes[seq]
        if seq in record.restored:
            continue
        outcome = _restore_one(journal, entry, kept)
        journal.append({"op": "restored", "run": record.run, "seq": seq, "status": outcome.status})
        result.files.append(outcome)
    for folder in reversed(record.dirs):
        with contextlib.suppress(OSError):
            Path(folder).rmdir()  # only when empty: somebody else's files keep it
    journal.append({"op": "undone", "run": record.run})


def _kept_contents(record: RunRecord) -> dict[Path, bytes]:
    """The files of this run that undo will keep (somebody changed them since): their bytes."""
    kept: dict[Path, bytes] = {}
    for seq, entry in record.writes.items():
        if seq in record.restored:
            continue
        current = _read_current(Path(entry["path"]))
        if isinstance(current, bytes) and _sha(current) not in (
            entry.get("old_sha256"),
            entry.get("new_sha256"),
        ):
            kept[Path(entry["path"])] = current
    return kept


def _referenced_by(target: Path, kept: dict[Path, bytes]) -> Path | None:
    """A kept file whose content names ``target`` by path (a profile exporting bundle.pem)."""
    needle = os.fsencode(str(target))
    for path, data in kept.items():
        if path != target and needle in data:
            return path
    return None


def _restore_one(
    journal: Journal, entry: dict[str, Any], kept: dict[Path, bytes] | None = None
) -> RestoreOutcome:
    target = Path(entry["path"])
    tool = str(entry.get("tool", ""))
    # what to revert by hand never includes putting an insecure setting back
    description = _entry_description(entry)
    tmp = entry.get("tmp")
    if tmp:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)  # left behind when the writer died between staging and replace
    current = _read_current(target)
    # a device or FIFO put there since is somebody else's: never replaced, as if changed
    current_sha = "not-a-file" if isinstance(current, NotRegularFile) else _sha(current)
    if current_sha == entry.get("old_sha256"):
        return RestoreOutcome(target, ALREADY_ORIGINAL, tool, description)
    original: bytes | None = None
    if entry.get("existed"):
        try:
            original = (journal.dir / str(entry["backup"])).read_bytes()
        except (OSError, KeyError, TypeError):
            return RestoreOutcome(target, BACKUP_MISSING, tool, description)
    mode = entry.get("mode")
    if current_sha == entry.get("new_sha256"):
        if original is None:
            referrer = _referenced_by(target, kept or {})
            if referrer is not None:
                return RestoreOutcome(
                    target, KEPT_REFERENCED, tool, description, referenced_by=referrer
                )
            target.unlink()
            _fsync_dir(target.parent)
            return RestoreOutcome(target, REMOVED, tool, description)
        atomic_write(target, original, int(mode) if mode is not None else 0o644)
        back = tuple(str(s) for s in entry.get("insecure") or ())
        return RestoreOutcome(target, RESTORED, tool, description, insecure_back=back)
    # Somebody changed the file after us: keep theirs, put the original beside it.
    if original is None:
        return RestoreOutcome(target, KEPT_CREATED, tool, description)
    beside = target.with_name(target.name + RESTORE_SUFFIX)
    atomic_write(beside, original, int(mode) if mode is not None else 0o644)
    return RestoreOutcome(target, KEPT_BOTH, tool, description, beside=beside)


# --------------------------------------------------------------------------- file helpers


def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


class NotRegularFile(OSError):
    """The path is a device, named pipe, socket or folder: never read or replaced as a file.

    Reading a FIFO blocks until someone writes to it; replacing ``/dev/null`` breaks the system.
    ``strerror`` says what the path is, for the user.
    """


def _special_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("it is a folder")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("it is a device")
    if stat.S_ISFIFO(mode):
        return _("it is a named pipe (FIFO)")
    if stat.S_ISSOCK(mode):
        return _("it is a socket")
    return _("it is not a regular file")


def _not_regular(path: Path, mode: int) -> NotRegularFile:
    import errno

    return NotRegularFile(errno.EINVAL, _special_kind(mode), str(path))


def _read(path: Path) -> bytes | None:
    """A regular file's bytes, None when there is none; :class:`NotRegularFile` for anything
    else. Never opens a FIFO for a blocking read (stat first, then a non-blocking open)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)
    fd = os.open(path, paths.READ_WITHOUT_WAITING | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):  # swapped between the stat and the open
            raise _not_regular(path, mode)
        return handle.read()


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist (what a Change's ``old`` holds).

    :class:`NotRegularFile` when the path (or a folder on the way to it) is not what a config
    file can be: setup must leave it alone, never create or replace it.
    """
    target = _real_target(path)
    try:
        os.stat(target)
    except NotADirectoryError as err:
        raise NotRegularFile(
            err.errno, _("a folder on its path is not a folder"), str(path)
        ) from err
    except OSError:
        pass
    return _read(target)


def read_text(path: Path) -> str | None:
    """The text of a config file setup or doctor only reads (bad UTF-8 replaced); None when
    there is none, or it cannot be read, or it is not a regular file (see :func:`read_bytes`)."""
    try:
        data = read_bytes(path)
    except OSError:
        return None
    return None if data is None else data.decode("utf-8", errors="replace")


def _read_current(path: Path) -> bytes | NotRegularFile | None:
    """For undo: the bytes, None, or the error when somebody put a non-file there since."""
    try:
        return _read(path)
    except NotRegularFile as err:
        return err


def _real_target(path: Path) -> Path:
    """Write through symlinks (dotfile managers link ~/.gitconfig): never replace the link."""
    return Path(os.path.realpath(os.path.expanduser(str(path))))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_new_file(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _stage(target: Path, data: bytes, mode: int) -> Path:
    """Write ``data`` to a fresh temporary file beside ``target`` (same file system)."""
    for _attempt in range(100):
        tmp = target.with_name(f".{target.name}.tlsdoctor-tmp-{secrets.token_hex(4)}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        return tmp
    raise OSError(_("cannot create a temporary file beside {target}", target=str(target)))


def atomic_write(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``target`` with ``data`` in one step: a reader sees the old file or the new one.

    World-readable by default: some tools run as other users (uv#5448).
    """
    tmp = _stage(target, data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - directories cannot be opened there
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _crash_after() -> int | None:
    value = os.environ.get(CRASH_ENV)
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _die() -> None:
    """The test hook's crash: SIGKILL ourselves (no cleanup, no flush), like a power cut."""
    import signal

    kill = getattr(signal, "SIGKILL", None)
    if kill is not None:
        os.kill(os.getpid(), kill)
    os._exit(137)


def _new_run_id() -> str:
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _run_command(argv: Sequence[str]) -> int:
    try:
        return subprocess.run(list(argv), check=False).returncode
    except OSError:
        return 127
