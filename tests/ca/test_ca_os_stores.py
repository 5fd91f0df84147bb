"""OS trust-store readers on captured command output (macOS, Windows and WSL cannot run here)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tlsdoctor.core.caexport import windows_store_hints
from tlsdoctor.core.trust import agents, macos, windows, wsl
from tlsdoctor.core.x509 import describe, load_certificate_file, sha256_fingerprint

DATA = Path(__file__).resolve().parent / "data"
INSPECTION = load_certificate_file(DATA / "inspection-root.pem")[0]
INSPECTION_FP = sha256_fingerprint(INSPECTION)


def subjects(certs: Sequence) -> list[str]:  # type: ignore[type-arg]
    return [describe(c).subject for c in certs]


# --------------------------------------------------------------------------- macOS


def test_macos_find_certificate_capture() -> None:
    output = (DATA / "macos_find_certificate.txt").read_text()
    certs = macos.parse_find_certificate(output)
    assert len(certs) == 5
    assert sha256_fingerprint(certs[0]) == INSPECTION_FP
    assert "CN=ISRG Root X1" in subjects(certs)[1]


def test_macos_runner_gets_the_three_keychains(tmp_path: Path) -> None:
    login = tmp_path / "Library/Keychains/login.keychain-db"
    login.parent.mkdir(parents=True)
    login.touch()
    seen: list[list[str]] = []

    def runner(argv: Sequence[str]) -> str:
        seen.append(list(argv))
        return (DATA / "macos_find_certificate.txt").read_text()

    certs = macos.load_all_certificates(runner=runner, home=str(tmp_path))
    assert len(certs) == 5
    assert seen == [
        [
            "/usr/bin/security",
            "find-certificate",
            "-a",
            "-p",
            "/Library/Keychains/System.keychain",
            "/System/Library/Keychains/SystemRootCertificates.keychain",
            str(login),
        ]
    ]


def test_macos_trusted_roots_follow_trust_settings(tmp_path: Path) -> None:
    """Apple's roots + System/login certificates with trust settings; a Deny setting wins."""
    blocks = (DATA / "macos_find_certificate.txt").read_text().split("-----END CERTIFICATE-----\n")
    pem = [b + "-----END CERTIFICATE-----\n" for b in blocks if b.strip()]
    outputs = {
        "SystemRootCertificates": "".join(pem[1:4]),  # the three public roots
        "System.keychain": pem[0] + pem[4],  # Zscaler-like root + the login-only certificate
        "dump-trust-settings -d": (DATA / "macos_dump_trust_settings_admin.txt").read_text(),
        "dump-trust-settings": "",  # no user-domain settings (security prints to stderr)
    }

    def runner(argv: Sequence[str]) -> str:
        line = " ".join(argv)
        return next(out for key, out in outputs.items() if key in line)

    certs = macos.load_roots(runner=runner, home=str(tmp_path))
    names = [macos.subject_summary(c) for c in certs]
    assert names == ["ISRG Root X1", "DigiCert Global Root G2", "GlobalSign", "Zscaler Root CA"]


def test_macos_damaged_block_does_not_hide_the_others() -> None:
    output = (DATA / "macos_find_certificate.txt").read_text()
    blocks = output.split("-----END CERTIFICATE-----\n")
    lines = blocks[1].splitlines()
    damaged = "\n".join([*lines[:3], lines[3][::-1], *lines[4:]]) + "\n"
    text = "-----END CERTIFICATE-----\n".join([blocks[0], damaged, *blocks[2:]])
    assert len(macos.parse_find_certificate(text)) == 4


def test_macos_trust_settings_capture() -> None:
    settings = macos.parse_trust_settings(
        (DATA / "macos_dump_trust_settings_admin.txt").read_text()
    )
    assert [s.name for s in settings] == ["Zscaler Root CA", "Corp Dev Signing (login keychain)"]
    zscaler, corp = settings
    assert zscaler.trusted_as_root and not zscaler.denied  # no settings = trusted for everything
    assert corp.policies == ["SSL", "Apple X509 Basic"]
    assert corp.denied


def test_macos_without_security_command_is_empty() -> None:
    assert macos.load_roots(runner=lambda argv: "") == []
    assert macos.load_all_certificates(runner=lambda argv: "") == []


# --------------------------------------------------------------------------- Windows


def captured_enum() -> list[tuple[bytes, str, object]]:
    raw = json.loads((DATA / "windows_enum_certificates_root.json").read_text())
    return [
        (base64.b64decode(der), enc, set(trust) if isinstance(trust, list) else trust)
        for der, enc, trust in raw
    ]


def test_windows_enum_certificates_capture() -> None:
    certs = windows.parse_enum_certificates(captured_enum())
    # x509 entries trusted for everything or for serverAuth; code-signing-only and PKCS#7 left out
    assert len(certs) == 3
    assert INSPECTION_FP in {sha256_fingerprint(c) for c in certs}
    assert not any("Code Signing" in s for s in subjects(certs))


def test_windows_load_roots_reads_root_and_ca_stores() -> None:
    asked: list[str] = []

    def enum(store: str) -> list[tuple[bytes, str, object]]:
        asked.append(store)
        return captured_enum() if store == "ROOT" else []

    assert len(windows.load_roots(enum=enum)) == 3
    assert windows.load_intermediates(enum=enum) == []
    assert asked == ["ROOT", "CA"]


def test_windows_off_windows_is_empty() -> None:
    assert windows.load_roots() == []  # no ssl.enum_certificates on Linux


# --------------------------------------------------------------------------- WSL


def test_wsl_powershell_capture_crlf() -> None:
    output = (DATA / "wsl_powershell_root.txt").read_bytes()
    assert b"\r\n" in output
    certs = wsl.parse_powershell_output(output)
    assert len(certs) == 2
    assert sha256_fingerprint(certs[1]) == INSPECTION_FP


def test_wsl_powershell_output_in_utf16_too() -> None:
    text = (DATA / "wsl_powershell_root.txt").read_text()
    assert len(wsl.parse_powershell_output(text.encode("utf-16"))) == 2


def test_wsl_runner_gets_the_export_script() -> None:
    seen: list[list[str]] = []

    def runner(argv: Sequence[str]) -> bytes:
        seen.append(list(argv))
        return (DATA / "wsl_powershell_root.txt").read_bytes()

    assert len(wsl.load_roots(runner=runner)) == 2
    argv = seen[0]
    assert argv[:4] == ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command"]
    assert "Cert:\\LocalMachine\\Root" in argv[4] and "Cert:\\CurrentUser\\Root" in argv[4]
    assert "'InsertLineBreaks'" in argv[4]


def test_wsl_certutil_listing_capture() -> None:
    entries = wsl.parse_certutil_store((DATA / "wsl_certutil_store_root.txt").read_bytes())
    assert [wsl.common_name(e.subject) for e in entries] == [
        "Microsoft Root Certificate Authority",
        "Zscaler Root CA",
    ]
    assert entries[1].sha1 == "d72f47d87fef8ea86d9145a4517a4e9af1fa766b"
    assert entries[1].not_after == "10/27/2042 12:27 AM"
    seen: list[list[str]] = []

    def runner(argv: Sequence[str]) -> bytes:
        seen.append(list(argv))
        return (DATA / "wsl_certutil_store_root.txt").read_bytes()

    assert len(wsl.load_store_entries(runner=runner)) == 2
    assert seen == [["certutil.exe", "-store", "Root"]]
    hints = windows_store_hints(
        "CN=Zscaler Root CA,OU=Zscaler Inc.,O=Zscaler Inc.,L=San Jose,ST=California,C=US",
        entries,
    )
    assert len(hints) == 1 and "SHA-1 d72f47d87fef8ea86d9145a4517a4e9af1fa766b" in hints[0]
    assert windows_store_hints("CN=Other Root", entries) == []


@pytest.mark.parametrize(
    ("environ", "files", "expected"),
    [
        ({"WSL_DISTRO_NAME": "Ubuntu"}, {}, True),
        ({"WSL_INTEROP": "/run/WSL/8_interop"}, {}, True),
        ({}, {"sys/fs/binfmt_misc/WSLInterop": "enabled\n"}, True),
        ({}, {"sys/kernel/osrelease": "5.15.153.1-microsoft-standard-WSL2\n"}, True),
        ({}, {"sys/kernel/osrelease": "6.1.0-18-amd64\n"}, False),
        ({}, {}, False),
    ],
)
def test_wsl_detection(
    environ: dict[str, str], files: dict[str, str], expected: bool, tmp_path: Path
) -> None:
    for relative, content in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    assert wsl.is_wsl(environ, proc=tmp_path) is expected


# --------------------------------------------------------------------------- agent files


def plant(root: Path, relative: str, data: bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_agent_files_on_linux_macos_and_windows_layouts(tmp_path: Path) -> None:
    pem = (DATA / "inspection-root.pem").read_bytes()
    der = INSPECTION.public_bytes(serialization.Encoding.DER)
    plant(tmp_path, "opt/netskope/stagent/data/nscacert.pem", pem)
    plant(tmp_path, "var/lib/cloudflare-warp/installed_cert.pem", pem.replace(b"\n", b"\r\n"))
    plant(tmp_path, "Library/Application Support/Cloudflare/installed_certs/abc123.pem", pem)
    plant(tmp_path, "Library/Application Support/Netskope/STAgent/data/nscacert.pem", der)
    plant(tmp_path, "ProgramData/netskope/stagent/data/nscacert.pem", pem)
    plant(tmp_path, "opt/netskope/stagent/data/not-listed.pem", pem)

    linux = agents.find_agent_files(sysroot=tmp_path, platforms=["linux"])
    assert [(f.vendor, f.path.relative_to(tmp_path).as_posix()) for f in linux] == [
        ("Netskope", "opt/netskope/stagent/data/nscacert.pem"),
        ("Cloudflare WARP", "var/lib/cloudflare-warp/installed_cert.pem"),
    ]
    darwin = agents.find_agent_files(sysroot=tmp_path, platforms=["darwin"])
    assert {f.vendor for f in darwin} == {"Netskope", "Cloudflare WARP"}
    assert all(sha256_fingerprint(f.certificates[0]) == INSPECTION_FP for f in darwin)
    win = agents.find_agent_files(sysroot=tmp_path, platforms=["windows"])
    assert [f.vendor for f in win] == ["Netskope"]


def test_agent_locations_cite_a_source() -> None:
    for location in agents.AGENT_LOCATIONS:
        assert location.source
        assert (
            location.confirmed
            or "unconfirmed" in location.source.lower()
            or location.platform == "windows"
        )
