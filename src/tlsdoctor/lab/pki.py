"""Certificates for the lab: a "public" root with its sites, and the inspection CA.

Everything is made with ``cryptography`` and carries the extensions strict validators ask for
(critical basicConstraints, keyUsage, SKI/AKI, subjectAltName), so Python 3.13's
VERIFY_X509_STRICT accepts the lab's public sites. ``compliant=False`` builds the inspection CA
the way some appliances do (basicConstraints not critical, no SKI/AKI) to test strict findings.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_ATTRIBUTES = {
    "C": NameOID.COUNTRY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "L": NameOID.LOCALITY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "CN": NameOID.COMMON_NAME,
    "emailAddress": NameOID.EMAIL_ADDRESS,
}

PUBLIC_ROOT_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tlsdoctor lab"),
        x509.NameAttribute(NameOID.COMMON_NAME, "tlsdoctor Lab Public Root CA"),
    ]
)
PUBLIC_INTERMEDIATE_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tlsdoctor lab"),
        x509.NameAttribute(NameOID.COMMON_NAME, "tlsdoctor Lab Public Issuing CA"),
    ]
)


def name_from_pairs(pairs: list[list[str]]) -> x509.Name:
    return x509.Name([x509.NameAttribute(_ATTRIBUTES[key], value) for key, value in pairs])


def parse_name(text: str) -> x509.Name:
    """A distinguished name as users write it: "CN=Acme Inspection CA,O=Acme" (RFC 4514)."""
    try:
        name = x509.Name.from_rfc4514_string(text.strip())
    except ValueError as err:
        raise UsageError(
            _(
                "--ca-name {value!r} is not a distinguished name: {error}",
                value=text,
                error=str(err) or _("expected ATTRIBUTE=value pairs separated by commas"),
            ),
            hint=_('write it like "CN=Acme Inspection CA,O=Acme Corp"'),
        ) from err
    if not name.get_attributes_for_oid(NameOID.COMMON_NAME):
        raise UsageError(
            _("--ca-name {value!r} has no CN", value=text),
            hint=_('write it like "CN=Acme Inspection CA,O=Acme Corp"'),
        )
    return name


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _builder(
    subject: x509.Name,
    issuer_name: x509.Name,
    key: PrivateKey,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    basic_constraints: x509.BasicConstraints,
    bc_critical: bool,
    *,
    cert_sign: bool,
) -> x509.CertificateBuilder:
    """What every lab certificate starts with: names, key, validity, basicConstraints, keyUsage."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(basic_constraints, critical=bc_critical)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=not cert_sign and isinstance(key, rsa.RSAPrivateKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=cert_sign,
                crl_sign=cert_sign,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )


def _with_aia(builder: x509.CertificateBuilder, aia_url: str | None) -> x509.CertificateBuilder:
    """Add an AIA caIssuers URL when one is given."""
    if not aia_url:
        return builder
    return builder.add_extension(
        x509.AuthorityInformationAccess(
            [
                x509.AccessDescription(
                    AuthorityInformationAccessOID.CA_ISSUERS,
                    x509.UniformResourceIdentifier(aia_url),
                )
            ]
        ),
        critical=False,
    )


def make_ca(
    subject: x509.Name,
    key: PrivateKey,
    *,
    issuer: x509.Certificate | None = None,
    issuer_key: PrivateKey | None = None,
    compliant: bool = True,
    aia_url: str | None = None,
    days: int = 3650,
) -> x509.Certificate:
    """A root (no issuer) or an intermediate CA certificate."""
    now = _now()
    signer = issuer_key or key
    builder = _builder(
        subject,
        issuer.subject if issuer is not None else subject,
        key,
        now - datetime.timedelta(days=2),
        now + datetime.timedelta(days=days),
        x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0),
        compliant,
        cert_sign=True,
    )
    if compliant:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
            critical=False,
        )
    return _with_aia(builder, aia_url).sign(signer, hashes.SHA256())


def make_leaf(
    dns_names: list[str],
    key: PrivateKey,
    issuer: x509.Certificate,
    issuer_key: PrivateKey,
    *,
    expired: bool = False,
    aia_url: str | None = None,
) -> x509.Certificate:
    """A server certificate for ``dns_names`` (the first is the CN); self-signed when
    ``issuer_key is key``."""
    now = _now()
    if expired:
        not_before, not_after = now - datetime.timedelta(days=90), now - datetime.timedelta(days=30)
    else:
        not_before, not_after = now - datetime.timedelta(days=1), now + datetime.timedelta(days=90)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_names[0])])
    builder = (
        _builder(
            subject,
            subject if issuer_key is key else issuer.subject,
            key,
            not_before,
            not_after,
            x509.BasicConstraints(ca=False, path_length=None),
            True,
            cert_sign=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    return _with_aia(builder, aia_url).sign(issuer_key, hashes.SHA256())


def cert_pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_public(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    path.chmod(0o644)
    return path


def write_secret(path: Path, data: bytes) -> Path:
    """Create ``path`` readable by its owner only, from the first byte (no chmod race)."""
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


@dataclass(frozen=True)
class SiteCert:
    """A server's certificate chain (leaf first, as sent) and key, written to one PEM file."""

    chain_file: Path
    key_file: Path
