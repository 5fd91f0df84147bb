"""Files that inspection agents leave on disk with their CA (Netskope, Cloudflare WARP, Zscaler).

Exporting the CA from the agent's own file is safer than taking "the last certificate the server
sent" (which may be an intermediate). Locations come from the vendors' documentation and helper
projects; ``confirmed`` says whether a public source was found for the exact path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tlsdoctor.core.x509 import Certificate, parse_pem_tolerant


@dataclass(frozen=True)
class AgentLocation:
    vendor: str
    platform: str  # "darwin" | "linux" | "windows" (Windows paths are relative to ProgramData)
    pattern: str  # a path, or a glob when it contains '*'
    confirmed: bool
    source: str


AGENT_LOCATIONS: tuple[AgentLocation, ...] = (
    # Netskope Client: nscacert.pem (root), nscacert_combined.pem (root + tenant), nstenantcert.pem.
    AgentLocation(
        "Netskope",
        "darwin",
        "Library/Application Support/Netskope/STAgent/data/nscacert.pem",
        True,
        "aberoham/fumitm test_suite/mock_data.py; Netskope community",
    ),
    AgentLocation(
        "Netskope",
        "darwin",
        "Library/Application Support/Netskope/STAgent/data/nscacert_combined.pem",
        True,
        "aberoham/fumitm test_suite/mock_data.py",
    ),
    AgentLocation(
        "Netskope",
        "linux",
        "opt/netskope/stagent/data/nscacert.pem",
        True,
        "aberoham/fumitm test_suite/mock_data.py",
    ),
    AgentLocation(
        "Netskope",
        "windows",
        "netskope/stagent/data/nscacert.pem",
        False,
        "Netskope community (%PROGRAMDATA%\\netskope\\stagent)",
    ),
    # Cloudflare One (WARP) client: installed_certs/<id>.pem and the older installed_cert.pem.
    AgentLocation(
        "Cloudflare WARP",
        "darwin",
        "Library/Application Support/Cloudflare/installed_certs/*.pem",
        True,
        "cloudflare-docs: user-side certificates, automated deployment",
    ),
    AgentLocation(
        "Cloudflare WARP",
        "darwin",
        "Library/Application Support/Cloudflare/installed_cert.pem",
        True,
        "cloudflare-docs: user-side certificates, automated deployment",
    ),
    AgentLocation(
        "Cloudflare WARP",
        "linux",
        "var/lib/cloudflare-warp/installed_cert.pem",
        True,
        "cloudflare-docs: user-side certificates, automated deployment",
    ),
    AgentLocation(
        "Cloudflare WARP",
        "linux",
        "usr/local/share/ca-certificates/managed-warp.pem",
        True,
        "cloudflare-docs: user-side certificates, automated deployment",
    ),
    AgentLocation(
        "Cloudflare WARP",
        "windows",
        "Cloudflare/installed_cert.pem",
        True,
        "cloudflare-docs: user-side certificates, automated deployment",
    ),
    # Zscaler Client Connector keeps its root in the OS store; these copies are common but
    # not documented by the vendor.
    AgentLocation(
        "Zscaler",
        "darwin",
        "Library/Application Support/Zscaler/*.crt",
        False,
        "[unconfirmed] admin scripts name ZscalerRootCertificate-2048-SHA256.crt",
    ),
    AgentLocation(
        "Zscaler",
        "linux",
        "usr/local/share/ca-certificates/ZscalerRootCertificate*.crt",
        False,
        "[unconfirmed] the file name Zscaler's root is distributed under",
    ),
)


@dataclass(frozen=True)
class AgentFile:
    vendor: str
    path: Path
    certificates: list[Certificate]


def _current_platform(environ: Mapping[str, str]) -> list[str]:
    if sys.platform == "darwin":
        return ["darwin"]
    if sys.platform == "win32":
        return ["windows"]
    from tlsdoctor.core.trust.wsl import is_wsl

    return ["linux", "windows"] if is_wsl(environ) else ["linux"]


def _base_for(platform: str, sysroot: Path | None, environ: Mapping[str, str]) -> Path:
    if platform != "windows":
        return sysroot if sysroot is not None else Path("/")
    if sysroot is not None:
        return sysroot / "ProgramData"
    if sys.platform == "win32":
        return Path(environ.get("PROGRAMDATA") or "C:\\ProgramData")
    return Path("/mnt/c/ProgramData")  # WSL: the Windows drive through DrvFs


def candidate_paths(
    *,
    sysroot: str | Path | None = None,
    platforms: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[tuple[str, Path]]:
    """Existing agent files as (vendor, path), for the given platforms (default: this one)."""
    env = os.environ if environ is None else environ
    root = Path(sysroot) if sysroot is not None else None
    if root is None and env.get("TLSDOCTOR_SYSROOT"):
        root = Path(env["TLSDOCTOR_SYSROOT"])
    wanted = platforms or (["linux"] if root is not None else _current_platform(env))
    found: list[tuple[str, Path]] = []
    for location in AGENT_LOCATIONS:
        if location.platform not in wanted:
            continue
        base = _base_for(location.platform, root, env)
        if "*" in location.pattern:
            parent, _sep, glob = location.pattern.rpartition("/")
            matches = sorted((base / parent).glob(glob)) if (base / parent).is_dir() else []
        else:
            matches = [base / location.pattern]
        found.extend((location.vendor, m) for m in matches if m.is_file())
    return found


def find_agent_files(
    *,
    sysroot: str | Path | None = None,
    platforms: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[AgentFile]:
    files: list[AgentFile] = []
    for vendor, path in candidate_paths(sysroot=sysroot, platforms=platforms, environ=environ):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        certs = parse_pem_tolerant(data)
        if not certs:
            from cryptography import x509

            try:
                certs = [x509.load_der_x509_certificate(data)]
            except (ValueError, x509.InvalidVersion):
                continue
        files.append(AgentFile(vendor=vendor, path=path, certificates=certs))
    return files


def load_roots(
    *,
    sysroot: str | Path | None = None,
    platforms: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[Certificate]:
    """Every certificate found in known agent files."""
    certs: list[Certificate] = []
    for agent_file in find_agent_files(sysroot=sysroot, platforms=platforms, environ=environ):
        certs.extend(agent_file.certificates)
    return certs
