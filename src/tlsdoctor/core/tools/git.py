"""git: ``http.sslCAInfo`` in the global config, edited by git itself on a scratch copy.

:func:`read_config` reads git's global files the way git does, following ``[include]`` and
``[includeIf]`` (doctor and setup look for insecure settings and the CA file in all of them).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tlsdoctor.core.changes import Note, Plan, read_text
from tlsdoctor.core.tools import _edit
from tlsdoctor.core.tools._base import Context, edit_file, edit_line, not_installed
from tlsdoctor.i18n import _

SETTING = "http.sslCAInfo"
MAX_INCLUDE_DEPTH = 10  # git's config.c: nesting deeper is a fatal error (a circular include)

_HEADER = re.compile(r'^\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\](.*)$', re.S)
_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$", re.S)
_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "\\": "\\", '"': '"'}


@dataclass(frozen=True)
class ConfigFile:
    """One file git reads: a global file, or one an include pulls in."""

    path: Path
    text: str
    included_from: Path | None = None
    condition: str | None = None  # the includeIf condition it (or a file including it) sits under

    def label(self) -> str:
        """The path, with where it is included from (and under which condition)."""
        if self.included_from is None:
            return str(self.path)
        if self.condition is None:
            return _(
                "{path} (included from {parent})",
                path=str(self.path),
                parent=str(self.included_from),
            )
        return _(
            '{path} (included from {parent} only under includeIf "{condition}")',
            path=str(self.path),
            parent=str(self.included_from),
            condition=self.condition,
        )


@dataclass(frozen=True)
class Entry:
    file: ConfigFile
    section: str  # lower case
    key: str  # lower case
    value: str | None  # None: the key alone (true to git)


@dataclass
class GitConfig:
    files: list[ConfigFile] = field(default_factory=list)  # in the order git reads them
    entries: list[Entry] = field(default_factory=list)  # in the order git reads them
    too_deep: ConfigFile | None = None  # the file whose include git refuses (depth exceeded)

    def last(self, section: str, key: str) -> Entry | None:
        """The value git uses outside includeIf files: the last one read."""
        found = [
            e for e in self.entries
            if (e.section, e.key) == (section, key) and e.file.condition is None
        ]  # fmt: skip
        return found[-1] if found else None

    def conditional(self, section: str, key: str) -> list[Entry]:
        """The values set in includeIf files that git uses when their condition holds: those
        read after the last plain one (a plain value read later overrides them everywhere)."""
        found = [e for e in self.entries if (e.section, e.key) == (section, key)]
        plain = [i for i, e in enumerate(found) if e.file.condition is None]
        return found[plain[-1] + 1 :] if plain else found

    def used(self, section: str, key: str) -> list[Entry]:
        """The values git uses from the files: the last plain one (everywhere) and, when they
        differ from it, the includeIf ones read after it (in the repositories they match)."""
        last = self.last(section, key)
        conditional = self.conditional(section, key)
        if last is None:
            return conditional
        return [last] + [e for e in conditional if e.value != last.value]


MAX_ENV_ENTRIES = 1000  # GIT_CONFIG_COUNT is the user's number: do not loop on a huge one


def environment_entries(env: Mapping[str, str]) -> list[tuple[int, str, str]]:
    """(n, key, value) of GIT_CONFIG_COUNT's GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n pairs: config
    every git command reads after all files (command scope). git refuses to run when the count
    is not a number or a pair is missing: then there is nothing to report."""
    try:
        count = int(env.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        return []
    entries = []
    for n in range(min(count, MAX_ENV_ENTRIES)):
        key, value = env.get(f"GIT_CONFIG_KEY_{n}"), env.get(f"GIT_CONFIG_VALUE_{n}")
        if key is None or value is None:
            return []
        entries.append((n, key, value))
    return entries


def global_files(ctx: Context) -> list[Path]:
    """git's global files in the order git reads them: GIT_CONFIG_GLOBAL replaces both."""
    explicit = ctx.env_path("GIT_CONFIG_GLOBAL")
    if explicit:
        return [explicit]
    return [ctx.config_home / "git" / "config", ctx.home / ".gitconfig"]


def read_config(ctx: Context, roots: list[Path], read: Callable[[Path], str | None]) -> GitConfig:
    """Every file git reads from ``roots``, following ``[include] path`` (relative to the
    including file, ``~/`` expanded, a missing file ignored) and ``[includeIf] path``, whose
    condition (``gitdir:``, ``onbranch:``...) depends on the repository: those files are
    followed and marked conditional. ``read`` gives a file's text (None: missing/unreadable)."""
    config = GitConfig()
    for root in roots:
        text = read(root)
        if text is not None:
            _walk(ctx, ConfigFile(root, text), read, config, 0)
    return config


def _walk(
    ctx: Context,
    file: ConfigFile,
    read: Callable[[Path], str | None],
    config: GitConfig,
    depth: int,
) -> None:
    config.files.append(file)
    for section, subsection, key, value in _entries(file.text):
        config.entries.append(Entry(file, section, key, value))
        include = (section, subsection is None) in (("include", True), ("includeif", False))
        if not include or key != "path" or not value:
            continue
        target = _include_target(ctx, value, file.path)
        text = read(target)
        if text is None:
            continue  # git skips an include that does not exist
        if depth >= MAX_INCLUDE_DEPTH:
            config.too_deep = config.too_deep or file
            return
        condition = subsection if section == "includeif" else file.condition
        child = ConfigFile(target, text, file.path, condition)
        _walk(ctx, child, read, config, depth + 1)


def _include_target(ctx: Context, value: str, including: Path) -> Path:
    if value == "~" or value.startswith("~/"):
        path = ctx.home / value[2:]
    elif value.startswith("~"):
        path = Path(os.path.expanduser(value))
    else:
        path = including.parent / value  # an absolute value stays as it is
    if ".." not in path.parts:
        return path
    # git hands the path to the file system, which takes '..' after following a linked folder
    # (~/.config/git -> ~/dotfiles/git): resolve the folder, never drop '..' by string
    return Path(os.path.realpath(path.parent)) / path.name


def _entries(text: str) -> Iterator[tuple[str, str | None, str, str | None]]:
    """(section, subsection, key, value) of each setting, in order (names lower case)."""
    section, subsection = "", None
    lines = iter(text.splitlines())
    for line in lines:
        header = _HEADER.match(line)
        if header:
            section, subsection = header.group(1).lower(), header.group(2)
            line = header.group(3)
        key = _KEY.match(line)
        if not key or not section:
            continue
        raw = key.group(2)
        while raw is not None and _continues(raw):
            raw = raw[:-1] + next(lines, "")
        value = None if raw is None else _value(raw)
        yield section, subsection, key.group(1).lower(), value


def _continues(raw: str) -> bool:
    """A value line ending in an unescaped backslash goes on on the next line."""
    stripped = raw.rstrip("\r")
    return (len(stripped) - len(stripped.rstrip("\\"))) % 2 == 1


def _value(raw: str) -> str:
    """git's value syntax: quotes toggle, ``#``/``;`` outside them start a comment, escapes."""
    out: list[str] = []
    quoted = False
    chars = iter(raw.strip())
    for char in chars:
        if char == '"':
            quoted = not quoted
        elif char in "#;" and not quoted:
            break
        elif char == "\\":
            out.append(_ESCAPES.get(next(chars, ""), ""))
        else:
            out.append(char)
    return "".join(out).strip()


def global_config_path(ctx: Context) -> Path:
    """The file ``git config --global`` writes to."""
    explicit = ctx.env_path("GIT_CONFIG_GLOBAL")
    if explicit:
        return explicit
    dotfile = ctx.home / ".gitconfig"
    xdg = ctx.config_home / "git" / "config"
    if not dotfile.exists() and xdg.exists():
        return xdg
    return dotfile


def _git_edit(ctx: Context, program: str, value: str, text: str) -> tuple[str, str | None]:
    """Let git make the edit (it knows its own syntax) on a copy in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="tlsdoctor-git-") as scratch:
        copy = Path(scratch) / "config"
        copy.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        env = {k: v for k, v in ctx.environ.items() if not k.startswith("GIT_CONFIG")}
        base = [program, "config", "--file", str(copy)]
        got = subprocess.run(
            [*base, "--get", SETTING], env=env, capture_output=True, text=True, check=False
        )
        old = got.stdout.strip() or None if got.returncode == 0 else None
        if old == value:
            return text, old
        done = subprocess.run(
            [*base, SETTING, value], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ValueError(done.stderr.strip() or "git config failed")
        return copy.read_bytes().decode("utf-8", errors="surrogateescape"), old


def plan_git(ctx: Context) -> Plan:
    program = ctx.which("git")
    path = global_config_path(ctx)
    if not program and not ctx.explicit:
        return not_installed("git")
    plan = _plan_edit(ctx, program, path)
    plan.notes.extend(_notes_on_other_files(ctx, path, plan))
    return plan


def _plan_edit(ctx: Context, program: str | None, path: Path) -> Plan:
    bundle = str(ctx.bundle)
    if program:
        return edit_file(
            ctx,
            "git",
            path,
            SETTING,
            bundle,
            lambda text: _git_edit(ctx, program, bundle, text),
            insecure_file="gitconfig",
        )
    return edit_line(
        ctx,
        "git",
        path,
        SETTING,
        bundle,
        section="http",
        key_pattern=_edit.ini_key("sslCAInfo"),
        line=f"\tsslCAInfo = {bundle}",
        parse_value=_edit.quoted,
        case_insensitive_section=True,
        insecure_file="gitconfig",
    )


def _notes_on_other_files(ctx: Context, edited: Path, plan: Plan) -> list[Note]:
    """What setup leaves in the other files git reads (the XDG config beside ~/.gitconfig, the
    files ``[include]``/``[includeIf]`` pull in): settings that keep verification off, and an
    http.sslCAInfo read after the one setup sets (git uses the last)."""
    from tlsdoctor.core.tools import insecure

    planned = {c.path: c.new for c in plan.changes if c.new is not None}

    def read(file: Path) -> str | None:
        new = planned.get(file)
        return read_text(file) if new is None else new.decode("utf-8", errors="replace")

    config = read_config(ctx, global_files(ctx), read)
    notes: list[Note] = []
    for file in {f.path: f for f in config.files if f.path != edited}.values():
        for hit in insecure.find("gitconfig", file.text):
            notes.append(_by_hand(hit.message(file.label()), hit.shown(), file.path, edited))
    used = config.last("http", "sslcainfo")
    later = [] if used is None or used.file.path == edited else [used]
    for entry in later + config.conditional("http", "sslcainfo"):
        if entry.value != str(ctx.bundle):
            message = _(
                "{path} sets http.sslCAInfo to {value}, read after {edited}: git uses that one",
                path=entry.file.label(),
                value=entry.value or "",
                edited=str(edited),
            )
            notes.append(_by_hand(message, "http.sslCAInfo", entry.file.path, edited))
    return notes + _environment_notes(ctx)


def _environment_notes(ctx: Context) -> list[Note]:
    """A GIT_CONFIG_COUNT pair setting http.sslCAInfo: git reads it after every file."""
    notes: list[Note] = []
    for n, key, value in environment_entries(ctx.environ):
        if key.lower() == "http.sslcainfo" and value != str(ctx.bundle):
            text = _(
                "GIT_CONFIG_KEY_{n}/GIT_CONFIG_VALUE_{n} in this environment set "
                "http.sslCAInfo to {value}, read after every config file: git uses that one; "
                "set GIT_CONFIG_VALUE_{n} to the bundle, or drop the pair",
                n=n,
                value=value,
            )
            notes.append(Note("git", text, "warning"))
    return notes


def _by_hand(message: str, setting: str, path: Path, edited: Path) -> Note:
    text = _(
        "{message}; remove {setting} from {path} by hand (setup edits only {edited})",
        message=message,
        setting=setting,
        path=str(path),
        edited=str(edited),
    )
    return Note("git", text, "warning")
