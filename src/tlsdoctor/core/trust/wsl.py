"""The Windows trust store seen from WSL, through interop (``powershell.exe``).

WSL distributions do not inherit the Windows roots (microsoft/WSL#3161), but an inspection CA
pushed by IT lands in the Windows store. Under WSL, ``powershell.exe`` runs the Windows side and
prints each certificate of ``Cert:\\LocalMachine\\Root`` and ``Cert:\\CurrentUser\\Root`` as PEM
(CRLF line endings). Parsing is separate from running so tests feed captured output.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

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
