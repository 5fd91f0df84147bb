"""macOS trust store: the ``security`` command over the system, system-roots and login keychains.

``security find-certificate -a -p KEYCHAIN...`` prints every certificate of the keychains as
concatenated PEM blocks; ``security dump-trust-settings [-d]`` lists the certificates that carry
explicit trust settings (admin domain with ``-d``), which is where an MDM-pushed inspection CA
shows up. Parsing is separate from running so tests feed captured output (tests/ca/data/).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tlsdoctor.core.x509 import Certificate, parse_pem_tolerant

SECURITY = "/usr/bin/security"
SYSTEM_KEYCHAIN = "/Library/Keychains/System.keychain"
SYSTEM_ROOTS_KEYCHAIN = "/System/Library/Keychains/SystemRootCertificates.keychain"
LOGIN_KEYCHAIN = "~/Library/Keychains/login.keychain-db"

Runner = Callable[[Sequence[str]], str]


def keychains(home: str | None = None) -> list[str]:
    login = LOGIN_KEYCHAIN.replace("~", home or os.path.expanduser("~"), 1)
    found = [SYSTEM_KEYCHAIN, SYSTEM_ROOTS_KEYCHAIN]
    if Path(login).exists():
        found.append(login)
    return found


def run_command(argv: Sequence[str], timeout: float = 20.0) -> str:
    """Run a read-only command and return its standard output ('' when it cannot run)."""
    try:
        done = subprocess.run(
            list(argv), capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.decode("utf-8", errors="replace")


def parse_find_certificate(output: str) -> list[Certificate]:
    """Certificates of ``security find-certificate -a -p`` output (unreadable blocks skipped)."""
    return parse_pem_tolerant(output)


@dataclass(frozen=True)
class TrustSetting:
    """One certificate of ``security dump-trust-settings`` and the result types it carries."""

    name: str
    results: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)

    @property
    def trusted_as_root(self) -> bool:
        # No explicit settings means "trust as root for everything" (SecTrustSettings docs).
        return not self.results or "kSecTrustSettingsResultTrustRoot" in self.results

    @property
    def denied(self) -> bool:
        return "kSecTrustSettingsResultDeny" in self.results


_CERT_LINE = re.compile(r"^Cert \d+: (.*)$")
_FIELD_LINE = re.compile(r"^\s+(Policy OID|Result Type)\s*: (.*)$")


def parse_trust_settings(output: str) -> list[TrustSetting]:
    """Parse ``security dump-trust-settings [-d]`` text into one entry per certificate."""
    entries: list[TrustSetting] = []
    for line in output.splitlines():
        head = _CERT_LINE.match(line)
        if head:
            entries.append(TrustSetting(name=head.group(1).strip()))
            continue
        found = _FIELD_LINE.match(line)
        if found and entries:
            target = (
                entries[-1].results if found.group(1) == "Result Type" else entries[-1].policies
            )
            value = found.group(2).strip()
            if value not in target:
                target.append(value)
    return entries


def subject_summary(cert: Certificate) -> str:
    """The name ``security`` prints for a certificate: CN, else OU, else O, else e-mail."""
    from cryptography.x509.oid import NameOID

    for oid in (
        NameOID.COMMON_NAME,
        NameOID.ORGANIZATIONAL_UNIT_NAME,
        NameOID.ORGANIZATION_NAME,
        NameOID.EMAIL_ADDRESS,
    ):
        values = cert.subject.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value).strip()
    return ""


def load_all_certificates(
    runner: Runner | None = None, home: str | None = None
) -> list[Certificate]:
    """Every certificate of the system, system-roots and login keychains (trusted or not)."""
    run = runner or run_command
    output = run([SECURITY, "find-certificate", "-a", "-p", *keychains(home)])
    return parse_find_certificate(output)


def select_trusted(
    system_roots: list[Certificate], others: list[Certificate], settings: list[TrustSetting]
) -> list[Certificate]:
    """Apple's roots unless denied, plus System/login certificates that carry trust settings
    (an administrator's or MDM's "Always Trust"): a certificate merely present is not trusted."""
    trusted = {s.name for s in settings if s.trusted_as_root and not s.denied}
    denied = {s.name for s in settings if s.denied}
    chosen = [c for c in system_roots if subject_summary(c) not in denied]
    chosen += [c for c in others if subject_summary(c) in trusted]
    return chosen


def load_roots(runner: Runner | None = None, home: str | None = None) -> list[Certificate]:
    """What macOS trusts for TLS: system roots + admin/user trust settings."""
    run = runner or run_command
    roots = parse_find_certificate(
        run([SECURITY, "find-certificate", "-a", "-p", SYSTEM_ROOTS_KEYCHAIN])
    )
    other_chains = [k for k in keychains(home) if k != SYSTEM_ROOTS_KEYCHAIN]
    others = parse_find_certificate(run([SECURITY, "find-certificate", "-a", "-p", *other_chains]))
    settings = parse_trust_settings(run([SECURITY, "dump-trust-settings", "-d"]))
    settings += parse_trust_settings(run([SECURITY, "dump-trust-settings"]))
    return select_trusted(roots, others, settings)


def admin_trust_settings(runner: Runner | None = None) -> list[TrustSetting]:
    """Certificates an administrator (or MDM) gave explicit trust settings."""
    run = runner or run_command
    return parse_trust_settings(run([SECURITY, "dump-trust-settings", "-d"]))
