"""What every tool integration shares: the context it plans in and the "set one key" helper."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tlsdoctor import paths
from tlsdoctor._data import load_data
from tlsdoctor.core.changes import (
    Change,
    Note,
    NotRegularFile,
    Plan,
    joined_message,
    message,
    read_bytes,
)
from tlsdoctor.core.tools._edit import set_line_value
from tlsdoctor.i18n import N_, _, localized, os_reason


@dataclass
class Context:
    """Everything a tool needs to plan: where things are, and the two files to point at."""

    environ: Mapping[str, str]
    bundle: Path
    ca: Path
    platform: str = sys.platform
    explicit: bool = False  # the user named the tool: plan it even when it is not installed
    shell_exports: list[tuple[str, str]] = field(default_factory=list)  # extra (NAME, value)
    pending: Mapping[Path, bytes] = field(default_factory=dict)  # files the plan will write

    @property
    def home(self) -> Path:
        return paths.home(self.environ)

    @property
    def config_home(self) -> Path:
        return paths.config_home(self.environ)

    def env_path(self, name: str) -> Path | None:
        value = self.environ.get(name)
        return Path(value) if value else None

    def which(self, program: str) -> str | None:
        return shutil.which(program, path=self.environ.get("PATH", os.defpath))

    def run(self, argv: Sequence[str], timeout: float = 15.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(argv),
            env=dict(self.environ),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def version_output(self, program: str | None) -> str | None:
        """What ``program --version`` prints; None when there is no program or it cannot run."""
        if not program:
            return None
        try:
            return self.run([program, "--version"], timeout=20).stdout
        except (OSError, TimeoutError):
            return None

    @cached_property
    def ca_pem(self) -> bytes:
        return read_planned(self.ca, self.pending)


def read_planned(path: Path, pending: Mapping[Path, bytes]) -> bytes:
    """The bytes ``path`` holds, or will hold once the plan that writes it is applied."""
    return pending[path] if path in pending else path.read_bytes()


def tool_entry(tool: str) -> dict[str, Any]:
    entry: dict[str, Any] = load_data("tools.toml")["tools"][tool]
    return entry


def tool_note(tool: str) -> Note:
    return Note(tool, str(localized(tool_entry(tool), "note")), "info")


def edit_file(
    ctx: Context,
    tool: str,
    path: Path,
    setting: str,
    new_value: str,
    editor: Callable[[str], tuple[str, str | None]],
    *,
    mode: int | None = None,
    preview: str | None = None,
    insecure_file: str | None = None,
    syntax: str | None = None,
) -> Plan:
    """Plan setting one key in a text file; a plan with no change when it is already set.

    A file that cannot be parsed (binary content, or not valid ``syntax``: "ini", "toml",
    "yaml", "tlsdoctor-block" for a profile whose marked block is damaged) is left alone with
    a note: editing it line by line could make it worse.

    ``insecure_file``: the file's kind in the ``[[insecure]]`` catalog; the settings there that
    turn verification off are removed in the same change.
    """
    from tlsdoctor.core.tools import insecure

    try:
        old = read_bytes(path)
    except OSError as err:
        return cannot_read(tool, path, err)
    problem = parse_problem(old, syntax)
    if problem is not None:
        return cannot_parse(tool, path, problem)
    text = "" if old is None else old.decode("utf-8", errors="surrogateescape")
    mark = "\ufeff" if syntax in BOM_SKIPPED and text.startswith("\ufeff") else ""
    text = text.removeprefix(mark)  # so that the first line is seen as the tool sees it
    try:
        removed: list[insecure.Hit] = []
        if insecure_file:
            text, removed = insecure.remove(insecure_file, text)
        new_text, old_value = editor(text)
        new_text = mark + new_text
    except ValueError as err:
        return Plan(
            notes=[
                Note(
                    tool,
                    _(
                        "{path} could not be read ({error}); set {setting} by hand",
                        path=str(path),
                        error=str(err),
                        setting=setting,
                    ),
                    "manual",
                )
            ]
        )
    new = new_text.encode("utf-8", errors="surrogateescape")
    problem = parse_problem(new, syntax)
    if problem is not None:  # the edit itself would break the file: never write that
        return cannot_parse(tool, path, problem)
    if new == old or (old_value == new_value and not removed):
        return Plan(
            notes=[
                Note(
                    tool,
                    _(
                        "{setting} in {path} already points at {value}",
                        setting=setting,
                        path=str(path),
                        value=new_value,
                    ),
                    "skipped",
                )
            ]
        )
    removes = tuple(hit.removal() for hit in removed)
    description = joined_message(
        (message(N_("set {setting} to {value}"), setting=setting, value=new_value), *removes)
    )
    return Plan(
        changes=[
            Change(
                path=path,
                old=old,
                new=new,
                description=description,
                tool=tool,
                setting=setting,
                old_value=old_value,
                new_value=new_value,
                mode=mode,
                preview=preview,
                removes=removes,
                insecure=tuple(hit.shown() for hit in removed),
            )
        ]
    )


def cannot_read(tool: str, path: Path, err: OSError) -> Plan:
    """A note for a file setup cannot read (a folder where the file should be, no permission).

    A device, FIFO or socket (``npm_config_userconfig=/dev/null``) is never read nor replaced:
    a warning says it is left alone, and why.
    """
    if isinstance(err, NotRegularFile) and not path.is_dir():
        return Plan(
            notes=[
                Note(
                    tool,
                    _(
                        "{path} is not a regular file ({reason}): setup leaves it alone, "
                        "so {tool} is not set up",
                        path=str(path),
                        reason=os_reason(err),
                        tool=tool,
                    ),
                    "warning",
                )
            ]
        )
    reason = _("it is a folder") if path.is_dir() else os_reason(err)
    return Plan(
        notes=[
            Note(
                tool,
                _(
                    "cannot read {path} ({reason}): fix it by hand, then run setup again",
                    path=str(path),
                    reason=reason,
                ),
                "manual",
            )
        ]
    )


def write_problem(path: Path) -> str | None:
    """Why the file ``path`` (or, for a link, its target) cannot be replaced, or None: its
    folder (the nearest one that exists, for a file setup creates) is on a read-only file
    system (a dotfile manager's store) or not writable by this user."""
    folder = Path(os.path.realpath(path)).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or os.access(folder, os.W_OK):
        return None  # not a folder: the read/parse notes say so
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs on Windows
        read_only = False
    if read_only:
        return _("{folder} is on a read-only file system", folder=str(folder))
    return _("no permission to write in {folder}", folder=str(folder))


def cannot_write(change: Change, problem: str) -> Note:
    """The note replacing a change to a file setup could not write: nothing is half done."""
    target = os.path.realpath(change.path)
    shown = str(change.path) if target == str(change.path) else f"{change.path} -> {target}"
    return Note(
        change.tool,
        _(
            "cannot write {path} ({reason}): setup leaves it alone, so {tool} is not set "
            "up; make the change by hand ({description})",
            path=shown,
            reason=problem,
            tool=change.tool,
            description=change.description,
        ),
        "warning",
    )


def writable_only(plan: Plan) -> Plan:
    """A change to a file that cannot be written (a profile linked into a read-only dotfile
    store) becomes a warning in the plan, instead of an apply that stops half way."""
    kept: list[Change] = []
    for change in plan.changes:
        problem = write_problem(change.path)
        if problem is None:
            kept.append(change)
        else:
            plan.notes.append(cannot_write(change, problem))
    plan.changes = kept
    return plan


def cannot_parse(tool: str, path: Path, problem: str) -> Plan:
    return Plan(
        notes=[
            Note(
                tool,
                _(
                    "cannot parse {path} ({problem}): fix it by hand, then run setup again",
                    path=str(path),
                    problem=problem,
                ),
                "manual",
            )
        ]
    )


# Syntaxes whose tools stop on a file that starts with a UTF-8 byte order mark, and those whose
# tools skip it (cargo reads a config.toml saved by Notepad; checked with cargo 1.95).
BOM_STOPS = ("ini", "wgetrc")
BOM_SKIPPED = ("toml",)


def parse_problem(data: bytes | None, syntax: str | None) -> str | None:
    """Why ``data`` cannot be edited safely as a ``syntax`` file, or None (also for no file)."""
    if data is None:
        return None
    if b"\0" in data:
        return _("binary content")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return _("not UTF-8 text at byte {offset}", offset=err.start)
    if text.startswith("\ufeff") and syntax in BOM_STOPS:
        # pip, aws, gcloud (configparser) and wget read the mark as text and stop on the whole
        # file ("File contains no section headers", "Syntax error in .wgetrc at line 1")
        return _("it starts with a UTF-8 byte order mark, which the tool cannot read either")
    if syntax in BOM_SKIPPED:
        text = text.removeprefix("\ufeff")
    return _syntax_problem(text, syntax)


def _syntax_problem(text: str, syntax: str | None) -> str | None:
    try:
        if syntax == "toml":
            from tlsdoctor._data import tomllib

            tomllib.loads(text)
        elif syntax == "ini":
            import configparser

            parser = configparser.RawConfigParser(strict=False, interpolation=None)
            parser.read_string(text)
        elif syntax == "yaml":
            _check_yaml(text)
        elif syntax == "tlsdoctor-block":  # a shell profile: its marked block must be whole
            from tlsdoctor.core.tools.shell import block_problem

            problem = block_problem(text)
            if problem:
                return problem
    except Exception as err:  # every parser error means "do not touch it"
        return str(err).splitlines()[0] if str(err) else type(err).__name__
    return None


def _check_yaml(text: str) -> None:
    try:
        import yaml  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # not a dependency: a conservative check of the top-level mapping
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#") or line[:1] in (" ", "\t", "-"):
                continue
            if ":" not in line or line.count("[") != line.count("]"):
                raise ValueError(
                    _("line {number}: not a 'key: value' line", number=number)
                ) from None
        return
    data = yaml.safe_load(text)
    if data is not None and not isinstance(data, dict):
        raise ValueError(_("not a mapping"))


def remove_insecure(ctx: Context, tool: str, path: Path, insecure_file: str) -> Plan:
    """Plan only removing the settings that turn verification off (nothing else to set)."""
    from tlsdoctor.core.tools import insecure

    try:
        old = read_bytes(path)
    except OSError as err:
        return cannot_read(tool, path, err)
    if old is None:
        return Plan()
    try:
        new_text, removed = insecure.remove(
            insecure_file, old.decode("utf-8", errors="surrogateescape")
        )
    except ValueError:
        return Plan()
    if not removed:
        return Plan()
    removes = tuple(hit.removal() for hit in removed)
    return Plan(
        changes=[
            Change(
                path=path,
                old=old,
                new=new_text.encode("utf-8", errors="surrogateescape"),
                description=joined_message(removes),
                tool=tool,
                removes=removes,
                insecure=tuple(hit.shown() for hit in removed),
            )
        ]
    )


def edit_line(
    ctx: Context,
    tool: str,
    path: Path,
    setting: str,
    new_value: str,
    *,
    section: str | None,
    key_pattern: str,
    line: str,
    parse_value: Callable[[str], str],
    case_insensitive_section: bool = False,
    insecure_file: str | None = None,
    syntax: str | None = None,
) -> Plan:
    """Plan setting one ``key value`` line of a text file (``_edit.set_line_value``)."""
    return edit_file(
        ctx,
        tool,
        path,
        setting,
        new_value,
        lambda text: set_line_value(
            text,
            section=section,
            key_pattern=key_pattern,
            line=line,
            parse_value=parse_value,
            case_insensitive_section=case_insensitive_section,
        ),
        insecure_file=insecure_file,
        syntax=syntax,
    )


def put_file(ctx: Context, tool: str, path: Path, content: bytes, description: str) -> Plan:
    """Plan a whole file with ``content`` (a CA copy, a truststore): no change when identical."""
    try:
        old = read_bytes(path)
    except OSError as err:
        return cannot_read(tool, path, err)
    if old == content:
        return Plan(
            notes=[Note(tool, _("{path} is already up to date", path=str(path)), "skipped")]
        )
    return Plan(
        changes=[
            Change(
                path=path,
                old=old,
                new=content,
                description=description,
                tool=tool,
                setting=None,
                old_value=None if old is None else _("(other content)"),
                new_value=str(path),
            )
        ]
    )


def not_installed(tool: str) -> Plan:
    return Plan(
        notes=[Note(tool, _("{tool} is not installed: nothing to do", tool=tool), "skipped")]
    )


# ------------------------------------------------------------------ the OS store


def _pem_ders(data: bytes) -> list[bytes]:
    import base64
    import re

    out: list[bytes] = []
    for match in re.finditer(
        rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", data, re.DOTALL
    ):
        try:
            out.append(base64.b64decode(b"".join(match.group(1).split())))
        except ValueError:
            continue
    return out


LINUX_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
)


def os_store_bundles() -> list[Path]:
    """The OS store's PEM bundle files (compiled OpenSSL default first; SSL_CERT_FILE ignored)."""
    import ssl

    found: list[Path] = []
    for candidate in (ssl.get_default_verify_paths().openssl_cafile, *LINUX_BUNDLES):
        path = Path(candidate)
        if path not in found and path.is_file():
            found.append(path)
    return found


def os_store_has_ca(ca_pem: bytes, platform: str = sys.platform) -> bool | None:
    """True/False when the OS store can be read (Linux), None when we cannot tell."""
    if platform != "linux" and not platform.startswith(("freebsd", "openbsd")):
        return None
    wanted = set(_pem_ders(ca_pem))
    if not wanted:
        return False
    bundles = os_store_bundles()
    if not bundles:
        return None
    for bundle in bundles:
        try:
            if wanted & set(_pem_ders(bundle.read_bytes())):
                return True
        except OSError:
            continue
    return False


def ca_fingerprints(ca_pem: bytes) -> list[str]:
    """SHA-256 of each certificate in the CA file, upper-case hex without separators."""
    import hashlib

    return [hashlib.sha256(der).hexdigest().upper() for der in _pem_ders(ca_pem)]


def split_pem(data: bytes) -> list[bytes]:
    """Each certificate of a PEM file as its own canonical PEM (64-column base64, LF endings)."""
    import base64

    out: list[bytes] = []
    for der in _pem_ders(data):
        b64 = base64.b64encode(der)
        body = b"\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
        out.append(b"-----BEGIN CERTIFICATE-----\n" + body + b"\n-----END CERTIFICATE-----\n")
    return out


def sha1_thumbprint(pem: bytes) -> str:
    import hashlib

    ders = _pem_ders(pem)
    return hashlib.sha1(ders[0]).hexdigest().upper() if ders else ""
