"""Where trusted roots come from (one module per source) and a small immutable root set.

``mozilla_roots()`` is the reference public set (certifi's copy of Mozilla's roots, or the PEM
file given with ``--roots``); ``os_roots()`` is what the operating system trusts. Path validation
against a set lives in :mod:`tlsdoctor.core.trust.verify`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

__all__ = [
    "RootStore",
    "certificates_from_pem",
    "fingerprint",
    "load_root_file",
    "mozilla_roots",
    "os_roots",
]

_PEM_BLOCK = re.compile(
    rb"-----BEGIN (?:TRUSTED )?CERTIFICATE-----\s*(.+?)\s*-----END (?:TRUSTED )?CERTIFICATE-----",
    re.DOTALL,
)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER encoding, lower-case hex without separators."""
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


@dataclass(frozen=True)
class RootStore:
    """A named set of trust anchors. ``source`` says where they were read from (path or API)."""

    name: str
    source: str | None
    certificates: tuple[x509.Certificate, ...] = field(default=())

    @cached_property
    def _fingerprints(self) -> frozenset[str]:
        return frozenset(fingerprint(c) for c in self.certificates)

    @cached_property
    def _by_subject(self) -> dict[bytes, list[x509.Certificate]]:
        index: dict[bytes, list[x509.Certificate]] = {}
        for cert in self.certificates:
            index.setdefault(cert.subject.public_bytes(), []).append(cert)
        return index

    def contains(self, cert: x509.Certificate) -> bool:
        """Exactly this certificate (SHA-256 of its DER) is in the set."""
        return fingerprint(cert) in self._fingerprints

    def by_subject(self, name: x509.Name) -> list[x509.Certificate]:
        """Anchors whose subject is ``name`` (DER comparison)."""
        return list(self._by_subject.get(name.public_bytes(), []))

    def __len__(self) -> int:
        return len(self.certificates)

    def __bool__(self) -> bool:
        return True


def certificates_from_pem(data: bytes) -> list[x509.Certificate]:
    """Every parseable certificate of a PEM bundle; a broken block is skipped, not fatal."""
    found: list[x509.Certificate] = []
    for match in _PEM_BLOCK.finditer(data):
        block = b"-----BEGIN CERTIFICATE-----\n" + match.group(1) + b"\n-----END CERTIFICATE-----\n"
        try:
            found.append(x509.load_pem_x509_certificate(block))
        except (ValueError, x509.InvalidVersion):
            continue
    return found


def load_root_file(path: str | Path) -> list[x509.Certificate]:
    """Certificates from a file a user hands us (PEM bundle, or anything x509.py understands)."""
    data = Path(path).read_bytes()
    certs = certificates_from_pem(data)
    if certs:
        return certs
    try:
        from tlsdoctor.core import x509 as tls_x509
    except ImportError:  # the CA work's loader is optional here
        return []
    loader = getattr(tls_x509, "load_certificates", None)
    if loader is None:
        return []
    try:
        return list(loader(data))
    except Exception:
        return []


def dedupe(certs: Iterable[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    seen: set[str] = set()
    unique: list[x509.Certificate] = []
    for cert in certs:
        key = fingerprint(cert)
        if key not in seen:
            seen.add(key)
            unique.append(cert)
    return tuple(unique)


def mozilla_roots(path: str | Path | None = None) -> RootStore:
    from tlsdoctor.core.trust.mozilla import mozilla_roots as _load

    return _load(path)


def os_roots(sysroot: str | Path | None = None) -> RootStore:
    from tlsdoctor.core.trust.linux import os_roots as _load

    return _load(sysroot)
