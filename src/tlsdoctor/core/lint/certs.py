"""Committed certificates: inspection products' CAs and private (non-Mozilla) roots.

Public means in the installed certifi or in ``data/public_roots_history.toml`` (roots that
older certifi releases, Debian and other vendored Mozilla bundles still carry)."""

from __future__ import annotations

import base64
import contextlib
import re
import warnings
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509

PEM_MARKER = b"-----BEGIN CERTIFICATE-----"
# A PEM block as a file holds it, or embedded in other text: indented in a YAML block scalar
# (Helm values `ca: |`, ConfigMaps) or with escaped newlines in a JSON or code string.
_PEM_BLOCK = re.compile(
    rb"-----BEGIN CERTIFICATE-----(?P<body>[A-Za-z0-9+/=\s\\]{64,65536}?)-----END CERTIFICATE-----"
)
_PEM_NOISE = re.compile(rb"\\[nrt]|\s")


@dataclass(frozen=True)
class CertHit:
    check: str  # "inspection_ca" | "private_root"
    line: int
    detail: str


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _load(data: bytes, der: bool) -> list[tuple[int, x509.Certificate]]:
    with warnings.catch_warnings():  # a negative serial: cryptography warns on stderr
        warnings.simplefilter("ignore")
        return _load_quietly(data, der)


def _load_quietly(data: bytes, der: bool) -> list[tuple[int, x509.Certificate]]:
    from cryptography import x509

    found: list[tuple[int, x509.Certificate]] = []
    blocks = list(_PEM_BLOCK.finditer(data)) if PEM_MARKER in data else []
    for block in blocks:
        try:
            body = base64.b64decode(_PEM_NOISE.sub(b"", block["body"]), validate=True)
            found.append((_line_of(data, block.start()), x509.load_der_x509_certificate(body)))
        except (ValueError, x509.InvalidVersion):
            continue
    if der and not blocks and data[:1] == b"\x30":
        with contextlib.suppress(ValueError, x509.InvalidVersion):
            found.append((1, x509.load_der_x509_certificate(data)))
    return found


@cache
def _mozilla_roots() -> frozenset[tuple[bytes, bytes]]:
    """(subject, public key) of every root in certifi's Mozilla bundle."""
    import certifi
    from cryptography import x509

    with open(certifi.where(), "rb") as f:
        certs = x509.load_pem_x509_certificates(f.read())
    return frozenset((c.subject.public_bytes(), _spki(c)) for c in certs)


def _spki(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _is_ca(cert: x509.Certificate) -> bool:
    from cryptography import x509

    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return cert.subject == cert.issuer  # v1 roots carry no extensions
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
        return False  # extensions that do not parse: not a CA we can judge


def _vendor(name: x509.Name) -> str | None:
    try:
        from tlsdoctor.core.vendors import identify
    except ImportError:  # pragma: no cover - the vendors catalog ships with tlsdoctor
        return None
    try:
        return identify(name)
    except (ValueError, KeyError):
        return None


def _subject(cert: x509.Certificate) -> str:
    from tlsdoctor.core.x509 import name_text  # cryptography only when a certificate is found

    return name_text(cert.subject)


def check_certificates(data: bytes, checks: frozenset[str], *, der: bool = True) -> list[CertHit]:
    """Certificates in ``data``: PEM blocks anywhere in it, or the whole file as DER."""
    hits: list[CertHit] = []
    for line, cert in _load(data, der):
        try:
            hit = _check_one(cert, line, checks)
        except (ValueError, TypeError):  # a certificate that cannot be read is skipped
            continue
        if hit is not None:
            hits.append(hit)
    return hits


def _check_one(cert: x509.Certificate, line: int, checks: frozenset[str]) -> CertHit | None:
    from tlsdoctor.core.caexport import former_public_fingerprints
    from tlsdoctor.core.x509 import sha256_fingerprint

    product = _vendor(cert.subject) or _vendor(cert.issuer)
    if product and "inspection_ca" in checks:
        return CertHit("inspection_ca", line, f"{product}: {_subject(cert)}")
    if "private_root" not in checks or cert.subject != cert.issuer or not _is_ca(cert):
        return None
    if (cert.subject.public_bytes(), _spki(cert)) in _mozilla_roots():
        return None
    if sha256_fingerprint(cert) in former_public_fingerprints():
        return None  # public in another Mozilla snapshot (older certifi, Debian, grpc, pip)
    return CertHit("private_root", line, _subject(cert))
