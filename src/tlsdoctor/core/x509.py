"""Load anything a user may hand over as "the certificate", describe it, and lint it.

Accepted: PEM (also with CRLF, a BOM, indentation or text around it, or ``\\n`` escapes as found in
JSON/YAML), DER, base64 without armour, PKCS#7 (``.p7b``/``.p7c``, PEM or DER), PKCS#12 without a
password, and UTF-16 text as Windows tools export it. Anything else raises
:class:`tlsdoctor.errors.InputError` with one line naming what was found instead.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

from tlsdoctor.core.utf16 import utf16_codec
from tlsdoctor.errors import InputError
from tlsdoctor.i18n import N_, _, os_reason
from tlsdoctor.paths import READ_WITHOUT_WAITING

Certificate = x509.Certificate

__all__ = [
    "MAX_INPUT_BYTES",
    "CertInfo",
    "Certificate",
    "Defect",
    "describe",
    "format_fingerprint",
    "is_self_signed",
    "load_certificate_file",
    "load_certificates",
    "parse_pem_tolerant",
    "read_input_file",
    "sha256_fingerprint",
    "strict_defects",
    "to_pem",
]

# A full Mozilla bundle is about 220 KB; nothing a user hands us as "the CA" is near this size.
MAX_INPUT_BYTES = 16 * 1024 * 1024

_PEM_BLOCK = re.compile(
    r"-----BEGIN ([A-Z0-9 #]+)-----(.*?)-----END ([A-Z0-9 #]+)-----",
    re.DOTALL,
)
_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 #]+)-----")
_BASE64_ONLY = re.compile(r"^[A-Za-z0-9+/=\s_-]+$")
# Shorter "base64-only" text is a word, a hex fingerprint or a damaged paste: not called base64.
_SHORTEST_BASE64_CERT = 200

_CERT_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
_PKCS7_LABELS = frozenset({"PKCS7", "PKCS #7 SIGNED DATA", "CMS"})

# What a PEM label means when it is not a certificate (message marked for translation).
_OTHER_LABELS: dict[str, str] = {
    "PRIVATE KEY": N_("this is a private key, not a certificate"),
    "RSA PRIVATE KEY": N_("this is a private key, not a certificate"),
    "EC PRIVATE KEY": N_("this is a private key, not a certificate"),
    "DSA PRIVATE KEY": N_("this is a private key, not a certificate"),
    "OPENSSH PRIVATE KEY": N_("this is an SSH private key, not a certificate"),
    "ENCRYPTED PRIVATE KEY": N_("this is an encrypted private key, not a certificate"),
    "PUBLIC KEY": N_("this is a public key, not a certificate"),
    "RSA PUBLIC KEY": N_("this is a public key, not a certificate"),
    "CERTIFICATE REQUEST": N_("this is a certificate signing request (CSR), not a certificate"),
    "NEW CERTIFICATE REQUEST": N_("this is a certificate signing request (CSR), not a certificate"),
    "X509 CRL": N_("this is a certificate revocation list (CRL), not a certificate"),
    "PGP PUBLIC KEY BLOCK": N_("this is a PGP key, not an X.509 certificate"),
    "PGP PRIVATE KEY BLOCK": N_("this is a PGP key, not an X.509 certificate"),
    "PGP SIGNATURE": N_("this is a PGP signature, not an X.509 certificate"),
    "PGP MESSAGE": N_("this is a PGP message, not an X.509 certificate"),
    "DH PARAMETERS": N_("these are Diffie-Hellman parameters, not a certificate"),
    "EC PARAMETERS": N_("these are EC parameters, not a certificate"),
    "SSH2 PUBLIC KEY": N_("this is an SSH public key, not a certificate"),
}

# Magic numbers of common files handed over by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", N_("this is a ZIP archive; extract the certificate file from it first")),
    (b"\x1f\x8b", N_("this is a gzip-compressed file; decompress it first")),
    (b"%PDF", N_("this is a PDF document, not a certificate")),
    (b"\x89PNG", N_("this is a PNG image, not a certificate")),
    (b"\xff\xd8\xff", N_("this is a JPEG image, not a certificate")),
    (b"GIF8", N_("this is a GIF image, not a certificate")),
    (b"\x7fELF", N_("this is a program (ELF executable), not a certificate")),
    (b"MZ", N_("this is a Windows program, not a certificate")),
    (
        b"\xfe\xed\xfe\xed",
        N_("this is a Java keystore (JKS); export the CA with 'keytool -exportcert -rfc' first"),
    ),
    (b"\xd0\xcf\x11\xe0", N_("this is an Office/OLE document, not a certificate")),
    (b"SQLite format 3", N_("this is an SQLite database, not a certificate")),
)

_PKCS7_SIGNED_MARKER = bytes.fromhex("06092a864886f70d010702")  # OID 1.2.840.113549.1.7.2
_PKCS12_MARKER = bytes.fromhex("06092a864886f70d010701")  # OID 1.2.840.113549.1.7.1 (pkcs7-data)


def _fail(message: str, source: str) -> InputError:
    if source:
        return InputError(_("{source}: {problem}", source=source, problem=message))
    return InputError(message)


# --------------------------------------------------------------------------- loading


def load_certificate_file(path: str | Path) -> list[Certificate]:
    """Read ``path`` and load every certificate in it (see :func:`load_certificates`)."""
    return load_certificates(read_input_file(path), source=str(Path(path)))


def open_without_waiting(path: str | Path) -> BinaryIO:
    """``path`` opened for reading in binary. Opened non-blocking, so a named pipe nobody
    writes to opens (and then reads as empty) instead of hanging in open(); reads block again,
    so a writer still writing is waited for."""
    fd = os.open(path, READ_WITHOUT_WAITING)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_input_file(path: str | Path) -> bytes:
    """The bytes of ``path``, read once and at most MAX_INPUT_BYTES + 1 of them.

    Once, so a pipe (``/dev/stdin``, ``<(...)``, a FIFO) gives all its data to one reader;
    bounded, since devices, pipes and ``/proc`` files report a size of 0 and may never end.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise _fail(_("this is a directory, not a certificate file"), str(p))
        with open_without_waiting(p) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_INPUT_BYTES:  # a regular file: refused without reading it
                raise _fail(_too_large(size), str(p))
            data = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise _fail(_("file not found"), str(p)) from None
    except PermissionError:
        raise _fail(_("permission denied"), str(p)) from None
    except IsADirectoryError:
        raise _fail(_("this is a directory, not a certificate file"), str(p)) from None
    except OSError as err:
        raise _fail(_("cannot read the file ({error})", error=os_reason(err)), str(p)) from None
    if len(data) > MAX_INPUT_BYTES:
        raise _fail(_too_large(len(data)), str(p))
    return data


def _too_large(size: int) -> str:
    return _(
        "file too large ({size} MB) for a certificate or bundle",
        size=f"{size / 1024 / 1024:.1f}",
    )


def load_certificates(data: bytes, *, source: str = "") -> list[Certificate]:
    """Every certificate in ``data``, in file order; raises InputError naming what it found."""
    certificates = _load_any(data, source)
    for cert in certificates:
        _check_parses(cert, source)
    return certificates


def _check_parses(cert: Certificate, source: str) -> None:
    # cryptography parses fields lazily: a damaged field only raises when first read (ValueError,
    # InvalidVersion, even KeyError), far away from the loader. Read them all here, once.
    try:
        for field in ("version", "subject", "issuer", "serial_number", "extensions"):
            getattr(cert, field)
        cert.not_valid_before_utc, cert.not_valid_after_utc  # noqa: B018
    except Exception as err:
        raise _fail(_("this certificate is damaged: {error}", error=str(err)), source) from None


def _load_any(data: bytes, source: str) -> list[Certificate]:
    if len(data) > MAX_INPUT_BYTES:
        raise _fail(_too_large(len(data)), source)
    if not data.strip(b" \t\r\n\x00\x0b\x0c\xef\xbb\xbf\xff\xfe"):
        raise _fail(_("empty file"), source)
    for magic, message in _MAGIC:
        if data.startswith(magic):
            raise _fail(_(message), source)
    text = _as_text(data)
    if text is None:
        return _load_binary(data, source)
    try:
        return _load_text(text, source)
    except InputError:
        if data[:1] != b"\x30" or "-----BEGIN" in text:
            raise
        return _load_binary(data, source)  # DER that happened to decode as text


def _as_text(data: bytes) -> str | None:
    """The data as text when it is text (UTF-8 with or without BOM, UTF-16 with or without BOM)."""
    codec = utf16_codec(data)
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return text if printable >= len(text) * 0.95 else None


def _load_text(text: str, source: str) -> list[Certificate]:
    if "-----BEGIN" in text and "\\n" in text:
        text = text.replace("\\r", "").replace("\\n", "\n")  # PEM pasted from JSON or YAML
    if "-----BEGIN" in text:
        return _load_pem(text, source)
    stripped = text.strip()
    lowered = stripped[:512].lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered:
        raise _fail(
            _("this is an HTML page, not a certificate (a login or error page saved instead?)"),
            source,
        )
    if lowered.startswith("<?xml") or lowered.startswith("<"):
        raise _fail(_("this is an XML document, not a certificate"), source)
    if stripped.startswith(("{", "[")):
        raise _fail(_("this is a JSON document without a certificate in it"), source)
    if stripped.startswith(("ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "ssh-dss ")):
        raise _fail(_("this is an SSH public key, not a certificate"), source)
    if stripped.startswith("Certificate:") or "Signature Algorithm:" in stripped:
        raise _fail(
            _(
                "this is a certificate printed as text (openssl -text) without its PEM block; "
                "export it again as PEM"
            ),
            source,
        )
    compact = re.sub(r"\s+", "", stripped)
    if _BASE64_ONLY.match(stripped) and len(compact) >= _SHORTEST_BASE64_CERT:
        try:
            decoded = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=False)
        except (binascii.Error, ValueError):
            decoded = b""
        if not decoded:
            decoded = _urlsafe(compact)
        if decoded and decoded[:1] == b"\x30":
            return _load_binary(decoded, source, from_base64=True)
        raise _fail(_("this is base64 text, but it does not decode to a certificate"), source)
    raise _fail(_("this is plain text without a certificate in it"), source)


def _urlsafe(compact: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
    except (binascii.Error, ValueError):
        return b""


def _b64_block(body: str) -> bytes:
    lines = [ln.strip() for ln in body.strip().splitlines()]
    # RFC 1421 headers (Proc-Type, DEK-Info) end with an empty line before the base64.
    if any(":" in ln for ln in lines):
        lines = [ln for ln in lines if ":" not in ln]
    compact = "".join(lines)
    compact = re.sub(r"\s+", "", compact)
    if not compact:
        raise ValueError("empty")
    if not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", compact):
        raise ValueError("not base64")
    return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)


def _load_pem(text: str, source: str) -> list[Certificate]:
    certs: list[Certificate] = []
    others: list[str] = []
    blocks = list(_PEM_BLOCK.finditer(text))
    begins = _PEM_BEGIN.findall(text)
    total_cert_blocks = sum(1 for b in blocks if b.group(1).strip() in _CERT_LABELS)
    cert_index = 0
    for block in blocks:
        label = block.group(1).strip()
        if label != block.group(3).strip():
            raise _fail(
                _(
                    "a PEM block starts as {begin} but ends as {end}",
                    begin=label,
                    end=block.group(3).strip(),
                ),
                source,
            )
        if label in _CERT_LABELS:
            cert_index += 1
            der = _safe_b64(block.group(2), label, source)
            if _PKCS7_SIGNED_MARKER in der[:32]:
                certs.extend(_pkcs7_der(der, source))  # a .p7b some tools label CERTIFICATE
                continue
            certs.append(
                _pem_certificate(block.group(2), label, cert_index, total_cert_blocks, source)
            )
        elif label in _PKCS7_LABELS:
            certs.extend(_pkcs7_der(_safe_b64(block.group(2), label, source), source))
        else:
            others.append(label)
    if len(begins) > len(blocks):
        raise _fail(
            _(
                "a PEM block ({label}) starts but never ends: the file is truncated",
                label=begins[-1].strip(),
            ),
            source,
        )
    if certs:
        return certs
    for label in others:
        known = _OTHER_LABELS.get(label)
        if known:
            raise _fail(_(known), source)
    if others:
        raise _fail(
            _("this is a PEM file with {label}, not a certificate", label=others[0]), source
        )
    raise _fail(_("no certificate found in the text"), source)


def _safe_b64(body: str, label: str, source: str) -> bytes:
    try:
        return _b64_block(body)
    except (ValueError, binascii.Error):
        raise _fail(
            _("the {label} block is not valid base64 (damaged when copied?)", label=label), source
        ) from None


def _pem_certificate(body: str, label: str, index: int, total: int, source: str) -> Certificate:
    der = _safe_b64(body, label, source)
    if label == "TRUSTED CERTIFICATE":
        der = _first_der_element(der)  # OpenSSL's trusted form: the cert then its trust settings
    try:
        return x509.load_der_x509_certificate(der)
    except (ValueError, x509.InvalidVersion):
        if total > 1:
            raise _fail(
                _(
                    "certificate {index} of {total} is damaged: its PEM block does not hold a "
                    "valid certificate",
                    index=index,
                    total=total,
                ),
                source,
            ) from None
        raise _fail(
            _("the certificate is damaged: its PEM block does not hold a valid certificate"),
            source,
        ) from None


def _der_length(der: bytes) -> int | None:
    """Declared total length of the first DER TLV in ``der``, or None when unreadable."""
    if len(der) < 2:
        return None
    length = der[1]
    offset = 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or len(der) < 2 + count:
            return None
        length = int.from_bytes(der[2 : 2 + count], "big")
        offset = 2 + count
    return offset + length


def _first_der_element(der: bytes) -> bytes:
    """The first complete DER TLV in ``der`` (or ``der`` itself when it cannot be measured)."""
    total = _der_length(der)
    return der if total is None else der[:total]


def _pkcs7_der(der: bytes, source: str) -> list[Certificate]:
    try:
        certs = pkcs7.load_der_pkcs7_certificates(der)
    except ValueError:
        raise _fail(_("the PKCS#7 data is damaged or truncated"), source) from None
    if not certs:
        raise _fail(_("the PKCS#7 file holds no certificates"), source)
    return list(certs)


def _load_binary(data: bytes, source: str, *, from_base64: bool = False) -> list[Certificate]:
    for magic, message in _MAGIC:
        if data.startswith(magic):
            raise _fail(_(message), source)
    if data[:1] != b"\x30":
        if from_base64:
            raise _fail(_("this is base64 text, but it does not decode to a certificate"), source)
        raise _fail(
            _("this is binary data that is not a certificate (not DER, PKCS#7 or PKCS#12)"), source
        )
    declared = _der_length(data)
    if declared is not None and declared > len(data):
        raise _fail(_("this DER data is truncated (the file ends early)"), source)
    der = _first_der_element(data)
    trailing = data[len(der) :]
    try:
        cert = x509.load_der_x509_certificate(der)
    except (ValueError, x509.InvalidVersion):
        pass
    else:
        rest = trailing.lstrip(b"\x00\r\n ")  # padding between certificates, not their bytes
        if rest and rest[:1] == b"\x30":
            return [cert, *_load_binary(rest, source)]
        return [cert]
    if _PKCS7_SIGNED_MARKER in data[:32]:
        return _pkcs7_der(der, source)
    if _PKCS12_MARKER in data[:64]:
        return _pkcs12(data, source)
    raise _fail(_describe_other_der(der), source)


def _pkcs12(data: bytes, source: str) -> list[Certificate]:
    for password in (None, b""):
        try:
            _key, cert, extra = pkcs12.load_key_and_certificates(data, password)
        except (ValueError, UnsupportedAlgorithm):
            continue
        certs = ([cert] if cert is not None else []) + list(extra)
        if not certs:
            raise _fail(_("the PKCS#12 file holds no certificates"), source)
        return certs
    raise _fail(
        _(
            "this PKCS#12 (.pfx/.p12) file needs a password; export the CA again as "
            "PEM or DER (.cer) without the private key"
        ),
        source,
    )


def _describe_other_der(der: bytes) -> str:
    """Name a DER structure that is not a certificate."""
    try:
        serialization.load_der_private_key(der, None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        pass
    else:
        return _("this is a private key, not a certificate")
    try:
        serialization.load_der_public_key(der)
    except (ValueError, UnsupportedAlgorithm):
        pass
    else:
        return _("this is a public key, not a certificate")
    try:
        x509.load_der_x509_csr(der)
    except ValueError:
        pass
    else:
        return _("this is a certificate signing request (CSR), not a certificate")
    try:
        x509.load_der_x509_crl(der)
    except ValueError:
        pass
    else:
        return _("this is a certificate revocation list (CRL), not a certificate")
    return _("this DER data is not a certificate, or the certificate is damaged or truncated")


def holds_private_key(data: bytes) -> bool:
    """True when ``data`` (a file a user may share) also holds a private key: a PEM key block,
    or a PKCS#12 file with a key that opens without a password."""
    text = _as_text(data)
    if text is not None:
        return any("PRIVATE KEY" in label for label in _PEM_BEGIN.findall(text))
    if _PKCS12_MARKER not in data[:64]:
        return False
    for password in (None, b""):
        try:
            key, _cert, _extra = pkcs12.load_key_and_certificates(data, password)
        except (ValueError, UnsupportedAlgorithm):
            continue
        return key is not None
    return False


# --------------------------------------------------------------------------- output


def sha256_fingerprint(cert: Certificate) -> str:
    """Lowercase hex without colons (the form used in JSON)."""
    return cert.fingerprint(hashes.SHA256()).hex()


def format_fingerprint(hex_digest: str) -> str:
    """AA:BB:CC... for humans."""
    clean = hex_digest.replace(":", "").upper()
    return ":".join(clean[i : i + 2] for i in range(0, len(clean), 2))


def to_pem(certs: Iterable[Certificate]) -> str:
    """Canonical PEM: re-encoded from DER, LF line endings, one trailing newline per block."""
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)


# --------------------------------------------------------------------------- describing


@dataclass(frozen=True)
class CertInfo:
    subject: str
    issuer: str
    not_before: str
    not_after: str
    expired: bool
    not_yet_valid: bool
    sans: list[str]
    key_type: str
    key_bits: int
    signature_algorithm: str
    is_ca: bool
    self_signed: bool
    basic_constraints_critical: bool | None
    path_length: int | None
    key_usage: list[str]
    ski: str | None
    aki: str | None
    sha256: str
    role: str  # "root" | "intermediate" | "leaf"
    version: int = 3
    serial: str = ""
    extended_key_usage: list[str] = field(default_factory=list)
    aia_ca_issuers: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ext(cert: Certificate, oid: x509.ObjectIdentifier) -> x509.Extension[Any] | None:
    try:
        return cert.extensions.get_extension_for_oid(oid)
    except (x509.ExtensionNotFound, ValueError):
        return None


def utc_not_before(cert: Certificate) -> _dt.datetime:
    return cert.not_valid_before_utc


def utc_not_after(cert: Certificate) -> _dt.datetime:
    return cert.not_valid_after_utc


def key_description(cert: Certificate) -> tuple[str, int]:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return ("unknown", 0)
    if isinstance(key, rsa.RSAPublicKey):
        return ("RSA", key.key_size)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return (f"EC {key.curve.name}", key.key_size)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return ("Ed25519", 256)
    if isinstance(key, ed448.Ed448PublicKey):
        return ("Ed448", 456)
    if isinstance(key, dsa.DSAPublicKey):
        return ("DSA", key.key_size)
    return (type(key).__name__, 0)


def is_self_signed(cert: Certificate) -> bool:
    """Subject equals issuer and the certificate's own key verifies its signature."""
    if cert.subject != cert.issuer:
        return False
    return signed_by(cert, cert)


def signed_by(cert: Certificate, issuer: Certificate) -> bool:
    """True when ``issuer``'s name and key account for ``cert``'s signature.

    The signature is checked with the public-key primitives, not X.509 verification:
    cryptography's ``verify_directly_issued_by`` refuses SHA-1 and MD5 signatures, while OpenSSL
    accepts a SHA-1 root as a trust anchor (its own signature is never checked) and old
    intermediates still exist. Whether such a signature is acceptable is reported separately
    (the ``weak-signature`` defect); this function only answers "who signed it".
    """
    if cert.issuer != issuer.subject:
        return False
    try:
        return _signature_verifies(cert, issuer.public_key())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False


def _signature_verifies(cert: Certificate, key: Any) -> bool:
    signature, data = cert.signature, cert.tbs_certificate_bytes
    params = cert.signature_algorithm_parameters
    digest = cert.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey) and digest is not None:
            key.verify(signature, data, params, digest)  # type: ignore[arg-type]
        elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(params, ec.ECDSA):
            key.verify(signature, data, params)
        elif isinstance(key, dsa.DSAPublicKey) and digest is not None:
            key.verify(signature, data, digest)
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _key_usage_names(ku: x509.KeyUsage) -> list[str]:
    names = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    ]
    found = [n for n in names if getattr(ku, n)]
    if ku.key_agreement:
        found += [n for n in ("encipher_only", "decipher_only") if getattr(ku, n)]
    return found


def _signature_algorithm(cert: Certificate) -> str:
    oid = cert.signature_algorithm_oid
    name = getattr(oid, "_name", "")
    return name if name and name != "Unknown OID" else oid.dotted_string


def _general_names(names: Iterable[x509.GeneralName]) -> list[str]:
    out: list[str] = []
    for gn in names:
        if isinstance(gn, x509.DNSName):
            out.append(f"DNS:{gn.value}")
        elif isinstance(gn, x509.IPAddress):
            out.append(f"IP:{gn.value}")
        elif isinstance(gn, x509.RFC822Name):
            out.append(f"email:{gn.value}")
        elif isinstance(gn, x509.UniformResourceIdentifier):
            out.append(f"URI:{gn.value}")
        else:
            out.append(str(gn.value))
    return out


def aia_ca_issuers(cert: Certificate) -> list[str]:
    """The caIssuers URLs of the Authority Information Access extension."""
    ext = _ext(cert, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    if ext is None:
        return []
    urls: list[str] = []
    for desc in ext.value:
        if desc.access_method == x509.oid.AuthorityInformationAccessOID.CA_ISSUERS and isinstance(
            desc.access_location, x509.UniformResourceIdentifier
        ):
            urls.append(desc.access_location.value)
    return urls


# OpenSSL and browsers print emailAddress=..., not cryptography's dotted OID.
_FRIENDLY_ATTRIBUTE_NAMES = {x509.oid.NameOID.EMAIL_ADDRESS: "emailAddress"}


def name_text(name: x509.Name) -> str:
    """A distinguished name as RFC 4514 text, the way users see it in other tools."""
    try:
        return name.rfc4514_string(_FRIENDLY_ATTRIBUTE_NAMES)
    except ValueError:
        return repr(name)


def _acts_as_ca(
    cert: Certificate,
    bc: x509.Extension[Any] | None,
    ku: x509.Extension[Any] | None,
    self_signed: bool,
) -> bool:
    """basicConstraints CA:TRUE; without basicConstraints, a v1 root or a certificate whose
    keyUsage allows signing certificates (lenient OpenSSL accepts both as CAs; strict validators
    do not: the ``v1-ca`` and ``bc-missing`` defects)."""
    if bc is not None:
        return bool(bc.value.ca)
    if cert.version == x509.Version.v1:
        return self_signed
    return ku is not None and bool(ku.value.key_cert_sign)


def describe(cert: Certificate, *, now: _dt.datetime | None = None) -> CertInfo:
    """Everything a person needs to tell what this certificate is and whether it is usable."""
    moment = now or _dt.datetime.now(_dt.timezone.utc)
    bc = _ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    ku = _ext(cert, ExtensionOID.KEY_USAGE)
    ski = _ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    aki = _ext(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    san = _ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    eku = _ext(cert, ExtensionOID.EXTENDED_KEY_USAGE)
    key_type, key_bits = key_description(cert)
    self_signed = is_self_signed(cert)
    version = 1 if cert.version == x509.Version.v1 else 3
    is_ca = _acts_as_ca(cert, bc, ku, self_signed)
    if is_ca and self_signed:
        role = "root"
    elif is_ca:
        role = "intermediate"
    else:
        role = "leaf"
    aki_id = aki.value.key_identifier if aki is not None else None
    return CertInfo(
        subject=name_text(cert.subject),
        issuer=name_text(cert.issuer),
        not_before=utc_not_before(cert).isoformat(),
        not_after=utc_not_after(cert).isoformat(),
        expired=moment > utc_not_after(cert),
        not_yet_valid=moment < utc_not_before(cert),
        sans=_general_names(san.value) if san is not None else [],
        key_type=key_type,
        key_bits=key_bits,
        signature_algorithm=_signature_algorithm(cert),
        is_ca=is_ca,
        self_signed=self_signed,
        basic_constraints_critical=bc.critical if bc is not None else None,
        path_length=bc.value.path_length if bc is not None else None,
        key_usage=_key_usage_names(ku.value) if ku is not None else [],
        ski=ski.value.digest.hex() if ski is not None else None,
        aki=aki_id.hex() if aki_id else None,
        sha256=sha256_fingerprint(cert),
        role=role,
        version=version,
        serial=format(cert.serial_number, "x"),
        extended_key_usage=[
            getattr(o, "_name", o.dotted_string) for o in (eku.value if eku is not None else [])
        ],
        aia_ca_issuers=aia_ca_issuers(cert),
    )


# --------------------------------------------------------------------------- strict X.509 lint


@dataclass(frozen=True)
class Defect:
    id: str
    message: str
    breaks: list[str]
    fix: str
    severity: str = "error"  # "error": some clients reject the chain; "warning": still works

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _defect_catalog() -> dict[str, dict[str, Any]]:
    from tlsdoctor._data import load_data

    return {entry["id"]: entry for entry in load_data("x509_defects.toml")["defect"]}


def _make_defect(defect_id: str) -> Defect:
    from tlsdoctor.i18n import localized

    entry = _defect_catalog()[defect_id]
    return Defect(
        id=defect_id,
        message=str(localized(entry, "message")),
        breaks=list(entry.get("breaks", [])),
        fix=str(localized(entry, "fix")),
        severity=str(entry.get("severity", "error")),
    )


def breaks_text(defect: Defect) -> list[str]:
    """The tools ``defect`` breaks, for people (``breaks_ja`` under Japanese); JSON keeps
    ``Defect.breaks`` in English."""
    from tlsdoctor.i18n import localized

    return list(localized(_defect_catalog()[defect.id], "breaks") or defect.breaks)


def defect_ids(cert: Certificate) -> list[str]:
    """Ids of the strict-profile rules ``cert`` breaks (see data/x509_defects.toml)."""
    found: list[str] = []
    bc = _ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    ku = _ext(cert, ExtensionOID.KEY_USAGE)
    self_signed = is_self_signed(cert)
    is_v1 = cert.version == x509.Version.v1
    is_ca = bool(bc.value.ca) if bc is not None else False
    acts_as_ca = _acts_as_ca(cert, bc, ku, self_signed)
    if is_v1 and acts_as_ca:
        found.append("v1-ca")
    if acts_as_ca and not is_v1 and bc is None:
        found.append("bc-missing")
    if is_ca and bc is not None and not bc.critical:
        found.append("bc-not-critical")
    if acts_as_ca and not is_v1:
        if ku is None:
            found.append("ku-missing")
        elif not ku.value.key_cert_sign:
            found.append("ku-no-certsign")
    if not self_signed and _ext(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER) is None:
        found.append("aki-missing")
    if acts_as_ca and not is_v1 and _ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER) is None:
        found.append("ski-missing")
    eku = _ext(cert, ExtensionOID.EXTENDED_KEY_USAGE)
    if (
        acts_as_ca
        and eku is not None
        and ExtendedKeyUsageOID.SERVER_AUTH not in eku.value
        and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in eku.value
    ):
        found.append("ca-eku-no-serverauth")
    key_type, bits = key_description(cert)
    if key_type == "RSA" and bits < 2048:
        found.append("rsa-key-small")
    if not self_signed and _signature_hash_name(cert) in ("sha1", "md5"):
        found.append("weak-signature")
    if not acts_as_ca:
        found.extend(_leaf_defects(cert))
    return found


def _signature_hash_name(cert: Certificate) -> str:
    try:
        algo = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return ""
    return algo.name if algo is not None else ""


def _leaf_defects(cert: Certificate) -> list[str]:
    found: list[str] = []
    san = _ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    if san is None:
        found.append("leaf-san-missing")
    elif san.critical and len(cert.subject) > 0:
        found.append("leaf-san-critical")
    return found


def strict_defects(cert: Certificate) -> list[Defect]:
    """Strict-X.509 problems of ``cert`` with the tools each one breaks and what can be done."""
    return [_make_defect(defect_id) for defect_id in defect_ids(cert)]


def chain_order(certs: Sequence[Certificate]) -> list[Certificate]:
    """``certs`` ordered leaf-first when they form one chain (otherwise as given)."""
    remaining = list(certs)
    issuers = {c.issuer.public_bytes() for c in remaining if not is_self_signed(c)}
    leaves = [c for c in remaining if c.subject.public_bytes() not in issuers]
    if len(leaves) != 1:
        return remaining
    ordered = [leaves[0]]
    remaining.remove(leaves[0])
    while remaining:
        nxt = next((c for c in remaining if signed_by(ordered[-1], c)), None)
        if nxt is None:
            return list(certs)
        ordered.append(nxt)
        remaining.remove(nxt)
    return ordered


def parse_pem_tolerant(text: str | bytes) -> list[Certificate]:
    """Every readable certificate block of a PEM stream; damaged blocks are skipped.

    For machine output (keychains, the Windows store through PowerShell, bundles) where one odd
    certificate must not hide the others. User files go through :func:`load_certificates`.
    """
    if isinstance(text, bytes):
        decoded = _as_text(text)
        if decoded is None:
            return []
        text = decoded
    found: list[Certificate] = []
    for block in _PEM_BLOCK.finditer(text):
        label = block.group(1).strip()
        if label not in _CERT_LABELS or label != block.group(3).strip():
            continue
        try:
            der = _b64_block(block.group(2))
            if label == "TRUSTED CERTIFICATE":
                der = _first_der_element(der)
            found.append(x509.load_der_x509_certificate(der))
        except (ValueError, binascii.Error, x509.InvalidVersion):
            continue
    return found
