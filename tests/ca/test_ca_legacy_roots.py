"""Roots signed with SHA-1 (made by the real openssl binary) are roots: clients never check a
trust anchor's own signature, so neither the search nor the report may treat them otherwise."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from fixtures_env import require_client

from tlsdoctor.cli.main import main
from tlsdoctor.core.bundle import ca_warnings
from tlsdoctor.core.caexport import find_root
from tlsdoctor.core.x509 import (
    defect_ids,
    describe,
    is_self_signed,
    load_certificate_file,
    sha256_fingerprint,
    signed_by,
)

EXT_CA = (
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
)
EXT_LEAF = (
    "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:legacy.test\n"
    "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
)


@pytest.fixture
def legacy(tmp_path: Path, clean_env: dict[str, str]) -> Path:
    """An RSA root self-signed with SHA-1 (openssl req -x509 -sha1) and a SHA-256 leaf."""
    openssl = require_client("openssl")

    def run(*args: str) -> None:
        subprocess.run(
            [openssl, *args], cwd=tmp_path, env=clean_env, check=True, capture_output=True
        )

    (tmp_path / "ca.cnf").write_text(
        "[req]\ndistinguished_name=dn\nx509_extensions=v3\nprompt=no\n[dn]\nCN=Legacy SHA1 Root\n"
        "O=Example Corp\n[v3]\n" + EXT_CA.replace("keyid\n", "keyid:always\n")
    )
    (tmp_path / "leaf.cnf").write_text(EXT_LEAF)
    rsa = ["-newkey", "rsa:2048", "-nodes"]
    run("req", "-x509", *rsa, "-sha1", "-config", "ca.cnf", "-keyout", "r.key", "-out", "root.pem")
    run("req", *rsa, "-keyout", "l.key", "-out", "l.csr", "-subj", "/CN=legacy.test")
    run(
        "x509", "-req", "-in", "l.csr", "-CA", "root.pem", "-CAkey", "r.key", "-sha256",
        "-days", "2", "-set_serial", "9", "-extfile", "leaf.cnf", "-out", "leaf.pem",
    )  # fmt: skip
    return tmp_path


def test_a_sha1_root_is_self_signed_and_a_root(legacy: Path) -> None:
    (root,) = load_certificate_file(legacy / "root.pem")
    (leaf,) = load_certificate_file(legacy / "leaf.pem")
    assert describe(root).signature_algorithm == "sha1WithRSAEncryption"
    assert is_self_signed(root)
    assert describe(root).role == "root"
    assert signed_by(leaf, root) and not signed_by(root, leaf)
    # A trust anchor's own signature is never checked by clients: no weak-signature for it.
    assert defect_ids(root) == []
    assert ca_warnings([root]) == []


def test_find_root_takes_a_presented_sha1_root(legacy: Path) -> None:
    (root,) = load_certificate_file(legacy / "root.pem")
    (leaf,) = load_certificate_file(legacy / "leaf.pem")
    result = find_root([leaf, root], public=[])
    assert (result.status, result.method) == ("found", "chain")
    assert [sha256_fingerprint(c) for c in result.roots] == [sha256_fingerprint(root)]


def test_ca_check_cli_reports_a_root(legacy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ca", "check", "--json", str(legacy / "root.pem")]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["certificates"]
    assert (entry["role"], entry["self_signed"], entry["defects"]) == ("root", True, [])


def test_a_forged_sha1_self_signature_is_not_self_signed(legacy: Path) -> None:
    """Same name, but the signature bytes are damaged: the key must still decide."""
    from cryptography import x509

    (root,) = load_certificate_file(legacy / "root.pem")
    der = bytearray(root.public_bytes(encoding=_der()))
    der[-5] ^= 0x01  # the signature is the last field of the certificate
    forged = x509.load_der_x509_certificate(bytes(der))
    assert forged.subject == forged.issuer
    assert not is_self_signed(forged)
    assert describe(forged).role == "intermediate"


def _der():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER
