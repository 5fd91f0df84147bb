"""The one certificate factory of the test suite: roots, intermediates and leaves with chosen
defects. Every test that needs an X.509 certificate builds it here (``import certfactory``;
tests/ is on sys.path)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.timezone.utc)
Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def name(cn: str, o: str = "tlsdoctor tests") -> x509.Name:
    """``O=o, CN=cn`` (the CA tests' default subject)."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, o),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def cn_name(cn: str, o: str | None = None) -> x509.Name:
    """``CN=cn`` then, if given, ``O=o`` (the order the detect tests compare against)."""
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if o:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    return x509.Name(attrs)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def general_name(value: str) -> x509.GeneralName:
    """An IP address SAN for an IP literal, a DNS name otherwise."""
    try:
        return x509.IPAddress(ipaddress.ip_address(value))
    except ValueError:
        return x509.DNSName(value)


@dataclass
class Issued:
    cert: x509.Certificate
    key: Key
    parents: list[x509.Certificate] = field(default_factory=list)  # issuer first, root last

    @property
    def chain(self) -> list[x509.Certificate]:
        """This certificate and the ones above it, up to the root."""
        return [self.cert, *self.parents]

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    key: Key,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )


def _aki(issuer: Issued) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())


def make_ca(
    cn: str | x509.Name,
    *,
    issuer: Issued | None = None,
    key: Key | None = None,
    bc_critical: bool = True,
    with_bc: bool = True,
    key_usage: bool = True,
    cert_sign: bool = True,
    ski: bool = True,
    aki: bool = True,
    aia_url: str | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    o: str = "tlsdoctor tests",
    subject: x509.Name | None = None,
    hash_alg: hashes.HashAlgorithm | None = None,
) -> Issued:
    """A CA signed by ``issuer`` (a self-signed root without one), valid from a day ago for ten
    years unless told otherwise. Subject ``name(cn, o)``; ``cn`` may also be a whole
    ``x509.Name``, and ``subject`` replaces the name whatever ``cn`` is."""
    key = key or ec_key()
    subject = subject or (cn if isinstance(cn, x509.Name) else name(cn, o))
    signer_key = issuer.key if issuer else key
    builder = _builder(
        subject,
        issuer.cert.subject if issuer else subject,
        key,
        not_before or NOW - dt.timedelta(days=1),
        not_after or NOW + dt.timedelta(days=3650),
    )
    if with_bc:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None), bc_critical
        )
    if key_usage:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=cert_sign,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        )
    if ski:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
    if aki and issuer is not None:
        builder = builder.add_extension(_aki(issuer), False)
    if aia_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(aia_url),
                    )
                ]
            ),
            False,
        )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), False)
    cert = builder.sign(signer_key, hash_alg or hashes.SHA256())
    return Issued(cert, key, issuer.chain if issuer else [])


def make_leaf(
    host: str,
    issuer: Issued | None,
    *,
    sans: Sequence[str] | None = None,
    subject: x509.Name | None = None,
    aki: bool = True,
    san: bool = True,
    san_critical: bool = False,
    bc: bool = True,
    ski: bool = True,
    eku: list[x509.ObjectIdentifier] | None = None,
    expired: bool = False,
    not_after: dt.datetime | None = None,
) -> Issued:
    """An end-entity certificate for ``host`` signed by ``issuer`` (self-signed when ``None``).

    Subject ``name(host)`` unless ``subject`` is given; SANs ``sans`` (default ``[host]``; IP
    literals become IP address SANs); EKU serverAuth unless ``eku`` says otherwise. Valid from a
    day ago for 90 days (``not_after`` to change the end); ``expired`` makes it valid from 30
    days ago until yesterday.
    """
    key = ec_key()
    subject = subject or name(host)
    if expired:
        not_before, not_after = NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=1)
    else:
        not_before, not_after = NOW - dt.timedelta(days=1), not_after or NOW + dt.timedelta(days=90)
    builder = _builder(
        subject, issuer.cert.subject if issuer else subject, key, not_before, not_after
    )
    if bc:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
    builder = builder.add_extension(
        x509.ExtendedKeyUsage(eku or [ExtendedKeyUsageOID.SERVER_AUTH]), False
    )
    if ski:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([general_name(n) for n in sans or [host]]), san_critical
        )
    if aki and issuer is not None:
        builder = builder.add_extension(_aki(issuer), False)
    cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    return Issued(cert, key, issuer.chain if issuer else [])


def make_v1_root(cn: str) -> Issued:
    key = ec_key()
    subject = name(cn)
    cert = _builder(
        subject, subject, key, NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=365)
    ).sign(key, hashes.SHA256())
    # cryptography always writes v3; re-encode the version field away (v1 = no [0] tag).
    return Issued(_as_v1(cert, key), key)


def _as_v1(cert: x509.Certificate, key: Key) -> x509.Certificate:
    """Build a v1 certificate by hand: TBS without the version and extensions, then sign."""
    from cryptography.hazmat.primitives.asymmetric import ec as _ec

    der = cert.tbs_certificate_bytes
    # TBSCertificate ::= SEQUENCE { [0] version, serial, sigAlg, issuer, validity, subject, spki }
    body = _children(der)
    without_version = [c for c in body if c[0] != 0xA0]
    tbs = _seq(b"".join(without_version))
    assert isinstance(key, _ec.EllipticCurvePrivateKey)
    signature = key.sign(tbs, _ec.ECDSA(hashes.SHA256()))
    sig_alg = _children(cert.public_bytes(serialization.Encoding.DER))[1]
    bitstring = b"\x03" + _len(len(signature) + 1) + b"\x00" + signature
    return x509.load_der_x509_certificate(_seq(tbs + sig_alg + bitstring))


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _seq(content: bytes) -> bytes:
    return b"\x30" + _len(len(content)) + content


def _children(der: bytes) -> list[bytes]:
    """The DER TLVs inside the outer SEQUENCE of ``der``."""

    def header(data: bytes, at: int) -> tuple[int, int]:
        length = data[at + 1]
        if length & 0x80:
            count = length & 0x7F
            return at + 2 + count, int.from_bytes(data[at + 2 : at + 2 + count], "big")
        return at + 2, length

    start, total = header(der, 0)
    out: list[bytes] = []
    at = start
    while at < start + total:
        content_at, length = header(der, at)
        out.append(der[at : content_at + length])
        at = content_at + length
    return out
