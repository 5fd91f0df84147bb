"""Regenerate the committed test data: OS-store captures and the malformed-input corpus.

    .venv/bin/python tests/ca/data/make_data.py

The captures follow the documented output formats of the real commands (macOS ``security``,
Python's ``ssl.enum_certificates`` on Windows, PowerShell under WSL) and hold real, parseable
certificates: three roots from certifi plus a synthetic inspection root named like Zscaler's
(its basicConstraints is not critical, like the real one in python/cpython#133564).
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import random
import sys
import zipfile
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dh, ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/, for certfactory

import certfactory  # noqa: E402

PUBLIC_SUBJECTS = ("ISRG Root X1", "DigiCert Global Root G2", "GlobalSign")


def public_roots() -> list[x509.Certificate]:
    data = Path(certifi.where()).read_bytes()
    certs = x509.load_pem_x509_certificates(data)
    picked = []
    for wanted in PUBLIC_SUBJECTS:
        picked.append(next(c for c in certs if wanted in c.subject.rfc4514_string()))
    return picked


def zscaler_like_root() -> certfactory.Issued:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "California"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "San Jose"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Zscaler Inc."),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Zscaler Inc."),
            x509.NameAttribute(NameOID.COMMON_NAME, "Zscaler Root CA"),
        ]
    )
    return certfactory.make_ca(
        "Zscaler Root CA",
        subject=subject,
        key=rsa.generate_private_key(65537, 2048),
        bc_critical=False,
    )


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def write_captures(inspection: certfactory.Issued) -> None:
    roots = public_roots()
    login_only = certfactory.make_ca("Corp Dev Signing (login keychain)")
    # security find-certificate -a -p SYSTEM ROOTS LOGIN: PEM blocks, LF, in keychain order.
    text = "".join(pem(c) for c in [inspection.cert, *roots, login_only.cert])
    (HERE / "macos_find_certificate.txt").write_text(text)
    (HERE / "macos_dump_trust_settings_admin.txt").write_text(
        "Number of trusted certs = 2\n"
        "Cert 0: Zscaler Root CA\n"
        "   Number of trust settings : 0\n"
        "Cert 1: Corp Dev Signing (login keychain)\n"
        "   Number of trust settings : 2\n"
        "   Trust Setting 0:\n"
        "      Policy OID            : SSL\n"
        "      Allowed Error         : CSSMERR_TP_CERT_EXPIRED\n"
        "      Result Type           : kSecTrustSettingsResultTrustRoot\n"
        "   Trust Setting 1:\n"
        "      Policy OID            : Apple X509 Basic\n"
        "      Result Type           : kSecTrustSettingsResultDeny\n"
    )
    # ssl.enum_certificates("ROOT") on Windows: (bytes, "x509_asn"|"pkcs_7_asn", True|{oids}).
    code_signing_only = certfactory.make_ca("Contoso Code Signing Root")
    entries = [
        [
            base64.b64encode(roots[0].public_bytes(serialization.Encoding.DER)).decode(),
            "x509_asn",
            True,
        ],
        [base64.b64encode(inspection.der).decode(), "x509_asn", True],
        [
            base64.b64encode(roots[1].public_bytes(serialization.Encoding.DER)).decode(),
            "x509_asn",
            ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
        ],
        [base64.b64encode(code_signing_only.der).decode(), "x509_asn", ["1.3.6.1.5.5.7.3.3"]],
        [base64.b64encode(b"\x30\x03\x02\x01\x01").decode(), "pkcs_7_asn", True],
    ]
    (HERE / "windows_enum_certificates_root.json").write_text(json.dumps(entries, indent=1) + "\n")
    # PowerShell under WSL: ToBase64String(..., 'InsertLineBreaks') wraps at 76 columns, CRLF.
    out = []
    for cert in [roots[2], inspection.cert]:
        b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        lines = [b64[i : i + 76] for i in range(0, len(b64), 76)]
        out += ["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----"]
    (HERE / "wsl_powershell_root.txt").write_bytes(("\r\n".join(out) + "\r\n").encode("ascii"))
    (HERE / "inspection-root.pem").write_text(pem(inspection.cert))


def write_malformed(valid: certfactory.Issued) -> None:
    folder = HERE / "malformed"
    folder.mkdir(exist_ok=True)
    rng = random.Random(4)
    key = valid.key
    rsa_key = rsa.generate_private_key(65537, 2048)
    good = pem(valid.cert)
    body = good.splitlines()
    files: dict[str, bytes] = {
        "empty.pem": b"",
        "whitespace_only.pem": b"  \r\n\r\n\t \n",
        "private_key_pkcs8.pem": valid.key_pem(),
        "private_key_rsa.key": rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
        "encrypted_private_key.pem": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        ),
        "public_key.pem": key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "private_key.der": key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        "truncated_no_end.pem": ("\n".join(body[: len(body) // 2]) + "\n").encode(),
        "truncated_body.pem": ("\n".join([body[0], *body[1:4], body[-1]]) + "\n").encode(),
        "truncated.der": valid.der[: len(valid.der) // 2],
        "bad_base64.pem": good.replace(body[2], body[2][:10] + "!!" + body[2][12:]).encode(),
        "mismatched_labels.pem": good.replace("END CERTIFICATE", "END PRIVATE KEY").encode(),
        "html_login_page.html": b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
        b"<body><form action='/login'>Corporate SSO</form></body></html>\n",
        "json_no_cert.json": b'{"error": "not found", "status": 404}\n',
        "xml_document.xml": b"<?xml version='1.0'?><config><ca>none</ca></config>\n",
        "plain_text.txt": b"Please install the company certificate from the intranet.\n",
        "one_word.txt": b"garbage\n",
        "fingerprint_hex.txt": b"8d674192d8b5283116dcfad839c634421a0c8863e205d3eb3df80d2de5b83608\n",
        "openssl_text_only.txt": b"Certificate:\n    Data:\n        Version: 3 (0x2)\n"
        b"        Signature Algorithm: sha256WithRSAEncryption\n",
        "ssh_public_key.pub": b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEq7 user@laptop\n",
        "openssh_private_key": b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
        b"-----END OPENSSH PRIVATE KEY-----\n",
        "pgp_public_key.asc": b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF0=\n"
        b"-----END PGP PUBLIC KEY BLOCK-----\n",
        "gzip_compressed.pem.gz": gzip.compress(good.encode(), mtime=0),
        "pdf_document.pdf": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
        "png_image.png": b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(64)),
        "elf_program": b"\x7fELF\x02\x01\x01" + bytes(57),
        "binary_noise.bin": bytes([0x17]) + bytes(rng.randrange(256) for _ in range(4095)),
        "binary_noise_sequence.bin": b"\x30\x82\x01\x00"
        + bytes(rng.randrange(256) for _ in range(256)),
        "java_keystore.jks": b"\xfe\xed\xfe\xed\x00\x00\x00\x02" + bytes(32),
        "base64_not_a_cert.txt": base64.b64encode(bytes(rng.randrange(256) for _ in range(300)))
        + b"\n",
        "utf16_html.txt": "<html><body>Access denied</body></html>".encode("utf-16"),
        "dh_parameters.pem": dh.generate_parameters(2, 512).parameter_bytes(
            serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3
        ),
    }
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(certfactory.name("csr.test"))
        .sign(key, hashes.SHA256())
    )
    files["certificate_request.csr"] = csr.public_bytes(serialization.Encoding.PEM)
    files["certificate_request.der"] = csr.public_bytes(serialization.Encoding.DER)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(valid.cert.subject)
        .last_update(certfactory.NOW)
        .next_update(certfactory.NOW)
        .sign(key, hashes.SHA256())
    )
    files["revocation_list.crl"] = crl.public_bytes(serialization.Encoding.PEM)
    other = certfactory.make_ca("Second CA")
    bad_middle = pem(other.cert).splitlines()
    bad_middle[3] = bad_middle[3][::-1]  # still base64, no longer a certificate
    files["mixed_bundle_one_bad.pem"] = (good + "\n".join(bad_middle) + "\n" + good).encode()
    files["pkcs12_with_password.p12"] = pkcs12.serialize_key_and_certificates(
        b"corp", key, valid.cert, None, serialization.BestAvailableEncryption(b"hunter2")
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("ZscalerRootCertificate-2048-SHA256.crt", good)
    files["zipped_certificate.zip"] = buf.getvalue()
    for existing in folder.iterdir():
        if existing.name != "EXPECTED.json":
            existing.unlink()
    for file_name, data in files.items():
        (folder / file_name).write_bytes(data)


def main() -> None:
    inspection = zscaler_like_root()
    write_captures(inspection)
    write_malformed(
        certfactory.make_ca("Malformed Corpus CA", key=ec.generate_private_key(ec.SECP256R1()))
    )


if __name__ == "__main__":
    main()
