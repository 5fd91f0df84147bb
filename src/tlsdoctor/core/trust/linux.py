"""The operating system's trust store.

On Linux it is the distribution's PEM bundle (the first that exists under the system root, which
TLSDOCTOR_SYSROOT can move for tests); macOS, Windows and WSL are read by their own modules.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

from tlsdoctor.core.trust import RootStore, dedupe, load_root_file

# The bundle each distribution family maintains (update-ca-certificates / update-ca-trust ...).
LINUX_BUNDLES = (
    "etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Gentoo, Alpine (ca-certificates)
    "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # RHEL, Fedora, CentOS
    "etc/pki/tls/certs/ca-bundle.crt",  # RHEL, Fedora (legacy link)
    "etc/ca-certificates/extracted/tls-ca-bundle.pem",  # Arch
    "etc/ssl/cert.pem",  # Alpine, macOS/BSD style
    "var/lib/ca-certificates/ca-bundle.pem",  # openSUSE, SLES
    "etc/ssl/ca-bundle.pem",  # openSUSE, SLES (link)
)


def system_root(sysroot: str | Path | None = None) -> Path:
    if sysroot is not None:
        return Path(sysroot)
    return Path(os.environ.get("TLSDOCTOR_SYSROOT") or "/")


def linux_roots(sysroot: str | Path | None = None) -> RootStore:
    root = system_root(sysroot)
    for relative in LINUX_BUNDLES:
        path = root / relative
        try:
            certs = load_root_file(path)
        except OSError:
            continue
        if certs:
            return RootStore(name="os", source=str(path), certificates=dedupe(certs))
    return RootStore(name="os", source=None, certificates=())


def is_wsl() -> bool:
    try:
        text = Path("/proc/sys/kernel/osrelease").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return "microsoft" in text.lower()


def os_roots(sysroot: str | Path | None = None) -> RootStore:
    """What the OS trusts. A sysroot (argument or TLSDOCTOR_SYSROOT) always means a Linux tree."""
    if sysroot is None and not os.environ.get("TLSDOCTOR_SYSROOT"):
        module = _platform_module()
        if module is not None:
            store = _from_platform(module)
            if store is not None:
                return store
    return linux_roots(sysroot)


def _platform_module() -> str | None:
    if sys.platform == "darwin":
        return "tlsdoctor.core.trust.macos"
    if sys.platform == "win32":
        return "tlsdoctor.core.trust.windows"
    if sys.platform.startswith("linux") and is_wsl():
        return "tlsdoctor.core.trust.wsl"
    return None


def _from_platform(module_name: str) -> RootStore | None:
    try:
        module = importlib.import_module(module_name)
        loaded: Any = module.load_roots()
    except Exception:  # a reader that is missing or fails must not break detection
        return None
    if isinstance(loaded, RootStore):
        return loaded if loaded.certificates else None
    if not loaded:
        return None
    return RootStore(name="os", source=module_name, certificates=dedupe(loaded))
