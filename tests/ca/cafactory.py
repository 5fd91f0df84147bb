"""Certificate factory for the CA tests: roots, intermediates and leaves with chosen defects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.timezone.utc)
Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def name(cn: str, o: str = "tlsdoctor tests") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, o),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class Issued:
    cert: x509.Certificate
    key: Key

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


def make_ca(
    cn: str,
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
    not_after: dt.datetime | None = None,
    o: str = "tlsdoctor tests",
    subject: x509.Name | None = None,
    hash_alg: hashes.HashAlgorithm | None = None,
) -> Issued:
    key = key or ec_key()
    subject = subject or name(cn, o)
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=3650))
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
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
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
    return Issued(cert, key)


def make_leaf(
    host: str,
    issuer: Issued,
    *,
    aki: bool = True,
    san: bool = True,
    san_critical: bool = False,
) -> Issued:
    key = ec_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(host))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host)]), san_critical
        )
    if aki:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
    return Issued(builder.sign(issuer.key, hashes.SHA256()), key)


def make_v1_root(cn: str) -> Issued:
    key = ec_key()
    subject = name(cn)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
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
