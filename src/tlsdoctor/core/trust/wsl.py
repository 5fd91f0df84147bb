"""The Windows trust store seen from WSL, through interop (``powershell.exe``).

WSL distributions do not inherit the Windows roots (microsoft/WSL#3161), but an inspection CA
pushed by IT lands in the Windows store. Under WSL, ``powershell.exe`` runs the Windows side and
prints each certificate of ``Cert:\\LocalMachine\\Root`` and ``Cert:\\CurrentUser\\Root`` as PEM
(CRLF line endings). Parsing is separate from running so tests feed captured output.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tlsdoctor.core.utf16 import utf16_codec
from tlsdoctor.core.x509 import Certificate, parse_pem_tolerant

Runner = Callable[[Sequence[str]], bytes]

WSL_INTEROP = "/proc/sys/fs/binfmt_misc/WSLInterop"
POWERSHELL_CANDIDATES = (
    "powershell.exe",
    "/mnt/c/Windows/System32/WindowsPowerShell/v1.0/powershell.exe",
)

STORES = ("Cert:\\LocalMachine\\Root", "Cert:\\CurrentUser\\Root")
EXPORT_SCRIPT = (
    "Get-ChildItem -Path "
    + ", ".join(STORES)
    + " | ForEach-Object { '-----BEGIN CERTIFICATE-----'; "
    "[System.Convert]::ToBase64String($_.RawData, 'InsertLineBreaks'); "
    "'-----END CERTIFICATE-----' }"
)


def is_wsl(environ: Mapping[str, str] | None = None, proc: str | Path = "/proc") -> bool:
    """WSL_DISTRO_NAME / WSL_INTEROP set, the WSLInterop binfmt entry, or a Microsoft kernel."""
    env = os.environ if environ is None else environ
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return True
    base = Path(proc)
    if (base / "sys/fs/binfmt_misc/WSLInterop").exists():
        return True
    try:
        release = (base / "sys/kernel/osrelease").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return "microsoft" in release.lower()


def powershell_command(executable: str = "powershell.exe") -> list[str]:
    return [executable, "-NoProfile", "-NonInteractive", "-Command", EXPORT_SCRIPT]


def parse_powershell_output(output: bytes | str) -> list[Certificate]:
    """Certificates of the export script's output (CRLF, console code page or UTF-16)."""
    return parse_pem_tolerant(output)


def _find_powershell() -> str | None:
    for candidate in POWERSHELL_CANDIDATES:
        found = shutil.which(candidate) if "/" not in candidate else candidate
        if found and Path(found).exists():
            return found
    return None


def _run(argv: Sequence[str]) -> bytes:
    import subprocess

    try:
        done = subprocess.run(
            list(argv), capture_output=True, timeout=30, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return b""
    return done.stdout


def load_roots(runner: Runner | None = None) -> list[Certificate]:
    """The Windows ROOT stores (machine and user) when running under WSL; empty otherwise."""
    if runner is None:
        if not is_wsl():
            return []
        executable = _find_powershell()
        if executable is None:
            return []
        return parse_powershell_output(_run(powershell_command(executable)))
    return parse_powershell_output(runner(powershell_command()))


# --------------------------------------------------------------------------- certutil fallback
# When PowerShell is blocked (constrained language mode is common on managed machines),
# ``certutil.exe -store Root`` still lists the store. It prints no certificate bytes, only
# names and SHA-1 hashes, so it can name what to export, not export it.

CERTUTIL_CANDIDATES = ("certutil.exe", "/mnt/c/Windows/System32/certutil.exe")


@dataclass(frozen=True)
class StoreEntry:
    subject: str
    issuer: str
    serial: str
    sha1: str  # lowercase hex, no spaces
    not_after: str


_ENTRY_START = re.compile(r"^=+ Certificate \d+ =+$")
_FIELD = re.compile(r"^\s*(Serial Number|Issuer|Subject|NotAfter|Cert Hash\(sha1\)):\s*(.*)$")


def parse_certutil_store(output: bytes | str) -> list[StoreEntry]:
    """Entries of ``certutil -store NAME`` output (English field names, CRLF or LF)."""
    text = output if isinstance(output, str) else _decode(output)
    entries: list[StoreEntry] = []
    fields: dict[str, str] | None = None
    for line in text.splitlines():
        if _ENTRY_START.match(line.strip()):
            if fields is not None:
                entries.append(_entry(fields))
            fields = {}
            continue
        found = _FIELD.match(line)
        if found and fields is not None:
            fields.setdefault(found.group(1), found.group(2).strip())
    if fields is not None:
        entries.append(_entry(fields))
    return [e for e in entries if e.sha1]


def _decode(data: bytes) -> str:
    return data.decode(utf16_codec(data[:4], bom_only=True) or "utf-8", errors="replace")


def _entry(fields: dict[str, str]) -> StoreEntry:
    return StoreEntry(
        subject=fields.get("Subject", ""),
        issuer=fields.get("Issuer", ""),
        serial=fields.get("Serial Number", ""),
        sha1=fields.get("Cert Hash(sha1)", "").replace(" ", "").lower(),
        not_after=fields.get("NotAfter", ""),
    )


def certutil_command(executable: str = "certutil.exe", store: str = "Root") -> list[str]:
    return [executable, "-store", store]


def load_store_entries(runner: Runner | None = None) -> list[StoreEntry]:
    """The Windows Root store as certutil lists it (names and hashes), under WSL."""
    if runner is not None:
        return parse_certutil_store(runner(certutil_command()))
    if not is_wsl():
        return []
    for candidate in CERTUTIL_CANDIDATES:
        found = shutil.which(candidate) if "/" not in candidate else candidate
        if found and Path(found).exists():
            return parse_certutil_store(_run(certutil_command(found)))
    return []


def common_name(dn: str) -> str:
    """The CN of a certutil/Windows style name such as ``CN=Corp Root, O=Corp, C=US``."""
    for part in re.split(r",\s*(?=[A-Za-z.]+=)", dn):
        key, _sep, value = part.partition("=")
        if key.strip().upper() == "CN":
            return value.strip().strip('"')
    return dn.strip()
